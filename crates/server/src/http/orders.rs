//! What happens on site and after (DESIGN.md steps 5–7): order lines, the work report,
//! call attempts, closing with payment and signature, and the three ways to cancel.
//!
//! Every handler is the same write path as the board's: load the call scoped to the
//! caller's company (another company's call, or one this company gave up, is a 404),
//! let [`domain::flow::apply`] decide, and write the result with the conditional update
//! plus the outbox rows in one transaction ([`save_change`]). Changes carry the call's
//! `version` (stale → 409 with `current`); work-report notes and call attempts may leave
//! it out, since they never conflict with anything, and are then retried on a concurrent
//! change like accept and decline.

use std::collections::HashMap;

use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::StatusCode,
};
use chrono::Utc;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::Session,
    calls::{actor_of, call_id, load_for, refusal, rule_problem, save_change, ApiError, ApiResult},
    error::{invalid, Error},
    json::ApiJson,
};
use crate::{
    db::{
        calls::{self as store, Guard},
        team,
    },
    AppState,
};
use domain::{
    api::{
        orders::{
            AddLine, CancelCall, CancelChoice, CloseCall, NewCallAttempt, NewReportNote,
            ReportEntry,
        },
        Problem,
    },
    booking::BookingRequest,
    call::{CancelReason, ServiceCall},
    command::{Actor, Command},
    error::DomainError,
    event::Event,
    flow::apply,
    partner::offer_targets,
    signature::{check_png_data_url, SignatureError},
    view::CallView,
};

/// How often an unversioned change is retried when a concurrent change got in first.
const MAX_ATTEMPTS: usize = 64;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_order_line))
        .routes(routes!(remove_order_line))
        .routes(routes!(list_report_notes, add_report_note))
        .routes(routes!(log_call_attempt))
        .routes(routes!(close_call))
        .routes(routes!(cancel_call))
}

/// One command and who performs it (redistribution re-offers the call as the system).
type Step = (Command, Actor);

/// Applies `steps` one after the other; the first refusal refuses them all.
fn apply_all(
    call: &ServiceCall,
    steps: Vec<Step>,
    now: chrono::DateTime<Utc>,
) -> Result<(ServiceCall, Vec<Event>), DomainError> {
    let mut after = call.clone();
    let mut events = Vec::new();
    for (command, actor) in steps {
        let (next, new) = apply(&after, command, &actor, now)?;
        after = next;
        events.extend(new);
    }
    Ok((after, events))
}

/// Loads the call for the caller's company, builds the steps from it, applies and saves
/// them. With `expected` the change must be based on that version (one try; stale →
/// 409 with the current call); without it the change is re-read and retried when a
/// concurrent change got in first. Returns the call after the change.
async fn change<F>(
    state: &AppState,
    session: &Session,
    id: Uuid,
    expected: Option<i64>,
    steps: F,
) -> ApiResult<ServiceCall>
where
    F: Fn(&ServiceCall, &CallView) -> ApiResult<Vec<Step>>,
{
    let company = session.me.company.id;
    for _ in 0..MAX_ATTEMPTS {
        let (call, view) = load_for(state, id, company).await?;
        if let Some(expected) = expected {
            call.check_version(expected)
                .map_err(|e| refusal(e, Some(&view)))?;
        }
        let (after, events) = apply_all(&call, steps(&call, &view)?, Utc::now())
            .map_err(|e| refusal(e, Some(&view)))?;
        if events.is_empty() || save_change(state, &call, &after, &events, Guard::Version).await? {
            if !events.is_empty() {
                let names: Vec<_> = events.iter().map(change_name).collect();
                tracing::info!(call = %id, %company, changes = ?names, version = after.version, "order changed");
            }
            return Ok(after);
        }
        if let Some(expected) = expected {
            let current = store::find(&state.db, id)
                .await?
                .and_then(|c| CallView::for_company(&c, company));
            let version = current.as_ref().map_or(call.version, |v| v.version);
            return Err(refusal(
                DomainError::StaleVersion {
                    expected,
                    current: version,
                },
                current.as_ref(),
            ));
        }
    }
    Err(Error::Conflict {
        code: "busy",
        detail: "the call changed too often at once; try again".to_owned(),
        current: None,
    }
    .into())
}

