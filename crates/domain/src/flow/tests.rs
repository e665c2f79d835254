//! One test per transition and per refusal, in the order of the flow.

use super::*;
use crate::colour::{board_view, Colour, Place};
use crate::error::ReadinessGap;
use crate::event::{Channel, Recipient};
use crate::money::{Currency, Money};
use crate::order::LineKind;
use crate::technician::Missing;
use crate::testkit::*;

fn refused(call: &ServiceCall, cmd: Command, actor: &Actor) -> DomainError {
    match apply(call, cmd, actor, now()) {
        Ok(_) => panic!("expected a refusal"),
        Err(e) => e,
    }
}

fn chf(minor: i64) -> Money {
    Money::new(minor, Currency::CHF)
}

fn line(n: u128) -> Uuid {
    Uuid::from_u128(0x1_0000 + n)
}

fn offer_state(call: &ServiceCall, company: Uuid) -> OfferState {
    call.offer_for(company).unwrap().state
}

fn recipients(events: &[Event]) -> Vec<(Recipient, Channel)> {
    events
        .iter()
        .flat_map(|e| &e.notifications)
        .map(|n| (n.recipient.clone(), n.channel))
        .collect()
}

fn push(id: Uuid) -> (Recipient, Channel) {
    (Recipient::Technician { technician_id: id }, Channel::Push)
}

fn client_mail() -> (Recipient, Channel) {
    (Recipient::ClientEmail, Channel::Email)
}

fn called() -> Command {
    Command::ConfirmClientCalled
}

fn assign(id: Uuid, company: Uuid) -> Command {
    Command::Assign {
        technician: facts(id, company),
    }
}

fn no_answer() -> Command {
    Command::LogCallAttempt {
        outcome: CallOutcome::NoAnswer,
    }
}

fn cancel(reason: CancelReason) -> Command {
    Command::Cancel { reason }
}

fn close(method: PaymentMethod, signature: Option<&str>) -> Command {
    Command::Close {
        payment_method: method,
        signature: signature.map(str::to_owned),
    }
}

fn closed() -> ServiceCall {
    run(&ready(), close(PaymentMethod::Cash, None), &alpen()).0
}

fn cancelled() -> ServiceCall {
    run(&accepted(), cancel(CancelReason::ClientCancelled), &alpen()).0
}

fn redistributed() -> ServiceCall {
    run(&ready(), cancel(CancelReason::Redistribute), &alpen()).0
}

// ---------------------------------------------------------------- offer

#[test]
fn offer_emails_every_dispatcher_and_shows_blue() {
    // Arrange
    let call = ServiceCall::new(CALL_ID, booking(), now());

    // Act
    let (call, events) = run(
        &call,
        Command::Offer {
            companies: vec![ALPEN, RHEIN, ALPEN],
        },
        &Actor::Marketplace,
    );

    // Assert
    assert_eq!(call.status, Status::Requested);
    assert_eq!(call.version, 2);
    assert_eq!(call.colour, Colour::Blue);
    assert_eq!(call.offers.len(), 2);
    assert_eq!(
        events[0].change,
        Change::Offered {
            companies: vec![ALPEN, RHEIN]
        }
    );
    assert_eq!(
        recipients(&events),
        vec![
            (
                Recipient::CompanyDispatchers { company_id: ALPEN },
                Channel::Email
            ),
            (
                Recipient::CompanyDispatchers { company_id: RHEIN },
                Channel::Email
            ),
        ]
    );
    assert_eq!(
        events[0].notifications[0].kind,
        NotificationKind::NewRequest
    );
    assert_eq!(call.history, events);
}

#[test]
fn offer_can_add_companies_while_requested() {
    let (call, events) = run(
        &requested(),
        Command::Offer {
            companies: vec![ALPEN, THIRD],
        },
        &Actor::System,
    );

    assert_eq!(
        events[0].change,
        Change::Offered {
            companies: vec![THIRD]
        }
    );
    assert_eq!(offer_state(&call, THIRD), OfferState::Offered);
}

#[test]
fn offer_refusals() {
    let offer = |companies: Vec<Uuid>| Command::Offer { companies };

    assert_eq!(
        refused(&requested(), offer(vec![THIRD]), &alpen()),
        DomainError::Forbidden
    );
    assert_eq!(
        refused(&requested(), offer(vec![ALPEN]), &Actor::Marketplace),
        DomainError::NothingToOffer
    );
    assert_eq!(
        refused(&requested(), offer(vec![]), &Actor::Marketplace),
        DomainError::NothingToOffer
    );
    assert_eq!(
        refused(&accepted(), offer(vec![THIRD]), &Actor::Marketplace),
        DomainError::AlreadyAccepted
    );
    assert_eq!(
        refused(&closed(), offer(vec![THIRD]), &Actor::Marketplace),
        DomainError::CallClosed
    );
    assert_eq!(
        refused(&cancelled(), offer(vec![THIRD]), &Actor::Marketplace),
        DomainError::CallCancelled
    );
}

