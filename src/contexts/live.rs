//! The live connection: one WebSocket per tab while signed in, reconnecting with
//! exponential backoff and jitter and resuming from the last sequence number applied.
//! Events patch the [`BoardStore`] in place (so the calendar, the lists and an open modal
//! follow without a reload); `reload` (a resume from too long ago) re-reads the board; a
//! new request raises a toast and, in a hidden tab, a browser notification. The same
//! connection brings the company's presence picture and carries this board's activity
//! (see `contexts::presence`). A close with `SESSION_ENDED_CLOSE` (the session was
//! revoked, expired or its user deactivated) ends the local session instead of
//! reconnecting.

use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    api::live::{LiveEvent, LiveMessage, LiveSocket, SESSION_ENDED_CLOSE},
    components::calendar::CalendarContext,
    contexts::{
        board::{use_board, BoardStore},
        session::{use_session, SessionContext, SessionState},
        toasts::{use_toasts, Toasts},
    },
    i18n::{use_i18n, I18n},
};
use domain::{
    api::live::{ActivityAction, Presence},
    view::CallView,
};

/// The first reconnect waits about this long; each further failure doubles it…
const BACKOFF_START_MS: f64 = 500.0;
/// …up to this.
const BACKOFF_CAP_MS: f64 = 30_000.0;
/// After this many failed attempts in a row the indicator says "offline" (it keeps
/// trying at the capped pace).
const OFFLINE_AFTER: u32 = 3;
/// How often an activity in progress is repeated, well within the server's 45 s lapse.
const ACTIVITY_REPEAT_MS: u64 = 15_000;

/// What the indicator shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    /// The first connection is being opened.
    Connecting,
    /// Connected and up to date.
    Live,
    /// The connection dropped; trying again.
    Reconnecting,
    /// Several attempts failed, or the browser is offline.
    Offline,
}

/// Browser notification permission as the indicator offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyPermission {
    Unsupported,
    Ask,
    Granted,
    Denied,
}

#[derive(Default)]
struct Connection {
    socket: Option<LiveSocket>,
    /// The last sequence number applied (`None` before the first `ready`).
    last_seq: Option<i64>,
    failures: u32,
    retry: Option<TimeoutHandle>,
    /// Whether the socket has reached `ready` (activities are sent only then).
    ready: bool,
    /// The call this board is working on, sent on every (re)connect and repeated.
    activity: Option<(Uuid, ActivityAction)>,
}

/// The live connection's state for the header and the pages.
#[derive(Clone, Copy)]
pub struct LiveContext {
    /// live / connecting / reconnecting / offline.
    pub status: RwSignal<LiveStatus>,
    /// Bumped whenever the board must be re-read (a `reload`, or a fresh connection
    /// whose backlog could not be known).
    pub reloads: RwSignal<u64>,
    /// The last call changed or removed by someone else, with a counter so the same call
    /// twice still notifies.
    pub changed: RwSignal<(u64, Option<Uuid>)>,
    /// Whether browser notifications may be shown.
    pub permission: RwSignal<NotifyPermission>,
    /// Who of the company is online and which calls they work on (empty while not
    /// connected: the picture would be stale).
    pub presence: RwSignal<Presence>,
    /// Bumped whenever a technician of the company changed (the team tab reads its list
    /// again; the calendar's rows and the picker follow the roster, which re-reads itself).
    pub technicians: RwSignal<u64>,
    connection: StoredValue<Connection, LocalStorage>,
    /// What a call from the server becomes on this board: the offline queue
    /// (crate::offline, provided after this) puts the changes still waiting on top.
    shape: StoredValue<Option<ViewShaper>, LocalStorage>,
    // Events arrive outside any component: the handles they need are kept here.
    board: BoardStore,
    roster: crate::contexts::board::Roster,
    toasts: Toasts,
    i18n: I18n,
    session: SessionContext,
}

/// The live connection (provided by `App`).
pub fn use_live() -> LiveContext {
    expect_context::<LiveContext>()
}

