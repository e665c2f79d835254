//! The first paint of a page load, and the work that waits for it.
//!
//! On these two cores everything a cold load starts besides the first screen competes
//! with it for the CPU: the service worker's install (it fetches and stores the whole
//! shell, the wasm among it), IndexedDB opened, written and probed for the offline
//! queue and identity, `Intl`'s locale data. Each of them is queued here with
//! [`after_first_paint`] and runs in the browser's first idle time after the page's first
//! screen is painted (`nav_to_board_ms`, issue 20; BENCHMARKS.md).
//!
//! A load that opens the calendar counts as painted at `board-painted`
//! ([`mark_board_painted_once`]), or after [`LATEST`] when its board never paints
//! (offline with nothing kept, signed out: the worker must still be installed); any other
//! page at its first idle time.

use std::{
    cell::{Cell, RefCell},
    time::Duration,
};

use leptos::prelude::{request_animation_frame, set_timeout, window};
use wasm_bindgen::{closure::Closure, JsCast};

/// The longest a calendar load waits for its board's paint before running what waited.
pub const LATEST: Duration = Duration::from_secs(5);

thread_local! {
    /// `board-painted` is on its way (the board can be drawn whole).
    static BOARD_PAINTING: Cell<bool> = const { Cell::new(false) };
    /// The first screen is painted and what waited for it has been handed on.
    static PAINTED: Cell<bool> = const { Cell::new(false) };
    /// A deadline is set for what waits (the first [`after_first_paint`] sets it).
    static DEADLINE_SET: Cell<bool> = const { Cell::new(false) };
    static WAITING: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
}

/// `board-painted`, once per page load, at the second animation frame after the board can
/// be drawn whole: its first read in the store and the roster (its rows) in. Leptos draws
/// the rows and their first screenful of calls in microtasks before the next frame, so
/// the frame after that follows their paint. (Marked at the read alone, a board whose
/// roster came later was "painted" with no technician row on screen.) Then what waited
/// for the first paint runs.
pub fn mark_board_painted_once() {
    if BOARD_PAINTING.with(|p| p.replace(true)) {
        return;
    }
    request_animation_frame(|| {
        request_animation_frame(|| {
            crate::mark("board-painted");
            painted();
        });
    });
}

/// Runs `then` in the first idle time after the page's first screen is painted (in the
/// next idle time if it is already).
pub fn after_first_paint(then: impl FnOnce() + 'static) {
    if PAINTED.with(Cell::get) {
        when_idle(then);
        return;
    }
    WAITING.with(|waiting| waiting.borrow_mut().push(Box::new(then)));
    if DEADLINE_SET.with(|set| set.replace(true)) {
        return;
    }
    let path = window().location().pathname().unwrap_or_default();
    if domain::api::calls::opens_the_calendar(&path) {
        set_timeout(painted, LATEST);
    } else {
        when_idle(painted);
    }
}

/// The first screen is painted: what waited runs in the next idle time.
fn painted() {
    if PAINTED.with(|p| p.replace(true)) {
        return;
    }
    let waiting = WAITING.with(|waiting| std::mem::take(&mut *waiting.borrow_mut()));
    if !waiting.is_empty() {
        when_idle(move || waiting.into_iter().for_each(|then| then()));
    }
}

/// Runs `then` in the browser's next idle time (within a second).
fn when_idle(then: impl FnOnce() + 'static) {
    let later = Closure::once_into_js(then);
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(1_000);
    let _ = window().request_idle_callback_with_options(later.unchecked_ref(), &options);
}