#[test]
fn a_company_that_declined_is_not_asked_again_in_the_same_round() {
    let (call, _) = run(&requested(), Command::Decline, &rhein());

    let err = refused(
        &call,
        Command::Offer {
            companies: vec![RHEIN],
        },
        &Actor::Marketplace,
    );

    assert_eq!(err, DomainError::NothingToOffer);
}

// ---------------------------------------------------------------- accept

#[test]
fn first_accept_wins_and_the_client_is_emailed() {
    // Arrange
    let call = requested();

    // Act
    let (call, events) = run(&call, Command::Accept, &alpen());

    // Assert
    assert_eq!(call.status, Status::Accepted);
    assert_eq!(call.accepted_by, Some(ALPEN));
    assert_eq!(call.accepted_at, Some(now()));
    assert_eq!(offer_state(&call, ALPEN), OfferState::Won);
    assert_eq!(offer_state(&call, RHEIN), OfferState::Taken);
    assert_eq!(
        events[0].change,
        Change::Accepted {
            company_id: ALPEN,
            taken_from: vec![RHEIN]
        }
    );
    assert_eq!(
        events[0].notifications,
        vec![Notification::client_email(
            NotificationKind::RequestAccepted { company_id: ALPEN }
        )]
    );
    assert_eq!(events[0].status_before, Status::Requested);
    assert_eq!(events[0].status_after, Status::Accepted);
    assert!(board_view(&call, RHEIN).placements.is_empty());
}

#[test]
fn the_winner_accepting_again_is_a_no_op() {
    let call = accepted();

    let (again, events) = run(&call, Command::Accept, &alpen());

    assert!(events.is_empty());
    assert_eq!(again, call);
}

#[test]
fn anyone_else_accepting_gets_already_accepted() {
    assert_eq!(
        refused(&accepted(), Command::Accept, &rhein()),
        DomainError::AlreadyAccepted
    );
    assert_eq!(
        refused(&closed(), Command::Accept, &rhein()),
        DomainError::AlreadyAccepted
    );
}

#[test]
fn accept_refusals() {
    assert_eq!(
        refused(&requested(), Command::Accept, &dispatcher(THIRD)),
        DomainError::NotFound
    );
    assert_eq!(
        refused(&requested(), Command::Accept, &technician(ANNA, ALPEN)),
        DomainError::Forbidden
    );
    assert_eq!(
        refused(&requested(), Command::Accept, &Actor::Marketplace),
        DomainError::Forbidden
    );
    let (declined, _) = run(&requested(), Command::Decline, &rhein());
    assert_eq!(
        refused(&declined, Command::Accept, &rhein()),
        DomainError::OfferDeclined
    );
    let (all_declined, _) = run(&declined, Command::Decline, &alpen());
    assert_eq!(
        refused(&all_declined, Command::Accept, &alpen()),
        DomainError::OfferDeclined
    );
}

// ---------------------------------------------------------------- decline

#[test]
fn decline_removes_the_request_from_that_board_only() {
    let (call, events) = run(&requested(), Command::Decline, &rhein());

    assert_eq!(call.status, Status::Requested);
    assert_eq!(offer_state(&call, RHEIN), OfferState::Declined);
    assert_eq!(events[0].change, Change::Declined { company_id: RHEIN });
    assert!(board_view(&call, RHEIN).placements.is_empty());
    assert_eq!(
        board_view(&call, ALPEN).placements[0].place,
        Place::RequestsList
    );
}

#[test]
fn when_everyone_declined_the_marketplace_is_told() {
    let (call, _) = run(&requested(), Command::Decline, &rhein());

    let (call, events) = run(&call, Command::Decline, &alpen());

    assert_eq!(call.status, Status::WithMarketplace);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].change, Change::ReturnedToMarketplace);
    assert_eq!(
        events[1].notifications,
        vec![Notification::marketplace(NotificationKind::AllDeclined)]
    );
    assert_eq!(call.version, 4, "one command, one version step");
}

#[test]
fn a_new_round_re_offers_companies_that_declined() {
    let (call, _) = run(&requested(), Command::Decline, &rhein());
    let (call, _) = run(&call, Command::Decline, &alpen());

    let (call, _) = run(
        &call,
        Command::Offer {
            companies: vec![RHEIN],
        },
        &Actor::Marketplace,
    );
    let (call, _) = run(&call, Command::Accept, &rhein());

    assert_eq!(call.accepted_by, Some(RHEIN));
    assert_eq!(offer_state(&call, ALPEN), OfferState::Declined);
}

