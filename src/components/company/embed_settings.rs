//! Embedding the board in the partner's own website: the allowed origins (validated by
//! the same rule as the server, `domain::api::company::normalise_origin`) and the
//! partner API key — shown once when created, then only its first characters.

use domain::api::{
    company::{normalise_origin, EmbedOrigin},
    FieldError,
};
use leptos::prelude::*;
use uuid::Uuid;

use super::field_message;
use crate::{
    api,
    components::team::{add_technician_dialog::TextField, error_message, field_errors},
    i18n::use_i18n,
};

/// The embedding section.
#[component]
pub fn EmbedSettings() -> impl IntoView {
    let i18n = use_i18n();
    let origins = LocalResource::new(api::company::origins);
    let key = LocalResource::new(api::company::partner_key);
    let new_origin = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let status = RwSignal::new(None::<String>);
    let shown_key = RwSignal::new(None::<String>);

    let add = Action::new_local(move |origin: &String| {
        let origin = origin.clone();
        async move { api::company::add_origin(origin).await }
    });
    Effect::new(move |_| {
        if let Some(result) = add.value().get() {
            match result {
                Ok(o) => {
                    errors.set(Vec::new());
                    new_origin.set(String::new());
                    status.set(Some(
                        i18n.t("company.origins.added")
                            .replace("{origin}", &o.origin),
                    ));
                    origins.refetch();
                }
                Err(e) => {
                    errors.set(field_errors(&e));
                    status.set(Some(error_message(i18n, &e)));
                }
            }
        }
    });
    let remove = Action::new_local(move |id: &Uuid| {
        let id = *id;
        async move { api::company::remove_origin(id).await }
    });
    Effect::new(move |_| {
        if let Some(result) = remove.value().get() {
            status.set(Some(match result {
                Ok(()) => i18n.t("company.origins.removed"),
                Err(e) => error_message(i18n, &e),
            }));
            origins.refetch();
        }
    });
    let create_key = Action::new_local(|_: &()| api::company::create_partner_key());
    Effect::new(move |_| {
        if let Some(result) = create_key.value().get() {
            match result {
                Ok(k) => {
                    shown_key.set(Some(k.key));
                    status.set(Some(i18n.t("company.key.created")));
                    key.refetch();
                }
                Err(e) => status.set(Some(error_message(i18n, &e))),
            }
        }
    });
    let revoke_key = Action::new_local(|_: &()| api::company::revoke_partner_key());
    Effect::new(move |_| {
        if let Some(result) = revoke_key.value().get() {
            shown_key.set(None);
            status.set(Some(match result {
                Ok(()) => i18n.t("company.key.revoked"),
                Err(e) => error_message(i18n, &e),
            }));
            key.refetch();
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match normalise_origin(&new_origin.get_untracked()) {
            Ok(origin) => {
                add.dispatch(origin);
            }
            Err(e) => errors.set(vec![e.field_error()]),
        }
    };
    let has_key = move || key.get().and_then(Result::ok).flatten();

    let row = move |o: EmbedOrigin| {
        let id = o.id;
        let label = i18n
            .t("company.origins.remove")
            .replace("{origin}", &o.origin);
        view! {
            <li class="company-list__item" data-testid="origin">
                <code class="company-list__main">{o.origin.clone()}</code>
                <button class="button button--ghost" type="button" aria-label=label on:click=move |_| { remove.dispatch(id); }>
                    {move || i18n.t("company.action.remove")}
                </button>
            </li>
        }
    };

    view! {
        <section class="company-section" aria-labelledby="company-embed-title">
            <h2 id="company-embed-title">{move || i18n.t("company.embed.title")}</h2>
            <p class="hint">{move || i18n.t("company.origins.intro")}</p>
            <ul class="company-list" aria-label=move || i18n.t("company.origins.title")>
                {move || origins.get().and_then(Result::ok).unwrap_or_default().into_iter().map(row).collect_view()}
            </ul>
            <form class="company-inline-form" on:submit=on_submit novalidate=true>
                <TextField id="origin-new" label="company.origins.field" value=new_origin error=Signal::derive(move || field_message(i18n, &errors.get(), "origin")) autocomplete="url" kind="url" />
                <button class="button button--primary" type="submit">{move || i18n.t("company.origins.add")}</button>
            </form>
            <h3>{move || i18n.t("company.key.title")}</h3>
            <p class="hint" data-testid="partner-key-prefix">
                {move || match has_key() {
                    Some(info) => i18n.t("company.key.current").replace("{prefix}", &info.prefix),
                    None => i18n.t("company.key.none"),
                }}
            </p>
            <Show when=move || shown_key.get().is_some()>
                <div class="field">
                    <label for="partner-key-once">{move || i18n.t("company.key.once")}</label>
                    <input id="partner-key-once" type="text" readonly=true prop:value=move || shown_key.get().unwrap_or_default() />
                </div>
            </Show>
            <div class="company-actions">
                <button class="button" type="button" on:click=move |_| { create_key.dispatch(()); }>
                    {move || if has_key().is_some() { i18n.t("company.key.rotate") } else { i18n.t("company.key.create") }}
                </button>
                <Show when=move || has_key().is_some()>
                    <button class="button button--ghost" type="button" on:click=move |_| { revoke_key.dispatch(()); }>
                        {move || i18n.t("company.key.revoke")}
                    </button>
                </Show>
            </div>
            <p class="form-status" role="status">{move || status.get()}</p>
        </section>
    }
}
