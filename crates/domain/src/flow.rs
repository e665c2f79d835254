//! The state machine: [`apply`] a [`Command`] by an [`Actor`] to a [`ServiceCall`].
//!
//! The flow, step by step (DESIGN.md, "The service-call flow"):
//!
//! 1. **Requested** — the marketplace creates the call ([`ServiceCall::new`]) and
//!    [`Command::Offer`]s it to suitable companies; each company's dispatchers get an
//!    e-mail and the request shows blue on their boards.
//! 2. **Accept / decline** — the first [`Command::Accept`] wins; the other open offers
//!    turn `taken` and the client is e-mailed. The winner accepting again is a no-op; any
//!    other company gets [`DomainError::AlreadyAccepted`]. When every offered company has
//!    [`Command::Decline`]d, the call returns to the marketplace.
//! 3. **Tasks** — [`Command::SetSlot`] (client e-mailed), [`Command::Assign`] (verified
//!    technicians of the winning company only; push to the new and the old technician),
//!    [`Command::ConfirmClientCalled`] or a `reached` [`Command::LogCallAttempt`]. All
//!    three done: green.
//! 4. **Order** — time units, materials, discounts, agreed price, work-report notes.
//! 5. **Start**, then **close** with a payment method (online card needs a signature),
//!    or **cancel** with one of three reasons; "can't help — redistribute" hands the call
//!    back to the marketplace and excludes the company from it for good.
//!
//! A dispatcher's move (date/time and/or technician, one [`apply_all`] change) can be
//! taken back by the same dispatcher within [`UNDO_WINDOW`] ([`Command::UndoMove`],
//! [`undoable_move`]); its client and technician notifications wait that long
//! ([`held_until`]), so an undone move need tell nobody anything.
//!
//! Checks come in a fixed order: who the actor is (other companies get `not-found`, never
//! a hint that the call exists), then the call's status, then the input. A refused
//! command changes nothing. A command that changes nothing (accepting twice, assigning
//! the same technician) succeeds with no events and the same version.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::call::{
    CallAttempt, CallOutcome, CancelReason, Cancellation, Closure, Offer, OfferState,
    PaymentMethod, ReportNote, ServiceCall, Status,
};
use crate::command::{Actor, Command};
use crate::error::DomainError;
use crate::event::{Change, Event, Notification, NotificationKind, Recipient};
use crate::order::{line_of, OrderLine};
use crate::slot::TimeSlot;
use crate::technician::TechnicianFacts;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod undo_tests;

/// Longest work-report note, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;
/// Longest accepted signature payload, in bytes (a data URL of a small image).
pub const MAX_SIGNATURE_BYTES: usize = 512 * 1024;

/// How long a dispatcher's move can be undone, and how long its client and technician
/// notifications are held back meanwhile.
pub const UNDO_WINDOW: TimeDelta = TimeDelta::seconds(10);

