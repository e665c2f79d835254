//! Sign-in, sign-out and "who am I", plus the [`Session`] extractor every other
//! handler uses to learn the caller and scope its queries to the caller's company.

use axum::{
    extract::{FromRef, FromRequestParts, State},
    http::{header, request::Parts, StatusCode},
    response::{AppendHeaders, IntoResponse},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::{Error, Result},
    json::ApiJson,
    ratelimit::{account_key, ClientAddr, Endpoint},
};
use crate::{
    db::{accounts, sessions},
    AppState,
};
use domain::api::{LoginRequest, Me, Problem};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "dispatch_session";

/// The signed-in caller, resolved from the session cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub me: Me,
    token: String,
}

impl<S> FromRequestParts<S> for Session
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = session_token(&parts.headers).ok_or(Error::Unauthorized)?;
        let me = sessions::lookup(&state.db, &token)
            .await?
            .ok_or(Error::Unauthorized)?;
        Ok(Self { me, token })
    }
}

/// The session token a request carries: the session cookie, else (an embedded board
/// whose browser kept no cookie in the partner's frame) `Authorization: Bearer`.
pub fn session_token(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie_token(headers).or_else(|| bearer(headers).map(str::to_owned))
}

/// The session cookie's value, if the request carries a non-empty one.
pub fn cookie_token(headers: &axum::http::HeaderMap) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| !t.is_empty())
}

/// The token of an `Authorization: Bearer …` header, if non-empty (an embedded board's
/// session, a partner key).
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl Session {
    /// The session's token (the cookie's value).
    pub fn token(&self) -> &str {
        &self.token
    }
}

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

/// The session cookie set by sign-in and by activation: HttpOnly, SameSite=Lax, `Secure`
/// behind HTTPS, living as long as the session.
pub(crate) fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.cookie_secure)
        .path("/")
        .max_age(time_from(state.config.session_ttl))
        .build()
}

fn time_from(d: std::time::Duration) -> cookie::time::Duration {
    cookie::time::Duration::seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A hash of a password nobody has, checked when the e-mail is unknown so that both
/// failures take the same time.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$J6Pq0bIDQkDpkkXBkJGA1sbo7bhI8I7Td1hLdxe8Ws8";

/// Signs in with e-mail and password; sets the HttpOnly session cookie.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; session cookie set", body = Me),
        (status = 401, description = "E-mail or password wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries for this account or from this address, or the account is locked for a while; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many sign-ins at once; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse> {
    // The limits hold for unknown e-mails alike, so they reveal no account.
    let account = account_key(&body.email);
    state.limits.admit(Endpoint::Login, &account, addr)?;
    let user = accounts::find_user_by_email(&state.db, &body.email).await?;
    let hash = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_owned());
    let permit = state.limits.hash_permit().await?;
    let ok = crate::password::verify(body.password, hash).await? && user.is_some();
    drop(permit);
    let Some(user) = user.filter(|_| ok) else {
        state.limits.failed(&account);
        return Err(Error::InvalidCredentials);
    };
    state.limits.succeeded(&account);
    let token = sessions::new_token();
    let ttl = i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX);
    sessions::create(&state.db, &token, user.id, ttl).await?;
    let me = sessions::lookup(&state.db, &token)
        .await?
        .ok_or_else(|| Error::Internal("session vanished right after sign-in".into()))?;
    tracing::info!(user = %user.id, company = %user.company_id, "signed in");
    Ok((jar.add(session_cookie(&state, token)), ApiJson(me)))
}

/// Signs out: revokes the session server-side and clears the cookie.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"))
)]
async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse> {
    // The cookie's session, and an embedded board's bearer session too: the frame holds
    // both, and a bearer left alive would keep its socket streaming after sign-out.
    let cookie = cookie_token(&headers);
    let bearer = bearer(&headers).map(str::to_owned);
    for token in cookie.iter().chain(bearer.iter()) {
        if let Some((user, company)) = sessions::revoke(&state.db, token).await? {
            // The session's open sockets close too, on every instance.
            let hash = sessions::token_hash(token);
            super::events::end_sessions(
                &state,
                company,
                user,
                crate::live::WhichSessions::One(hash),
            )
            .await;
        }
    }
    let removal = Cookie::build((SESSION_COOKIE, "")).path("/").build();
    // A partitioned cookie (the embed's) is removed only by a removal that is
    // partitioned too; in a first-party page it removes nothing.
    let partitioned = super::embed::embed_cookie_removal();
    Ok((
        jar.remove(removal),
        AppendHeaders([(header::SET_COOKIE, partitioned)]),
        StatusCode::NO_CONTENT,
    ))
}

/// The signed-in person and their company.
#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "auth",
    responses(
        (status = 200, body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn me(session: Session) -> ApiJson<Me> {
    ApiJson(session.me)
}
