//! Working without a network: whether the browser is online (`navigator.onLine` and its
//! `online`/`offline` events, next to the live socket's own view), whether the board on
//! screen is the one kept from the last visit (`api::board_or_saved`), and the queue of
//! changes made meanwhile.
//!
//! Moves, reassignments, "client called", the agreed price, report notes and order lines
//! go through [`OfflineContext::patch_call`], [`OfflineContext::add_report_note`] and
//! [`OfflineContext::add_line`]: online they are sent at once (with an
//! `Idempotency-Key`); when the server cannot be reached they show on the board at once,
//! marked pending, and wait in the queue ([`crate::api::queue`], IndexedDB) with their
//! key and the version they were based on. When the connection returns (`online`, the
//! live socket connecting, a sign-in) the queue is sent in order; an answer lost on the
//! way comes back as the server's stored answer on the repeat, never as a second change.
//! A 409 (the call changed meanwhile) turns the change into a conflict the dispatcher
//! decides (`components::common::queue_badge`); a 401 leaves the queue as it is until
//! the next sign-in. Tabs share the queue: one sends at a time (the Web Locks API), each
//! re-reads it before sending, and they tell each other of changes (a
//! `BroadcastChannel`). What needs the server's answer now — accepting (first accept
//! wins), declining, closing, cancelling, team changes — is refused offline with the
//! reason ([`OfflineContext::needs_network`], [`refuse_online_only`]).

use std::{
    collections::{HashMap, HashSet},
    future::Future,
};

use chrono::{DateTime, Utc};
use domain::{
    api::{
        calls::PatchCall,
        orders::{AddLine, NewReportNote},
        Role,
    },
    command::Actor,
    view::CallView,
};
use leptos::{prelude::*, task::spawn_local};
use uuid::Uuid;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use crate::{
    api::{
        queue::{self, Change, Intent},
        ApiError,
    },
    contexts::{
        board::{use_board, BoardStore},
        live::{use_live, LiveStatus},
        session::{use_session, SessionContext},
        toasts::{use_toasts, Toasts},
    },
    i18n::{use_i18n, I18n},
};

/// The Web Lock and broadcast channel name shared by the tabs of this origin.
const SHARED: &str = "relay-queue";
/// How long to wait before trying again when the server could not be reached.
const RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// The signed-in user whose queue this is.
#[derive(Debug, Clone, PartialEq)]
struct Owner {
    user: Uuid,
    actor: Actor,
}

/// The app-wide offline state (provided by `App`).
#[derive(Clone, Copy)]
pub struct OfflineContext {
    /// `navigator.onLine`, kept current by the window's events.
    pub online: RwSignal<bool>,
    /// When the board on screen was read, if it is the kept one (`None`: fresh).
    pub board_as_of: RwSignal<Option<DateTime<Utc>>>,
    /// The changes waiting for the server, oldest first (this tab's copy of the queue).
    pub queue: RwSignal<Vec<Intent>>,
    /// Whether changes can be queued here (IndexedDB works); without it, offline is
    /// read-only.
    pub queueable: RwSignal<bool>,
    owner: RwSignal<Option<Owner>>,
    /// This tab is sending the queue now.
    replaying: RwSignal<bool>,
    /// A retry is scheduled.
    retry_due: RwSignal<bool>,
    /// A send was asked for while one was under way: run again once it ends.
    again: RwSignal<bool>,
    channel: StoredValue<Option<web_sys::BroadcastChannel>, LocalStorage>,
    /// The calls with changes waiting, and one trigger per call a block reads it for:
    /// a queue change notifies only the blocks whose mark changes (as `SoftLocks` does).
    pending_ids: StoredValue<HashSet<Uuid>>,
    readers: StoredValue<HashMap<Uuid, ArcTrigger>>,
    board: BoardStore,
    toasts: Toasts,
    i18n: I18n,
    session: SessionContext,
}

impl OfflineContext {
    /// Whether nothing can be changed now (reactive): offline (or on a kept board)
    /// without a queue to keep the changes in.
    pub fn read_only(&self) -> bool {
        self.needs_network() && !self.queueable.get()
    }

