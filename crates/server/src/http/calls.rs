//! The board API: a company's offers and calls (`GET /api/v1/calls`), one call, accept,
//! decline, the versioned `PATCH` and the undo of a move (`POST …/{id}/undo`).
//!
//! Every handler loads the call, scopes it to the caller's company with
//! [`CallView::for_company`] (another company's call is a 404, never a hint that it
//! exists), lets [`domain::flow::apply`] decide, and writes the result with a conditional
//! update plus the outbox rows of the change in one transaction ([`save_change`]).

use axum::{
    body::Bytes,
    extract::{rejection::QueryRejection, Path, Query, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use std::{collections::HashSet, sync::Arc};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::Session,
    error::{problem_response, Error},
    json::ApiJson,
};
use crate::{
    board_cache::{self, BoardKey},
    db::calls::{self as store, Guard},
    db::team::technician_facts,
    live,
    notify::{
        outbox::{enqueue_all, held_deliver_after, hold_key, withdraw, Withdrawal},
        render::messages_for,
    },
    AppState,
};
use domain::{
    api::{
        calls::{Board, BoardDetail, PatchCall, UndoMoveRequest},
        FieldError, Problem, Role,
    },
    call::ServiceCall,
    command::{Actor, Command},
    error::DomainError,
    event::Event,
    flow::{apply, apply_all, undoable_move, MoveUndo},
    view::{history_for, CallView, HistoryEntry},
    visibility::{in_board_window, Viewer},
};

/// The longest window one board request may ask for.
pub const MAX_WINDOW_DAYS: i64 = 62;
/// How often a command is retried when a concurrent change got in first.
const MAX_ATTEMPTS: usize = 64;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calls))
        .routes(routes!(get_call, patch_call))
        .routes(routes!(accept_call))
        .routes(routes!(decline_call))
        .routes(routes!(undo_move))
        .routes(routes!(call_history))
}

/// An error answer of the call and marketplace endpoints: the server's [`Error`], or a
/// business rule's refusal with the rule's own problem type (`/problems/not-verified`,
/// `/problems/invalid-slot`, …).
#[derive(Debug)]
pub enum ApiError {
    Http(Error),
    Rule(Box<Problem>),
}

/// Result of a call handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::Http(e)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Http(Error::Database(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Http(e) => e.into_response(),
            ApiError::Rule(p) => problem_response(*p),
        }
    }
}

