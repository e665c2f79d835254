use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{Datelike, Duration, NaiveDate, Utc};
use domain::{api::team::TechnicianSummary, colour::Colour};
use leptos::{prelude::*, wasm_bindgen::JsCast};
use leptos_router::{hooks::use_navigate, NavigateOptions};

use crate::components::common::date_picker::DatePicker;
use uuid::Uuid;

use super::{
    call_block::{
        block_key_down, block_pointer_cancel, block_pointer_down, block_pointer_move,
        block_pointer_up, block_show_title, parse_row, row_box, CallBlock,
    },
    geometry::{lanes, OffHours, Placed, Span},
    refusal, row_name, use_calendar, RowKey, LANE_HEIGHT, ROW_HEIGHT,
};
use crate::{
    components::calls::missing_text,
    contexts::board::{use_board, use_roster},
    i18n::{use_i18n, I18n},
};

/// The resource timeline with its toolbar and legend.
#[component]
pub fn Timeline() -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let roster = use_roster();
    // Each row's label, computed once per roster (or language) change for all rows;
    // rows are keyed by it, so a renamed technician re-renders that row only.
    let row_labels = Memo::new(move |_| {
        let technicians = roster.list();
        calendar.rows.with(|rows| {
            rows.iter()
                .map(|row| RowLabel::new(&i18n, &technicians, *row))
                .collect::<Vec<_>>()
        })
    });

    let navigate = use_navigate();
    let open = move |id: Uuid| navigate(&format!("/requests/{id}"), NavigateOptions::default());
    let open = StoredValue::new(open);
    let open = move |id: Uuid| open.with_value(|f| f(id));

    let nearby = Nearby::new();
    on_cleanup(move || nearby.disconnect());
    // Once the rows are in the page (an effect runs after mounting, before the browser
    // paints), the first screenful of them draws its calls.
    Effect::new(move |_| {
        if let Some(track) = calendar.track.get() {
            nearby.settle(&track);
        }
    });
    // The timeline shows once the first board read is in; with the roster in too, it is
    // drawn whole (`cargo xtask bench`'s `board-painted`).
    Effect::new(move |_| {
        if roster.is_loaded() {
            let tag = untrack(|| i18n.format_tag());
            let zone = calendar
                .geometry
                .with_untracked(|g| g.zone.name().to_owned());
            crate::first_paint::after_first_paint(move || {
                crate::i18n::warm_up_intl(&tag, &zone);
            });
            crate::first_paint::mark_board_painted_once();
        }
    });

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
        <div class=move || calendar.density.get().class()>
            <Toolbar />
            <div class="timeline" style=move || {
                // Grid lines: one per day in the week view, one per hour in the day view.
                let g = calendar.geometry.get();
                let columns = if g.days == 1 { g.hour_to - g.hour_from } else { g.days };
                format!("--row:{ROW_HEIGHT}px;--columns:{columns}")
            }>
                <TimeHeader />
                <div class="timeline__rows" node_ref=calendar.track role="list"
                    on:pointerdown=move |ev| block_pointer_down(&ev)
                    on:pointermove=move |ev| block_pointer_move(&ev)
                    on:pointerup=move |ev| block_pointer_up(&ev, open)
                    on:pointercancel=move |ev| block_pointer_cancel(&ev)
                    on:keydown=move |ev| block_key_down(&ev, open)
                    on:pointerover=move |ev| block_show_title(&ev)
                    on:focusin=move |ev| block_show_title(&ev)>
                    <For each=move || row_labels.get() key=|label| label.clone() let:label>
                        <Row label nearby />
                    </For>
                    <Ghost />
                    <super::summary_card::SummaryCard open=Callback::new(open) />
                    {move || now_left().map(|style| view! { <div class="now-line" style=style aria-hidden="true"></div> })}
                </div>
            </div>
            <super::phone_agenda::PhoneAgenda open=Callback::new(open) />
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
    // "Go to date" shows the calendar's day; a date picked there moves the calendar.
    let go_to = RwSignal::new(String::new());
    Effect::new(move |_| go_to.set(calendar.anchor.get().to_string()));
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
                <super::density_switch::DensitySwitch />
                <div class="inline-field">
                    <label for="go-to-date">{move || i18n.t("calendar.go_to_date")}</label>
                    <DatePicker id="go-to-date" value=go_to
                        on_pick=Callback::new(move |d: NaiveDate| calendar.anchor.set(d)) />
                </div>
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

