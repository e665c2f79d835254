use domain::{api::calls::PatchCall, slot::TimeSlot, view::CallView};
use leptos::{html, prelude::*, task::spawn_local};

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

/// How long a move can be undone.
const UNDO_SECONDS: u32 = 10;

/// The contexts a move needs, taken once inside the component tree (futures run by
/// `spawn_local` have no reactive owner to look them up from).
#[derive(Clone, Copy)]
pub struct MoveContext {
    board: BoardStore,
    toasts: Toasts,
    i18n: I18n,
}

impl MoveContext {
    /// The current contexts; call inside the component tree.
    pub fn current() -> Self {
        Self {
            board: use_board(),
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
    match api::patch_call(before.id, &change).await {
        Ok(saved) => {
            board.upsert(saved.clone());
            Some(saved)
        }
        Err(err) => {
            let current = match &err {
                api::ApiError::Problem(p) => p
                    .current
                    .clone()
                    .and_then(|c| serde_json::from_value::<CallView>(c).ok()),
                _ => None,
            };
            board.upsert(current.unwrap_or(before));
            toasts.error(error_text(&i18n, &err));
            None
        }
    }
}

/// "Move to Tue 14:30, Anna Keller?" — every drop ends here. Warns when the target
/// overlaps the technician's other calls; offers Undo for 10 seconds after saving.
#[component]
pub fn MoveDialog() -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let board = use_board();
    let toasts = use_toasts();
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
        spawn_local(async move {
            let Some(saved) = save_move(ctx, before.clone(), p.row, slot).await else {
                return;
            };
            let undo = Callback::new(move |()| {
                let original_row = before
                    .technician_id
                    .map_or(RowKey::Dispatcher, RowKey::Technician);
                if let Some(slot) = before.slot {
                    let undoing = save_move(ctx, saved.clone(), original_row, slot);
                    spawn_local(async move {
                        undoing.await;
                    });
                }
            });
            toasts.show(
                ToastKind::Success,
                i18n.t("calendar.moved_toast"),
                before
                    .slot
                    .is_some()
                    .then(|| (i18n.t("calendar.undo"), undo)),
                UNDO_SECONDS,
            );
        });
    };
    let cancel = move |_| calendar.pending.set(None);

    view! {
        <dialog node_ref=dialog class="modal modal--small" aria-labelledby="move-title"
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); calendar.pending.set(None); }>
            <div class="modal__body">
                <h2 id="move-title">{question}</h2>
                {move || overlaps().map(|w| view! { <p class="notice notice--warning" role="alert">{w}</p> })}
                <div class="modal__actions">
                    <button type="button" class="button button--primary" on:click=confirm>{move || i18n.t("calendar.confirm")}</button>
                    <button type="button" class="button button--secondary" on:click=cancel>{move || i18n.t("calendar.cancel")}</button>
                </div>
            </div>
        </dialog>
    }
}
