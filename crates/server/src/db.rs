//! Storage: connection pools over SQLite (embedded default) or PostgreSQL, chosen by
//! the URL. Queries are written once in the SQL both engines share (`$n` parameters,
//! TEXT ids, BIGINT Unix-second times); each aggregate has its own module.
//!
//! SQLite allows one writer at a time but, in WAL mode, any number of readers beside it:
//! writes go through [`Db::pool`], a single connection (an orderly queue instead of
//! `SQLITE_BUSY`), and every read outside a write transaction goes through
//! [`Db::read`], a pool of read-only connections that never wait for the writer. On
//! PostgreSQL both are the same pool.

pub mod accounts;
pub mod calls;
pub mod company;
pub mod idempotency;
pub mod sessions;
pub mod team;

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, Executor,
};

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The database handle every request uses; cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    /// Writes, and reads inside a write transaction.
    pub pool: AnyPool,
    /// Reads outside a transaction (read-only connections on SQLite).
    pub read: AnyPool,
    pub engine: Engine,
}

/// Read-only SQLite connections beside the writer.
const SQLITE_READERS: u32 = 4;

/// Each reader keeps up to 16 MB of pages (SQLite's default: 2 MB), so a busy board's
/// query reads its pages from the file rarely. (A memory map instead was slower: every
/// growth of the file remapped it in every connection.)
const SQLITE_READER_CACHE: &str = "PRAGMA cache_size = -16000";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// PostgreSQL connections per instance when `DATABASE_MAX_CONNECTIONS` is unset: two per
/// core of this machine, at least 4. More connections than the cores can serve only
/// queue inside the database instead of in the pool: under the load bench (two instances
/// on 2 cores) 16 per instance gave p99 154–160 ms, 8 gave 130, 4 gave 89–121.
pub fn default_postgres_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 2).unwrap_or(u32::MAX).max(4)
}

impl Db {
    /// Connects to `url` (`sqlite://path` — created with its folder if missing — or
    /// `postgres://…`), PostgreSQL with [`default_postgres_connections`].
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        Self::connect_with(url, default_postgres_connections()).await
    }

    /// [`Db::connect`] with at most `postgres_connections` PostgreSQL connections (SQLite
    /// has one writer and its readers, whatever this says).
    pub async fn connect_with(url: &str, postgres_connections: u32) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                format!("unsupported DATABASE_URL scheme in {url:?}").into(),
            ));
        };
        let url = match engine {
            Engine::Sqlite => sqlite_url(url)?,
            Engine::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let (pool, read) = match engine {
            Engine::Sqlite => {
                let pool = AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA busy_timeout = 5000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            // Checkpoints run beside the writer (`checkpoints`).
                            conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options.clone())
                    .await?;
                // An in-memory database exists once per connection: readers of their
                // own would see another, empty database.
                let read = if url.contains(":memory:") || url.contains("mode=memory") {
                    pool.clone()
                } else {
                    checkpoints(
                        AnyPoolOptions::new()
                            .max_connections(1)
                            .connect_with(options.clone())
                            .await?,
                    );
                    AnyPoolOptions::new()
                        .max_connections(SQLITE_READERS)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _meta| {
                            Box::pin(async move {
                                conn.execute("PRAGMA busy_timeout = 5000").await?;
                                conn.execute("PRAGMA query_only = ON").await?;
                                conn.execute(SQLITE_READER_CACHE).await?;
                                Ok(())
                            })
                        })
                        .connect_with(options)
                        .await?
                };
                (pool, read)
            }
            Engine::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(postgres_connections.max(1))
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                (pool.clone(), pool)
            }
        };
        Ok(Self { pool, read, engine })
    }

    /// Brings the schema up to date: the migrations (shared by both engines), then on
    /// PostgreSQL the event log's numbering at commit ([`crate::live::log::install_postgres`]).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&self.pool).await?;
        if self.engine == Engine::Postgres {
            crate::live::log::install_postgres(&self.pool).await?;
        }
        Ok(())
    }

    /// Checks the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }
}

/// How often the write-ahead log is copied into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies the SQLite write-ahead log into the database on a connection of its own, every
/// [`CHECKPOINT_EVERY`], until `pool` is closed. SQLite's own checkpoint runs inside the
/// commit that fills the log past 1,000 pages, on the writer: every other write then
/// waited for it, its `fsync` included (under load the writes' p99 doubled). A passive
/// checkpoint here waits for no one and blocks no one; the log starts over once a
/// checkpoint has copied all of it.
fn checkpoints(pool: AnyPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !pool.is_closed() {
            tick.tick().await;
            if let Err(e) = pool.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        }
    });
}

/// Makes sure the SQLite file's folder exists and the file is created when missing.
fn sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" {
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                sqlx::Error::Configuration(
                    format!("cannot create {}: {e}", parent.display()).into(),
                )
            })?;
        }
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// The placeholders `$first, $first+1, …` of `count` parameters, for an `IN (…)` list or
/// a `VALUES (…)` row.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rows` groups `($…, …)` of `width` placeholders each, numbered from `$1` on.
pub fn row_placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|row| format!("({})", placeholders(row * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The runtime that drives SQLite's write transactions: one thread of its own, shared by
/// every SQLite database of the process.
fn writer_runtime() -> &'static tokio::runtime::Handle {
    static WRITER: std::sync::OnceLock<tokio::runtime::Handle> = std::sync::OnceLock::new();
    WRITER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("sqlite-writes")
            .build()
            .expect("the SQLite writer's runtime");
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name("sqlite-writes".to_owned())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .expect("the SQLite writer's thread");
        handle
    })
}

impl Db {
    /// Runs `transaction` (a write transaction from `begin` to `commit`) where it holds
    /// SQLite's one writer for the shortest time: on a thread of its own. SQLite's
    /// connection hands every statement to its own thread and back; between statements
    /// the writer waits for the task to be polled again, and on busy cores the request
    /// runtime's queues (board answers being assembled) made that wait most of every
    /// write's time. A thread that only drives write transactions sleeps between them,
    /// so the scheduler runs it as soon as a statement returns. PostgreSQL (no single
    /// writer) runs it in place. On SQLite it runs to its end even when the caller is
    /// dropped (a request given up), so do what must follow a commit inside it.
    pub async fn write<T, F>(&self, transaction: F) -> T
    where
        F: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        use tracing::Instrument;
        match self.engine {
            Engine::Postgres => transaction.await,
            Engine::Sqlite => match writer_runtime().spawn(transaction.in_current_span()).await {
                Ok(done) => done,
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            },
        }
    }
}

/// The current time as Unix seconds, the unit every `*_at` column uses.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
