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

/// A read started at load, and when.
struct Early<T> {
    started_ms: f64,
    answer: oneshot::Receiver<Result<T, ApiError>>,
}

impl<T: 'static> Early<T> {
    /// Starts `read` now (futures are lazy: the request goes out when this task first
    /// runs, a microtask after `main`, not when the page awaits the answer).
    fn start(read: impl std::future::Future<Output = Result<T, ApiError>> + 'static) -> Self {
        let (answer_tx, answer) = oneshot::channel();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = answer_tx.send(read.await);
        });
        Self {
            started_ms: js_sys::Date::now(),
            answer,
        }
    }

    /// The answer, if the read is still fresh and succeeded. A failed read is not
    /// reused: it may have been refused before the sign-in that followed it (a
    /// signed-out load of `/calendar`).
    async fn take(self) -> Option<T> {
        if js_sys::Date::now() - self.started_ms >= FRESH_FOR_MS {
            return None;
        }
        self.answer.await.ok()?.ok()
    }
}

/// The board read, with the window it covers.
struct Pending {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    read: Early<BoardAnswer>,
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
    /// The roster read started beside the board (the calendar's rows: the board is
    /// drawn only with them).
    static PENDING_ROSTER: RefCell<Option<Early<Vec<TechnicianSummary>>>> = const { RefCell::new(None) };
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
    let read = Early::start(super::board(from, to));
    PENDING.with(|p| *p.borrow_mut() = Some(Pending { from, to, read }));
    // The calendar's rows, likewise: read when the calendar page starts, they would come
    // in after the board and hold up its first paint.
    let roster = Early::start(super::technicians());
    PENDING_ROSTER.with(|p| *p.borrow_mut() = Some(roster));
}

/// The prefetched roster, if it is still fresh and succeeded; taken once. `None` means:
/// read it.
pub async fn take_roster() -> Option<Vec<TechnicianSummary>> {
    PENDING_ROSTER.with(|p| p.borrow_mut().take())?.take().await
}

/// The prefetched read, if there is one that covers `[from, to)`, is still fresh and
/// succeeded; taken once (every later read goes to the server). `None` means: read the
/// board.
pub async fn take(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<BoardAnswer> {
    let pending = PENDING.with(|p| p.borrow_mut().take())?;
    if from < pending.from || to > pending.to {
        return None;
    }
    pending.read.take().await
}