/// Applies `cmd` by `actor` at `now` to `call`.
///
/// On success returns the new state (version + 1, derived fields refreshed, events
/// appended to its history) and the new events, or the unchanged call and no events
/// when the command was a no-op. On refusal returns the specific [`DomainError`]; the
/// input call is never modified.
pub fn apply(
    call: &ServiceCall,
    cmd: Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(ServiceCall, Vec<Event>), DomainError> {
    apply_all(call, [cmd], actor, now)
}

/// Applies several commands by `actor` at `now` as **one** change: all or nothing (the
/// first refusal refuses the whole change), one new version shared by every event. A
/// `PATCH` of date/time and technician together — a drop on another row at another
/// time, or from the "to assign" list — is one change, and so one undo.
pub fn apply_all(
    call: &ServiceCall,
    cmds: impl IntoIterator<Item = Command>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(ServiceCall, Vec<Event>), DomainError> {
    let mut next = call.clone();
    let mut changes = Vec::new();
    for cmd in cmds {
        changes.extend(transition(&mut next, cmd, actor, now)?);
    }
    if changes.is_empty() {
        return Ok((call.clone(), Vec::new()));
    }
    next.version += 1;
    next.updated_at = now;
    next.refresh();
    let events: Vec<Event> = changes
        .into_iter()
        .map(|(change, notifications)| Event {
            call_id: next.id,
            version: next.version,
            at: now,
            actor: actor.clone(),
            status_before: call.status,
            status_after: next.status,
            change,
            notifications,
        })
        .collect();
    next.history.extend(events.iter().cloned());
    Ok((next, events))
}

type Changes = Vec<(Change, Vec<Notification>)>;

fn transition(
    call: &mut ServiceCall,
    cmd: Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Changes, DomainError> {
    match cmd {
        Command::Offer { companies } => offer(call, companies, actor, now),
        Command::Accept => accept(call, actor, now),
        Command::Decline => decline(call, actor, now),
        Command::ConfirmClientCalled => {
            authorize(call, actor, Who::DispatcherOrTechnician)?;
            require_open(call, Phase::UntilClosed)?;
            Ok(confirm_called(call))
        }
        Command::SetSlot { slot } => set_slot(call, slot, actor, Some(now)),
        Command::Assign { technician } => assign(call, technician, actor),
        Command::Unassign => unassign(call, actor),
        Command::UndoMove { technician } => undo_move(call, technician, actor, now),
        Command::AddTimeUnits { .. }
        | Command::AddMaterial { .. }
        | Command::AddDiscount { .. } => {
            order_access(call, actor)?;
            let line = line_of(&cmd, &call.service).expect("a line command has a line")?;
            add_line(call, line)
        }
        Command::RemoveLine { line_id } => {
            order_access(call, actor)?;
            let line = call.order.remove_line(line_id)?;
            Ok(vec![(Change::OrderLineRemoved { line }, vec![])])
        }
        Command::ChangeAgreedPrice { price } => {
            order_access(call, actor)?;
            let before = call.order.set_agreed_price(price)?;
            if before == price {
                return Ok(vec![]);
            }
            Ok(vec![(
                Change::AgreedPriceChanged {
                    before,
                    after: price,
                },
                vec![],
            )])
        }
        Command::AddReportNote { text } => {
            authorize(call, actor, Who::DispatcherOrTechnician)?;
            require_open(call, Phase::UntilClosed)?;
            let note = ReportNote {
                at: now,
                by: actor.clone(),
                text: required_text(text, MAX_NOTE_CHARS)?,
            };
            call.report_notes.push(note.clone());
            Ok(vec![(Change::ReportNoteAdded { note }, vec![])])
        }
        Command::LogCallAttempt { outcome } => {
            authorize(call, actor, Who::DispatcherOrTechnician)?;
            require_open(call, Phase::UntilClosed)?;
            let attempt = CallAttempt {
                at: now,
                by: actor.clone(),
                outcome,
            };
            call.call_attempts.push(attempt.clone());
            let mut changes = vec![(Change::CallAttemptLogged { attempt }, vec![])];
            if outcome == CallOutcome::Reached {
                changes.extend(confirm_called(call));
            }
            Ok(changes)
        }
        Command::Start => {
            authorize(call, actor, Who::DispatcherOrTechnician)?;
            require_open(call, Phase::BeforeStart)?;
            require_ready(call)?;
            call.status = Status::InProgress;
            call.started_at = Some(now);
            Ok(vec![(Change::Started, vec![])])
        }
        Command::Close {
            payment_method,
            signature,
        } => close(call, payment_method, signature, actor, now),
        Command::Cancel { reason } => cancel(call, reason, actor, now),
    }
}

/// Who may perform a post-accept command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// A dispatcher of the winning company.
    Dispatcher,
    /// A dispatcher of the winning company or the assigned technician.
    DispatcherOrTechnician,
}

/// Checks that `actor` works the call for the winning company. Everyone who cannot see
/// the call gets `NotFound`; a company still holding an open offer gets `NotAccepted`,
/// one that lost the race `AlreadyAccepted`.
fn authorize(call: &ServiceCall, actor: &Actor, who: Who) -> Result<(), DomainError> {
    let company = match actor {
        Actor::Marketplace | Actor::System => return Err(DomainError::Forbidden),
        Actor::Dispatcher { company_id, .. } | Actor::Technician { company_id, .. } => *company_id,
    };
    if call.accepted_by != Some(company) {
        return Err(match call.offer_for(company).map(|o| o.state) {
            Some(OfferState::Offered) if call.status == Status::Requested => {
                DomainError::NotAccepted
            }
            Some(OfferState::Taken) if call.accepted_by.is_some() => DomainError::AlreadyAccepted,
            _ => DomainError::NotFound,
        });
    }
    match actor {
        Actor::Dispatcher { .. } => Ok(()),
        Actor::Technician { technician_id, .. } => {
            if who == Who::Dispatcher {
                Err(DomainError::Forbidden)
            } else if call.technician_id == Some(*technician_id) {
                Ok(())
            } else {
                Err(DomainError::NotAssignedTechnician)
            }
        }
        Actor::Marketplace | Actor::System => Err(DomainError::Forbidden),
    }
}

/// How far into the flow a command is still allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Until work starts (date/time, technician).
    BeforeStart,
    /// Until the call is closed or cancelled (order, notes, calls).
    UntilClosed,
}

fn require_open(call: &ServiceCall, phase: Phase) -> Result<(), DomainError> {
    match call.status {
        Status::Closed => Err(DomainError::CallClosed),
        Status::Cancelled => Err(DomainError::CallCancelled),
        Status::WithMarketplace | Status::Requested => Err(DomainError::NotAccepted),
        Status::InProgress if phase == Phase::BeforeStart => Err(DomainError::AlreadyStarted),
        Status::Accepted | Status::InProgress => Ok(()),
    }
}

fn require_ready(call: &ServiceCall) -> Result<(), DomainError> {
    let missing = call.readiness_gaps();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DomainError::NotReady { missing })
    }
}

