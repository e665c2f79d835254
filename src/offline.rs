//! Working without a network: whether the browser is online (`navigator.onLine` and its
//! `online`/`offline` events, next to the live socket's own view), and whether the board
//! on screen is the one kept from the last visit (`api::board_or_saved`) rather than a
//! fresh one. While either holds, the board is read-only: drags and edits are refused
//! with the reason, since a change could not reach the server (the offline queue of
//! issue 19 will lift this for the changes it can replay).

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::contexts::live::{use_live, LiveStatus};

/// The app-wide offline state (provided by `App`).
#[derive(Debug, Clone, Copy)]
pub struct OfflineContext {
    /// `navigator.onLine`, kept current by the window's events.
    pub online: RwSignal<bool>,
    /// When the board on screen was read, if it is the kept one (`None`: fresh).
    pub board_as_of: RwSignal<Option<DateTime<Utc>>>,
}

impl OfflineContext {
    /// Whether changes are refused now (reactive).
    pub fn read_only(&self) -> bool {
        !self.online.get() || self.board_as_of.get().is_some()
    }

    /// Like [`Self::read_only`], outside reactive tracking (event handlers).
    pub fn read_only_untracked(&self) -> bool {
        !self.online.get_untracked() || self.board_as_of.get_untracked().is_some()
    }
}

/// Provides the offline state and follows the browser's `online`/`offline` events. Going
/// offline says so in the live indicator at once (the socket may take a while to notice);
/// coming back is left to the live connection, which reconnects on `online` and, once
/// ready, has the board read again.
pub fn provide_offline() -> OfflineContext {
    let context = OfflineContext {
        online: RwSignal::new(window().navigator().on_line()),
        board_as_of: RwSignal::new(None),
    };
    provide_context(context);
    let live = use_live();
    let went_offline = window_event_listener(leptos::ev::offline, move |_| {
        context.online.set(false);
        live.status.set(LiveStatus::Offline);
    });
    let came_back = window_event_listener(leptos::ev::online, move |_| {
        context.online.set(true);
    });
    on_cleanup(move || {
        went_offline.remove();
        came_back.remove();
    });
    context
}

/// The app's [`OfflineContext`].
pub fn use_offline() -> OfflineContext {
    expect_context::<OfflineContext>()
}

/// `true` (after telling the user why) when the board is read-only and a change must not
/// start; call it where a drag or an edit begins.
pub fn refuse_change() -> bool {
    let Some(offline) = use_context::<OfflineContext>() else {
        return false;
    };
    if !offline.read_only_untracked() {
        return false;
    }
    let i18n = crate::i18n::use_i18n();
    crate::contexts::toasts::use_toasts().info(i18n.t("pwa.offline_read_only"));
    true
}
