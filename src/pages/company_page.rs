//! The Company tab: the company profile, the dispatcher's own profile, its dispatchers,
//! and embedding in the partner's own website.

use leptos::prelude::*;

use crate::{
    api,
    components::{
        common::spinner::Spinner,
        company::{
            company_profile_form::CompanyProfileForm, dispatcher_list::DispatcherList,
            embed_settings::EmbedSettings, own_profile_form::OwnProfileForm,
        },
        team::error_message,
    },
    i18n::use_i18n,
};

/// The Company tab.
#[component]
pub fn CompanyPage() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = LocalResource::new(|| async {
        let profile = api::team::company().await?;
        let settings = api::company::settings().await?;
        Ok::<_, api::ApiError>((profile, settings))
    });
    view! {
        <section class="page company" aria-labelledby="company-title">
            <div class="page__head">
                <h1 id="company-title">{move || i18n.t("company.title")}</h1>
            </div>
            <div class="company-grid">
                {move || match loaded.get() {
                    None => view! { <Spinner /> }.into_any(),
                    Some(Err(e)) => view! { <p role="alert">{error_message(i18n, &e)}</p> }.into_any(),
                    Some(Ok((profile, settings))) => view! { <CompanyProfileForm profile=profile settings=settings /> }.into_any(),
                }}
                <div class="company-column">
                    <OwnProfileForm />
                    <DispatcherList />
                    <EmbedSettings />
                </div>
            </div>
        </section>
    }
}
