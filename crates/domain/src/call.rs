//! The service-call aggregate: one document holding everything about one booking.
//!
//! A [`ServiceCall`] is created from a [`BookingRequest`] and then only changed through
//! [`crate::flow::apply`], which checks the rules and records an [`Event`] for every
//! change. The server stores it as a JSON document and returns it from the API; its
//! `colour` and its order's `total` are derived values refreshed by every change.
//!
//! Statuses, in the order of the flow:
//!
//! ```text
//!  with_marketplace ──offer──▶ requested ──accept──▶ accepted ──start──▶ in_progress
//!        ▲                        │                    │  │                 │  │
//!        └──── every offer declined ┘                    │  └─────close───────┼──┴▶ closed
//!        └──────────── cancel: can't help, redistribute ─┴────────────────────┤
//!                               cancel: client didn't answer / cancelled ─────┴──▶ cancelled
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::booking::{BookingRequest, Client, ServiceType};
use crate::colour::{colour_of, Colour};
use crate::command::Actor;
use crate::error::{DomainError, ReadinessGap};
use crate::event::Event;
use crate::order::Order;
use crate::slot::TimeSlot;

/// Where a call is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Held by the marketplace, offered to nobody: just created, every offer declined, or
    /// given up for redistribution. The next step is an `Offer`.
    WithMarketplace,
    /// Offered to one or more companies; nobody has accepted yet.
    Requested,
    /// A company won the request; the tasks (date/time, technician, call) follow.
    Accepted,
    /// The technician has started the work.
    InProgress,
    /// Completed and paid (final).
    Closed,
    /// Cancelled because the client didn't answer or cancelled (final).
    Cancelled,
}

impl Status {
    /// Closed and cancelled calls never change again.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Cancelled)
    }
}

/// Where one company's offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    /// On the company's board, blue, waiting for accept or decline.
    Offered,
    /// The company said no; it vanished from its board.
    Declined,
    /// Another company accepted first.
    Taken,
    /// This company accepted first and owns the call.
    Won,
    /// This company won, then gave the call up for redistribution; it is never offered
    /// the call again.
    GaveUp,
}

/// The request as offered to one company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Offer {
    pub company_id: Uuid,
    pub state: OfferState,
    pub offered_at: DateTime<Utc>,
    /// When the state last changed from `offered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
}

/// The result of a phone call to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Spoke to the client: completes the "call client" task.
    Reached,
    /// Nobody answered: allows the "client didn't answer" cancellation.
    NoAnswer,
}

/// One logged attempt to call the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallAttempt {
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub outcome: CallOutcome,
}

/// A work-report note: what was done, e.g. why time or material was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportNote {
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub text: String,
}

/// How the client pays when the call is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Online credit card; needs the client's signature.
    OnlineCard,
    Cash,
    Invoice,
}

/// The completion of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Closure {
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub payment_method: PaymentMethod,
    /// The client's signature (e.g. an SVG path or a data URL) for online card payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The final price: the order total at closing.
    pub total: crate::money::Money,
}

/// Why a company cancels a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// "Can't help the client, please redistribute": the request goes back to the
    /// marketplace and is offered to other companies, never to this one again.
    Redistribute,
    /// The client could not be reached (needs a logged "no answer" attempt).
    ClientDidNotAnswer,
    /// The client called it off.
    ClientCancelled,
}

/// A cancellation, final or for redistribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cancellation {
    pub at: DateTime<Utc>,
    pub by: Actor,
    /// The company that cancelled.
    pub company_id: Uuid,
    pub reason: CancelReason,
}

