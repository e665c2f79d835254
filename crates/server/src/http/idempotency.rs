//! `Idempotency-Key` on the call writes (the IETF httpapi draft's semantics, as Stripe
//! has them), so a client that lost an answer can send the same change again without
//! making it twice.
//!
//! [`honour`] is a route layer over the API. For a state change under `/api/v1/calls/`
//! that carries the header, it claims the key for the caller's company
//! ([`db::idempotency::claim`]) with the SHA-256 of the request's method, path and body:
//! - the key is new: the request runs; when it changes the call, the change's own
//!   transaction stores the answer with the key ([`record_answer`], called from
//!   `http::calls::write_change`), so the stored answer exists exactly when the change
//!   does — a crash between the two is impossible;
//! - the key has a stored answer for the same request: that answer comes back
//!   (`Idempotent-Replayed: true`) and nothing runs;
//! - the key was used for another request: 422 `idempotency-key-reused`;
//! - a request with the key is running right now: 409 `idempotency-key-in-use`.
//!
//! A request that changed nothing (refused, or a no-op) stores no answer and gives the
//! key back, so its repeat runs afresh — harmless, since nothing happened the first time.
//! Keys are kept 24 hours. Without the header nothing of this happens.
//!
//! The claim reaches the change's transaction as a task-local value of the request,
//! which keeps the handlers unaware of keys: every call write goes through
//! `write_change`, and that one function records the answer.

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{FromRequestParts, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use uuid::Uuid;

use super::{auth::Session, calls::rule_problem, error::Error};
use crate::{
    db::idempotency::{self as store, Claim},
    AppState,
};
use domain::{call::ServiceCall, view::CallView};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The answer header that marks a stored answer sent again.
pub const REPLAYED: &str = "idempotent-replayed";
/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// The largest body read for hashing (the API's own body limit).
const BODY_LIMIT: usize = 1024 * 1024;

/// The key a running request holds, for the change's transaction.
#[derive(Debug)]
struct Held {
    company: Uuid,
    key: String,
    token: String,
}

tokio::task_local! {
    static HELD: Arc<Held>;
}

/// `change` with the key the current request holds (if any) in scope, for running it as
/// another task (`Db::write`): the key is task-local.
pub fn carried<F: std::future::Future>(change: F) -> impl std::future::Future<Output = F::Output> {
    let held = HELD.try_with(Arc::clone).ok();
    async move {
        match held {
            Some(held) => HELD.scope(held, change).await,
            None => change.await,
        }
    }
}

/// Whether `request` is a call write the header applies to.
fn applies(method: &Method, path: &str) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        && path.starts_with("/api/v1/calls/")
}

/// A key is 1 to 255 visible ASCII characters (a UUID, typically).
fn valid_key(raw: &HeaderValue) -> Option<String> {
    let key = raw.to_str().ok()?;
    (!key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| key.to_owned())
}

/// What identifies "the same request": method, path with query, and body.
fn request_hash(method: &Method, path_and_query: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_str().as_bytes());
    hash.update(b"\n");
    hash.update(path_and_query.as_bytes());
    hash.update(b"\n");
    hash.update(body);
    hex::encode(hash.finalize())
}

