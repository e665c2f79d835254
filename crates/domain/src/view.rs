//! What one company may see of a call: the API never returns the raw aggregate, only
//! [`CallView::for_company`]. Client contact data and the order appear only once the
//! company has won the call; other companies' offers never appear; a call another
//! partner took shows as `offer_state: taken` so the board can say so.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    booking::{Client, ServiceType},
    call::{CallAttempt, Cancellation, Closure, OfferState, ReportNote, ServiceCall, Status},
    colour::{board_view, Colour, Place, Placement},
    command::Actor,
    event::Change,
    order::{Order, TIME_UNIT_MINUTES},
    slot::TimeSlot,
};

/// Where the client lives, without contact data: enough to decide whether to accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientArea {
    pub postcode: String,
    pub city: String,
    pub country: String,
}

/// A call as one company sees it (every call endpoint answers with this). What a call
/// does not have yet (notes, an order, call attempts, work-report notes, a closure, a
/// cancellation) is left out of the JSON rather than spelt `null` or `[]`: a board
/// answer of thousands of calls is that much shorter to send and to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallView {
    pub id: Uuid,
    /// Send it back with every change; a stale one is answered 409.
    pub version: i64,
    pub status: Status,
    /// The call's colour (blue, white, orange, green).
    pub colour: Colour,
    /// Where it shows on this company's board, each place with its colour.
    pub placements: Vec<Placement>,
    /// This company's offer: `offered` (accept or decline), `won`, `taken` (another
    /// partner accepted first), `declined`, `gave_up`.
    pub offer_state: OfferState,
    pub service: ServiceType,
    pub client_area: ClientArea,
    /// Name, phone, e-mail and street: only after this company accepted.
    pub client: Option<Client>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub slot: Option<TimeSlot>,
    pub technician_id: Option<Uuid>,
    pub client_called: bool,
    /// The order (lines and total): only after this company accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub call_attempts: Vec<CallAttempt>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_notes: Vec<ReportNote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure: Option<Closure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Cancellation>,
    /// When the request reached this company (its offer was made): the lists order by
    /// it and show it as "3 min ago".
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::instant::utc_option"
    )]
    pub offered_at: Option<DateTime<Utc>>,
    /// `true` in a board answer: the call as the board draws it ([`CallView::summary`]),
    /// without what only its detail shows. `GET /api/v1/calls/{id}` answers it whole.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub summary: bool,
}

impl CallView {
    /// The call as `company` sees it, or `None` when the company has no business with it
    /// (never offered it, or the call went back to the marketplace after it declined, or
    /// the company gave it up for redistribution: it never sees that call again).
    pub fn for_company(call: &ServiceCall, company: Uuid) -> Option<Self> {
        if call.offer_for(company)?.state == OfferState::GaveUp {
            return None;
        }
        Self::build(call, company)
    }

    /// The answer to the company that has just given `call` up for redistribution: its
    /// last look at it (`offer_state: gave_up`, on no place of the board). `None` for any
    /// other company; every later request of that company is a 404 ([`Self::for_company`]).
    pub fn after_giving_up(call: &ServiceCall, company: Uuid) -> Option<Self> {
        (call.offer_for(company)?.state == OfferState::GaveUp)
            .then(|| Self::build(call, company))
            .flatten()
    }

    fn build(call: &ServiceCall, company: Uuid) -> Option<Self> {
        let offer_state = call.offer_for(company)?.state;
        let won = offer_state == OfferState::Won;
        let board = board_view(call, company);
        Some(Self {
            id: call.id,
            version: call.version,
            status: if won || offer_state == OfferState::Offered {
                call.status
            } else {
                // Whatever happened to it since is another company's business.
                Status::Requested
            },
            colour: if won { board.colour } else { Colour::Blue },
            placements: board.placements,
            offer_state,
            service: call.service.clone(),
            client_area: ClientArea {
                postcode: call.client.address.postcode.clone(),
                city: call.client.address.city.clone(),
                country: call.client.address.country.clone(),
            },
            client: won.then(|| call.client.clone()),
            notes: call.notes.clone(),
            slot: call.slot,
            technician_id: if won { call.technician_id } else { None },
            client_called: won && call.client_called,
            order: won.then(|| call.order.clone()),
            call_attempts: if won {
                call.call_attempts.clone()
            } else {
                Vec::new()
            },
            report_notes: if won {
                call.report_notes.clone()
            } else {
                Vec::new()
            },
            closure: if won { call.closure.clone() } else { None },
            cancellation: if won { call.cancellation.clone() } else { None },
            offered_at: call.offer_for(company).map(|o| o.offered_at),
            summary: false,
        })
    }