/// A problem answer with its own type, for rules the server [`Error`] has no variant for.
pub fn rule_problem(
    status: StatusCode,
    code: &str,
    detail: impl Into<String>,
    errors: Vec<FieldError>,
) -> ApiError {
    ApiError::Rule(Box::new(Problem {
        kind: format!("/problems/{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: Some(detail.into()),
        errors,
        current: None,
    }))
}

fn field(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

fn view_json(view: Option<&CallView>) -> Option<serde_json::Value> {
    view.and_then(|v| serde_json::to_value(v).ok())
}

/// Turns a refused command into its problem+json: 404 hides the call, 409s carry the
/// call as the caller sees it now (`current`), 422s name the offending field.
pub fn refusal(err: DomainError, current: Option<&CallView>) -> ApiError {
    let status =
        StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    let detail = err.to_string();
    match (&err, status) {
        (_, StatusCode::NOT_FOUND) => Error::NotFound.into(),
        (_, StatusCode::CONFLICT) => Error::Conflict {
            code: err.code(),
            detail,
            current: view_json(current),
        }
        .into(),
        (DomainError::NotVerified { missing }, _) => {
            let errors = missing
                .iter()
                .map(|m| {
                    let code = serde_json::to_value(m)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    let message =
                        format!("the technician is not verified: {}", code.replace('_', " "));
                    field("technician_id", &code, message)
                })
                .collect();
            rule_problem(status, err.code(), detail, errors)
        }
        (DomainError::LacksSkill { .. }, _) => {
            let errors = vec![field("technician_id", "lacks_skill", detail.clone())];
            rule_problem(status, err.code(), detail, errors)
        }
        (DomainError::InvalidSlot(e), _) => {
            let errors = vec![field("slot", e.field_code(), e.to_string())];
            rule_problem(status, err.code(), detail, errors)
        }
        _ => rule_problem(status, err.code(), detail, Vec::new()),
    }
}

/// The domain actor behind a session.
pub fn actor_of(session: &Session) -> Actor {
    let me = &session.me;
    match me.role {
        Role::Dispatcher => Actor::Dispatcher {
            user_id: me.user_id,
            company_id: me.company.id,
        },
        Role::Technician => Actor::Technician {
            technician_id: me.user_id,
            company_id: me.company.id,
        },
    }
}

/// Who is looking, for `domain::visibility`.
pub fn viewer_of(session: &Session) -> Viewer {
    match session.me.role {
        Role::Dispatcher => Viewer::Dispatcher,
        Role::Technician => Viewer::Technician(session.me.user_id),
    }
}

/// A call id from the path; anything that is not a UUID is simply not found.
pub(crate) fn call_id(raw: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}

/// The call and the caller's view of it, or 404 when the caller's company has no
/// business with it.
pub(crate) async fn load_for(
    state: &AppState,
    id: Uuid,
    company: Uuid,
) -> Result<(ServiceCall, CallView), Error> {
    let call = store::find(&state.db, id).await?.ok_or(Error::NotFound)?;
    let view = CallView::for_company(&call, company).ok_or(Error::NotFound)?;
    Ok((call, view))
}

/// Writes `after` over the stored call if it is still `before` (the version `after` was
/// computed from, and meets `guard`), with the outbox rows of `events` and the live board
/// events of every company the change touches, in one transaction; the boards hear of it
/// once it has committed. A request holding an `Idempotency-Key` stores its answer in
/// that transaction too ([`super::idempotency::record_answer`]).
/// `false` means a concurrent change came first and nothing was written.
pub async fn save_change(
    state: &AppState,
    before: &ServiceCall,
    after: &ServiceCall,
    events: &[Event],
    guard: Guard,
) -> Result<bool, sqlx::Error> {
    let saved = write_change(state, before, after, events, guard, None).await?;
    Ok(saved.is_some())
}

/// [`save_change`], and when the change undoes a move (`undoing`), the move's held
/// notifications are withdrawn in the same transaction: when none of them had gone out,
/// the undo tells nobody anything either (nothing changed for the client or the
/// technicians); otherwise its own notifications set the record straight. `None` means
/// a concurrent change came first and nothing was written.
///
/// `before` is not read again inside the transaction: a version is written once
/// ([`store::update`] is conditional on it), so the stored row is `before` exactly when
/// the update finds it at `before.version`. The recipients are addressed before it
/// begins, too: the transaction holds the writer (SQLite's only one) for writes alone.
async fn write_change(
    state: &AppState,
    before: &ServiceCall,
    after: &ServiceCall,
    events: &[Event],
    guard: Guard,
    undoing: Option<&MoveUndo>,
) -> Result<Option<Option<Withdrawal>>, sqlx::Error> {
    let messages = messages_for(&state.db, &state.config.public_url, after, events).await?;
    let (db, hub) = (state.db.clone(), state.live.clone());
    let (before, after) = (before.clone(), after.clone());
    let undoing = undoing.map(|undo| (hold_key(after.id, undo.version), undo.held_until()));
    state
        .db
        .write(super::idempotency::carried(async move {
            let mut tx = db.pool.begin().await?;
            if !store::update(&mut tx, &after, before.version, guard).await?
                || !super::idempotency::record_answer(&mut tx, &after).await?
            {
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(None);
            }
            let withdrawal = match undoing {
                Some((key, held_until)) => {
                    Some(withdraw(&mut tx, &key, held_deliver_after(held_until)).await?)
                }
                None => None,
            };
            if !withdrawal.is_some_and(Withdrawal::complete) {
                enqueue_all(&mut tx, &messages).await?;
            }
            let live = live::record_call_change(&mut tx, db.engine, Some(&before), &after).await?;
            tx.commit().await?;
            // Here, not in the request: a committed change is announced even when the
            // request was given up meanwhile.
            hub.after_commit(live);
            Ok(Some(withdrawal))
        }))
        .await
}

/// `?from=…&to=…` of the board, RFC 3339. Any other parameter is refused (a misspelt
/// `detail` must not silently answer the default).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardParams {
    /// Start of the window (inclusive), e.g. `2026-11-23T00:00:00Z`.
    #[param(format = DateTime)]
    from: Option<String>,
    /// End of the window (exclusive); at most 62 days after `from`.
    #[param(format = DateTime)]
    to: Option<String>,
    /// `whole`: every call as `GET /api/v1/calls/{id}` answers it. Without it (or
    /// `summary`), each call is what the board draws (`summary: true`): no notes, call
    /// attempts, work-report notes, closure or cancellation, and of the order its total
    /// and extra time units only.
    detail: Option<String>,
}

fn parse_instant(
    name: &str,
    raw: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(field(name, "required", "this parameter is required"));
            None
        }
        Some(raw) => match DateTime::parse_from_rfc3339(raw) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                errors.push(field(
                    name,
                    "invalid_datetime",
                    "an RFC 3339 date-time such as 2026-11-23T00:00:00Z",
                ));
                None
            }
        },
    }
}