#[test]
fn declining_twice_is_a_no_op() {
    let (call, _) = run(&requested(), Command::Decline, &rhein());

    let (again, events) = run(&call, Command::Decline, &rhein());

    assert!(events.is_empty());
    assert_eq!(again.version, call.version);
}

#[test]
fn decline_refusals() {
    assert_eq!(
        refused(&accepted(), Command::Decline, &rhein()),
        DomainError::AlreadyAccepted
    );
    assert_eq!(
        refused(&accepted(), Command::Decline, &alpen()),
        DomainError::InvalidState(Status::Accepted)
    );
    assert_eq!(
        refused(&requested(), Command::Decline, &dispatcher(THIRD)),
        DomainError::NotFound
    );
    assert_eq!(
        refused(&requested(), Command::Decline, &technician(ANNA, ALPEN)),
        DomainError::Forbidden
    );
    assert_eq!(
        refused(&redistributed(), Command::Decline, &alpen()),
        DomainError::NotFound
    );
}

// ---------------------------------------------------------------- who may act after accept

#[test]
fn tenancy_and_actor_refusals_after_accept() {
    let call = assigned();

    assert_eq!(
        refused(&call, called(), &dispatcher(THIRD)),
        DomainError::NotFound
    );
    assert_eq!(
        refused(&call, called(), &rhein()),
        DomainError::AlreadyAccepted
    );
    assert_eq!(
        refused(&call, called(), &technician(RHEIN_TECH, RHEIN)),
        DomainError::AlreadyAccepted
    );
    assert_eq!(
        refused(&call, called(), &technician(BEN, ALPEN)),
        DomainError::NotAssignedTechnician
    );
    assert_eq!(
        refused(&call, called(), &Actor::Marketplace),
        DomainError::Forbidden
    );
    assert_eq!(
        refused(&requested(), called(), &alpen()),
        DomainError::NotAccepted
    );
    assert_eq!(
        refused(&redistributed(), called(), &alpen()),
        DomainError::NotFound
    );
}

// ---------------------------------------------------------------- client called

#[test]
fn dispatcher_confirms_client_called() {
    let (call, events) = run(&accepted(), called(), &alpen());

    assert!(call.client_called);
    assert_eq!(events[0].change, Change::ClientCalledConfirmed);
    assert!(events[0].notifications.is_empty());
}

#[test]
fn assigned_technician_confirms_client_called_and_the_call_turns_green() {
    let call = assigned();
    assert_eq!(call.colour, Colour::Orange);

    let (call, _) = run(&call, called(), &technician(ANNA, ALPEN));

    assert!(call.client_called);
    assert_eq!(call.colour, Colour::Green);
}

#[test]
fn confirming_twice_is_a_no_op() {
    let (call, _) = run(&accepted(), called(), &alpen());

    let (_, events) = run(&call, called(), &alpen());

    assert!(events.is_empty());
}

#[test]
fn nothing_changes_on_a_closed_or_cancelled_call() {
    assert_eq!(
        refused(&closed(), called(), &alpen()),
        DomainError::CallClosed
    );
    assert_eq!(
        refused(&cancelled(), called(), &alpen()),
        DomainError::CallCancelled
    );
    assert_eq!(
        refused(
            &closed(),
            Command::AddReportNote { text: "x".into() },
            &alpen()
        ),
        DomainError::CallClosed
    );
    assert_eq!(
        refused(&cancelled(), cancel(CancelReason::Redistribute), &alpen()),
        DomainError::CallCancelled
    );
    assert_eq!(
        refused(&closed(), close(PaymentMethod::Cash, None), &alpen()),
        DomainError::CallClosed
    );
}

// ---------------------------------------------------------------- date/time

#[test]
fn defining_the_date_time_emails_the_client_the_schedule() {
    let new_slot = slot("2026-11-25T13:00:00Z", "2026-11-25T14:00:00Z");

    let (call, events) = run(
        &accepted_undated(),
        Command::SetSlot { slot: new_slot },
        &alpen(),
    );

    assert_eq!(call.slot, Some(new_slot));
    assert_eq!(
        events[0].change,
        Change::SlotSet {
            before: None,
            after: new_slot
        }
    );
    assert_eq!(
        events[0].notifications,
        vec![Notification::client_email(NotificationKind::ScheduleSet {
            slot: new_slot
        })]
    );
}