fn current_permission() -> NotifyPermission {
    let supported = js_sys::Reflect::has(&window(), &"Notification".into()).unwrap_or(false);
    if !supported {
        return NotifyPermission::Unsupported;
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => NotifyPermission::Granted,
        web_sys::NotificationPermission::Denied => NotifyPermission::Denied,
        _ => NotifyPermission::Ask,
    }
}

/// Milliseconds before attempt `failures` (≥ 1): exponential, capped, with "equal
/// jitter" so a restarted server is not hit by every tab at the same instant.
fn backoff_ms(failures: u32) -> f64 {
    let exp = BACKOFF_START_MS * 2f64.powi(i32::try_from(failures.min(16)).unwrap_or(16) - 1);
    let ceiling = exp.min(BACKOFF_CAP_MS);
    ceiling / 2.0 + js_sys::Math::random() * ceiling / 2.0
}

/// See [`LiveContext::shape_views_with`].
type ViewShaper = std::rc::Rc<dyn Fn(CallView) -> CallView>;

/// Applies a call view from the server unless the board already has this version or a
/// newer one (its own save, or an optimistic move awaiting confirmation); changes still
/// waiting in the offline queue stay on top of it.
fn apply_view(live: LiveContext, view: CallView) {
    let board = live.board;
    let known = board.call(view.id).map(|c| c.get_untracked().version);
    if known.is_none_or(|v| view.version > v) {
        let view = match live.shape.with_value(Clone::clone) {
            Some(shape) => shape(view),
            None => view,
        };
        board.upsert(view);
    }
}

impl LiveContext {
    /// Every call view a live event brings passes through `shape` before the board
    /// shows it (the offline queue's waiting changes on top).
    pub fn shape_views_with(self, shape: impl Fn(CallView) -> CallView + 'static) {
        self.shape.set_value(Some(std::rc::Rc::new(shape)));
    }

    fn open(self) {
        if crate::embed::bearer().is_none() {
            self.open_with(None);
            return;
        }
        // An embedded session may live in the bearer token alone (the browser kept no
        // cookie in the frame): a single-use ticket opens the socket as that session.
        // Where the cookie was kept, the server goes by the cookie.
        leptos::task::spawn_local(async move {
            match crate::api::company::events_ticket().await {
                Ok(ticket) => self.open_with(Some(&ticket)),
                Err(_) => self.closed(0),
            }
        });
    }

    fn open_with(self, ticket: Option<&str>) {
        let since = self.connection.with_value(|c| c.last_seq);
        let on_message = move |message| self.receive(message);
        let on_closed = move |code| self.closed(code);
        match LiveSocket::open(since, ticket, on_message, on_closed) {
            Ok(socket) => self.connection.update_value(|c| c.socket = Some(socket)),
            Err(_) => self.closed(0),
        }
    }

    fn receive(self, message: LiveMessage) {
        match message {
            LiveMessage::Ready { seq } => {
                let fresh = self.connection.with_value(|c| c.last_seq.is_none());
                self.connection.update_value(|c| {
                    c.last_seq = Some(seq);
                    c.failures = 0;
                    c.ready = true;
                });
                if self.connection.with_value(|c| c.activity.is_some()) {
                    self.send_activity();
                }
                // A board read older than where a fresh stream starts misses the events
                // in between; a newer one (the usual cold start) needs no second read.
                if fresh && self.board.live_started(seq) {
                    self.reloads.update(|n| *n += 1);
                }
                self.status.set(LiveStatus::Live);
            }
            LiveMessage::Reload { seq } => {
                self.connection.update_value(|c| c.last_seq = Some(seq));
                self.reloads.update(|n| *n += 1);
            }
            LiveMessage::Presence(presence) => self.presence.set(presence),
            // The call left the board meanwhile; its own event says so.
            LiveMessage::ActivityRefused => {}
            LiveMessage::Event { seq, event } => {
                let duplicate = self
                    .connection
                    .with_value(|c| c.last_seq.is_some_and(|last| seq <= last));
                if duplicate {
                    return;
                }
                self.connection.update_value(|c| c.last_seq = Some(seq));
                self.apply(event);
            }
        }
    }

