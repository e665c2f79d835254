//! The queue of changes made while the server could not be reached: what a queued
//! change is ([`Intent`]), how it looks on the board before the server has it
//! ([`Change::optimistic`]), where it is kept (IndexedDB `relay-queue`, one list per
//! user, outliving reloads, browser restarts and sign-out), and how it is sent: always
//! with the `Idempotency-Key` made once when the change was made, so a repeat after a
//! lost answer gets the server's stored answer instead of making the change twice.
//!
//! Only changes that replay safely are queued: moves and reassignments, "client called"
//! and the agreed price (`PATCH` with the version they were based on, so a colleague's
//! change in between is a 409, never overwritten), work-report notes and order lines.
//! Accepting, declining, closing, cancelling and team changes need the server's answer
//! now and are never queued (`crate::offline`).

use chrono::{DateTime, Utc};
use domain::{
    api::{
        calls::PatchCall,
        orders::{AddLine, NewReportNote},
    },
    call::ReportNote,
    command::Actor,
    view::CallView,
};
use gloo_net::http::Method;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{http, offline_store, ApiError};

/// The IndexedDB database of the queue (apart from `relay-offline`, which sign-out clears).
const DATABASE: &str = "relay-queue";

/// What a queued change does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// Date/time, technician, "client called", agreed price.
    Patch(PatchCall),
    /// A work-report note.
    ReportNote(NewReportNote),
    /// Extra time units, a material or a discount.
    AddLine(AddLine),
}

impl Change {
    /// The version this change is based on, when it carries one.
    pub fn version(&self) -> Option<i64> {
        match self {
            Self::Patch(p) => Some(p.version),
            Self::ReportNote(n) => n.version,
            Self::AddLine(l) => Some(l.version),
        }
    }

    /// The same change based on `version` (after an earlier change of the same call
    /// from this queue went through, or "Apply mine" on a conflict).
    #[must_use]
    pub fn rebased(&self, version: i64) -> Self {
        let mut change = self.clone();
        match &mut change {
            Self::Patch(p) => p.version = version,
            Self::ReportNote(n) => {
                if n.version.is_some() {
                    n.version = Some(version);
                }
            }
            Self::AddLine(l) => l.version = version,
        }
        change
    }

    /// The call as it will be once the server has the change, as far as the app can
    /// tell without it: a new line is priced and totalled by the domain's own rule
    /// ([`domain::order::line_of`]); one the server would refuse is left out (its
    /// refusal comes when the queue is sent).
    pub fn optimistic(&self, call: &CallView, by: &Actor, at: DateTime<Utc>) -> CallView {
        match self {
            Self::Patch(p) => {
                let slot = p.slot.unwrap_or(call.slot);
                let technician = p.technician_id.unwrap_or(call.technician_id);
                let mut view = call.clone();
                if p.client_called == Some(true) {
                    view.client_called = true;
                }
                view.moved(slot, technician)
            }
            Self::ReportNote(n) => {
                let mut view = call.clone();
                view.report_notes.push(ReportNote {
                    at,
                    by: by.clone(),
                    text: n.text.clone(),
                });
                view
            }
            Self::AddLine(l) => {
                let mut view = call.clone();
                let line = l
                    .command(l.line_id.unwrap_or_default())
                    .ok()
                    .and_then(|c| domain::order::line_of(&c, &view.service))
                    .and_then(Result::ok);
                if let Some(line) = line {
                    // A refused line (another currency, a total below zero) stays out. On
                    // a board answer's summary it counts into the total it carries.
                    let _ = view.add_order_line(line);
                }
                view
            }
        }
    }

    fn request(&self, call: Uuid) -> (Method, String, serde_json::Value) {
        let (method, path, body) = match self {
            Self::Patch(p) => (
                Method::PATCH,
                format!("/api/v1/calls/{call}"),
                serde_json::to_value(p),
            ),
            Self::ReportNote(n) => (
                Method::POST,
                format!("/api/v1/calls/{call}/report"),
                serde_json::to_value(n),
            ),
            Self::AddLine(l) => (
                Method::POST,
                format!("/api/v1/calls/{call}/order/lines"),
                serde_json::to_value(l),
            ),
        };
        (method, path, body.unwrap_or_default())
    }
}

/// One change waiting for the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    /// The `Idempotency-Key` of every attempt to send this change.
    pub key: Uuid,
    pub call_id: Uuid,
    pub change: Change,
    /// The call as the board had it when the change was made (to go back to on Discard).
    pub before: CallView,
    /// Who made it (the author of an optimistic report note).
    pub by: Actor,
    pub queued_at: DateTime<Utc>,
    /// Set when the server refused the change because the call changed meanwhile: the
    /// call as it is now, for the conflict card.
    #[serde(default)]
    pub conflict: Option<CallView>,
}

