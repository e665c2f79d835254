//! Undo of a dispatcher's last move, and which notifications wait for it.

use super::*;
use crate::event::Recipient;
use crate::testkit::*;

const LUCA: Uuid = BEN;

fn at(seconds: i64) -> DateTime<Utc> {
    now() + TimeDelta::seconds(seconds)
}

fn later_slot() -> TimeSlot {
    slot("2026-11-24T13:00:00Z", "2026-11-24T14:00:00Z")
}

fn undo(technician: Option<TechnicianFacts>) -> Command {
    Command::UndoMove { technician }
}

/// Applies one change (several commands, like a PATCH) that must succeed.
fn change(call: &ServiceCall, cmds: Vec<Command>, actor: &Actor) -> ServiceCall {
    apply_all(call, cmds, actor, now()).unwrap().0
}

fn moved(call: &ServiceCall) -> ServiceCall {
    change(
        call,
        vec![
            Command::SetSlot { slot: later_slot() },
            Command::Assign {
                technician: facts(LUCA, ALPEN),
            },
        ],
        &alpen(),
    )
}

/// One change of both time and technician: later, to Luca.
fn later_with_luca() -> Vec<Command> {
    vec![
        Command::SetSlot { slot: later_slot() },
        Command::Assign {
            technician: facts(LUCA, ALPEN),
        },
    ]
}

#[test]
fn one_change_of_several_commands_is_one_version() {
    let call = assigned();

    let (after, events) = apply_all(&call, later_with_luca(), &alpen(), now()).unwrap();

    assert_eq!(after.version, call.version + 1);
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.version == after.version));
}

#[test]
fn a_refused_command_refuses_the_whole_change() {
    let call = assigned();

    let refused = apply_all(
        &call,
        vec![
            Command::SetSlot { slot: later_slot() },
            Command::Assign {
                technician: facts(RHEIN_TECH, RHEIN),
            },
        ],
        &alpen(),
        now(),
    );

    assert_eq!(refused.unwrap_err(), DomainError::NotFound);
}

#[test]
fn undo_restores_the_time_and_the_technician_of_a_move_to_another_row() {
    let before = assigned();
    let after_move = moved(&before);

    let (undone, events) =
        apply(&after_move, undo(Some(facts(ANNA, ALPEN))), &alpen(), at(9)).unwrap();

    assert_eq!(undone.slot, before.slot);
    assert_eq!(undone.technician_id, Some(ANNA));
    assert_eq!(undone.colour, before.colour);
    assert_eq!(undone.version, after_move.version + 1);
    assert_eq!(
        events.last().unwrap().change,
        Change::MoveUndone {
            version: after_move.version
        }
    );
}

#[test]
fn undo_of_a_move_from_the_list_makes_the_call_undated_and_unassigned_again() {
    let before = accepted_undated();
    let after_move = moved(&before);
    assert!(after_move.slot.is_some() && after_move.technician_id.is_some());

    let (undone, events) = apply(&after_move, undo(None), &alpen(), at(10)).unwrap();

    assert_eq!(undone.slot, None);
    assert_eq!(undone.technician_id, None);
    assert_eq!(undone.colour, before.colour);
    let changes: Vec<_> = events.iter().map(|e| e.change.clone()).collect();
    assert_eq!(
        changes,
        vec![
            Change::TechnicianUnassigned { before: LUCA },
            Change::SlotCleared {
                before: later_slot()
            },
            Change::MoveUndone {
                version: after_move.version
            },
        ]
    );
    // Should the move's messages have gone out already, these set them right.
    let kinds: Vec<_> = events
        .iter()
        .flat_map(|e| &e.notifications)
        .map(|n| n.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        vec![
            NotificationKind::Unassigned,
            NotificationKind::ScheduleCleared {
                before: later_slot()
            }
        ]
    );
}

#[test]
fn undo_of_an_unassignment_assigns_again_with_the_rules_checked() {
    let before = assigned();
    let after_move = change(&before, vec![Command::Unassign], &alpen());
    let mut no_photo = facts(ANNA, ALPEN);
    no_photo.has_photo = false;

    let refused = apply(&after_move, undo(Some(no_photo)), &alpen(), at(1));
    let gone = apply(&after_move, undo(None), &alpen(), at(1));
    let other = apply(&after_move, undo(Some(facts(LUCA, ALPEN))), &alpen(), at(1));
    let (undone, _) = apply(&after_move, undo(Some(facts(ANNA, ALPEN))), &alpen(), at(1)).unwrap();

    assert_eq!(refused.unwrap_err().code(), "not-verified");
    assert_eq!(gone.unwrap_err(), DomainError::UndoUnavailable);
    assert_eq!(other.unwrap_err(), DomainError::UndoUnavailable);
    assert_eq!(undone.technician_id, Some(ANNA));
    assert_eq!(undone.slot, before.slot);
}

