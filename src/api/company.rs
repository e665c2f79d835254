//! Company settings and the embed: the framed app's configuration, the exchange of the
//! partner's sign-in token for a session, and WebSocket tickets for bearer sessions.

use domain::api::company::{EmbedConfig, EmbedSession, EventsTicket, ExchangeEmbedToken};
use uuid::Uuid;

use super::{http, ApiError};

/// What the framed app needs before sign-in: brand and the origins it may talk to.
pub async fn embed_config(company: Uuid) -> Result<EmbedConfig, ApiError> {
    http::get_json(&format!("/api/v1/embed/config/{company}")).await
}

/// Exchanges the single-use token the partner page passed (from `origin`).
pub async fn embed_session(token: String, origin: String) -> Result<EmbedSession, ApiError> {
    http::post_json("/api/v1/embed/session", &ExchangeEmbedToken { token, origin }).await
}

/// A single-use ticket for the live socket of a bearer session.
pub async fn events_ticket() -> Result<String, ApiError> {
    let ticket: EventsTicket = http::post_json("/api/v1/events/ticket", &()).await?;
    Ok(ticket.ticket)
}
