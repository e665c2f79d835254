use leptos::prelude::*;

use crate::i18n::use_i18n;

/// A loading indicator announced to screen readers.
#[component]
pub fn Spinner() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="spinner" role="status">
            <span class="spinner__dot" aria-hidden="true"></span>
            <span>{move || i18n.t("app.loading")}</span>
        </div>
    }
}
