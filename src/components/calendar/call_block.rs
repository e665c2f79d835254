use chrono::Duration;
use domain::view::CallView;
use leptos::{prelude::*, wasm_bindgen::JsCast};
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use super::{
    refusal, row_name, rows, use_calendar, Drag, DragMode, PendingMove, RowKey, ROW_HEIGHT,
};
use crate::{
    components::calls::state_badge::state_of,
    contexts::{
        board::{use_board, use_roster},
        session::use_session,
    },
    i18n::use_i18n,
};

/// Pointer travel (px) below which a press is a click, not a drag.
const CLICK_SLOP: f64 = 5.0;

/// Where a pointer is on the track: the row under it and the horizontal fraction.
pub fn hit_test(client_x: f64, client_y: f64) -> Option<(RowKey, f64)> {
    let calendar = use_calendar();
    let track = calendar.track.get_untracked()?;
    let rect = track.get_bounding_client_rect();
    let label = track
        .query_selector(".timeline__label")
        .ok()
        .flatten()
        .map_or(0.0, |l| l.get_bounding_client_rect().width());
    let y = client_y - rect.top();
    let lane_width = rect.width() - label;
    if y < 0.0 || lane_width <= 0.0 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let index = (y / ROW_HEIGHT).floor() as usize;
    let row = *rows(&use_roster().list_untracked()).get(index)?;
    Some((
        row,
        ((client_x - rect.left() - label) / lane_width).clamp(0.0, 1.0),
    ))
}

/// Updates the drag's target from a pointer position.
pub fn track_pointer(client_x: f64, client_y: f64) {
    let calendar = use_calendar();
    let board = use_board();
    let Some(drag) = calendar.drag.get_untracked() else {
        return;
    };
    let moved =
        drag.moved || (client_x - drag.origin.0).hypot(client_y - drag.origin.1) > CLICK_SLOP;
    if !moved {
        return;
    }
    probe_frame();
    let Some(call) = board.call(drag.call_id).map(|c| c.get_untracked()) else {
        return;
    };
    let geometry = calendar.geometry.get_untracked();
    let duration = call.slot.map_or_else(
        || Duration::minutes(i64::from(call.service.duration_minutes)),
        |s| s.end - s.start,
    );
    let target = hit_test(client_x, client_y).map(|(row, fraction)| match drag.mode {
        DragMode::Move => {
            let start = geometry.instant_at(fraction - drag.grab);
            (row, start, start + duration)
        }
        DragMode::Resize => {
            let start = call
                .slot
                .map_or_else(|| geometry.instant_at(fraction), |s| s.start);
            let end = geometry
                .instant_at(fraction)
                .max(start + Duration::minutes(15));
            (drag.target.map_or(row, |t| t.0), start, end)
        }
    });
    calendar.drag.set(Some(Drag {
        moved: true,
        target,
        ..drag
    }));
}

thread_local! {
    /// Whether a drag frame is being measured (pointer moves coalesce into one frame).
    static FRAME_PENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Performance measures of a drag, read by `cargo xtask bench`: `drag-work` spans the
/// handling of one pointer move up to the ghost's update (marked by the ghost), and
/// `drag-frame` spans from the first pointer move of a frame to the end of that frame's
/// rendering (style, layout, paint: a task queued from the frame's animation callback
/// runs after it).
fn probe_frame() {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    let _ = performance.mark("drag-move-start");
    if FRAME_PENDING.with(|p| p.replace(true)) {
        return;
    }
    let _ = performance.mark("drag-frame-start");
    let after_paint = move || {
        let end = wasm_bindgen::closure::Closure::once_into_js(move || {
            FRAME_PENDING.with(|p| p.set(false));
            if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
                let _ = performance.mark("drag-frame-end");
                let _ = performance.measure_with_start_mark_and_end_mark(
                    "drag-frame",
                    "drag-frame-start",
                    "drag-frame-end",
                );
            }
        });
        let _ =
            window().set_timeout_with_callback_and_timeout_and_arguments_0(end.unchecked_ref(), 0);
    };
    let frame = wasm_bindgen::closure::Closure::once_into_js(after_paint);
    let _ = window().request_animation_frame(frame.unchecked_ref());
}

