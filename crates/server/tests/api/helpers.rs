//! `spawn_app()`: a real server on a free port over a fresh database, and the
//! throw-away PostgreSQL cluster behind the PostgreSQL variants.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use server::{config::Config, AppState};
use tokio::sync::oneshot;
use uuid::Uuid;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `mod NAME { sqlite(), postgres() }` test pairs for `async fn NAME(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await;
            }
        }
    )*};
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    scratch: PathBuf,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs in and returns the `Cookie` header value of the new session.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let response = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 200, "sign-in of {email} failed");
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .expect("session cookie set")
            .to_str()
            .unwrap()
            .to_owned();
        set_cookie.split(';').next().unwrap().to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if !self.scratch.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.scratch);
        }
    }
}

/// Starts the server on a fresh database of `backend` with the demo seed.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with the test configuration changed by `adjust` first.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let scratch = std::env::temp_dir().join(format!("relay-test-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(scratch.join("dist")).unwrap();
    std::fs::write(
        scratch.join("dist/index.html"),
        "<!doctype html><title>Relay</title><body>app</body>",
    )
    .unwrap();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}/test.db", scratch.display()),
        Backend::Postgres => fresh_postgres_database().await,
    };
    let mut config = Config::for_tests(database_url);
    config.dist_dir = scratch.join("dist");
    adjust(&mut config);
    start(config, scratch).await
}

/// Prepares and serves `config` on a free port.
async fn start(config: Config, scratch: PathBuf) -> TestApp {
    let state = server::prepare(config).await.expect("server prepares");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let served = tokio::spawn(server::serve(state.clone(), listener, async move {
        let _ = rx.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        state,
        http: http_client(),
        shutdown: Some(tx),
        served: Some(served),
        scratch,
    }
}

impl TestApp {
    /// Stops this server (draining it and closing its connections) and starts a new
    /// one over the same database, as a restart or a deploy does.
    pub async fn restart(mut self) -> TestApp {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(served) = self.served.take() {
            let _ = served.await;
        }
        self.state.db.pool.close().await;
        self.state.db.read.close().await;
        let config = (*self.state.config).clone();
        // The new server owns the scratch folder (and the SQLite file in it) now.
        let scratch = std::mem::take(&mut self.scratch);
        start(config, scratch).await
    }
}

/// The tests' HTTP client: like the app, it declares every body JSON unless a request
/// says otherwise (the server answers 415 to a state change without it).
pub fn http_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::CONTENT_TYPE,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("HTTP client")
}

/// A new, empty database in the shared test cluster.
async fn fresh_postgres_database() -> String {
    let admin = postgres_admin_url();
    let name = format!("t_{}", Uuid::new_v4().simple());
    let pool = server::db::Db::connect(admin)
        .await
        .expect("connect to the test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool.pool)
        .await
        .expect("create test database");
    pool.pool.close().await;
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    format!("{base}/{name}")
}

/// `TEST_POSTGRES_URL` if given, else a cluster started once for this test binary.
fn postgres_admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| start_cluster()))
}

fn pg_bindir() -> PathBuf {
    if let Ok(dir) = std::env::var("TEST_PG_BINDIR") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect(
            "PostgreSQL is installed (Debian package postgresql; `cargo xtask test` installs it)",
        )
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("initdb found under /usr/lib/postgresql/*/bin")
}

fn output(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// PostgreSQL refuses to run as root: as root, the cluster belongs to `postgres`.
fn as_cluster_owner(program: &Path, root: bool) -> Command {
    if root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// initdb in a temp dir, start on a free loopback port, and leave a reaper that stops
/// the cluster and deletes it once this test process has exited.
fn start_cluster() -> String {
    let bindir = pg_bindir();
    let root = output(Command::new("id").arg("-u")) == "0";
    let dir = std::env::temp_dir().join(format!("relay-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if root {
        let uid: u32 = output(Command::new("id").args(["-u", "postgres"]))
            .parse()
            .unwrap();
        let gid: u32 = output(Command::new("id").args(["-g", "postgres"]))
            .parse()
            .unwrap();
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
    }
    let data = dir.join("data");
    output(
        as_cluster_owner(&bindir.join("initdb"), root)
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = format!(
        "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300",
        dir.display()
    );
    output(
        as_cluster_owner(&bindir.join("pg_ctl"), root)
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.join("log"))
            .args(["-w", "start"]),
    );
    let owner = if root { "runuser -u postgres -- " } else { "" };
    let reaper = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
         {owner}{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        pg_ctl = bindir.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    // Deliberately never waited for: the reaper must outlive this process to clean up.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", &reaper])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the cluster reaper");
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

/// Sends `method path` with the session `cookie` and an optional JSON `body`.
pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    cookie: &str,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let mut request = app
        .http
        .request(method, app.url(path))
        .header("cookie", cookie);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// The id of the user with `email` (a seeded demo technician or dispatcher).
pub async fn user_id(app: &TestApp, email: &str) -> Uuid {
    use sqlx::Row;
    let row = sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    row.get::<String, _>("id").parse().unwrap()
}

/// A new company serving `area` (plumbing, Zürich time, CHF) with one active dispatcher
/// (`dispatcher@{slug}.example`, password set, so request e-mails reach them), signed
/// in: its id and the dispatcher's session cookie.
pub async fn company_with_dispatcher(app: &TestApp, name: &str, area: &str) -> (Uuid, String) {
    use domain::api::Role;
    use server::db::{accounts, sessions};
    let db = &app.state.db;
    let slug = name.to_lowercase().replace(' ', "");
    let company = accounts::create_company(
        db,
        &accounts::NewCompany {
            name,
            email: &format!("office@{slug}.example"),
            time_zone: "Europe/Zurich",
            currency: "CHF",
            service_area: area,
            skills: "plumbing",
        },
    )
    .await
    .unwrap();
    // One hash per test process: argon2 is slow on purpose, and fifty racers need one.
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let hash = HASH
        .get_or_init(|| async {
            server::password::hash("correct horse battery".to_owned())
                .await
                .unwrap()
        })
        .await;
    let user = accounts::create_user(
        db,
        company,
        Role::Dispatcher,
        "Dispatcher",
        &format!("dispatcher@{slug}.example"),
        Some(hash),
    )
    .await
    .unwrap();
    let token = sessions::new_token();
    sessions::create(db, &token, user, 3600).await.unwrap();
    (company, format!("dispatch_session={token}"))
}
