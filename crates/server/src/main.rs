//! `dispatch-server`: reads the configuration from the environment and serves until
//! Ctrl-C or SIGTERM.

use server::{config::Config, run};

#[tokio::main]
async fn main() {
    server::telemetry::init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            std::process::exit(2);
        }
    };
    if let Err(err) = run(config).await {
        tracing::error!(error = %err, "server stopped with an error");
        std::process::exit(1);
    }
}