/// The route layer: see the module documentation.
pub async fn honour(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !applies(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let Some(raw) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let Some(key) = valid_key(raw) else {
        return Error::BadRequest {
            code: "invalid-idempotency-key",
            detail: format!(
                "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters, e.g. a UUID"
            ),
        }
        .into_response();
    };
    let (mut parts, body) = request.into_parts();
    // Without a session the handler answers 401 as usual; keys belong to companies.
    let Ok(session) = Session::from_request_parts(&mut parts, &state).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return Error::PayloadTooLarge.into_response();
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |p| p.as_str());
    let hash = request_hash(&parts.method, path, &bytes);
    let company = session.me.company.id;
    let token = match store::claim(&state.db, company, &key, &hash).await {
        Err(e) => return Error::Database(e).into_response(),
        Ok(Claim::Claimed { token }) => token,
        Ok(Claim::Replay { status, body }) => return replayed(status, body),
        Ok(Claim::Mismatch) => return rule_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "this Idempotency-Key was used for another request; make a new key for a new change",
            Vec::new(),
        )
        .into_response(),
        Ok(Claim::InUse) => {
            let mut response = Error::Conflict {
                code: "idempotency-key-in-use",
                detail: "a request with this Idempotency-Key is still running; repeat it shortly"
                    .to_owned(),
                current: None,
            }
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        }
    };
    let held = Arc::new(Held {
        company,
        key: key.clone(),
        token: token.clone(),
    });
    let response = HELD
        .scope(
            held,
            next.run(Request::from_parts(parts, Body::from(bytes))),
        )
        .await;
    // A request that stored its answer keeps the key (the release matches only a claim
    // without one); any other gives it back.
    if let Err(e) = store::release(&state.db, company, &key, &token).await {
        tracing::warn!(error = %e, "idempotency key not released; it frees itself after its lease");
    }
    response
}

/// A stored answer, sent again.
fn replayed(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// Stores, in the change's transaction `conn`, the answer the request holding a key
/// will give: the caller's company's view of `after` (the call after the change), as
/// every call write answers. Does nothing outside a keyed request. `false` means the
/// key is no longer this request's (another took it over after the lease): the caller
/// must roll the change back, as it would for a concurrent change.
pub async fn record_answer(
    conn: &mut AnyConnection,
    after: &ServiceCall,
) -> Result<bool, sqlx::Error> {
    let Ok(held) = HELD.try_with(Arc::clone) else {
        return Ok(true);
    };
    let view = CallView::for_company(after, held.company)
        .or_else(|| CallView::after_giving_up(after, held.company));
    // The caller sees nothing of the call any more (404): nothing to send again.
    let Some(view) = view else {
        return Ok(true);
    };
    let body = serde_json::to_string(&view).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    store::record(conn, held.company, &held.key, &held.token, 200, &body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_call_writes_take_a_key() {
        assert!(applies(&Method::PATCH, "/api/v1/calls/x"));
        assert!(applies(&Method::DELETE, "/api/v1/calls/x/order/lines/y"));
        assert!(!applies(&Method::GET, "/api/v1/calls/x"));
        assert!(!applies(&Method::POST, "/api/v1/team/technicians"));
    }

    #[test]
    fn a_key_is_visible_ascii_of_bounded_length() {
        let ok = HeaderValue::from_static("0b6c5d2e-8a7f-4c1e-9d3b-2f1a0e9c8b7a");
        assert!(valid_key(&ok).is_some());
        assert!(valid_key(&HeaderValue::from_static("")).is_none());
        assert!(valid_key(&HeaderValue::from_static("a b")).is_none());
        let long = HeaderValue::from_str(&"k".repeat(MAX_KEY_LEN + 1)).unwrap();
        assert!(valid_key(&long).is_none());
    }

    #[test]
    fn the_hash_tells_requests_apart_by_method_path_and_body() {
        let a = request_hash(&Method::POST, "/api/v1/calls/1/report", b"{\"text\":\"a\"}");
        assert_eq!(
            a,
            request_hash(&Method::POST, "/api/v1/calls/1/report", b"{\"text\":\"a\"}")
        );
        assert_ne!(
            a,
            request_hash(&Method::POST, "/api/v1/calls/1/report", b"{\"text\":\"b\"}")
        );
        assert_ne!(
            a,
            request_hash(&Method::POST, "/api/v1/calls/2/report", b"{\"text\":\"a\"}")
        );
        assert_ne!(
            a,
            request_hash(
                &Method::PATCH,
                "/api/v1/calls/1/report",
                b"{\"text\":\"a\"}"
            )
        );
    }
}
