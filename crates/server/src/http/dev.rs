//! `POST /api/v1/dev/restart`: ends the server process with [`RESTART_EXIT_CODE`] so a
//! supervisor (the end-to-end harness, `cargo xtask test`) starts it again on the same
//! database and port. It exists only when both `DEMO_MODE` and `DEV_RESTART` are set
//! (everywhere else it is a 404), needs a signed-in dispatcher, and is how the browser
//! tests show a board reconnecting and catching up after a server restart. Not part of
//! the OpenAPI document.

use std::time::Duration;

use axum::{extract::State, http::StatusCode, routing::post, Router};

use super::{auth::Session, error::Error};
use crate::AppState;
use domain::api::Role;

/// The exit code that asks the supervisor for a restart (`EX_TEMPFAIL`).
pub const RESTART_EXIT_CODE: i32 = 75;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/dev/restart", post(restart_server))
}

/// Answers 202, then exits at once, as a crash would: open WebSockets drop without a
/// close frame and their boards have to find their own way back.
async fn restart_server(
    State(state): State<AppState>,
    session: Result<Session, Error>,
) -> Result<StatusCode, Error> {
    if !(state.config.demo_mode && state.config.dev_restart) {
        return Err(Error::NotFound);
    }
    if session?.me.role != Role::Dispatcher {
        return Err(Error::NotFound);
    }
    tracing::warn!("restart requested through /api/v1/dev/restart; exiting");
    tokio::spawn(async {
        // Long enough for the 202 to leave.
        tokio::time::sleep(Duration::from_millis(100)).await;
        std::process::exit(RESTART_EXIT_CODE);
    });
    Ok(StatusCode::ACCEPTED)
}