    /// Like [`Self::read_only`], outside reactive tracking (event handlers).
    pub fn read_only_untracked(&self) -> bool {
        self.needs_network_untracked() && !self.queueable.get_untracked()
    }

    /// Whether what needs the server's answer now (accept, decline, close, cancel, team
    /// changes) is refused (reactive): offline, or the board on screen is the kept one.
    pub fn needs_network(&self) -> bool {
        !self.online.get() || self.board_as_of.get().is_some()
    }

    fn needs_network_untracked(&self) -> bool {
        !self.online.get_untracked() || self.board_as_of.get_untracked().is_some()
    }

    /// Whether changes to call `id` wait in the queue (reactive): its block and card say
    /// so. The caller re-runs when this call's mark changes, and only then.
    pub fn pending(&self, id: Uuid) -> bool {
        self.readers
            .update_value(|readers| readers.entry(id).or_default().track());
        self.pending_ids.with_value(|ids| ids.contains(&id))
    }

    /// `view` from the server with this call's waiting changes on top: a fetch or a live
    /// event must not hide what the dispatcher did while the server has not got it yet.
    pub fn with_waiting(&self, view: CallView) -> CallView {
        if !self.pending_untracked(view.id) {
            return view;
        }
        self.queue
            .with_untracked(|items| queue::overlay(view, items))
    }

    /// Whether changes to call `id` wait in the queue, outside reactive tracking.
    pub fn pending_untracked(&self, id: Uuid) -> bool {
        self.queue
            .with_untracked(|q| q.iter().any(|i| i.call_id == id))
    }

    /// Moves, reassigns, confirms "client called" or re-prices call `id`: sent now, or
    /// queued when the server cannot be reached (answered with the call as it will be).
    pub async fn patch_call(self, id: Uuid, change: &PatchCall) -> Result<CallView, ApiError> {
        let before = self.board.call(id).map(|c| c.get_untracked());
        self.submit(id, before, Change::Patch(change.clone())).await
    }

    /// [`Self::patch_call`] for a caller that has shown the change on the board already
    /// (a calendar drop): `before` is the call as it was before it.
    pub async fn patch_call_from(
        self,
        before: CallView,
        change: &PatchCall,
    ) -> Result<CallView, ApiError> {
        self.submit(before.id, Some(before), Change::Patch(change.clone()))
            .await
    }

    /// Adds a work-report note to call `id`, now or through the queue.
    pub async fn add_report_note(
        self,
        id: Uuid,
        note: &NewReportNote,
    ) -> Result<CallView, ApiError> {
        let before = self.board.call(id).map(|c| c.get_untracked());
        self.submit(id, before, Change::ReportNote(note.clone()))
            .await
    }

    /// Adds time units, a material or a discount to call `id`, now or through the queue.
    pub async fn add_line(self, id: Uuid, line: &AddLine) -> Result<CallView, ApiError> {
        // The line's id is chosen here, so the server never adds it twice either.
        let mut line = line.clone();
        line.line_id.get_or_insert_with(Uuid::new_v4);
        let before = self.board.call(id).map(|c| c.get_untracked());
        self.submit(id, before, Change::AddLine(line)).await
    }

    /// The one way a queueable change reaches the server. Sent at once while online and
    /// nothing of this call waits (changes of one call keep their order); when the
    /// network fails (also after the server got it: the queue repeats it with the same
    /// key) or the browser is offline, kept in the queue and shown on the board.
    async fn submit(
        self,
        id: Uuid,
        before: Option<CallView>,
        change: Change,
    ) -> Result<CallView, ApiError> {
        let (Some(owner), Some(before)) = (self.owner.get_untracked(), before) else {
            // Not on this board (or signed out): nothing to show it on; sent once.
            return queue::send_change(id, &change, Uuid::new_v4()).await;
        };
        let intent = Intent::new(before, change, owner.actor.clone());
        let waiting = self.pending_untracked(id);
        if self.online.get_untracked() && !waiting {
            match queue::send(&intent).await {
                Ok(view) => {
                    self.board.upsert(view.clone());
                    return Ok(view);
                }
                Err(ApiError::Network(_)) if self.queueable.get_untracked() => {}
                Err(err) => return Err(err),
            }
        } else if !self.queueable.get_untracked() {
            return Err(ApiError::Network("offline".to_owned()));
        }
        // `before` shows the changes already waiting: only this one goes on top.
        let shown = queue::overlay(intent.before.clone(), std::slice::from_ref(&intent));
        self.board.upsert(shown.clone());
        let user = owner.user;
        self.mutate(user, move |items| items.push(intent)).await;
        self.schedule_replay();
        Ok(shown)
    }

