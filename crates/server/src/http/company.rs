//! The company's own settings for its dispatchers: branding and default language (the
//! embed and the e-mails use them), the partner-site origins allowed to embed the
//! board, and the partner API key the partner's server mints embed sign-ins with.
//!
//! The key is shown once, when created; only its SHA-256 and first characters are kept.
//! Creating a key while one exists rotates it (the old one stops working at once);
//! deleting revokes it. Technicians get 403 here, like on every dispatcher route.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::IntoResponse,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth::Session,
    error::{invalid, Error},
    json::ApiJson,
    team::{dispatcher_company, parse_id, Result},
};
use crate::{db::company as store, AppState};
use domain::api::{
    company::{
        normalise_origin, AddEmbedOrigin, CompanySettings, EmbedOrigin, NewPartnerKey,
        PartnerKeyInfo, UpdateCompanySettings,
    },
    Problem,
};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_company_settings, update_company_settings))
        .routes(routes!(list_embed_origins, add_embed_origin))
        .routes(routes!(remove_embed_origin))
        .routes(routes!(
            get_partner_key,
            create_partner_key,
            revoke_partner_key
        ))
}

/// Characters of a key kept (and shown) to tell keys apart.
const PREFIX_LEN: usize = 12;

/// The company's branding and default language.
#[utoipa::path(
    get, path = "/api/v1/company/settings", tag = "company",
    responses((status = 200, body = CompanySettings))
)]
async fn get_company_settings(
    State(state): State<AppState>,
    session: Session,
) -> Result<ApiJson<CompanySettings>> {
    let company_id = dispatcher_company(&session)?;
    Ok(store::settings(&state.db, company_id)
        .await?
        .map(ApiJson)
        .ok_or(Error::NotFound)?)
}

/// Changes the company's name, address, brand colour, logo or default language.
#[utoipa::path(
    patch, path = "/api/v1/company/settings", tag = "company",
    request_body = UpdateCompanySettings,
    responses(
        (status = 200, body = CompanySettings),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_company_settings(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<UpdateCompanySettings>,
) -> Result<ApiJson<CompanySettings>> {
    let company_id = dispatcher_company(&session)?;
    let errors = body.validate();
    if !errors.is_empty() {
        return Err(Error::Validation(errors).into());
    }
    let mut s = store::settings(&state.db, company_id)
        .await?
        .ok_or(Error::NotFound)?;
    let UpdateCompanySettings {
        name,
        address,
        brand_colour,
        logo_url,
        default_language,
    } = body;
    s.name = name.map_or(s.name, |v| v.trim().to_owned());
    s.address = address.map_or(s.address, |v| v.trim().to_owned());
    s.brand_colour = brand_colour.map_or(s.brand_colour, |v| v.trim().to_ascii_lowercase());
    s.logo_url = logo_url.map_or(s.logo_url, |v| v.trim().to_owned());
    s.default_language = default_language.unwrap_or(s.default_language);
    store::save_settings(&state.db, &s).await?;
    Ok(ApiJson(s))
}

/// The partner-site origins allowed to embed the board.
#[utoipa::path(
    get, path = "/api/v1/company/origins", tag = "company",
    responses((status = 200, body = Vec<EmbedOrigin>))
)]
async fn list_embed_origins(
    State(state): State<AppState>,
    session: Session,
) -> Result<ApiJson<Vec<EmbedOrigin>>> {
    let company_id = dispatcher_company(&session)?;
    Ok(ApiJson(store::origins(&state.db, company_id).await?))
}

/// Allows one more origin (`scheme://host[:port]`; https only, except localhost).
#[utoipa::path(
    post, path = "/api/v1/company/origins", tag = "company",
    request_body = AddEmbedOrigin,
    responses(
        (status = 201, body = EmbedOrigin),
        (status = 422, description = "Not an origin, not https, or already allowed", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn add_embed_origin(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<AddEmbedOrigin>,
) -> Result<impl IntoResponse> {
    let company_id = dispatcher_company(&session)?;
    let origin =
        normalise_origin(&body.origin).map_err(|e| Error::Validation(vec![e.field_error()]))?;
    match store::add_origin(&state.db, company_id, &origin).await? {
        Some(added) => Ok((StatusCode::CREATED, ApiJson(added))),
        None => Err(invalid("origin", "duplicate", "this origin is allowed already").into()),
    }
}

/// Stops allowing an origin: its frames stop loading and its sessions' requests are
/// refused from then on.
#[utoipa::path(
    delete, path = "/api/v1/company/origins/{id}", tag = "company",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn remove_embed_origin(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let company_id = dispatcher_company(&session)?;
    if store::remove_origin(&state.db, company_id, parse_id(&id)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound.into())
    }
}

/// Whether the company has a partner key (its prefix and age, never the key).
#[utoipa::path(
    get, path = "/api/v1/company/partner-key", tag = "company",
    responses(
        (status = 200, body = PartnerKeyInfo),
        (status = 404, description = "The company has no partner key", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_partner_key(
    State(state): State<AppState>,
    session: Session,
) -> Result<ApiJson<PartnerKeyInfo>> {
    let company_id = dispatcher_company(&session)?;
    Ok(store::partner_key(&state.db, company_id)
        .await?
        .map(ApiJson)
        .ok_or(Error::NotFound)?)
}

/// A new partner key, shown this once; an existing one is replaced (rotated).
#[utoipa::path(
    post, path = "/api/v1/company/partner-key", tag = "company",
    responses((status = 201, body = NewPartnerKey))
)]
async fn create_partner_key(
    State(state): State<AppState>,
    session: Session,
) -> Result<impl IntoResponse> {
    let company_id = dispatcher_company(&session)?;
    let key = format!("rpk_{}", crate::db::sessions::new_token());
    let prefix: String = key.chars().take(PREFIX_LEN).collect();
    let created_at = store::set_partner_key(&state.db, company_id, &key, &prefix).await?;
    tracing::info!(company = %company_id, %prefix, "partner key created");
    Ok((
        StatusCode::CREATED,
        ApiJson(NewPartnerKey {
            key,
            prefix,
            created_at,
        }),
    ))
}

/// Revokes the partner key: embed sign-ins stop until a new one is created.
#[utoipa::path(
    delete, path = "/api/v1/company/partner-key", tag = "company",
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "The company has no partner key", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn revoke_partner_key(State(state): State<AppState>, session: Session) -> Result<StatusCode> {
    let company_id = dispatcher_company(&session)?;
    if store::revoke_partner_key(&state.db, company_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound.into())
    }
}
