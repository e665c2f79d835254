//! Logging set-up: `RUST_LOG` filters, default `info` for our crates.

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global tracing subscriber. Safe to call more than once (tests).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}
