use leptos::prelude::*;

use crate::{contexts::session::use_session, i18n::use_i18n};

/// The dispatch calendar (technicians × time) with the request lists below it.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let zone = move || {
        session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_default()
    };
    let today = move || {
        let now = js_sys::Date::now();
        i18n.date_time(now, &zone())
    };
    view! {
        <section class="page" aria-labelledby="calendar-title">
            <div class="page__head">
                <h1 id="calendar-title">{move || i18n.t("calendar.title")}</h1>
                <p class="page__meta">
                    <span>{move || i18n.t("shell.time_zone")}": "{zone}</span>
                    " · "
                    <time>{today}</time>
                </p>
            </div>
            <div class="empty-state">
                <p>{move || i18n.t("calendar.empty")}</p>
            </div>
        </section>
    }
}
