//! A date field in the app's locale (issue 17), instead of the browser's native date
//! input, which follows the browser's language (mm/dd/yyyy for an English Chrome in
//! Zürich) rather than the dispatcher's.
//!
//! A text field shows the date as the locale writes it (`Intl`: "07/12/2026",
//! "07.12.2026") and takes what a person types in any of our locales or ISO
//! ([`domain::locale::parse_date`]). Beside it, a button opens a month grid:
//!
//! - arrow keys move by a day (left/right) or a week (up/down), Page Up/Down by a month,
//!   Home/End to the week's first and last day; Enter or Space picks; Escape closes and
//!   gives the focus back to the button;
//! - each day is a button named by its full date ("Monday 7 December 2026"); today is
//!   `aria-current="date"`, the chosen day `aria-pressed`; the month's name is announced
//!   as it changes;
//! - weeks start on Monday (every market we serve).

use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use leptos::{ev, html, prelude::*};
use wasm_bindgen::JsCast;

use crate::i18n::{
    format_full_date, format_month_year, format_numeric_date, format_weekday_name, use_i18n,
};

/// The date field. `value` is the date as ISO `yyyy-mm-dd`, or empty: it follows what
/// is typed (a date that does not parse leaves it empty) and what is picked.
/// `on_pick` hears a date once it is committed: picked in the grid, or typed and the
/// field left (or Enter pressed).
#[component]
pub fn DatePicker(
    /// The text field's id, for the `<label for>` that names it.
    id: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] on_pick: Option<Callback<NaiveDate>>,
    #[prop(optional)] node_ref: NodeRef<html::Input>,
    /// `aria-invalid` of the field ("true"/"false"; none when not given).
    #[prop(optional, into)]
    invalid: MaybeProp<String>,
    /// `aria-describedby` of the field (its error message).
    #[prop(optional, into)]
    described_by: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let tag = move || i18n.format_tag();
    let parsed = move || value.get().parse::<NaiveDate>().ok();
    // What the field shows: the date in the locale's words, or what is being typed.
    let text = RwSignal::new(String::new());
    Effect::new(move |previous: Option<(Option<NaiveDate>, String)>| {
        let now = (parsed(), tag());
        let typed = text.get_untracked();
        // While typing, text that already says the value is left as typed; a new value
        // from outside, or another locale, writes the field afresh.
        let relocalized = previous.is_some_and(|(_, tag)| tag != now.1);
        if relocalized || typed.is_empty() || domain::locale::parse_date(&typed) != now.0 {
            text.set(
                now.0
                    .map(|d| format_numeric_date(&now.1, d))
                    .unwrap_or_default(),
            );
        }
        now
    });
    let typed = move |raw: String| {
        let date = domain::locale::parse_date(&raw);
        text.set(raw);
        value.set(date.map(|d| d.to_string()).unwrap_or_default());
    };
    let commit = move || {
        if let Some(date) = parsed() {
            text.set(format_numeric_date(&tag(), date));
            if let Some(cb) = on_pick {
                cb.run(date);
            }
        }
    };

    let open = RwSignal::new(false);
    // The day the grid's focus is on (its month is the month shown).
    let focused = RwSignal::new(Utc::now().date_naive());
    let toggle = NodeRef::<html::Button>::new();
    let grid = NodeRef::<html::Div>::new();
    let wrapper = NodeRef::<html::Div>::new();
    let focus_day = move || {
        request_animation_frame(move || {
            let Some(grid) = grid.get_untracked() else {
                return;
            };
            let selector = format!("button[data-date=\"{}\"]", focused.get_untracked());
            if let Ok(Some(day)) = grid.query_selector(&selector) {
                if let Ok(day) = day.dyn_into::<web_sys::HtmlElement>() {
                    let _ = day.focus();
                }
            }
        });
    };
    let close = move |give_focus_back: bool| {
        open.set(false);
        if give_focus_back {
            if let Some(button) = toggle.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    let show = move || {
        focused.set(
            value
                .get_untracked()
                .parse::<NaiveDate>()
                .unwrap_or_else(|_| Utc::now().date_naive()),
        );
        open.set(true);
        focus_day();
    };
    let pick = move |date: NaiveDate| {
        value.set(date.to_string());
        text.set(format_numeric_date(&tag(), date));
        close(true);
        if let Some(cb) = on_pick {
            cb.run(date);
        }
    };
    // A press anywhere outside closes the grid.
    let outside = window_event_listener(ev::pointerdown, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let inside = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .zip(wrapper.get_untracked())
            .is_some_and(|(target, wrapper)| wrapper.contains(Some(&target)));
        if !inside {
            open.set(false);
        }
    });
    on_cleanup(move || outside.remove());

    let on_grid_key = move |ev: ev::KeyboardEvent| {
        let day = focused.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowLeft" => day.pred_opt(),
            "ArrowRight" => day.succ_opt(),
            "ArrowUp" => day.checked_sub_signed(Duration::days(7)),
            "ArrowDown" => day.checked_add_signed(Duration::days(7)),
            "PageUp" => day.checked_sub_months(Months::new(1)),
            "PageDown" => day.checked_add_months(Months::new(1)),
            "Home" => day.checked_sub_signed(Duration::days(weekday_index(day))),
            "End" => day.checked_add_signed(Duration::days(6 - weekday_index(day))),
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                close(true);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(next) = next {
            focused.set(next);
            focus_day();
        }
    };
    let shift_month = move |forward: bool| {
        let day = focused.get_untracked();
        let next = if forward {
            day.checked_add_months(Months::new(1))
        } else {
            day.checked_sub_months(Months::new(1))
        };
        if let Some(next) = next {
            focused.set(next);
        }
    };

    let weekdays = move || {
        let monday = monday_of(Utc::now().date_naive());
        (0..7)
            .map(|i| {
                let day = monday + Duration::days(i);
                view! {
                    <th scope="col" abbr=format_weekday_name(&tag(), day, "long")>
                        {format_weekday_name(&tag(), day, "narrow")}
                    </th>
                }
            })
            .collect_view()
    };
    let weeks = move || {
        let shown = focused.get();
        let chosen = parsed();
        let today = Utc::now().date_naive();
        let first = monday_of(shown.with_day(1).unwrap_or(shown));
        (0..6)
            .map(|week| {
                let days = (0..7)
                    .map(|d| {
                        let day = first + Duration::days(week * 7 + d);
                        let in_month = day.month() == shown.month();
                        view! {
                            <td>
                                <button type="button" class="date-picker__day"
                                    class:is-outside=!in_month
                                    data-date=day.to_string()
                                    tabindex=if day == shown { "0" } else { "-1" }
                                    aria-label=format_full_date(&tag(), day)
                                    aria-pressed=(chosen == Some(day)).to_string()
                                    aria-current=(day == today).then_some("date")
                                    on:click=move |_| pick(day)>
                                    {day.day()}
                                </button>
                            </td>
                        }
                    })
                    .collect_view();
                view! { <tr>{days}</tr> }
            })
            .collect_view()
    };

    let popup_id = format!("{id}-grid");
    let title_id = format!("{id}-grid-title");
    view! {
        <div class="date-picker" node_ref=wrapper>
            <input id=id type="text" inputmode="numeric" autocomplete="off" node_ref=node_ref
                class="date-picker__field"
                placeholder=move || i18n.t("date_picker.placeholder")
                prop:value=move || text.get()
                aria-invalid=move || invalid.get()
                aria-describedby=described_by
                on:input=move |ev| typed(event_target_value(&ev))
                on:change=move |_| commit()
                on:keydown=move |ev: ev::KeyboardEvent| {
                    if ev.key() == "ArrowDown" && ev.alt_key() {
                        ev.prevent_default();
                        show();
                    }
                } />
            <button type="button" class="date-picker__toggle" node_ref=toggle
                aria-label=move || i18n.t("date_picker.open")
                aria-haspopup="dialog" aria-expanded=move || open.get().to_string()
                aria-controls=popup_id.clone()
                on:click=move |_| if open.get_untracked() { close(false) } else { show() }>
                <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
                    <rect x="2.5" y="4" width="15" height="13" rx="2" fill="none" stroke="currentColor" stroke-width="1.6" />
                    <path d="M2.5 8h15M6.5 2.5v3M13.5 2.5v3" stroke="currentColor" stroke-width="1.6" fill="none" />
                </svg>
            </button>
            <Show when=move || open.get()>
                <div class="date-picker__popup" id=popup_id.clone() role="dialog" aria-modal="false"
                    aria-labelledby=title_id.clone() node_ref=grid on:keydown=on_grid_key>
                    <div class="date-picker__head">
                        <button type="button" class="date-picker__nav"
                            aria-label=move || i18n.t("date_picker.previous_month")
                            on:click=move |_| shift_month(false)>"‹"</button>
                        <h2 class="date-picker__title" id=title_id.clone() aria-live="polite">
                            {move || format_month_year(&tag(), focused.get())}
                        </h2>
                        <button type="button" class="date-picker__nav"
                            aria-label=move || i18n.t("date_picker.next_month")
                            on:click=move |_| shift_month(true)>"›"</button>
                    </div>
                    <table class="date-picker__grid" role="grid" aria-labelledby=title_id.clone()>
                        <thead><tr>{weekdays}</tr></thead>
                        <tbody>{weeks}</tbody>
                    </table>
                </div>
            </Show>
        </div>
    }
}

/// Days since the week's Monday.
fn weekday_index(day: NaiveDate) -> i64 {
    i64::from(day.weekday().num_days_from_monday())
}

/// The Monday of `day`'s week.
fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(weekday_index(day))
}
