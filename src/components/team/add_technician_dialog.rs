use domain::api::{
    team::{InviteTechnician, TechnicianSummary},
    FieldError,
};
use leptos::prelude::*;

use super::{error_message, field_errors, field_message, modal::Modal, skill_picker::SkillPicker};
use crate::{api, i18n::use_i18n};

/// "Add technician": basic information; the server e-mails the invitation. Errors show
/// beside their fields and the dialog keeps everything typed.
#[component]
pub fn AddTechnicianDialog(
    /// The company's offered skills.
    #[prop(into)]
    offered: Signal<Vec<String>>,
    /// Called with the new technician after the invitation went out.
    on_added: Callback<TechnicianSummary>,
    /// Called when the dialog is dismissed.
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let skills = RwSignal::new(Vec::<String>::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);

    let save = Action::new_local(move |body: &InviteTechnician| {
        let body = body.clone();
        async move { api::team::invite_technician(body).await }
    });
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            match result {
                Ok(technician) => on_added.run(technician),
                Err(err) => {
                    errors.set(field_errors(&err));
                    failure.set(Some(error_message(i18n, &err)));
                }
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = InviteTechnician {
            name: name.get_untracked(),
            email: email.get_untracked(),
            phone: phone.get_untracked(),
            skills: skills.get_untracked(),
        };
        // The same rules as the server, checked before sending.
        let local = body.validate(&offered.get_untracked());
        if local.is_empty() {
            failure.set(None);
            save.dispatch(body);
        } else {
            errors.set(local);
            failure.set(Some(i18n.t("team.error.check_fields")));
        }
    };
    let message = move |field: &'static str| {
        Signal::derive(move || field_message(i18n, &errors.get(), field))
    };

    view! {
        <Modal labelled_by="add-technician-title" on_close=on_close>
            <form class="modal__form" on:submit=on_submit novalidate=true>
                <h2 id="add-technician-title">{move || i18n.t("team.add.title")}</h2>
                <p class="hint">{move || i18n.t("team.add.intro")}</p>
                <TextField id="add-name" label="team.field.name" value=name error=message("name") autocomplete="name" kind="text" />
                <TextField id="add-email" label="team.field.email" value=email error=message("email") autocomplete="email" kind="email" />
                <TextField id="add-phone" label="team.field.phone" value=phone error=message("phone") autocomplete="tel" kind="tel" />
                <SkillPicker offered=offered chosen=skills id_prefix="add-skill" error=message("skills") />
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <div class="modal__actions">
                    <button class="button button--ghost" type="button" on:click=move |_| on_close.run(())>
                        {move || i18n.t("team.action.cancel")}
                    </button>
                    <button class="button button--primary" type="submit" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { i18n.t("team.add.sending") } else { i18n.t("team.add.submit") }}
                    </button>
                </div>
            </form>
        </Modal>
    }
}

/// A labelled text input with its error beside it (linked for screen readers).
#[component]
pub fn TextField(
    /// Input id (unique on the page).
    id: &'static str,
    /// Translation key of the label.
    label: &'static str,
    /// The value (two-way).
    value: RwSignal<String>,
    /// The field's error message.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// `autocomplete` hint.
    autocomplete: &'static str,
    /// Input type.
    kind: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field">
            <label for=id>{move || i18n.t(label)}</label>
            <input
                id=id
                type=kind
                autocomplete=autocomplete
                bind:value=value
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=move || error.get().map(|_| described.clone())
            />
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}
