//! The two lists below the calendar: every open request and every accepted call still to
//! assign — whatever the calendar shows (the board read brings them all) — with when
//! each arrived, a remembered sort, a filter by skill with counts, "new" marks, and a
//! list that holds still under the pointer.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::{colour::Place, view::CallView};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use super::{accept_and_report, call_card::CallCard, decline_and_report};
use crate::{contexts::board::use_board, i18n::use_i18n};

/// How the lists are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Oldest request first: the one closest to being lost to another partner on top.
    Arrival,
    /// By appointment time, undated last.
    Appointment,
}

impl SortOrder {
    fn key(self) -> &'static str {
        match self {
            SortOrder::Arrival => "arrival",
            SortOrder::Appointment => "appointment",
        }
    }

    fn from_key(key: &str) -> Self {
        if key == "appointment" {
            SortOrder::Appointment
        } else {
            SortOrder::Arrival
        }
    }
}

/// Where the sort choice is kept, per browser.
const SORT_KEY: &str = "relay.lists.sort";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Orders `calls` for a list: by arrival (then appointment) or by appointment (then
/// arrival), the id last so equal calls never swap places.
pub fn sorted(mut calls: Vec<CallView>, order: SortOrder) -> Vec<Uuid> {
    let far = DateTime::<Utc>::MAX_UTC;
    calls.sort_by_key(|c| {
        let arrived = c.offered_at.unwrap_or(far);
        let start = c.slot.map_or(far, |s| s.start);
        match order {
            SortOrder::Arrival => (arrived, start, c.id),
            SortOrder::Appointment => (start, arrived, c.id),
        }
    });
    calls.into_iter().map(|c| c.id).collect()
}

/// Which list a phone shows (the lists are tabs there).
#[derive(Clone, Copy, PartialEq, Eq)]
enum PhoneTab {
    Requests,
    Unassigned,
}

impl PhoneTab {
    fn key(self) -> &'static str {
        match self {
            Self::Requests => "requests",
            Self::Unassigned => "unassigned",
        }
    }

    fn tab_id(self) -> &'static str {
        match self {
            Self::Requests => "lists-tab-requests",
            Self::Unassigned => "lists-tab-unassigned",
        }
    }

    fn panel_id(self) -> &'static str {
        match self {
            Self::Requests => "lists-requests",
            Self::Unassigned => "lists-unassigned",
        }
    }

    /// Two tabs: every arrow key goes to the other one.
    fn other(self) -> Self {
        match self {
            Self::Requests => Self::Unassigned,
            Self::Unassigned => Self::Requests,
        }
    }
}