/// The board: the calls this company won dated in `[from, to)` (the calendar), plus —
/// whatever the window — every open offer and every accepted call without a
/// technician (the lists below the calendar) and the undated ones.
#[utoipa::path(
    get, path = "/api/v1/calls", tag = "calls",
    params(BoardParams),
    responses(
        (status = 200, body = Board),
        (status = 400, description = "`bad-query`: a parameter other than `from`, `to` and `detail`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or invalid window, or another `detail`", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_calls(
    session: Session,
    State(state): State<AppState>,
    params: Result<Query<BoardParams>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(params) = params.map_err(Error::from)?;
    let mut errors = Vec::new();
    let from = parse_instant("from", params.from.as_deref(), &mut errors);
    let to = parse_instant("to", params.to.as_deref(), &mut errors);
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            errors.push(field("to", "end_before_start", "`to` must be after `from`"));
        } else if to - from > Duration::days(MAX_WINDOW_DAYS) {
            errors.push(field(
                "to",
                "window_too_long",
                format!("the window spans at most {MAX_WINDOW_DAYS} days"),
            ));
        }
    }
    let detail = BoardDetail::parse(params.detail.as_deref());
    if detail.is_none() {
        errors.push(field(
            "detail",
            "invalid_detail",
            "`detail` is `summary` (the default) or `whole`",
        ));
    }
    let (Some(from), Some(to), Some(detail), true) = (from, to, detail, errors.is_empty()) else {
        return Err(Error::Validation(errors).into());
    };
    let company = session.me.company.id;
    let me = match viewer_of(&session) {
        Viewer::Dispatcher => {
            return dispatcher_answer(&state, (company, from, to), detail).await;
        }
        Viewer::Technician(me) => me,
    };
    // A technician's board holds their own calls only (domain::visibility); read after
    // the head, as the dispatcher's.
    let seq = live::log::head(&state.db, company).await?;
    let viewer = Viewer::Technician(me);
    let calls = store::technician_board(&state.db, company, me, from, to)
        .await?
        .iter()
        .filter_map(|c| CallView::for_company(c, company))
        .filter(|view| viewer.sees_on_board(view))
        .map(|view| serde_json::value::to_raw_value(&detail.shown(view)).map(Arc::from))
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(json_body(board_answer(from, to, seq, calls)?))
}

/// A dispatcher's board answer: the one kept when the company's head has not moved;
/// else built from the kept views ([`crate::board_cache`]) and kept.
async fn dispatcher_answer(
    state: &AppState,
    board: BoardKey,
    detail: BoardDetail,
) -> ApiResult<Response> {
    let (company, from, to) = board;
    let kept = state.board_cache.rows(board, detail);
    // Read before the calls, so every event up to it is in them (a later one may be too;
    // the app applies an event only when it is newer than the call it has).
    let (seq, changed) =
        live::log::head_and_changes(&state.db, company, kept.as_ref().map(|(at, _)| *at)).await?;
    if let Some(body) = state.board_cache.answer(board, detail, seq) {
        return Ok(json_body(body));
    }
    let since_kept = kept
        .zip(changed)
        .map(|((_, rows), changed)| (rows, changed));
    let rows = dispatcher_rows(state, board, since_kept).await?;
    let calls = dispatcher_board(state, company, &rows, detail).await?;
    let body = board_answer(from, to, seq, calls)?;
    state
        .board_cache
        .keep_answer(board, detail, seq, body.clone(), rows);
    Ok(json_body(body))
}