#[test]
fn changing_the_date_time_emails_the_client_and_pushes_the_technician() {
    let call = assigned();
    let before = call.slot.unwrap();
    let after = before.moved_to(t("2026-11-24T14:00:00Z"));

    let (call, events) = run(&call, Command::SetSlot { slot: after }, &alpen());

    let kind = NotificationKind::ScheduleChanged { before, after };
    assert_eq!(call.slot, Some(after));
    assert_eq!(
        events[0].notifications,
        vec![
            Notification::client_email(kind.clone()),
            Notification::technician_push(ANNA, kind),
        ]
    );
}

#[test]
fn a_technician_moving_their_own_call_only_emails_the_client() {
    let after = slot("2026-11-24T15:00:00Z", "2026-11-24T16:00:00Z");

    let (_, events) = run(
        &assigned(),
        Command::SetSlot { slot: after },
        &technician(ANNA, ALPEN),
    );

    assert_eq!(recipients(&events), vec![client_mail()]);
}

#[test]
fn setting_the_same_slot_is_a_no_op() {
    let call = accepted();

    let (_, events) = run(
        &call,
        Command::SetSlot {
            slot: call.slot.unwrap(),
        },
        &alpen(),
    );

    assert!(events.is_empty());
}

#[test]
fn set_slot_refusals() {
    let off_grid = TimeSlot {
        start: t("2026-11-24T09:05:00Z"),
        end: t("2026-11-24T10:00:00Z"),
    };
    let backwards = TimeSlot {
        start: t("2026-11-24T10:00:00Z"),
        end: t("2026-11-24T09:00:00Z"),
    };
    let fine = slot("2026-11-24T11:00:00Z", "2026-11-24T12:00:00Z");

    assert_eq!(
        refused(&accepted(), Command::SetSlot { slot: off_grid }, &alpen()),
        DomainError::InvalidSlot(crate::slot::SlotError::OffGrid)
    );
    assert_eq!(
        refused(&accepted(), Command::SetSlot { slot: backwards }, &alpen()),
        DomainError::InvalidSlot(crate::slot::SlotError::EndNotAfterStart)
    );
    assert_eq!(
        refused(&started(), Command::SetSlot { slot: fine }, &alpen()),
        DomainError::AlreadyStarted
    );
    assert_eq!(
        refused(&requested(), Command::SetSlot { slot: fine }, &alpen()),
        DomainError::NotAccepted
    );
}

#[test]
fn a_new_date_in_the_past_is_refused_but_the_current_quarter_hour_is_not() {
    // now() is 2026-11-20 08:00Z.
    let yesterday = slot("2026-11-19T09:00:00Z", "2026-11-19T10:00:00Z");
    let this_quarter = slot("2026-11-20T08:00:00Z", "2026-11-20T09:00:00Z");

    assert_eq!(
        refused(&accepted(), Command::SetSlot { slot: yesterday }, &alpen()),
        DomainError::InvalidSlot(crate::slot::SlotError::InPast)
    );
    let (call, _) = run(
        &accepted(),
        Command::SetSlot { slot: this_quarter },
        &alpen(),
    );
    assert_eq!(call.slot, Some(this_quarter));
}

// ---------------------------------------------------------------- assign

#[test]
fn assigning_pushes_the_technician() {
    let (call, events) = run(&accepted(), assign(ANNA, ALPEN), &alpen());

    assert_eq!(call.technician_id, Some(ANNA));
    assert_eq!(
        events[0].change,
        Change::TechnicianAssigned {
            before: None,
            after: ANNA
        }
    );
    assert_eq!(
        events[0].notifications,
        vec![Notification::technician_push(
            ANNA,
            NotificationKind::Assigned
        )]
    );
}

#[test]
fn reassigning_notifies_both_technicians() {
    let (call, events) = run(&assigned(), assign(BEN, ALPEN), &alpen());

    assert_eq!(call.technician_id, Some(BEN));
    assert_eq!(recipients(&events), vec![push(BEN), push(ANNA)]);
    assert_eq!(
        events[0].notifications[1].kind,
        NotificationKind::Unassigned
    );
}

#[test]
fn assigning_the_same_technician_is_a_no_op() {
    let (_, events) = run(&assigned(), assign(ANNA, ALPEN), &alpen());

    assert!(events.is_empty());
}

#[test]
fn only_verified_technicians_can_be_assigned() {
    let mut unverified = facts(BEN, ALPEN);
    unverified.has_photo = false;
    unverified.activated = false;

    let err = refused(
        &accepted(),
        Command::Assign {
            technician: unverified,
        },
        &alpen(),
    );

    assert_eq!(
        err,
        DomainError::NotVerified {
            missing: vec![Missing::PasswordNotSet, Missing::NoPhoto]
        }
    );
    assert_eq!(err.http_status(), 422);
}

