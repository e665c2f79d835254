//! Company settings and the embed: the framed app's configuration, the exchange of the
//! partner's (or the sign-in popup's) token for a session, and WebSocket tickets for bearer sessions.

use domain::api::company::{
    EmbedConfig, EmbedSession, EmbedToken, EventsTicket, ExchangeEmbedToken, MintPopupToken,
};
use uuid::Uuid;

use super::{http, ApiError};

/// What the framed app needs before sign-in: brand and the origins it may talk to.
pub async fn embed_config(company: Uuid) -> Result<EmbedConfig, ApiError> {
    http::get_json(&format!("/api/v1/embed/config/{company}")).await
}

/// Exchanges the single-use token the partner page passed (from `origin`).
pub async fn embed_session(token: String, origin: String) -> Result<EmbedSession, ApiError> {
    http::post_json(
        "/api/v1/embed/session",
        &ExchangeEmbedToken { token, origin },
    )
    .await
}

/// The sign-in popup's token for the signed-in dispatcher's board framed by `origin`.
pub async fn embed_popup_token(company_id: Uuid, origin: String) -> Result<EmbedToken, ApiError> {
    http::post_json(
        "/api/v1/embed/popup-tokens",
        &MintPopupToken { company_id, origin },
    )
    .await
}

/// A single-use ticket for the live socket of a bearer session.
pub async fn events_ticket() -> Result<String, ApiError> {
    let ticket: EventsTicket = http::post_json("/api/v1/events/ticket", &()).await?;
    Ok(ticket.ticket)
}

use domain::api::{
    company::{
        AddEmbedOrigin, CompanySettings, EmbedOrigin, NewPartnerKey, PartnerKeyInfo,
        UpdateCompanySettings,
    },
    team::{CompanyProfile, DispatcherSummary, InviteDispatcher, UpdateCompany},
};

/// The company's branding and default language.
pub async fn settings() -> Result<CompanySettings, ApiError> {
    http::get_json("/api/v1/company/settings").await
}

/// Changes branding, name, address or default language.
pub async fn update_settings(body: &UpdateCompanySettings) -> Result<CompanySettings, ApiError> {
    http::patch_json("/api/v1/company/settings", body).await
}

/// Changes e-mail, phone, time zone or currency.
pub async fn update_profile(body: &UpdateCompany) -> Result<CompanyProfile, ApiError> {
    http::patch_json("/api/v1/company", body).await
}

/// The company's dispatchers.
pub async fn dispatchers() -> Result<Vec<DispatcherSummary>, ApiError> {
    http::get_json("/api/v1/dispatchers").await
}

/// Invites another dispatcher (the server e-mails the activation link).
pub async fn invite_dispatcher(body: &InviteDispatcher) -> Result<DispatcherSummary, ApiError> {
    http::post_json("/api/v1/dispatchers", body).await
}

/// Removes a dispatcher; their sessions end at once.
pub async fn remove_dispatcher(id: Uuid) -> Result<(), ApiError> {
    http::delete_empty(&format!("/api/v1/dispatchers/{id}")).await
}

/// The allowed embed origins.
pub async fn origins() -> Result<Vec<EmbedOrigin>, ApiError> {
    http::get_json("/api/v1/company/origins").await
}

/// Allows one more origin.
pub async fn add_origin(origin: String) -> Result<EmbedOrigin, ApiError> {
    http::post_json("/api/v1/company/origins", &AddEmbedOrigin { origin }).await
}

/// Stops allowing an origin.
pub async fn remove_origin(id: Uuid) -> Result<(), ApiError> {
    http::delete_empty(&format!("/api/v1/company/origins/{id}")).await
}

/// The partner key's prefix, or `None` when there is none.
pub async fn partner_key() -> Result<Option<PartnerKeyInfo>, ApiError> {
    match http::get_json("/api/v1/company/partner-key").await {
        Ok(info) => Ok(Some(info)),
        Err(e) if e.status() == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A new partner key (replacing any older one), shown this once.
pub async fn create_partner_key() -> Result<NewPartnerKey, ApiError> {
    http::post_json("/api/v1/company/partner-key", &()).await
}

/// Revokes the partner key.
pub async fn revoke_partner_key() -> Result<(), ApiError> {
    http::delete_empty("/api/v1/company/partner-key").await
}