fn change_name(event: &Event) -> String {
    serde_json::to_value(&event.change)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// The caller's view of `call` after a change.
fn answer(call: &ServiceCall, session: &Session) -> ApiResult<ApiJson<CallView>> {
    let company = session.me.company.id;
    CallView::for_company(call, company)
        .or_else(|| CallView::after_giving_up(call, company))
        .map(ApiJson)
        .ok_or_else(|| Error::NotFound.into())
}

/// Adds extra time units, a material or a discount. The total is recomputed by the
/// domain; money in another currency than the order's is a 422 `currency-mismatch`.
#[utoipa::path(
    post, path = "/api/v1/calls/{id}/order/lines", tag = "orders",
    params(("id" = Uuid, Path, description = "The call's id")),
    request_body = AddLine,
    responses(
        (status = 200, description = "The call with the new line and total", body = CallView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`stale-version` (with `current`), `call-closed`, `call-cancelled`, `duplicate-line`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing fields, `currency-mismatch`, `invalid-quantity`, `negative-amount`, `negative-total`", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn add_order_line(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AddLine>,
) -> ApiResult<ApiJson<CallView>> {
    let id = call_id(&id)?;
    let actor = actor_of(&session);
    let line_id = Uuid::new_v4();
    let after = change(&state, &session, id, Some(body.version), |_, _| {
        let command = body.command(line_id).map_err(Error::Validation)?;
        Ok(vec![(command, actor.clone())])
    })
    .await?;
    answer(&after, &session)
}

/// `?version=n`: the version a removal is based on; nothing else.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// The call's version the change is based on.
    // An `Option` only so that its absence is the field error `version`/`required`,
    // while an unknown parameter or a non-number is `bad-query`.
    #[param(required = true)]
    version: Option<i64>,
}

/// Removes a time-unit, material or discount line (the package line can be re-priced
/// through `PATCH …/{id}` with `agreed_price`, not removed).
#[utoipa::path(
    delete, path = "/api/v1/calls/{id}/order/lines/{line_id}", tag = "orders",
    params(
        ("id" = Uuid, Path, description = "The call's id"),
        ("line_id" = Uuid, Path, description = "The line's id"),
        VersionQuery,
    ),
    responses(
        (status = 200, description = "The call without the line", body = CallView),
        (status = 400, description = "`bad-query`: a parameter other than `version`, or a version that is not a number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown call or line", body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing `version`, `line-not-removable`, `negative-total`", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn remove_order_line(
    session: Session,
    State(state): State<AppState>,
    Path((id, line_id)): Path<(String, String)>,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> ApiResult<ApiJson<CallView>> {
    let id = call_id(&id)?;
    // Tenancy first: another company's call is a 404 whatever the query says.
    load_for(&state, id, session.me.company.id).await?;
    let Query(VersionQuery { version }) = query.map_err(Error::from)?;
    let version =
        version.ok_or_else(|| invalid("version", "required", "`?version=n` is required"))?;
    let line_id = Uuid::parse_str(&line_id).map_err(|_| Error::NotFound)?;
    let actor = actor_of(&session);
    let after = change(&state, &session, id, Some(version), |_, _| {
        Ok(vec![(Command::RemoveLine { line_id }, actor.clone())])
    })
    .await?;
    answer(&after, &session)
}

/// The work report: every note with its author and time, oldest first.
#[utoipa::path(
    get, path = "/api/v1/calls/{id}/report", tag = "orders",
    params(("id" = Uuid, Path, description = "The call's id")),
    responses(
        (status = 200, body = Vec<ReportEntry>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_report_notes(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<ApiJson<Vec<ReportEntry>>> {
    let company = session.me.company.id;
    let (_, view) = load_for(&state, call_id(&id)?, company).await?;
    let mut names: HashMap<Uuid, String> = team::list_dispatchers(&state.db, company)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    names.extend(
        team::list_technicians(&state.db, company)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name)),
    );
    let entries = view
        .report_notes
        .into_iter()
        .map(|note| {
            let author = match &note.by {
                Actor::Dispatcher { user_id: id, .. }
                | Actor::Technician {
                    technician_id: id, ..
                } => names.get(id).cloned(),
                Actor::Marketplace | Actor::System => None,
            };
            ReportEntry {
                at: note.at,
                by: note.by,
                author,
                text: note.text,
            }
        })
        .collect();
    Ok(ApiJson(entries))
}

/// Adds a work-report note (what was done; why time, material or the price changed).
#[utoipa::path(
    post, path = "/api/v1/calls/{id}/report", tag = "orders",
    params(("id" = Uuid, Path, description = "The call's id")),
    request_body = NewReportNote,
    responses(
        (status = 200, description = "The call with the new note", body = CallView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`call-closed`, `call-cancelled`, `stale-version` when a version was given", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid-text`: empty or longer than 4000 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn add_report_note(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewReportNote>,
) -> ApiResult<ApiJson<CallView>> {
    let id = call_id(&id)?;
    let actor = actor_of(&session);
    let after = change(&state, &session, id, body.version, |_, _| {
        let text = body.text.clone();
        Ok(vec![(Command::AddReportNote { text }, actor.clone())])
    })
    .await?;
    answer(&after, &session)
}

/// Logs a phone call to the client: `reached` completes the "call client" task,
/// `no_answer` allows cancelling because the client didn't answer. A `note` is kept in
/// the work report.
#[utoipa::path(
    post, path = "/api/v1/calls/{id}/call-attempts", tag = "orders",
    params(("id" = Uuid, Path, description = "The call's id")),
    request_body = NewCallAttempt,
    responses(
        (status = 200, description = "The call with the attempt", body = CallView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn log_call_attempt(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewCallAttempt>,
) -> ApiResult<ApiJson<CallView>> {
    let id = call_id(&id)?;
    let actor = actor_of(&session);
    let after = change(&state, &session, id, body.version, |_, _| {
        let mut steps = vec![(
            Command::LogCallAttempt {
                outcome: body.outcome,
            },
            actor.clone(),
        )];
        if let Some(text) = body.note.clone().filter(|n| !n.trim().is_empty()) {
            steps.push((Command::AddReportNote { text }, actor.clone()));
        }
        Ok(steps)
    })
    .await?;
    answer(&after, &session)
}

/// A refused signature as its problem: 413 when too large, else 422.
fn signature_problem(err: &SignatureError) -> ApiError {
    let status = match err {
        SignatureError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let errors = vec![domain::api::FieldError {
        field: "signature".to_owned(),
        code: err.code().replace('-', "_"),
        message: err.to_string(),
    }];
    rule_problem(status, err.code(), err.to_string(), errors)
}

/// Closes a ready (green) call with the payment method; online card needs the client's
/// signature as a PNG data URL. The total is frozen in the closure; the client gets a
/// receipt with the lines and the company e-mail the after-check-out notice.
#[utoipa::path(
    post, path = "/api/v1/calls/{id}/close", tag = "orders",
    params(("id" = Uuid, Path, description = "The call's id")),
    request_body = CloseCall,
    responses(
        (status = 200, description = "Closed", body = CallView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not-ready`, `call-closed`, `call-cancelled`, `stale-version`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`signature-too-large`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`signature-required`, `invalid-signature`", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn close_call(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CloseCall>,
) -> ApiResult<ApiJson<CallView>> {
    let id = call_id(&id)?;
    let actor = actor_of(&session);
    let after = change(&state, &session, id, Some(body.version), |_, _| {
        if let Some(signature) = body.signature.as_deref().filter(|s| !s.trim().is_empty()) {
            check_png_data_url(signature).map_err(|e| signature_problem(&e))?;
        }
        Ok(vec![(body.command(), actor.clone())])
    })
    .await?;
    answer(&after, &session)
}

/// The booking a call was made from, for choosing whom to offer it to again.
fn booking_of(call: &ServiceCall) -> BookingRequest {
    BookingRequest {
        external_id: call.external_id.clone(),
        service: call.service.clone(),
        client: call.client.clone(),
        slot: call.slot,
        notes: call.notes.clone(),
    }
}

/// Cancels the call. `redistribute`: the request is offered again — live and by e-mail
/// — to the other suitable partners, never to this company, which no longer sees it
/// (the answer is its last look, `offer_state: gave_up`; after that 404).
/// `no_answer` needs a logged `no_answer` attempt; `client_cancelled` e-mails the client
/// a confirmation. The marketplace sees the outcome at `GET
/// /api/v1/marketplace/requests/{id}`.
#[utoipa::path(
    post, path = "/api/v1/calls/{id}/cancel", tag = "orders",
    params(("id" = Uuid, Path, description = "The call's id")),
    request_body = CancelCall,
    responses(
        (status = 200, description = "Cancelled (or given up for redistribution)", body = CallView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`call-closed`, `call-cancelled`, `stale-version`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`no-unanswered-attempt`", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn cancel_call(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelCall>,
) -> ApiResult<ApiJson<CallView>> {
    let id = call_id(&id)?;
    let actor = actor_of(&session);
    let reason = CancelReason::from(body.reason);
    let partners = if body.reason == CancelChoice::Redistribute {
        store::partners(&state.db).await?
    } else {
        Vec::new()
    };
    let note = body.note.clone().filter(|n| !n.trim().is_empty());
    let after = change(&state, &session, id, Some(body.version), |call, _| {
        let mut steps = Vec::new();
        // The reason in the dispatcher's words stays with a cancelled call; a
        // redistributed one starts afresh for the next partner, without notes.
        if let (Some(text), false) = (note.clone(), reason == CancelReason::Redistribute) {
            steps.push((Command::AddReportNote { text }, actor.clone()));
        }
        steps.push((Command::Cancel { reason }, actor.clone()));
        if reason == CancelReason::Redistribute {
            let companies = offer_targets(&partners, &booking_of(call));
            // Offer only when someone else is left: otherwise the call stays with the
            // marketplace (`given_up`), which the callback already told.
            // (A refused cancel is reported by the real run below.)
            let offer = Command::Offer { companies };
            let offerable =
                apply_all(call, steps.clone(), Utc::now()).is_ok_and(|(cancelled, _)| {
                    apply(&cancelled, offer.clone(), &Actor::System, Utc::now()).is_ok()
                });
            if offerable {
                steps.push((offer, Actor::System));
            }
        }
        Ok(steps)
    })
    .await?;
    if reason == CancelReason::Redistribute {
        tracing::info!(call = %id, reoffered = ?after.offers.iter().filter(|o| o.state == domain::call::OfferState::Offered).map(|o| o.company_id).collect::<Vec<_>>(), "call given up for redistribution");
    }
    answer(&after, &session)
}
