//! The only module that talks to the server. Components call these functions and get
//! domain types back; transport details stay in [`http`].

mod http;
pub mod live;
pub mod orders;
pub mod team;

pub use http::ApiError;

use chrono::{DateTime, Utc};
use domain::{
    api::{
        calls::{Board, PatchCall, UndoMoveRequest},
        team::TechnicianSummary,
        LoginRequest, Me,
    },
    view::CallView,
};
use uuid::Uuid;

/// Signs in; on success the server has set the session cookie.
pub async fn login(email: String, password: String) -> Result<Me, ApiError> {
    http::post_json("/api/v1/auth/login", &LoginRequest { email, password }).await
}

/// The signed-in person, or `None` when there is no valid session.
pub async fn me() -> Result<Option<Me>, ApiError> {
    match http::get_json("/api/v1/auth/me").await {
        Ok(me) => Ok(Some(me)),
        Err(err) if err.status() == Some(401) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Signs out (the server revokes the session).
pub async fn logout() -> Result<(), ApiError> {
    http::post_empty("/api/v1/auth/logout").await
}

/// The board: this company's offers and calls between `from` and `to`, plus undated ones.
pub async fn board(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Board, ApiError> {
    let query = format!(
        "/api/v1/calls?from={}&to={}",
        js_sys::encode_uri_component(&from.to_rfc3339()),
        js_sys::encode_uri_component(&to.to_rfc3339())
    );
    http::get_json(&query).await
}

/// One call as this company sees it.
pub async fn call(id: Uuid) -> Result<CallView, ApiError> {
    http::get_json(&format!("/api/v1/calls/{id}")).await
}

/// Accepts an offered request (first accept wins; others get `already-accepted`).
pub async fn accept(id: Uuid) -> Result<CallView, ApiError> {
    http::post_json(
        &format!("/api/v1/calls/{id}/accept"),
        &serde_json::json!({}),
    )
    .await
}

/// Declines an offered request; it leaves this company's board.
pub async fn decline(id: Uuid) -> Result<CallView, ApiError> {
    http::post_json(
        &format!("/api/v1/calls/{id}/decline"),
        &serde_json::json!({}),
    )
    .await
}

/// Changes date/time, technician, "client called" or the agreed price, based on
/// `change.version` (a stale version is answered 409 with the current call).
pub async fn patch_call(id: Uuid, change: &PatchCall) -> Result<CallView, ApiError> {
    http::patch_json(&format!("/api/v1/calls/{id}"), change).await
}

/// Takes back the dispatcher's own last move of the call within
/// [`domain::flow::UNDO_WINDOW`]; `version` is the one the move produced. The answer is
/// the call with its date/time (or none) and technician (or none) from before the move.
pub async fn undo_move(id: Uuid, version: i64) -> Result<CallView, ApiError> {
    http::post_json(
        &format!("/api/v1/calls/{id}/undo"),
        &UndoMoveRequest { version },
    )
    .await
}

/// This company's technicians (the calendar's rows and the assignment picker).
pub async fn technicians() -> Result<Vec<TechnicianSummary>, ApiError> {
    http::get_json("/api/v1/technicians").await
}
