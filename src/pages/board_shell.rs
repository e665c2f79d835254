use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::use_location,
};

use crate::{
    components::common::{
        live_indicator::LiveIndicator, locale_switch::LocaleSwitch, offline_banner::OfflineBanner,
        presence_list::PresenceList, spinner::Spinner,
    },
    contexts::session::{use_session, SessionState},
    i18n::use_i18n,
};

/// The signed-in frame: header with company, user, language and sign-out; the tabs;
/// the routed page below. Sends signed-out visitors to the login page, remembering
/// where they were going.
#[component]
pub fn BoardShell() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    // Remount only when who is signed in changes: a renamed person or a new locale on
    // the same account keeps the pages (and what is typed in their forms) in place.
    let who = Memo::new(move |_| match session.0.get() {
        SessionState::Checking => Who::Checking,
        SessionState::SignedOut => Who::Nobody,
        SessionState::SignedIn(me) => Who::User(me.user_id),
    });
    move || match who.get() {
        Who::Checking => view! { <main id="main" class="center"><Spinner /></main> }.into_any(),
        Who::Nobody => {
            let here = location.pathname.get_untracked();
            let path = if here == "/" || here.is_empty() {
                "/login".to_owned()
            } else {
                format!("/login?next={}", js_sys::encode_uri_component(&here))
            };
            view! { <Redirect path=path /> }.into_any()
        }
        Who::User(_) => view! { <SignedInShell /> }.into_any(),
    }
}

/// Who the shell is drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Checking,
    Nobody,
    User(uuid::Uuid),
}

#[component]
fn SignedInShell() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let company = move || session.me().map(|me| me.company.name).unwrap_or_default();
    let user = move || session.me().map(|me| me.name).unwrap_or_default();
    view! {
        <a class="skip-link" href="#main">{move || i18n.t("app.skip_to_content")}</a>
        <header class="topbar">
            <div class="topbar__brand">
                {match crate::embed::logo() {
                    // Embedded, the partner company's own logo (its name follows).
                    Some(logo) => {
                        let failed = RwSignal::new(false);
                        view! {
                            <img
                                class="topbar__logo"
                                src=logo
                                alt=""
                                data-testid="company-logo"
                                hidden=move || failed.get()
                                on:error=move |_| failed.set(true)
                            />
                        }
                        .into_any()
                    }
                    None => view! {
                        <span class="brand">
                            <span class="brand__mark" aria-hidden="true"></span>
                            {move || i18n.t("app.name")}
                        </span>
                    }
                    .into_any(),
                }}
                <span class="topbar__company" data-testid="company-name">{company}</span>
            </div>
            <nav class="tabs" aria-label=move || i18n.t("shell.nav_label")>
                <A href=crate::embed::href("/calendar") attr:class="tabs__tab">{move || i18n.t("shell.tab.calendar")}</A>
                <A href=crate::embed::href("/team") attr:class="tabs__tab">{move || i18n.t("shell.tab.team")}</A>
                <A href=crate::embed::href("/company") attr:class="tabs__tab">{move || i18n.t("company.tab")}</A>
            </nav>
            <div class="topbar__user">
                <PresenceList />
                <LiveIndicator />
                <crate::components::common::queue_badge::QueueBadge />
                <LocaleSwitch />
                <span class="topbar__person">
                    <span class="visually-hidden">{move || i18n.t("shell.signed_in_as")}" "</span>
                    {user}
                </span>
                <button class="button button--ghost" type="button" on:click=move |_| session.sign_out()>
                    {move || i18n.t("shell.logout")}
                </button>
            </div>
        </header>
        <OfflineBanner />
        <main id="main" class="board" tabindex="-1">
            <Outlet />
        </main>
    }
}
