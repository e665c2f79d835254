//! The team: technicians (invite, edit, photo, deactivate), the technician's own profile,
//! account activation from an invitation link, dispatchers and the company profile.
//!
//! Who may do what: dispatchers manage their own company's team (another company's ids
//! answer 404, exactly like unknown ones); a technician reaches only `/me/…` and their
//! own photo, and gets 403 on the dispatcher routes. Invitation links carry a random
//! token of which only the SHA-256 is stored; a link works once, for
//! [`INVITATION_TTL_SECS`], and sending a new one revokes the old.

use axum::{
    body::Body,
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::Session,
    error::{problem_response, Error},
    json::ApiJson,
};
use crate::{
    db::{
        sessions,
        team::{self, NewMember, RemoveDispatcher},
    },
    images::{self, ImageError},
    notify::outbox::{self, Channel, OutboxMessage},
    AppState,
};
use domain::api::{
    team::{
        password_field_errors, ActivateAccount, CompanyProfile, DeactivateTechnician,
        DispatcherSummary, InviteDispatcher, InviteTechnician, MyProfile, OpenCall, OutboxEntry,
        SkillsUpdate, TechnicianSummary, UpdateCompany, UpdateTechnician,
    },
    FieldError, Me, Problem, Role,
};

/// How long an invitation link works.
pub const INVITATION_TTL_SECS: i64 = 7 * 24 * 3600;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_technicians, invite_technician))
        .routes(routes!(get_technician, update_technician))
        .routes(routes!(resend_technician_invitation))
        .routes(routes!(deactivate_technician))
        .routes(routes!(get_technician_photo, upload_technician_photo))
        .routes(routes!(activate_account))
        .routes(routes!(my_profile))
        .routes(routes!(update_my_skills))
        .routes(routes!(upload_my_photo))
        .routes(routes!(list_dispatchers, invite_dispatcher))
        .routes(routes!(remove_dispatcher))
        .routes(routes!(resend_dispatcher_invitation))
        .routes(routes!(get_company, update_company))
        .routes(routes!(dev_outbox))
}

/// The failures of this module on top of the shared [`Error`]: permissions, uploads and
/// invitation links have their own statuses.
#[derive(Debug)]
pub enum TeamError {
    Api(Error),
    /// Signed in, but this role may not do that.
    Forbidden,
    /// The upload is larger than [`images::MAX_UPLOAD_BYTES`].
    PayloadTooLarge,
    /// The upload is not a usable image.
    Image(ImageError),
    /// The invitation link is unknown, used, replaced or expired.
    InvitationInvalid,
}

impl From<Error> for TeamError {
    fn from(e: Error) -> Self {
        Self::Api(e)
    }
}

impl From<sqlx::Error> for TeamError {
    fn from(e: sqlx::Error) -> Self {
        Self::Api(Error::Database(e))
    }
}

pub(crate) type Result<T, E = TeamError> = std::result::Result<T, E>;

fn problem(status: StatusCode, code: &str, detail: String) -> Problem {
    Problem {
        kind: format!("/problems/{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: Some(detail),
        errors: Vec::new(),
        current: None,
    }
}

impl IntoResponse for TeamError {
    fn into_response(self) -> Response {
        let problem = match self {
            Self::Api(e) => return e.into_response(),
            Self::Forbidden => problem(
                StatusCode::FORBIDDEN,
                "forbidden",
                "your role may not do this".to_owned(),
            ),
            Self::PayloadTooLarge => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                format!(
                    "the file is larger than {} MiB",
                    images::MAX_UPLOAD_BYTES / 1024 / 1024
                ),
            ),
            Self::Image(e) => {
                let (status, code) = match e {
                    ImageError::UnsupportedFormat => {
                        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-image")
                    }
                    ImageError::TooManyPixels { .. } => {
                        (StatusCode::UNPROCESSABLE_ENTITY, "image-dimensions")
                    }
                    ImageError::Corrupt(_) => (StatusCode::UNPROCESSABLE_ENTITY, "corrupt-image"),
                };
                problem(status, code, e.to_string())
            }
            Self::InvitationInvalid => problem(
                StatusCode::GONE,
                "invitation-invalid",
                "this invitation link was already used, replaced by a newer one, or has expired"
                    .to_owned(),
            ),
        };
        problem_response(problem)
    }
}

