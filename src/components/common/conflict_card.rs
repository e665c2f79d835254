//! The conflict card of a queued change the server refused because the call changed
//! meanwhile (409 `stale-version`): the call as it is now beside the change the
//! dispatcher made, with "Apply mine" (sent again, based on the call as it is now) and
//! "Keep theirs" (the change is dropped).

use domain::view::CallView;
use leptos::prelude::*;

use super::queue_badge::{call_name, describe, state_words};
use crate::{api::queue::Intent, i18n::use_i18n, offline::use_offline};

/// One conflict: now vs. mine, and the two ways out.
#[component]
pub fn ConflictCard(
    /// The refused change.
    intent: Intent,
    /// The call as the server has it now.
    current: CallView,
) -> impl IntoView {
    let i18n = use_i18n();
    let offline = use_offline();
    let key = intent.key;
    let title_id = format!("conflict-{key}");
    let labelled_by = title_id.clone();
    view! {
        <article class="conflict-card" aria-labelledby=labelled_by data-testid="conflict-card">
            <h3 id=title_id class="conflict-card__title">
                <span class="conflict-card__tag">{move || i18n.t("queue.conflict")}</span>
                " "{move || i18n.t("queue.conflict_title")}
            </h3>
            <p class="conflict-card__call">{call_name(&current)}</p>
            <div class="conflict-card__sides">
                <section>
                    <h4>{move || i18n.t("queue.conflict_now")}</h4>
                    <p data-testid="conflict-now">{state_words(i18n, &current)}</p>
                </section>
                <section>
                    <h4>{move || i18n.t("queue.conflict_mine")}</h4>
                    <p data-testid="conflict-mine">{describe(i18n, &intent)}</p>
                </section>
            </div>
            <div class="conflict-card__actions">
                <button type="button" class="button button--primary" on:click=move |_| offline.apply_mine(key)>
                    {move || i18n.t("queue.apply_mine")}
                </button>
                <button type="button" class="button button--secondary" on:click=move |_| offline.keep_theirs(key)>
                    {move || i18n.t("queue.keep_theirs")}
                </button>
            </div>
        </article>
    }
}
