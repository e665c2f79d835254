//! The "Log call" control of the call modal: record a phone call to the client as
//! reached (which completes the "call client" task) or not answered (which allows
//! cancelling because the client didn't answer), and see every attempt.

use domain::{
    api::orders::NewCallAttempt,
    call::{CallOutcome, Status},
    view::CallView,
};
use leptos::{prelude::*, task::spawn_local};

use super::order_section::settle;
use crate::{
    api,
    contexts::{board::use_board, session::use_session, toasts::use_toasts},
    i18n::use_i18n,
};

/// The call attempts of a call and the two buttons to log one, with an optional note
/// (kept in the work report).
#[component]
pub fn CallLog(
    /// The call (won by this company).
    #[prop(into)]
    call: Signal<CallView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let toasts = use_toasts();
    let session = use_session();
    let id = call.with_untracked(|c| c.id);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let zone = move || {
        session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_else(|| "UTC".to_owned())
    };
    let editable = move || call.with(|c| matches!(c.status, Status::Accepted | Status::InProgress));

    let log = move |outcome: CallOutcome| {
        busy.set(true);
        let text = note.get_untracked();
        let body = NewCallAttempt {
            outcome,
            note: (!text.trim().is_empty()).then_some(text),
            version: None,
        };
        spawn_local(async move {
            let result = api::orders::log_call_attempt(id, &body).await;
            if settle(board, i18n, error, result).is_some() {
                note.set(String::new());
                toasts.success(i18n.t(match outcome {
                    CallOutcome::Reached => "orders.calls.reached_toast",
                    CallOutcome::NoAnswer => "orders.calls.no_answer_toast",
                }));
            }
            busy.set(false);
        });
    };

    view! {
        <section class="call-log" aria-labelledby="call-log-title">
            <h3 id="call-log-title">{move || i18n.t("orders.calls.title")}</h3>
            <ul class="call-log__list">
                {move || call.with(|c| c.call_attempts.iter().map(|a| {
                    #[allow(clippy::cast_precision_loss)]
                    let at = i18n.date_time(a.at.timestamp_millis() as f64, &zone());
                    let (icon, key, class) = match a.outcome {
                        CallOutcome::Reached => ("✔", "orders.calls.reached", "reached"),
                        CallOutcome::NoAnswer => ("✕", "orders.calls.no_answer", "no-answer"),
                    };
                    view! {
                        <li class=format!("call-log__item call-log__item--{class}")>
                            <span aria-hidden="true">{icon}" "</span>{i18n.t(key)}" · "{at}
                        </li>
                    }
                }).collect_view())}
            </ul>
            <Show when=move || call.with(|c| c.call_attempts.is_empty())>
                <p class="muted">{move || i18n.t("orders.calls.empty")}</p>
            </Show>
            <Show when=editable>
                <div class="call-log__form">
                    <div class="field">
                        <label for="call-log-note">{move || i18n.t("orders.calls.note")}</label>
                        <input id="call-log-note" autocomplete="off" bind:value=note />
                    </div>
                    <div class="call-log__buttons" role="group" aria-label=move || i18n.t("orders.calls.log")>
                        <button type="button" class="button button--secondary" disabled=move || busy.get()
                            on:click=move |_| log(CallOutcome::Reached)>
                            {move || i18n.t("orders.calls.log_reached")}
                        </button>
                        <button type="button" class="button button--secondary" disabled=move || busy.get()
                            on:click=move |_| log(CallOutcome::NoAnswer)>
                            {move || i18n.t("orders.calls.log_no_answer")}
                        </button>
                    </div>
                </div>
            </Show>
            <div class="form-error" role="alert">{move || error.get()}</div>
        </section>
    }
}