    /// Drops a waiting change; its call goes back to how it was before it (with the
    /// changes still waiting on top).
    pub fn discard(self, key: Uuid) {
        let Some(owner) = self.owner.get_untracked() else {
            return;
        };
        self.restore_after_removal(key);
        spawn_local(async move {
            self.mutate(owner.user, move |items| items.retain(|i| i.key != key))
                .await;
        });
    }

    /// The board's view of the call of the change `key` once that change is gone: the
    /// state before the oldest waiting change of the call, with the others on top.
    fn restore_after_removal(self, key: Uuid) {
        let Some((call, base)) = self.queue.with_untracked(|q| {
            let removed = q.iter().find(|i| i.key == key)?;
            let call = removed.call_id;
            let first = q.iter().find(|i| i.call_id == call)?;
            Some((
                call,
                first
                    .conflict
                    .clone()
                    .unwrap_or_else(|| first.before.clone()),
            ))
        }) else {
            return;
        };
        let rest: Vec<Intent> = self.queue.with_untracked(|q| {
            q.iter()
                .filter(|i| i.key != key && i.call_id == call)
                .cloned()
                .collect()
        });
        self.board.upsert(queue::overlay(base, &rest));
    }

    /// "Keep theirs": the conflicting change is dropped; the call stays as it is now.
    pub fn keep_theirs(self, key: Uuid) {
        let Some(owner) = self.owner.get_untracked() else {
            return;
        };
        if let Some(current) = self.conflict_of(key) {
            let rest: Vec<Intent> = self.queue.with_untracked(|q| {
                q.iter()
                    .filter(|i| i.key != key && i.call_id == current.id)
                    .cloned()
                    .collect()
            });
            self.board.upsert(queue::overlay(current, &rest));
        }
        spawn_local(async move {
            self.mutate(owner.user, move |items| items.retain(|i| i.key != key))
                .await;
        });
    }

    /// "Apply mine": the change is sent again, based on the call as it is now — a new
    /// change, so with a new key.
    pub fn apply_mine(self, key: Uuid) {
        let Some(owner) = self.owner.get_untracked() else {
            return;
        };
        let Some(current) = self.conflict_of(key) else {
            return;
        };
        let rebased = current.clone();
        spawn_local(async move {
            let items = self
                .mutate(owner.user, move |items| {
                    if let Some(item) = items.iter_mut().find(|i| i.key == key) {
                        item.change = item.change.rebased(rebased.version);
                        item.before = rebased;
                        item.conflict = None;
                        item.key = Uuid::new_v4();
                    }
                })
                .await;
            self.board.upsert(queue::overlay(current, &items));
            self.replay();
        });
    }

    fn conflict_of(self, key: Uuid) -> Option<CallView> {
        self.queue.with_untracked(|q| {
            q.iter()
                .find(|i| i.key == key)
                .and_then(|i| i.conflict.clone())
        })
    }

    /// Changes the kept queue under the shared lock (read afresh, changed, stored, told
    /// to the other tabs) and returns it.
    async fn mutate(
        self,
        user: Uuid,
        change: impl FnOnce(&mut Vec<Intent>) + 'static,
    ) -> Vec<Intent> {
        exclusively(async move { self.mutate_held(user, change).await })
            .await
            .unwrap_or_default()
    }

    /// [`Self::mutate`] for a caller that holds the lock already.
    async fn mutate_held(self, user: Uuid, change: impl FnOnce(&mut Vec<Intent>)) -> Vec<Intent> {
        let mut items = queue::load(user).await;
        change(&mut items);
        queue::save(user, &items).await;
        self.queue.set(items.clone());
        self.tell_other_tabs();
        items
    }

