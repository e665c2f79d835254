//! The board store: every call this company sees, one signal per call, plus an index of
//! which calls show at which place (requests list, unassigned list, dispatcher row, each
//! technician's row). A change to one call re-renders that call's block and, only if it
//! moved, the two places it left and entered — never the whole board.

use std::collections::{HashMap, HashSet};

use domain::{colour::Place, view::CallView};
use leptos::prelude::*;
use uuid::Uuid;

/// A place on the board where calls show (the domain's [`Place`], hashable).
pub type PlaceKey = Place;

/// Reference-counted signals: they belong to the store, not to whichever page or effect
/// first touched a call, so they live exactly as long as the board needs them. Callers
/// get arena handles (`RwSignal`) owned by their own reactive scope.
#[derive(Default)]
struct Inner {
    calls: HashMap<Uuid, ArcRwSignal<CallView>>,
    places: HashMap<PlaceKey, ArcRwSignal<Vec<Uuid>>>,
    /// Counts single-call changes (live events, optimistic moves, answers).
    epoch: u64,
    /// The epoch of each call's latest single-call change (also of removals), so a board
    /// read that started earlier cannot undo it.
    touched: HashMap<Uuid, u64>,
    /// Whether the first board read has been marked (see [`mark_first_read`]).
    first_read_marked: bool,
    /// The live-event sequence number the last board read is up to date with.
    read_seq: Option<i64>,
    /// Where a fresh live connection started while no board read was in yet.
    live_from: Option<i64>,
}

/// Performance mark of the first board read, for `cargo xtask bench`'s
/// `nav_to_board_ms`: `board-ingested` once the read is in the store.
fn mark_first_read() {
    crate::mark("board-ingested");
}

/// The board's calls, shared by the calendar, the lists and the modal.
#[derive(Clone, Copy)]
pub struct BoardStore {
    inner: StoredValue<Inner>,
    /// Bumped when a call is added or removed (for views over every call).
    membership: RwSignal<u64>,
    /// The request another partner took last, while its card still says so (for the
    /// lists' screen-reader announcement).
    pub last_taken: RwSignal<Option<Uuid>>,
    /// Bumped when the dispatcher's own action brings a call back into a list (an undo
    /// by keyboard): a list held still under the pointer shows it at once, since the
    /// dispatcher is waiting for exactly that card.
    pub released: RwSignal<u64>,
}

/// How long a request another partner took stays on the board, marked "taken", before
/// it leaves: long enough to read, short enough not to clutter a busy list.
pub const TAKEN_LINGER: std::time::Duration = std::time::Duration::from_secs(4);

fn places_of(view: &CallView) -> HashSet<PlaceKey> {
    view.placements.iter().map(|p| p.place).collect()
}

impl BoardStore {
    fn new() -> Self {
        Self {
            inner: StoredValue::new(Inner::default()),
            membership: RwSignal::new(0),
            last_taken: RwSignal::new(None),
            released: RwSignal::new(0),
        }
    }

    /// Lets the lists go (see [`BoardStore::released`]).
    pub fn release_lists(&self) {
        self.released.update(|n| *n += 1);
    }

    /// The signal of one call, if the board has it.
    pub fn call(&self, id: Uuid) -> Option<RwSignal<CallView>> {
        self.membership.track();
        self.call_arc(id).map(RwSignal::from)
    }

    /// The version of the call the board has, if any (not reactive).
    pub fn version_untracked(&self, id: Uuid) -> Option<i64> {
        self.call_arc(id)
            .map(|signal| signal.with_untracked(|view| view.version))
    }

    fn call_arc(&self, id: Uuid) -> Option<ArcRwSignal<CallView>> {
        self.inner.with_value(|inner| inner.calls.get(&id).cloned())
    }

    /// The ids of the calls showing at `place`, in start-time order (reactive). The
    /// handle belongs to the caller's reactive scope; the list itself to the store.
    pub fn at(&self, place: PlaceKey) -> RwSignal<Vec<Uuid>> {
        RwSignal::from(self.place_signal(place))
    }

