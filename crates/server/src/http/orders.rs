//! (Being written.)

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
