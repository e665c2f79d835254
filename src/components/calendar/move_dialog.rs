//! The move confirmation ("Move to Tue 14:30, Anna Keller?"), saving a move
//! optimistically, and undoing it: the toast's Undo button or Ctrl+Z (Cmd+Z) within
//! [`UNDO_WINDOW`], while the server holds the move's notifications back.

use domain::{api::calls::PatchCall, flow::UNDO_WINDOW, slot::TimeSlot, view::CallView};
use leptos::{html, prelude::*, task::spawn_local, wasm_bindgen::JsCast};

use super::{row_name, use_calendar, PendingMove, RowKey};
use crate::{
    api,
    components::calls::error_text,
    contexts::{
        board::{use_board, BoardStore},
        toasts::{use_toasts, ToastKind, Toasts},
    },
    i18n::{format_day_time, use_i18n, I18n},
};

/// How long a move can be undone, in whole seconds (the toast with Undo shows as long).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
const UNDO_SECONDS: u32 = UNDO_WINDOW.num_seconds() as u32;

/// The contexts a move needs, taken once inside the component tree (futures run by
/// `spawn_local` have no reactive owner to look them up from).
#[derive(Clone, Copy)]
pub struct MoveContext {
    board: BoardStore,
    offline: crate::offline::OfflineContext,
    toasts: Toasts,
    i18n: I18n,
}

impl MoveContext {
    /// The current contexts; call inside the component tree.
    pub fn current() -> Self {
        Self {
            board: use_board(),
            offline: crate::offline::use_offline(),
            toasts: use_toasts(),
            i18n: use_i18n(),
        }
    }
}

/// Saves a move: the block moves at once; on a conflict it moves back to the server's
/// current state and the dispatcher is told why. Returns the saved call.
pub async fn save_move(
    ctx: MoveContext,
    before: CallView,
    row: RowKey,
    slot: TimeSlot,
) -> Option<CallView> {
    let MoveContext {
        board,
        offline,
        toasts,
        i18n,
    } = ctx;
    board.upsert(before.moved(Some(slot), row.technician()));
    let change = PatchCall {
        version: before.version,
        slot: (before.slot != Some(slot)).then_some(Some(slot)),
        technician_id: (before.technician_id != row.technician()).then_some(row.technician()),
        ..PatchCall::default()
    };
    // Through the offline queue (crate::offline): kept when the server is away, and
    // then there is nothing on the server to undo yet.
    match offline.patch_call_from(before.clone(), &change).await {
        Ok(saved) if offline.pending_untracked(saved.id) => {
            board.upsert(saved);
            toasts.info(i18n.t("queue.saved_offline_toast"));
            None
        }
        Ok(saved) => {
            board.upsert(saved.clone());
            Some(saved)
        }
        Err(err) => {
            board.upsert(err.current_call().unwrap_or(before));
            toasts.error(error_text(&i18n, &err));
            None
        }
    }
}

/// Undoes a saved move: the block goes back at once (to its old row and time, or to the
/// "to assign" list when it had none); when the server refuses — too late, or the call
/// changed meanwhile — the board shows the call as the server has it and the dispatcher
/// is told why. Returns the call as restored.
pub async fn undo_move(ctx: MoveContext, before: CallView, saved: CallView) -> Option<CallView> {
    let MoveContext {
        board,
        toasts,
        i18n,
        ..
    } = ctx;
    board.release_lists();
    board.upsert(saved.moved(before.slot, before.technician_id));
    match api::undo_move(saved.id, saved.version).await {
        Ok(restored) => {
            board.upsert(restored.clone());
            toasts.success(i18n.t("calendar.undone_toast"));
            Some(restored)
        }
        Err(err) => {
            board.upsert(err.current_call().unwrap_or(saved));
            toasts.error(error_text(&i18n, &err));
            None
        }
    }
}

/// The last move saved from this board while it can still be undone.
#[derive(Clone)]
struct UndoableMove {
    before: CallView,
    saved: CallView,
    /// The toast offering Undo, removed once the move is undone by keyboard.
    toast: u64,
}

/// Undo of the last move saved from this board — a calendar drop or a new date or
/// technician set in the detail modal — by the toast's button or Ctrl+Z (Cmd+Z), within
/// [`UNDO_WINDOW`]. At most one move is undoable: the last.
#[derive(Clone, Copy)]
pub struct MoveUndo {
    ctx: MoveContext,
    last: StoredValue<Option<UndoableMove>>,
}