/// The two lists below the calendar: incoming requests (blue: accept or decline) and
/// accepted calls still to assign (white).
#[component]
pub fn RequestLists() -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let navigate = use_navigate();
    let requests = board.at(Place::RequestsList);
    let unassigned = board.at(Place::UnassignedList);

    let order = RwSignal::new(SortOrder::from_key(
        &storage()
            .and_then(|s| s.get_item(SORT_KEY).ok().flatten())
            .unwrap_or_default(),
    ));
    let set_order = move |o: SortOrder| {
        order.set(o);
        if let Some(s) = storage() {
            let _ = s.set_item(SORT_KEY, o.key());
        }
    };
    // The skill filter ("" = all).
    let skill = RwSignal::new(String::new());

    // "3 min ago" moves on every half minute, from one clock for all cards.
    let now = RwSignal::new(Utc::now());
    let ticker = set_interval_with_handle(
        move || now.set(Utc::now()),
        std::time::Duration::from_secs(30),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear();
        }
    });

    // New: arrived after this board opened and not yet looked at (pointer, focus or
    // opened). Requests already there when the board opened are not new.
    let opened_at = Utc::now();
    let seen = RwSignal::new(HashSet::<Uuid>::new());
    let see = move |id: Uuid| {
        if !seen.with_untracked(|s| s.contains(&id)) {
            seen.update(|s| {
                s.insert(id);
            });
        }
    };

    // Accepting from the list opens the call, where the reminder to phone the client and
    // the tasks are.
    let on_accept = Callback::new(move |view: CallView| {
        let navigate = navigate.clone();
        let accepting = accept_and_report(view.id);
        spawn_local(async move {
            let accepted = accepting.await;
            if accepted.is_some() {
                navigate(
                    &format!("/requests/{}?accepted=1", view.id),
                    Default::default(),
                );
            }
        });
    });
    let on_decline = Callback::new(move |view: CallView| {
        spawn_local(decline_and_report(view.id));
    });

    // The skills of everything listed, with how many calls each has (for the filter).
    let views = move |ids: RwSignal<Vec<Uuid>>| -> Vec<CallView> {
        ids.get()
            .into_iter()
            .filter_map(|id| board.call(id).map(|c| c.get()))
            .collect()
    };
    let skill_counts = Memo::new(move |_| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for view in views(requests).into_iter().chain(views(unassigned)) {
            *counts.entry(view.service.skill.clone()).or_default() += 1;
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort();
        counts
    });
    let skill_label = move |code: &str| {
        let key = format!("skill.{code}");
        let text = i18n.t(&key);
        if text == key {
            code.to_owned()
        } else {
            text
        }
    };

    let list = move |ids: RwSignal<Vec<Uuid>>,
                     empty_key: &'static str,
                     offers: bool,
                     title_id: &'static str| {
        // What the list shows, in order and filtered; while the pointer is over the
        // list it holds still: arrivals wait, and a card that left keeps its place
        // (invisible) until the pointer leaves, so the card under it never moves.
        let target = Memo::new(move |_| {
            let wanted = skill.get();
            let calls: Vec<CallView> = views(ids)
                .into_iter()
                .filter(|c| wanted.is_empty() || c.service.skill == wanted)
                .collect();
            sorted(calls, order.get())
        });
        let hovered = RwSignal::new(false);
        // A drag from a card captures the pointer, so the list hears no `pointerleave`
        // when the pointer goes to the calendar: the end of a drag lets the list go.
        let calendar = crate::components::calendar::use_calendar();
        Effect::new(move |was_dragging: Option<bool>| {
            let dragging = calendar.drag.with(Option::is_some);
            if was_dragging == Some(true) && !dragging {
                hovered.set(false);
            }
            dragging
        });
        // The dispatcher's own undo brings a call back: shown at once, not held. The
        // pointer still over the list holds it again from its next move.
        Effect::new(move |first: Option<()>| {
            board.released.track();
            if first.is_some() {
                hovered.set(false);
            }
        });
        let shown = RwSignal::new(Vec::<Uuid>::new());
        let held = RwSignal::new(0usize);
        Effect::new(move |_| {
            let target = target.get();
            if hovered.get() {
                let now_shown = shown.get_untracked();
                let waiting = target.iter().filter(|id| !now_shown.contains(id)).count();
                held.set(waiting);
            } else {
                held.set(0);
                shown.set(target);
            }
        });
        // Each card is drawn once per id: a change of the call re-renders inside the
        // card only, and one that left while the list was held stays drawn from its last
        // state, invisibly and inert, until the pointer leaves.
        let card = move |id: Uuid| {
            let signal = untrack(|| board.call(id))?;
            let gone = Memo::new(move |_| !target.with(|t| t.contains(&id)));
            let is_new = Signal::derive(move || {
                signal.with(|c| c.offered_at.is_some_and(|t| t > opened_at))
                    && !seen.with(|s| s.contains(&id))
            });
            let card = if offers {
                view! { <CallCard call=signal on_accept=on_accept on_decline=on_decline now=now is_new=is_new /> }.into_any()
            } else {
                view! { <CallCard call=signal draggable=true now=now /> }.into_any()
            };
            Some(view! {
                <li class:call-list__gone=move || gone.get()
                    aria-hidden=move || gone.get().then_some("true")
                    inert=move || gone.get()
                    on:pointerenter=move |_| see(id) on:focusin=move |_| see(id)>{card}</li>
            })
        };
        view! {
            <Show
                when=move || !shown.with(Vec::is_empty)
                fallback=move || view! { <p class="list-empty">{move || i18n.t(empty_key)}</p> }
            >
                <Show when=move || { held.get() > 0 }>
                    <p class="list-held" role="status">
                        {move || i18n.t("calls.held").replace("{n}", &held.get().to_string())}
                    </p>
                </Show>
                <ul class="call-list" role="list" aria-labelledby=title_id
                    on:pointerenter=move |_| hovered.set(true)
                    on:pointermove=move |_| if !hovered.get_untracked() { hovered.set(true) }
                    on:pointerleave=move |_| hovered.set(false)>
                    <For each=move || shown.get() key=|id| *id let:id>
                        {card(id)}
                    </For>
                </ul>
            </Show>
        }
    };

    let taken_text = move || {
        board
            .last_taken
            .get()
            .and_then(|id| board.call(id))
            .map(|c| {
                i18n.t("calls.taken_announce")
                    .replace("{service}", &c.with(|c| c.service.name.clone()))
            })
            .unwrap_or_default()
    };

    // On a phone the two lists are tabs (one shown at a time, CSS below 600 px); wider
    // screens show both and never see the tab strip.
    let phone_tab = RwSignal::new(PhoneTab::Requests);
    let tab = move |which: PhoneTab, title: &'static str, count: RwSignal<Vec<Uuid>>| {
        let selected = move || phone_tab.get() == which;
        view! {
            <button type="button" role="tab" id=which.tab_id() aria-controls=which.panel_id()
                aria-selected=move || selected().to_string()
                tabindex=move || if selected() { "0" } else { "-1" }
                on:click=move |_| phone_tab.set(which)
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if matches!(ev.key().as_str(), "ArrowLeft" | "ArrowRight" | "Home" | "End") {
                        ev.prevent_default();
                        let next = which.other();
                        phone_tab.set(next);
                        if let Some(el) = document().get_element_by_id(next.tab_id()) {
                            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                                let _ = el.focus();
                            }
                        }
                    }
                }>
                {move || i18n.t(title)}
                <span class="count">{move || count.with(Vec::len)}</span>
            </button>
        }
    };

    view! {
        <div class="lists" data-phone-tab=move || phone_tab.get().key()>
            <div class="lists__tabs" role="tablist" aria-label=move || i18n.t("calls.lists_label")>
                {tab(PhoneTab::Requests, "calls.requests.title", requests)}
                {tab(PhoneTab::Unassigned, "calls.unassigned.title", unassigned)}
            </div>
            <div class="lists__tools" role="group" aria-label=move || i18n.t("calls.tools")>
                <div class="segmented" role="group" aria-label=move || i18n.t("calls.sort.label")>
                    <button type="button" aria-pressed=move || (order.get() == SortOrder::Arrival).to_string()
                        on:click=move |_| set_order(SortOrder::Arrival)>{move || i18n.t("calls.sort.arrival")}</button>
                    <button type="button" aria-pressed=move || (order.get() == SortOrder::Appointment).to_string()
                        on:click=move |_| set_order(SortOrder::Appointment)>{move || i18n.t("calls.sort.appointment")}</button>
                </div>
                <label class="inline-field">
                    <span>{move || i18n.t("calls.filter.label")}</span>
                    <select data-testid="skill-filter" on:change=move |ev| skill.set(event_target_value(&ev))>
                        <option value="" selected=move || skill.get().is_empty()>
                            {move || format!("{} ({})", i18n.t("calls.filter.all"),
                                skill_counts.with(|c| c.iter().map(|(_, n)| n).sum::<usize>()))}
                        </option>
                        {move || skill_counts.get().into_iter().map(|(code, n)| {
                            let value = code.clone();
                            let selected = code.clone();
                            view! {
                                <option value=value selected=move || skill.get() == selected>
                                    {format!("{} ({n})", skill_label(&code))}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <p class="visually-hidden" role="status" aria-live="assertive">{taken_text}</p>
            <section class="lists__section lists__section--requests" id=PhoneTab::Requests.panel_id() aria-labelledby="requests-title">
                <h2 id="requests-title">
                    {move || i18n.t("calls.requests.title")}
                    <span class="count">{move || requests.with(Vec::len)}</span>
                </h2>
                {list(requests, "calls.requests.empty", true, "requests-title")}
            </section>
            <section class="lists__section lists__section--unassigned" id=PhoneTab::Unassigned.panel_id() aria-labelledby="unassigned-title">
                <h2 id="unassigned-title">
                    {move || i18n.t("calls.unassigned.title")}
                    <span class="count">{move || unassigned.with(Vec::len)}</span>
                </h2>
                {list(unassigned, "calls.unassigned.empty", false, "unassigned-title")}
            </section>
        </div>
    }
}