    fn place_signal(&self, place: PlaceKey) -> ArcRwSignal<Vec<Uuid>> {
        self.inner
            .try_update_value(|inner| {
                inner
                    .places
                    .entry(place)
                    .or_insert_with(|| ArcRwSignal::new(Vec::new()))
                    .clone()
            })
            .expect("board store is alive")
    }

    /// Every call id on the board (reactive to additions and removals only).
    pub fn ids(&self) -> Vec<Uuid> {
        self.membership.track();
        self.inner
            .with_value(|inner| inner.calls.keys().copied().collect())
    }

    /// Adds or replaces a call (from the server, a live event or an optimistic move) and
    /// moves it between places if its placements changed.
    pub fn upsert(&self, view: CallView) {
        self.touch(view.id);
        self.put(view);
    }

    /// The current epoch: pass it to [`BoardStore::replace_all`] with a board read
    /// started now.
    pub fn epoch(&self) -> u64 {
        self.inner.with_value(|inner| inner.epoch)
    }

    fn touch(&self, id: Uuid) {
        self.inner.update_value(|inner| {
            inner.epoch += 1;
            let epoch = inner.epoch;
            inner.touched.insert(id, epoch);
        });
    }

    /// Whether the call changed on its own after `epoch`.
    fn touched_since(&self, id: Uuid, epoch: u64) -> bool {
        self.inner
            .with_value(|inner| inner.touched.get(&id).is_some_and(|t| *t > epoch))
    }

    fn put(&self, view: CallView) {
        let id = view.id;
        let existing = self.call_arc(id);
        // A board read's summary does not replace the whole call a modal read or a live
        // event brought in (`CallView::keeps_over`).
        if existing
            .as_ref()
            .is_some_and(|signal| signal.with_untracked(|old| old.keeps_over(&view)))
        {
            return;
        }
        let new_places = places_of(&view);
        let start = view.slot.map(|s| s.start);
        let old_places = match existing {
            Some(signal) => {
                let old = signal.get_untracked();
                let old_places = places_of(&old);
                let moved_in_time = old.slot.map(|s| s.start) != start;
                signal.set(view);
                if moved_in_time {
                    // Same places, new order within them.
                    for place in new_places.intersection(&old_places) {
                        self.place_signal(*place).update(|ids| self.sort(ids));
                    }
                }
                old_places
            }
            None => {
                let signal = ArcRwSignal::new(view);
                self.inner.update_value(|inner| {
                    inner.calls.insert(id, signal);
                });
                self.membership.update(|n| *n += 1);
                HashSet::new()
            }
        };
        for place in old_places.difference(&new_places) {
            self.place_signal(*place)
                .update(|ids| ids.retain(|x| *x != id));
        }
        for place in new_places.difference(&old_places) {
            self.place_signal(*place).update(|ids| {
                ids.push(id);
                self.sort(ids);
            });
        }
    }

    /// Another partner accepted a request on this board (the live event, or a lost
    /// accept): its card turns "Taken by another partner" in place — same place, same
    /// size, no Accept — and leaves after [`TAKEN_LINGER`]. An open modal of it reads
    /// the same signal, so it switches to the taken state at once.
    pub fn mark_taken(&self, id: Uuid) {
        let Some(signal) = self.call_arc(id) else {
            return;
        };
        if signal.with_untracked(|v| v.offer_state != domain::call::OfferState::Offered) {
            self.remove(id);
            return;
        }
        self.touch(id);
        signal.update(|v| {
            v.offer_state = domain::call::OfferState::Taken;
            v.colour = domain::colour::Colour::Blue;
        });
        self.last_taken.set(Some(id));
        let store = *self;
        set_timeout(
            move || {
                let still_taken = store.call_arc(id).is_some_and(|s| {
                    s.with_untracked(|v| v.offer_state == domain::call::OfferState::Taken)
                });
                if still_taken {
                    store.remove(id);
                }
                if store.last_taken.get_untracked() == Some(id) {
                    store.last_taken.set(None);
                }
            },
            TAKEN_LINGER,
        );
    }

