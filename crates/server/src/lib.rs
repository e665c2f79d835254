//! The dispatch board server: configuration, storage, HTTP API and the demo seed.
//! `main.rs` only reads the configuration and calls [`run`].

pub mod board_cache;
pub mod config;
pub mod db;
pub mod demo_traffic;
pub mod http;
pub mod images;
pub mod live;
pub mod metrics;
pub mod notify;
pub mod password;
pub mod seed;
pub mod telemetry;

use std::sync::Arc;

use tokio::net::TcpListener;

use config::Config;
use db::Db;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub metrics: metrics::Metrics,
    /// E-mail (SMTP or log), push and callback delivery for the outbox worker.
    pub transports: notify::transport::Transports,
    /// Live board events: this instance's WebSocket subscribers and their feed.
    pub live: live::Hub,
    /// Sign-in rate limits, account locks and the cap on concurrent password hashes.
    pub limits: Arc<http::ratelimit::Limits>,
    /// The dispatcher board's views, encoded per call version.
    pub board_cache: Arc<board_cache::BoardCache>,
}

impl axum::extract::FromRef<AppState> for metrics::Metrics {
    fn from_ref(state: &AppState) -> Self {
        state.metrics.clone()
    }
}

/// Connects, migrates and (in demo mode) seeds the database.
pub async fn prepare(config: Config) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
    let db = Db::connect_with(&config.database_url, config.database_max_connections).await?;
    db.migrate().await?;
    if config.demo_mode {
        seed::seed_demo(&db).await?;
    }
    let transports =
        notify::transport::Transports::new(config.smtp_url.as_deref(), &config.mail_from)?;
    let live = live::Hub::connect(&db, &config.database_url).await?;
    let limits = Arc::new(http::ratelimit::Limits::new(&config.sign_in));
    let state = AppState {
        limits,
        db,
        config: Arc::new(config),
        metrics: metrics::Metrics::default(),
        transports,
        live,
        board_cache: Arc::default(),
    };
    if state.config.demo_calls {
        demo_traffic::seed_calls(&state).await?;
    }
    Ok(state)
}

/// Serves on an already bound listener until `shutdown` resolves, then drains in-flight
/// requests. The outbox worker (and, in demo mode, the demo traffic) run alongside and
/// stop with it.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut background = vec![notify::worker::spawn(
        state.db.clone(),
        state.transports.clone(),
        state.config.outbox_poll,
        stopped.clone(),
    )];
    background.extend(state.live.spawn(state.db.clone(), stopped.clone()));
    if let Some(every) = state.config.demo_traffic {
        background.push(demo_traffic::spawn(state.clone(), every, stopped));
    }
    let live = state.live.clone();
    let app = http::app(state);
    // The peer address feeds the per-address sign-in limits.
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    let _ = stop.send(true);
    // Upgraded connections outlive the HTTP drain: close the WebSockets, so their
    // clients reconnect (to this instance once restarted, or to another).
    live.close_all();
    for task in background {
        let _ = task.await;
    }
    served
}

/// Prepares the state, binds `config.addr` and serves until Ctrl-C / SIGTERM.
pub async fn run(config: Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let addr = config.addr;
    let state = prepare(config).await?;
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(
        "listening on http://{} ({:?} database)",
        listener.local_addr()?,
        state.db.engine
    );
    if state.config.demo_mode {
        print_demo_banner(&state.config);
    }
    serve(state, listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The console greeting of `cargo xtask run`: where to go and how to sign in.
fn print_demo_banner(config: &Config) {
    println!("\n  Relay is running: {}\n", config.public_url);
    println!("  Demo sign-ins (password {}):", seed::DEMO_PASSWORD);
    for (company, email) in seed::demo_logins() {
        println!("    {email:<28} {company}");
    }
    if let Some(key) = &config.marketplace_api_key {
        println!("\n  Marketplace API key: {key}");
    }
    println!("\n  Ctrl-C stops the server.\n");
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
