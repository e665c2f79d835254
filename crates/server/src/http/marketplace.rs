//! Machine-to-machine intake of the marketplace's bookings (`Authorization: Bearer
//! <MARKETPLACE_API_KEY>`), and the request's state for the marketplace.
//!
//! [`intake`] is the one code path that creates calls; the demo traffic generator uses it
//! too.

use axum::{
    extract::{FromRef, FromRequestParts, Path, State},
    http::{header, request::Parts, StatusCode},
    response::IntoResponse,
};
use chrono::Utc;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    calls::{rule_problem, ApiResult},
    error::Error,
    json::ApiJson,
};
use crate::{
    db::calls as store,
    notify::{outbox::enqueue_all, render::messages_for},
    AppState,
};
use domain::{
    api::{
        calls::{IntakeAccepted, RequestStatus},
        Problem,
    },
    booking::BookingRequest,
    call::ServiceCall,
    command::{Actor, Command},
    flow::apply,
    partner::offer_targets,
};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_request))
        .routes(routes!(get_request))
}

/// Proof that the caller holds the marketplace's bearer key.
#[derive(Debug, Clone, Copy)]
pub struct Marketplace;

/// Compares without an early exit, so the time taken does not reveal a matching prefix.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl<S> FromRequestParts<S> for Marketplace
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let expected = state
            .config
            .marketplace_api_key
            .as_deref()
            .ok_or(Error::Unauthorized)?;
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(Error::Unauthorized)?;
        if same_secret(given.as_bytes(), expected.as_bytes()) {
            Ok(Marketplace)
        } else {
            Err(Error::Unauthorized)
        }
    }
}

/// What the intake did with a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// A new call, offered to these companies.
    Created(IntakeAccepted),
    /// The booking's `external_id` was seen before: the first request.
    Existing(IntakeAccepted),
}

fn accepted(call: &ServiceCall) -> IntakeAccepted {
    IntakeAccepted {
        id: call.id,
        offered_to: call.offers.iter().map(|o| o.company_id).collect(),
    }
}

/// Validates a booking, offers it to every suitable company and stores it with the
/// dispatchers' e-mails in one transaction. Idempotent by `external_id`, also under
/// concurrent retries (the UNIQUE index decides).
pub async fn intake(state: &AppState, booking: BookingRequest) -> ApiResult<Intake> {
    let mut errors = booking.validate();
    if let Some(slot) = &booking.slot {
        errors.extend(
            state
                .config
                .slot_window
                .field_errors(slot, Utc::now(), "slot"),
        );
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors).into());
    }
    if let Some(existing) = store::find_by_external_id(&state.db, &booking.external_id).await? {
        return Ok(Intake::Existing(accepted(&existing)));
    }
    let partners = store::partners(&state.db).await?;
    let companies = offer_targets(&partners, &booking);
    if companies.is_empty() {
        let address = &booking.client.address;
        return Err(rule_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no-suitable-partner",
            format!(
                "no partner company serves postcode {} ({}) with the skill {:?}",
                address.postcode, address.country, booking.service.skill
            ),
            Vec::new(),
        ));
    }
    let now = Utc::now();
    let external_id = booking.external_id.clone();
    let call = ServiceCall::new(Uuid::new_v4(), booking, now);
    let (call, events) = apply(
        &call,
        Command::Offer { companies },
        &Actor::Marketplace,
        now,
    )
    .map_err(|e| super::calls::refusal(e, None))?;

    let messages = messages_for(&state.db, &state.config.public_url, &call, &events).await?;
    let (db, hub, stored) = (state.db.clone(), state.live.clone(), call.clone());
    let written = state
        .db
        .write(async move {
            let mut tx = db.pool.begin().await?;
            if !store::insert_new(&mut tx, &stored).await? {
                // A concurrent retry of the same booking got in first.
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(false);
            }
            enqueue_all(&mut tx, &messages).await?;
            let live = crate::live::record_call_change(&mut tx, db.engine, None, &stored).await?;
            tx.commit().await?;
            // Here, not in the request: a committed change is announced even when the
            // request was given up meanwhile.
            hub.after_commit(live);
            Ok(true)
        })
        .await?;
    if !written {
        let existing = store::find_by_external_id(&state.db, &external_id)
            .await?
            .ok_or_else(|| Error::Internal("the conflicting booking vanished".to_owned()))?;
        return Ok(Intake::Existing(accepted(&existing)));
    }
    tracing::info!(call = %call.id, external_id, offered_to = call.offers.len(), "request taken in");
    Ok(Intake::Created(accepted(&call)))
}

/// Takes in a booking: 201 with the call's id and the companies it was offered to; the
/// same `external_id` again answers 200 with the first request.
#[utoipa::path(
    post, path = "/api/v1/marketplace/requests", tag = "marketplace",
    request_body = BookingRequest,
    responses(
        (status = 201, description = "Offered", body = IntakeAccepted),
        (status = 200, description = "Seen before: the first request", body = IntakeAccepted),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong bearer key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or `no-suitable-partner`", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_request(
    _: Marketplace,
    State(state): State<AppState>,
    ApiJson(booking): ApiJson<BookingRequest>,
) -> ApiResult<impl IntoResponse> {
    let (status, body) = match intake(&state, booking).await? {
        Intake::Created(body) => (StatusCode::CREATED, body),
        Intake::Existing(body) => (StatusCode::OK, body),
    };
    let location = format!("/api/v1/marketplace/requests/{}", body.id);
    Ok((status, [(header::LOCATION, location)], ApiJson(body)))
}

/// Where a request stands: offered, accepted (by whom), all declined, given up, closed,
/// cancelled — with every partner's answer.
#[utoipa::path(
    get, path = "/api/v1/marketplace/requests/{id}", tag = "marketplace",
    params(("id" = Uuid, Path, description = "The id the intake answered")),
    responses(
        (status = 200, body = RequestStatus),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_request(
    _: Marketplace,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<ApiJson<RequestStatus>> {
    let id = Uuid::parse_str(&id).map_err(|_| Error::NotFound)?;
    let call = store::find(&state.db, id).await?.ok_or(Error::NotFound)?;
    Ok(ApiJson(RequestStatus::of(&call)))
}
