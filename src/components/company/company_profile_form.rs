//! The company profile: name, company e-mail (invoices, after-check-out notices), phone,
//! address, time zone, currency (read-only once the company has calls), brand colour,
//! logo address and default language. One form; its two parts go to
//! `PATCH /company/settings` and `PATCH /company`, and every refused field shows its
//! error beside it.

use domain::api::{
    company::{CompanySettings, UpdateCompanySettings, LANGUAGES},
    team::{CompanyProfile, UpdateCompany},
    FieldError,
};
use leptos::prelude::*;

use super::field_message;
use crate::{
    api,
    components::team::{add_technician_dialog::TextField, error_message, field_errors},
    i18n::use_i18n,
};

/// The profile form, filled with what the server holds.
#[component]
pub fn CompanyProfileForm(profile: CompanyProfile, settings: CompanySettings) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(settings.name.clone());
    let email = RwSignal::new(profile.email.clone());
    let phone = RwSignal::new(profile.phone.clone());
    let address = RwSignal::new(settings.address.clone());
    let time_zone = RwSignal::new(profile.time_zone.clone());
    let currency = RwSignal::new(profile.currency.clone());
    let brand_colour = RwSignal::new(settings.brand_colour.clone());
    let logo_url = RwSignal::new(settings.logo_url.clone());
    let language = RwSignal::new(settings.default_language.clone());
    let locked = settings.currency_locked;
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let status = RwSignal::new(None::<String>);

    let save = Action::new_local(move |(s, p): &(UpdateCompanySettings, UpdateCompany)| {
        let (s, p) = (s.clone(), p.clone());
        async move {
            // Both halves are checked before either is written: a refusal changes nothing.
            let mut local = s.validate();
            local.extend(p.validate());
            if !local.is_empty() {
                return Err(local);
            }
            let mut found = Vec::new();
            if let Err(e) = api::company::update_settings(&s).await {
                found.extend(field_errors(&e));
                if found.is_empty() {
                    return Err(vec![FieldError {
                        field: String::new(),
                        code: e.code().to_owned(),
                        message: error_message(i18n, &e),
                    }]);
                }
            }
            if let Err(e) = api::company::update_profile(&p).await {
                found.extend(field_errors(&e));
            }
            if found.is_empty() {
                Ok(())
            } else {
                Err(found)
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            match result {
                Ok(()) => {
                    errors.set(Vec::new());
                    status.set(Some(i18n.t("company.profile.saved")));
                }
                Err(found) => {
                    errors.set(found);
                    status.set(Some(i18n.t("team.error.check_fields")));
                }
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        status.set(None);
        let s = UpdateCompanySettings {
            name: Some(name.get_untracked()),
            address: Some(address.get_untracked()),
            brand_colour: Some(brand_colour.get_untracked()),
            logo_url: Some(logo_url.get_untracked()),
            default_language: Some(language.get_untracked()),
        };
        let p = UpdateCompany {
            email: Some(email.get_untracked()),
            phone: Some(phone.get_untracked()),
            time_zone: Some(time_zone.get_untracked()),
            currency: (!locked).then(|| currency.get_untracked()),
            ..UpdateCompany::default()
        };
        save.dispatch((s, p));
    };
    let message = move |field: &'static str| {
        Signal::derive(move || field_message(i18n, &errors.get(), field))
    };
    let address_error = message("address");
    let currency_error = message("currency");
    let language_error = message("default_language");

    view! {
        <form class="company-form" on:submit=on_submit novalidate=true aria-labelledby="company-profile-title">
            <h2 id="company-profile-title">{move || i18n.t("company.profile.title")}</h2>
            <TextField id="company-name" label="company.field.name" value=name error=message("name") autocomplete="organization" kind="text" />
            <TextField id="company-email" label="company.field.email" value=email error=message("email") autocomplete="email" kind="email" />
            <TextField id="company-phone" label="company.field.phone" value=phone error=message("phone") autocomplete="tel" kind="tel" />
            <div class="field">
                <label for="company-address">{move || i18n.t("company.field.address")}</label>
                <textarea
                    id="company-address"
                    rows="3"
                    prop:value=move || address.get()
                    on:input=move |ev| address.set(event_target_value(&ev))
                    aria-invalid=move || address_error.get().is_some().to_string()
                    aria-describedby="company-address-error"
                ></textarea>
                <p class="field-error" id="company-address-error">{move || address_error.get()}</p>
            </div>
            <TextField id="company-time-zone" label="company.field.time_zone" value=time_zone error=message("time_zone") autocomplete="off" kind="text" />
            <div class="field">
                <label for="company-currency">{move || i18n.t("company.field.currency")}</label>
                <select
                    id="company-currency"
                    disabled=locked
                    on:change=move |ev| currency.set(event_target_value(&ev))
                    aria-describedby="company-currency-hint company-currency-error"
                >
                    {["CHF", "EUR", "GBP"].map(|c| view! { <option value=c selected=move || currency.get() == c>{c}</option> })}
                </select>
                <p class="hint" id="company-currency-hint">
                    {move || if locked { i18n.t("company.field.currency_locked") } else { String::new() }}
                </p>
                <p class="field-error" id="company-currency-error">{move || currency_error.get()}</p>
            </div>
            <TextField id="company-brand-colour" label="company.field.brand_colour" value=brand_colour error=message("brand_colour") autocomplete="off" kind="text" />
            <TextField id="company-logo" label="company.field.logo_url" value=logo_url error=message("logo_url") autocomplete="url" kind="url" />
            <div class="field">
                <label for="company-language">{move || i18n.t("company.field.default_language")}</label>
                <select
                    id="company-language"
                    on:change=move |ev| language.set(event_target_value(&ev))
                    aria-describedby="company-language-error"
                >
                    {LANGUAGES.map(|l| view! {
                        <option value=l selected=move || language.get() == l>{move || i18n.t(&format!("company.language.{l}"))}</option>
                    })}
                </select>
                <p class="field-error" id="company-language-error">{move || language_error.get()}</p>
            </div>
            <p class="form-status" class:form-status--error=move || !errors.get().is_empty() role="status">{move || status.get()}</p>
            <button class="button button--primary" type="submit" disabled=move || save.pending().get()>
                {move || i18n.t("company.profile.save")}
            </button>
        </form>
    }
}