#[test]
fn assign_refusals() {
    let mut electrician = facts(BEN, ALPEN);
    electrician.skills = vec!["electrics".into()];

    assert_eq!(
        refused(&accepted(), assign(RHEIN_TECH, RHEIN), &alpen()),
        DomainError::NotFound
    );
    assert_eq!(
        refused(
            &accepted(),
            Command::Assign {
                technician: electrician
            },
            &alpen()
        ),
        DomainError::LacksSkill {
            skill: "plumbing".into()
        }
    );
    assert_eq!(
        refused(&assigned(), assign(BEN, ALPEN), &technician(ANNA, ALPEN)),
        DomainError::Forbidden
    );
    assert_eq!(
        refused(&started(), assign(BEN, ALPEN), &alpen()),
        DomainError::AlreadyStarted
    );
    assert_eq!(
        refused(&requested(), assign(ANNA, ALPEN), &alpen()),
        DomainError::NotAccepted
    );
}

#[test]
fn unassigning_pushes_the_old_technician() {
    let (call, events) = run(&assigned(), Command::Unassign, &alpen());

    assert_eq!(call.technician_id, None);
    assert_eq!(call.colour, Colour::White);
    assert_eq!(
        events[0].change,
        Change::TechnicianUnassigned { before: ANNA }
    );
    assert_eq!(recipients(&events), vec![push(ANNA)]);
    let (_, none) = run(&call, Command::Unassign, &alpen());
    assert!(none.is_empty());
    assert_eq!(
        refused(&started(), Command::Unassign, &alpen()),
        DomainError::AlreadyStarted
    );
}

// ---------------------------------------------------------------- order

#[test]
fn design_example_order_totals_265() {
    // Arrange: 60-min CHF 120.00 package.
    let call = started();

    // Act: 2 extra units at the pro-rata price, CHF 25 of material, by the technician.
    let anna = technician(ANNA, ALPEN);
    let (call, events) = run(
        &call,
        Command::AddTimeUnits {
            line_id: line(1),
            quantity: 2,
            unit_price: None,
        },
        &anna,
    );
    let (call, _) = run(
        &call,
        Command::AddMaterial {
            line_id: line(2),
            description: "Tap washer set".into(),
            quantity: 1,
            unit_price: chf(2500),
        },
        &anna,
    );

    // Assert
    assert_eq!(call.order.total, chf(26500));
    assert_eq!(call.order.lines[1].unit_price, chf(6000));
    assert!(matches!(
        &events[0].change,
        Change::OrderLineAdded { line } if line.kind == LineKind::TimeUnit && line.amount == chf(12000)
    ));
}

#[test]
fn a_line_priced_from_the_view_alone_totals_as_the_change_does() {
    // The app prices a queued line from the call's view (crate::order::line_of); the
    // server applies the command to the call. Both must arrive at the same order.
    let call = started();
    let mut view = crate::view::CallView::for_company(&call, ALPEN).unwrap();
    let commands = [
        Command::AddTimeUnits {
            line_id: line(1),
            quantity: 2,
            unit_price: None,
        },
        Command::AddMaterial {
            line_id: line(2),
            description: "  Tap washer set ".into(),
            quantity: 3,
            unit_price: chf(850),
        },
        Command::AddDiscount {
            line_id: line(3),
            description: "Regular client".into(),
            amount: chf(1000),
        },
    ];
    let mut applied = call;
    for command in commands {
        let line = crate::order::line_of(&command, &view.service)
            .unwrap()
            .unwrap();
        view.order.as_mut().unwrap().add_line(line).unwrap();
        applied = run(&applied, command, &alpen()).0;
    }
    assert_eq!(view.order.as_ref(), Some(&applied.order));
    assert_eq!(applied.order.total, chf(12000 + 12000 + 2550 - 1000));
    assert!(crate::order::line_of(&Command::Accept, &view.service).is_none());
}

#[test]
fn a_given_unit_price_overrides_the_pro_rata_one() {
    let (call, _) = run(
        &accepted(),
        Command::AddTimeUnits {
            line_id: line(1),
            quantity: 1,
            unit_price: Some(chf(4500)),
        },
        &alpen(),
    );

    assert_eq!(call.order.total, chf(16500));
}

#[test]
fn discounts_and_line_removal() {
    let (call, _) = run(
        &accepted(),
        Command::AddDiscount {
            line_id: line(1),
            description: "Regular client".into(),
            amount: chf(2000),
        },
        &alpen(),
    );
    assert_eq!(call.order.total, chf(10000));

    let (call, events) = run(&call, Command::RemoveLine { line_id: line(1) }, &alpen());

    assert_eq!(call.order.total, chf(12000));
    assert!(matches!(&events[0].change, Change::OrderLineRemoved { line: l } if l.id == line(1)));
}