    /// The call as a board answer carries it: what the board, the lists and the queue
    /// panel draw (state, places, service, area, slot, technician, the client's contact,
    /// the order's total and its extra time units, which lengthen the block), without
    /// what only the call's detail shows — the order's other lines, the notes, call
    /// attempts, work-report notes, closure and cancellation. Of a board of the bench's
    /// data set that is a fifth of the bytes (BENCHMARKS.md). The client's contact stays:
    /// offline, a dispatcher phones the client from the board.
    pub fn summary(&self) -> Self {
        let order = self.order.as_ref().map(|order| Order {
            lines: order
                .lines
                .iter()
                .filter(|l| l.kind == crate::order::LineKind::TimeUnit)
                .cloned()
                .collect(),
            ..order.clone()
        });
        Self {
            notes: None,
            order,
            call_attempts: Vec::new(),
            report_notes: Vec::new(),
            closure: None,
            cancellation: None,
            summary: true,
            ..self.clone()
        }
    }

    /// Adds `line` to the call's order as the server will count it: over the lines of a
    /// whole call ([`Order::add_line`]), into the total a summary carries
    /// ([`Order::add_line_to_summary`]). A call without an order refuses it.
    pub fn add_order_line(
        &mut self,
        line: crate::order::OrderLine,
    ) -> Result<(), crate::error::DomainError> {
        let summary = self.summary;
        let order = self
            .order
            .as_mut()
            .ok_or(crate::error::DomainError::NotAccepted)?;
        if summary {
            order.add_line_to_summary(line)
        } else {
            order.add_line(line)
        }
    }

    /// Whether a store that holds this call keeps it rather than take `incoming`: a
    /// summary never replaces the whole call it summarises, nor a newer one (a board read
    /// that was under way while the call changed). Anything else replaces it.
    pub fn keeps_over(&self, incoming: &Self) -> bool {
        incoming.summary && !self.summary && incoming.version <= self.version
    }

    /// The colour of the call where the calendar draws it (the dispatcher's row or a
    /// technician's): a dated call without a technician is white in the list but orange
    /// in the dispatcher's row. `None` when it is on no row.
    pub fn row_colour(&self) -> Option<Colour> {
        self.placements
            .iter()
            .find(|p| matches!(p.place, Place::DispatcherRow | Place::TechnicianRow { .. }))
            .map(|p| p.colour)
    }

    /// The extra 30-minute units on the order (none before accepting).
    pub fn extra_units(&self) -> u32 {
        self.order.as_ref().map_or(0, Order::time_units)
    }

    /// How long the work takes: the service's duration plus the extra time units.
    pub fn work_minutes(&self) -> i64 {
        i64::from(self.service.duration_minutes)
            + i64::from(self.extra_units()) * i64::from(TIME_UNIT_MINUTES)
    }

    /// The slot as the calendar draws it: the booked slot lengthened by the extra time
    /// units (FAQ: "extra 30-minute units" make the call last longer).
    pub fn calendar_slot(&self) -> Option<TimeSlot> {
        self.slot.map(|s| TimeSlot {
            start: s.start,
            end: s.end
                + Duration::minutes(i64::from(self.extra_units()) * i64::from(TIME_UNIT_MINUTES)),
        })
    }

    /// The call as it will look once moved to `slot` and `technician_id` (for drawing a
    /// drag's result at once, before the server confirms it). Only for won calls; the
    /// version stays, so the server still detects a conflicting change.
    pub fn moved(&self, slot: Option<TimeSlot>, technician_id: Option<Uuid>) -> Self {
        let board = crate::colour::won_view(slot.is_some(), technician_id, self.client_called);
        Self {
            slot,
            technician_id,
            colour: board.colour,
            placements: board.placements,
            ..self.clone()
        }
    }

