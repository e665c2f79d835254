//! Server configuration, read once from environment variables (documented in README).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (`PORT`, default 8080, on all interfaces).
    pub addr: SocketAddr,
    /// `sqlite://…` or `postgres://…` (`DATABASE_URL`, default `sqlite://data/dispatch.db`).
    pub database_url: String,
    /// PostgreSQL connections per instance (`DATABASE_MAX_CONNECTIONS`, default two per
    /// core, at least 4: `db::default_postgres_connections`).
    pub database_max_connections: u32,
    /// Built app served at `/` (`DIST_DIR`, default `dist`).
    pub dist_dir: PathBuf,
    /// Seeds demo data into an empty database and accepts the demo marketplace key
    /// (`DEMO_MODE=1`).
    pub demo_mode: bool,
    /// Bearer key of the marketplace (`MARKETPLACE_API_KEY`; `demo-marketplace-key` in demo
    /// mode when unset).
    pub marketplace_api_key: Option<String>,
    /// How long a session lives (`SESSION_TTL_HOURS`, default 12).
    pub session_ttl: Duration,
    /// Adds `Secure` to the session cookie (`COOKIE_SECURE=1`; needed behind HTTPS).
    pub cookie_secure: bool,
    /// Public base URL for links in e-mails (`PUBLIC_URL`, default `http://localhost:PORT`).
    pub public_url: String,
    /// SMTP server for e-mails (`SMTP_URL`, e.g. `smtp://user:pass@mail.example:587?tls=required`);
    /// unset, e-mails stay in the outbox table and the log.
    pub smtp_url: Option<String>,
    /// Sender of every e-mail (`MAIL_FROM`, default `Relay <no-reply@relay.example>`).
    pub mail_from: String,
    /// How often the outbox worker looks for due messages (`OUTBOX_POLL_MS`, default 1000).
    pub outbox_poll: Duration,
    /// In demo mode, how often the demo marketplace posts a booking (`DEMO_TRAFFIC`
    /// seconds, default 20; `0` turns it off). `None` outside demo mode.
    pub demo_traffic: Option<Duration>,
    /// Seeds demo calls in every state into an empty demo database (demo mode).
    pub demo_calls: bool,
    /// Further origins allowed to open the live WebSocket (`ALLOWED_ORIGINS`, a comma
    /// list such as `https://partner.example,https://app.partner.example`); the server's
    /// own `PUBLIC_URL` origin and its own host are always allowed.
    pub allowed_origins: Vec<String>,
    /// In demo mode, offers `POST /api/v1/dev/restart`, which exits the process for a
    /// supervisor to restart it (`DEV_RESTART=1`; the end-to-end harness sets it).
    pub dev_restart: bool,
    /// Takes the client address for rate limits from the last `X-Forwarded-For` entry
    /// (`TRUST_PROXY=1`; only behind a proxy that sets it), else the TCP peer.
    pub trust_proxy: bool,
    /// Rate limits and locks of sign-in and activation.
    pub sign_in: SignInLimits,
    /// How far around now a call's date/time may lie (`SLOT_PAST_DAYS`, default 365, and
    /// `SLOT_FUTURE_DAYS`, default 730); slots outside are answered 422.
    pub slot_window: domain::slot::SlotWindow,
}

/// How hard guessing passwords is made (see [`crate::http::ratelimit`]).
#[derive(Debug, Clone)]
pub struct SignInLimits {
    /// Tries per account per window (`SIGNIN_LIMIT_PER_ACCOUNT`, default 20).
    pub per_account: u32,
    /// Tries per client address per window (`SIGNIN_LIMIT_PER_ADDRESS`, default 60).
    pub per_address: u32,
    /// The window the two limits refill over (`SIGNIN_LIMIT_WINDOW_SECS`, default 60).
    pub window: Duration,
    /// Failed sign-ins in a row that lock the account (`SIGNIN_LOCK_AFTER`, default 5).
    pub lock_after: u32,
    /// The first lock; each next one doubles (`SIGNIN_LOCK_SECS`, default 60).
    pub lock_for: Duration,
    /// The longest lock, and how long a quiet account takes to be forgotten
    /// (`SIGNIN_LOCK_MAX_SECS`, default 900).
    pub lock_max: Duration,
    /// Password hashes computed at once (`PASSWORD_HASH_CONCURRENCY`, default the number
    /// of CPUs).
    pub max_hashes: usize,
    /// How long a sign-in waits for a hashing slot before a 503 (`PASSWORD_HASH_WAIT_MS`,
    /// default 2000).
    pub hash_wait: Duration,
}