impl MoveUndo {
    /// Offers to undo a saved move (`before` → `saved`): the toast with Undo, and Ctrl+Z,
    /// for as long as the server would take it back.
    pub fn offer(self, before: CallView, saved: CallView) {
        let MoveUndo { ctx, last } = self;
        let i18n = ctx.i18n;
        let undo = Callback::new(move |()| self.undo_last());
        // A technician given to a call that had none, at the same time, is an
        // assignment; anything else (new time, another technician) a move.
        let assigned = before.slot == saved.slot
            && before.technician_id.is_none()
            && saved.technician_id.is_some();
        let toast = ctx.toasts.show(
            ToastKind::Success,
            i18n.t(if assigned {
                "calendar.assigned_toast"
            } else {
                "calendar.moved_toast"
            })
            .replace("{seconds}", &UNDO_SECONDS.to_string()),
            Some((i18n.t("calendar.undo"), undo)),
            UNDO_SECONDS,
        );
        let key = (saved.id, saved.version);
        last.try_set_value(Some(UndoableMove {
            before,
            saved,
            toast,
        }));
        // The window closes for this move only; a newer move keeps its own.
        set_timeout(
            move || {
                last.try_update_value(|l| {
                    if l.as_ref()
                        .is_some_and(|m| (m.saved.id, m.saved.version) == key)
                    {
                        *l = None;
                    }
                });
            },
            std::time::Duration::from_secs(u64::from(UNDO_SECONDS)),
        );
    }

    /// Undoes the last move if it is still undoable; a second press finds nothing to undo.
    fn undo_last(self) {
        let Some(undoable) = self.last.try_update_value(Option::take).flatten() else {
            return;
        };
        self.ctx.toasts.dismiss(undoable.toast);
        let ctx = self.ctx;
        spawn_local(async move {
            undo_move(ctx, undoable.before, undoable.saved).await;
        });
    }
}

/// Provides the board's [`MoveUndo`] and its shortcut, Ctrl+Z (Cmd+Z) anywhere but in a
/// text field, for as long as the calling component (the calendar page) lives.
pub fn provide_move_undo() -> MoveUndo {
    let undo = MoveUndo {
        ctx: MoveContext::current(),
        last: StoredValue::new(None),
    };
    let shortcut = window_event_listener(leptos::ev::keydown, move |ev| {
        let undo_keys = (ev.ctrl_key() || ev.meta_key())
            && !ev.shift_key()
            && !ev.alt_key()
            && ev.key().eq_ignore_ascii_case("z");
        if !undo_keys || ev.repeat() || ev.default_prevented() || typing(&ev) {
            return;
        }
        if undo.last.try_with_value(Option::is_some).unwrap_or(false) {
            ev.prevent_default();
            undo.undo_last();
        }
    });
    on_cleanup(move || shortcut.remove());
    provide_context(undo);
    undo
}

/// The calendar page's [`MoveUndo`] (`None` outside it).
pub fn use_move_undo() -> Option<MoveUndo> {
    use_context::<MoveUndo>()
}

/// Whether a key press goes to a text field (where Ctrl+Z undoes typing, not a move).
fn typing(ev: &leptos::ev::KeyboardEvent) -> bool {
    let Some(element) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    element.is_content_editable()
        || matches!(
            element.tag_name().to_ascii_lowercase().as_str(),
            "input" | "textarea" | "select"
        )
}