impl Intent {
    /// A new intent with a key of its own.
    pub fn new(before: CallView, change: Change, by: Actor) -> Self {
        Self {
            key: Uuid::new_v4(),
            call_id: before.id,
            change,
            before,
            by,
            queued_at: Utc::now(),
            conflict: None,
        }
    }
}

fn queue_key(user: Uuid) -> String {
    format!("queue:{user}")
}

/// `user`'s queue as kept (empty when nothing is, or IndexedDB is unavailable).
pub async fn load(user: Uuid) -> Vec<Intent> {
    offline_store::get_in(DATABASE, &queue_key(user))
        .await
        .unwrap_or_default()
}

/// Keeps `user`'s queue; `false` when the browser refused to store it.
pub async fn save(user: Uuid, intents: &[Intent]) -> bool {
    // The mark of a queue that may hold changes (`may_hold_changes`) is set before a
    // non-empty queue is stored and removed only after an empty one is: whatever happens
    // in between, it errs towards "may hold changes".
    if !intents.is_empty() {
        set_holds_changes(user, true);
    }
    let saved = offline_store::put_in(DATABASE, &queue_key(user), &intents).await;
    if saved && intents.is_empty() {
        set_holds_changes(user, false);
    }
    saved
}

fn holds_changes_key(user: Uuid) -> String {
    format!("relay.queue-holds-changes:{user}")
}

fn set_holds_changes(user: Uuid, holds: bool) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let key = holds_changes_key(user);
    let _ = if holds {
        storage.set_item(&key, "1")
    } else {
        storage.remove_item(&key)
    };
}

/// Whether `user`'s queue may hold changes, answered at once (from `localStorage`,
/// kept by [`save`] and [`mark_read`]): `false` only when it is known to be empty. A cold
/// load's first board waits for the queue only then: opening a fresh IndexedDB database
/// takes a cold browser profile tens of milliseconds, which an empty queue — nearly
/// every load — need not cost the first paint. Unknown (no storage) counts as "may".
pub fn may_hold_changes(user: Uuid) -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_none_or(|storage| {
            storage
                .get_item(&holds_changes_key(user))
                .ok()
                .flatten()
                .is_some()
        })
}

/// Records that a read of `user`'s queue found changes (a queue kept before the mark
/// existed gets it here). Only [`save`] of an empty queue removes the mark: a read that
/// found none may already be older than another tab's new change.
pub fn mark_read(user: Uuid, intents: &[Intent]) {
    if !intents.is_empty() {
        set_holds_changes(user, true);
    }
}

/// Whether the browser can keep a queue at all (IndexedDB present and writable). Probes
/// a key of its own: rewriting the queue here could undo another tab's change to it.
pub async fn available(user: Uuid) -> bool {
    offline_store::put_in(DATABASE, &format!("probe:{user}"), &true).await
}

/// Sends `intent` with its key; the answer is the call as the server has it after the
/// change (the stored answer, when the server had the change already).
pub async fn send(intent: &Intent) -> Result<CallView, ApiError> {
    send_change(intent.call_id, &intent.change, intent.key).await
}

/// Sends `change` of call `call` with the `Idempotency-Key` `key`.
pub async fn send_change(call: Uuid, change: &Change, key: Uuid) -> Result<CallView, ApiError> {
    let (method, path, body) = change.request(call);
    http::send_keyed(method, &path, &key.to_string(), Some(&body)).await
}

/// `call` with the queued changes of it applied on top, in order (the board's view of a
/// call while changes to it wait).
pub fn overlay(call: CallView, intents: &[Intent]) -> CallView {
    let id = call.id;
    intents
        .iter()
        .filter(|i| i.call_id == id && i.conflict.is_none())
        .fold(call, |view, i| {
            i.change.optimistic(&view, &i.by, i.queued_at)
        })
}

/// `board` as this user's board shows it: every call with its queued changes (`intents`,
/// the user's queue as [`load`] reads it) on top, so a reload (online or not) keeps
/// showing what the dispatcher did.
pub fn overlay_board(intents: &[Intent], board: &mut domain::api::calls::Board) {
    if intents.is_empty() {
        return;
    }
    board.calls = std::mem::take(&mut board.calls)
        .into_iter()
        .map(|call| overlay(call, intents))
        .collect();
}
