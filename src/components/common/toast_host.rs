use leptos::prelude::*;

use crate::contexts::toasts::{use_toasts, ToastKind};

/// Renders the toasts in a polite live region at the bottom of the screen.
#[component]
pub fn ToastHost(
    /// Inside an open dialog: this host shows the toasts and the page's host none.
    #[prop(optional)]
    in_dialog: bool,
) -> impl IntoView {
    let toasts = use_toasts();
    if in_dialog {
        toasts.dialog_host(true);
        on_cleanup(move || toasts.dialog_host(false));
    }
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.shown_in(in_dialog) key=|t| t.id let:toast>
                <div class=match toast.kind {
                    ToastKind::Info => "toast",
                    ToastKind::Success => "toast toast--success",
                    ToastKind::Error => "toast toast--error",
                }>
                    <span>{toast.text.clone()}</span>
                    {toast.action.clone().map(|(label, action)| {
                        let id = toast.id;
                        view! {
                            <button type="button" class="toast__action" on:click=move |_| {
                                action.run(());
                                toasts.dismiss(id);
                            }>{label}</button>
                        }
                    })}
                </div>
            </For>
        </div>
    }
}