/// What a row's label shows (its name, and the skills or why it is unverified).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowLabel {
    pub row: RowKey,
    pub name: String,
    pub sub: String,
    pub unverified: bool,
}

impl RowLabel {
    fn new(i18n: &I18n, technicians: &[TechnicianSummary], row: RowKey) -> Self {
        let tech = match row {
            RowKey::Technician(id) => technicians.iter().find(|t| t.id == id),
            RowKey::Dispatcher => None,
        };
        let sub = match tech {
            Some(t) if !t.verified => format!(
                "{}{}{}",
                i18n.t("calls.modal.unverified_reason"),
                i18n.colon(),
                missing_text(i18n, &t.missing)
            ),
            Some(t) => t
                .skills
                .iter()
                .map(|s| i18n.t_or(&format!("skill.{s}"), "calendar.refuse.unknown_skill"))
                .collect::<Vec<_>>()
                .join(", "),
            None => i18n.t("calendar.dispatcher_row_hint"),
        };
        Self {
            row,
            name: tech.map_or_else(|| i18n.t("calendar.dispatcher_row"), |t| t.name.clone()),
            sub,
            unverified: tech.is_some_and(|t| !t.verified),
        }
    }
}

/// Which rows have their calls drawn. A board of hundreds of technicians is taller than
/// any screen, and drawing calls nobody can see is most of the cost of showing it: a row
/// draws its calls once it comes within half a screen of the viewport, and keeps them.
/// Rows that fill the first screen start drawn, so the first paint shows every visible
/// call and no more: once the rows are in the page (before the first paint), the rows
/// from their top to the bottom of the window — by their real heights: rows with lanes
/// are taller — draw their calls.
#[derive(Clone, Copy)]
struct Nearby {
    rows: StoredValue<HashMap<RowKey, RwSignal<bool>>, LocalStorage>,
    /// Rows that have drawn their calls: a row drawn anew (a renamed technician, another
    /// language) draws them at once, not after a flash of an empty row.
    drawn: StoredValue<HashSet<RowKey>>,
    observer: StoredValue<Option<web_sys::IntersectionObserver>, LocalStorage>,
    /// Pixels of the first screen not yet taken by the rows registered so far.
    first_screen: StoredValue<f64>,
    /// Rows registered before the rows' position was known (`None` once it is), in
    /// display order: [`Nearby::settle`] decides which of them are on the first screen.
    waiting: StoredValue<Option<Vec<WaitingRow>>, LocalStorage>,
}

/// A row waiting to learn whether it is on the first screen.
struct WaitingRow {
    row: RowKey,
    height: f64,
    near: RwSignal<bool>,
    element: NodeRef<leptos::html::Div>,
}

/// Rows come near, waiting for idle time to be drawn.
type DrawQueue = StoredValue<VecDeque<(RowKey, RwSignal<bool>)>, LocalStorage>;

/// Idle time (ms) a row's drawing is expected to need: a row is only started in an idle
/// period with at least this much left, or when it is the first of that period.
const ROW_DRAW_MS: f64 = 8.0;

