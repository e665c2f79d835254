//! Relay, the dispatcher's workplace: a Leptos client-side app. `App` wires the
//! contexts (language, session) and the routes; pages live in [`pages`], pieces in
//! [`components`], and [`api`] is the only module that talks to the server.

pub mod api;
pub mod components;
pub mod contexts;
pub mod embed;
pub mod first_paint;
pub mod i18n;
pub mod loading_shell;
pub mod offline;
pub mod pages;
pub mod service_worker;

use leptos::prelude::*;
use leptos_router::{
    components::{ParentRoute, Redirect, Route, Router, Routes},
    path,
};

use pages::{
    activation_page::ActivationPage,
    board_shell::BoardShell,
    calendar_page::{CalendarPage, CallModalRoute},
    company_page::CompanyPage,
    embed_signin_page::EmbedSigninPage,
    login_page::LoginPage,
    my_profile_page::MyProfilePage,
    not_found_page::NotFoundPage,
    team_page::TeamPage,
};

/// A performance mark (`performance.mark(name)`): the parts of the start-up figures of
/// `cargo xtask bench` (`end2end/bench/nav-bench.mjs` reads them).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// What an unknown path shows. In a build with the `bench` feature, `/bench` is the board
/// benchmark's page: a route of its own would need the same `cfg` on a `view!` child,
/// which the macro does not take, so the fallback picks it instead.
fn fallback() -> impl IntoView {
    #[cfg(feature = "bench")]
    if leptos_router::hooks::use_location()
        .pathname
        .get_untracked()
        == "/bench"
    {
        return pages::bench_page::BenchPage().into_any();
    }
    NotFoundPage().into_any()
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    i18n::provide_i18n();
    i18n::follow_session(contexts::session::provide_session());
    contexts::board::provide_board();
    contexts::board::provide_roster();
    contexts::toasts::provide_toasts();
    contexts::live::provide_live();
    contexts::presence::provide_soft_locks();
    offline::provide_offline();
    service_worker::provide_service_worker();
    loading_shell::dismiss_when_ready();
    view! {
        <components::common::toast_host::ToastHost />
        <components::common::update_banner::UpdateBanner />
        // Embedded, every path lives under `/embed/{company}` (the only pages a partner
        // site may frame), and signing in is the partner's job.
        <Router base=embed::router_base().unwrap_or_default()>
            <Routes fallback=fallback>
                <Route
                    path=path!("/login")
                    view=|| if embed::is_embedded() { embed::EmbedSignedOut().into_any() } else { LoginPage().into_any() }
                />
                <Route path=path!("/activate/:token") view=ActivationPage />
                // The embed's sign-in popup: first-party, opened by a framed board.
                <Route path=path!("/embed-signin/:company") view=EmbedSigninPage />
                <Route path=path!("/profile") view=MyProfilePage />
                <ParentRoute path=path!("") view=BoardShell>
                    <Route path=path!("") view=|| view! { <Redirect path="/calendar" /> } />
                    <Route path=path!("team") view=TeamPage />
                    <Route path=path!("company") view=CompanyPage />
                    // The calendar stays mounted while a call's modal opens and closes over it.
                    <ParentRoute path=path!("") view=CalendarPage>
                        <Route path=path!("calendar") view=|| () />
                        <Route path=path!("requests/:id") view=CallModalRoute />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
