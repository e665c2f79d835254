use domain::api::{
    team::{TechnicianSummary, UpdateTechnician},
    FieldError,
};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::{
    add_technician_dialog::TextField, error_message, field_errors, field_message, modal::Modal,
    photo_input::PhotoInput, skill_picker::SkillPicker,
};
use crate::{api, api::ApiError, i18n::use_i18n};

/// Edit a technician: contact data, skills, photo; deactivate. A deactivation refused
/// because of open calls shows them and offers to move them back to the unassigned list.
#[component]
pub fn EditTechnicianDialog(
    /// The technician as listed when the dialog opened.
    technician: TechnicianSummary,
    /// The company's offered skills.
    #[prop(into)]
    offered: Signal<Vec<String>>,
    /// Called after any change was saved (the list reloads).
    on_changed: Callback<()>,
    /// Called when the dialog is dismissed.
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = technician.id;
    let name = RwSignal::new(technician.name.clone());
    let email = RwSignal::new(technician.email.clone());
    let phone = RwSignal::new(technician.phone.clone());
    let skills = RwSignal::new(technician.skills.clone());
    let photo_url = RwSignal::new(technician.photo_url.clone());
    let active = RwSignal::new(technician.active);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let open_calls = RwSignal::new(None::<Vec<String>>);

    let report = move |err: ApiError| {
        errors.set(field_errors(&err));
        failure.set(Some(error_message(i18n, &err)));
        status.set(None);
    };

    let save = Action::new_local(move |body: &UpdateTechnician| {
        let body = body.clone();
        async move { api::team::update_technician(id, body).await }
    });
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            match result {
                Ok(_) => {
                    errors.set(Vec::new());
                    failure.set(None);
                    status.set(Some(i18n.t("team.edit.saved")));
                    on_changed.run(());
                }
                Err(err) => report(err),
            }
        }
    });

    let upload = Action::new_local(move |file: &JsValue| {
        let file = file.clone();
        async move { api::team::upload_photo(id, file).await }
    });
    Effect::new(move |_| {
        if let Some(result) = upload.value().get() {
            match result {
                Ok(t) => {
                    photo_url.set(t.photo_url);
                    failure.set(None);
                    status.set(Some(i18n.t("team.photo.saved")));
                    on_changed.run(());
                }
                Err(err) => report(err),
            }
        }
    });

    let deactivate = Action::new_local(move |unassign: &bool| {
        let unassign = *unassign;
        async move { api::team::deactivate(id, unassign).await }
    });
    Effect::new(move |_| {
        if let Some(result) = deactivate.value().get() {
            match result {
                Ok(t) => {
                    active.set(t.active);
                    open_calls.set(None);
                    failure.set(None);
                    status.set(Some(i18n.t("team.deactivate.done")));
                    on_changed.run(());
                }
                Err(ApiError::Problem(problem)) if problem.status == 409 => {
                    let calls = problem
                        .current
                        .as_ref()
                        .and_then(|c| c.get("open_calls"))
                        .and_then(|c| c.as_array())
                        .map(|list| {
                            list.iter()
                                .map(|c| {
                                    c.get("label")
                                        .and_then(|l| l.as_str())
                                        .unwrap_or_default()
                                        .to_owned()
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    open_calls.set(Some(calls));
                }
                Err(err) => report(err),
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = UpdateTechnician {
            name: Some(name.get_untracked()),
            email: Some(email.get_untracked()),
            phone: Some(phone.get_untracked()),
            skills: Some(skills.get_untracked()),
        };
        let local = body.validate(&offered.get_untracked());
        if local.is_empty() {
            save.dispatch(body);
        } else {
            errors.set(local);
            failure.set(Some(i18n.t("team.error.check_fields")));
        }
    };
    let message = move |field: &'static str| {
        Signal::derive(move || field_message(i18n, &errors.get(), field))
    };
    let title = technician.name.clone();

    view! {
        <Modal labelled_by="edit-technician-title" on_close=on_close>
            <form class="modal__form" on:submit=on_submit novalidate=true>
                <h2 id="edit-technician-title">{move || i18n.t("team.edit.title")}{move || i18n.colon()}{title.clone()}</h2>
                <div class="edit-photo">
                    {move || match photo_url.get() {
                        Some(url) => view! { <img class="tech-card__photo tech-card__photo--large" src=url alt=move || i18n.t("team.photo.alt") width="96" height="96" /> }.into_any(),
                        None => view! { <span class="tech-card__photo tech-card__photo--large tech-card__photo--none" aria-hidden="true"></span> }.into_any(),
                    }}
                    <PhotoInput id="edit-photo" on_file=Callback::new(move |file| { upload.dispatch(file); }) busy=upload.pending() />
                </div>
                <TextField id="edit-name" label="team.field.name" value=name error=message("name") autocomplete="off" kind="text" />
                <TextField id="edit-email" label="team.field.email" value=email error=message("email") autocomplete="off" kind="email" />
                <TextField id="edit-phone" label="team.field.phone" value=phone error=message("phone") autocomplete="off" kind="tel" />
                <SkillPicker offered=offered chosen=skills id_prefix="edit-skill" error=message("skills") />
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <p class="form-status" role="status">{move || status.get()}</p>
                {move || open_calls.get().map(|calls| view! {
                    <div class="open-calls" role="alert">
                        <p>{move || i18n.t("team.deactivate.open_calls")}</p>
                        <ul>{calls.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                        <button class="button button--danger" type="button" on:click=move |_| { deactivate.dispatch(true); }>
                            {move || i18n.t("team.deactivate.unassign_and_deactivate")}
                        </button>
                    </div>
                })}
                <div class="modal__actions">
                    {move || active.get().then(|| view! {
                        <button
                            class="button button--danger"
                            type="button"
                            disabled=move || deactivate.pending().get()
                            on:click=move |_| { deactivate.dispatch(false); }
                        >
                            {move || i18n.t("team.action.deactivate")}
                        </button>
                    })}
                    <span class="modal__spacer"></span>
                    <button class="button button--ghost" type="button" on:click=move |_| on_close.run(())>
                        {move || i18n.t("team.action.close")}
                    </button>
                    <button class="button button--primary" type="submit" disabled=move || save.pending().get()>
                        {move || i18n.t("team.action.save")}
                    </button>
                </div>
            </form>
        </Modal>
    }
}
