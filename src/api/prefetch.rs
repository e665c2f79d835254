//! The board read (and the roster read beside it) `main` starts before the app is
//! mounted (issue 20, `nav_to_board_ms`):
//! on a cold load the request and the server's work then overlap with the app's start-up
//! (the session check, the router, the calendar page) instead of following it.
//!
//! The company's time zone is not known yet at that point (it comes with the session
//! check), so the prefetch asks for a window that holds the calendar's first window in any
//! zone: the week "today" falls in for every zone from UTC−12 to UTC+14 (two weeks when
//! a zone is across the week's boundary), with the calendar's own day of margin. The calendar takes the read only when it
//! covers the window it wants ([`take`]); anything else reads the board as before.
//!
//! The server names the same read in a `Link: rel=preload` header of the page itself
//! (`crates/server/src/http/spa.rs`), so on a signed-in navigation the browser starts it
//! while the wasm is still downloading; this request then gets the preloaded answer.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use domain::api::{
    calls::{first_window, opens_the_calendar},
    team::TechnicianSummary,
};
use futures::channel::oneshot;

use super::{ApiError, BoardAnswer};

/// How long a prefetched read stays good for the calendar's first read: a board read
/// taken later (the dispatcher opened another page first) would be needlessly old.
const FRESH_FOR_MS: f64 = 15_000.0;

struct Pending {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    started_ms: f64,
    answer: oneshot::Receiver<Result<BoardAnswer, ApiError>>,
}

/// The roster read started beside the board (the calendar's rows: the board is drawn
/// only with them).
struct PendingRoster {
    started_ms: f64,
    answer: oneshot::Receiver<Result<Vec<TechnicianSummary>, ApiError>>,
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
    static PENDING_ROSTER: RefCell<Option<PendingRoster>> = const { RefCell::new(None) };
}

/// Starts the board read if this page load opens the calendar. Call once, first thing.
pub fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    if !opens_the_calendar(&path) {
        return;
    }
    let (from, to) = first_window(Utc::now());
    let (answer_tx, answer) = oneshot::channel();
    PENDING.with(|p| {
        *p.borrow_mut() = Some(Pending {
            from,
            to,
            started_ms: js_sys::Date::now(),
            answer,
        });
    });
    // Futures are lazy: the request goes out when this task first runs (a microtask
    // after `main`), not when the calendar awaits the answer.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = answer_tx.send(super::board(from, to).await);
    });
    // The calendar's rows, likewise: read when the calendar page starts, they would come
    // in after the board and hold up its first paint.
    let (roster_tx, roster) = oneshot::channel();
    PENDING_ROSTER.with(|p| {
        *p.borrow_mut() = Some(PendingRoster {
            started_ms: js_sys::Date::now(),
            answer: roster,
        });
    });
    wasm_bindgen_futures::spawn_local(async move {
        let _ = roster_tx.send(super::technicians().await);
    });
}

/// The prefetched roster, if one is still fresh; taken once. `None` means: read it.
pub async fn take_roster() -> Option<Result<Vec<TechnicianSummary>, ApiError>> {
    let pending = PENDING_ROSTER.with(|p| p.borrow_mut().take())?;
    if js_sys::Date::now() - pending.started_ms >= FRESH_FOR_MS {
        return None;
    }
    pending.answer.await.ok()
}

/// The prefetched read, if there is one that covers `[from, to)`, is still fresh and
/// succeeded; taken once (every later read goes to the server). `None` means: read the
/// board. A failed prefetch is not reused: it may have been refused before the sign-in
/// that followed it (a signed-out load of `/calendar`).
pub async fn take(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<BoardAnswer> {
    let pending = PENDING.with(|p| p.borrow_mut().take())?;
    let fresh = js_sys::Date::now() - pending.started_ms < FRESH_FOR_MS;
    if !fresh || from < pending.from || to > pending.to {
        return None;
    }
    pending.answer.await.ok()?.ok()
}
