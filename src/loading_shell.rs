//! The loading screen of `index.html` (`#shell`): painted from inline CSS before the wasm
//! arrives, it covers the page while the app starts underneath, and is removed here once
//! the app knows what to show (the session check has answered). Because it lies over the
//! app with the same header geometry, taking it away moves nothing.

use leptos::prelude::*;

use crate::contexts::session::{use_session, SessionState};

/// Removes the loading screen when the session check is over (whatever its answer).
pub fn dismiss_when_ready() {
    let session = use_session();
    Effect::new(move || {
        if session.0.get() != SessionState::Checking {
            dismiss();
        }
    });
}

/// Removes the loading screen now (idempotent).
pub fn dismiss() {
    if let Some(shell) = document().get_element_by_id("shell") {
        shell.remove();
    }
}
