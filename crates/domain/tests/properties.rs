//! Property tests: random command sequences by random actors against one call.
//!
//! Whatever happens, `apply` never panics, a refusal changes nothing, and the call stays
//! consistent: a green call has a date/time, a verified technician and a called client;
//! the order total is the sum of its lines and never negative (and is the closing price);
//! at most one company holds the call, and only one ever wins per round.
//!
//! Native only: proptest does not build for wasm32 (the wasm run is `tests/wasm.rs`).
#![cfg(not(target_arch = "wasm32"))]

use chrono::{DateTime, Duration, Utc};
use domain::prelude::*;
use proptest::prelude::*;
use uuid::Uuid;

const A: Uuid = Uuid::from_u128(0xA);
const B: Uuid = Uuid::from_u128(0xB);
const C: Uuid = Uuid::from_u128(0xC);
const COMPANIES: [Uuid; 3] = [A, B, C];

/// (id, company, activated, photo, skills): two verified plumbers at A, an unverified
/// one at A, an electrician at A, a verified plumber at B.
fn technicians() -> Vec<TechnicianFacts> {
    let t = |n: u128, company, activated, has_photo, skill: &str| TechnicianFacts {
        id: Uuid::from_u128(n),
        company_id: company,
        activated,
        has_photo,
        skills: if skill.is_empty() {
            vec![]
        } else {
            vec![skill.to_owned()]
        },
    };
    vec![
        t(0x10, A, true, true, "plumbing"),
        t(0x11, A, true, true, "plumbing"),
        t(0x12, A, false, true, "plumbing"),
        t(0x13, A, true, true, "electrics"),
        t(0x20, B, true, true, "plumbing"),
        t(0x21, B, true, false, ""),
    ]
}

fn base_time() -> DateTime<Utc> {
    "2026-11-20T08:00:00Z".parse().unwrap()
}

fn booking(dated: bool, extra: Option<i64>) -> BookingRequest {
    let start = "2026-11-24T09:00:00Z".parse().unwrap();
    BookingRequest {
        external_id: "MKT-PROP".into(),
        service: ServiceType {
            code: "plumbing.leak".into(),
            name: "Fix a leaking tap".into(),
            skill: "plumbing".into(),
            duration_minutes: 60,
            recommended_price: Money::new(12000, Currency::CHF),
            extra_unit_price: extra.map(|a| Money::new(a, Currency::CHF)),
        },
        client: Client {
            name: "Anna Muster".into(),
            phone: "+41 79 123 45 67".into(),
            email: "anna@example.ch".into(),
            address: Address {
                street: "Bahnhofstrasse 1".into(),
                postcode: "8001".into(),
                city: "Zürich".into(),
                country: "CH".into(),
            },
            locale: None,
        },
        slot: dated.then(|| TimeSlot::starting_at(start, 60).unwrap()),
        notes: None,
    }
}

/// Biased towards company A's dispatcher and its first plumber, so that sequences get far
/// into the flow (accepted, ready, started, closed) instead of bouncing off refusals.
fn actor() -> impl Strategy<Value = Actor> {
    let dispatcher = |c: Uuid| Actor::Dispatcher {
        user_id: Uuid::from_u128(c.as_u128() + 0x100),
        company_id: c,
    };
    let tech = |t: &TechnicianFacts| Actor::Technician {
        technician_id: t.id,
        company_id: t.company_id,
    };
    prop_oneof![
        6 => Just(dispatcher(A)),
        2 => prop::sample::select(COMPANIES.to_vec()).prop_map(dispatcher),
        3 => Just(tech(&technicians()[0])),
        1 => prop::sample::select(technicians()).prop_map(move |t| tech(&t)),
        1 => prop_oneof![Just(Actor::Marketplace), Just(Actor::System)],
    ]
}

fn technician() -> impl Strategy<Value = TechnicianFacts> {
    prop_oneof![
        3 => Just(technicians()[0].clone()),
        2 => prop::sample::select(technicians()),
    ]
}

fn money() -> impl Strategy<Value = Money> {
    prop_oneof![
        8 => (-100i64..30_000).prop_map(|a| Money::new(a, Currency::CHF)),
        1 => (0i64..30_000).prop_map(|a| Money::new(a, Currency::EUR)),
        1 => Just(Money::new(i64::MAX, Currency::CHF)),
    ]
}

fn line_id() -> impl Strategy<Value = Uuid> {
    (0u128..6).prop_map(Uuid::from_u128)
}

