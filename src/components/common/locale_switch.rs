//! The locale picker of the header, the sign-in page and the profile.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    contexts::session::use_session,
    i18n::{use_i18n, Locale},
};

/// The locale picker: switches the app at once and, when someone is signed in, stores
/// the choice on their account so every device and every e-mail follows it.
#[component]
pub fn LocaleSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let on_change = move |ev: leptos::ev::Event| {
        let Some(locale) = Locale::from_tag(&event_target_value(&ev)) else {
            return;
        };
        i18n.set_locale(locale);
        if session.me().is_some() {
            spawn_local(async move {
                // A failed save leaves the app in the chosen locale for this visit; the
                // next start-up check brings back the account's.
                if let Ok(me) = api::set_my_locale(locale).await {
                    session.signed_in(me);
                }
            });
        }
    };
    view! {
        <label class="locale-switch">
            <span class="visually-hidden">{move || i18n.t("shell.language")}</span>
            <select on:change=on_change prop:value=move || i18n.locale().tag() data-testid="locale-switch">
                {Locale::ALL
                    .into_iter()
                    .map(|locale| {
                        let key = format!("locale.{}", locale.tag());
                        view! {
                            <option value=locale.tag() selected=move || i18n.locale() == locale>
                                {move || i18n.t(&key)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
