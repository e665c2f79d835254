//! The domain compiled to wasm32 and run in headless Chromium: the main flow, money,
//! verification, slots and time zones behave exactly as on the server.
//!
//! Run from anywhere in the workspace (cargo starts test binaries in `crates/domain/`,
//! where `webdriver.json` gives Chrome `--headless=new --no-sandbox
//! --disable-dev-shm-usage`, so it also starts as root and in small containers):
//!
//! ```text
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//! CHROMEDRIVER=/usr/bin/chromedriver \
//! cargo test -p domain --target wasm32-unknown-unknown
//! ```
#![cfg(target_arch = "wasm32")]

use chrono::{DateTime, NaiveDate, Utc};
use domain::prelude::*;
use domain::tz;
use uuid::Uuid;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ALPEN: Uuid = Uuid::from_u128(0xA1);
const RHEIN: Uuid = Uuid::from_u128(0xB2);
const ANNA: Uuid = Uuid::from_u128(0x20);
const BEN: Uuid = Uuid::from_u128(0x21);

const BOOKING: &str = r#"{"external_id": "MKT-000123",
   "service": {"code": "plumbing.leak", "name": "Fix a leaking tap", "skill": "plumbing",
               "duration_minutes": 60,
               "recommended_price": {"amount_minor": 12000, "currency": "CHF"}},
   "client": {"name": "Anna Muster", "phone": "+41 79 123 45 67", "email": "anna@example.ch",
              "address": {"street": "Bahnhofstrasse 1", "postcode": "8001",
                          "city": "Zürich", "country": "CH"}},
   "slot": {"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"},
   "notes": "Kitchen tap drips"}"#;

fn now() -> DateTime<Utc> {
    "2026-11-20T08:00:00Z".parse().unwrap()
}

fn dispatcher(company: Uuid) -> Actor {
    Actor::Dispatcher {
        user_id: Uuid::from_u128(company.as_u128() + 0x100),
        company_id: company,
    }
}

fn plumber(id: Uuid) -> TechnicianFacts {
    TechnicianFacts {
        id,
        company_id: ALPEN,
        activated: true,
        has_photo: true,
        skills: vec!["plumbing".into()],
    }
}

fn run(call: &ServiceCall, cmd: Command, actor: &Actor) -> (ServiceCall, Vec<Event>) {
    apply(call, cmd, actor, now()).expect("command accepted")
}

fn requested() -> ServiceCall {
    let booking: BookingRequest = serde_json::from_str(BOOKING).unwrap();
    assert!(booking.validate().is_empty());
    let call = ServiceCall::new(Uuid::from_u128(0x99), booking, now());
    run(
        &call,
        Command::Offer {
            companies: vec![ALPEN, RHEIN],
        },
        &Actor::Marketplace,
    )
    .0
}