    fn tell_other_tabs(self) {
        self.channel.with_value(|c| {
            if let Some(channel) = c {
                let _ = channel.post_message(&JsValue::from_str("changed"));
            }
        });
    }

    /// Re-reads the kept queue (another tab changed it).
    fn refresh(self) {
        let Some(owner) = self.owner.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let items = queue::load(owner.user).await;
            let before = self.queue.get_untracked();
            self.follow_other_tab(&before, &items);
            self.queue.set(items);
        });
    }

    /// Another tab changed the shared queue (`old` → `new`): this board shows the same.
    /// A change it added goes on top of the call as shown here. A call whose waiting
    /// change it dropped (sent, or discarded) is shown as the server has it now, with
    /// what still waits on top (offline: as it was before that change); a call already
    /// at a newer version than that change was based on stays as it is.
    fn follow_other_tab(self, old: &[Intent], new: &[Intent]) {
        let known: HashSet<Uuid> = old.iter().map(|i| i.key).collect();
        let kept: HashSet<Uuid> = new.iter().map(|i| i.key).collect();
        for intent in new
            .iter()
            .filter(|i| !known.contains(&i.key) && i.conflict.is_none())
        {
            if let Some(call) = self.board.call(intent.call_id) {
                let shown = queue::overlay(call.get_untracked(), std::slice::from_ref(intent));
                self.board.upsert(shown);
            }
        }
        let mut reverted = HashSet::new();
        for (index, intent) in old.iter().enumerate() {
            if kept.contains(&intent.key) || !reverted.insert(intent.call_id) {
                continue;
            }
            let Some(call) = self.board.call(intent.call_id) else {
                continue;
            };
            if call.with_untracked(|c| c.version) > intent.before.version {
                continue;
            }
            // `before` holds the changes queued ahead of this one; on top go those after.
            let earlier: HashSet<Uuid> = old[..index].iter().map(|i| i.key).collect();
            let after: Vec<Intent> = new
                .iter()
                .filter(|i| i.call_id == intent.call_id && !earlier.contains(&i.key))
                .cloned()
                .collect();
            // Sent or discarded? The server knows: its view, with what still waits on
            // top. Without a connection it cannot have been sent: back to `before`.
            let offline_view = queue::overlay(intent.before.clone(), &after);
            let id = intent.call_id;
            spawn_local(async move {
                match crate::api::call(id).await {
                    Ok(view) => self.board.upsert(self.with_waiting(view)),
                    Err(_) => self.board.upsert(offline_view),
                }
            });
        }
    }

    /// Sends the queue soon (after the current task, so a change being made finishes).
    fn schedule_replay(self) {
        if self.online.get_untracked() {
            set_timeout(move || self.replay(), std::time::Duration::from_millis(0));
        }
    }

    fn retry_later(self) {
        if self.retry_due.get_untracked() {
            return;
        }
        self.retry_due.set(true);
        set_timeout(
            move || {
                self.retry_due.set(false);
                self.replay();
            },
            RETRY,
        );
    }

    /// Sends the waiting changes in order, one tab at a time.
    pub fn replay(self) {
        if !self.online.get_untracked() {
            return;
        }
        if self.replaying.get_untracked() {
            self.again.set(true);
            return;
        }
        let Some(owner) = self.owner.get_untracked() else {
            return;
        };
        self.replaying.set(true);
        spawn_local(async move {
            exclusively(async move { self.replay_held(owner.user).await }).await;
            self.replaying.set(false);
            if std::mem::take(&mut *self.again.write()) {
                self.replay();
            }
        });
    }

    async fn replay_held(self, user: Uuid) {
        loop {
            let items = queue::load(user).await;
            self.queue.set(items.clone());
            // The oldest change whose call has no unresolved conflict before it.
            let next = items.iter().enumerate().find(|(index, intent)| {
                intent.conflict.is_none()
                    && !items[..*index]
                        .iter()
                        .any(|i| i.call_id == intent.call_id && i.conflict.is_some())
            });
            let Some((_, intent)) = next else {
                return;
            };
            let intent = intent.clone();
            match queue::send(&intent).await {
                Ok(view) => {
                    // The version the call had when this change was made (a note
                    // carries none of its own, yet moves the call's version on too).
                    let base = Some(intent.before.version);
                    let answer = view.clone();
                    let items = self
                        .mutate_held(user, move |items| {
                            items.retain(|i| i.key != intent.key);
                            // The later changes of the call were based on the version
                            // this one replaced: they follow on from the new one.
                            for later in items.iter_mut().filter(|i| i.call_id == view.id) {
                                if later.change.version() == base {
                                    later.change = later.change.rebased(view.version);
                                }
                            }
                        })
                        .await;
                    // The server's answer, with what still waits for the call on top.
                    self.board.upsert(queue::overlay(answer, &items));
                }
                Err(ApiError::Network(_)) => {
                    self.retry_later();
                    return;
                }
                Err(err) if err.status() == Some(401) => {
                    // Kept as it is; sent after the next sign-in (the queue is the
                    // user's), and the dispatcher is told so before the sign-in page.
                    let waiting = self.queue.with_untracked(Vec::len);
                    let key = if waiting == 1 {
                        "queue.paused_signed_out_one"
                    } else {
                        "queue.paused_signed_out_many"
                    };
                    self.toasts
                        .info(self.i18n.t(key).replace("{n}", &waiting.to_string()));
                    self.session.ended();
                    return;
                }
                Err(err) if err.code() == "idempotency-key-in-use" => {
                    self.retry_later();
                    return;
                }
                Err(err) => {
                    let current = err.current_call();
                    let key = intent.key;
                    if err.code() == "stale-version" && current.is_some() {
                        let now = current.clone();
                        self.mutate_held(user, move |items| {
                            if let Some(item) = items.iter_mut().find(|i| i.key == key) {
                                item.conflict = now;
                            }
                        })
                        .await;
                    } else {
                        // Refused for good (closed meanwhile, invalid …): dropped, and
                        // the dispatcher is told why.
                        self.mutate_held(user, move |items| items.retain(|i| i.key != key))
                            .await;
                        self.toasts
                            .error(crate::components::calls::error_text(&self.i18n, &err));
                    }
                    if let Some(current) = current {
                        self.board.upsert(current);
                    }
                }
            }
        }
    }
}

