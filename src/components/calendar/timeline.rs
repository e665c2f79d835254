use chrono::{Datelike, Duration, NaiveDate, Utc};
use domain::colour::Colour;
use leptos::prelude::*;

use super::{
    call_block::CallBlock, geometry::Span, refusal, row_name, rows, use_calendar, RowKey,
    ROW_HEIGHT,
};
use crate::{
    components::calls::missing_text,
    contexts::board::{use_board, use_roster},
    i18n::use_i18n,
};

/// The resource timeline with its toolbar and legend.
#[component]
pub fn Timeline() -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let roster = use_roster();
    let all_rows = Memo::new(move |_| rows(&roster.list()));

    // Escape anywhere cancels a pointer drag.
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && calendar.drag.with_untracked(Option::is_some) {
            calendar.drag.set(None);
            calendar.announce.set(i18n.t("calendar.move_cancelled"));
        }
    });
    on_cleanup(move || escape.remove());

    // The now-line moves every minute.
    let now = RwSignal::new(Utc::now());
    let ticker = set_interval_with_handle(
        move || now.set(Utc::now()),
        std::time::Duration::from_secs(60),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear();
        }
    });
    let now_left = move || {
        calendar
            .geometry
            .get()
            .fraction(now.get())
            .map(|f| format!("left:calc(var(--label) + (100% - var(--label)) * {f:.5})"))
    };

    view! {
        <div class="calendar">
            <Toolbar />
            <div class="timeline" style=format!("--row:{ROW_HEIGHT}px")>
                <TimeHeader />
                <div class="timeline__rows" node_ref=calendar.track role="list">
                    <For each=move || all_rows.get() key=|row| *row let:row>
                        <Row row />
                    </For>
                    <Ghost rows=all_rows />
                    {move || now_left().map(|style| view! { <div class="now-line" style=style aria-hidden="true"></div> })}
                </div>
            </div>
            <Legend />
            <p class="visually-hidden" role="status" aria-live="assertive">{move || calendar.announce.get()}</p>
        </div>
    }
}

/// Day/week, previous/next, today, a date picker and the visible hours.
#[component]
fn Toolbar() -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let step = move |sign: i64| {
        let days = i64::from(calendar.span.get_untracked().days());
        calendar
            .anchor
            .update(|d| *d += Duration::days(sign * days));
    };
    let title = move || {
        let g = calendar.geometry.get();
        let last = g.first_day + Duration::days(i64::from(g.days) - 1);
        let fmt = |d: NaiveDate| {
            let noon =
                domain::tz::local_to_utc(d.and_hms_opt(12, 0, 0).unwrap_or_default(), g.zone);
            #[allow(clippy::cast_precision_loss)]
            crate::i18n::format_date(
                &i18n.format_tag(),
                noon.timestamp_millis() as f64,
                &g.zone.to_string(),
            )
        };
        if g.days == 1 {
            fmt(g.first_day)
        } else {
            format!("{} – {}", fmt(g.first_day), fmt(last))
        }
    };
    let hour_options = |selected: u32| {
        (0..=24)
            .map(move |h| view! { <option value=h.to_string() selected=h == selected>{format!("{h:02}:00")}</option> })
            .collect_view()
    };
    view! {
        <div class="toolbar" role="toolbar" aria-label=move || i18n.t("calendar.toolbar")>
            <div class="toolbar__group">
                <button type="button" class="button button--secondary button--small" on:click=move |_| step(-1)
                    aria-label=move || i18n.t("calendar.previous")>"‹"</button>
                <button type="button" class="button button--secondary button--small"
                    on:click=move |_| calendar.anchor.set(super::geometry::Geometry::today(calendar.geometry.get_untracked().zone))>
                    {move || i18n.t("calendar.today")}
                </button>
                <button type="button" class="button button--secondary button--small" on:click=move |_| step(1)
                    aria-label=move || i18n.t("calendar.next")>"›"</button>
                <h2 class="toolbar__title">{title}</h2>
            </div>
            <div class="toolbar__group">
                <div class="segmented" role="group" aria-label=move || i18n.t("calendar.view")>
                    <button type="button" aria-pressed=move || (calendar.span.get() == Span::Day).to_string()
                        on:click=move |_| calendar.span.set(Span::Day)>{move || i18n.t("calendar.day")}</button>
                    <button type="button" aria-pressed=move || (calendar.span.get() == Span::Week).to_string()
                        on:click=move |_| calendar.span.set(Span::Week)>{move || i18n.t("calendar.week")}</button>
                </div>
                <label class="inline-field">
                    <span>{move || i18n.t("calendar.go_to_date")}</span>
                    <input type="date" prop:value=move || calendar.anchor.get().to_string()
                        on:change=move |ev| {
                            if let Ok(d) = event_target_value(&ev).parse::<NaiveDate>() {
                                calendar.anchor.set(d);
                            }
                        } />
                </label>
                <label class="inline-field">
                    <span>{move || i18n.t("calendar.hours_from")}</span>
                    <select on:change=move |ev| {
                        if let Ok(h) = event_target_value(&ev).parse::<u32>() {
                            calendar.hours.update(|(from, to)| { *from = h.min(*to - 1); });
                        }
                    }>{move || hour_options(calendar.hours.get().0)}</select>
                </label>
                <label class="inline-field">
                    <span>{move || i18n.t("calendar.hours_to")}</span>
                    <select on:change=move |ev| {
                        if let Ok(h) = event_target_value(&ev).parse::<u32>() {
                            calendar.hours.update(|(from, to)| { *to = h.max(*from + 1); });
                        }
                    }>{move || hour_options(calendar.hours.get().1)}</select>
                </label>
            </div>
        </div>
    }
}

