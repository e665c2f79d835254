//! Events: what changed, who changed it, when, and whom to tell.
//!
//! Every successful command yields one or more [`Event`]s, which are appended to the
//! call's history and returned to the caller. Each event carries the [`Notification`]s it
//! causes as plain data; the server only delivers them (through the mail outbox or a
//! push to the phone app) and never decides who is told.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::call::{CallAttempt, CancelReason, PaymentMethod, ReportNote, Status};
use crate::command::Actor;
use crate::money::Money;
use crate::order::OrderLine;
use crate::slot::TimeSlot;

/// One recorded change of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub call_id: Uuid,
    /// The call's version after the command that caused this event.
    pub version: i64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// The status before and after the command.
    pub status_before: Status,
    pub status_after: Status,
    /// What changed, with before/after values where there are any.
    pub change: Change,
    /// Whom to tell, and how.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<Notification>,
}

/// What changed. Serialised as `{"type": "slot_set", "before": …, "after": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// The request was offered to these companies.
    Offered {
        companies: Vec<Uuid>,
    },
    /// `company_id` won the request; every other open offer turned `taken`.
    Accepted {
        company_id: Uuid,
        taken_from: Vec<Uuid>,
    },
    /// `company_id` declined.
    Declined {
        company_id: Uuid,
    },
    /// Every offered company declined; the marketplace has the request back.
    ReturnedToMarketplace,
    ClientCalledConfirmed,
    SlotSet {
        before: Option<TimeSlot>,
        after: TimeSlot,
    },
    /// The date/time was removed again (only by undoing the move that defined it).
    SlotCleared {
        before: TimeSlot,
    },
    TechnicianAssigned {
        before: Option<Uuid>,
        after: Uuid,
    },
    TechnicianUnassigned {
        before: Uuid,
    },
    OrderLineAdded {
        line: OrderLine,
    },
    OrderLineRemoved {
        line: OrderLine,
    },
    AgreedPriceChanged {
        before: Money,
        after: Money,
    },
    ReportNoteAdded {
        note: ReportNote,
    },
    CallAttemptLogged {
        attempt: CallAttempt,
    },
    /// The move that made `version` was taken back; this change's other events restore
    /// the date/time and the technician it had changed. A move undone is never undone
    /// again (no redo).
    MoveUndone {
        version: i64,
    },
    Started,
    Closed {
        payment_method: PaymentMethod,
        total: Money,
    },
    /// Cancelled; with `redistribute` the call went back to the marketplace and
    /// `company_id` is excluded from it for good.
    Cancelled {
        company_id: Uuid,
        reason: CancelReason,
    },
}

/// Who receives a notification.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Recipient {
    /// The client, at the booking's e-mail address.
    ClientEmail,
    /// Every dispatcher of the company, at their personal e-mail addresses.
    CompanyDispatchers { company_id: Uuid },
    /// The company's own e-mail address (invoices, after check-out).
    CompanyEmail { company_id: Uuid },
    /// One technician's phone app.
    Technician { technician_id: Uuid },
    /// The marketplace, through its machine-to-machine callback.
    Marketplace,
}

/// How a notification travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Push,
    /// A call to the marketplace's API.
    Callback,
}

/// What a notification says; the server renders it in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotificationKind {
    /// To dispatchers: a new request with a deep link to it.
    NewRequest,
    /// To the client: this company accepted the request.
    RequestAccepted { company_id: Uuid },
    /// To the marketplace: every offered company declined.
    AllDeclined,
    /// To the client: the date/time was defined.
    ScheduleSet { slot: TimeSlot },
    /// To the client (and the technician): the date/time changed.
    ScheduleChanged { before: TimeSlot, after: TimeSlot },
    /// To the client: the date/time is open again (a move that had defined it was undone
    /// after its e-mail had gone out).
    ScheduleCleared { before: TimeSlot },
    /// To a technician: a call was assigned to them.
    Assigned,
    /// To a technician: a call was taken away from them (reassigned or unassigned).
    Unassigned,
    /// To the marketplace: a company gave the call up; offer it to others.
    Redistribute { excluded: Vec<Uuid> },
    /// To the client, the technician: the call was cancelled.
    CallCancelled { reason: CancelReason },
    /// To the client and the company e-mail: the call was completed.
    CallClosed { total: Money },
}

/// One message to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub recipient: Recipient,
    pub channel: Channel,
    pub kind: NotificationKind,
}

impl Notification {
    /// An e-mail to the client.
    pub fn client_email(kind: NotificationKind) -> Self {
        Notification {
            recipient: Recipient::ClientEmail,
            channel: Channel::Email,
            kind,
        }
    }

    /// An e-mail to every dispatcher of `company_id`.
    pub fn dispatchers_email(company_id: Uuid, kind: NotificationKind) -> Self {
        Notification {
            recipient: Recipient::CompanyDispatchers { company_id },
            channel: Channel::Email,
            kind,
        }
    }

    /// An e-mail to the company's own address.
    pub fn company_email(company_id: Uuid, kind: NotificationKind) -> Self {
        Notification {
            recipient: Recipient::CompanyEmail { company_id },
            channel: Channel::Email,
            kind,
        }
    }

    /// A push to a technician's phone.
    pub fn technician_push(technician_id: Uuid, kind: NotificationKind) -> Self {
        Notification {
            recipient: Recipient::Technician { technician_id },
            channel: Channel::Push,
            kind,
        }
    }

    /// A callback to the marketplace.
    pub fn marketplace(kind: NotificationKind) -> Self {
        Notification {
            recipient: Recipient::Marketplace,
            channel: Channel::Callback,
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_serialise_as_tagged_data() {
        let n = Notification::technician_push(Uuid::from_u128(5), NotificationKind::Assigned);

        let json = serde_json::to_value(&n).unwrap();

        assert_eq!(
            json,
            serde_json::json!({
                "recipient": {"to": "technician", "technician_id": "00000000-0000-0000-0000-000000000005"},
                "channel": "push",
                "kind": {"type": "assigned"}
            })
        );
        assert_eq!(serde_json::from_value::<Notification>(json).unwrap(), n);
    }
}