#[test]
fn changing_the_agreed_price_records_before_and_after() {
    let (call, events) = run(
        &accepted(),
        Command::ChangeAgreedPrice { price: chf(9900) },
        &alpen(),
    );

    assert_eq!(call.order.total, chf(9900));
    assert_eq!(
        events[0].change,
        Change::AgreedPriceChanged {
            before: chf(12000),
            after: chf(9900)
        }
    );
    let (_, none) = run(
        &call,
        Command::ChangeAgreedPrice { price: chf(9900) },
        &alpen(),
    );
    assert!(none.is_empty());
}

#[test]
fn order_refusals() {
    let call = accepted();
    let eur = Money::new(500, Currency::EUR);

    assert_eq!(
        refused(
            &call,
            Command::AddTimeUnits {
                line_id: line(1),
                quantity: 1,
                unit_price: Some(eur)
            },
            &alpen()
        ),
        DomainError::CurrencyMismatch {
            expected: Currency::CHF,
            found: Currency::EUR
        }
    );
    assert_eq!(
        refused(
            &call,
            Command::AddTimeUnits {
                line_id: line(1),
                quantity: 0,
                unit_price: None
            },
            &alpen()
        ),
        DomainError::InvalidQuantity
    );
    assert_eq!(
        refused(
            &call,
            Command::AddMaterial {
                line_id: line(1),
                description: "  ".into(),
                quantity: 1,
                unit_price: chf(100)
            },
            &alpen()
        ),
        DomainError::InvalidText
    );
    assert_eq!(
        refused(
            &call,
            Command::AddMaterial {
                line_id: line(1),
                description: "Pipe".into(),
                quantity: 1,
                unit_price: chf(-100)
            },
            &alpen()
        ),
        DomainError::NegativeAmount
    );
    assert_eq!(
        refused(
            &call,
            Command::AddDiscount {
                line_id: line(1),
                description: "Everything free".into(),
                amount: chf(12001)
            },
            &alpen()
        ),
        DomainError::NegativeTotal
    );
    assert_eq!(
        refused(
            &call,
            Command::RemoveLine {
                line_id: crate::order::PACKAGE_LINE_ID
            },
            &alpen()
        ),
        DomainError::LineNotRemovable
    );
    assert_eq!(
        refused(&call, Command::RemoveLine { line_id: line(9) }, &alpen()),
        DomainError::LineNotFound
    );
    assert_eq!(
        refused(&call, Command::ChangeAgreedPrice { price: eur }, &alpen()),
        DomainError::CurrencyMismatch {
            expected: Currency::CHF,
            found: Currency::EUR
        }
    );
    assert_eq!(
        refused(
            &call,
            Command::ChangeAgreedPrice { price: chf(-1) },
            &alpen()
        ),
        DomainError::NegativeAmount
    );
    let (with_line, _) = run(
        &call,
        Command::AddTimeUnits {
            line_id: line(1),
            quantity: 1,
            unit_price: None,
        },
        &alpen(),
    );
    assert_eq!(
        refused(
            &with_line,
            Command::AddTimeUnits {
                line_id: line(1),
                quantity: 1,
                unit_price: None
            },
            &alpen()
        ),
        DomainError::DuplicateLine
    );
    assert_eq!(
        refused(
            &closed(),
            Command::ChangeAgreedPrice { price: chf(1) },
            &alpen()
        ),
        DomainError::CallClosed
    );
}

// ---------------------------------------------------------------- work report, call attempts

#[test]
fn work_report_notes_are_kept_with_author_and_time() {
    let anna = technician(ANNA, ALPEN);

    let (call, events) = run(
        &started(),
        Command::AddReportNote {
            text: "  Replaced the washer; 1h extra for the corroded valve. ".into(),
        },
        &anna,
    );

    let note = &call.report_notes[0];
    assert_eq!(
        note.text,
        "Replaced the washer; 1h extra for the corroded valve."
    );
    assert_eq!(note.by, anna);
    assert_eq!(note.at, now());
    assert!(matches!(events[0].change, Change::ReportNoteAdded { .. }));
    assert_eq!(
        refused(
            &started(),
            Command::AddReportNote { text: " ".into() },
            &anna
        ),
        DomainError::InvalidText
    );
}

#[test]
fn a_reached_attempt_completes_the_call_client_task() {
    let (call, events) = run(
        &assigned(),
        Command::LogCallAttempt {
            outcome: CallOutcome::Reached,
        },
        &technician(ANNA, ALPEN),
    );

    assert!(call.client_called);
    assert_eq!(call.colour, Colour::Green);
    assert_eq!(call.call_attempts.len(), 1);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].change, Change::ClientCalledConfirmed);
}