impl Nearby {
    fn new() -> Self {
        let rows: StoredValue<HashMap<RowKey, RwSignal<bool>>, LocalStorage> =
            StoredValue::new_local(HashMap::new());
        let drawn = StoredValue::new(HashSet::new());
        let queue: DrawQueue = StoredValue::new_local(VecDeque::new());
        let on_change = wasm_bindgen::closure::Closure::<
            dyn FnMut(js_sys::Array, web_sys::IntersectionObserver),
        >::new(
            move |entries: js_sys::Array, observer: web_sys::IntersectionObserver| {
                let was_empty = queue.with_value(VecDeque::is_empty);
                for entry in entries.iter() {
                    let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
                    if !entry.is_intersecting() {
                        continue;
                    }
                    let target = entry.target();
                    observer.unobserve(&target);
                    let near = target
                        .get_attribute("data-row")
                        .and_then(|key| parse_row(&key))
                        .and_then(|row| rows.with_value(|r| r.get(&row).map(|n| (row, *n))));
                    if let Some(near) = near {
                        queue.update_value(|q| q.push_back(near));
                    }
                }
                if was_empty && queue.with_value(|q| !q.is_empty()) {
                    draw_when_idle(queue, drawn);
                }
            },
        );
        let options = web_sys::IntersectionObserverInit::new();
        options.set_root_margin("50% 0px");
        let observer = web_sys::IntersectionObserver::new_with_options(
            on_change.as_ref().unchecked_ref(),
            &options,
        )
        .ok();
        // The observer calls back for as long as the board lives.
        on_change.forget();
        let height = window()
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(1000.0);
        Self {
            rows,
            drawn,
            observer: StoredValue::new_local(observer),
            first_screen: StoredValue::new(height),
            waiting: StoredValue::new_local(Some(Vec::new())),
        }
    }

    /// Draws the rows on the first screen, now that the rows container is in the page at
    /// `track` (call before the first paint); the others wait until they come near.
    fn settle(self, track: &web_sys::HtmlElement) {
        let Some(waiting) = self.waiting.try_update_value(Option::take).flatten() else {
            return;
        };
        let top = track.get_bounding_client_rect().top().max(0.0);
        self.first_screen.update_value(|left| *left -= top);
        for WaitingRow {
            row,
            height,
            near,
            element,
        } in waiting
        {
            let left = self.first_screen.get_value();
            self.first_screen.set_value(left - height);
            if left > 0.0 {
                self.mark_drawn(row);
                near.try_set(true);
            } else if let Some(element) = element.get_untracked() {
                self.observe(&element);
            }
        }
    }

    fn mark_drawn(self, row: RowKey) {
        self.drawn.update_value(|d| {
            d.insert(row);
        });
    }

    fn observe(self, element: &web_sys::Element) {
        self.observer.with_value(|o| {
            if let Some(o) = o {
                o.observe(element);
            }
        });
    }

    /// The "draw my calls" flag of a row `height` pixels high. Rows register in display
    /// order: before the rows are in the page they wait for [`Nearby::settle`]; rows added
    /// later (the roster arrived) take what is left of the first screen, and the others
    /// are watched from when they are mounted.
    fn register(
        self,
        row: RowKey,
        height: f64,
        element: NodeRef<leptos::html::Div>,
    ) -> RwSignal<bool> {
        let drawn_before = self.drawn.with_value(|d| d.contains(&row));
        let near = RwSignal::new(drawn_before);
        self.rows.update_value(|r| {
            r.insert(row, near);
        });
        if drawn_before {
            return near;
        }
        let waits = self
            .waiting
            .try_update_value(|waiting| {
                waiting.as_mut().map(|w| {
                    w.push(WaitingRow {
                        row,
                        height,
                        near,
                        element,
                    });
                })
            })
            .flatten()
            .is_some();
        if waits {
            return near;
        }
        let left = self.first_screen.get_value();
        self.first_screen.set_value(left - height);
        if left > 0.0 {
            self.mark_drawn(row);
            near.set(true);
        } else {
            Effect::new(move |_| {
                if let Some(element) = element.get() {
                    self.observe(&element);
                }
            });
        }
        near
    }

    fn disconnect(self) {
        self.observer.with_value(|o| {
            if let Some(o) = o {
                o.disconnect();
            }
        });
    }
}

