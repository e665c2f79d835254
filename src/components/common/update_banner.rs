//! "A new version is ready — Reload": shown while a new service worker waits
//! (`service_worker`). Pressing Reload is the only way the page reloads into it.

use leptos::prelude::*;

use crate::{i18n::use_i18n, service_worker::use_update};

/// The update banner (bottom of the page, over the content, announced politely).
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let i18n = use_i18n();
    let update = use_update();
    view! {
        <Show when=move || update.ready.get()>
            <div class="update-banner" role="status" data-testid="update-banner">
                <span>{move || i18n.t("pwa.update_ready")}</span>
                <button type="button" class="button button--primary" on:click=move |_| update.apply()>
                    {move || i18n.t("pwa.update_reload")}
                </button>
            </div>
        </Show>
    }
}