#[test]
fn a_no_answer_attempt_is_only_logged() {
    let (call, events) = run(&assigned(), no_answer(), &alpen());

    assert!(!call.client_called);
    assert_eq!(call.call_attempts[0].outcome, CallOutcome::NoAnswer);
    assert_eq!(call.call_attempts[0].by, alpen());
    assert_eq!(events.len(), 1);
}

// ---------------------------------------------------------------- start

#[test]
fn start_needs_a_ready_call() {
    let err = refused(&accepted_undated(), Command::Start, &alpen());

    assert_eq!(
        err,
        DomainError::NotReady {
            missing: vec![
                ReadinessGap::NoSlot,
                ReadinessGap::NoTechnician,
                ReadinessGap::ClientNotCalled
            ]
        }
    );
}

#[test]
fn the_assigned_technician_starts() {
    let (call, events) = run(&ready(), Command::Start, &technician(ANNA, ALPEN));

    assert_eq!(call.status, Status::InProgress);
    assert_eq!(call.started_at, Some(now()));
    assert_eq!(call.colour, Colour::Green);
    assert_eq!(events[0].change, Change::Started);
    assert_eq!(
        refused(&call, Command::Start, &alpen()),
        DomainError::AlreadyStarted
    );
}

// ---------------------------------------------------------------- close

#[test]
fn online_card_needs_the_clients_signature() {
    assert_eq!(
        refused(&started(), close(PaymentMethod::OnlineCard, None), &alpen()),
        DomainError::SignatureRequired
    );
    assert_eq!(
        refused(
            &started(),
            close(PaymentMethod::OnlineCard, Some("  ")),
            &alpen()
        ),
        DomainError::SignatureRequired
    );
}

#[test]
fn closing_records_payment_and_final_price_and_emails_client_and_company() {
    // Arrange
    let (call, _) = run(
        &started(),
        Command::AddTimeUnits {
            line_id: line(1),
            quantity: 1,
            unit_price: None,
        },
        &alpen(),
    );

    // Act
    let (call, events) = run(
        &call,
        close(
            PaymentMethod::OnlineCard,
            Some("data:image/svg+xml;base64,AAAA"),
        ),
        &technician(ANNA, ALPEN),
    );

    // Assert
    let closure = call.closure.as_ref().unwrap();
    assert_eq!(call.status, Status::Closed);
    assert_eq!(closure.total, chf(18000));
    assert_eq!(closure.payment_method, PaymentMethod::OnlineCard);
    assert!(closure.signature.is_some());
    assert_eq!(
        recipients(&events),
        vec![
            client_mail(),
            (
                Recipient::CompanyEmail { company_id: ALPEN },
                Channel::Email
            )
        ]
    );
    assert_eq!(
        board_view(&call, ALPEN).placements[0].place,
        Place::TechnicianRow {
            technician_id: ANNA
        }
    );
}

#[test]
fn a_ready_call_can_be_closed_without_an_explicit_start() {
    let (call, _) = run(&ready(), close(PaymentMethod::Invoice, None), &alpen());

    assert_eq!(call.status, Status::Closed);
    assert_eq!(call.started_at, Some(now()));
}

#[test]
fn close_needs_a_ready_call() {
    assert_eq!(
        refused(&assigned(), close(PaymentMethod::Cash, None), &alpen()),
        DomainError::NotReady {
            missing: vec![ReadinessGap::ClientNotCalled]
        }
    );
}

// ---------------------------------------------------------------- cancel

#[test]
fn client_did_not_answer_needs_a_no_answer_attempt() {
    let err = refused(
        &accepted(),
        cancel(CancelReason::ClientDidNotAnswer),
        &alpen(),
    );
    assert_eq!(err, DomainError::NoUnansweredAttempt);

    let (call, _) = run(&assigned(), no_answer(), &alpen());
    let (call, events) = run(&call, cancel(CancelReason::ClientDidNotAnswer), &alpen());

    assert_eq!(call.status, Status::Cancelled);
    assert_eq!(
        call.cancellation.as_ref().unwrap().reason,
        CancelReason::ClientDidNotAnswer
    );
    assert_eq!(recipients(&events), vec![push(ANNA), client_mail()]);
    assert!(board_view(&call, ALPEN).placements.is_empty());
}

#[test]
fn client_cancelled() {
    let (call, events) = run(&accepted(), cancel(CancelReason::ClientCancelled), &alpen());

    assert_eq!(call.status, Status::Cancelled);
    assert_eq!(
        events[0].change,
        Change::Cancelled {
            company_id: ALPEN,
            reason: CancelReason::ClientCancelled
        }
    );
    assert_eq!(recipients(&events), vec![client_mail()]);
}

