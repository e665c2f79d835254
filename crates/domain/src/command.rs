//! Who acts ([`Actor`]) and what they ask for ([`Command`]).
//!
//! Commands carry everything the rules need, because the domain does no I/O: the
//! technician's facts for an assignment, caller-made ids for new order lines (so a retried
//! request cannot add a line twice), the companies to offer a request to.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::call::{CallOutcome, CancelReason, PaymentMethod};
use crate::money::Money;
use crate::slot::TimeSlot;
use crate::technician::TechnicianFacts;

/// Who performs a command. Recorded in every event and note.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A signed-in dispatcher working the board of `company_id`.
    Dispatcher { user_id: Uuid, company_id: Uuid },
    /// A technician of `company_id`, from the phone app.
    Technician {
        technician_id: Uuid,
        company_id: Uuid,
    },
    /// The marketplace, through the machine-to-machine API.
    Marketplace,
    /// The server itself (timers, migrations).
    System,
}

impl Actor {
    /// The company the actor works for, if any.
    pub fn company_id(&self) -> Option<Uuid> {
        match self {
            Actor::Dispatcher { company_id, .. } | Actor::Technician { company_id, .. } => {
                Some(*company_id)
            }
            Actor::Marketplace | Actor::System => None,
        }
    }
}

/// Something an actor wants to do with a call; see [`crate::flow::apply`] for who may do
/// what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Offer the request to these companies (marketplace or system). Companies that gave
    /// the call up are skipped, and so are those already holding an open offer or that
    /// declined in the current round.
    Offer { companies: Vec<Uuid> },
    /// Accept the request for the dispatcher's company: the first accept wins.
    Accept,
    /// Decline the request for the dispatcher's company.
    Decline,
    /// Someone spoke to the client (dispatcher or the assigned technician).
    ConfirmClientCalled,
    /// Define or change the date/time (dispatcher or the assigned technician).
    SetSlot { slot: TimeSlot },
    /// Assign or reassign the call to a technician of the winning company (dispatcher).
    Assign { technician: TechnicianFacts },
    /// Take the call away from its technician (dispatcher).
    Unassign,
    /// Take back the dispatcher's own last move (date/time and/or technician) within
    /// [`crate::flow::UNDO_WINDOW`] ([`crate::flow::undoable_move`] says what it
    /// restores). `technician` carries the facts of the technician to return to when
    /// that is another one than now (the server loads them); the rules are checked again.
    UndoMove {
        #[serde(default)]
        technician: Option<TechnicianFacts>,
    },
    /// Add extra 30-minute units. `unit_price` defaults to
    /// [`crate::order::extra_unit_price`].
    AddTimeUnits {
        line_id: Uuid,
        quantity: u32,
        #[serde(default)]
        unit_price: Option<Money>,
    },
    /// Add material costs.
    AddMaterial {
        line_id: Uuid,
        description: String,
        quantity: u32,
        unit_price: Money,
    },
    /// Give a discount of `amount` (positive; it is subtracted).
    AddDiscount {
        line_id: Uuid,
        description: String,
        amount: Money,
    },
    /// Remove a time-unit, material or discount line.
    RemoveLine { line_id: Uuid },
    /// Change the agreed package price.
    ChangeAgreedPrice { price: Money },
    /// Add a work-report note.
    AddReportNote { text: String },
    /// Log a phone call to the client; `reached` also confirms the client was called.
    LogCallAttempt { outcome: CallOutcome },
    /// The technician starts the work (needs a ready call).
    Start,
    /// Complete the call. Online card payment needs the client's `signature`.
    Close {
        payment_method: PaymentMethod,
        #[serde(default)]
        signature: Option<String>,
    },
    /// Cancel with one of the three reasons.
    Cancel { reason: CancelReason },
}

impl Command {
    /// A short snake_case name, for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Offer { .. } => "offer",
            Command::Accept => "accept",
            Command::Decline => "decline",
            Command::ConfirmClientCalled => "confirm_client_called",
            Command::SetSlot { .. } => "set_slot",
            Command::Assign { .. } => "assign",
            Command::Unassign => "unassign",
            Command::UndoMove { .. } => "undo_move",
            Command::AddTimeUnits { .. } => "add_time_units",
            Command::AddMaterial { .. } => "add_material",
            Command::AddDiscount { .. } => "add_discount",
            Command::RemoveLine { .. } => "remove_line",
            Command::ChangeAgreedPrice { .. } => "change_agreed_price",
            Command::AddReportNote { .. } => "add_report_note",
            Command::LogCallAttempt { .. } => "log_call_attempt",
            Command::Start => "start",
            Command::Close { .. } => "close",
            Command::Cancel { .. } => "cancel",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_and_commands_have_tagged_json() {
        let actor = Actor::Dispatcher {
            user_id: Uuid::from_u128(1),
            company_id: Uuid::from_u128(2),
        };
        let cmd = Command::Cancel {
            reason: CancelReason::ClientDidNotAnswer,
        };

        let a = serde_json::to_value(&actor).unwrap();
        let c = serde_json::to_value(&cmd).unwrap();

        assert_eq!(a["kind"], "dispatcher");
        assert_eq!(
            c,
            serde_json::json!({"type": "cancel", "reason": "client_did_not_answer"})
        );
        assert_eq!(cmd.name(), "cancel");
        assert_eq!(actor.company_id(), Some(Uuid::from_u128(2)));
        assert_eq!(Actor::Marketplace.company_id(), None);
    }
}
