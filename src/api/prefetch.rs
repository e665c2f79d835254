//! The board read `main` starts before the app is mounted (issue 20, `nav_to_board_ms`):
//! on a cold load the request and the server's work then overlap with the app's start-up
//! (the session check, the router, the calendar page) instead of following it.
//!
//! The company's time zone is not known yet at that point (it comes with the session
//! check), so the prefetch asks for a window that holds the calendar's first window in any
//! zone: the week "today" falls in for every zone from UTC−12 to UTC+14 (two weeks when
//! a zone is across the week's boundary), with the calendar's own day of margin. The calendar takes the read only when it
//! covers the window it wants ([`take`]); anything else reads the board as before.

use std::cell::RefCell;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use domain::api::calls::Board;
use futures::channel::oneshot;

use super::ApiError;

/// How long a prefetched read stays good for the calendar's first read: a board read
/// taken later (the dispatcher opened another page first) would be needlessly old.
const FRESH_FOR_MS: f64 = 15_000.0;

struct Pending {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    started_ms: f64,
    answer: oneshot::Receiver<Result<Board, ApiError>>,
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

/// The prefetch's window around `now` (see the module comment): the calendar's first
/// window (its week, with a day of margin each side) for every zone from UTC−12 to
/// UTC+14. Mid-week that is about ten days; across a week's boundary, where one zone is
/// already in the next week, it holds both weeks.
pub fn window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let (west, east) = (Duration::hours(-12), Duration::hours(14));
    let monday_at = |offset: Duration| {
        let local = (now + offset).date_naive();
        let monday = local - Duration::days(i64::from(local.weekday().num_days_from_monday()));
        monday.and_time(NaiveTime::MIN).and_utc()
    };
    // A local midnight is `-offset` in UTC: the earliest is the east's, the latest the west's.
    (
        monday_at(west) - Duration::days(1) - east,
        monday_at(east) + Duration::days(8) - west,
    )
}

/// Whether the page being opened shows the calendar (the board is its first screen).
fn opens_the_calendar(path: &str) -> bool {
    path == "/" || path == "/calendar" || path.starts_with("/requests/")
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
    let (from, to) = self::window(Utc::now());
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
}

/// The prefetched read, if there is one that covers `[from, to)` and is still fresh;
/// taken once (every later read goes to the server). `None` means: read the board.
pub async fn take(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Result<Board, ApiError>> {
    let pending = PENDING.with(|p| p.borrow_mut().take())?;
    let fresh = js_sys::Date::now() - pending.started_ms < FRESH_FOR_MS;
    if !fresh || from < pending.from || to > pending.to {
        return None;
    }
    pending.answer.await.ok()
}

// Run in the browser by `cargo xtask test` (wasm-bindgen-test) and on the host by
// `cargo test -p dispatch-app --lib`.
#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_window_holds_the_calendar_week_in_every_zone() {
        // A Sunday late evening in UTC is already Monday in Auckland and still Sunday in
        // Honolulu: both weeks (with the calendar's day of margin) must fit.
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 23, 30, 0).unwrap();
        let (from, to) = window(now);
        for (offset_hours, monday) in [(13, (2026, 12, 7)), (-10, (2026, 11, 30))] {
            let (y, m, d) = monday;
            let local_monday =
                Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap() - Duration::hours(offset_hours);
            let want_from = local_monday - Duration::days(1);
            let want_to = local_monday + Duration::days(8);
            assert!(
                from <= want_from && want_to <= to,
                "{offset_hours} h: {want_from} … {want_to}"
            );
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn mid_week_the_window_is_about_ten_days() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 5, 0, 0).unwrap();
        let (from, to) = window(now);
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap());
        assert_eq!(to, Utc.with_ymd_and_hms(2026, 12, 8, 12, 0, 0).unwrap());
        assert!(to - from <= Duration::days(11));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn only_pages_that_open_the_calendar_prefetch() {
        assert!(opens_the_calendar("/"));
        assert!(opens_the_calendar("/calendar"));
        assert!(opens_the_calendar("/requests/4f1c"));
        assert!(!opens_the_calendar("/team"));
        assert!(!opens_the_calendar("/login"));
    }
}