    fn apply(self, event: LiveEvent) {
        let board = self.board;
        match event {
            LiveEvent::NewOffer(view) => {
                let service = view.service.name.clone();
                let area = format!("{} {}", view.client_area.postcode, view.client_area.city);
                apply_view(self, *view);
                self.announce_offer(&service, &area);
            }
            LiveEvent::CallChanged(view) => {
                let id = view.id;
                apply_view(self, *view);
                self.changed.update(|(n, last)| {
                    *n += 1;
                    *last = Some(id);
                });
            }
            LiveEvent::OfferTaken(id) => {
                // Another partner won: the card says so in place, then leaves.
                board.mark_taken(id);
                self.changed.update(|(n, last)| {
                    *n += 1;
                    *last = Some(id);
                });
            }
            LiveEvent::CallRemoved(id) => {
                board.remove(id);
                self.changed.update(|(n, last)| {
                    *n += 1;
                    *last = Some(id);
                });
            }
            LiveEvent::TechnicianChanged(_) => {
                // The rows and the picker must not offer a deactivated or renamed
                // technician until the next reload.
                self.roster.refresh();
                self.technicians.update(|n| *n += 1);
            }
            LiveEvent::Other => {}
        }
    }

    fn announce_offer(self, service: &str, area: &str) {
        let (toasts, i18n) = (self.toasts, self.i18n);
        let text = i18n
            .t("live.new_offer")
            .replace("{service}", service)
            .replace("{area}", area);
        toasts.info(text.clone());
        let hidden = document().hidden();
        if hidden && current_permission() == NotifyPermission::Granted {
            let options = web_sys::NotificationOptions::new();
            options.set_body(&text);
            options.set_tag("relay-new-offer");
            let _ = web_sys::Notification::new_with_options(
                &i18n.t("live.notification_title"),
                &options,
            );
        }
    }

    fn closed(self, code: u16) {
        if code == SESSION_ENDED_CLOSE {
            // Signed out elsewhere, deactivated or expired: reconnecting cannot help;
            // the session's end sends the app to the sign-in page.
            self.connection.update_value(|c| c.socket = None);
            self.session.ended();
            return;
        }
        let failures = self.connection.with_value(|c| c.failures) + 1;
        self.connection.update_value(|c| {
            c.socket = None;
            c.failures = failures;
            c.ready = false;
        });
        self.presence.set(Presence::default());
        let online = window().navigator().on_line();
        self.status.set(if failures > OFFLINE_AFTER || !online {
            LiveStatus::Offline
        } else {
            LiveStatus::Reconnecting
        });
        self.schedule(backoff_ms(failures));
    }

    fn schedule(self, delay_ms: f64) {
        self.cancel_retry();
        let handle = set_timeout_with_handle(
            move || {
                self.connection.update_value(|c| c.retry = None);
                if self.connection.with_value(|c| c.socket.is_none()) {
                    self.open();
                }
            },
            std::time::Duration::from_millis(delay_ms as u64),
        )
        .ok();
        self.connection.update_value(|c| c.retry = handle);
    }

    fn cancel_retry(self) {
        if let Some(handle) = self
            .connection
            .try_update_value(|c| c.retry.take())
            .flatten()
        {
            handle.clear();
        }
    }

    /// Opens the connection now (signed in, or back online) unless one is open.
    pub fn connect_now(self) {
        self.cancel_retry();
        if self.connection.with_value(|c| c.socket.is_none()) {
            if self.status.get_untracked() != LiveStatus::Live {
                self.status
                    .set(if self.connection.with_value(|c| c.last_seq.is_none()) {
                        LiveStatus::Connecting
                    } else {
                        LiveStatus::Reconnecting
                    });
            }
            self.open();
        }
    }

    /// Closes the connection (signed out); the next sign-in starts afresh.
    pub fn disconnect(self) {
        self.cancel_retry();
        self.connection.update_value(|c| *c = Connection::default());
        self.board.forget_live();
        self.status.set(LiveStatus::Offline);
        self.presence.set(Presence::default());
    }

