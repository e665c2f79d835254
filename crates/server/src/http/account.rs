//! The signed-in person's own settings that follow them to every device: their name,
//! personal e-mail (where request e-mails go, and the sign-in), locale and password.

use axum::{extract::State, http::StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth::Session,
    error::{invalid, Error, Result},
    json::ApiJson,
    ratelimit::{account_key, ClientAddr, Endpoint},
};
use crate::{
    db::{accounts, sessions, team},
    live::WhichSessions,
    AppState,
};
use domain::api::{
    team::{password_field_errors, ChangePassword, UpdateMe},
    Me, Problem, SetLocale,
};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_my_locale))
        .routes(routes!(update_me))
        .routes(routes!(change_my_password))
}

/// The identity as `GET /api/v1/auth/me` now answers it.
async fn me_now(state: &AppState, session: &Session) -> Result<Me> {
    sessions::lookup(&state.db, session.token())
        .await?
        .ok_or(Error::Unauthorized)
}

/// Changes one's own name and personal e-mail (dispatchers and technicians alike).
#[utoipa::path(
    patch, path = "/api/v1/me", tag = "auth",
    request_body = UpdateMe,
    responses(
        (status = 200, body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the e-mail already has an account", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_me(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<UpdateMe>,
) -> Result<ApiJson<Me>> {
    let errors = body.validate();
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let taken = || {
        invalid(
            "email",
            "taken",
            "this e-mail address already has an account",
        )
    };
    if let Some(email) = &body.email {
        if team::email_taken(&state.db, email, Some(session.me.user_id)).await? {
            return Err(taken());
        }
    }
    accounts::update_own(
        &state.db,
        session.me.user_id,
        body.name.as_deref(),
        body.email.as_deref(),
    )
    .await
    .map_err(super::team::unique_email)?;
    tracing::info!(user = %session.me.user_id, "own profile changed");
    me_now(&state, &session).await.map(ApiJson)
}

/// Changes one's own password, proven by the current one. Every other session of the
/// person ends at once, on every instance (their sockets close); this one stays.
#[utoipa::path(
    put, path = "/api/v1/me/password", tag = "auth",
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed; the other sessions ended"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The current password is wrong (`current_password`), or the new one breaks a rule (`new_password`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries for this account or from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many password hashes at once; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn change_my_password(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ApiJson(body): ApiJson<ChangePassword>,
) -> Result<StatusCode> {
    // Guessing the current password through a stolen session is limited like sign-in.
    let account = account_key(&session.me.email);
    state.limits.admit(Endpoint::Login, &account, addr)?;
    let errors = password_field_errors("new_password", &body.new_password, &session.me.email);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let stored = accounts::password_hash(&state.db, session.me.user_id)
        .await?
        .ok_or(Error::Unauthorized)?;
    let permit = state.limits.hash_permit().await?;
    let ok = crate::password::verify(body.current_password, stored).await?;
    if !ok {
        drop(permit);
        state.limits.failed(&account);
        return Err(invalid(
            "current_password",
            "wrong_password",
            "this is not your current password",
        ));
    }
    let hash = crate::password::hash(body.new_password).await?;
    drop(permit);
    state.limits.succeeded(&account);
    let kept = sessions::token_hash(session.token());
    accounts::set_password_keeping(&state.db, session.me.user_id, &hash, &kept).await?;
    super::events::end_sessions(
        &state,
        session.me.company.id,
        session.me.user_id,
        WhichSessions::AllBut(kept),
    )
    .await;
    tracing::info!(user = %session.me.user_id, "password changed; other sessions ended");
    Ok(StatusCode::NO_CONTENT)
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