/// Draws the rows waiting in `queue` in the browser's idle time (within 100 ms at the
/// latest): as many per idle period as it has time for, at least one, so that rows
/// coming near never hold up a frame by more than one row's drawing.
fn draw_when_idle(queue: DrawQueue, drawn: StoredValue<HashSet<RowKey>>) {
    let draw =
        wasm_bindgen::closure::Closure::once_into_js(move |deadline: web_sys::IdleDeadline| {
            let mut first = true;
            while first || deadline.time_remaining() >= ROW_DRAW_MS {
                let Some((row, near)) = queue.try_update_value(VecDeque::pop_front).flatten()
                else {
                    return;
                };
                // A row drawn anew meanwhile has its own flag; this one is then gone.
                near.try_set(true);
                drawn.update_value(|d| {
                    d.insert(row);
                });
                first = false;
            }
            if queue.with_value(|q| !q.is_empty()) {
                draw_when_idle(queue, drawn);
            }
        });
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(100);
    let _ = window().request_idle_callback_with_options(draw.unchecked_ref(), &options);
}

/// One row: its label and its calls, in lanes where they overlap; while a call is
/// dragged, rows that cannot take it are marked (and the ghost says why).
#[component]
fn Row(label: RowLabel, nearby: Nearby) -> impl IntoView {
    let board = use_board();
    let calendar = use_calendar();
    let row = label.row;
    let ids = board.at(row.place());
    let element = NodeRef::<leptos::html::Div>::new();
    // The row's lane layout: recomputed when a call of this row moves or the view
    // changes, never for another row's change.
    let layout = Memo::new(move |_| {
        let geometry = calendar.geometry.get();
        ids.with(|ids| {
            let spans: Vec<(Uuid, (f64, f64))> = ids
                .iter()
                .filter_map(|id| {
                    let call = untrack(|| board.call(*id))?;
                    // Drawn as long as the work takes: extra time units lengthen it.
                    let span = call
                        .with(domain::view::CallView::calendar_slot)
                        .and_then(|s| geometry.span_of(s.start, s.end))?;
                    Some((*id, span))
                })
                .collect();
            let placed = lanes(
                &spans
                    .iter()
                    .map(|(_, (left, width))| (*left, left + width))
                    .collect::<Vec<_>>(),
            );
            spans
                .into_iter()
                .zip(placed)
                .map(|((id, (left, width)), lane)| (id, Placed { left, width, lane }))
                .collect::<HashMap<Uuid, Placed>>()
        })
    });
    // Calls of this row outside the visible hours: counted at the row's edge ("2 later"),
    // and a click widens the hours to show them — nothing is silently invisible.
    let off_hours = Memo::new(move |_| {
        let geometry = calendar.geometry.get();
        let mut earlier = (0usize, geometry.hour_from);
        let mut later = (0usize, geometry.hour_to);
        ids.with(|ids| {
            for id in ids {
                let Some(slot) = untrack(|| board.call(*id))
                    .and_then(|c| c.with(domain::view::CallView::calendar_slot))
                else {
                    continue;
                };
                match geometry.off_hours(slot.start, slot.end) {
                    Some((OffHours::Earlier, hour)) => {
                        earlier = (earlier.0 + 1, earlier.1.min(hour))
                    }
                    Some((OffHours::Later, hour)) => later = (later.0 + 1, later.1.max(hour)),
                    None => {}
                }
            }
        });
        (earlier, later)
    });
    let lanes = move || layout.with(|l| l.values().map(|p| p.lane.lanes).max().unwrap_or(1));
    let near = nearby.register(row, row_height(untrack(lanes)), element);
    let height = move || {
        let most = lanes();
        if most > 1 {
            format!("height:{}px", row_height(most))
        } else {
            String::new()
        }
    };
    let class = move || {
        let mut c = String::from("timeline__row");
        if row == RowKey::Dispatcher {
            c.push_str(" is-dispatcher");
        }
        if label.unverified {
            c.push_str(" is-unverified");
        }
        if calendar.refused.with(|r| r.contains(&row)) {
            c.push_str(" is-invalid");
        }
        c
    };
    let data_row = match row {
        RowKey::Dispatcher => "dispatcher".to_owned(),
        RowKey::Technician(id) => id.to_string(),
    };
    view! {
        <div class=class style=height role="listitem" data-row=data_row node_ref=element>
            <div class="timeline__label">
                <span class="timeline__name">{label.name.clone()}</span>
                <span class="timeline__sub">{label.sub.clone()}</span>
            </div>
            <div class="timeline__lane">
                <Show when=move || near.get()>
                    <For each=move || ids.get() key=|id| *id let:id>
                        {untrack(|| board.call(id)).map(|call| {
                            let placed = Signal::derive(move || layout.with(|l| l.get(&id).copied()));
                            view! { <CallBlock call placed /> }
                        })}
                    </For>
                </Show>
                <OffHoursMarkers off_hours />
            </div>
        </div>
    }
}