    /// Whether the call is still on this company's board (offered or won and not
    /// cancelled).
    pub fn on_board(&self) -> bool {
        !self.placements.is_empty()
    }
}

/// One change of a call as its company reads it in the call's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// The call's version after the change.
    pub version: i64,
    pub at: DateTime<Utc>,
    /// Who made it (another company's people never appear: see [`history_for`]).
    pub actor: Actor,
    /// The name of the dispatcher or technician who made it, when the server knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    /// What changed, with before and after.
    pub change: Change,
}

/// The history of `call` as `company` may read it, newest first: every change once the
/// company has won the call, only its own offer before that. Other companies' ids and
/// people never appear (an offer lists the reader only; a win lists no losers; another
/// company's decline is left out), and the notifications stay on the server.
pub fn history_for(call: &ServiceCall, company: Uuid) -> Option<Vec<HistoryEntry>> {
    let offer = call.offer_for(company)?;
    if offer.state == OfferState::GaveUp {
        return None;
    }
    let won = offer.state == OfferState::Won;
    let mut entries: Vec<HistoryEntry> = call
        .history
        .iter()
        .filter_map(|event| {
            let change = match &event.change {
                Change::Offered { companies } if companies.contains(&company) => Change::Offered {
                    companies: vec![company],
                },
                Change::Offered { .. } => return None,
                _ if !won => return None,
                Change::Accepted { company_id, .. } => Change::Accepted {
                    company_id: *company_id,
                    taken_from: Vec::new(),
                },
                Change::Declined { company_id } if *company_id != company => return None,
                other => other.clone(),
            };
            let actor = match &event.actor {
                a if a.company_id().is_some_and(|c| c != company) => Actor::System,
                a => a.clone(),
            };
            Some(HistoryEntry {
                version: event.version,
                at: event.at,
                actor,
                actor_name: None,
                change,
            })
        })
        .collect();
    // The history is kept oldest first.
    entries.reverse();
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        command::{Actor, Command},
        flow::apply,
    };

    fn booking() -> crate::booking::BookingRequest {
        serde_json::from_value(serde_json::json!({"external_id": "MKT-1",
          "service": {"code": "plumbing.leak", "name": "Fix a leaking tap", "skill": "plumbing",
            "duration_minutes": 60, "recommended_price": {"amount_minor": 12000, "currency": "CHF"}},
          "client": {"name": "Anna Muster", "phone": "+41 79 123 45 67", "email": "anna@example.ch",
            "address": {"street": "Bahnhofstrasse 1", "postcode": "8001", "city": "Zürich", "country": "CH"}},
          "slot": null, "notes": "Kitchen tap drips"}))
        .unwrap()
    }

    #[test]
    fn contact_data_only_after_winning_and_losers_see_taken() {
        let now = "2026-11-20T08:00:00Z".parse().unwrap();
        let (alpen, rhein, other) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let call = ServiceCall::new(Uuid::from_u128(9), booking(), now);
        let (call, _) = apply(
            &call,
            Command::Offer {
                companies: vec![alpen, rhein],
            },
            &Actor::Marketplace,
            now,
        )
        .unwrap();

        let offered = CallView::for_company(&call, alpen).unwrap();
        assert_eq!(offered.offer_state, OfferState::Offered);
        assert!(offered.client.is_none() && offered.order.is_none());
        assert_eq!(offered.client_area.city, "Zürich");
        assert!(CallView::for_company(&call, other).is_none());

        let dispatcher = Actor::Dispatcher {
            user_id: Uuid::from_u128(10),
            company_id: alpen,
        };
        let (call, _) = apply(&call, Command::Accept, &dispatcher, now).unwrap();
        let won = CallView::for_company(&call, alpen).unwrap();
        assert_eq!(won.offer_state, OfferState::Won);
        assert_eq!(won.client.unwrap().phone, "+41 79 123 45 67");
        assert!(won.order.is_some());
        let lost = CallView::for_company(&call, rhein).unwrap();
        assert_eq!(lost.offer_state, OfferState::Taken);
        assert!(lost.client.is_none() && !lost.on_board());
    }

    #[test]
    fn a_company_that_gave_the_call_up_no_longer_sees_it() {
        // Arrange: Alpen wins, then gives the call up; it is offered to Rhein again.
        let now = "2026-11-20T08:00:00Z".parse().unwrap();
        let (alpen, rhein) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let alpen_dispatcher = Actor::Dispatcher {
            user_id: Uuid::from_u128(10),
            company_id: alpen,
        };
        let call = ServiceCall::new(Uuid::from_u128(9), booking(), now);
        let offer = Command::Offer {
            companies: vec![alpen, rhein],
        };
        let (call, _) = apply(&call, offer.clone(), &Actor::Marketplace, now).unwrap();
        let (call, _) = apply(&call, Command::Accept, &alpen_dispatcher, now).unwrap();

        // Act
        let cancel = Command::Cancel {
            reason: crate::call::CancelReason::Redistribute,
        };
        let (call, _) = apply(&call, cancel, &alpen_dispatcher, now).unwrap();
        let (call, _) = apply(&call, offer, &Actor::System, now).unwrap();

        // Assert
        assert!(CallView::for_company(&call, alpen).is_none());
        let last = CallView::after_giving_up(&call, alpen).unwrap();
        assert_eq!(last.offer_state, OfferState::GaveUp);
        assert!(!last.on_board() && last.client.is_none());
        let offered = CallView::for_company(&call, rhein).unwrap();
        assert_eq!(offered.offer_state, OfferState::Offered);
        assert_eq!(offered.colour, Colour::Blue);
        assert!(CallView::after_giving_up(&call, rhein).is_none());
    }

    #[test]
    fn a_dated_unassigned_call_is_orange_in_the_dispatcher_row() {
        use crate::testkit::{accepted, ALPEN};
        let view = CallView::for_company(&accepted(), ALPEN).unwrap();

        assert_eq!(view.colour, Colour::White, "white in the list");
        assert_eq!(view.row_colour(), Some(Colour::Orange), "orange in the row");
    }

    #[test]
    fn extra_time_units_lengthen_the_calendar_slot() {
        use crate::testkit::{accepted, alpen, run, ALPEN};
        let call = run(
            &accepted(),
            Command::AddTimeUnits {
                line_id: Uuid::from_u128(77),
                quantity: 2,
                unit_price: None,
            },
            &alpen(),
        )
        .0;

        let view = CallView::for_company(&call, ALPEN).unwrap();

        let (booked, drawn) = (view.slot.unwrap(), view.calendar_slot().unwrap());
        assert_eq!(drawn.start, booked.start);
        assert_eq!(drawn.end - booked.end, Duration::minutes(60));
        assert_eq!(
            view.work_minutes(),
            i64::from(view.service.duration_minutes) + 60
        );
    }

    #[test]
    fn a_summary_keeps_what_the_board_draws_and_nothing_of_the_detail() {
        use crate::{
            money::{Currency, Money},
            testkit::{accepted, alpen, run, ALPEN},
        };
        let call = [
            Command::AddTimeUnits {
                line_id: Uuid::from_u128(77),
                quantity: 2,
                unit_price: None,
            },
            Command::AddMaterial {
                line_id: Uuid::from_u128(78),
                description: "Seal".to_owned(),
                quantity: 1,
                unit_price: Money::new(900, Currency::CHF),
            },
            Command::AddReportNote {
                text: "Replaced the seal".to_owned(),
            },
            Command::LogCallAttempt {
                outcome: crate::call::CallOutcome::NoAnswer,
            },
        ]
        .into_iter()
        .fold(accepted(), |call, cmd| run(&call, cmd, &alpen()).0);
        let whole = CallView::for_company(&call, ALPEN).unwrap();
        assert!(whole.notes.is_some() && !whole.report_notes.is_empty());

        let summary = whole.summary();

        assert!(summary.summary && !whole.summary);
        // What the board draws: the block's length (extra units), the total, the contact.
        assert_eq!(summary.calendar_slot(), whole.calendar_slot());
        assert_eq!(summary.work_minutes(), whole.work_minutes());
        let (order, whole_order) = (
            summary.order.as_ref().unwrap(),
            whole.order.as_ref().unwrap(),
        );
        assert_eq!(order.total, whole_order.total);
        assert_eq!(order.lines.len(), 1, "the time-unit line only");
        assert_eq!(whole_order.lines.len(), 3, "package, time units, material");
        assert_eq!(summary.client, whole.client);
        assert_eq!(
            (
                summary.colour,
                &summary.placements,
                summary.slot,
                summary.version
            ),
            (whole.colour, &whole.placements, whole.slot, whole.version)
        );
        // What only the detail shows.
        assert!(summary.notes.is_none() && summary.report_notes.is_empty());
        assert!(summary.call_attempts.is_empty() && !whole.call_attempts.is_empty());
        // On the wire: marked, and the whole call unmarked.
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["summary"], true);
        assert!(serde_json::to_value(&whole)
            .unwrap()
            .get("summary")
            .is_none());
        assert_eq!(serde_json::from_value::<CallView>(json).unwrap(), summary);
    }

    #[test]
    fn a_line_added_to_a_summary_counts_as_on_the_whole_call() {
        use crate::{
            error::DomainError,
            money::{Currency, Money},
            order::line_of,
            testkit::{accepted, ALPEN},
        };
        let mut whole = CallView::for_company(&accepted(), ALPEN).unwrap();
        let mut summary = whole.summary();
        let time = Command::AddTimeUnits {
            line_id: Uuid::from_u128(81),
            quantity: 2,
            unit_price: None,
        };
        let discount = |amount| Command::AddDiscount {
            line_id: Uuid::from_u128(82),
            description: "Regular".to_owned(),
            amount: Money::new(amount, Currency::CHF),
        };
        let service = whole.service.clone();
        let line = |cmd: &Command| line_of(cmd, &service).unwrap().unwrap();

        for cmd in [&time, &discount(1_000)] {
            let added = line(cmd);
            whole.add_order_line(added.clone()).unwrap();
            summary.add_order_line(added).unwrap();
            assert_eq!(
                summary.order.as_ref().unwrap().total,
                whole.order.as_ref().unwrap().total,
                "{cmd:?}"
            );
        }

        assert_eq!(
            summary.calendar_slot(),
            whole.calendar_slot(),
            "time lengthens it"
        );
        assert_eq!(
            summary.add_order_line(line(&time)),
            Err(DomainError::DuplicateLine),
            "the time line is known"
        );
        let too_much = Command::AddDiscount {
            line_id: Uuid::from_u128(83),
            description: "Too much".to_owned(),
            amount: Money::new(1_000_000, Currency::CHF),
        };
        assert_eq!(
            summary.clone().add_order_line(line(&too_much)),
            whole.clone().add_order_line(line(&too_much)),
            "refused alike"
        );
    }

    #[test]
    fn a_summary_never_replaces_the_whole_call_it_summarises() {
        use crate::testkit::{accepted, ALPEN};
        let whole = CallView::for_company(&accepted(), ALPEN).unwrap();
        let newer = CallView {
            version: whole.version + 1,
            ..whole.clone()
        };

        assert!(whole.keeps_over(&whole.summary()), "same version");
        assert!(newer.keeps_over(&whole.summary()), "an older summary");
        assert!(
            !whole.keeps_over(&newer.summary()),
            "a newer summary replaces it"
        );
        assert!(
            !whole.summary().keeps_over(&whole),
            "the whole call replaces its summary"
        );
        assert!(!whole.summary().keeps_over(&whole.summary()));
        assert!(
            !newer.keeps_over(&whole),
            "a whole call is taken as it comes"
        );
    }

    #[test]
    fn history_is_newest_first_and_names_no_other_company() {
        use crate::testkit::{accepted, alpen, facts, run, ALPEN, ANNA, RHEIN};
        let call = run(
            &accepted(),
            Command::Assign {
                technician: facts(ANNA, ALPEN),
            },
            &alpen(),
        )
        .0;

        let winner = history_for(&call, ALPEN).unwrap();
        let loser = history_for(&call, RHEIN).unwrap();

        assert!(matches!(
            winner[0].change,
            Change::TechnicianAssigned { before: None, after } if after == ANNA
        ));
        assert!(winner.windows(2).all(|w| w[0].at >= w[1].at));
        let json = serde_json::to_string(&winner).unwrap();
        assert!(!json.contains(&RHEIN.to_string()), "{json}");
        assert!(
            loser.iter().all(
                |e| matches!(&e.change, Change::Offered { companies } if companies == &vec![RHEIN])
            ),
            "the loser reads its own offer only"
        );
    }
}