    /// Inserts calls the store does not have yet: each place they show at is extended and
    /// sorted once, and additions are announced once.
    fn insert_batch(&self, views: Vec<CallView>) {
        if views.is_empty() {
            return;
        }
        let mut by_place: HashMap<PlaceKey, Vec<Uuid>> = HashMap::new();
        self.inner.update_value(|inner| {
            for view in views {
                for place in places_of(&view) {
                    by_place.entry(place).or_default().push(view.id);
                }
                inner.calls.insert(view.id, ArcRwSignal::new(view));
            }
        });
        for (place, ids) in by_place {
            self.place_signal(place).update(|list| {
                list.extend(ids);
                self.sort(list);
            });
        }
        self.membership.update(|n| *n += 1);
    }

    /// Removes a call from the board (declined, taken by another partner, cancelled).
    pub fn remove(&self, id: Uuid) {
        self.touch(id);
        self.drop_call(id);
    }

    fn drop_call(&self, id: Uuid) {
        let Some(signal) = self
            .inner
            .try_update_value(|inner| inner.calls.remove(&id))
            .flatten()
        else {
            return;
        };
        for place in places_of(&signal.get_untracked()) {
            self.place_signal(place)
                .update(|ids| ids.retain(|x| *x != id));
        }
        self.membership.update(|n| *n += 1);
    }

    /// Replaces the whole board with a read that started at `epoch` (initial load or a
    /// reload after reconnecting). Calls that changed on their own since then — a live
    /// event or a move that arrived while the read was under way — keep that newer state.
    pub fn replace_all(&self, views: Vec<CallView>, epoch: u64) {
        let keep: HashSet<Uuid> = views.iter().map(|v| v.id).collect();
        for id in self.ids_untracked() {
            if !keep.contains(&id) && !self.touched_since(id, epoch) {
                self.drop_call(id);
            }
        }
        // Calls new to the board are inserted in one batch: one signal each, then every
        // place they show at extended and sorted once. Putting them one by one sorted a
        // place on every insertion (quadratic in the calls per place, the bulk of a cold
        // load's ingest at 2,000 calls).
        let mut fresh = Vec::new();
        for view in views {
            if self.touched_since(view.id, epoch) {
                continue;
            }
            if self.call_arc(view.id).is_some() {
                self.put(view);
            } else {
                fresh.push(view);
            }
        }
        self.insert_batch(fresh);
        let first = self
            .inner
            .try_update_value(|inner| !std::mem::replace(&mut inner.first_read_marked, true))
            .unwrap_or(false);
        if first {
            mark_first_read();
        }
    }

    /// Takes in a board read that started at `epoch` ([`BoardStore::replace_all`]) and
    /// remembers which live event it is up to date with. Returns whether it is older than
    /// where the live connection started: the events in between never reached this tab,
    /// so the board must be read again (rare: the read usually starts after the socket).
    pub fn take_read(&self, board: domain::api::calls::Board, epoch: u64) -> bool {
        let behind = self
            .inner
            .try_update_value(|inner| {
                inner.read_seq = Some(board.seq);
                inner.live_from.is_some_and(|live| board.seq < live)
            })
            .unwrap_or(false);
        self.replace_all(board.calls, epoch);
        behind
    }

    /// A fresh live connection (no resume) delivers every event after `seq`. Returns
    /// whether the board must be read again for the events up to it: only when the board
    /// in memory is older. With no read in yet, the read decides ([`Self::take_read`]) —
    /// so a cold start reads the board once, not a second time because the socket opened.
    pub fn live_started(&self, seq: i64) -> bool {
        self.inner
            .try_update_value(|inner| match inner.read_seq {
                Some(read) => read < seq,
                None => {
                    inner.live_from = Some(seq);
                    false
                }
            })
            .unwrap_or(true)
    }