/// "Move to Tue 14:30, Anna Keller?" — every drop ends here. Warns when the target
/// overlaps the technician's other calls; offers Undo for 10 seconds after saving.
#[component]
pub fn MoveDialog() -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let board = use_board();
    let dialog = NodeRef::<html::Dialog>::new();

    Effect::new(move |_| {
        let open = calendar.pending.with(Option::is_some);
        if let Some(d) = dialog.get() {
            if open && !d.open() {
                let _ = d.show_modal();
            } else if !open && d.open() {
                d.close();
            }
        }
    });

    let question = move || {
        calendar.pending.get().map(|p| {
            let zone = calendar.geometry.get_untracked().zone.to_string();
            #[allow(clippy::cast_precision_loss)]
            let when =
                format_day_time(&i18n.format_tag(), p.start.timestamp_millis() as f64, &zone);
            i18n.t("calendar.confirm_move")
                .replace("{when}", &when)
                .replace("{who}", &row_name(&i18n, p.row))
        })
    };
    // From → to: the time and technician now, and after the move.
    let from_to = move || {
        calendar.pending.get().map(|p| {
            let zone = calendar.geometry.get_untracked().zone.to_string();
            let tag = i18n.format_tag();
            #[allow(clippy::cast_precision_loss)]
            let day_time = |t: chrono::DateTime<chrono::Utc>| {
                format_day_time(&tag, t.timestamp_millis() as f64, &zone)
            };
            let old_row = p
                .call
                .technician_id
                .map_or(RowKey::Dispatcher, RowKey::Technician);
            let old_who = if p.call.technician_id.is_some() {
                row_name(&i18n, old_row)
            } else {
                i18n.t("calendar.nobody")
            };
            let new_who = if p.row == RowKey::Dispatcher {
                i18n.t("calendar.nobody")
            } else {
                row_name(&i18n, p.row)
            };
            let old_when = p
                .call
                .slot
                .map_or_else(|| i18n.t("calls.no_date"), |s| day_time(s.start));
            let time_changes = p.call.slot.map(|s| s.start) != Some(p.start);
            (
                format!("{old_when} · {old_who}"),
                format!("{} · {new_who}", day_time(p.start)),
                time_changes,
            )
        })
    };
    let overlaps = move || {
        let p: PendingMove = calendar.pending.get()?;
        let slot = TimeSlot {
            start: p.start,
            end: p.end,
        };
        let others: Vec<(uuid::Uuid, TimeSlot)> = board
            .at(p.row.place())
            .get_untracked()
            .into_iter()
            .filter(|id| *id != p.call.id)
            .filter_map(|id| {
                board
                    .call(id)
                    .and_then(|c| c.get_untracked().slot.map(|s| (id, s)))
            })
            .collect();
        let clashes = domain::slot::overlapping(&slot, others.iter().map(|(id, s)| (*id, s)));
        (!clashes.is_empty() && p.row != RowKey::Dispatcher).then(|| {
            i18n.t("calendar.overlap_warning")
                .replace("{n}", &clashes.len().to_string())
        })
    };

    let ctx = MoveContext::current();
    let undo = expect_context::<MoveUndo>();

    let confirm = move |_| {
        let Some(p) = calendar.pending.get_untracked() else {
            return;
        };
        calendar.pending.set(None);
        let slot = TimeSlot {
            start: p.start,
            end: p.end,
        };
        let before = p.call.clone();
        let id = before.id;
        spawn_local(async move {
            if let Some(saved) = save_move(ctx, before.clone(), p.row, slot).await {
                undo.offer(before, saved);
            }
            // The block may have been drawn anew in its new row: focus follows it
            // rather than falling to the page body.
            request_animation_frame(move || focus_block(id));
        });
    };
    let cancel = move |_| calendar.pending.set(None);

    view! {
        <dialog node_ref=dialog class="modal modal--small" aria-labelledby="move-title"
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); calendar.pending.set(None); }>
            <div class="modal__body">
                <h2 id="move-title">{question}</h2>
                {move || from_to().map(|(from, to, time_changes)| view! {
                    <dl class="move-from-to" data-testid="move-from-to">
                        <div><dt>{i18n.t("calendar.from")}</dt><dd>{from}</dd></div>
                        <div><dt>{i18n.t("calendar.to")}</dt><dd>{to}</dd></div>
                    </dl>
                    {time_changes.then(|| view! {
                        <p class="notice notice--reminder">{i18n.t("calendar.client_must_agree")}</p>
                    })}
                })}
                {move || overlaps().map(|w| view! { <p class="notice notice--warning" role="alert">{w}</p> })}
                <div class="modal__actions">
                    <button type="button" class="button button--primary" on:click=confirm>{move || i18n.t("calendar.confirm")}</button>
                    <button type="button" class="button button--secondary" on:click=cancel>{move || i18n.t("calendar.cancel")}</button>
                </div>
            </div>
        </dialog>
    }
}

/// Focuses the block of call `id` (after a move), else the calendar's first control.
fn focus_block(id: uuid::Uuid) {
    let element = document()
        .query_selector(&format!("[data-call-id=\"{id}\"].block"))
        .ok()
        .flatten()
        .or_else(|| document().query_selector(".toolbar button").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}
