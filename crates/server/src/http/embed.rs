//! The board embedded in a partner's own website.
//!
//! - `GET /embed.js`: the loader a partner pastes into a page (plain JS, no framework):
//!   it mounts an iframe on `/embed/{company}`, hands it the sign-in token by
//!   `postMessage`, and keeps the frame's height in step with the board.
//! - `GET /embed/{company}`: the app itself, answered with `frame-ancestors` of that
//!   company's allowed origins only ([`EmbedPolicy`], read by the security headers, which
//!   also lets it show the company's logo);
//!   an unknown company or one without origins keeps `'none'`.
//! - `POST /api/v1/embed/tokens`: the partner's server, with its partner API key and a
//!   dispatcher's e-mail, mints a single-use token valid [`EMBED_TOKEN_TTL_SECS`], bound
//!   to the company, the dispatcher and the embedding origin. Rate-limited like sign-in.
//! - `GET /embed-signin/{company}?origin=…` and `POST /api/v1/embed/popup-tokens`: a
//!   frame the partner gave no token offers a sign-in popup — this first-party page of
//!   ours (the app's sign-in form, answered with `Cross-Origin-Opener-Policy:
//!   unsafe-none` so that it keeps its opener), which mints a token for the signed-in
//!   dispatcher bound to the framing origin and posts it to its opener, the frame, with
//!   our own origin as the exact target; the frame exchanges it like a partner's.
//! - `POST /api/v1/embed/session`: the framed app exchanges the token (with the origin
//!   the browser reported for the message that carried it) for a session: a cookie
//!   `SameSite=None; Secure; HttpOnly; Partitioned` (CHIPS: kept per top-level site) and
//!   a short-lived bearer token for browsers that keep no cookie in a third-party frame.
//! - `GET /api/v1/embed/config/{company}`: brand and allowed origins for the framed app
//!   (public: the origins are in the page's CSP anyway).
//! - `POST /api/v1/events/ticket`: a single-use ticket for the WebSocket of a session
//!   that only has the bearer token (a browser cannot put headers on a WebSocket).

use axum::{
    extract::{FromRef, FromRequestParts, Path, Query, State},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::{Session, SESSION_COOKIE},
    error::{problem_response, Error},
    json::ApiJson,
    ratelimit::{account_key, ClientAddr, Endpoint},
    security::EmbedPolicy,
};
use crate::{
    db::{
        company::{self as store, NewToken, TokenKind},
        sessions,
    },
    AppState,
};
use domain::api::{
    company::{
        normalise_origin, EmbedConfig, EmbedSession, EmbedToken, EventsTicket, ExchangeEmbedToken,
        MintEmbedToken, MintPopupToken, Theme, EMBED_TOKEN_TTL_SECS,
    },
    Problem, Role,
};

/// How long the bearer token of an embedded session lives (the cookie lives as long as
/// any session).
pub const EMBED_BEARER_TTL_SECS: i64 = 3600;

/// How long a WebSocket ticket works.
const TICKET_TTL_SECS: i64 = 60;

/// The loader, served as it is (a few KB).
const EMBED_JS: &str = include_str!("embed/embed.js");

/// The API routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(mint_embed_token))
        .routes(routes!(mint_popup_token))
        .routes(routes!(exchange_embed_token))
        .routes(routes!(embed_config))
        .routes(routes!(events_ticket))
}

/// The page routes: the loader and the framed app.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/embed.js", get(embed_js))
        .route("/embed/{company}", get(embed_page))
        .route("/embed/{company}/{*rest}", get(embed_page))
}

/// Proof that the caller holds a company's partner API key.
#[derive(Debug, Clone, Copy)]
pub struct Partner {
    pub company_id: Uuid,
}

impl<S> FromRequestParts<S> for Partner
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let given = super::auth::bearer(&parts.headers).ok_or(Error::Unauthorized)?;
        // Only the key's hash is stored, so the look-up compares hashes, not the key.
        let company_id = store::company_of_partner_key(&state.db, given)
            .await?
            .ok_or(Error::Unauthorized)?;
        Ok(Self { company_id })
    }
}

fn forbidden(code: &str, detail: &str) -> Response {
    problem_response(Problem {
        kind: format!("/problems/{code}"),
        title: "Forbidden".to_owned(),
        status: StatusCode::FORBIDDEN.as_u16(),
        detail: Some(detail.to_owned()),
        errors: Vec::new(),
        current: None,
    })
}

fn token_invalid() -> Response {
    problem_response(Problem {
        kind: "/problems/embed-token-invalid".to_owned(),
        title: "Unauthorized".to_owned(),
        status: StatusCode::UNAUTHORIZED.as_u16(),
        detail: Some("this sign-in token is unknown, used or expired".to_owned()),
        errors: Vec::new(),
        current: None,
    })
}