/// Ends a drag: a click opens the call, a valid drop asks for confirmation.
pub fn finish_drag(open: impl Fn(Uuid)) {
    let calendar = use_calendar();
    let board = use_board();
    let i18n = use_i18n();
    let Some(drag) = calendar.drag.get_untracked() else {
        return;
    };
    calendar.drag.set(None);
    if !drag.moved && !drag.keyboard {
        open(drag.call_id);
        return;
    }
    let (Some((row, start, end)), Some(call)) = (
        drag.target,
        board.call(drag.call_id).map(|c| c.get_untracked()),
    ) else {
        return;
    };
    if refusal(&i18n, row, &call).is_some() {
        calendar.announce.set(i18n.t("calendar.drop_refused"));
        return;
    }
    if call.slot.is_some_and(|s| s.start == start && s.end == end)
        && call.technician_id == row.technician()
        && !drag.from_list
    {
        return;
    }
    calendar.pending.set(Some(PendingMove {
        call,
        row,
        start,
        end,
    }));
}

/// Starts a pointer drag of `call` from an element (a block or a list handle).
pub fn start_drag(ev: &web_sys::PointerEvent, call: &CallView, mode: DragMode, from_list: bool) {
    if ev.button() != 0 || !ev.is_primary() {
        return;
    }
    let calendar = use_calendar();
    if let Some(target) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        let _ = target.set_pointer_capture(ev.pointer_id());
    }
    let geometry = calendar.geometry.get_untracked();
    let grab = match (
        hit_test(f64::from(ev.client_x()), f64::from(ev.client_y())),
        call.slot,
    ) {
        (Some((_, fraction)), Some(slot)) if !from_list => geometry
            .fraction(slot.start)
            .map_or(0.0, |left| fraction - left),
        _ => 0.0,
    };
    let row = match call.technician_id {
        Some(id) => RowKey::Technician(id),
        None => RowKey::Dispatcher,
    };
    calendar.drag.set(Some(Drag {
        call_id: call.id,
        mode,
        from_list,
        keyboard: false,
        origin: (f64::from(ev.client_x()), f64::from(ev.client_y())),
        moved: false,
        grab,
        target: call.slot.map(|s| (row, s.start, s.end)),
    }));
}

