//! The header's live-connection indicator: an icon and a word (never colour alone) for
//! live / reconnecting / offline, announced politely to screen readers, with a small
//! panel that explains the state, retries, and offers browser notifications (asked only
//! from this click, never on load).

use leptos::prelude::*;

use crate::{
    contexts::live::{use_live, LiveStatus, NotifyPermission},
    i18n::use_i18n,
};

/// The live indicator in the header.
#[component]
pub fn LiveIndicator() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let open = RwSignal::new(false);
    let status = move || live.status.get();
    let (icon, key, modifier) = (
        move || match status() {
            LiveStatus::Live => "●",
            LiveStatus::Connecting | LiveStatus::Reconnecting => "↻",
            LiveStatus::Offline => "⊘",
        },
        move || match status() {
            LiveStatus::Live => "live",
            LiveStatus::Connecting => "connecting",
            LiveStatus::Reconnecting => "reconnecting",
            LiveStatus::Offline => "offline",
        },
        move || match status() {
            LiveStatus::Live => "live-indicator live-indicator--live",
            LiveStatus::Connecting | LiveStatus::Reconnecting => {
                "live-indicator live-indicator--reconnecting"
            }
            LiveStatus::Offline => "live-indicator live-indicator--offline",
        },
    );
    view! {
        <div class=modifier data-testid="live-indicator">
            <button
                type="button"
                class="live-indicator__button"
                aria-expanded=move || open.get().to_string()
                aria-controls="live-panel"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="live-indicator__icon" aria-hidden="true">{icon}</span>
                <span class="visually-hidden">{move || i18n.t("live.details")}{move || i18n.colon()}</span>
                <span class="live-indicator__text" role="status">
                    {move || i18n.t(&format!("live.status.{}", key()))}
                </span>
            </button>
            <Show when=move || open.get()>
                <div id="live-panel" class="live-indicator__panel">
                    <p>{move || i18n.t(&format!("live.explain.{}", key()))}</p>
                    <Show when=move || status() != LiveStatus::Live>
                        <button type="button" class="button button--ghost" on:click=move |_| live.connect_now()>
                            {move || i18n.t("live.retry")}
                        </button>
                    </Show>
                    {move || match live.permission.get() {
                        NotifyPermission::Ask => view! {
                            <button
                                type="button"
                                class="button button--ghost"
                                on:click=move |_| live.request_notifications()
                            >
                                {move || i18n.t("live.enable_notifications")}
                            </button>
                        }
                        .into_any(),
                        NotifyPermission::Granted => {
                            view! { <p>{move || i18n.t("live.notifications_on")}</p> }.into_any()
                        }
                        NotifyPermission::Denied => {
                            view! { <p>{move || i18n.t("live.notifications_denied")}</p> }.into_any()
                        }
                        NotifyPermission::Unsupported => ().into_any(),
                    }}
                </div>
            </Show>
        </div>
    }
}
