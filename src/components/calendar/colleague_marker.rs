//! The soft-lock marker on a call block: "Sandra is moving this" while a colleague
//! drags the call or has it open. A warning only; the block stays draggable.

use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    contexts::presence::{activity_text, use_colleague_activity},
    i18n::use_i18n,
};
use domain::api::live::{initials, ActivityAction};

/// Shows which colleague works on `call_id`, inside its block (part of the block's
/// accessible name, so it is announced with it); nothing when nobody does.
#[component]
pub fn ColleagueMarker(
    /// The call of the block.
    call_id: Uuid,
) -> impl IntoView {
    let i18n = use_i18n();
    let activity = use_colleague_activity(call_id);
    move || {
        activity.get().map(|activity| {
            let modifier = match activity.action {
                ActivityAction::Dragging => "colleague-marker colleague-marker--moving",
                ActivityAction::Editing | ActivityAction::Idle => "colleague-marker",
            };
            let text = {
                let activity = activity.clone();
                move || activity_text(&i18n, &activity)
            };
            view! {
                <span class=modifier data-testid="colleague-marker">
                    <span class="colleague-marker__avatar" aria-hidden="true">{initials(&activity.name)}</span>
                    " "
                    <span class="colleague-marker__text">{text}</span>
                </span>
            }
        })
    }
}