/// The "1 earlier" / "2 later" buttons at a row's edges.
#[component]
fn OffHoursMarkers(off_hours: Memo<((usize, u32), (usize, u32))>) -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let marker = move |side: OffHours| {
        move || {
            let ((early, from), (late, to)) = off_hours.get();
            let (count, key, class) = match side {
                OffHours::Earlier => (
                    early,
                    "calendar.off_hours.earlier",
                    "off-hours off-hours--earlier",
                ),
                OffHours::Later => (
                    late,
                    "calendar.off_hours.later",
                    "off-hours off-hours--later",
                ),
            };
            (count > 0).then(|| {
                let text = i18n.t(key).replace("{n}", &count.to_string());
                let label = i18n.t("calendar.off_hours.widen").replace("{text}", &text);
                view! {
                    <button type="button" class=class aria-label=label data-testid="off-hours"
                        on:click=move |_| calendar.hours.update(|(f, t)| {
                            *f = (*f).min(from);
                            *t = (*t).max(to);
                        })>
                        {match side { OffHours::Earlier => "‹ ", OffHours::Later => "" }}
                        {text}
                        {match side { OffHours::Earlier => "", OffHours::Later => " ›" }}
                    </button>
                }
            })
        }
    };
    view! { {marker(OffHours::Earlier)} {marker(OffHours::Later)} }
}

/// The height in pixels of a row whose calls take `lanes` lanes (the CSS `--row` for one).
fn row_height(lanes: u32) -> f64 {
    if lanes > 1 {
        f64::from(lanes) * LANE_HEIGHT
    } else {
        ROW_HEIGHT
    }
}

/// The drop preview: target time and technician, or why the row refuses the call.
#[component]
fn Ghost() -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let board = use_board();
    move || {
        let drag = calendar.drag.get()?;
        if !drag.moved {
            return None;
        }
        let (row, start, end) = drag.target?;
        let call = untrack(|| board.call(drag.call_id))?.get_untracked();
        let geometry = calendar.geometry.get_untracked();
        let (left, width) = geometry.span_of(start, end)?;
        // Rows differ in height (lanes), so the ghost takes the target row's own box.
        let (top, height) = row_box(row)?;
        let refused = refusal(&i18n, row, &call);
        #[allow(clippy::cast_precision_loss)]
        let when = crate::i18n::format_weekday_time(
            &i18n.format_tag(),
            start.timestamp_millis() as f64,
            geometry.zone.name(),
        );
        let text = refused
            .clone()
            .unwrap_or_else(|| format!("{when} · {}", row_name(&i18n, row)));
        let style = format!(
            "top:{top}px;height:{}px;left:calc(var(--label) + (100% - var(--label)) * {left:.5});width:calc((100% - var(--label)) * {width:.5})",
            (height - 10.0).max(LANE_HEIGHT - 6.0)
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
