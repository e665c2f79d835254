//! Presence on the board: who of the company is online, which call a colleague is
//! moving or has open (a soft lock: a warning, never a block), and the hooks that tell
//! colleagues what this board does. The picture arrives over the live connection
//! (`contexts::live`); the rules of reading it live in `domain::api::live`.

use std::collections::HashMap;

use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    components::calendar::CalendarContext,
    contexts::{live::use_live, session::use_session},
    i18n::I18n,
};
use domain::api::live::{first_name, Activity, ActivityAction, PresenceUser};

/// The signed-in user's id (`None` while signed out).
fn my_id() -> Signal<Option<Uuid>> {
    let session = use_session();
    Signal::derive(move || session.me().map(|me| me.user_id))
}

/// The colleagues online now (everyone but the signed-in user), in the server's order.
pub fn use_colleagues() -> Memo<Vec<PresenceUser>> {
    let live = use_live();
    let me = my_id();
    Memo::new(move |_| {
        let me = me.get().unwrap_or_default();
        live.presence
            .with(|p| p.colleagues(me).cloned().collect::<Vec<_>>())
    })
}

/// The calls colleagues work on (soft locks), for a board of thousands of blocks: one map
/// for the whole board, kept from the presence picture, and each reader (a block, the
/// detail modal) notified only when its own call's entry changes — not a memo over the
/// whole picture per block.
#[derive(Clone, Copy)]
pub struct SoftLocks {
    locks: StoredValue<HashMap<Uuid, Activity>>,
    /// One trigger per call somebody reads, created on the first read and kept (at most
    /// one per call of the board).
    readers: StoredValue<HashMap<Uuid, ArcTrigger>>,
}

impl SoftLocks {
    /// A colleague's activity on `call`, if any (this board's own never counts). Tracked:
    /// the caller re-runs when that call's entry changes, and only then.
    pub fn on(self, call: Uuid) -> Option<Activity> {
        self.readers
            .update_value(|readers| readers.entry(call).or_default().track());
        self.locks.with_value(|locks| locks.get(&call).cloned())
    }
}

/// Provides the board's [`SoftLocks`], kept up to date from the live presence picture.
pub fn provide_soft_locks() {
    let live = use_live();
    let me = my_id();
    let soft_locks = SoftLocks {
        locks: StoredValue::new(HashMap::new()),
        readers: StoredValue::new(HashMap::new()),
    };
    Effect::new(move |_| {
        let me = me.get().unwrap_or_default();
        let next: HashMap<Uuid, Activity> = live.presence.with(|p| {
            p.soft_locks(me)
                .into_iter()
                .map(|(call, activity)| (call, activity.clone()))
                .collect()
        });
        let changed: Vec<Uuid> = soft_locks
            .locks
            .try_update_value(|locks| {
                let changed = locks
                    .iter()
                    .filter(|(call, activity)| next.get(*call) != Some(*activity))
                    .map(|(call, _)| *call)
                    .chain(
                        next.keys()
                            .filter(|call| !locks.contains_key(*call))
                            .copied(),
                    )
                    .collect();
                *locks = next;
                changed
            })
            .unwrap_or_default();
        soft_locks.readers.with_value(|readers| {
            for call in changed {
                if let Some(trigger) = readers.get(&call) {
                    trigger.notify();
                }
            }
        });
    });
    provide_context(soft_locks);
}

/// The app's [`SoftLocks`].
pub fn use_soft_locks() -> SoftLocks {
    expect_context::<SoftLocks>()
}

/// "Sandra is moving this" / "Sandra has this open".
pub fn activity_text(i18n: &I18n, activity: &Activity) -> String {
    let key = match activity.action {
        ActivityAction::Dragging => "presence.moving",
        ActivityAction::Editing | ActivityAction::Idle => "presence.editing",
    };
    i18n.t(key).replace("{name}", first_name(&activity.name))
}

/// Tells colleagues which call this board is moving: from the drag's start (once the
/// pointer really moved, or by keyboard) until its move is confirmed or dropped. Call it
/// inside the calendar page; it only observes the calendar's drag state.
pub fn report_drags() {
    let Some(calendar) = use_context::<CalendarContext>() else {
        return;
    };
    let live = use_live();
    let moving = Memo::new(move |_| {
        calendar.dragging.get().or_else(|| {
            calendar
                .pending
                .with(|p| p.as_ref().map(|pending| pending.call.id))
        })
    });
    Effect::new(move |before: Option<Option<Uuid>>| {
        let now = moving.get();
        if let Some(Some(before)) = before.filter(|b| *b != now) {
            live.end_activity(before);
        }
        if let Some(call) = now {
            live.start_activity(call, ActivityAction::Dragging);
        }
        now
    });
    on_cleanup(move || {
        if let Some(call) = moving.try_get_untracked().flatten() {
            live.end_activity(call);
        }
    });
}

/// Tells colleagues this board has `call` open, for as long as the calling component
/// (the detail modal) lives.
pub fn report_editing(call: Uuid) {
    let live = use_live();
    live.start_activity(call, ActivityAction::Editing);
    on_cleanup(move || live.end_activity(call));
}
