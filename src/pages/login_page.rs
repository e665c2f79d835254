use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::{
    api,
    components::common::locale_switch::LocaleSwitch,
    contexts::session::{use_session, SessionState},
    i18n::use_i18n,
};

/// Only same-app paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned())
}

/// The sign-in page: the form, then where the user was headed.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();

    // Signed in (now or already): go where the user was headed.
    Effect::new(move |_| {
        if let SessionState::SignedIn(_) = session.0.get() {
            navigate(
                &safe_next(query.read_untracked().get("next")),
                Default::default(),
            );
        }
    });

    view! {
        <SignInLayout>
            <LoginForm title_key="login.title" />
        </SignInLayout>
    }
}

/// The frame of the pages before sign-in (sign-in, activation, the embed's sign-in
/// popup): the brand bar above a centred card.
#[component]
pub fn SignInLayout(children: Children) -> impl IntoView {
    view! {
        <div class="login">
            <BrandBar />
            <main id="main" class="login__main">{children()}</main>
        </div>
    }
}

/// The bar above the pages outside the board: the brand, the language switch, and what
/// the page adds (the technician's profile: "Sign out").
#[component]
pub fn BrandBar(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="login__top">
            <span class="brand">
                <span class="brand__mark" aria-hidden="true"></span>
                {move || i18n.t("app.name")}
            </span>
            <LocaleSwitch />
            {children.map(|c| c())}
        </header>
    }
}

/// The sign-in form. Enter submits; a success records the session (whoever shows the
/// form decides what follows); a failure shows a message and keeps the e-mail.
#[component]
pub fn LoginForm(
    /// The catalogue key of the form's heading.
    title_key: &'static str,
    /// What the form is for, under the heading (already translated), if anything.
    #[prop(optional, into)]
    lead: Option<Signal<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error_key = RwSignal::new(None::<&'static str>);

    let submit = Action::new_local(move |(email, password): &(String, String)| {
        let (email, password) = (email.clone(), password.clone());
        async move { api::login(email, password).await }
    });

    Effect::new(move |_| {
        if let Some(result) = submit.value().get() {
            match result {
                Ok(me) => {
                    error_key.set(None);
                    session.signed_in(me);
                }
                Err(err) => {
                    password.set(String::new());
                    error_key.set(Some(match err.code() {
                        "invalid-credentials" | "validation" => "login.error.invalid_credentials",
                        "network" => "login.error.network",
                        _ => "login.error.generic",
                    }));
                }
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit.dispatch((email.get_untracked(), password.get_untracked()));
    };

    view! {
        <form class="card login__card" on:submit=on_submit novalidate=true>
            <h1>{move || i18n.t(title_key)}</h1>
            {lead.map(|lead| view! { <p class="login__lead">{move || lead.get()}</p> })}
            <div class="field">
                <label for="login-email">{move || i18n.t("login.email")}</label>
                <input
                    id="login-email"
                    type="email"
                    name="email"
                    autocomplete="username"
                    required=true
                    bind:value=email
                />
            </div>
            <div class="field">
                <label for="login-password">{move || i18n.t("login.password")}</label>
                <input
                    id="login-password"
                    type="password"
                    name="password"
                    autocomplete="current-password"
                    required=true
                    bind:value=password
                />
            </div>
            <div class="form-error" role="alert" aria-live="assertive">
                {move || error_key.get().map(|key| i18n.t(key))}
            </div>
            <button class="button button--primary" type="submit" disabled=move || submit.pending().get()>
                {move || {
                    if submit.pending().get() { i18n.t("login.submitting") } else { i18n.t("login.submit") }
                }}
            </button>
            <p class="hint">{move || i18n.t("login.demo_hint")}</p>
        </form>
    }
}
