//! The call's history in its modal: every change, newest first, with who made it, when,
//! and what it was before and after (`GET /api/v1/calls/{id}/history`, read again
//! whenever the call's version changes).

use domain::{
    call::{CallOutcome, CancelReason, PaymentMethod},
    command::Actor,
    event::Change,
    slot::TimeSlot,
    view::{CallView, HistoryEntry},
};
use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    api,
    contexts::{board::use_roster, session::use_session},
    i18n::{use_i18n, I18n},
};

/// The history section (collapsed by default: most visits to a call are about its tasks).
#[component]
pub fn CallHistory(
    /// The call whose history to show (its version drives re-reading).
    #[prop(into)]
    call: Signal<CallView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let roster = use_roster();
    let id = call.with_untracked(|c| c.id);
    let version = Memo::new(move |_| call.with(|c| c.version));
    let entries = LocalResource::new(move || {
        version.track();
        async move { api::call_history(id).await }
    });
    let zone = move || {
        session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_else(|| "UTC".to_owned())
    };
    let technician_name = move |tech: Uuid| {
        roster
            .list()
            .into_iter()
            .find(|t| t.id == tech)
            .map_or_else(|| i18n.t("calls.history.someone"), |t| t.name)
    };
    let rows = move || {
        let list = entries.get()?.ok()?;
        let zone = zone();
        Some(
            list.into_iter()
                .map(|entry| {
                    let (what, before, after) = describe(&i18n, &zone, &technician_name, &entry);
                    #[allow(clippy::cast_precision_loss)]
                    let at = i18n.date_time(entry.at.timestamp_millis() as f64, &zone);
                    let who = actor_text(&i18n, &entry);
                    view! {
                        <li class="history__item">
                            <div class="history__what">{what}</div>
                            {(before.is_some() || after.is_some()).then(|| view! {
                                <div class="history__change">
                                    <span class="history__before">{before.unwrap_or_else(|| "—".to_owned())}</span>
                                    <span aria-hidden="true">" → "</span>
                                    <span class="visually-hidden">{i18n.t("calls.history.to")}</span>
                                    <span class="history__after">{after.unwrap_or_else(|| "—".to_owned())}</span>
                                </div>
                            })}
                            <div class="history__meta muted">
                                <time datetime=entry.at.to_rfc3339()>{at}</time>" · "{who}
                            </div>
                        </li>
                    }
                })
                .collect_view(),
        )
    };
    view! {
        <details class="history" data-testid="call-history">
            <summary><h3 class="history__title">{move || i18n.t("calls.history.title")}</h3></summary>
            <ol class="history__list">{rows}</ol>
        </details>
    }
}

fn actor_text(i18n: &I18n, entry: &HistoryEntry) -> String {
    if let Some(name) = &entry.actor_name {
        return name.clone();
    }
    i18n.t(match entry.actor {
        Actor::Dispatcher { .. } => "calls.history.actor.dispatcher",
        Actor::Technician { .. } => "calls.history.actor.technician",
        Actor::Marketplace => "calls.history.actor.marketplace",
        Actor::System => "calls.history.actor.system",
    })
}

fn slot_text(i18n: &I18n, zone: &str, slot: &TimeSlot) -> String {
    #[allow(clippy::cast_precision_loss)]
    i18n.date_time(slot.start.timestamp_millis() as f64, zone)
}

/// What a change was, in words, with its before and after values.
fn describe(
    i18n: &I18n,
    zone: &str,
    technician: &dyn Fn(Uuid) -> String,
    entry: &HistoryEntry,
) -> (String, Option<String>, Option<String>) {
    let money = |m: &domain::money::Money| i18n.money(m.amount_minor, m.currency.code());
    let none = || Some(i18n.t("calls.history.none"));
    let (key, before, after) = match &entry.change {
        Change::Offered { .. } => ("offered", None, None),
        Change::Accepted { .. } => ("accepted", None, None),
        Change::Declined { .. } => ("declined", None, None),
        Change::ReturnedToMarketplace => ("returned", None, None),
        Change::ClientCalledConfirmed => ("client_called", None, None),
        Change::SlotSet { before, after } => (
            "slot_set",
            before.map_or_else(none, |b| Some(slot_text(i18n, zone, &b))),
            Some(slot_text(i18n, zone, after)),
        ),
        Change::SlotCleared { before } => {
            ("slot_cleared", Some(slot_text(i18n, zone, before)), none())
        }
        Change::TechnicianAssigned { before, after } => (
            "technician_assigned",
            before.map_or_else(none, |b| Some(technician(b))),
            Some(technician(*after)),
        ),
        Change::TechnicianUnassigned { before } => {
            ("technician_unassigned", Some(technician(*before)), none())
        }
        Change::OrderLineAdded { line } => (
            "line_added",
            None,
            Some(format!("{} × {}", line.quantity, line.description)),
        ),
        Change::OrderLineRemoved { line } => (
            "line_removed",
            Some(format!("{} × {}", line.quantity, line.description)),
            None,
        ),
        Change::AgreedPriceChanged { before, after } => {
            ("price_changed", Some(money(before)), Some(money(after)))
        }
        Change::ReportNoteAdded { note } => ("note_added", None, Some(note.text.clone())),
        Change::CallAttemptLogged { attempt } => (
            match attempt.outcome {
                CallOutcome::Reached => "call_reached",
                CallOutcome::NoAnswer => "call_no_answer",
            },
            None,
            None,
        ),
        Change::MoveUndone { .. } => ("move_undone", None, None),
        Change::Started => ("started", None, None),
        Change::Closed {
            payment_method,
            total,
        } => (
            match payment_method {
                PaymentMethod::OnlineCard => "closed_card",
                PaymentMethod::Cash => "closed_cash",
                PaymentMethod::Invoice => "closed_invoice",
            },
            None,
            Some(money(total)),
        ),
        Change::Cancelled { reason, .. } => (
            match reason {
                CancelReason::Redistribute => "cancelled_redistribute",
                CancelReason::ClientDidNotAnswer => "cancelled_no_answer",
                CancelReason::ClientCancelled => "cancelled_by_client",
            },
            None,
            None,
        ),
    };
    (i18n.t(&format!("calls.history.{key}")), before, after)
}