/// Mints a single-use sign-in token for one of the company's dispatchers, to be used by
/// a page of `origin` within a minute.
#[utoipa::path(
    post, path = "/api/v1/embed/tokens", tag = "embed",
    request_body = MintEmbedToken,
    responses(
        (status = 201, body = EmbedToken),
        (status = 401, description = "Missing or wrong partner key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No active dispatcher of this company has that e-mail", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The origin is malformed or not one the company allows", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tokens for this account or from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn mint_embed_token(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    partner: Partner,
    ApiJson(body): ApiJson<MintEmbedToken>,
) -> Result<impl IntoResponse, Error> {
    state
        .limits
        .admit(Endpoint::EmbedToken, &account_key(&body.email), addr)?;
    let origin = allowed_origin(&state, partner.company_id, &body.origin).await?;
    let user_id = store::dispatcher_by_email(&state.db, partner.company_id, &body.email)
        .await?
        .ok_or(Error::NotFound)?;
    let token = mint_sign_in(&state, partner.company_id, user_id, &origin).await?;
    tracing::info!(company = %partner.company_id, user = %user_id, %origin, "embed token minted");
    Ok((StatusCode::CREATED, ApiJson(token)))
}

/// Mints a single-use sign-in token for the signed-in dispatcher's own board framed by
/// `origin`: the sign-in popup of a frame the partner gave no token (a first-party page
/// of ours, which passes the token to its opener — the frame — by `postMessage`).
#[utoipa::path(
    post, path = "/api/v1/embed/popup-tokens", tag = "embed",
    request_body = MintPopupToken,
    responses(
        (status = 201, body = EmbedToken),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Technicians have no embedded board", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The origin is malformed or not one the company allows", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tokens for this account or from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn mint_popup_token(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ApiJson(body): ApiJson<MintPopupToken>,
) -> Result<Response, Error> {
    let me = &session.me;
    state
        .limits
        .admit(Endpoint::EmbedToken, &account_key(&me.email), addr)?;
    if body.company_id != me.company.id {
        return Err(Error::NotFound);
    }
    if me.role != Role::Dispatcher {
        return Ok(forbidden(
            "embed-dispatchers-only",
            "the embedded board is for the company's dispatchers",
        ));
    }
    let origin = allowed_origin(&state, me.company.id, &body.origin).await?;
    let token = mint_sign_in(&state, me.company.id, me.user_id, &origin).await?;
    tracing::info!(company = %me.company.id, user = %me.user_id, %origin, "embed token minted by the sign-in popup");
    Ok((StatusCode::CREATED, ApiJson(token)).into_response())
}

/// `raw`, normalised, if it is one of the company's allowed embed origins.
async fn allowed_origin(state: &AppState, company_id: Uuid, raw: &str) -> Result<String, Error> {
    let origin = normalise_origin(raw).map_err(|e| Error::Validation(vec![e.field_error()]))?;
    if store::origin_list(&state.db, company_id)
        .await?
        .contains(&origin)
    {
        Ok(origin)
    } else {
        Err(super::error::invalid(
            "origin",
            "origin_not_allowed",
            "not one of the company's allowed embed origins",
        ))
    }
}

/// A single-use sign-in token for `user_id`, bound to the company and `origin`.
async fn mint_sign_in(
    state: &AppState,
    company_id: Uuid,
    user_id: Uuid,
    origin: &str,
) -> Result<EmbedToken, Error> {
    let token = sessions::new_token();
    store::create_token(
        &state.db,
        &token,
        &NewToken {
            kind: TokenKind::SignIn,
            company_id,
            user_id,
            origin,
            session_hash: None,
            ttl_secs: EMBED_TOKEN_TTL_SECS,
        },
    )
    .await?;
    if let Err(e) = store::sweep_tokens(&state.db).await {
        tracing::warn!(error = %e, "sweeping old embed tokens failed");
    }
    Ok(EmbedToken {
        token,
        company_id,
        expires_in: EMBED_TOKEN_TTL_SECS,
    })
}

/// The embedded session's cookie: sent in the partner's frame (`SameSite=None`, which
/// needs `Secure` — browsers accept that on `http://localhost` too), and partitioned by
/// the top-level site (CHIPS), so it is no tracking cookie and browsers that block
/// third-party cookies still keep it.
pub(crate) fn embed_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::None)
        .secure(true)
        .partitioned(true)
        .path("/")
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX),
        ))
        .build()
}

