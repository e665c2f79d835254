//! The calendar on a phone: instead of the wide timeline, the shown day as an agenda per
//! row (the dispatcher's, then each technician's), each call a full-width button with
//! its time, state and town that opens the detail modal. Drawn only while the screen is
//! phone-sized, so a desktop board pays nothing for it.

use chrono::{Duration, Timelike};
use leptos::{prelude::*, wasm_bindgen::JsCast};
use uuid::Uuid;

use super::{row_name, use_calendar, RowKey};
use crate::{components::calls::state_badge::state_of, contexts::board::use_board, i18n::use_i18n};

/// The media query of a phone-sized screen (style/calendar.css hides the timeline there).
const PHONE: &str = "(max-width: 600px)";

/// `matches` of a `MediaQueryList` or its change event (read by name: the two web-sys
/// types are the only users and not worth their features).
fn matches(value: &wasm_bindgen::JsValue) -> bool {
    js_sys::Reflect::get(value, &"matches".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Whether the screen is phone-sized now (follows rotation and resizing).
fn phone_sized() -> Signal<bool> {
    let query = js_sys::Reflect::get(&window(), &"matchMedia".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(&window(), &PHONE.into()).ok());
    let Some(query) = query else {
        return Signal::derive(|| false);
    };
    let now = RwSignal::new(matches(&query));
    let listener = wasm_bindgen::closure::Closure::<dyn Fn(wasm_bindgen::JsValue)>::new(
        move |ev: wasm_bindgen::JsValue| now.set(matches(&ev)),
    );
    if let Some(add) = js_sys::Reflect::get(&query, &"addEventListener".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = add.call2(&query, &"change".into(), listener.as_ref());
    }
    listener.forget();
    now.into()
}

/// The day agenda of every row, for phones.
#[component]
pub fn PhoneAgenda(
    /// Opens a call's detail modal.
    open: Callback<Uuid>,
) -> impl IntoView {
    let phone = phone_sized();
    let calendar = use_calendar();
    move || {
        phone.get().then(|| {
            view! {
                <div class="agenda" data-testid="phone-agenda">
                    <For each=move || calendar.rows.get() key=|row| *row let:row>
                        <AgendaRow row open />
                    </For>
                </div>
            }
        })
    }
}

#[component]
fn AgendaRow(row: RowKey, open: Callback<Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let calendar = use_calendar();
    let ids = board.at(row.place());
    let items = Memo::new(move |_| {
        let g = calendar.geometry.get();
        let day = g.first_day;
        let from = domain::tz::local_to_utc(day.and_hms_opt(0, 0, 0).unwrap_or_default(), g.zone);
        let to = from + Duration::days(1);
        let mut calls: Vec<_> = ids.with(|ids| {
            ids.iter()
                .filter_map(|id| untrack(|| board.call(*id)).map(|c| c.get()))
                .filter(|c| c.slot.is_some_and(|s| s.start < to && s.end > from))
                .collect()
        });
        calls.sort_by_key(|c| c.slot.map(|s| s.start));
        calls
    });
    let name = row_name(&i18n, row);
    let label = name.clone();
    view! {
        <section class="agenda__row" aria-label=label>
            <h3 class="agenda__name">{name}</h3>
            {move || {
                let calls = items.get();
                if calls.is_empty() {
                    return view! { <p class="agenda__empty">{i18n.t("calendar.agenda.free")}</p> }.into_any();
                }
                let zone = calendar.geometry.with_untracked(|g| g.zone);
                view! {
                    <ul class="agenda__calls">
                        {calls.into_iter().map(|c| {
                            let (key, modifier, icon) = state_of(&c);
                            let time = c.slot.map(|s| {
                                let (a, b) = (domain::tz::to_local(s.start, zone), domain::tz::to_local(s.end, zone));
                                format!("{:02}:{:02}–{:02}:{:02}", a.hour(), a.minute(), b.hour(), b.minute())
                            }).unwrap_or_default();
                            let id = c.id;
                            view! {
                                <li>
                                    <button type="button" class=format!("agenda__call block--{modifier}") data-call-id=id.to_string()
                                        on:click=move |_| open.run(id)>
                                        <span class="agenda__time">{time}</span>
                                        <span class="agenda__title"><span aria-hidden="true">{icon}" "</span>{c.service.name.clone()}</span>
                                        <span class="agenda__meta">{i18n.t(key)}" · "{c.client_area.postcode.clone()}" "{c.client_area.city.clone()}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