/// A JSON answer from its encoded body.
fn json_body(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// [`Board`] encoded, from the calls' encoded views.
fn board_answer(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    seq: i64,
    calls: Vec<Arc<RawValue>>,
) -> Result<Bytes, Error> {
    /// [`Board`] as sent (the schema is [`Board`]'s).
    #[derive(Serialize)]
    struct BoardAnswer {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        seq: i64,
        calls: Vec<Arc<RawValue>>,
    }
    serde_json::to_vec(&BoardAnswer {
        from,
        to,
        seq,
        calls,
    })
    .map(Bytes::from)
    .map_err(|e| Error::Internal(e.to_string()))
}

/// The `(call, version)` rows of a dispatcher's board: the rows of the answer kept at an
/// older head with the calls its events since name read again and placed by
/// [`in_board_window`] (`since_kept`: those rows and calls, when the log still held all
/// the events); else the whole board query ([`crate::board_cache`]).
async fn dispatcher_rows(
    state: &AppState,
    board: BoardKey,
    since_kept: Option<(board_cache::Rows, Vec<Uuid>)>,
) -> Result<board_cache::Rows, Error> {
    let (company, from, to) = board;
    let under_limit = |n: usize| i64::try_from(n).is_ok_and(|n| n < store::BOARD_LIMIT);
    // A board cut off at the limit has no complete rows to start from.
    if let Some((rows, changed)) = since_kept.filter(|(rows, _)| under_limit(rows.len())) {
        // Read (and their views kept) here: their versions changed.
        let read = store::for_board(&state.db, &changed).await?;
        state
            .board_cache
            .keep(company, &read, BoardDetail::Summary)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let changed: HashSet<Uuid, foldhash::fast::RandomState> = changed.into_iter().collect();
        let mut fresh: Vec<(Uuid, i64)> = rows
            .iter()
            .filter(|(call, _)| !changed.contains(call))
            .copied()
            .collect();
        fresh.extend(
            read.iter()
                .filter(|call| in_board_window(call, company, from, to))
                .map(|call| (call.id, call.version)),
        );
        if under_limit(fresh.len()) {
            return Ok(fresh.into());
        }
    }
    Ok(store::board(&state.db, company, from, to).await?.into())
}

/// The encoded views of a dispatcher's board in board order: the ones kept for the
/// versions in `rows`, the documents of the others read and kept
/// ([`crate::board_cache`]).
async fn dispatcher_board(
    state: &AppState,
    company: Uuid,
    rows: &[(Uuid, i64)],
    detail: BoardDetail,
) -> Result<Vec<Arc<RawValue>>, Error> {
    let mut lookup = state.board_cache.take(company, rows, detail);
    if !lookup.missing.is_empty() {
        let read = store::for_board(&state.db, &lookup.missing).await?;
        let shown = state
            .board_cache
            .keep(company, &read, detail)
            .map_err(|e| Error::Internal(e.to_string()))?;
        lookup.found.extend(shown);
    }
    lookup.found.sort_by_key(|(order, _)| *order);
    Ok(lookup.found.into_iter().map(|(_, json)| json).collect())
}

/// One call as this company sees it. A request another partner won answers with
/// `offer_state: taken`; a call the company was never offered is 404.
#[utoipa::path(
    get, path = "/api/v1/calls/{id}", tag = "calls",
    params(("id" = Uuid, Path, description = "The call's id")),
    responses(
        (status = 200, body = CallView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_call(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<ApiJson<CallView>> {
    let (_, view) = load_for(&state, call_id(&id)?, session.me.company.id).await?;
    // Another technician's call, or an offer, is not found for a technician.
    if !viewer_of(&session).sees(&view) {
        return Err(Error::NotFound.into());
    }
    Ok(ApiJson(view))
}

/// The call's history as this company may read it (`domain::view::history_for`), newest
/// first, each change with who made it (named when it is one of the company's people),
/// when, and the values before and after.
#[utoipa::path(
    get, path = "/api/v1/calls/{id}/history", tag = "calls",
    params(("id" = Uuid, Path, description = "The call's id")),
    responses(
        (status = 200, body = Vec<HistoryEntry>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn call_history(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<ApiJson<Vec<HistoryEntry>>> {
    let company = session.me.company.id;
    let (call, view) = load_for(&state, call_id(&id)?, company).await?;
    if !viewer_of(&session).sees(&view) {
        return Err(Error::NotFound.into());
    }
    let mut entries = history_for(&call, company).ok_or(Error::NotFound)?;
    let names = store::people_names(&state.db, company).await?;
    for entry in &mut entries {
        let person = match entry.actor {
            Actor::Dispatcher { user_id, .. } => Some(user_id),
            Actor::Technician { technician_id, .. } => Some(technician_id),
            Actor::Marketplace | Actor::System => None,
        };
        entry.actor_name = person.and_then(|p| names.get(&p).cloned());
    }
    Ok(ApiJson(entries))
}

/// Applies an unversioned command (accept, decline), re-reading and retrying when a
/// concurrent change got in first, so the answer always reflects the latest state.
async fn run_command(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    command: Command,
) -> ApiResult<CallView> {
    let id = call_id(raw_id)?;
    let company = session.me.company.id;
    let actor = actor_of(session);
    let guard = if command == Command::Accept {
        Guard::Unaccepted
    } else {
        Guard::Version
    };
    for _ in 0..MAX_ATTEMPTS {
        let (call, view) = load_for(state, id, company).await?;
        let (after, events) = apply(&call, command.clone(), &actor, Utc::now())
            .map_err(|e| refusal(e, Some(&view)))?;
        let after_view = CallView::for_company(&after, company).ok_or(Error::NotFound)?;
        if events.is_empty() || save_change(state, &call, &after, &events, guard).await? {
            tracing::info!(call = %id, %company, command = command.name(), version = after.version, "call changed");
            return Ok(after_view);
        }
    }
    Err(Error::Conflict {
        code: "busy",
        detail: "the call changed too often at once; try again".to_owned(),
        current: None,
    }
    .into())
}

/// Accepts the request for the caller's company. The first accept wins (one conditional
/// write, correct across server instances); accepting again is 200 for the winner and
/// 409 `already-accepted` for everyone else.
#[utoipa::path(
    post, path = "/api/v1/calls/{id}/accept", tag = "calls",
    params(("id" = Uuid, Path, description = "The call's id")),
    responses(
        (status = 200, description = "Won (or already won by this company)", body = CallView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already-accepted` by another partner, or `offer-declined`", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn accept_call(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<ApiJson<CallView>> {
    run_command(&state, &session, &id, Command::Accept)
        .await
        .map(ApiJson)
}

/// Declines the request for the caller's company; it leaves this company's board. When
/// every offered company declined, the marketplace has it back.
#[utoipa::path(
    post, path = "/api/v1/calls/{id}/decline", tag = "calls",
    params(("id" = Uuid, Path, description = "The call's id")),
    responses(
        (status = 200, body = CallView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn decline_call(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<ApiJson<CallView>> {
    run_command(&state, &session, &id, Command::Decline)
        .await
        .map(ApiJson)
}

/// Changes date/time, technician, "client called" or the agreed price, based on
/// `version`. A stale version is 409 `stale-version` with the call as it is now.
#[utoipa::path(
    patch, path = "/api/v1/calls/{id}", tag = "calls",
    params(("id" = Uuid, Path, description = "The call's id")),
    request_body = PatchCall,
    responses(
        (status = 200, body = CallView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`stale-version` (with `current`), `not-accepted`, …", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown or unverified technician", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn patch_call(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<PatchCall>,
) -> ApiResult<ApiJson<CallView>> {
    let id = call_id(&id)?;
    let company = session.me.company.id;
    let (call, view) = load_for(&state, id, company).await?;

    let mut errors = Vec::new();
    match &patch.slot {
        Some(None) => errors.push(field(
            "slot",
            "cannot_clear",
            "a date/time can be changed but not removed",
        )),
        Some(Some(slot)) => {
            errors.extend(slot.field_errors("slot"));
            errors.extend(
                state
                    .config
                    .slot_window
                    .field_errors(slot, Utc::now(), "slot"),
            );
        }
        None => {}
    }
    if patch.client_called == Some(false) && call.client_called {
        errors.push(field(
            "client_called",
            "cannot_unset",
            "a confirmed call to the client cannot be undone",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors).into());
    }
    if patch.version != call.version {
        return Err(refusal(
            DomainError::StaleVersion {
                expected: patch.version,
                current: call.version,
            },
            Some(&view),
        ));
    }

    let mut commands = Vec::new();
    if let Some(Some(slot)) = patch.slot {
        commands.push(Command::SetSlot { slot });
    }
    match patch.technician_id {
        Some(Some(tech)) => match technician_facts(&state.db, company, tech).await? {
            None => {
                return Err(Error::Validation(vec![field(
                    "technician_id",
                    "unknown_technician",
                    "no technician of your company has this id",
                )])
                .into())
            }
            Some((_, false)) => {
                return Err(Error::Validation(vec![field(
                    "technician_id",
                    "inactive_technician",
                    "the technician was deactivated",
                )])
                .into())
            }
            Some((facts, true)) => commands.push(Command::Assign { technician: facts }),
        },
        Some(None) => commands.push(Command::Unassign),
        None => {}
    }
    if patch.client_called == Some(true) {
        commands.push(Command::ConfirmClientCalled);
    }
    if let Some(price) = patch.agreed_price {
        commands.push(Command::ChangeAgreedPrice { price });
    }

    // One PATCH is one change (one version): a move of time and technician together is
    // also undone together.
    let actor = actor_of(&session);
    let (after, events) =
        apply_all(&call, commands, &actor, Utc::now()).map_err(|e| refusal(e, Some(&view)))?;
    if !events.is_empty() && !save_change(&state, &call, &after, &events, Guard::Version).await? {
        return Err(stale(&state, id, company, patch.version).await);
    }
    if !events.is_empty() {
        tracing::info!(call = %id, %company, version = after.version, "call patched");
    }
    let view = CallView::for_company(&after, company).ok_or(Error::NotFound)?;
    Ok(ApiJson(view))
}

/// The 409 `stale-version` answer after a concurrent change won the conditional write,
/// with the call as it is now.
async fn stale(state: &AppState, id: Uuid, company: Uuid, expected: i64) -> ApiError {
    let current = match store::find(&state.db, id).await {
        Ok(call) => call.and_then(|c| CallView::for_company(&c, company)),
        Err(e) => return e.into(),
    };
    let Some(current) = current else {
        return Error::NotFound.into();
    };
    refusal(
        DomainError::StaleVersion {
            expected,
            current: current.version,
        },
        Some(&current),
    )
}

/// Takes back the caller's own last move of the call (date/time and/or technician, one
/// change) within 10 seconds, based on `version`, the version that move produced. The
/// call gets its date/time (or none: undated again) and technician (or none) back. The
/// move's client and technician notifications were held for those 10 seconds; the undo
/// withdraws them, and when none had gone out yet, nobody hears of either change. The
/// boards hear of both.
#[utoipa::path(
    post, path = "/api/v1/calls/{id}/undo", tag = "calls",
    params(("id" = Uuid, Path, description = "The call's id")),
    request_body = UndoMoveRequest,
    responses(
        (status = 200, description = "The call as it was before the move", body = CallView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`stale-version` (with `current`); `undo-unavailable`: the last change is not the caller's own move, was undone already, is older than 10 seconds, or its technician is gone; `already-started`, …", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field of the wrong type; the technician to return to is no longer assignable", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn undo_move(
    session: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UndoMoveRequest>,
) -> ApiResult<ApiJson<CallView>> {
    let id = call_id(&id)?;
    let company = session.me.company.id;
    let (call, view) = load_for(&state, id, company).await?;
    call.check_version(request.version)
        .map_err(|e| refusal(e, Some(&view)))?;

    let actor = actor_of(&session);
    let now = Utc::now();
    let undo = undoable_move(&call, &actor, now).map_err(|e| refusal(e, Some(&view)))?;
    let technician = match undo.technician_id {
        Some(tech) if Some(tech) != call.technician_id => {
            match technician_facts(&state.db, company, tech).await? {
                Some((facts, true)) => Some(facts),
                // Deactivated (or deleted) since the move: there is no row to go back to.
                _ => return Err(refusal(DomainError::UndoUnavailable, Some(&view))),
            }
        }
        _ => None,
    };
    let (after, events) = apply(&call, Command::UndoMove { technician }, &actor, now)
        .map_err(|e| refusal(e, Some(&view)))?;
    let Some(withdrawal) =
        write_change(&state, &call, &after, &events, Guard::Version, Some(&undo)).await?
    else {
        return Err(stale(&state, id, company, request.version).await);
    };
    tracing::info!(
        call = %id, %company, undone = undo.version, version = after.version,
        withdrawn = withdrawal.map_or(0, |w| w.withdrawn),
        held = withdrawal.map_or(0, |w| w.held),
        "move undone"
    );
    let view = CallView::for_company(&after, company).ok_or(Error::NotFound)?;
    Ok(ApiJson(view))
}