impl SignInLimits {
    fn from_env() -> Result<Self, ConfigError> {
        let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Ok(Self {
            per_account: parse("SIGNIN_LIMIT_PER_ACCOUNT", 20)?,
            per_address: parse("SIGNIN_LIMIT_PER_ADDRESS", 60)?,
            window: Duration::from_secs(parse::<u64>("SIGNIN_LIMIT_WINDOW_SECS", 60)?.max(1)),
            lock_after: parse("SIGNIN_LOCK_AFTER", 5)?,
            lock_for: Duration::from_secs(parse("SIGNIN_LOCK_SECS", 60)?),
            lock_max: Duration::from_secs(parse("SIGNIN_LOCK_MAX_SECS", 900)?),
            max_hashes: parse("PASSWORD_HASH_CONCURRENCY", cpus)?,
            hash_wait: Duration::from_millis(parse("PASSWORD_HASH_WAIT_MS", 2000)?),
        })
    }

    /// The defaults, for tests.
    pub fn defaults() -> Self {
        Self {
            per_account: 20,
            per_address: 60,
            window: Duration::from_secs(60),
            lock_after: 5,
            lock_for: Duration::from_secs(60),
            lock_max: Duration::from_secs(900),
            max_hashes: 2,
            hash_wait: Duration::from_millis(2000),
        }
    }
}

/// The sender of e-mails when `MAIL_FROM` is not set.
pub const DEFAULT_MAIL_FROM: &str = "Relay <no-reply@relay.example>";

/// A configuration value that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct ConfigError {
    name: &'static str,
    reason: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn flag(name: &str) -> bool {
    matches!(var(name).as_deref(), Some("1" | "true" | "yes" | "on"))
}

fn parse<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError {
            name,
            reason: format!("{raw:?}: {e}"),
        }),
    }
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let port: u16 = parse("PORT", 8080)?;
        let demo_mode = flag("DEMO_MODE");
        let marketplace_api_key = var("MARKETPLACE_API_KEY")
            .or_else(|| demo_mode.then(|| crate::seed::DEMO_MARKETPLACE_KEY.to_owned()));
        Ok(Self {
            addr: SocketAddr::from(([0, 0, 0, 0], port)),
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/dispatch.db".to_owned()),
            database_max_connections: parse(
                "DATABASE_MAX_CONNECTIONS",
                crate::db::default_postgres_connections(),
            )?,
            dist_dir: var("DIST_DIR").map_or_else(|| PathBuf::from("dist"), PathBuf::from),
            demo_mode,
            marketplace_api_key,
            session_ttl: Duration::from_secs(3600 * parse::<u64>("SESSION_TTL_HOURS", 12)?),
            cookie_secure: flag("COOKIE_SECURE"),
            public_url: var("PUBLIC_URL").unwrap_or_else(|| format!("http://localhost:{port}")),
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            outbox_poll: Duration::from_millis(parse::<u64>("OUTBOX_POLL_MS", 1000)?.max(10)),
            demo_traffic: match parse::<u64>("DEMO_TRAFFIC", 20)? {
                0 => None,
                secs => demo_mode.then(|| Duration::from_secs(secs)),
            },
            demo_calls: demo_mode,
            allowed_origins: var("ALLOWED_ORIGINS")
                .map(|list| {
                    list.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            dev_restart: demo_mode && flag("DEV_RESTART"),
            trust_proxy: flag("TRUST_PROXY"),
            sign_in: SignInLimits::from_env()?,
            slot_window: domain::slot::SlotWindow {
                past: chrono::Duration::days(parse::<u32>("SLOT_PAST_DAYS", 365)?.into()),
                future: chrono::Duration::days(parse::<u32>("SLOT_FUTURE_DAYS", 730)?.into()),
            },
        })
    }

    /// A configuration for tests: the given database, demo data, no static files.
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            database_max_connections: crate::db::default_postgres_connections(),
            dist_dir: PathBuf::from("dist"),
            demo_mode: true,
            marketplace_api_key: Some(crate::seed::DEMO_MARKETPLACE_KEY.to_owned()),
            session_ttl: Duration::from_secs(3600),
            cookie_secure: false,
            public_url: "http://localhost".to_owned(),
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.to_owned(),
            outbox_poll: Duration::from_millis(100),
            demo_traffic: None,
            demo_calls: false,
            allowed_origins: Vec::new(),
            dev_restart: false,
            trust_proxy: false,
            sign_in: SignInLimits::defaults(),
            slot_window: domain::slot::SlotWindow::default(),
        }
    }
}