#[test]
fn only_the_own_last_move_within_the_window_can_be_undone() {
    let after_move = moved(&assigned());
    let colleague = Actor::Dispatcher {
        user_id: Uuid::from_u128(0x77),
        company_id: ALPEN,
    };
    let anna = facts(ANNA, ALPEN);

    let cases = [
        (
            after_move.clone(),
            alpen(),
            at(11),
            DomainError::UndoUnavailable,
        ),
        (
            after_move.clone(),
            colleague,
            at(1),
            DomainError::UndoUnavailable,
        ),
        (
            after_move.clone(),
            rhein(),
            at(1),
            DomainError::AlreadyAccepted,
        ),
        (
            after_move.clone(),
            dispatcher(THIRD),
            at(1),
            DomainError::NotFound,
        ),
        (
            after_move.clone(),
            technician(LUCA, ALPEN),
            at(1),
            DomainError::Forbidden,
        ),
        // Not a move: confirming the call.
        (
            change(&after_move, vec![Command::ConfirmClientCalled], &alpen()),
            alpen(),
            at(1),
            DomainError::UndoUnavailable,
        ),
        // A move together with something else is no move either.
        (
            change(
                &assigned(),
                vec![
                    Command::SetSlot { slot: later_slot() },
                    Command::ConfirmClientCalled,
                ],
                &alpen(),
            ),
            alpen(),
            at(1),
            DomainError::UndoUnavailable,
        ),
        // A technician's own move is theirs, not the dispatcher's.
        (
            change(
                &assigned(),
                vec![Command::SetSlot { slot: later_slot() }],
                &technician(ANNA, ALPEN),
            ),
            alpen(),
            at(1),
            DomainError::UndoUnavailable,
        ),
        // Nothing moved since accepting.
        (accepted(), alpen(), at(1), DomainError::UndoUnavailable),
    ];

    for (call, actor, when, expected) in cases {
        let result = apply(&call, undo(Some(anna.clone())), &actor, when);
        assert_eq!(result.unwrap_err(), expected, "{actor:?} at {when}");
    }
}

#[test]
fn an_undo_cannot_be_undone() {
    let after_move = moved(&assigned());
    let (undone, _) = apply(&after_move, undo(Some(facts(ANNA, ALPEN))), &alpen(), at(2)).unwrap();

    let again = apply(&undone, undo(Some(facts(LUCA, ALPEN))), &alpen(), at(3));

    assert_eq!(again.unwrap_err(), DomainError::UndoUnavailable);
}

#[test]
fn a_started_call_cannot_be_moved_back() {
    let after_move = change(
        &ready(),
        vec![Command::SetSlot { slot: later_slot() }],
        &alpen(),
    );
    let started = change(&after_move, vec![Command::Start], &technician(ANNA, ALPEN));

    let result = apply(&started, undo(None), &alpen(), at(1));

    assert_eq!(result.unwrap_err(), DomainError::AlreadyStarted);
}

#[test]
fn what_undoable_move_restores() {
    let before = assigned();
    let after_move = moved(&before);

    let undo = undoable_move(&after_move, &alpen(), at(5)).unwrap();

    assert_eq!(
        undo,
        MoveUndo {
            version: after_move.version,
            made_at: now(),
            slot: before.slot,
            technician_id: Some(ANNA),
        }
    );
    assert_eq!(undo.held_until(), now() + UNDO_WINDOW);
}

#[test]
fn the_client_and_technician_notifications_of_a_dispatchers_move_are_held() {
    let (_, move_events) = apply_all(&assigned(), later_with_luca(), &alpen(), now()).unwrap();
    let (_, own_move) = apply(
        &assigned(),
        Command::SetSlot { slot: later_slot() },
        &technician(ANNA, ALPEN),
        now(),
    )
    .unwrap();
    let (_, accept) = apply(&requested(), Command::Accept, &alpen(), now()).unwrap();
    let (_, undone) = apply(
        &moved(&assigned()),
        undo(Some(facts(ANNA, ALPEN))),
        &alpen(),
        at(1),
    )
    .unwrap();

    let held = |events: &[Event]| -> Vec<Option<DateTime<Utc>>> {
        events
            .iter()
            .flat_map(|e| &e.notifications)
            .map(|n| held_until(events, n))
            .collect()
    };

    let move_holds = held(&move_events);
    assert_eq!(move_holds.len(), 4, "client, old and new technician");
    assert!(move_holds.iter().all(|h| *h == Some(now() + UNDO_WINDOW)));
    assert!(move_events
        .iter()
        .flat_map(|e| &e.notifications)
        .all(|n| matches!(
            n.recipient,
            Recipient::ClientEmail | Recipient::Technician { .. }
        )));
    assert!(held(&own_move).iter().all(Option::is_none));
    assert!(held(&accept).iter().all(Option::is_none));
    assert!(!undone.is_empty());
    assert!(held(&undone).iter().all(Option::is_none));
    assert!(!is_undoable_change(&[]));
}
