use leptos::prelude::*;

use crate::i18n::use_i18n;

/// The team tab: technicians, invitations, verification.
#[component]
pub fn TeamPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page" aria-labelledby="team-title">
            <div class="page__head">
                <h1 id="team-title">{move || i18n.t("team.title")}</h1>
            </div>
            <div class="empty-state">
                <p>{move || i18n.t("team.empty")}</p>
            </div>
        </section>
    }
}
