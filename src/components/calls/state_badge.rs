use domain::{
    call::{OfferState, Status},
    colour::Colour,
    view::CallView,
};
use leptos::prelude::*;

use crate::i18n::use_i18n;

/// The state's translation key, CSS modifier and icon: the colour is never the only cue.
pub fn state_of(view: &CallView) -> (&'static str, &'static str, &'static str) {
    state_in(view, view.colour)
}

fn state_in(view: &CallView, colour: Colour) -> (&'static str, &'static str, &'static str) {
    if view.offer_state == OfferState::Taken {
        return ("calls.state.taken", "taken", "⊘");
    }
    match (view.status, colour) {
        (Status::Closed, _) => ("calls.state.closed", "done", "✔"),
        (Status::Cancelled, _) => ("calls.state.cancelled", "taken", "✕"),
        (_, Colour::Blue) => ("calls.state.blue", "blue", "★"),
        (_, Colour::White) => ("calls.state.white", "white", "○"),
        (_, Colour::Orange) => ("calls.state.orange", "orange", "◐"),
        (_, Colour::Green) => ("calls.state.green", "green", "●"),
    }
}

/// [`state_of`] where the calendar draws the call: its colour in that row
/// (`CallView::row_colour`), which for a dated call without a technician is orange in
/// the dispatcher's row while the lists show it white.
pub fn row_state_of(view: &CallView) -> (&'static str, &'static str, &'static str) {
    state_in(view, view.row_colour().unwrap_or(view.colour))
}

/// The call's state as an icon, a word and its colour.
#[component]
pub fn StateBadge(
    /// The call whose state to show.
    #[prop(into)]
    call: Signal<CallView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = move || call.with(state_of);
    view! {
        <span class=move || format!("badge badge--{}", state().1)>
            <span class="badge__icon" aria-hidden="true">{move || state().2}</span>
            {move || i18n.t(state().0)}
        </span>
    }
}
