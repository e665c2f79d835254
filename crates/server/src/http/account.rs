//! The signed-in person's own settings that follow them to every device: their locale.

use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{auth::Session, error::Result, json::ApiJson};
use crate::{
    db::{accounts, sessions},
    AppState,
};
use domain::api::{Me, Problem, SetLocale};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(set_my_locale))
}

/// Chooses the locale of the app and of one's e-mails (dispatchers and technicians
/// alike); answers the identity with it, as `GET /api/v1/auth/me` will on every device.
#[utoipa::path(
    put, path = "/api/v1/me/locale", tag = "auth",
    request_body = SetLocale,
    responses(
        (status = 200, body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not one of the supported locales", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn set_my_locale(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<SetLocale>,
) -> Result<ApiJson<Me>> {
    accounts::set_locale(&state.db, session.me.user_id, body.locale).await?;
    let me = sessions::lookup(&state.db, session.token())
        .await?
        .unwrap_or(Me {
            locale: Some(body.locale),
            ..session.me
        });
    Ok(ApiJson(me))
}
