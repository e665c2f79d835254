use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;

/// Shown for unknown paths.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main id="main" class="center">
            <div class="card">
                <h1>{move || i18n.t("not_found.title")}</h1>
                <A href=crate::embed::href("/")>{move || i18n.t("not_found.back")}</A>
            </div>
        </main>
    }
}