fn slot() -> impl Strategy<Value = TimeSlot> {
    // Mostly on the grid; sometimes off it, backwards or far too long.
    (
        0i64..2000,
        prop_oneof![4 => Just(15i64), 1 => Just(7)],
        -2i64..60,
    )
        .prop_map(|(start, step, len)| {
            let start = base_time() + Duration::minutes(start * step);
            TimeSlot {
                start,
                end: start + Duration::minutes(len * 15),
            }
        })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), Just("  ".into()), "[a-z ]{1,20}"]
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        2 => prop::sample::subsequence(COMPANIES.to_vec(), 0..=3)
            .prop_map(|companies| Command::Offer { companies }),
        4 => Just(Command::Accept),
        2 => Just(Command::Decline),
        2 => Just(Command::ConfirmClientCalled),
        2 => slot().prop_map(|slot| Command::SetSlot { slot }),
        3 => technician().prop_map(|technician| Command::Assign { technician }),
        1 => Just(Command::Unassign),
        2 => prop::option::of(technician()).prop_map(|technician| Command::UndoMove { technician }),
        2 => (line_id(), 0u32..4, prop::option::of(money())).prop_map(|(line_id, quantity, unit_price)| {
            Command::AddTimeUnits { line_id, quantity, unit_price }
        }),
        2 => (line_id(), text(), 0u32..4, money()).prop_map(|(line_id, description, quantity, unit_price)| {
            Command::AddMaterial { line_id, description, quantity, unit_price }
        }),
        2 => (line_id(), text(), money()).prop_map(|(line_id, description, amount)| {
            Command::AddDiscount { line_id, description, amount }
        }),
        1 => line_id().prop_map(|line_id| Command::RemoveLine { line_id }),
        1 => money().prop_map(|price| Command::ChangeAgreedPrice { price }),
        1 => text().prop_map(|text| Command::AddReportNote { text }),
        2 => prop_oneof![Just(CallOutcome::Reached), Just(CallOutcome::NoAnswer)]
            .prop_map(|outcome| Command::LogCallAttempt { outcome }),
        2 => Just(Command::Start),
        2 => (
            prop_oneof![Just(PaymentMethod::OnlineCard), Just(PaymentMethod::Cash), Just(PaymentMethod::Invoice)],
            prop::option::of(text()),
        )
            .prop_map(|(payment_method, signature)| Command::Close { payment_method, signature }),
        2 => prop_oneof![
            Just(CancelReason::Redistribute),
            Just(CancelReason::ClientDidNotAnswer),
            Just(CancelReason::ClientCancelled),
        ]
        .prop_map(|reason| Command::Cancel { reason }),
    ]
}

