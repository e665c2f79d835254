//! Live board events: what a change means for each company's board, the durable event
//! log ([`log`]), the fan-out to connected WebSockets ([`hub`]), and who of the company
//! is online and working on which call ([`presence`], ephemeral: never in the log).
//!
//! A change writes its events in the same transaction as the change itself, one per
//! company whose board it touches, each with that company's next sequence number. After
//! the commit the events reach the subscribers: on PostgreSQL through `NOTIFY` (delivered
//! on commit to every instance, each reading the event back from the table), on SQLite
//! (one instance) straight from memory. A subscriber that sees a gap reads the missing
//! events from the table, so order and completeness never depend on the fan-out path.

pub mod hub;
pub mod log;
pub mod presence;

use serde::Serialize;
use serde_json::{json, Map, Value};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{db::Engine, AppState};
use domain::{call::OfferState, call::ServiceCall, view::CallView};

pub use hub::{Fanout, Hub, LiveEvent, PresenceGuard, WhichSessions};

/// The `type` of every event a board receives.
pub mod kind {
    /// A request newly offered to the company (the intake, or a redistribution).
    pub const NEW_OFFER: &str = "new_offer";
    /// A call on the board changed; `call` is the company's whole new view of it.
    pub const CALL_CHANGED: &str = "call_changed";
    /// Another partner accepted the request first: it leaves this board.
    pub const OFFER_TAKEN: &str = "offer_taken";
    /// The call left the board (declined, given up, cancelled, closed).
    pub const CALL_REMOVED: &str = "call_removed";
    /// A technician of the company changed (name, skills, verification, active).
    pub const TECHNICIAN_CHANGED: &str = "technician_changed";
    /// Sent instead of events when the client's `since` is older than the kept log.
    pub const RELOAD: &str = "reload";
    /// Sent once the backlog is through: `seq` is where the client now stands.
    pub const READY: &str = "ready";
}

/// What a change of one call means for `company`'s board, or `None` when that board
/// does not notice it.
fn board_event(
    before: Option<&ServiceCall>,
    after: &ServiceCall,
    company: Uuid,
) -> Option<(&'static str, Option<CallView>)> {
    let was = before.and_then(|b| CallView::for_company(b, company));
    let now = CallView::for_company(after, company);
    let was_on = was.as_ref().is_some_and(CallView::on_board);
    let is_on = now.as_ref().is_some_and(CallView::on_board);
    match (was_on, is_on) {
        (false, true) => {
            let offered = now
                .as_ref()
                .is_some_and(|v| v.offer_state == OfferState::Offered);
            Some((
                if offered {
                    kind::NEW_OFFER
                } else {
                    kind::CALL_CHANGED
                },
                now,
            ))
        }
        (true, true) => (was != now).then_some((kind::CALL_CHANGED, now)),
        (true, false) => {
            let taken = now
                .as_ref()
                .is_some_and(|v| v.offer_state == OfferState::Taken);
            Some((
                if taken {
                    kind::OFFER_TAKEN
                } else {
                    kind::CALL_REMOVED
                },
                now,
            ))
        }
        (false, false) => None,
    }
}

/// Writes the events of one call change (from `before`, `None` for a new call, to
/// `after`) inside the caller's transaction. Hand the result to [`Hub::after_commit`]
/// once the transaction has committed.
pub async fn record_call_change(
    conn: &mut AnyConnection,
    engine: Engine,
    before: Option<&ServiceCall>,
    after: &ServiceCall,
) -> Result<log::Appended, sqlx::Error> {
    let mut companies: Vec<Uuid> = Vec::new();
    for offer in before.iter().flat_map(|b| &b.offers).chain(&after.offers) {
        if !companies.contains(&offer.company_id) {
            companies.push(offer.company_id);
        }
    }
    // One lock order on the `company_seq` rows for every writer: no deadlocks.
    companies.sort_unstable();
    let mut events = Vec::new();
    for company in companies {
        let Some((kind, view)) = board_event(before, after, company) else {
            continue;
        };
        let mut data = Map::new();
        data.insert("call_id".into(), json!(after.id));
        if let Some(view) = view {
            data.insert(
                "call".into(),
                serde_json::to_value(view).map_err(|e| sqlx::Error::Encode(Box::new(e)))?,
            );
        }
        events.push(log::NewEvent {
            company,
            kind,
            call_id: Some(after.id),
            data,
        });
    }
    log::append_all(conn, engine, &events).await
}

/// Writes a `technician_changed` event for `company` inside the caller's transaction
/// (`technician` is the team API's JSON of the technician). Hand the result to
/// [`Hub::after_commit`] once committed.
pub async fn record_technician_changed(
    conn: &mut AnyConnection,
    engine: Engine,
    company: Uuid,
    technician_id: Uuid,
    technician: &impl Serialize,
) -> Result<log::Appended, sqlx::Error> {
    let mut data = Map::new();
    data.insert("technician_id".into(), json!(technician_id));
    data.insert(
        "technician".into(),
        serde_json::to_value(technician).map_err(|e| sqlx::Error::Encode(Box::new(e)))?,
    );
    log::append(conn, engine, company, kind::TECHNICIAN_CHANGED, None, data).await
}

/// Tells every board of `company` that a technician changed, in a transaction of its
/// own (for changes already committed; inside a transaction use
/// [`record_technician_changed`]).
pub async fn publish_technician_changed(
    state: &AppState,
    company: Uuid,
    technician_id: Uuid,
    technician: &impl Serialize,
) -> Result<(), sqlx::Error> {
    let mut tx = state.db.pool.begin().await?;
    let event =
        record_technician_changed(&mut tx, state.db.engine, company, technician_id, technician)
            .await?;
    tx.commit().await?;
    state.live.after_commit(event);
    Ok(())
}

/// A message without a sequence number (`reload`, `ready`).
pub fn control_message(kind: &str, seq: i64) -> String {
    let mut message = Map::new();
    message.insert("type".into(), Value::from(kind));
    message.insert("seq".into(), Value::from(seq));
    Value::Object(message).to_string()
}