/// The `Set-Cookie` that removes the embedded session's cookie (a partitioned cookie is
/// only matched by a partitioned removal).
pub(crate) fn embed_cookie_removal() -> HeaderValue {
    let removal = Cookie::build((SESSION_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::None)
        .secure(true)
        .partitioned(true)
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .build();
    HeaderValue::from_str(&removal.to_string()).expect("a cookie is a valid header value")
}

/// Exchanges a sign-in token for an embedded session.
#[utoipa::path(
    post, path = "/api/v1/embed/session", tag = "embed",
    request_body = ExchangeEmbedToken,
    responses(
        (status = 200, description = "Signed in; partitioned session cookie set", body = EmbedSession),
        (status = 401, description = "The token is unknown, used or expired", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token was minted for another origin, or the origin is no longer allowed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn exchange_embed_token(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    ApiJson(body): ApiJson<ExchangeEmbedToken>,
) -> Result<Response, Error> {
    let hash = sessions::token_hash(&body.token);
    state.limits.admit(Endpoint::EmbedToken, &hash, addr)?;
    // Used up whatever follows: a token shown to the wrong page is spent.
    let Some(used) = store::consume_token(&state.db, &body.token, TokenKind::SignIn).await? else {
        return Ok(token_invalid());
    };
    let origin = normalise_origin(&body.origin).ok();
    if origin.as_deref() != Some(used.origin.as_str()) {
        tracing::info!(minted_for = %used.origin, given = %body.origin, "embed token used from another origin");
        return Ok(forbidden(
            "embed-origin-mismatch",
            "this token was minted for another partner origin",
        ));
    }
    if !store::origin_list(&state.db, used.company_id)
        .await?
        .contains(&used.origin)
    {
        return Ok(forbidden(
            "embed-origin-mismatch",
            "this origin may no longer embed the board",
        ));
    }
    let ttl = i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX);
    let cookie_token = sessions::new_token();
    sessions::create(&state.db, &cookie_token, used.user_id, ttl).await?;
    let bearer = sessions::new_token();
    sessions::create(
        &state.db,
        &bearer,
        used.user_id,
        EMBED_BEARER_TTL_SECS.min(ttl),
    )
    .await?;
    let me = sessions::lookup(&state.db, &bearer)
        .await?
        .ok_or(Error::Unauthorized)?;
    tracing::info!(user = %used.user_id, company = %used.company_id, origin = %used.origin, "embedded sign-in");
    Ok((
        jar.add(embed_cookie(&state, cookie_token)),
        ApiJson(EmbedSession {
            me,
            bearer,
            bearer_expires_in: EMBED_BEARER_TTL_SECS.min(ttl),
        }),
    )
        .into_response())
}

/// The framed app's brand and the origins it may talk to.
#[utoipa::path(
    get, path = "/api/v1/embed/config/{company}", tag = "embed",
    params(("company" = Uuid, Path)),
    responses(
        (status = 200, body = EmbedConfig),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn embed_config(
    State(state): State<AppState>,
    Path(company): Path<String>,
) -> Result<ApiJson<EmbedConfig>, Error> {
    let company = Uuid::parse_str(&company).map_err(|_| Error::NotFound)?;
    store::embed_config(&state.db, company)
        .await?
        .map(ApiJson)
        .ok_or(Error::NotFound)
}

/// A single-use ticket for opening the live socket as the caller's session.
#[utoipa::path(
    post, path = "/api/v1/events/ticket", tag = "embed",
    responses(
        (status = 201, body = EventsTicket),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn events_ticket(
    State(state): State<AppState>,
    session: Session,
) -> Result<impl IntoResponse, Error> {
    let ticket = sessions::new_token();
    let session_hash = sessions::token_hash(session.token());
    store::create_token(
        &state.db,
        &ticket,
        &NewToken {
            kind: TokenKind::Ticket,
            company_id: session.me.company.id,
            user_id: session.me.user_id,
            origin: "",
            session_hash: Some(&session_hash),
            ttl_secs: TICKET_TTL_SECS,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, ApiJson(EventsTicket { ticket })))
}

/// `GET /embed.js`.
async fn embed_js() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            // Partners load it from their own pages.
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            ),
        ],
        EMBED_JS,
    )
        .into_response()
}

/// The page with `data-theme` on its `<html>` start tag, so that the loading screen
/// already paints in the partner's theme before the app starts (which applies the
/// same `?theme=` itself, so a page without the tag still gets it). The value is one
/// of [`Theme`]'s three words, never the raw query.
fn with_theme(html: &str, theme: Theme) -> String {
    html.replacen(
        "<html>",
        &format!("<html data-theme=\"{}\">", theme.as_str()),
        1,
    )
}

/// `GET /embed/{company}`: the app, frameable by the company's allowed origins only,
/// in the theme the partner page asked for (`?theme=`, see [`with_theme`]).
async fn embed_page(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let company = params
        .first()
        .and_then(|(_, c)| Uuid::parse_str(c).ok())
        .ok_or(Error::NotFound)?;
    let Some(config) = store::embed_config(&state.db, company).await? else {
        return Err(Error::NotFound);
    };
    let index = state.config.dist_dir.join("index.html");
    let html = tokio::fs::read_to_string(&index)
        .await
        .map_err(|e| Error::Internal(format!("cannot read {}: {e}", index.display())))?;
    let theme = query
        .iter()
        .find(|(key, _)| key == "theme")
        .and_then(|(_, value)| Theme::parse(value));
    let html = match theme {
        Some(theme) => with_theme(&html, theme),
        None => html,
    };
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        html,
    )
        .into_response();
    response
        .extensions_mut()
        .insert(EmbedPolicy::of(&config.origins, &config.logo_url));
    Ok(response)
}
