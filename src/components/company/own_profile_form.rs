//! The signed-in dispatcher's own profile on the Company tab: their name, their personal
//! e-mail (sign-in and request e-mails, unlike the company's e-mail for invoices) and
//! their password. The language is the header's switch, stored on the account too.

use domain::api::{
    team::{password_field_errors, ChangePassword, UpdateMe},
    FieldError,
};
use leptos::prelude::*;

use super::field_message;
use crate::{
    api,
    components::team::{add_technician_dialog::TextField, error_message, field_errors},
    contexts::session::use_session,
    i18n::use_i18n,
};

/// A refusal as field errors: the server's, else one form-wide message.
fn refusal(i18n: crate::i18n::I18n, e: &api::ApiError) -> Vec<FieldError> {
    let found = field_errors(e);
    if found.is_empty() {
        vec![FieldError {
            field: String::new(),
            code: e.code().to_owned(),
            message: error_message(i18n, e),
        }]
    } else {
        found
    }
}

/// The own-profile form and the password change.
#[component]
pub fn OwnProfileForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let me = session.me();
    let name = RwSignal::new(me.as_ref().map(|m| m.name.clone()).unwrap_or_default());
    let email = RwSignal::new(me.as_ref().map(|m| m.email.clone()).unwrap_or_default());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let status = RwSignal::new(None::<String>);

    let save = Action::new_local(move |change: &UpdateMe| {
        let change = change.clone();
        async move {
            let local = change.validate();
            if !local.is_empty() {
                return Err(local);
            }
            api::update_me(&change).await.map_err(|e| refusal(i18n, &e))
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(me)) => {
            errors.set(Vec::new());
            name.set(me.name.clone());
            email.set(me.email.clone());
            session.signed_in(me);
            status.set(Some(i18n.t("company.own.saved")));
        }
        Some(Err(found)) => {
            errors.set(found);
            status.set(Some(i18n.t("team.error.check_fields")));
        }
        None => {}
    });
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        status.set(None);
        save.dispatch(UpdateMe {
            name: Some(name.get_untracked()),
            email: Some(email.get_untracked()),
        });
    };
    let message = move |field: &'static str| {
        Signal::derive(move || field_message(i18n, &errors.get(), field))
    };

    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let password_errors = RwSignal::new(Vec::<FieldError>::new());
    let password_status = RwSignal::new(None::<String>);
    let change = Action::new_local(move |body: &ChangePassword| {
        let body = body.clone();
        let email = email.get_untracked();
        async move {
            let local = password_field_errors("new_password", &body.new_password, &email);
            if !local.is_empty() {
                return Err(local);
            }
            api::change_password(&body)
                .await
                .map_err(|e| refusal(i18n, &e))
        }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            password_errors.set(Vec::new());
            current.set(String::new());
            new.set(String::new());
            password_status.set(Some(i18n.t("company.own.password_changed")));
        }
        Some(Err(found)) => {
            password_errors.set(found);
            password_status.set(Some(i18n.t("team.error.check_fields")));
        }
        None => {}
    });
    let on_change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        password_status.set(None);
        change.dispatch(ChangePassword {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        });
    };
    let password_message = move |field: &'static str| {
        Signal::derive(move || field_message(i18n, &password_errors.get(), field))
    };

    view! {
        <section class="company-section own-profile" aria-labelledby="own-profile-title">
            <h2 id="own-profile-title">{move || i18n.t("company.own.title")}</h2>
            <p class="hint">{move || i18n.t("company.own.hint")}</p>
            <form class="company-inline-form" on:submit=on_save novalidate=true aria-label=move || i18n.t("company.own.title")>
                <TextField id="own-name" label="company.own.name" value=name error=message("name") autocomplete="name" kind="text" />
                <TextField id="own-email" label="company.field.personal_email" value=email error=message("email") autocomplete="email" kind="email" />
                <p class="form-status" class:form-status--error=move || !errors.get().is_empty() role="status">{move || status.get()}</p>
                <button class="button button--primary" type="submit" disabled=move || save.pending().get()>
                    {move || i18n.t("company.own.save")}
                </button>
            </form>
            <form class="company-inline-form own-profile__password" on:submit=on_change novalidate=true aria-labelledby="own-password-title">
                <h3 id="own-password-title">{move || i18n.t("company.own.password_title")}</h3>
                <TextField id="own-current-password" label="company.own.current_password" value=current error=password_message("current_password") autocomplete="current-password" kind="password" />
                <TextField id="own-new-password" label="company.own.new_password" value=new error=password_message("new_password") autocomplete="new-password" kind="password" />
                <p class="form-status" class:form-status--error=move || !password_errors.get().is_empty() role="status">{move || password_status.get()}</p>
                <button class="button" type="submit" disabled=move || change.pending().get()>
                    {move || i18n.t("company.own.change_password")}
                </button>
            </form>
        </section>
    }
}
