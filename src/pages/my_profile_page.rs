//! A technician's own profile, made for the phone: upload a photo, choose skills, see
//! whether they may receive calls yet and what is missing.

use domain::api::{team::MyProfile, Role};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use wasm_bindgen::JsValue;

use crate::{
    api,
    components::{
        common::spinner::Spinner,
        team::{
            error_message, field_errors, field_message, photo_input::PhotoInput,
            skill_picker::SkillPicker, technician_card::missing_key,
        },
    },
    contexts::session::{use_session, SessionState},
    i18n::use_i18n,
    pages::login_page::BrandBar,
};

/// The signed-in technician's profile page (`/profile`).
#[component]
pub fn MyProfilePage() -> impl IntoView {
    let session = use_session();
    move || match session.0.get() {
        SessionState::Checking => {
            view! { <main id="main" class="center"><Spinner /></main> }.into_any()
        }
        SessionState::SignedOut => view! { <Redirect path="/login?next=%2Fprofile" /> }.into_any(),
        SessionState::SignedIn(me) if me.role == Role::Dispatcher => {
            view! { <Redirect path="/team" /> }.into_any()
        }
        SessionState::SignedIn(_) => view! { <ProfileEditor /> }.into_any(),
    }
}

#[component]
fn ProfileEditor() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let loaded = LocalResource::new(api::team::my_profile);
    let profile = RwSignal::new(None::<MyProfile>);
    let skills = RwSignal::new(Vec::<String>::new());
    let failure = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let skill_error = RwSignal::new(None::<String>);
    Effect::new(move |_| match loaded.get() {
        Some(Ok(p)) => {
            skills.set(p.technician.skills.clone());
            profile.set(Some(p));
        }
        Some(Err(err)) => failure.set(Some(error_message(i18n, &err))),
        None => {}
    });
    let offered =
        Signal::derive(move || profile.get().map(|p| p.offered_skills).unwrap_or_default());

    let upload = Action::new_local(move |file: &JsValue| {
        let file = file.clone();
        async move { api::team::upload_my_photo(file).await }
    });
    let save = Action::new_local(move |skills: &Vec<String>| {
        let skills = skills.clone();
        async move { api::team::set_my_skills(skills).await }
    });
    let apply = move |result: Result<MyProfile, api::ApiError>, done: &'static str| match result {
        Ok(p) => {
            profile.set(Some(p));
            failure.set(None);
            skill_error.set(None);
            status.set(Some(i18n.t(done)));
        }
        Err(err) => {
            skill_error.set(field_message(i18n, &field_errors(&err), "skills"));
            failure.set(Some(error_message(i18n, &err)));
            status.set(None);
        }
    };
    Effect::new(move |_| {
        if let Some(result) = upload.value().get() {
            apply(result, "team.photo.saved");
        }
    });
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            apply(result, "team.profile.skills_saved");
        }
    });

    view! {
        <div class="profile">
            <BrandBar>
                <button class="button button--ghost" type="button" on:click=move |_| session.sign_out()>
                    {move || i18n.t("shell.logout")}
                </button>
            </BrandBar>
            <main id="main" class="profile__main">
                <h1>{move || i18n.t("team.profile.title")}</h1>
                {move || match profile.get() {
                    None => view! { <Spinner /> }.into_any(),
                    Some(p) => {
                        let t = p.technician;
                        view! {
                            <section class="card profile__card" aria-labelledby="profile-status">
                                <h2 id="profile-status" class="visually-hidden">{move || i18n.t("team.profile.status")}</h2>
                                <div class="profile__who">
                                    {match t.photo_url.clone() {
                                        Some(url) => view! { <img class="tech-card__photo tech-card__photo--large" src=url alt=move || i18n.t("team.photo.alt") width="96" height="96" /> }.into_any(),
                                        None => view! { <span class="tech-card__photo tech-card__photo--large tech-card__photo--none" aria-hidden="true"></span> }.into_any(),
                                    }}
                                    <div>
                                        <p class="profile__name">{t.name.clone()}</p>
                                        {if t.verified {
                                            view! { <p class="badge badge--verified" data-testid="profile-verified">{move || i18n.t("team.profile.verified")}</p> }.into_any()
                                        } else {
                                            let missing = t.missing.clone();
                                            view! {
                                                <p class="badge badge--unverified">{move || i18n.t("team.status.not_verified")}</p>
                                                <p class="tech-card__missing">
                                                    {move || missing.iter().map(|m| i18n.t(missing_key(*m))).collect::<Vec<_>>().join(" · ")}
                                                </p>
                                            }.into_any()
                                        }}
                                    </div>
                                </div>
                            </section>
                        }.into_any()
                    }
                }}
                <section class="card profile__card">
                    <PhotoInput id="profile-photo" on_file=Callback::new(move |file| { upload.dispatch(file); }) busy=upload.pending() />
                </section>
                <form class="card profile__card" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    save.dispatch(skills.get_untracked());
                }>
                    <SkillPicker offered=offered chosen=skills id_prefix="profile-skill" error=skill_error />
                    <button class="button button--primary" type="submit" disabled=move || save.pending().get()>
                        {move || i18n.t("team.profile.save_skills")}
                    </button>
                </form>
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <p class="form-status" role="status">{move || status.get()}</p>
            </main>
        </div>
    }
}
