use leptos::prelude::*;

use crate::i18n::{use_i18n, Locale};

/// The language picker in the header; the choice is remembered.
#[component]
pub fn LocaleSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(locale) = Locale::from_tag(&event_target_value(&ev)) {
            i18n.set_locale(locale);
        }
    };
    view! {
        <label class="locale-switch">
            <span class="visually-hidden">{move || i18n.t("shell.language")}</span>
            <select on:change=on_change prop:value=move || i18n.locale().code()>
                {Locale::ALL
                    .into_iter()
                    .map(|locale| {
                        let key = format!("locale.{}", locale.code());
                        view! {
                            <option value=locale.code() selected=move || i18n.locale() == locale>
                                {move || i18n.t(&key)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