/// One service call: the booking, the race for it, the tasks, the order and the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceCall {
    /// The call's id everywhere (answered by the intake endpoint).
    pub id: Uuid,
    /// The marketplace's booking id (idempotency key of the intake).
    pub external_id: String,
    /// Starts at 1 and grows by one with every change; the API's optimistic-concurrency
    /// token (see [`ServiceCall::check_version`]).
    pub version: i64,
    pub status: Status,
    /// Derived from the state by [`colour_of`]; refreshed by every change.
    pub colour: Colour,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub service: ServiceType,
    pub client: Client,
    #[serde(default)]
    pub notes: Option<String>,
    /// When the work happens; `None` until the client and the company agree on one.
    pub slot: Option<TimeSlot>,
    /// The assigned technician (always a verified one of `accepted_by` when assigned).
    pub technician_id: Option<Uuid>,
    /// Whether someone (dispatcher or technician) has spoken to the client.
    pub client_called: bool,
    /// Every company the request was offered to, and where each offer stands.
    pub offers: Vec<Offer>,
    /// The company that won the request (the one whose offer is `won`).
    pub accepted_by: Option<Uuid>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub order: Order,
    pub call_attempts: Vec<CallAttempt>,
    pub report_notes: Vec<ReportNote>,
    pub started_at: Option<DateTime<Utc>>,
    pub closure: Option<Closure>,
    /// The final cancellation, or the last redistribution.
    pub cancellation: Option<Cancellation>,
    /// Companies that gave the call up; it is never offered to them again.
    pub excluded_companies: Vec<Uuid>,
    /// Every change, oldest first.
    pub history: Vec<Event>,
}

impl ServiceCall {
    /// A new call held by the marketplace, before it is offered to anyone: version 1,
    /// the package at its recommended price. Validate the booking first
    /// ([`BookingRequest::validate`]); offering it is the next step
    /// ([`crate::command::Command::Offer`]).
    pub fn new(id: Uuid, booking: BookingRequest, now: DateTime<Utc>) -> Self {
        let order = Order::for_service(&booking.service);
        let mut call = ServiceCall {
            id,
            external_id: booking.external_id,
            version: 1,
            status: Status::WithMarketplace,
            colour: Colour::Blue,
            created_at: now,
            updated_at: now,
            service: booking.service,
            client: booking.client,
            notes: booking.notes,
            slot: booking.slot,
            technician_id: None,
            client_called: false,
            offers: Vec::new(),
            accepted_by: None,
            accepted_at: None,
            order,
            call_attempts: Vec::new(),
            report_notes: Vec::new(),
            started_at: None,
            closure: None,
            cancellation: None,
            excluded_companies: Vec::new(),
            history: Vec::new(),
        };
        call.refresh();
        call
    }

    /// Recomputes the derived fields (`colour`, `order.total`). [`crate::flow::apply`]
    /// does this after every change; call it after loading a document written by an
    /// older version.
    pub fn refresh(&mut self) {
        self.colour = colour_of(self);
        if let Ok(total) = self.order.sum() {
            self.order.total = total;
        }
    }

    /// The offer made to `company`, if any.
    pub fn offer_for(&self, company: Uuid) -> Option<&Offer> {
        self.offers.iter().find(|o| o.company_id == company)
    }

    /// Whether the call has a date/time, a technician and a called client (green).
    pub fn is_ready(&self) -> bool {
        self.readiness_gaps().is_empty()
    }

    /// What is still missing before the call is ready.
    pub fn readiness_gaps(&self) -> Vec<ReadinessGap> {
        let mut gaps = Vec::new();
        if self.slot.is_none() {
            gaps.push(ReadinessGap::NoSlot);
        }
        if self.technician_id.is_none() {
            gaps.push(ReadinessGap::NoTechnician);
        }
        if !self.client_called {
            gaps.push(ReadinessGap::ClientNotCalled);
        }
        gaps
    }

    /// Whether `company` has been excluded by giving the call up.
    pub fn is_excluded(&self, company: Uuid) -> bool {
        self.excluded_companies.contains(&company)
    }

    /// Refuses a change based on another version than the current one (the API answers
    /// 409 with the current call).
    pub fn check_version(&self, expected: i64) -> Result<(), DomainError> {
        if expected == self.version {
            Ok(())
        } else {
            Err(DomainError::StaleVersion {
                expected,
                current: self.version,
            })
        }
    }

    /// Whether `company` may see this call at all (tenancy): it was offered the call and
    /// neither declined it, lost the race nor gave it up. Everyone else gets 404.
    pub fn visible_to(&self, company: Uuid) -> bool {
        match self.offer_for(company).map(|o| o.state) {
            Some(OfferState::Won) => true,
            Some(OfferState::Offered) => self.status == Status::Requested,
            _ => false,
        }
    }
}

