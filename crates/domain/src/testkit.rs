//! Shared fixtures of the unit tests: two competing companies (Alpen, Rhein), their
//! dispatchers and technicians, and calls driven to each step of the flow.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::booking::BookingRequest;
use crate::call::{CallOutcome, ServiceCall};
use crate::command::{Actor, Command};
use crate::event::Event;
use crate::flow::apply;
use crate::slot::TimeSlot;
use crate::technician::TechnicianFacts;

pub const ALPEN: Uuid = Uuid::from_u128(0xA1);
pub const RHEIN: Uuid = Uuid::from_u128(0xB2);
pub const THIRD: Uuid = Uuid::from_u128(0xC3);
pub const CALL_ID: Uuid = Uuid::from_u128(0x99);
pub const ANNA: Uuid = Uuid::from_u128(0x20); // verified plumber at Alpen
pub const BEN: Uuid = Uuid::from_u128(0x21); // another verified plumber at Alpen
pub const RHEIN_TECH: Uuid = Uuid::from_u128(0x30);

pub fn now() -> DateTime<Utc> {
    t("2026-11-20T08:00:00Z")
}

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn slot(start: &str, end: &str) -> TimeSlot {
    TimeSlot::new(t(start), t(end)).unwrap()
}

/// The DESIGN.md example booking (dated 2026-11-24 09:00–10:00Z, CHF 120.00, 60 min).
pub fn booking() -> BookingRequest {
    serde_json::from_str(crate::booking::tests::DESIGN_EXAMPLE).unwrap()
}

pub fn undated_booking() -> BookingRequest {
    BookingRequest {
        slot: None,
        ..booking()
    }
}

pub fn dispatcher(company: Uuid) -> Actor {
    Actor::Dispatcher {
        user_id: Uuid::from_u128(company.as_u128() + 0x1000),
        company_id: company,
    }
}

pub fn alpen() -> Actor {
    dispatcher(ALPEN)
}

pub fn rhein() -> Actor {
    dispatcher(RHEIN)
}

pub fn technician(id: Uuid, company: Uuid) -> Actor {
    Actor::Technician {
        technician_id: id,
        company_id: company,
    }
}

pub fn facts(id: Uuid, company: Uuid) -> TechnicianFacts {
    TechnicianFacts {
        id,
        company_id: company,
        activated: true,
        has_photo: true,
        skills: vec!["plumbing".into()],
    }
}

/// Applies a command that must succeed.
pub fn run(call: &ServiceCall, cmd: Command, actor: &Actor) -> (ServiceCall, Vec<Event>) {
    apply(call, cmd, actor, now()).unwrap_or_else(|e| panic!("refused: {e:?}"))
}

/// Offered to Alpen and Rhein.
pub fn requested_from(booking: BookingRequest) -> ServiceCall {
    let call = ServiceCall::new(CALL_ID, booking, now());
    run(
        &call,
        Command::Offer {
            companies: vec![ALPEN, RHEIN],
        },
        &Actor::Marketplace,
    )
    .0
}

pub fn requested() -> ServiceCall {
    requested_from(booking())
}

/// Won by Alpen, dated, nothing else done.
pub fn accepted() -> ServiceCall {
    run(&requested(), Command::Accept, &alpen()).0
}

/// Won by Alpen, not dated.
pub fn accepted_undated() -> ServiceCall {
    run(
        &requested_from(undated_booking()),
        Command::Accept,
        &alpen(),
    )
    .0
}

/// Dated and assigned to Anna; client not called.
pub fn assigned() -> ServiceCall {
    run(
        &accepted(),
        Command::Assign {
            technician: facts(ANNA, ALPEN),
        },
        &alpen(),
    )
    .0
}

/// Green: dated, assigned to Anna, client reached.
pub fn ready() -> ServiceCall {
    run(
        &assigned(),
        Command::LogCallAttempt {
            outcome: CallOutcome::Reached,
        },
        &alpen(),
    )
    .0
}

/// Started by Anna.
pub fn started() -> ServiceCall {
    run(&ready(), Command::Start, &technician(ANNA, ALPEN)).0
}
