use leptos::prelude::*;

use super::skill_label;
use crate::i18n::use_i18n;

/// Checkboxes for choosing skills among `offered`, in a labelled group.
#[component]
pub fn SkillPicker(
    /// The skills that may be chosen.
    #[prop(into)]
    offered: Signal<Vec<String>>,
    /// The chosen skills (read and written).
    chosen: RwSignal<Vec<String>>,
    /// Prefix for the checkbox ids (unique on the page).
    #[prop(into)]
    id_prefix: String,
    /// A field error to show under the group.
    #[prop(into, optional)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error_id = format!("{id_prefix}-error");
    let described = error_id.clone();
    view! {
        <fieldset class="skill-picker" aria-describedby=move || error.get().map(|_| described.clone())>
            <legend>{move || i18n.t("team.field.skills")}</legend>
            <div class="skill-picker__options">
                <For
                    each=move || offered.get()
                    key=|skill| skill.clone()
                    children=move |skill| {
                        let id = format!("{id_prefix}-{skill}");
                        let label_for = id.clone();
                        let checked_skill = skill.clone();
                        let toggled = skill.clone();
                        let label_skill = skill.clone();
                        view! {
                            <label class="skill-picker__option" for=label_for>
                                <input
                                    id=id
                                    type="checkbox"
                                    prop:checked=move || chosen.get().contains(&checked_skill)
                                    on:change:target=move |ev| {
                                        let on = ev.target().checked();
                                        chosen.update(|list| {
                                            list.retain(|s| *s != toggled);
                                            if on {
                                                list.push(toggled.clone());
                                            }
                                        });
                                    }
                                />
                                {move || skill_label(i18n, &label_skill)}
                            </label>
                        }
                    }
                />
            </div>
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </fieldset>
    }
}