/// The ids of `technician`'s other calls whose slots overlap `slot` (closed and
/// cancelled calls and `except`, the call being moved, are ignored): the warning shown
/// before a drag onto a technician's row is confirmed.
pub fn technician_conflicts<'a, I>(
    calls: I,
    technician: Uuid,
    slot: &TimeSlot,
    except: Uuid,
) -> Vec<Uuid>
where
    I: IntoIterator<Item = &'a ServiceCall>,
{
    let busy = calls.into_iter().filter_map(|c| {
        let counts = c.id != except
            && c.technician_id == Some(technician)
            && matches!(c.status, Status::Accepted | Status::InProgress);
        c.slot.as_ref().filter(|_| counts).map(|s| (c.id, s))
    });
    crate::slot::overlapping(slot, busy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_call_is_with_the_marketplace_at_version_one() {
        let booking: BookingRequest =
            serde_json::from_str(crate::booking::tests::DESIGN_EXAMPLE).unwrap();
        let now = "2026-11-20T08:00:00Z".parse().unwrap();

        let call = ServiceCall::new(Uuid::from_u128(7), booking, now);

        assert_eq!(call.version, 1);
        assert_eq!(call.status, Status::WithMarketplace);
        assert_eq!(call.colour, Colour::Blue);
        assert_eq!(call.order.total.amount_minor, 12000);
        assert!(call.slot.is_some());
        assert_eq!(
            call.readiness_gaps(),
            vec![ReadinessGap::NoTechnician, ReadinessGap::ClientNotCalled]
        );
        assert_eq!(call.check_version(1), Ok(()));
        assert_eq!(call.check_version(0).unwrap_err().code(), "stale-version");
    }

    #[test]
    fn technician_conflicts_ignore_other_technicians_and_finished_calls() {
        use crate::testkit::{slot, ANNA, BEN};
        // Arrange: Anna has 09:00-10:00 and 13:00-14:00; Ben 09:00-10:00; one of
        // Anna's is cancelled.
        let booking: BookingRequest =
            serde_json::from_str(crate::booking::tests::DESIGN_EXAMPLE).unwrap();
        let now = "2026-11-20T08:00:00Z".parse().unwrap();
        let mk = |n: u128, tech: Uuid, start: &str, end: &str, status: Status| {
            let mut c = ServiceCall::new(Uuid::from_u128(n), booking.clone(), now);
            c.status = status;
            c.technician_id = Some(tech);
            c.slot = Some(slot(start, end));
            c
        };
        let calls = [
            mk(
                1,
                ANNA,
                "2026-11-24T09:00:00Z",
                "2026-11-24T10:00:00Z",
                Status::Accepted,
            ),
            mk(
                2,
                ANNA,
                "2026-11-24T13:00:00Z",
                "2026-11-24T14:00:00Z",
                Status::InProgress,
            ),
            mk(
                3,
                BEN,
                "2026-11-24T09:00:00Z",
                "2026-11-24T10:00:00Z",
                Status::Accepted,
            ),
            mk(
                4,
                ANNA,
                "2026-11-24T09:30:00Z",
                "2026-11-24T10:30:00Z",
                Status::Cancelled,
            ),
        ];
        let moving = slot("2026-11-24T09:45:00Z", "2026-11-24T13:15:00Z");

        // Act
        let hits = technician_conflicts(&calls, ANNA, &moving, Uuid::from_u128(9));
        let self_ignored = technician_conflicts(&calls, ANNA, &moving, Uuid::from_u128(1));

        // Assert
        assert_eq!(hits, vec![Uuid::from_u128(1), Uuid::from_u128(2)]);
        assert_eq!(self_ignored, vec![Uuid::from_u128(2)]);
    }

    #[test]
    fn api_fields_are_present_in_json() {
        let booking: BookingRequest =
            serde_json::from_str(crate::booking::tests::DESIGN_EXAMPLE).unwrap();
        let call = ServiceCall::new(
            Uuid::from_u128(7),
            booking,
            "2026-11-20T08:00:00Z".parse().unwrap(),
        );

        let json = serde_json::to_value(&call).unwrap();

        for key in [
            "id",
            "version",
            "status",
            "colour",
            "slot",
            "technician_id",
            "client_called",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["status"], "with_marketplace");
        assert_eq!(json["colour"], "blue");
        assert_eq!(json["slot"]["start"], "2026-11-24T09:00:00Z");
        let back: ServiceCall = serde_json::from_value(json).unwrap();
        assert_eq!(back, call);
    }
}