    /// This board now works on `call` (`Dragging` or `Editing`): colleagues see it.
    pub fn start_activity(self, call: Uuid, action: ActivityAction) {
        let current = Some((call, action));
        if self.connection.with_value(|c| c.activity == current) {
            return;
        }
        self.connection.update_value(|c| c.activity = current);
        self.send_activity();
    }

    /// This board is done with `call` (nothing happens if it has turned to another call
    /// meanwhile).
    pub fn end_activity(self, call: Uuid) {
        let on_it = self
            .connection
            .try_with_value(|c| c.activity.is_some_and(|(id, _)| id == call))
            .unwrap_or(false);
        if on_it {
            self.connection.update_value(|c| c.activity = None);
            self.send_activity();
        }
    }

    /// Sends the current activity (or `idle`) if the socket is ready.
    fn send_activity(self) {
        self.connection.with_value(|c| {
            let Some(socket) = c.socket.as_ref().filter(|_| c.ready) else {
                return;
            };
            match c.activity {
                Some((call, action)) => socket.send_activity(Some(call), action),
                None => socket.send_activity(None, ActivityAction::Idle),
            }
        });
    }

    /// Asks for permission to show notifications (call from a click, never on load).
    pub fn request_notifications(self) {
        if current_permission() != NotifyPermission::Ask {
            return;
        }
        if let Ok(promise) = web_sys::Notification::request_permission() {
            let permission = self.permission;
            leptos::task::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                permission.set(current_permission());
            });
        }
    }
}

/// Provides the live connection; it follows the session (open while signed in).
pub fn provide_live() -> LiveContext {
    let live = LiveContext {
        status: RwSignal::new(LiveStatus::Connecting),
        reloads: RwSignal::new(0),
        changed: RwSignal::new((0, None)),
        permission: RwSignal::new(current_permission()),
        presence: RwSignal::new(Presence::default()),
        technicians: RwSignal::new(0),
        connection: StoredValue::new_local(Connection::default()),
        shape: StoredValue::new_local(None),
        board: use_board(),
        roster: crate::contexts::board::use_roster(),
        toasts: use_toasts(),
        i18n: use_i18n(),
        session: use_session(),
    };
    provide_context(live);
    let session = live.session;
    Effect::new(move |_| match session.0.get() {
        SessionState::SignedIn(_) => live.connect_now(),
        SessionState::SignedOut => live.disconnect(),
        SessionState::Checking => {}
    });
    // Back online: try at once instead of waiting out the backoff.
    let online = window_event_listener(leptos::ev::online, move |_| {
        if matches!(session.0.get_untracked(), SessionState::SignedIn(_)) {
            live.connect_now();
        }
    });
    // An activity in progress is repeated, or the server lets it lapse.
    let repeat = set_interval_with_handle(
        move || {
            if live.connection.with_value(|c| c.activity.is_some()) {
                live.send_activity();
            }
        },
        std::time::Duration::from_millis(ACTIVITY_REPEAT_MS),
    )
    .ok();
    on_cleanup(move || {
        online.remove();
        if let Some(repeat) = repeat {
            repeat.clear();
        }
    });
    live
}

/// Ends the user's drag of a call that someone else changed meanwhile, with a message.
/// Call it inside the calendar page (where the calendar context exists); does nothing
/// elsewhere.
pub fn end_drags_changed_elsewhere() {
    let Some(calendar) = use_context::<CalendarContext>() else {
        return;
    };
    let live = use_live();
    let toasts = use_toasts();
    let i18n = use_i18n();
    Effect::new(move |_| {
        let (_, Some(id)) = live.changed.get() else {
            return;
        };
        let dragged = calendar
            .drag
            .with_untracked(|d| d.as_ref().is_some_and(|d| d.call_id == id));
        if dragged {
            calendar.drag.set(None);
            toasts.error(i18n.t("live.drag_ended"));
        }
    });
}