    /// Forgets which live events the board is up to date with (the live connection ended
    /// with the session: the next one starts afresh).
    pub fn forget_live(&self) {
        self.inner.update_value(|inner| {
            inner.read_seq = None;
            inner.live_from = None;
        });
    }

    fn ids_untracked(&self) -> Vec<Uuid> {
        self.inner
            .with_value(|inner| inner.calls.keys().copied().collect())
    }

    /// Undated calls first, then by start time, then by id for a stable order.
    fn sort(&self, ids: &mut [Uuid]) {
        self.inner.with_value(|inner| {
            // Each key costs a map lookup and a signal read: compute it once per id.
            ids.sort_by_cached_key(|id| {
                let start = inner
                    .calls
                    .get(id)
                    .map(|s| s.with_untracked(|v| v.slot.map(|slot| slot.start)))
                    .unwrap_or(None);
                (start, *id)
            });
        });
    }
}

/// Provides an empty board store.
pub fn provide_board() -> BoardStore {
    let store = BoardStore::new();
    provide_context(store);
    store
}

/// The app's [`BoardStore`].
pub fn use_board() -> BoardStore {
    expect_context::<BoardStore>()
}

/// The company's technicians: the calendar's rows and the assignment picker.
#[derive(Clone, Copy)]
pub struct Roster {
    list: RwSignal<Vec<domain::api::team::TechnicianSummary>>,
    loading: StoredValue<bool>,
    /// A roster has been read (or set): an empty list then means "no technicians".
    loaded: RwSignal<bool>,
}

impl Roster {
    /// The technicians, verified first, then by name (reactive).
    pub fn list(&self) -> Vec<domain::api::team::TechnicianSummary> {
        self.list.get()
    }

    /// Whether a roster has been read or set (reactive).
    pub fn is_loaded(&self) -> bool {
        self.loaded.get()
    }

    /// Replaces the roster (the benchmark's generated team; tests).
    pub fn set(&self, technicians: Vec<domain::api::team::TechnicianSummary>) {
        self.loading.set_value(true);
        self.list.set(technicians);
        self.loaded.set(true);
    }

    /// The technicians, without tracking.
    pub fn list_untracked(&self) -> Vec<domain::api::team::TechnicianSummary> {
        self.list.get_untracked()
    }

    /// Loads the roster once (and again after [`Roster::reload`]).
    pub fn ensure_loaded(&self) {
        if self.loading.get_value() {
            return;
        }
        self.reload();
    }

    /// Reads the roster again if it was read before (a technician changed: another
    /// dispatcher renamed, verified or deactivated them); one never needed stays unread.
    pub fn refresh(&self) {
        if self.loading.get_value() {
            self.reload();
        }
    }

    /// Fetches the roster from the server.
    pub fn reload(&self) {
        self.loading.set_value(true);
        let list = self.list;
        let loaded = self.loaded;
        // The first read may already be on its way (started with the board's prefetch).
        let first = !loaded.get_untracked();
        leptos::task::spawn_local(async move {
            let read = if first {
                crate::api::first_technicians().await
            } else {
                crate::api::technicians().await
            };
            if let Ok(mut technicians) = read {
                technicians.sort_by(|a, b| {
                    b.verified
                        .cmp(&a.verified)
                        .then_with(|| a.name.cmp(&b.name))
                });
                list.set(technicians);
                loaded.set(true);
            }
        });
    }
}

/// Provides the (not yet loaded) roster.
pub fn provide_roster() -> Roster {
    let roster = Roster {
        list: RwSignal::new(Vec::new()),
        loading: StoredValue::new(false),
        loaded: RwSignal::new(false),
    };
    provide_context(roster);
    roster
}

/// The app's [`Roster`].
pub fn use_roster() -> Roster {
    expect_context::<Roster>()
}