/// Day names (week view) and hour marks above the rows.
#[component]
fn TimeHeader() -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let cells = move || {
        let g = calendar.geometry.get();
        let tag = i18n.format_tag();
        if g.days == 1 {
            (g.hour_from..g.hour_to)
                .map(|h| view! { <div class="timeline__cell">{format!("{h:02}:00")}</div> })
                .collect_view()
                .into_any()
        } else {
            g.day_list()
                .into_iter()
                .map(|d| {
                    let noon = domain::tz::local_to_utc(d.and_hms_opt(12, 0, 0).unwrap_or_default(), g.zone);
                    #[allow(clippy::cast_precision_loss)]
                    let label = crate::i18n::format_weekday(&tag, noon.timestamp_millis() as f64, &g.zone.to_string());
                    let today = d == super::geometry::Geometry::today(g.zone);
                    let weekend = d.weekday().number_from_monday() > 5;
                    view! {
                        <div class=move || format!("timeline__cell{}{}", if today { " is-today" } else { "" }, if weekend { " is-weekend" } else { "" })>
                            {label.clone()}
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        }
    };
    view! {
        <div class="timeline__header" aria-hidden="true">
            <div class="timeline__label"></div>
            <div class="timeline__cells">{cells}</div>
        </div>
    }
}

/// One row: its label and its calls; while a call is dragged, rows that cannot take it
/// are marked (and the ghost says why).
#[component]
fn Row(row: RowKey) -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let calendar = use_calendar();
    let roster = use_roster();
    let ids = board.at(row.place());
    let tech = move || match row {
        RowKey::Technician(id) => roster.list().into_iter().find(|t| t.id == id),
        RowKey::Dispatcher => None,
    };
    let unverified = move || tech().is_some_and(|t| !t.verified);
    let invalid = Memo::new(move |_| {
        calendar
            .dragging
            .get()
            .and_then(|id| board.call(id))
            .is_some_and(|call| refusal(&i18n, row, &call.get_untracked()).is_some())
    });
    let name = move || row_name(&i18n, row);
    let sub = move || match tech() {
        Some(t) if !t.verified => format!(
            "{}: {}",
            i18n.t("calls.modal.unverified_reason"),
            missing_text(&i18n, &t.missing)
        ),
        Some(t) => t
            .skills
            .iter()
            .map(|s| i18n.t_or(&format!("skill.{s}"), "calendar.refuse.unknown_skill"))
            .collect::<Vec<_>>()
            .join(", "),
        None => i18n.t("calendar.dispatcher_row_hint"),
    };
    let class = move || {
        let mut c = String::from("timeline__row");
        if row == RowKey::Dispatcher {
            c.push_str(" is-dispatcher");
        }
        if unverified() {
            c.push_str(" is-unverified");
        }
        if invalid.get() {
            c.push_str(" is-invalid");
        }
        c
    };
    view! {
        <div class=class role="listitem" data-row=move || match row {
            RowKey::Dispatcher => "dispatcher".to_owned(),
            RowKey::Technician(id) => id.to_string(),
        }>
            <div class="timeline__label">
                <span class="timeline__name">{name}</span>
                <span class="timeline__sub">{sub}</span>
            </div>
            <div class="timeline__lane">
                <For each=move || ids.get() key=|id| *id let:id>
                    {move || board.call(id).map(|call| view! { <CallBlock call row /> })}
                </For>
            </div>
        </div>
    }
}

/// The drop preview: target time and technician, or why the row refuses the call.
#[component]
fn Ghost(rows: Memo<Vec<RowKey>>) -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let board = use_board();
    move || {
        let drag = calendar.drag.get()?;
        if !drag.moved {
            return None;
        }
        let (row, start, end) = drag.target?;
        let call = board.call(drag.call_id)?.get_untracked();
        let geometry = calendar.geometry.get_untracked();
        let (left, width) = geometry.span_of(start, end)?;
        let index = rows.with_untracked(|r| r.iter().position(|x| *x == row))?;
        let refused = refusal(&i18n, row, &call);
        let when = domain::tz::to_local(start, geometry.zone)
            .format("%a %H:%M")
            .to_string();
        let text = refused
            .clone()
            .unwrap_or_else(|| format!("{when} · {}", row_name(&i18n, row)));
        #[allow(clippy::cast_precision_loss)]
        let top = index as f64 * ROW_HEIGHT;
        let style = format!(
            "top:{top}px;left:calc(var(--label) + (100% - var(--label)) * {left:.5});width:calc((100% - var(--label)) * {width:.5})"
        );
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark("drag-move-end");
            let _ = performance.measure_with_start_mark_and_end_mark(
                "drag-work",
                "drag-move-start",
                "drag-move-end",
            );
        }
        Some(view! {
            <div class=if refused.is_some() { "ghost is-refused" } else { "ghost" } style=style data-testid="drag-ghost">
                {text}
            </div>
        })
    }
}

/// What the colours, icons and words mean.
#[component]
fn Legend() -> impl IntoView {
    let i18n = use_i18n();
    let items = [
        (
            Colour::Blue,
            "blue",
            "★",
            "calls.state.blue",
            "calendar.legend.blue",
        ),
        (
            Colour::White,
            "white",
            "○",
            "calls.state.white",
            "calendar.legend.white",
        ),
        (
            Colour::Orange,
            "orange",
            "◐",
            "calls.state.orange",
            "calendar.legend.orange",
        ),
        (
            Colour::Green,
            "green",
            "●",
            "calls.state.green",
            "calendar.legend.green",
        ),
    ];
    view! {
        <ul class="legend" aria-label=move || i18n.t("calls.legend")>
            {items
                .into_iter()
                .map(|(_, modifier, icon, name, meaning)| view! {
                    <li>
                        <span class=format!("badge badge--{modifier}")>
                            <span class="badge__icon" aria-hidden="true">{icon}</span>
                            {move || i18n.t(name)}
                        </span>
                        <span class="legend__text">{move || i18n.t(meaning)}</span>
                    </li>
                })
                .collect_view()}
        </ul>
    }
}
