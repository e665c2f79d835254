use std::{cell::Cell, rc::Rc};

use chrono::Duration;
use leptos::prelude::*;
use leptos_router::{
    components::Outlet,
    hooks::{use_navigate, use_params_map, use_query_map},
};
use uuid::Uuid;

use crate::{
    api,
    components::{
        calendar::{
            move_dialog::{self, MoveDialog},
            provide_calendar,
            timeline::Timeline,
        },
        calls::request_lists::RequestLists,
        common::spinner::Spinner,
        modals::call_detail_modal::CallDetailModal,
    },
    contexts::{
        board::{use_board, use_roster},
        live::{end_drags_changed_elsewhere, use_live},
        session::use_session,
        toasts::use_toasts,
    },
    i18n::use_i18n,
};

/// The dispatch calendar (technicians × time) with the request lists below it; the
/// detail modal opens over it for `/requests/{id}`.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let board = use_board();
    let roster = use_roster();
    let toasts = use_toasts();
    roster.ensure_loaded();

    let zone = move || {
        session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_default()
    };
    let tz = domain::tz::parse_zone(&zone()).unwrap_or(chrono_tz::UTC);
    let calendar = provide_calendar(tz);
    move_dialog::provide_move_undo();
    let tick = RwSignal::new(0_u32);
    let loaded = RwSignal::new(false);
    let load = LocalResource::new(move || {
        tick.track();
        let (from, to) = calendar.geometry.get().range();
        // A day of margin on both sides keeps calls dragged past the edge on the board.
        let epoch = board.epoch();
        let user = session.0.with_untracked(|state| match state {
            crate::contexts::session::SessionState::SignedIn(me) => me.user_id,
            _ => Uuid::nil(),
        });
        async move {
            // Offline, the board kept from the last visit stands in (read-only).
            api::board_or_saved(user, from - Duration::days(1), to + Duration::days(1))
                .await
                .map(|data| (Handover::new(data), epoch))
        }
    });
    let offline = crate::offline::use_offline();
    Effect::new(move |_| match load.get() {
        Some(Ok((read, epoch))) => {
            let Some(read) = read.take() else {
                return;
            };
            offline.board_as_of.set(read.saved_at);
            // A prefetched read started before the store existed: older than any change.
            let epoch = if read.prefetched { 0 } else { epoch };
            let behind = board.take_read(read.board, epoch);
            loaded.set(true);
            if behind {
                tick.update(|t| *t += 1);
            }
        }
        Some(Err(err)) => {
            if err.status() == Some(401) {
                session
                    .0
                    .set(crate::contexts::session::SessionState::SignedOut);
            } else {
                toasts.error(crate::components::calls::error_text(&i18n, &err));
            }
        }
        None => {}
    });
    // Live events patch the board in place; it is re-read only when the live stream
    // says so (a resume from too long ago, or a fresh connection).
    let live = use_live();
    Effect::new(move |seen: Option<u64>| {
        let reloads = live.reloads.get();
        if seen.is_some_and(|seen| seen != reloads) {
            tick.update(|t| *t += 1);
        }
        reloads
    });
    end_drags_changed_elsewhere();
    crate::contexts::presence::report_drags();

    view! {
        <section class="page" aria-labelledby="calendar-title">
            <div class="page__head">
                <h1 id="calendar-title">{move || i18n.t("calendar.title")}</h1>
                <p class="page__meta">
                    <span>{move || i18n.t("shell.time_zone")}{move || i18n.colon()}{zone}</span>
                </p>
            </div>
            <Show when=move || loaded.get() fallback=|| view! { <Spinner /> }>
                <Timeline />
                <RequestLists />
            </Show>
        </section>
        <MoveDialog />
        <Outlet />
    }
}

/// A value handed from a resource to its one consumer without a copy: a resource's `get`
/// clones what it holds, and a board read of 10,000 calls takes ~15 ms to clone on the
/// way to the store that owns it next (a cold load's ingest, issue 20).
struct Handover<T>(Rc<Cell<Option<T>>>);

impl<T> Clone for Handover<T> {
    fn clone(&self) -> Self {
        Self(Rc::clone(&self.0))
    }
}

impl<T> Handover<T> {
    fn new(value: T) -> Self {
        Self(Rc::new(Cell::new(Some(value))))
    }

    /// The value, the first time; `None` after.
    fn take(&self) -> Option<T> {
        self.0.take()
    }
}

/// `/requests/{id}`: the call's detail modal over the calendar (the deep link of the
/// request e-mails). Closing it goes back to `/calendar`.
#[component]
pub fn CallModalRoute() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let navigate = use_navigate();
    let open_id = move || params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let just_accepted = Signal::derive(move || query.with(|q| q.get("accepted").is_some()));
    let close = Callback::new(move |()| navigate("/calendar", Default::default()));
    move || open_id().map(|id| view! { <CallDetailModal id just_accepted on_close=close /> })
}
