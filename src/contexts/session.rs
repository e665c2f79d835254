//! Who is signed in. Checked once at start-up (`GET /auth/me`), set by the login page,
//! cleared by sign-out, by any 401 the API reports, or by the live socket closing
//! because the session ended.

use domain::api::Me;
use leptos::{prelude::*, task::spawn_local};

use crate::api;

/// Where the session stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// Asking the server whether the cookie is still valid.
    Checking,
    SignedOut,
    SignedIn(Me),
}

/// The session signal shared by the whole app.
#[derive(Debug, Clone, Copy)]
pub struct SessionContext(pub RwSignal<SessionState>);

impl SessionContext {
    /// The signed-in person, if any (reactive).
    pub fn me(&self) -> Option<Me> {
        match self.0.get() {
            SessionState::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    /// Records a successful sign-in.
    pub fn signed_in(&self, me: Me) {
        self.0.set(SessionState::SignedIn(me));
    }

    /// The server ended the session (the live socket said so): signed out locally;
    /// the routes send the user to the sign-in page.
    pub fn ended(&self) {
        self.0.set(SessionState::SignedOut);
    }

    /// Signs out on the server and locally.
    pub fn sign_out(&self) {
        let state = self.0;
        spawn_local(async move {
            // Even if the server cannot be reached the local session ends; the cookie
            // expires on its own.
            let _ = api::logout().await;
            state.set(SessionState::SignedOut);
        });
    }
}

/// Provides the session and starts the start-up check.
pub fn provide_session() -> SessionContext {
    let state = RwSignal::new(SessionState::Checking);
    if crate::embed::is_embedded() {
        // Embedded, the partner page signs in (crate::embed).
        crate::embed::start(state, crate::i18n::use_i18n());
        let context = SessionContext(state);
        provide_context(context);
        return context;
    }
    spawn_local(async move {
        let next = match api::me().await {
            Ok(Some(me)) => SessionState::SignedIn(me),
            _ => SessionState::SignedOut,
        };
        state.set(next);
    });
    let context = SessionContext(state);
    provide_context(context);
    context
}

/// The app's [`SessionContext`].
pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}
