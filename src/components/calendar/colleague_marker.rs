//! The soft-lock marker on a call block: "Sandra is moving this" while a colleague
//! drags the call or has it open. A warning only; the block stays draggable.

use leptos::prelude::*;

use crate::{contexts::presence::activity_text, i18n::I18n};
use domain::api::live::{initials, Activity, ActivityAction};

/// Who works on the block's call, drawn inside the block (part of its accessible name,
/// so it is announced with it). A plain view, not a component: the block draws it only
/// while its call has a soft lock (see `contexts::presence::SoftLocks`), so the
/// thousands of blocks without one pay nothing for it.
pub fn colleague_marker(i18n: &I18n, activity: &Activity) -> impl IntoView {
    let moving = activity.action == ActivityAction::Dragging;
    view! {
        <span
            class=if moving { "colleague-marker colleague-marker--moving" } else { "colleague-marker" }
            data-testid="colleague-marker"
        >
            <span class="colleague-marker__avatar" aria-hidden="true">{initials(&activity.name)}</span>
            " "
            <span class="colleague-marker__text">{activity_text(i18n, activity)}</span>
        </span>
        // The dashed frame of a block being moved by a colleague (a class on the block
        // or `:has()` would make every block's style depend on the lock).
        {moving.then(|| view! { <span class="block__lock-frame" aria-hidden="true"></span> })}
    }
}
