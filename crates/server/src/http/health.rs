//! Liveness/readiness (`/healthz`) and the Prometheus scrape endpoint (`/metrics`).

use axum::{extract::State, http::header, response::IntoResponse, routing::get, Router};

use super::error::Result;
use crate::AppState;

/// The routes of this module (outside `/api/v1`, where operators expect them).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

/// 200 `ok` when the database answers.
async fn healthz(State(state): State<AppState>) -> Result<&'static str> {
    state.db.ping().await?;
    Ok("ok")
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
