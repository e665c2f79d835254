//! The company's dispatchers: who can sign in (or is still invited), inviting another
//! (an activation e-mail, as for technicians) and removing one — never the last one who
//! can sign in; the removed one's open sessions end at once.

use domain::api::{
    team::{DispatcherSummary, InviteDispatcher},
    FieldError,
};
use leptos::prelude::*;
use uuid::Uuid;

use super::field_message;
use crate::{
    api,
    components::team::{add_technician_dialog::TextField, error_message, field_errors},
    contexts::session::use_session,
    i18n::use_i18n,
};

/// The dispatchers section.
#[component]
pub fn DispatcherList() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let dispatchers = LocalResource::new(api::company::dispatchers);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let status = RwSignal::new(None::<String>);

    let invite = Action::new_local(move |body: &InviteDispatcher| {
        let body = body.clone();
        async move { api::company::invite_dispatcher(&body).await }
    });
    Effect::new(move |_| {
        if let Some(result) = invite.value().get() {
            match result {
                Ok(d) => {
                    errors.set(Vec::new());
                    name.set(String::new());
                    email.set(String::new());
                    status.set(Some(
                        i18n.t("team.invitation.sent").replace("{name}", &d.name),
                    ));
                    dispatchers.refetch();
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
        async move { api::company::remove_dispatcher(id).await }
    });
    Effect::new(move |_| {
        if let Some(result) = remove.value().get() {
            status.set(Some(match result {
                Ok(()) => i18n.t("company.dispatchers.removed"),
                Err(e) if e.code() == "last-dispatcher" => i18n.t("company.dispatchers.last"),
                Err(e) => error_message(i18n, &e),
            }));
            dispatchers.refetch();
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = InviteDispatcher {
            name: name.get_untracked(),
            email: email.get_untracked(),
            phone: String::new(),
        };
        let local = body.validate();
        if local.is_empty() {
            invite.dispatch(body);
        } else {
            errors.set(local);
        }
    };
    let message = move |field: &'static str| {
        Signal::derive(move || field_message(i18n, &errors.get(), field))
    };
    let me = move || session.me().map(|m| m.user_id);

    let row = move |d: DispatcherSummary| {
        let id = d.id;
        let label = i18n
            .t("company.dispatchers.remove")
            .replace("{name}", &d.name);
        view! {
            <li class="company-list__item" data-testid="dispatcher">
                <span class="company-list__main">
                    <strong>{d.name.clone()}</strong>
                    " "
                    <span>{d.email.clone()}</span>
                </span>
                <span class="badge">
                    {move || if d.activated { i18n.t("company.dispatchers.active") } else { i18n.t("company.dispatchers.invited") }}
                </span>
                <Show when=move || me() != Some(id)>
                    <button
                        class="button button--ghost"
                        type="button"
                        aria-label=label.clone()
                        on:click=move |_| { remove.dispatch(id); }
                    >
                        {move || i18n.t("company.action.remove")}
                    </button>
                </Show>
            </li>
        }
    };

    view! {
        <section class="company-section" aria-labelledby="company-dispatchers-title">
            <h2 id="company-dispatchers-title">{move || i18n.t("company.dispatchers.title")}</h2>
            <p class="hint">{move || i18n.t("company.dispatchers.intro")}</p>
            <ul class="company-list">
                {move || dispatchers.get().and_then(Result::ok).unwrap_or_default().into_iter().map(row).collect_view()}
            </ul>
            <form class="company-inline-form" on:submit=on_submit novalidate=true>
                <h3>{move || i18n.t("company.dispatchers.invite")}</h3>
                <TextField id="dispatcher-name" label="team.field.name" value=name error=message("name") autocomplete="off" kind="text" />
                <TextField id="dispatcher-email" label="company.field.personal_email" value=email error=message("email") autocomplete="off" kind="email" />
                <button class="button button--primary" type="submit" disabled=move || invite.pending().get()>
                    {move || i18n.t("company.dispatchers.send")}
                </button>
            </form>
            <p class="form-status" role="status">{move || status.get()}</p>
        </section>
    }
}
