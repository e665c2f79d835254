use domain::{api::team::TechnicianSummary, technician::Missing};
use leptos::prelude::*;

use super::skill_label;
use crate::i18n::use_i18n;

/// The translation key of one thing that keeps a technician unverified.
pub fn missing_key(missing: Missing) -> &'static str {
    match missing {
        Missing::PasswordNotSet => "team.missing.password_not_set",
        Missing::NoPhoto => "team.missing.no_photo",
        Missing::NoSkill => "team.missing.no_skill",
    }
}

/// One technician in the team list: photo, name, contact, skills, and whether they may
/// receive calls (dark) or not (light grey, saying what is missing).
#[component]
pub fn TechnicianCard(
    /// The technician shown.
    technician: TechnicianSummary,
    /// Opens the edit dialog.
    on_edit: Callback<TechnicianSummary>,
    /// Sends a new invitation link.
    on_resend: Callback<TechnicianSummary>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = technician.clone();
    let state_class = match (t.active, t.verified) {
        (false, _) => "tech-card tech-card--inactive",
        (true, true) => "tech-card tech-card--verified",
        (true, false) => "tech-card tech-card--unverified",
    };
    let initials: String = t
        .name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect();
    let missing = t.missing.clone();
    let skills = t.skills.clone();
    let week = t.calls_this_week;
    let can_resend = t.active && t.missing.contains(&Missing::PasswordNotSet);
    let name = t.name.clone();
    let for_edit = technician.clone();
    let for_resend = technician.clone();
    let edit_name = t.name.clone();
    let resend_name = t.name.clone();
    view! {
        <li class=state_class data-testid="technician">
            {match t.photo_url.clone() {
                Some(url) => view! { <img class="tech-card__photo" src=url alt="" width="56" height="56" /> }.into_any(),
                None => view! { <span class="tech-card__photo tech-card__photo--none" aria-hidden="true">{initials}</span> }.into_any(),
            }}
            <div class="tech-card__body">
                <h2 class="tech-card__name">{name}</h2>
                <p class="tech-card__contact">
                    <span>{t.email.clone()}</span>
                    {(!t.phone.is_empty()).then(|| view! { <span>{t.phone.clone()}</span> })}
                </p>
                <p class="tech-card__week">
                    {move || i18n.t("team.calls_this_week").replace("{n}", &week.to_string())}
                </p>
                <ul class="tech-card__skills" aria-label=move || i18n.t("team.field.skills")>
                    {skills
                        .into_iter()
                        .map(|s| view! { <li class="chip">{move || skill_label(i18n, &s)}</li> })
                        .collect_view()}
                </ul>
                <p class="tech-card__status">
                    {if !t.active {
                        view! { <span class="badge badge--inactive">{move || i18n.t("team.status.deactivated")}</span> }.into_any()
                    } else if t.verified {
                        view! { <span class="badge badge--verified">{move || i18n.t("team.status.verified")}</span> }.into_any()
                    } else {
                        let missing = missing.clone();
                        view! {
                            <span class="badge badge--unverified">{move || i18n.t("team.status.not_verified")}</span>
                            <span class="tech-card__missing">
                                {move || {
                                    missing.iter().map(|m| i18n.t(missing_key(*m))).collect::<Vec<_>>().join(" · ")
                                }}
                            </span>
                        }.into_any()
                    }}
                </p>
            </div>
            <div class="tech-card__actions">
                {can_resend.then(|| view! {
                    <button
                        class="button button--ghost"
                        type="button"
                        aria-label=move || format!("{} – {}", i18n.t("team.action.resend"), resend_name)
                        on:click=move |_| on_resend.run(for_resend.clone())
                    >
                        {move || i18n.t("team.action.resend")}
                    </button>
                })}
                <button
                    class="button"
                    type="button"
                    aria-label=move || format!("{} – {}", i18n.t("team.action.edit"), edit_name)
                    on:click=move |_| on_edit.run(for_edit.clone())
                >
                    {move || i18n.t("team.action.edit")}
                </button>
            </div>
        </li>
    }
}
