//! The invitation link's page: choose a password (the rules are shown and ticked while
//! typing), which activates the account and signs in; technicians go on to their profile.

use domain::api::{
    team::{password_problems, PasswordRule},
    Role,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    api,
    components::team::{error_message, field_errors},
    contexts::session::use_session,
    i18n::use_i18n,
    pages::login_page::SignInLayout,
};

fn rule_key(rule: PasswordRule) -> &'static str {
    match rule {
        PasswordRule::MinLength => "team.password.rule.min_length",
        PasswordRule::MaxLength => "team.password.rule.max_length",
        PasswordRule::Variety => "team.password.rule.variety",
        PasswordRule::NotEmail => "team.password.rule.not_email",
    }
}

/// A person sets their password from the invitation link.
#[component]
pub fn ActivationPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    // The e-mail is not known before activation; the server checks "not your e-mail".
    let broken = Memo::new(move |_| password_problems(&password.get(), ""));

    let submit = Action::new_local(move |(token, password): &(String, String)| {
        let (token, password) = (token.clone(), password.clone());
        async move { api::team::activate(token, password).await }
    });
    Effect::new(move |_| {
        if let Some(result) = submit.value().get() {
            match result {
                Ok(me) => {
                    let next = if me.role == Role::Technician {
                        "/profile"
                    } else {
                        "/"
                    };
                    session.signed_in(me);
                    navigate(next, Default::default());
                }
                Err(err) => {
                    let rules = field_errors(&err);
                    failure.set(Some(match err.code() {
                        "invitation-invalid" => i18n.t("team.activate.link_invalid"),
                        "validation" => rules
                            .iter()
                            .map(|e| i18n.t(&format!("team.password.rule.{}", e.code)))
                            .collect::<Vec<_>>()
                            .join(" "),
                        _ => error_message(i18n, &err),
                    }));
                }
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if password.get_untracked() != repeat.get_untracked() {
            failure.set(Some(i18n.t("team.activate.mismatch")));
            return;
        }
        if !broken.get_untracked().is_empty() {
            failure.set(Some(i18n.t("team.activate.rules_unmet")));
            return;
        }
        failure.set(None);
        submit.dispatch((token(), password.get_untracked()));
    };

    view! {
        <SignInLayout>
            <form class="card login__card" on:submit=on_submit novalidate=true>
                <h1>{move || i18n.t("team.activate.title")}</h1>
                <p class="hint">{move || i18n.t("team.activate.intro")}</p>
                <div class="field">
                    <label for="activate-password">{move || i18n.t("team.activate.password")}</label>
                    <input
                        id="activate-password"
                        type="password"
                        autocomplete="new-password"
                        aria-describedby="password-rules"
                        bind:value=password
                    />
                </div>
                <ul class="password-rules" id="password-rules" aria-label=move || i18n.t("team.password.rules")>
                    {PasswordRule::ALL
                        .into_iter()
                        .filter(|r| *r != PasswordRule::MaxLength)
                        .map(|rule| {
                            let met = move || !broken.get().contains(&rule);
                            view! {
                                <li class="password-rules__rule" class:password-rules__rule--met=met>
                                    <span aria-hidden="true">{move || if met() { "✓ " } else { "• " }}</span>
                                    {move || i18n.t(rule_key(rule))}
                                    <span class="visually-hidden">
                                        {move || if met() { i18n.t("team.password.met") } else { i18n.t("team.password.unmet") }}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <div class="field">
                    <label for="activate-repeat">{move || i18n.t("team.activate.repeat")}</label>
                    <input id="activate-repeat" type="password" autocomplete="new-password" bind:value=repeat />
                </div>
                <div class="form-error" role="alert" aria-live="assertive">{move || failure.get()}</div>
                <button class="button button--primary" type="submit" disabled=move || submit.pending().get()>
                    {move || i18n.t("team.activate.submit")}
                </button>
            </form>
        </SignInLayout>
    }
}
