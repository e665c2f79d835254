//! The team tab: every technician with photo, skills and verification; search and skill
//! filter; add (invite), resend invitation, edit, photo, deactivate.

use domain::api::team::TechnicianSummary;
use leptos::prelude::*;

use crate::{
    api,
    components::{
        common::spinner::Spinner,
        team::{
            add_technician_dialog::AddTechnicianDialog,
            edit_technician_dialog::EditTechnicianDialog, error_message, skill_label,
            technician_card::TechnicianCard,
        },
    },
    i18n::use_i18n,
};

/// Whether `t` matches the search text (name, e-mail, phone) and the skill filter.
fn matches(t: &TechnicianSummary, search: &str, skill: &str) -> bool {
    let search = search.trim().to_lowercase();
    let text = search.is_empty()
        || t.name.to_lowercase().contains(&search)
        || t.email.to_lowercase().contains(&search)
        || t.phone.contains(&search);
    let skill_ok = skill.is_empty() || t.skills.iter().any(|s| s.eq_ignore_ascii_case(skill));
    text && skill_ok
}

/// The team tab.
#[component]
pub fn TeamPage() -> impl IntoView {
    let i18n = use_i18n();
    let technicians = LocalResource::new(api::team::technicians);
    let company = LocalResource::new(api::team::company);
    // Another dispatcher's change to a technician (a live event) shows here too.
    let live = crate::contexts::live::use_live();
    Effect::new(move |seen: Option<u64>| {
        let now = live.technicians.get();
        if seen.is_some_and(|seen| seen != now) {
            technicians.refetch();
        }
        now
    });
    let offered = Signal::derive(move || {
        company
            .get()
            .and_then(Result::ok)
            .map(|c| c.skills)
            .unwrap_or_default()
    });
    let search = RwSignal::new(String::new());
    let skill = RwSignal::new(String::new());
    let adding = RwSignal::new(false);
    let editing = RwSignal::new(None::<TechnicianSummary>);
    let notice = RwSignal::new(None::<String>);

    let resend = Action::new_local(move |t: &TechnicianSummary| {
        let t = t.clone();
        async move { api::team::resend_invitation(t.id).await.map(|()| t) }
    });
    Effect::new(move |_| {
        if let Some(result) = resend.value().get() {
            notice.set(Some(match result {
                Ok(t) => i18n.t("team.invitation.sent").replace("{name}", &t.name),
                Err(err) => error_message(i18n, &err),
            }));
        }
    });

    let on_added = Callback::new(move |t: TechnicianSummary| {
        adding.set(false);
        notice.set(Some(
            i18n.t("team.invitation.sent").replace("{name}", &t.name),
        ));
        technicians.refetch();
    });
    let on_edit = Callback::new(move |t: TechnicianSummary| editing.set(Some(t)));
    let on_resend = Callback::new(move |t: TechnicianSummary| {
        resend.dispatch(t);
    });

    let list = move || match technicians.get() {
        None => view! { <Spinner /> }.into_any(),
        Some(Err(err)) => view! {
            <div class="empty-state" role="alert">
                <p>{error_message(i18n, &err)}</p>
                <button class="button" type="button" on:click=move |_| technicians.refetch()>
                    {move || i18n.t("team.action.retry")}
                </button>
            </div>
        }
        .into_any(),
        Some(Ok(all)) if all.is_empty() => view! {
            <div class="empty-state"><p>{move || i18n.t("team.empty")}</p></div>
        }
        .into_any(),
        Some(Ok(all)) => {
            let shown = Memo::new(move |_| {
                all.iter()
                    .filter(|t| matches(t, &search.get(), &skill.get()))
                    .cloned()
                    .collect::<Vec<_>>()
            });
            view! {
                <p class="team-count" role="status">
                    {move || i18n.t("team.count").replace("{n}", &shown.get().len().to_string())}
                </p>
                <Show
                    when=move || !shown.get().is_empty()
                    fallback=move || view! { <div class="empty-state"><p>{move || i18n.t("team.no_match")}</p></div> }
                >
                    <ul class="team-list" aria-labelledby="team-title">
                        <For
                            each=move || shown.get()
                            key=|t| format!("{t:?}")
                            children=move |t| view! { <TechnicianCard technician=t on_edit=on_edit on_resend=on_resend /> }
                        />
                    </ul>
                </Show>
            }
            .into_any()
        }
    };

    let offline = crate::offline::use_offline();
    view! {
        <section class="page team" aria-labelledby="team-title">
            <div class="page__head">
                <h1 id="team-title">{move || i18n.t("team.title")}</h1>
                <button class="button button--primary" type="button" on:click=move |_| adding.set(true)
                    disabled=move || offline.needs_network()>
                    <span aria-hidden="true">"+ "</span>
                    {move || i18n.t("team.action.add")}
                </button>
            </div>
            <div class="team-toolbar" role="search">
                <div class="field">
                    <label for="team-search">{move || i18n.t("team.search")}</label>
                    <input id="team-search" type="search" bind:value=search />
                </div>
                <div class="field">
                    <label for="team-skill">{move || i18n.t("team.filter_skill")}</label>
                    <select id="team-skill" on:change:target=move |ev| skill.set(ev.target().value())>
                        <option value="">{move || i18n.t("team.all_skills")}</option>
                        <For
                            each=move || offered.get()
                            key=|s| s.clone()
                            children=move |s| {
                                let value = s.clone();
                                view! { <option value=value>{move || skill_label(i18n, &s)}</option> }
                            }
                        />
                    </select>
                </div>
            </div>
            <p class="team-notice" role="status" aria-live="polite">{move || notice.get()}</p>
            // Team changes need the server now (crate::offline): disabled offline, saying why.
            {move || offline.needs_network().then(|| view! {
                <p class="notice notice--warning" role="status">{i18n.t("queue.online_only")}</p>
            })}
            <fieldset class="modal__edits" disabled=move || offline.needs_network()>
                {list}
            </fieldset>
            <Show when=move || adding.get()>
                <AddTechnicianDialog
                    offered=offered
                    on_added=on_added
                    on_close=Callback::new(move |()| adding.set(false))
                />
            </Show>
            {move || editing.get().map(|t| view! {
                <EditTechnicianDialog
                    technician=t
                    offered=offered
                    on_changed=Callback::new(move |()| technicians.refetch())
                    on_close=Callback::new(move |()| editing.set(None))
                />
            })}
        </section>
    }
}
