//! Cancelling an order: a native `<dialog>` with the three reasons explained —
//! redistribute (the request goes to other partners and leaves this board for good), the
//! client didn't answer (needs a logged unanswered call), the client cancelled (the client
//! gets a confirmation).

use domain::{
    api::orders::{CancelCall, CancelChoice},
    call::CallOutcome,
    view::CallView,
};
use leptos::{html, prelude::*, task::spawn_local};

use super::order_section::settle;
use crate::{
    api,
    contexts::{board::use_board, toasts::use_toasts},
    i18n::use_i18n,
};

/// The "Cancel order" button and its dialog. When the call has left the board,
/// `on_cancelled` runs (the modal closes).
#[component]
pub fn CancelOrder(
    /// The call to cancel.
    #[prop(into)]
    call: Signal<CallView>,
    /// After a successful cancellation.
    on_cancelled: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let opener = NodeRef::<html::Button>::new();
    let back = Callback::new(move |()| {
        open.set(false);
        if let Some(button) = opener.get_untracked() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="order-actions__item">
            <button node_ref=opener type="button" class="button button--danger"
                on:click=move |_| open.set(true)>
                {move || i18n.t("orders.cancel.open")}
            </button>
        </div>
        <Show when=move || open.get()>
            <CancelDialog call on_back=back on_cancelled />
        </Show>
    }
}

#[component]
fn CancelDialog(
    call: Signal<CallView>,
    on_back: Callback<()>,
    on_cancelled: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let toasts = use_toasts();
    let dialog = NodeRef::<html::Dialog>::new();
    let reason = RwSignal::new(None::<CancelChoice>);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = call.with_untracked(|c| c.id);
    let unanswered = move || {
        call.with(|c| {
            c.call_attempts
                .iter()
                .any(|a| a.outcome == CallOutcome::NoAnswer)
        })
    };

    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(choice) = reason.get_untracked() else {
            error.set(Some(i18n.t("orders.cancel.choose")));
            return;
        };
        let text = note.get_untracked();
        let body = CancelCall {
            version: call.with_untracked(|c| c.version),
            reason: choice,
            note: (!text.trim().is_empty()).then_some(text),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api::orders::cancel(id, &body).await;
            busy.set(false);
            if let Some(view) = settle(board, i18n, error, result) {
                if !view.on_board() {
                    board.remove(id);
                }
                toasts.info(i18n.t(match choice {
                    CancelChoice::Redistribute => "orders.cancel.redistributed_toast",
                    CancelChoice::NoAnswer | CancelChoice::ClientCancelled => {
                        "orders.cancel.cancelled_toast"
                    }
                }));
                on_cancelled.run(());
            }
        });
    };
    let option =
        move |value: CancelChoice, key: &'static str, explain: &'static str, id: &'static str| {
            let hint = format!("{id}-hint");
            view! {
                <div class="radio radio--explained">
                    <input type="radio" name="cancel-reason" id=id aria-describedby=hint.clone()
                        prop:checked=move || reason.get() == Some(value)
                        on:change=move |_| reason.set(Some(value)) />
                    <label for=id>{move || i18n.t(key)}</label>
                    <p class="order__hint" id=hint>{move || i18n.t(explain)}</p>
                </div>
            }
        };

    view! {
        <dialog node_ref=dialog class="modal modal--small cancel-dialog" aria-labelledby="cancel-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_back.run(());
            }>
            <form class="modal__body" on:submit=submit>
                <h2 id="cancel-title">{move || i18n.t("orders.cancel.title")}</h2>
                <fieldset class="radios">
                    <legend>{move || i18n.t("orders.cancel.reason")}</legend>
                    {option(CancelChoice::Redistribute, "orders.cancel.redistribute", "orders.cancel.redistribute_hint", "cancel-redistribute")}
                    {option(CancelChoice::NoAnswer, "orders.cancel.no_answer", "orders.cancel.no_answer_hint", "cancel-no-answer")}
                    {option(CancelChoice::ClientCancelled, "orders.cancel.client_cancelled", "orders.cancel.client_cancelled_hint", "cancel-client")}
                </fieldset>
                <Show when=move || reason.get() == Some(CancelChoice::NoAnswer) && !unanswered()>
                    <p class="notice notice--warning">{move || i18n.t("orders.cancel.no_answer_missing")}</p>
                </Show>
                <div class="field">
                    <label for="cancel-note">{move || i18n.t("orders.cancel.note")}</label>
                    <textarea id="cancel-note" rows="2"
                        prop:value=move || note.get()
                        on:input:target=move |ev| note.set(ev.target().value())></textarea>
                </div>
                <div class="form-error" role="alert">{move || error.get()}</div>
                <div class="modal__actions">
                    <button type="button" class="button button--secondary" on:click=move |_| on_back.run(())>
                        {move || i18n.t("orders.back")}
                    </button>
                    <button type="submit" class="button button--danger" disabled=move || busy.get()>
                        {move || i18n.t("orders.cancel.confirm")}
                    </button>
                </div>
            </form>
        </dialog>
    }
}
