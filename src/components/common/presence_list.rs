//! The header's list of colleagues online: an initials avatar and the name of each
//! dispatcher of the company with a board open (the signed-in user not among them),
//! as a labelled list so screen readers hear who is there.

use leptos::prelude::*;

use crate::{contexts::presence::use_colleagues, i18n::use_i18n};
use domain::api::live::initials;

/// Colleagues online, in the header; nothing while nobody else is.
#[component]
pub fn PresenceList() -> impl IntoView {
    let i18n = use_i18n();
    let colleagues = use_colleagues();
    view! {
        <Show when=move || colleagues.with(|c| !c.is_empty())>
            <ul class="presence" aria-label=move || i18n.t("presence.label") data-testid="presence">
                <For each=move || colleagues.get() key=|user| user.id let:user>
                    <li class="presence__user" title=user.name.clone()>
                        <span class="presence__avatar" aria-hidden="true">{initials(&user.name)}</span>
                        <span class="presence__name">{user.name.clone()}</span>
                    </li>
                </For>
            </ul>
        </Show>
    }
}
