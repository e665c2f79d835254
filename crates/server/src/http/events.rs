//! (Being written.)

use axum::Router;

use crate::AppState;

/// The routes of this module (the WebSocket is not part of the OpenAPI document).
pub fn router() -> Router<AppState> {
    Router::new()
}