#[test]
fn redistribute_hands_the_call_back_and_excludes_the_company() {
    // Act
    let (call, events) = run(&ready(), cancel(CancelReason::Redistribute), &alpen());

    // Assert
    assert_eq!(call.status, Status::WithMarketplace);
    assert_eq!(call.accepted_by, None);
    assert_eq!(call.technician_id, None);
    assert!(!call.client_called);
    assert!(call.call_attempts.is_empty());
    assert_eq!(call.order.total, chf(12000));
    assert_eq!(call.excluded_companies, vec![ALPEN]);
    assert_eq!(offer_state(&call, ALPEN), OfferState::GaveUp);
    assert_eq!(call.slot, ready().slot, "the client's wish stays");
    assert_eq!(
        recipients(&events),
        vec![push(ANNA), (Recipient::Marketplace, Channel::Callback)]
    );
    assert!(board_view(&call, ALPEN).placements.is_empty());
}

#[test]
fn a_redistributed_call_is_never_offered_back_to_the_company_that_gave_it_up() {
    // Arrange
    let call = redistributed();

    // Act
    let (call, events) = run(
        &call,
        Command::Offer {
            companies: vec![ALPEN, RHEIN, THIRD],
        },
        &Actor::Marketplace,
    );

    // Assert
    assert_eq!(
        events[0].change,
        Change::Offered {
            companies: vec![RHEIN, THIRD]
        }
    );
    assert_eq!(
        refused(&call, Command::Accept, &alpen()),
        DomainError::CompanyExcluded
    );
    assert_eq!(
        refused(
            &redistributed(),
            Command::Offer {
                companies: vec![ALPEN]
            },
            &Actor::Marketplace
        ),
        DomainError::NothingToOffer
    );
    let (call, _) = run(&call, Command::Accept, &rhein());
    assert_eq!(call.accepted_by, Some(RHEIN));
    assert_eq!(offer_state(&call, ALPEN), OfferState::GaveUp);
    assert_eq!(offer_state(&call, THIRD), OfferState::Taken);
}

#[test]
fn cancel_refusals() {
    assert_eq!(
        refused(
            &assigned(),
            cancel(CancelReason::ClientCancelled),
            &technician(ANNA, ALPEN)
        ),
        DomainError::Forbidden
    );
    assert_eq!(
        refused(
            &requested(),
            cancel(CancelReason::ClientCancelled),
            &alpen()
        ),
        DomainError::NotAccepted
    );
    assert_eq!(
        refused(&closed(), cancel(CancelReason::ClientCancelled), &alpen()),
        DomainError::CallClosed
    );
    assert_eq!(
        refused(&accepted(), cancel(CancelReason::ClientCancelled), &rhein()),
        DomainError::AlreadyAccepted
    );
}

// ---------------------------------------------------------------- history

#[test]
fn every_change_is_kept_in_order_with_actor_time_and_versions() {
    let call = closed();

    let versions: Vec<i64> = call.history.iter().map(|e| e.version).collect();

    // offer 2, accept 3, assign 4, reached + confirmed 5 (one command), close 6.
    assert_eq!(versions, vec![2, 3, 4, 5, 5, 6]);
    assert_eq!(call.version, 6);
    assert!(call
        .history
        .iter()
        .all(|e| e.call_id == CALL_ID && e.at == now()));
    assert_eq!(call.history[0].actor, Actor::Marketplace);
    assert_eq!(call.history[1].actor, alpen());
}

#[test]
fn a_refused_command_changes_nothing() {
    let call = accepted();
    let before = call.clone();

    let _ = apply(&call, Command::Accept, &rhein(), now());

    assert_eq!(call, before);
}

#[test]
fn the_aggregate_round_trips_through_json() {
    let call = closed();

    let json = serde_json::to_string(&call).unwrap();
    let back: ServiceCall = serde_json::from_str(&json).unwrap();

    assert_eq!(back, call);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["colour"], "green");
    assert_eq!(value["status"], "closed");
    assert_eq!(value["order"]["lines"][0]["kind"], "package");
}

#[test]
fn an_offer_lost_in_an_earlier_round_is_gone_until_renewed() {
    // Arrange: Rhein lost to Alpen; Alpen gave the call up; only Third is asked now.
    let (call, _) = run(
        &redistributed(),
        Command::Offer {
            companies: vec![THIRD],
        },
        &Actor::Marketplace,
    );
    assert_eq!(offer_state(&call, RHEIN), OfferState::Taken);

    // Act / Assert
    assert_eq!(
        refused(&call, Command::Accept, &rhein()),
        DomainError::NotFound
    );
    assert_eq!(
        refused(&call, Command::Decline, &rhein()),
        DomainError::NotFound
    );
    assert!(!call.visible_to(RHEIN));
    assert!(call.visible_to(THIRD));
    assert!(board_view(&call, RHEIN).placements.is_empty());
}
