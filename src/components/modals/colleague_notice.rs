//! The detail modal's soft-lock notice: a colleague is moving or editing this call too.
//! It warns; saving stays possible (a stale save is refused by its version anyway).

use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    contexts::presence::{activity_text, use_soft_locks},
    i18n::use_i18n,
};
use domain::api::live::initials;

/// "Sandra is moving this — your changes may clash", while a colleague works on
/// `call_id`.
#[component]
pub fn ColleagueNotice(
    /// The call of the modal.
    call_id: Uuid,
) -> impl IntoView {
    let i18n = use_i18n();
    let locks = use_soft_locks();
    let activity = Memo::new(move |_| locks.on(call_id));
    view! {
        <div role="status" class="colleague-notice-region">
            {move || activity.get().map(|activity| {
                let text = {
                    let activity = activity.clone();
                    move || activity_text(&i18n, &activity)
                };
                view! {
                    <p class="notice notice--colleague" data-testid="colleague-notice">
                        <span class="colleague-marker__avatar" aria-hidden="true">{initials(&activity.name)}</span>
                        <span>
                            <strong>{text}</strong>
                            " — "
                            {move || i18n.t("presence.may_clash")}
                        </span>
                    </p>
                }
            })}
        </div>
    }
}
