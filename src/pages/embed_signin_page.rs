//! The embed's sign-in popup, `/embed-signin/{company}?origin=…`: a first-party page of
//! ours that a framed board without a partner token opens ([`crate::embed`]). The
//! dispatcher signs in here (or continues as whoever is signed in), the page mints a
//! single-use token bound to the partner origin and hands it to its opener, the frame,
//! by `postMessage` to our own origin only; then it closes.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::{
    api,
    contexts::session::{use_session, SessionState},
    embed,
    i18n::use_i18n,
    pages::login_page::{LoginForm, SignInLayout},
};

/// Where the hand-over stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Waiting for the dispatcher (the form, or "Continue as …").
    Ask,
    Sending,
    /// Handed over: the window closes (or says it may be closed).
    Done,
    /// Refused: the catalogue key of the reason.
    Failed(&'static str),
}

/// The reason for a refused hand-over, by the server's answer.
fn failure_key(status: Option<u16>, code: &str) -> &'static str {
    match (status, code) {
        (Some(404), _) => "embed_signin.error.other_company",
        (Some(403), _) => "embed_signin.error.dispatchers_only",
        (Some(422), _) => "embed_signin.error.origin",
        (_, "network") => "login.error.network",
        _ => "login.error.generic",
    }
}

/// `/embed-signin/:company`.
#[component]
pub fn EmbedSigninPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let query = use_query_map();
    let company = params
        .read_untracked()
        .get("company")
        .and_then(|c| Uuid::parse_str(&c).ok());
    let origin = query
        .read_untracked()
        .get("origin")
        .and_then(|o| domain::api::company::normalise_origin(&o).ok());
    let origin = StoredValue::new(origin);
    let step = RwSignal::new(Step::Ask);
    // Signed in through this form: hand over at once; an earlier session asks first.
    let signed_in_here = RwSignal::new(false);

    let hand_over = move || {
        let (Some(company), Some(origin)) = (company, origin.get_value()) else {
            return;
        };
        step.set(Step::Sending);
        spawn_local(async move {
            match api::company::embed_popup_token(company, origin).await {
                Ok(token) => {
                    if embed::post_token_to_opener(&token.token) {
                        step.set(Step::Done);
                        let _ = window().close();
                    } else {
                        step.set(Step::Failed("embed_signin.no_opener"));
                    }
                }
                Err(e) => step.set(Step::Failed(failure_key(e.status(), e.code()))),
            }
        });
    };

    Effect::new(move |_| match session.0.get() {
        SessionState::SignedOut => signed_in_here.set(true),
        SessionState::SignedIn(_)
            if signed_in_here.get_untracked() && step.get_untracked() == Step::Ask =>
        {
            hand_over();
        }
        _ => {}
    });

    let valid = company.is_some() && origin.with_value(Option::is_some) && embed::has_opener();
    let site = origin.get_value().unwrap_or_default();
    let lead = Signal::derive(move || i18n.t("embed_signin.lead").replace("{site}", &site));

    view! {
        <SignInLayout>
            {move || {
                if !valid {
                    return view! {
                        <div class="card login__card" role="alert">
                            <h1>{move || i18n.t("embed_signin.title")}</h1>
                            <p>{move || i18n.t("embed_signin.no_opener")}</p>
                        </div>
                    }
                    .into_any();
                }
                match (session.0.get(), step.get()) {
                    (_, Step::Done) => view! {
                        <div class="card login__card" role="status">
                            <h1>{move || i18n.t("embed_signin.title")}</h1>
                            <p>{move || i18n.t("embed_signin.done")}</p>
                        </div>
                    }
                    .into_any(),
                    (SessionState::Checking, _) => view! {
                        <div class="card login__card" role="status" aria-busy="true">
                            <p>{move || i18n.t("app.loading")}</p>
                        </div>
                    }
                    .into_any(),
                    (SessionState::SignedOut, _) => view! {
                        <LoginForm title_key="embed_signin.title" lead=lead />
                    }
                    .into_any(),
                    (SessionState::SignedIn(me), current) => {
                        let name = me.name.clone();
                        let failed = match current {
                            Step::Failed(key) => Some(key),
                            _ => None,
                        };
                        view! {
                            <div class="card login__card">
                                <h1>{move || i18n.t("embed_signin.title")}</h1>
                                <p class="login__lead">{move || lead.get()}</p>
                                <p>
                                    {move || i18n.t("embed_signin.signed_in_as").replace("{name}", &me.name).replace("{email}", &me.email)}
                                </p>
                                <div class="form-error" role="alert" aria-live="assertive">
                                    {failed.map(|key| i18n.t(key))}
                                </div>
                                <button
                                    class="button button--primary"
                                    type="button"
                                    disabled=current == Step::Sending
                                    on:click=move |_| hand_over()
                                >
                                    {move || i18n.t("embed_signin.continue_as").replace("{name}", &name)}
                                </button>
                                <button
                                    class="button"
                                    type="button"
                                    on:click=move |_| {
                                        step.set(Step::Ask);
                                        session.sign_out();
                                    }
                                >
                                    {move || i18n.t("embed_signin.other_account")}
                                </button>
                            </div>
                        }
                        .into_any()
                    }
                }
            }}
        </SignInLayout>
    }
}