fn order_access(call: &ServiceCall, actor: &Actor) -> Result<(), DomainError> {
    authorize(call, actor, Who::DispatcherOrTechnician)?;
    require_open(call, Phase::UntilClosed)
}

pub(crate) fn required_text(text: String, max_chars: usize) -> Result<String, DomainError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max_chars {
        Err(DomainError::InvalidText)
    } else {
        Ok(trimmed.to_owned())
    }
}

fn offer(
    call: &mut ServiceCall,
    companies: Vec<Uuid>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Changes, DomainError> {
    if !matches!(actor, Actor::Marketplace | Actor::System) {
        return Err(DomainError::Forbidden);
    }
    match call.status {
        Status::WithMarketplace | Status::Requested => {}
        Status::Accepted | Status::InProgress => return Err(DomainError::AlreadyAccepted),
        Status::Closed => return Err(DomainError::CallClosed),
        Status::Cancelled => return Err(DomainError::CallCancelled),
    }
    // A new round (from the marketplace) re-opens earlier offers; within a round, a
    // company that declined is not asked again.
    let new_round = call.status == Status::WithMarketplace;
    let mut offered = Vec::new();
    for company in companies {
        if call.is_excluded(company) || offered.contains(&company) {
            continue;
        }
        let fresh = Offer {
            company_id: company,
            state: OfferState::Offered,
            offered_at: now,
            decided_at: None,
        };
        match call.offers.iter_mut().find(|o| o.company_id == company) {
            None => call.offers.push(fresh),
            Some(existing) if new_round && existing.state != OfferState::GaveUp => {
                *existing = fresh;
            }
            Some(_) => continue,
        }
        offered.push(company);
    }
    if offered.is_empty() {
        return Err(DomainError::NothingToOffer);
    }
    call.status = Status::Requested;
    let notifications = offered
        .iter()
        .map(|&c| Notification::dispatchers_email(c, NotificationKind::NewRequest))
        .collect();
    Ok(vec![(
        Change::Offered { companies: offered },
        notifications,
    )])
}

/// The company of a dispatcher; technicians, the marketplace and the system cannot take
/// part in the race.
fn dispatcher_company(actor: &Actor) -> Result<Uuid, DomainError> {
    match actor {
        Actor::Dispatcher { company_id, .. } => Ok(*company_id),
        _ => Err(DomainError::Forbidden),
    }
}

fn accept(
    call: &mut ServiceCall,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Changes, DomainError> {
    let company = dispatcher_company(actor)?;
    if call.accepted_by == Some(company) {
        return Ok(vec![]);
    }
    if call.is_excluded(company) {
        return Err(DomainError::CompanyExcluded);
    }
    let state = call
        .offer_for(company)
        .map(|o| o.state)
        .ok_or(DomainError::NotFound)?;
    if call.accepted_by.is_some() {
        return Err(DomainError::AlreadyAccepted);
    }
    match (call.status, state) {
        (Status::Requested, OfferState::Offered) => {}
        (_, OfferState::Declined) => return Err(DomainError::OfferDeclined),
        // An offer of an earlier round (lost, then the winner gave the call up) that was
        // not renewed: the call is not on this company's board.
        _ => return Err(DomainError::NotFound),
    }
    let mut taken_from = Vec::new();
    for offer in &mut call.offers {
        if offer.company_id == company {
            offer.state = OfferState::Won;
            offer.decided_at = Some(now);
        } else if offer.state == OfferState::Offered {
            offer.state = OfferState::Taken;
            offer.decided_at = Some(now);
            taken_from.push(offer.company_id);
        }
    }
    call.status = Status::Accepted;
    call.accepted_by = Some(company);
    call.accepted_at = Some(now);
    Ok(vec![(
        Change::Accepted {
            company_id: company,
            taken_from,
        },
        vec![Notification::client_email(
            NotificationKind::RequestAccepted {
                company_id: company,
            },
        )],
    )])
}

fn decline(
    call: &mut ServiceCall,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Changes, DomainError> {
    let company = dispatcher_company(actor)?;
    let state = call
        .offer_for(company)
        .map(|o| o.state)
        .ok_or(DomainError::NotFound)?;
    match state {
        OfferState::Declined => return Ok(vec![]),
        OfferState::Taken if call.accepted_by.is_some() => {
            return Err(DomainError::AlreadyAccepted)
        }
        OfferState::Taken => return Err(DomainError::NotFound),
        // The winner gives a call back by cancelling it, not by declining.
        OfferState::Won => return Err(DomainError::InvalidState(call.status)),
        OfferState::GaveUp => return Err(DomainError::NotFound),
        OfferState::Offered => {}
    }
    if call.status != Status::Requested {
        return Err(DomainError::InvalidState(call.status));
    }
    if let Some(offer) = call.offers.iter_mut().find(|o| o.company_id == company) {
        offer.state = OfferState::Declined;
        offer.decided_at = Some(now);
    }
    let mut changes = vec![(
        Change::Declined {
            company_id: company,
        },
        vec![],
    )];
    if !call.offers.iter().any(|o| o.state == OfferState::Offered) {
        call.status = Status::WithMarketplace;
        changes.push((
            Change::ReturnedToMarketplace,
            vec![Notification::marketplace(NotificationKind::AllDeclined)],
        ));
    }
    Ok(changes)
}

fn confirm_called(call: &mut ServiceCall) -> Changes {
    if call.client_called {
        return vec![];
    }
    call.client_called = true;
    vec![(Change::ClientCalledConfirmed, vec![])]
}

/// Sets the date/time. A new one may not lie in the past (`not_before`: now); an undo
/// puts back the one the move replaced, whenever that was (`None`).
fn set_slot(
    call: &mut ServiceCall,
    slot: TimeSlot,
    actor: &Actor,
    not_before: Option<DateTime<Utc>>,
) -> Result<Changes, DomainError> {
    authorize(call, actor, Who::DispatcherOrTechnician)?;
    require_open(call, Phase::BeforeStart)?;
    slot.validate()?;
    if let Some(now) = not_before {
        if call.slot != Some(slot) {
            slot.check_not_past(now)?;
        }
    }
    let before = call.slot;
    if before == Some(slot) {
        return Ok(vec![]);
    }
    call.slot = Some(slot);
    let mut notifications = vec![Notification::client_email(match before {
        None => NotificationKind::ScheduleSet { slot },
        Some(before) => NotificationKind::ScheduleChanged {
            before,
            after: slot,
        },
    })];
    // The technician hears of a new time unless they made the change themselves.
    if let (Some(before), Some(tech)) = (before, call.technician_id) {
        if !matches!(actor, Actor::Technician { technician_id, .. } if *technician_id == tech) {
            notifications.push(Notification::technician_push(
                tech,
                NotificationKind::ScheduleChanged {
                    before,
                    after: slot,
                },
            ));
        }
    }
    Ok(vec![(
        Change::SlotSet {
            before,
            after: slot,
        },
        notifications,
    )])
}

fn assign(
    call: &mut ServiceCall,
    technician: TechnicianFacts,
    actor: &Actor,
) -> Result<Changes, DomainError> {
    authorize(call, actor, Who::Dispatcher)?;
    require_open(call, Phase::BeforeStart)?;
    // Another company's technician is "not found", never "exists elsewhere".
    if Some(technician.company_id) != call.accepted_by {
        return Err(DomainError::NotFound);
    }
    technician.check_assignable(&call.service.skill)?;
    let before = call.technician_id;
    if before == Some(technician.id) {
        return Ok(vec![]);
    }
    call.technician_id = Some(technician.id);
    let mut notifications = vec![Notification::technician_push(
        technician.id,
        NotificationKind::Assigned,
    )];
    if let Some(old) = before {
        notifications.push(Notification::technician_push(
            old,
            NotificationKind::Unassigned,
        ));
    }
    Ok(vec![(
        Change::TechnicianAssigned {
            before,
            after: technician.id,
        },
        notifications,
    )])
}

fn unassign(call: &mut ServiceCall, actor: &Actor) -> Result<Changes, DomainError> {
    authorize(call, actor, Who::Dispatcher)?;
    require_open(call, Phase::BeforeStart)?;
    let Some(before) = call.technician_id.take() else {
        return Ok(vec![]);
    };
    Ok(vec![(
        Change::TechnicianUnassigned { before },
        vec![Notification::technician_push(
            before,
            NotificationKind::Unassigned,
        )],
    )])
}

/// What undoing a call's last move gives back: the date/time (`None`: undated again) and
/// the technician (`None`: unassigned) from before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveUndo {
    /// The version the undo takes back (the call's current one).
    pub version: i64,
    /// When the move was made.
    pub made_at: DateTime<Utc>,
    pub slot: Option<TimeSlot>,
    pub technician_id: Option<Uuid>,
}

impl MoveUndo {
    /// Until when the move's notifications were held ([`held_until`]).
    pub fn held_until(&self) -> DateTime<Utc> {
        self.made_at + UNDO_WINDOW
    }
}

/// Whether `change` moves a call: its date/time or its technician.
fn is_move(change: &Change) -> bool {
    matches!(
        change,
        Change::SlotSet { .. }
            | Change::TechnicianAssigned { .. }
            | Change::TechnicianUnassigned { .. }
    )
}

/// Whether `events` — one change, all of one version — can be undone by
/// [`Command::UndoMove`] (window aside): all of them move the call (date/time, technician)
/// and one dispatcher made them. An undo itself is no move ([`Change::MoveUndone`]), so it
/// is never undone in turn.
pub fn is_undoable_change(events: &[Event]) -> bool {
    let Some(first) = events.first() else {
        return false;
    };
    matches!(first.actor, Actor::Dispatcher { .. })
        && events
            .iter()
            .all(|e| is_move(&e.change) && e.actor == first.actor && e.version == first.version)
}

/// Until when the notification `n` of the change `events` (all of one version) is held
/// back: the client's and the technicians' notifications of an undoable move wait
/// [`UNDO_WINDOW`] after it, so that an undone move sends nothing. `None`: it goes out
/// at once.
pub fn held_until(events: &[Event], n: &Notification) -> Option<DateTime<Utc>> {
    let held_recipient = matches!(
        n.recipient,
        Recipient::ClientEmail | Recipient::Technician { .. }
    );
    (held_recipient && is_undoable_change(events)).then(|| events[0].at + UNDO_WINDOW)
}

/// The move `actor` may undo at `now`, and what undoing it restores. Only the call's last
/// change (its events of the current version) can be undone, when it is a move by this
/// very dispatcher ([`is_undoable_change`]) no older than [`UNDO_WINDOW`], and while the
/// date/time and technician may still change. Refusals: those of any move (`not-found`
/// for other companies, `already-started`, …) or [`DomainError::UndoUnavailable`].
pub fn undoable_move(
    call: &ServiceCall,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<MoveUndo, DomainError> {
    authorize(call, actor, Who::Dispatcher)?;
    require_open(call, Phase::BeforeStart)?;
    let first_of_last = call
        .history
        .iter()
        .rposition(|e| e.version != call.version)
        .map_or(0, |i| i + 1);
    let last = &call.history[first_of_last..];
    let undoable =
        is_undoable_change(last) && last[0].actor == *actor && now - last[0].at <= UNDO_WINDOW;
    if !undoable {
        return Err(DomainError::UndoUnavailable);
    }
    let mut undo = MoveUndo {
        version: call.version,
        made_at: last[0].at,
        slot: call.slot,
        technician_id: call.technician_id,
    };
    // The earliest event of a field holds its value from before the change.
    for event in last.iter().rev() {
        match &event.change {
            Change::SlotSet { before, .. } => undo.slot = *before,
            Change::TechnicianAssigned { before, .. } => undo.technician_id = *before,
            Change::TechnicianUnassigned { before } => undo.technician_id = Some(*before),
            _ => {}
        }
    }
    Ok(undo)
}

fn undo_move(
    call: &mut ServiceCall,
    technician: Option<TechnicianFacts>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Changes, DomainError> {
    let undo = undoable_move(call, actor, now)?;
    let mut changes = Vec::new();
    // The technician first, so that the date/time restored next is told to the
    // technician who has the call again.
    if undo.technician_id != call.technician_id {
        match (undo.technician_id, technician) {
            (None, _) => changes.extend(unassign(call, actor)?),
            (Some(id), Some(facts)) if facts.id == id => {
                changes.extend(assign(call, facts, actor)?);
            }
            // The technician to return to is gone (the server found no facts).
            (Some(_), _) => return Err(DomainError::UndoUnavailable),
        }
    }
    match (undo.slot, call.slot) {
        (Some(slot), _) => changes.extend(set_slot(call, slot, actor, None)?),
        (None, Some(before)) => {
            call.slot = None;
            changes.push((
                Change::SlotCleared { before },
                vec![Notification::client_email(
                    NotificationKind::ScheduleCleared { before },
                )],
            ));
        }
        (None, None) => {}
    }
    changes.push((
        Change::MoveUndone {
            version: undo.version,
        },
        vec![],
    ));
    Ok(changes)
}

fn add_line(call: &mut ServiceCall, line: OrderLine) -> Result<Changes, DomainError> {
    call.order.add_line(line.clone())?;
    Ok(vec![(Change::OrderLineAdded { line }, vec![])])
}

fn close(
    call: &mut ServiceCall,
    payment_method: PaymentMethod,
    signature: Option<String>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Changes, DomainError> {
    authorize(call, actor, Who::DispatcherOrTechnician)?;
    require_open(call, Phase::UntilClosed)?;
    require_ready(call)?;
    let signature = signature.filter(|s| !s.trim().is_empty());
    if payment_method == PaymentMethod::OnlineCard && signature.is_none() {
        return Err(DomainError::SignatureRequired);
    }
    if signature
        .as_ref()
        .is_some_and(|s| s.len() > MAX_SIGNATURE_BYTES)
    {
        return Err(DomainError::InvalidText);
    }
    let total = call.order.sum()?;
    let company = call.accepted_by.ok_or(DomainError::NotAccepted)?;
    call.status = Status::Closed;
    call.started_at.get_or_insert(now);
    call.closure = Some(Closure {
        at: now,
        by: actor.clone(),
        payment_method,
        signature,
        total,
    });
    Ok(vec![(
        Change::Closed {
            payment_method,
            total,
        },
        vec![
            Notification::client_email(NotificationKind::CallClosed { total }),
            Notification::company_email(company, NotificationKind::CallClosed { total }),
        ],
    )])
}

fn cancel(
    call: &mut ServiceCall,
    reason: CancelReason,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Changes, DomainError> {
    authorize(call, actor, Who::Dispatcher)?;
    require_open(call, Phase::UntilClosed)?;
    if reason == CancelReason::ClientDidNotAnswer
        && !call
            .call_attempts
            .iter()
            .any(|a| a.outcome == CallOutcome::NoAnswer)
    {
        return Err(DomainError::NoUnansweredAttempt);
    }
    let company = call.accepted_by.ok_or(DomainError::NotAccepted)?;
    let mut notifications = Vec::new();
    if let Some(tech) = call.technician_id {
        notifications.push(Notification::technician_push(
            tech,
            NotificationKind::CallCancelled { reason },
        ));
    }
    call.cancellation = Some(Cancellation {
        at: now,
        by: actor.clone(),
        company_id: company,
        reason,
    });
    if reason == CancelReason::Redistribute {
        // The next company starts from the booking: its own technician, its own call
        // to the client, its own price. The client's date/time stays as a wish.
        call.status = Status::WithMarketplace;
        call.accepted_by = None;
        call.accepted_at = None;
        call.technician_id = None;
        call.client_called = false;
        call.started_at = None;
        call.order = crate::order::Order::for_service(&call.service);
        call.call_attempts.clear();
        call.report_notes.clear();
        if let Some(offer) = call.offers.iter_mut().find(|o| o.company_id == company) {
            offer.state = OfferState::GaveUp;
            offer.decided_at = Some(now);
        }
        if !call.is_excluded(company) {
            call.excluded_companies.push(company);
        }
        notifications.push(Notification::marketplace(NotificationKind::Redistribute {
            excluded: call.excluded_companies.clone(),
        }));
    } else {
        call.status = Status::Cancelled;
        notifications.push(Notification::client_email(
            NotificationKind::CallCancelled { reason },
        ));
    }
    Ok(vec![(
        Change::Cancelled {
            company_id: company,
            reason,
        },
        notifications,
    )])
}