/// Runs `work` while holding the tabs' shared lock (`navigator.locks`), so one tab at a
/// time changes or sends the queue. Where the Web Locks API is missing, it runs at once.
async fn exclusively<F>(work: F) -> Option<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let locks = js_sys::Reflect::get(&window().navigator(), &JsValue::from_str("locks"))
        .ok()
        .filter(|l| !l.is_undefined());
    let request = locks.as_ref().and_then(|l| {
        js_sys::Reflect::get(l, &JsValue::from_str("request"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return Some(work.await);
    };
    let output = std::rc::Rc::new(std::cell::RefCell::new(None));
    let slot = output.clone();
    let held = Closure::once_into_js(move |_lock: JsValue| -> js_sys::Promise {
        wasm_bindgen_futures::future_to_promise(async move {
            *slot.borrow_mut() = Some(work.await);
            Ok(JsValue::UNDEFINED)
        })
    });
    // The request's promise settles once the work is done and the lock released.
    if let Ok(promise) = request.call2(&locks, &JsValue::from_str(SHARED), &held) {
        let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await;
    }
    // `None` only when the browser refused the lock request outright.
    let done = output.borrow_mut().take();
    done
}

/// Provides the offline state, follows the browser's `online`/`offline` events, loads
/// the signed-in user's queue and sends it whenever the connection returns. Going
/// offline says so in the live indicator at once (the socket may take a while to
/// notice); coming back is left to the live connection, which reconnects on `online`
/// and, once ready, has the board read again.
pub fn provide_offline() -> OfflineContext {
    let live = use_live();
    let session = use_session();
    let channel = web_sys::BroadcastChannel::new(SHARED).ok();
    let context = OfflineContext {
        online: RwSignal::new(window().navigator().on_line()),
        board_as_of: RwSignal::new(None),
        queue: RwSignal::new(Vec::new()),
        queueable: RwSignal::new(false),
        owner: RwSignal::new(None),
        replaying: RwSignal::new(false),
        retry_due: RwSignal::new(false),
        again: RwSignal::new(false),
        channel: StoredValue::new_local(channel.clone()),
        pending_ids: StoredValue::new(HashSet::new()),
        readers: StoredValue::new(HashMap::new()),
        board: use_board(),
        toasts: use_toasts(),
        i18n: use_i18n(),
        session,
    };
    provide_context(context);
    live.shape_views_with(move |view| context.with_waiting(view));
    if let Some(channel) = channel {
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| context.refresh());
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
    }
    // The pending marks follow the queue; only the calls whose mark changes hear of it.
    Effect::new(move |_| {
        let next: HashSet<Uuid> = context
            .queue
            .with(|q| q.iter().map(|i| i.call_id).collect());
        let changed: Vec<Uuid> = context
            .pending_ids
            .try_update_value(|ids| {
                let changed = ids.symmetric_difference(&next).copied().collect();
                *ids = next;
                changed
            })
            .unwrap_or_default();
        context.readers.with_value(|readers| {
            for id in changed {
                if let Some(trigger) = readers.get(&id) {
                    trigger.notify();
                }
            }
        });
    });
    // The queue belongs to whoever is signed in; it is sent once they are.
    Effect::new(move |_| {
        let owner = session.me().map(|me| Owner {
            user: me.user_id,
            actor: match me.role {
                Role::Dispatcher => Actor::Dispatcher {
                    user_id: me.user_id,
                    company_id: me.company.id,
                },
                Role::Technician => Actor::Technician {
                    technician_id: me.user_id,
                    company_id: me.company.id,
                },
            },
        });
        if owner == context.owner.get_untracked() {
            return;
        }
        context.owner.set(owner.clone());
        let Some(owner) = owner else {
            context.queue.set(Vec::new());
            return;
        };
        let user = owner.user;
        let read = move || {
            spawn_local(async move {
                // Signed out or another user meanwhile: not this queue any more.
                let still_theirs = move || {
                    context
                        .owner
                        .get_untracked()
                        .is_some_and(|o| o.user == user)
                };
                if !still_theirs() {
                    return;
                }
                // Read before the probe, which writes and would hold the read up behind
                // its transaction.
                let items = queue::load(user).await;
                if !still_theirs() {
                    return;
                }
                queue::mark_read(user, &items);
                context.queue.set(items);
                let queueable = queue::available(user).await;
                context.queueable.set(queueable);
                context.replay();
            });
        };
        if queue::may_hold_changes(user) {
            read();
        } else {
            // Known empty (the mark errs towards "may hold changes"): opening, reading and
            // probing IndexedDB waits for the first paint (crate::first_paint), as the
            // board read itself skips the queue then.
            crate::first_paint::after_first_paint(read);
        }
    });
    // The socket connecting again is the surest sign the server is back.
    Effect::new(move |_| {
        if live.status.get() == LiveStatus::Live {
            context.replay();
        }
    });
    let went_offline = window_event_listener(leptos::ev::offline, move |_| {
        context.online.set(false);
        live.status.set(LiveStatus::Offline);
    });
    let came_back = window_event_listener(leptos::ev::online, move |_| {
        context.online.set(true);
        context.replay();
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
/// start; call it where a drag or an edit begins. With the queue, offline changes are
/// kept, so this refuses only where the browser cannot keep them.
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

/// `true` (after telling the user why) when an action that needs the server's answer now
/// (accept, decline, close, cancel, team changes) must not start: offline it could only
/// be guessed, and guessing "first accept wins" would be wrong.
pub fn refuse_online_only() -> bool {
    let Some(offline) = use_context::<OfflineContext>() else {
        return false;
    };
    if !offline.needs_network_untracked() {
        return false;
    }
    let i18n = crate::i18n::use_i18n();
    crate::contexts::toasts::use_toasts().info(i18n.t("queue.online_only"));
    true
}