/// One call drawn at its slot in a row: state colour, icon and word, service, client
/// town and time. Focusable; arrow keys move it, Enter confirms, Escape cancels.
#[component]
pub fn CallBlock(
    /// The call (its own signal: only this block re-renders when it changes).
    call: RwSignal<CallView>,
    /// The row the block is drawn in.
    row: RowKey,
) -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let session = use_session();
    let navigate = use_navigate();
    let zone = move || {
        session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_default()
    };
    let id = call.with_untracked(|c| c.id);

    let span = Memo::new(move |_| {
        let geometry = calendar.geometry.get();
        call.with(|c| c.slot)
            .and_then(|s| geometry.span_of(s.start, s.end))
    });
    let style = move || {
        span.get().map_or_else(
            || "display:none".to_owned(),
            |(left, width)| format!("left:{:.4}%;width:{:.4}%", left * 100.0, width * 100.0),
        )
    };
    let class = move || {
        let (_, modifier, _) = call.with(state_of);
        let dragging = calendar.dragging.get() == Some(id);
        format!(
            "block block--{modifier}{}",
            if dragging { " is-dragging" } else { "" }
        )
    };
    let time_text = move || {
        call.with(|c| c.slot).map(|s| {
            let g = calendar.geometry.get_untracked();
            let start = domain::tz::to_local(s.start, g.zone).format("%H:%M");
            let end = domain::tz::to_local(s.end, g.zone).format("%H:%M");
            format!("{start}–{end}")
        })
    };
    // Read by screen readers after the visible text (the block's accessible name is its
    // content, so what is seen is what is announced).
    let details = move || {
        let (key, _, _) = call.with(state_of);
        call.with(|c| {
            #[allow(clippy::cast_precision_loss)]
            let when = c
                .slot
                .map(|s| i18n.date_time(s.start.timestamp_millis() as f64, &zone()))
                .unwrap_or_default();
            format!(
                ", {}, {} {}, {}",
                i18n.t(key),
                c.client_area.postcode,
                c.client_area.city,
                when
            )
        })
    };
    let open = move |id: Uuid| navigate(&format!("/requests/{id}"), Default::default());
    let open_click = open.clone();
    let on_pointer_down = move |ev: web_sys::PointerEvent| {
        ev.stop_propagation();
        let resize = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.class_list().contains("block__resize"));
        start_drag(
            &ev,
            &call.get_untracked(),
            if resize {
                DragMode::Resize
            } else {
                DragMode::Move
            },
            false,
        );
    };
    let on_pointer_move = move |ev: web_sys::PointerEvent| {
        if calendar
            .drag
            .with_untracked(|d| d.as_ref().is_some_and(|d| d.call_id == id && !d.keyboard))
        {
            track_pointer(f64::from(ev.client_x()), f64::from(ev.client_y()));
        }
    };
    let on_pointer_up = move |_ev: web_sys::PointerEvent| {
        if calendar
            .drag
            .with_untracked(|d| d.as_ref().is_some_and(|d| d.call_id == id && !d.keyboard))
        {
            finish_drag(&open_click);
        }
    };
    let on_pointer_cancel = move |_ev: web_sys::PointerEvent| calendar.drag.set(None);

    // Keyboard: arrows move by 15 minutes / one row, Enter confirms, Escape cancels.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        let current = calendar
            .drag
            .get_untracked()
            .filter(|d| d.call_id == id && d.keyboard);
        match key.as_str() {
            "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
                ev.prevent_default();
                let view = call.get_untracked();
                let Some(slot) = view.slot else { return };
                let (mut target_row, mut start, mut end) = current
                    .as_ref()
                    .and_then(|d| d.target)
                    .unwrap_or((row, slot.start, slot.end));
                let all = rows(&use_roster().list_untracked());
                let index = all.iter().position(|r| *r == target_row).unwrap_or(0);
                match key.as_str() {
                    "ArrowLeft" => {
                        start -= Duration::minutes(15);
                        end -= Duration::minutes(15);
                    }
                    "ArrowRight" => {
                        start += Duration::minutes(15);
                        end += Duration::minutes(15);
                    }
                    "ArrowUp" => target_row = all[index.saturating_sub(1)],
                    _ => target_row = *all.get(index + 1).unwrap_or(&target_row),
                }
                calendar.drag.set(Some(Drag {
                    call_id: id,
                    mode: DragMode::Move,
                    from_list: false,
                    keyboard: true,
                    origin: (0.0, 0.0),
                    moved: true,
                    grab: 0.0,
                    target: Some((target_row, start, end)),
                }));
                let zone = calendar.geometry.get_untracked().zone;
                let when = domain::tz::to_local(start, zone).format("%a %H:%M");
                let refused = refusal(&i18n, target_row, &view)
                    .map(|r| format!(" — {r}"))
                    .unwrap_or_default();
                calendar.announce.set(format!(
                    "{} → {when}, {}{refused}. {}",
                    view.service.name,
                    row_name(&i18n, target_row),
                    i18n.t("calendar.keyboard_hint")
                ));
            }
            "Enter" if current.is_some() => {
                ev.prevent_default();
                finish_drag(|_| {});
            }
            "Enter" | " " => {
                ev.prevent_default();
                open(id);
            }
            "Escape" if current.is_some() => {
                calendar.drag.set(None);
                calendar.announce.set(i18n.t("calendar.move_cancelled"));
            }
            _ => {}
        }
    };

    view! {
        <div
            class=class
            style=style
            role="button"
            tabindex="0"
            title=move || format!("{}{}", call.with(|c| c.service.name.clone()), details())
            data-testid="call-block"
            data-call-id=id.to_string()
            on:pointerdown=on_pointer_down
            on:pointermove=on_pointer_move
            on:pointerup=on_pointer_up
            on:pointercancel=on_pointer_cancel
            on:keydown=on_key
        >
            <span class="block__icon" aria-hidden="true">{move || call.with(state_of).2}</span>
            <span class="block__text">
                <span class="block__title">{move || call.with(|c| c.service.name.clone())}</span>
                <span class="block__meta">{move || call.with(|c| c.client_area.city.clone())}" · "{time_text}</span>
                <span class="visually-hidden">{details}</span>
            </span>
            <span class="block__resize" aria-hidden="true"></span>
        </div>
    }
}