/// The caller's company, if the caller is a dispatcher.
pub(crate) fn dispatcher_company(session: &Session) -> Result<Uuid> {
    match session.me.role {
        Role::Dispatcher => Ok(session.me.company.id),
        Role::Technician => Err(TeamError::Forbidden),
    }
}

/// The caller, if a technician.
fn technician_self(session: &Session) -> Result<(Uuid, Uuid)> {
    match session.me.role {
        Role::Technician => Ok((session.me.company.id, session.me.user_id)),
        Role::Dispatcher => Err(TeamError::Forbidden),
    }
}

/// A malformed id is as unknown as a well-formed one nobody has.
pub(crate) fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| TeamError::Api(Error::NotFound))
}

fn validation(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors).into())
    }
}

fn email_taken_error() -> TeamError {
    email_taken().into()
}

/// The field error of an e-mail address that already has an account.
pub(crate) fn email_taken() -> Error {
    super::error::invalid(
        "email",
        "taken",
        "this e-mail address already has an account",
    )
}

/// Maps a unique-index violation (a concurrent claim of the same address) to the same
/// field error as the check before it.
pub(crate) fn unique_email(e: sqlx::Error) -> Error {
    if e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
    {
        email_taken()
    } else {
        e.into()
    }
}

fn unique_to_field(e: sqlx::Error) -> TeamError {
    unique_email(e).into()
}

async fn load_technician(
    state: &AppState,
    company_id: Uuid,
    id: Uuid,
) -> Result<TechnicianSummary> {
    team::technician(&state.db, company_id, id)
        .await?
        .map(|t| t.summary())
        .ok_or(TeamError::Api(Error::NotFound))
}