#[wasm_bindgen_test]
fn main_flow_from_request_to_close() {
    // Requested: blue on both boards.
    let call = requested();
    assert_eq!(
        board_view(&call, RHEIN).placements[0].place,
        Place::RequestsList
    );

    // Alpen wins the race; Rhein is too late; Alpen's retry is a no-op.
    let alpen = dispatcher(ALPEN);
    let (call, events) = run(&call, Command::Accept, &alpen);
    assert_eq!(events[0].notifications[0].recipient, Recipient::ClientEmail);
    assert_eq!(
        apply(&call, Command::Accept, &dispatcher(RHEIN), now()).unwrap_err(),
        DomainError::AlreadyAccepted
    );
    assert!(run(&call, Command::Accept, &alpen).1.is_empty());

    // Dated, unassigned: white in the list and orange in the dispatcher's row.
    let view = board_view(&call, ALPEN);
    assert_eq!(view.colour, Colour::White);
    assert_eq!(view.placements[1].place, Place::DispatcherRow);
    assert_eq!(view.placements[1].colour, Colour::Orange);

    // Assign (push), reassign (both pushed), call the client: green.
    let (call, _) = run(
        &call,
        Command::Assign {
            technician: plumber(ANNA),
        },
        &alpen,
    );
    assert_eq!(call.colour, Colour::Orange);
    let (call, events) = run(
        &call,
        Command::Assign {
            technician: plumber(BEN),
        },
        &alpen,
    );
    assert_eq!(events[0].notifications.len(), 2);
    let ben = Actor::Technician {
        technician_id: BEN,
        company_id: ALPEN,
    };
    let (call, _) = run(
        &call,
        Command::LogCallAttempt {
            outcome: CallOutcome::Reached,
        },
        &ben,
    );
    assert_eq!(call.colour, Colour::Green);

    // Order: 2 extra units at the pro-rata price + CHF 25 material = CHF 265.00.
    let (call, _) = run(&call, Command::Start, &ben);
    let (call, _) = run(
        &call,
        Command::AddTimeUnits {
            line_id: Uuid::from_u128(1),
            quantity: 2,
            unit_price: None,
        },
        &ben,
    );
    let (call, _) = run(
        &call,
        Command::AddMaterial {
            line_id: Uuid::from_u128(2),
            description: "Washer".into(),
            quantity: 1,
            unit_price: Money::new(2500, Currency::CHF),
        },
        &ben,
    );
    assert_eq!(call.order.total.to_string(), "CHF 265.00");

    // Close: card needs a signature.
    assert_eq!(
        apply(
            &call,
            Command::Close {
                payment_method: PaymentMethod::OnlineCard,
                signature: None
            },
            &ben,
            now()
        )
        .unwrap_err()
        .code(),
        "signature-required"
    );
    let (call, _) = run(
        &call,
        Command::Close {
            payment_method: PaymentMethod::OnlineCard,
            signature: Some("signed".into()),
        },
        &ben,
    );
    assert_eq!(call.status, Status::Closed);
    assert_eq!(call.closure.as_ref().unwrap().total.amount_minor, 26500);

    // The whole aggregate survives JSON, as the app receives it.
    let json = serde_json::to_string(&call).unwrap();
    assert_eq!(serde_json::from_str::<ServiceCall>(&json).unwrap(), call);
}

#[wasm_bindgen_test]
fn redistribution_never_returns_to_the_company_that_gave_up() {
    let alpen = dispatcher(ALPEN);
    let (call, _) = run(&requested(), Command::Accept, &alpen);
    let (call, _) = run(
        &call,
        Command::Cancel {
            reason: CancelReason::Redistribute,
        },
        &alpen,
    );

    let (call, events) = run(
        &call,
        Command::Offer {
            companies: vec![ALPEN, RHEIN],
        },
        &Actor::Marketplace,
    );

    assert_eq!(
        events[0].change,
        Change::Offered {
            companies: vec![RHEIN]
        }
    );
    assert_eq!(
        apply(&call, Command::Accept, &alpen, now()).unwrap_err(),
        DomainError::CompanyExcluded
    );
}

#[wasm_bindgen_test]
fn money_verification_and_slots() {
    let chf = Money::new(100, Currency::CHF);
    let eur = Money::new(100, Currency::EUR);
    assert_eq!(
        chf.checked_add(eur).unwrap_err().code(),
        "currency-mismatch"
    );

    let v = Verification::of(true, false, &["plumbing"]);
    assert_eq!(v.missing, vec![Missing::NoPhoto]);

    let t: DateTime<Utc> = "2026-11-24T09:07:30Z".parse().unwrap();
    assert_eq!(
        snap_to_grid(t, 15).to_rfc3339(),
        "2026-11-24T09:15:00+00:00"
    );
}

#[wasm_bindgen_test]
fn zurich_dst_changes_behave_as_on_the_server() {
    let zurich = tz::parse_zone("Europe/Zurich").unwrap();
    let wall = |m, d, h, min| {
        NaiveDate::from_ymd_opt(2026, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    };

    // 02:30 on 29 March does not exist: shifted to 03:30 CEST.
    assert_eq!(
        tz::local_to_utc(wall(3, 29, 2, 30), zurich).to_rfc3339(),
        "2026-03-29T01:30:00+00:00"
    );
    // 02:30 on 25 October happens twice: the earlier instant.
    assert_eq!(
        tz::local_to_utc(wall(10, 25, 2, 30), zurich).to_rfc3339(),
        "2026-10-25T00:30:00+00:00"
    );
    let shown = tz::to_local("2026-11-24T09:00:00Z".parse().unwrap(), zurich);
    assert_eq!(shown.naive_local(), wall(11, 24, 10, 0));
}