/// Every invariant that must hold after every step.
fn check_invariants(call: &ServiceCall) -> Result<(), TestCaseError> {
    let techs = technicians();

    // Derived fields are fresh.
    prop_assert_eq!(call.colour, colour_of(call));
    let sum = call.order.sum().expect("order lines share one currency");
    prop_assert_eq!(call.order.total, sum);
    prop_assert!(!sum.is_negative(), "negative total {:?}", sum);

    // Green means ready, with a verified technician of the winning company.
    if call.colour == Colour::Green {
        prop_assert!(call.slot.is_some() && call.client_called);
        let tech = techs
            .iter()
            .find(|t| Some(t.id) == call.technician_id)
            .expect("green needs a technician");
        prop_assert!(tech.verification().verified);
        prop_assert_eq!(Some(tech.company_id), call.accepted_by);
    }
    if let Some(id) = call.technician_id {
        let tech = techs.iter().find(|t| t.id == id).unwrap();
        prop_assert!(tech.verification().verified && tech.has_skill("plumbing"));
        prop_assert_eq!(Some(tech.company_id), call.accepted_by);
    }
    if let Some(slot) = call.slot {
        prop_assert_eq!(slot.validate(), Ok(()));
    }

    // At most one winner, and it is the company holding the call.
    let winners: Vec<_> = call
        .offers
        .iter()
        .filter(|o| o.state == OfferState::Won)
        .collect();
    prop_assert!(winners.len() <= 1);
    prop_assert_eq!(winners.first().map(|o| o.company_id), call.accepted_by);
    let held = matches!(
        call.status,
        Status::Accepted | Status::InProgress | Status::Closed | Status::Cancelled
    );
    prop_assert_eq!(held, call.accepted_by.is_some());
    // One accept per round: every win but the current one was given up.
    let accepts = call
        .history
        .iter()
        .filter(|e| matches!(e.change, Change::Accepted { .. }))
        .count();
    let give_ups = call
        .history
        .iter()
        .filter(|e| {
            matches!(
                e.change,
                Change::Cancelled {
                    reason: CancelReason::Redistribute,
                    ..
                }
            )
        })
        .count();
    prop_assert_eq!(accepts, give_ups + usize::from(call.accepted_by.is_some()));

    // Companies that gave the call up never hold an open offer or win again.
    for company in &call.excluded_companies {
        let state = call.offer_for(*company).map(|o| o.state);
        prop_assert_eq!(state, Some(OfferState::GaveUp));
    }

    // Final states carry their facts.
    if call.status == Status::Closed {
        let closure = call.closure.as_ref().expect("closed has a closure");
        prop_assert_eq!(closure.total, sum);
        prop_assert!(call.slot.is_some() && call.technician_id.is_some() && call.client_called);
        if closure.payment_method == PaymentMethod::OnlineCard {
            prop_assert!(closure.signature.is_some());
        }
    }
    if call.status == Status::Cancelled {
        let reason = call.cancellation.as_ref().map(|c| c.reason);
        prop_assert!(reason.is_some() && reason != Some(CancelReason::Redistribute));
        if reason == Some(CancelReason::ClientDidNotAnswer) {
            prop_assert!(call
                .call_attempts
                .iter()
                .any(|a| a.outcome == CallOutcome::NoAnswer));
        }
    }
    prop_assert_eq!(call.history.last().map_or(1, |e| e.version), call.version);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn random_command_sequences_keep_the_call_consistent(
        dated in any::<bool>(),
        offered in any::<bool>(),
        extra in prop::option::of(0i64..10_000),
        steps in prop::collection::vec((command(), actor(), prop_oneof![1 => Just(0i64), 3 => 0i64..600]), 1..80),
    ) {
        let mut now = base_time();
        let mut call = ServiceCall::new(Uuid::from_u128(0x99), booking(dated, extra), now);
        if offered {
            let offer = Command::Offer { companies: vec![A, B] };
            call = apply(&call, offer, &Actor::Marketplace, now).unwrap().0;
        }
        check_invariants(&call)?;

        for (cmd, actor, minutes) in steps {
            now += Duration::minutes(minutes);
            match apply(&call, cmd, &actor, now) {
                Ok((next, events)) => {
                    if events.is_empty() {
                        prop_assert_eq!(&next, &call, "a no-op changes nothing");
                    } else {
                        prop_assert_eq!(next.version, call.version + 1);
                        prop_assert_eq!(next.history.len(), call.history.len() + events.len());
                        prop_assert!(events.iter().all(|e| e.version == next.version && e.at == now));
                        call = next;
                    }
                }
                Err(e) => {
                    prop_assert!([403, 404, 409, 422].contains(&e.http_status()));
                    prop_assert!(!e.code().is_empty());
                }
            }
            check_invariants(&call)?;
        }

        let json = serde_json::to_string(&call).unwrap();
        let back: ServiceCall = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, call);
    }

    /// Driving the happy path with random order changes: the closing price is always the
    /// sum of the lines, whatever was added, removed or refused on the way.
    #[test]
    fn closed_total_is_the_sum_of_the_lines(
        order_cmds in prop::collection::vec(command(), 0..30),
        method in prop_oneof![Just(PaymentMethod::Cash), Just(PaymentMethod::Invoice)],
    ) {
        let now = base_time();
        let dispatcher = Actor::Dispatcher { user_id: Uuid::from_u128(1), company_id: A };
        let call = ServiceCall::new(Uuid::from_u128(0x99), booking(true, None), now);
        let steps = [
            (Command::Offer { companies: vec![A, B] }, Actor::Marketplace),
            (Command::Accept, dispatcher.clone()),
            (Command::Assign { technician: technicians()[0].clone() }, dispatcher.clone()),
            (Command::ConfirmClientCalled, dispatcher.clone()),
        ];
        let mut call = steps.into_iter().fold(call, |c, (cmd, actor)| apply(&c, cmd, &actor, now).unwrap().0);
        for cmd in order_cmds.into_iter().filter(|c| matches!(c,
            Command::AddTimeUnits { .. } | Command::AddMaterial { .. } | Command::AddDiscount { .. }
            | Command::RemoveLine { .. } | Command::ChangeAgreedPrice { .. }))
        {
            if let Ok((next, _)) = apply(&call, cmd, &dispatcher, now) {
                call = next;
            }
        }

        let (closed, _) = apply(&call, Command::Close { payment_method: method, signature: None }, &dispatcher, now).unwrap();

        let lines: i64 = closed.order.lines.iter().map(|l| l.amount.amount_minor).sum();
        prop_assert_eq!(closed.closure.unwrap().total.amount_minor, lines);
        prop_assert!(lines >= 0);
    }

    /// Any move by the dispatcher (new time, other technician, both, or unassigned; from
    /// a dated or undated, assigned or unassigned call) undone by the same dispatcher
    /// within the window gives back exactly the date/time and technician from before,
    /// and cannot be undone again; after the window it cannot be undone at all.
    #[test]
    fn an_undone_move_restores_time_and_technician(
        dated in any::<bool>(),
        assigned in any::<bool>(),
        new_slot in prop::option::of(slot()),
        new_tech in prop::option::of(prop::option::of(technician())),
        seconds in 0i64..=20,
    ) {
        let now = base_time();
        let dispatcher = Actor::Dispatcher { user_id: Uuid::from_u128(1), company_id: A };
        let mut call = ServiceCall::new(Uuid::from_u128(0x99), booking(dated, None), now);
        call = apply(&call, Command::Offer { companies: vec![A, B] }, &Actor::Marketplace, now).unwrap().0;
        call = apply(&call, Command::Accept, &dispatcher, now).unwrap().0;
        if assigned {
            let anna = technicians()[0].clone();
            call = apply(&call, Command::Assign { technician: anna }, &dispatcher, now).unwrap().0;
        }
        let mut commands = Vec::new();
        if let Some(slot) = new_slot {
            commands.push(Command::SetSlot { slot });
        }
        match new_tech {
            Some(Some(technician)) => commands.push(Command::Assign { technician }),
            Some(None) => commands.push(Command::Unassign),
            None => {}
        }
        let Ok((moved, events)) = domain::flow::apply_all(&call, commands, &dispatcher, now) else {
            return Ok(()); // a refused move: nothing to undo
        };
        prop_assume!(!events.is_empty());
        let facts = call
            .technician_id
            .and_then(|id| technicians().into_iter().find(|t| t.id == id));
        let later = now + Duration::seconds(seconds);

        let undone = apply(&moved, Command::UndoMove { technician: facts.clone() }, &dispatcher, later);

        if Duration::seconds(seconds) <= domain::flow::UNDO_WINDOW {
            let (undone, _) = undone.unwrap();
            prop_assert_eq!(undone.slot, call.slot);
            prop_assert_eq!(undone.technician_id, call.technician_id);
            prop_assert_eq!(undone.colour, call.colour);
            prop_assert_eq!(undone.version, moved.version + 1);
            check_invariants(&undone)?;
            let again = apply(&undone, Command::UndoMove { technician: facts }, &dispatcher, later);
            prop_assert_eq!(again.unwrap_err(), DomainError::UndoUnavailable);
        } else {
            prop_assert_eq!(undone.unwrap_err(), DomainError::UndoUnavailable);
        }
    }
}

#[test]
fn only_one_of_many_racing_companies_wins() {
    // Sequential model of the race: whatever order the accepts arrive in, the first wins,
    // the winner's retry is a no-op and everyone else is told it is taken.
    let now = base_time();
    let call = ServiceCall::new(Uuid::from_u128(0x99), booking(true, None), now);
    let (call, _) = apply(
        &call,
        Command::Offer {
            companies: COMPANIES.to_vec(),
        },
        &Actor::Marketplace,
        now,
    )
    .unwrap();
    let d = |c: Uuid| Actor::Dispatcher {
        user_id: Uuid::from_u128(c.as_u128() + 0x100),
        company_id: c,
    };

    let (call, _) = apply(&call, Command::Accept, &d(B), now).unwrap();
    let retry = apply(&call, Command::Accept, &d(B), now).unwrap();
    let late_a = apply(&call, Command::Accept, &d(A), now);
    let late_c = apply(&call, Command::Accept, &d(C), now);

    assert!(retry.1.is_empty());
    assert_eq!(late_a.unwrap_err(), DomainError::AlreadyAccepted);
    assert_eq!(late_c.unwrap_err(), DomainError::AlreadyAccepted);
    assert_eq!(call.accepted_by, Some(B));
}
