use leptos::prelude::*;

use crate::contexts::toasts::{use_toasts, ToastKind};

/// Renders the toasts in a polite live region at the bottom of the screen.
#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.list() key=|t| t.id let:toast>
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