/// Tells the company's boards that a technician changed — the calendar's rows, the
/// assignment picker and the team tab follow it live (`technician_changed`; technicians
/// hear only of themselves). The change is committed already: a failure here is logged,
/// not answered.
async fn announce(state: &AppState, company_id: Uuid, id: Uuid) {
    let published = match team::technician(&state.db, company_id, id).await {
        Ok(Some(t)) => {
            crate::live::publish_technician_changed(state, company_id, id, &t.summary()).await
        }
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(e) = published {
        tracing::warn!(technician = %id, error = %e, "the technician change was not announced live");
    }
}

/// The company's name for the invitation e-mail. Read before the transaction opens:
/// SQLite's single pooled connection would wait for itself inside it.
async fn company_name(state: &AppState, company_id: Uuid) -> Result<String> {
    Ok(crate::db::accounts::company_summary(&state.db, company_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default())
}

/// Stores a new invitation for `user_id` (revoking older ones) and queues its e-mail,
/// all in one transaction.
#[allow(clippy::too_many_arguments)]
async fn send_invitation(
    state: &AppState,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    company: &str,
    company_id: Uuid,
    user_id: Uuid,
    name: &str,
    email: &str,
) -> Result<()> {
    let token = sessions::new_token();
    team::replace_invitation(
        tx,
        user_id,
        &sessions::token_hash(&token),
        INVITATION_TTL_SECS,
    )
    .await?;
    let link = format!(
        "{}/activate/{token}",
        state.config.public_url.trim_end_matches('/')
    );
    // In the invitee's locale: the company's default until they choose their own.
    let locale = crate::db::accounts::user_locale(tx, user_id)
        .await?
        .unwrap_or_default();
    let (subject, body) = crate::notify::render::invitation_texts(locale, name, company, &link);
    outbox::enqueue(
        &mut **tx,
        &OutboxMessage {
            company_id: Some(company_id),
            call_id: None,
            channel: Channel::Email,
            kind: "invitation".to_owned(),
            recipient: email.trim().to_lowercase(),
            subject,
            body,
            deliver_after: None,
            hold_key: None,
        },
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- technicians

/// The company's technicians with their verification state.
#[utoipa::path(
    get, path = "/api/v1/technicians", tag = "team",
    responses(
        (status = 200, body = Vec<TechnicianSummary>),
        (status = 403, description = "Technicians cannot list the team", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_technicians(
    State(state): State<AppState>,
    session: Session,
) -> Result<ApiJson<Vec<TechnicianSummary>>> {
    let company_id = dispatcher_company(&session)?;
    let mut list = team::list_technicians(&state.db, company_id).await?;
    let (from, to) = this_week(&session.me.company.time_zone, chrono::Utc::now());
    let counts = team::calls_per_technician(&state.db, company_id, from, to).await?;
    for t in &mut list {
        t.calls_this_week = counts
            .iter()
            .find(|(id, _)| *id == t.id)
            .map_or(0, |(_, n)| *n);
    }
    Ok(ApiJson(list.iter().map(|t| t.summary()).collect()))
}

/// Adds a technician and e-mails them an invitation link to set a password.
#[utoipa::path(
    post, path = "/api/v1/technicians", tag = "team",
    request_body = InviteTechnician,
    responses(
        (status = 201, body = TechnicianSummary),
        (status = 422, description = "Invalid fields (e-mail taken: code `taken`)", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn invite_technician(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<InviteTechnician>,
) -> Result<impl IntoResponse> {
    let company_id = dispatcher_company(&session)?;
    let offered = team::offered_skills(&state.db, company_id).await?;
    validation(body.validate(&offered))?;
    if team::email_taken(&state.db, &body.email, None).await? {
        return Err(email_taken_error());
    }
    let company = company_name(&state, company_id).await?;
    let mut tx = state.db.pool.begin().await?;
    let id = team::create_member(
        &mut tx,
        &NewMember {
            company_id,
            role: Role::Technician,
            name: &body.name,
            email: &body.email,
            phone: &body.phone,
            skills: &body.skills,
        },
    )
    .await
    .map_err(unique_to_field)?;
    send_invitation(
        &state,
        &mut tx,
        &company,
        company_id,
        id,
        body.name.trim(),
        &body.email,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(technician = %id, company = %company_id, "technician invited");
    announce(&state, company_id, id).await;
    let summary = load_technician(&state, company_id, id).await?;
    Ok((StatusCode::CREATED, ApiJson(summary)))
}

/// One technician of the company.
#[utoipa::path(
    get, path = "/api/v1/technicians/{id}", tag = "team",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = TechnicianSummary),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_technician(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<ApiJson<TechnicianSummary>> {
    let company_id = dispatcher_company(&session)?;
    Ok(ApiJson(
        load_technician(&state, company_id, parse_id(&id)?).await?,
    ))
}

/// Changes a technician's contact data or skills (among the company's offered skills).
#[utoipa::path(
    patch, path = "/api/v1/technicians/{id}", tag = "team",
    params(("id" = Uuid, Path)),
    request_body = UpdateTechnician,
    responses(
        (status = 200, body = TechnicianSummary),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_technician(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateTechnician>,
) -> Result<ApiJson<TechnicianSummary>> {
    let company_id = dispatcher_company(&session)?;
    let id = parse_id(&id)?;
    load_technician(&state, company_id, id).await?;
    let offered = team::offered_skills(&state.db, company_id).await?;
    validation(body.validate(&offered))?;
    if let Some(email) = &body.email {
        if team::email_taken(&state.db, email, Some(id)).await? {
            return Err(email_taken_error());
        }
    }
    let found = team::update_technician(
        &state.db,
        company_id,
        id,
        body.name.as_deref(),
        body.email.as_deref(),
        body.phone.as_deref(),
        body.skills.as_deref(),
    )
    .await
    .map_err(unique_to_field)?;
    if !found {
        return Err(Error::NotFound.into());
    }
    announce(&state, company_id, id).await;
    Ok(ApiJson(load_technician(&state, company_id, id).await?))
}

/// Monday 00:00 to the next Monday 00:00 of the week around `now`, in `zone`, as Unix
/// seconds.
fn this_week(zone: &str, now: chrono::DateTime<chrono::Utc>) -> (i64, i64) {
    use chrono::{Datelike, Duration, NaiveTime};
    use domain::tz::{local_to_utc, parse_zone, to_local};
    let Ok(zone) = parse_zone(zone).or_else(|_| parse_zone("UTC")) else {
        return (0, 0);
    };
    let today = to_local(now, zone).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let start = local_to_utc(monday.and_time(NaiveTime::MIN), zone);
    let end = local_to_utc((monday + Duration::days(7)).and_time(NaiveTime::MIN), zone);
    (start.timestamp(), end.timestamp())
}

/// Sends a new invitation link; the previous one stops working.
#[utoipa::path(
    post, path = "/api/v1/technicians/{id}/invitation", tag = "team",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Sent"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already activated", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn resend_technician_invitation(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let company_id = dispatcher_company(&session)?;
    resend(&state, company_id, parse_id(&id)?, Role::Technician).await
}

async fn resend(state: &AppState, company_id: Uuid, id: Uuid, role: Role) -> Result<StatusCode> {
    let (name, email, activated) = team::pending_member(&state.db, company_id, id, role)
        .await?
        .ok_or(TeamError::Api(Error::NotFound))?;
    if activated {
        return Err(Error::Conflict {
            code: "already-activated",
            detail: "this person has already set a password".to_owned(),
            current: None,
        }
        .into());
    }
    let company = company_name(state, company_id).await?;
    let mut tx = state.db.pool.begin().await?;
    send_invitation(state, &mut tx, &company, company_id, id, &name, &email).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivates a technician: no more sign-in, no more calls; history is kept.
///
/// Open calls (accepted or in progress, not over yet) refuse the deactivation with 409
/// and their list in `current.open_calls`, unless `unassign_open_calls` is set: then each
/// is unassigned through the domain (versioned write with its notifications, as an edit
/// on the board would) before the technician is deactivated.
#[utoipa::path(
    post, path = "/api/v1/technicians/{id}/deactivate", tag = "team",
    params(("id" = Uuid, Path)),
    request_body = DeactivateTechnician,
    responses(
        (status = 200, body = TechnicianSummary),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Open future calls are assigned (listed in `current`)", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn deactivate_technician(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeactivateTechnician>,
) -> Result<ApiJson<TechnicianSummary>> {
    let company_id = dispatcher_company(&session)?;
    let id = parse_id(&id)?;
    load_technician(&state, company_id, id).await?;
    let open = team::open_calls_of(&state.db, company_id, id, crate::db::now()).await?;
    if !open.is_empty() {
        if body.unassign_open_calls {
            for call_id in &open {
                unassign(&state, &session, *call_id).await?;
            }
        } else {
            let labels = open_call_labels(&state, &session, &open).await?;
            return Err(Error::Conflict {
                code: "technician-has-open-calls",
                detail: format!(
                    "{} open call(s) are assigned to this technician; move them back to the \
                     unassigned list (unassign_open_calls) or reassign them first",
                    open.len()
                ),
                current: Some(serde_json::json!({ "open_calls": labels })),
            }
            .into());
        }
    }
    if !team::deactivate_technician(&state.db, company_id, id).await? {
        return Err(Error::NotFound.into());
    }
    super::events::end_sessions(&state, company_id, id, crate::live::WhichSessions::All).await;
    tracing::info!(technician = %id, company = %company_id, "technician deactivated");
    announce(&state, company_id, id).await;
    Ok(ApiJson(load_technician(&state, company_id, id).await?))
}

/// The open calls as the refusal lists them: service and start in the company's zone.
async fn open_call_labels(
    state: &AppState,
    session: &Session,
    ids: &[Uuid],
) -> Result<Vec<OpenCall>> {
    let zone = domain::tz::parse_zone(&session.me.company.time_zone).ok();
    let mut out = Vec::new();
    for id in ids {
        if let Some(call) = crate::db::calls::find(&state.db, *id).await? {
            let when = match (call.slot, zone) {
                (Some(slot), Some(zone)) => domain::tz::to_local(slot.start, zone)
                    .format(" %Y-%m-%d %H:%M")
                    .to_string(),
                _ => String::new(),
            };
            out.push(OpenCall {
                id: *id,
                label: format!("{}{when}", call.service.name),
            });
        }
    }
    Ok(out)
}

/// Moves one call back to the unassigned list, as the dispatcher; a concurrent change
/// (stale version) is retried once against the fresh call.
async fn unassign(state: &AppState, session: &Session, call_id: Uuid) -> Result<()> {
    let actor = super::calls::actor_of(session);
    for _ in 0..2 {
        let Some(call) = crate::db::calls::find(&state.db, call_id).await? else {
            return Ok(());
        };
        let (after, events) = domain::flow::apply(
            &call,
            domain::command::Command::Unassign,
            &actor,
            chrono::Utc::now(),
        )
        .map_err(|e| Error::Conflict {
            code: "open-call-not-movable",
            detail: format!("call {call_id} cannot be unassigned: {e}"),
            current: None,
        })?;
        if after.version == call.version {
            return Ok(());
        }
        if super::calls::save_change(
            state,
            &call,
            &after,
            &events,
            crate::db::calls::Guard::Version,
        )
        .await?
        {
            return Ok(());
        }
    }
    Err(Error::Conflict {
        code: "open-call-changed",
        detail: format!("call {call_id} changed meanwhile; try again"),
        current: None,
    }
    .into())
}

/// The technician's square thumbnail (dispatchers of the company and the technician).
#[utoipa::path(
    get, path = "/api/v1/technicians/{id}/photo", tag = "team",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "JPEG thumbnail (or an SVG placeholder)", content_type = "image/jpeg"),
        (status = 304, description = "Unchanged (If-None-Match)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_technician_photo(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let company_id = session.me.company.id;
    if session.me.role == Role::Technician && session.me.user_id != id {
        return Err(Error::NotFound.into());
    }
    let technician = team::technician(&state.db, company_id, id)
        .await?
        .ok_or(TeamError::Api(Error::NotFound))?;
    let key = technician
        .photo_key
        .clone()
        .ok_or(TeamError::Api(Error::NotFound))?;
    let etag = format!("\"{key}\"");
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match team::photo(&state.db, company_id, id).await? {
            Some(photo) if photo.photo_key == key => {
                ([(header::CONTENT_TYPE, photo.content_type)], photo.bytes).into_response()
            }
            // The demo seed marks photos without storing pictures: draw initials.
            _ => (
                [(header::CONTENT_TYPE, "image/svg+xml".to_owned())],
                images::placeholder_svg(&technician.name),
            )
                .into_response(),
        }
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // The URL carries the key, so a changed photo is a new URL; private: behind a session.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// Replaces a technician's photo. The body is the raw file (JPEG, PNG or WebP, sniffed).
#[utoipa::path(
    put, path = "/api/v1/technicians/{id}/photo", tag = "team",
    params(("id" = Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The image file"),
    responses(
        (status = 200, body = TechnicianSummary),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 5 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JPEG, PNG or WebP image", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too many pixels or damaged", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn upload_technician_photo(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<ApiJson<TechnicianSummary>> {
    let company_id = dispatcher_company(&session)?;
    let id = parse_id(&id)?;
    load_technician(&state, company_id, id).await?;
    store_upload(&state, company_id, id, &headers, body).await?;
    announce(&state, company_id, id).await;
    Ok(ApiJson(load_technician(&state, company_id, id).await?))
}

/// Reads the upload under the size limit, makes the thumbnail and stores it.
async fn store_upload(
    state: &AppState,
    company_id: Uuid,
    id: Uuid,
    headers: &HeaderMap,
    body: Body,
) -> Result<()> {
    // Read somewhat past the limit before refusing: answering while the client is still
    // sending makes many clients report a broken pipe instead of our 413. Beyond
    // READ_CAP the connection is cut short all the same.
    const READ_CAP: usize = 16 * 1024 * 1024;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > READ_CAP) {
        return Err(TeamError::PayloadTooLarge);
    }
    let bytes = axum::body::to_bytes(body, READ_CAP)
        .await
        .map_err(|_| TeamError::PayloadTooLarge)?;
    if bytes.len() > images::MAX_UPLOAD_BYTES {
        return Err(TeamError::PayloadTooLarge);
    }
    let thumb = tokio::task::spawn_blocking(move || images::thumbnail(&bytes))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(TeamError::Image)?;
    let key = images::photo_key(&thumb);
    if !team::store_photo(
        &state.db,
        company_id,
        id,
        &key,
        images::THUMBNAIL_TYPE,
        &thumb,
    )
    .await?
    {
        return Err(Error::NotFound.into());
    }
    Ok(())
}

// ---------------------------------------------------------------- activation

/// Sets the password from an invitation link and signs the person in.
#[utoipa::path(
    post, path = "/api/v1/auth/activate", tag = "auth",
    request_body = ActivateAccount,
    responses(
        (status = 200, description = "Password set; session cookie set", body = Me),
        (status = 410, description = "Link used, replaced or expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Password breaks a rule (code = the rule)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many password hashes at once; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn activate_account(
    State(state): State<AppState>,
    super::ratelimit::ClientAddr(addr): super::ratelimit::ClientAddr,
    jar: CookieJar,
    ApiJson(body): ApiJson<ActivateAccount>,
) -> Result<impl IntoResponse> {
    let token_hash = sessions::token_hash(body.token.trim());
    // Guessing invitation links is limited like guessing passwords.
    state
        .limits
        .admit(super::ratelimit::Endpoint::Activation, &token_hash, addr)?;
    let (_, _, email) = team::open_invitation(&state.db, &token_hash)
        .await?
        .ok_or(TeamError::InvitationInvalid)?;
    validation(password_field_errors("password", &body.password, &email))?;
    let permit = state.limits.hash_permit().await?;
    let hash = crate::password::hash(body.password).await?;
    drop(permit);
    let user_id = team::consume_invitation(&state.db, &token_hash, &hash)
        .await?
        .ok_or(TeamError::InvitationInvalid)?;
    let token = sessions::new_token();
    let ttl = i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX);
    sessions::create(&state.db, &token, user_id, ttl).await?;
    let me = sessions::lookup(&state.db, &token)
        .await?
        .ok_or_else(|| Error::Internal("session vanished right after activation".into()))?;
    tracing::info!(user = %user_id, "account activated");
    if me.role == Role::Technician {
        announce(&state, me.company.id, user_id).await;
    }
    Ok((
        jar.add(super::auth::session_cookie(&state, token)),
        ApiJson(me),
    ))
}

// ---------------------------------------------------------------- technician self-service

/// The signed-in technician's own profile and the skills they may choose.
#[utoipa::path(
    get, path = "/api/v1/me/profile", tag = "team",
    responses(
        (status = 200, body = MyProfile),
        (status = 403, description = "Dispatchers have no technician profile", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn my_profile(State(state): State<AppState>, session: Session) -> Result<ApiJson<MyProfile>> {
    let (company_id, me) = technician_self(&session)?;
    profile_of(&state, company_id, me).await.map(ApiJson)
}

async fn profile_of(state: &AppState, company_id: Uuid, me: Uuid) -> Result<MyProfile> {
    Ok(MyProfile {
        technician: load_technician(state, company_id, me).await?,
        offered_skills: team::offered_skills(&state.db, company_id).await?,
    })
}

/// The technician chooses their skills among the company's.
#[utoipa::path(
    put, path = "/api/v1/me/skills", tag = "team",
    request_body = SkillsUpdate,
    responses(
        (status = 200, body = MyProfile),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_my_skills(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<SkillsUpdate>,
) -> Result<ApiJson<MyProfile>> {
    let (company_id, me) = technician_self(&session)?;
    let offered = team::offered_skills(&state.db, company_id).await?;
    let change = UpdateTechnician {
        skills: Some(body.skills),
        ..UpdateTechnician::default()
    };
    validation(change.validate(&offered))?;
    team::update_technician(
        &state.db,
        company_id,
        me,
        None,
        None,
        None,
        change.skills.as_deref(),
    )
    .await?;
    announce(&state, company_id, me).await;
    profile_of(&state, company_id, me).await.map(ApiJson)
}

/// The technician uploads their own photo (raw file body, like the dispatcher's upload).
#[utoipa::path(
    put, path = "/api/v1/me/photo", tag = "team",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The image file"),
    responses(
        (status = 200, body = MyProfile),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn upload_my_photo(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Body,
) -> Result<ApiJson<MyProfile>> {
    let (company_id, me) = technician_self(&session)?;
    store_upload(&state, company_id, me, &headers, body).await?;
    announce(&state, company_id, me).await;
    profile_of(&state, company_id, me).await.map(ApiJson)
}

// ---------------------------------------------------------------- dispatchers

/// The company's dispatchers.
#[utoipa::path(
    get, path = "/api/v1/dispatchers", tag = "team",
    responses((status = 200, body = Vec<DispatcherSummary>))
)]
async fn list_dispatchers(
    State(state): State<AppState>,
    session: Session,
) -> Result<ApiJson<Vec<DispatcherSummary>>> {
    let company_id = dispatcher_company(&session)?;
    Ok(ApiJson(
        team::list_dispatchers(&state.db, company_id).await?,
    ))
}

/// Invites another dispatcher (same link flow as technicians).
#[utoipa::path(
    post, path = "/api/v1/dispatchers", tag = "team",
    request_body = InviteDispatcher,
    responses(
        (status = 201, body = DispatcherSummary),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn invite_dispatcher(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<InviteDispatcher>,
) -> Result<impl IntoResponse> {
    let company_id = dispatcher_company(&session)?;
    validation(body.validate())?;
    if team::email_taken(&state.db, &body.email, None).await? {
        return Err(email_taken_error());
    }
    let company = company_name(&state, company_id).await?;
    let mut tx = state.db.pool.begin().await?;
    let id = team::create_member(
        &mut tx,
        &NewMember {
            company_id,
            role: Role::Dispatcher,
            name: &body.name,
            email: &body.email,
            phone: &body.phone,
            skills: &[],
        },
    )
    .await
    .map_err(unique_to_field)?;
    send_invitation(
        &state,
        &mut tx,
        &company,
        company_id,
        id,
        body.name.trim(),
        &body.email,
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(DispatcherSummary {
            id,
            name: body.name.trim().to_owned(),
            email: body.email.trim().to_lowercase(),
            phone: body.phone.trim().to_owned(),
            activated: false,
        }),
    ))
}

/// Removes a dispatcher; the company always keeps at least one who can sign in.
#[utoipa::path(
    delete, path = "/api/v1/dispatchers/{id}", tag = "team",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The last dispatcher", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn remove_dispatcher(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let company_id = dispatcher_company(&session)?;
    let id = parse_id(&id)?;
    match team::remove_dispatcher(&state.db, company_id, id).await? {
        RemoveDispatcher::Removed => {
            super::events::end_sessions(&state, company_id, id, crate::live::WhichSessions::All)
                .await;
            Ok(StatusCode::NO_CONTENT)
        }
        RemoveDispatcher::NotFound => Err(Error::NotFound.into()),
        RemoveDispatcher::LastOne => Err(Error::Conflict {
            code: "last-dispatcher",
            detail: "a company needs at least one dispatcher who can sign in".to_owned(),
            current: None,
        }
        .into()),
    }
}

/// Sends a dispatcher a new invitation link.
#[utoipa::path(
    post, path = "/api/v1/dispatchers/{id}/invitation", tag = "team",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Sent"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn resend_dispatcher_invitation(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let company_id = dispatcher_company(&session)?;
    resend(&state, company_id, parse_id(&id)?, Role::Dispatcher).await
}

// ---------------------------------------------------------------- company

/// The company profile.
#[utoipa::path(
    get, path = "/api/v1/company", tag = "team",
    responses((status = 200, body = CompanyProfile))
)]
async fn get_company(
    State(state): State<AppState>,
    session: Session,
) -> Result<ApiJson<CompanyProfile>> {
    let company_id = dispatcher_company(&session)?;
    team::company_profile(&state.db, company_id)
        .await?
        .map(ApiJson)
        .ok_or(TeamError::Api(Error::NotFound))
}

/// Changes the company profile (e-mail, phone, time zone, currency, area, skills).
#[utoipa::path(
    patch, path = "/api/v1/company", tag = "team",
    request_body = UpdateCompany,
    responses(
        (status = 200, body = CompanyProfile),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_company(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<UpdateCompany>,
) -> Result<ApiJson<CompanyProfile>> {
    let company_id = dispatcher_company(&session)?;
    validation(body.validate())?;
    let mut profile = team::company_profile(&state.db, company_id)
        .await?
        .ok_or(TeamError::Api(Error::NotFound))?;
    let UpdateCompany {
        email,
        phone,
        time_zone,
        currency,
        service_area,
        skills,
    } = body;
    profile.email = email.map_or(profile.email, |e| e.trim().to_owned());
    profile.phone = phone.unwrap_or(profile.phone);
    profile.time_zone = time_zone.unwrap_or(profile.time_zone);
    // Prices of existing calls are in the company's currency: it is fixed from then on.
    if let Some(currency) = currency {
        if currency != profile.currency
            && crate::db::company::has_calls(&state.db, company_id).await?
        {
            return Err(super::error::invalid(
                "currency",
                "currency_locked",
                "the currency cannot change once the company has calls",
            )
            .into());
        }
        profile.currency = currency;
    }
    profile.service_area = service_area
        .map(|r| r.iter().map(|s| s.replace(' ', "")).collect())
        .unwrap_or(profile.service_area);
    profile.skills = skills
        .map(|s| s.iter().map(|s| s.trim().to_lowercase()).collect())
        .unwrap_or(profile.skills);
    team::save_company_profile(&state.db, &profile).await?;
    Ok(ApiJson(profile))
}

// ---------------------------------------------------------------- demo

/// Demo mode only: the company's newest outbox messages (invitation links), so the demo
/// and the end-to-end tests can follow an invitation without a mail server. Answers 404
/// outside demo mode.
#[utoipa::path(
    get, path = "/api/v1/dev/outbox", tag = "team",
    responses(
        (status = 200, body = Vec<OutboxEntry>),
        (status = 404, description = "Not in demo mode", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn dev_outbox(
    State(state): State<AppState>,
    session: Session,
) -> Result<ApiJson<Vec<OutboxEntry>>> {
    if !state.config.demo_mode {
        return Err(Error::NotFound.into());
    }
    let company_id = dispatcher_company(&session)?;
    Ok(ApiJson(team::outbox_of(&state.db, company_id, 50).await?))
}
