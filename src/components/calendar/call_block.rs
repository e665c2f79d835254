use chrono::{Duration, Timelike};
use domain::view::CallView;
use leptos::{either::Either, prelude::*, wasm_bindgen::JsCast};
use uuid::Uuid;

use super::colleague_marker::colleague_marker;
use super::{
    geometry::{Lane, Placed},
    refusal, row_name, use_calendar, Drag, DragMode, PendingMove, RowKey,
};
use crate::{
    components::calls::state_badge::row_state_of,
    contexts::{board::use_board, presence::use_soft_locks},
    i18n::use_i18n,
};

/// Pointer travel (px) below which a press is a click, not a drag.
const CLICK_SLOP: f64 = 5.0;
/// Width (px) of a block's right edge that resizes instead of moving (the CSS draws it).
const RESIZE_EDGE: f64 = 8.0;
/// How long a finger rests on a block before the block lifts for a drag (ms): a shorter
/// touch is a tap (the summary card) or the start of a scroll, which the browser keeps.
const LONG_PRESS_MS: i32 = 450;
/// Finger travel (px) before the long press that makes the touch a scroll instead.
const TOUCH_SLOP: f64 = 10.0;

/// A finger resting on a block, not yet a drag.
struct Press {
    call_id: Uuid,
    pointer_id: i32,
    x: f64,
    y: f64,
    timer: i32,
}

thread_local! {
    static PRESS: std::cell::RefCell<Option<Press>> = const { std::cell::RefCell::new(None) };
    /// A touch drag is under way: the page's `touchmove` listener keeps the browser from
    /// scrolling under the finger (see [`hold_scroll_while_dragging`]).
    static TOUCH_DRAGGING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static SCROLL_GUARD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs, once, a non-passive `touchmove` listener that cancels scrolling while a
/// long-pressed block is being dragged (blocks allow panning, so a plain swipe over
/// them still scrolls the board).
fn hold_scroll_while_dragging() {
    if SCROLL_GUARD.with(|g| g.replace(true)) {
        return;
    }
    let listener =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
            if TOUCH_DRAGGING.with(std::cell::Cell::get) {
                ev.prevent_default();
            }
        });
    // `{passive: false}` built by hand: the one use of AddEventListenerOptions.
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"passive".into(), &false.into());
    let add = js_sys::Reflect::get(&document(), &"addEventListener".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(add) = add {
        let _ = add.call3(
            &document(),
            &"touchmove".into(),
            listener.as_ref(),
            &options,
        );
    }
    listener.forget();
}

/// Ends a press that has not become a drag; `true` when there was one.
fn cancel_press() -> bool {
    PRESS.with(|p| p.borrow_mut().take()).is_some_and(|press| {
        window().clear_timeout_with_handle(press.timer);
        true
    })
}

fn end_touch_drag(block: Option<&web_sys::Element>) {
    TOUCH_DRAGGING.with(|d| d.set(false));
    if let Some(block) = block {
        let _ = block.class_list().remove_1("is-lifted");
    }
}

/// Where a pointer is on the track: the row under it and the horizontal fraction.
/// Rows differ in height (overlapping calls take lanes), so the row is the one the
/// browser finds under the point, not an index computed from a fixed height.
pub fn hit_test(client_x: f64, client_y: f64) -> Option<(RowKey, f64)> {
    let calendar = use_calendar();
    let track = calendar.track.get_untracked()?;
    let rect = track.get_bounding_client_rect();
    if client_y < rect.top() || client_y >= rect.bottom() {
        return None;
    }
    let label = track
        .query_selector(".timeline__label")
        .ok()
        .flatten()
        .map_or(0.0, |l| l.get_bounding_client_rect().width());
    let lane_width = rect.width() - label;
    if lane_width <= 0.0 {
        return None;
    }
    // Horizontally the pointer may be anywhere (past the edges the fraction is clamped);
    // the row is looked up at the same height in the middle of the lanes.
    #[allow(clippy::cast_possible_truncation)]
    let probe_x = (rect.left() + label + lane_width / 2.0) as f32;
    #[allow(clippy::cast_possible_truncation)]
    let row = document()
        .element_from_point(probe_x, client_y as f32)
        .and_then(|el| el.closest(".timeline__row").ok().flatten())
        .and_then(|el| el.get_attribute("data-row"))
        .and_then(|key| parse_row(&key))?;
    Some((
        row,
        ((client_x - rect.left() - label) / lane_width).clamp(0.0, 1.0),
    ))
}

/// The row of a `data-row` attribute.
pub(super) fn parse_row(key: &str) -> Option<RowKey> {
    if key == "dispatcher" {
        Some(RowKey::Dispatcher)
    } else {
        key.parse().ok().map(RowKey::Technician)
    }
}

/// A row's top and height in pixels within the rows container.
pub fn row_box(row: RowKey) -> Option<(f64, f64)> {
    let track = use_calendar().track.get_untracked()?;
    let key = match row {
        RowKey::Dispatcher => "dispatcher".to_owned(),
        RowKey::Technician(id) => id.to_string(),
    };
    let element = track
        .query_selector(&format!(".timeline__row[data-row=\"{key}\"]"))
        .ok()
        .flatten()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()?;
    Some((
        f64::from(element.offset_top()),
        f64::from(element.offset_height()),
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
/// handling of one pointer move up to the ghost's update (marked by the ghost),
/// `drag-render` the rendering of the frame that shows it (style, layout, paint: a task
/// queued from the frame's animation callback runs after it), and `drag-frame` from the
/// first pointer move of a frame to the end of that frame (including the wait for it).
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
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark("drag-render-start");
        }
        let end = wasm_bindgen::closure::Closure::once_into_js(move || {
            FRAME_PENDING.with(|p| p.set(false));
            if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
                let _ = performance.mark("drag-frame-end");
                let _ = performance.measure_with_start_mark_and_end_mark(
                    "drag-frame",
                    "drag-frame-start",
                    "drag-frame-end",
                );
                let _ = performance.measure_with_start_mark_and_end_mark(
                    "drag-render",
                    "drag-render-start",
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
    let element = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    start_drag_on(element.as_ref(), ev, call, mode, from_list);
}

/// Starts a pointer drag, capturing the pointer on `element` (so the drag goes on
/// wherever the pointer goes).
fn start_drag_on(
    element: Option<&web_sys::Element>,
    ev: &web_sys::PointerEvent,
    call: &CallView,
    mode: DragMode,
    from_list: bool,
) {
    if ev.button() != 0 || !ev.is_primary() || crate::offline::refuse_change() {
        return;
    }
    start_drag_at(
        element,
        ev.pointer_id(),
        f64::from(ev.client_x()),
        f64::from(ev.client_y()),
        call,
        mode,
        from_list,
    );
}

/// Starts a drag of `call` at a pointer position, capturing that pointer on `element`.
fn start_drag_at(
    element: Option<&web_sys::Element>,
    pointer_id: i32,
    x: f64,
    y: f64,
    call: &CallView,
    mode: DragMode,
    from_list: bool,
) {
    let calendar = use_calendar();
    if let Some(target) = element {
        let _ = target.set_pointer_capture(pointer_id);
    }
    let geometry = calendar.geometry.get_untracked();
    let grab = match (hit_test(x, y), call.slot) {
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
        origin: (x, y),
        moved: false,
        grab,
        target: call.slot.map(|s| (row, s.start, s.end)),
    }));
}

/// One call drawn at its slot in a row: state colour, icon and word, service, client
/// town and time. Focusable; arrow keys move it, Enter confirms, Escape cancels (the
/// handlers are delegated to the rows container: `block_pointer_down` and friends).
///
/// A block is five reactive nodes (class, position, one memo of its words and the two
/// places they show) and four elements: the board draws thousands of them. A colleague's
/// soft lock is read with the words (one trigger per block, see `SoftLocks`).
#[component]
pub fn CallBlock(
    /// The call (its own signal: only this block re-renders when it changes).
    call: RwSignal<CallView>,
    /// Where it is drawn in the row (the row lays out its calls together, so that
    /// overlapping calls are stacked in lanes, never drawn over each other).
    placed: Signal<Option<Placed>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let id = call.with_untracked(|c| c.id);

    let style = move || match placed.get() {
        Some(Placed {
            left,
            width,
            lane: Lane { lane, lanes },
        }) if lanes > 1 => format!(
            "left:{:.4}%;width:{:.4}%;--lane:{lane};--lanes:{lanes}",
            left * 100.0,
            width * 100.0
        ),
        Some(Placed { left, width, .. }) => {
            format!("left:{:.4}%;width:{:.4}%", left * 100.0, width * 100.0)
        }
        None => "display:none".to_owned(),
    };
    // Changes waiting in the offline queue (crate::offline): marked in words, not colour.
    let offline = crate::offline::use_offline();
    let pending = move || offline.pending(id);
    let class = move || {
        // The colour where the block is drawn (the one domain rule: orange in the
        // dispatcher's row for a dated call without a technician).
        let (_, modifier, _) = call.with(row_state_of);
        let dragging = calendar.dragged.with_value(|d| d.selected(&Some(id)));
        let stacked = placed.with(|p| p.is_some_and(|p| p.lane.lanes > 1));
        format!(
            "block block--{modifier}{}{}{}",
            if dragging { " is-dragging" } else { "" },
            if stacked { " is-stacked" } else { "" },
            if pending() { " is-pending" } else { "" }
        )
    };
    // Everything the block says, rebuilt as a whole when the call changes (rare) rather
    // than watched piece by piece on every block (always). The accessible name is the
    // visible text (what is seen is what is announced); the details (state in words,
    // postcode and town, date) are its description, which costs no layout.
    let words = Memo::new(move |_| {
        let zone = calendar.geometry.with_untracked(|g| g.zone);
        let tag = calendar.format_tag.get();
        call.with(|c| {
            let (key, _, icon) = row_state_of(c);
            let time = c.calendar_slot().map(|s| {
                let (start, end) = (
                    domain::tz::to_local(s.start, zone),
                    domain::tz::to_local(s.end, zone),
                );
                format!(
                    "{:02}:{:02}–{:02}:{:02}",
                    start.hour(),
                    start.minute(),
                    end.hour(),
                    end.minute()
                )
            });
            // What a narrow block shows instead (week view, tablets): the start time, by
            // CSS container queries on the block's own width (style/calendar.css).
            let short = time
                .as_deref()
                .and_then(|t| t.split('–').next())
                .unwrap_or_default()
                .to_owned();
            #[allow(clippy::cast_precision_loss)]
            let when = c
                .slot
                .map(|s| {
                    crate::i18n::format_date_time(
                        &tag,
                        s.start.timestamp_millis() as f64,
                        zone.name(),
                    )
                })
                .unwrap_or_default();
            // The time first: on a narrow block it is what survives the ellipsis.
            let meta = match time {
                Some(time) => format!("{time} · {}", c.client_area.city),
                None => c.client_area.city.clone(),
            };
            let label = format!(
                "{}, {} {}, {when}",
                i18n.t(key),
                c.client_area.postcode,
                c.client_area.city,
            );
            (icon, c.service.name.clone(), meta, label, short)
        })
    });
    let locks = use_soft_locks();
    let content = move || {
        let lock = locks.on(id);
        words.with(|(icon, title, meta, _, short)| {
            // The state icon is drawn by CSS from `data-icon` (kept out of the accessible
            // name there): two DOM nodes fewer on each of thousands of blocks.
            let text = view! {
                <span class="block__title" data-icon=*icon>{title.clone()}</span>
                " "
                <span class="block__meta">{meta.clone()}</span>
                <span class="block__short" data-icon=*icon aria-hidden="true">{short.clone()}</span>
            };
            // Either, not Option: an absent marker would still cost a placeholder node.
            match lock {
                None => Either::Left(text),
                Some(activity) => Either::Right((text, colleague_marker(&i18n, &activity))),
            }
        })
    };

    view! {
        <div
            class=class
            style=style
            role="button"
            tabindex="0"
            aria-description=move || {
                let described = words.with(|w| w.3.clone());
                if pending() { format!("{described}, {}", i18n.t("queue.pending")) } else { described }
            }
            data-pending=move || pending().then(|| i18n.t("queue.pending"))
            data-call-id=id.to_string()
        >
            {content}
        </div>
    }
}

/// The block an event happened in, its call and the row it is drawn in.
fn block_of(ev: &web_sys::Event) -> Option<(web_sys::Element, RwSignal<CallView>, RowKey)> {
    let block = ev
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("[data-call-id]")
        .ok()??;
    let id: Uuid = block.get_attribute("data-call-id")?.parse().ok()?;
    let row = block
        .closest(".timeline__row")
        .ok()??
        .get_attribute("data-row")
        .and_then(|key| parse_row(&key))?;
    let call = untrack(|| use_board().call(id))?;
    Some((block, call, row))
}

// The blocks' pointer, keyboard and hover handlers below are installed once on the rows
// container (timeline.rs) instead of seven closures on each of thousands of blocks.

/// A press on a block: the right edge starts a resize, anywhere else a move.
pub fn block_pointer_down(ev: &web_sys::PointerEvent) {
    let Some((block, call, _)) = block_of(ev) else {
        return;
    };
    ev.stop_propagation();
    if ev.pointer_type() == "touch" {
        press_on(&block, ev, &call.get_untracked());
        return;
    }
    let resize = f64::from(ev.client_x()) >= block.get_bounding_client_rect().right() - RESIZE_EDGE;
    start_drag_on(
        Some(&block),
        ev,
        &call.get_untracked(),
        if resize {
            DragMode::Resize
        } else {
            DragMode::Move
        },
        false,
    );
}

/// A finger on a block: after [`LONG_PRESS_MS`] at rest the block lifts and follows it
/// (a drag); released earlier it is a tap; moved earlier it is a scroll.
fn press_on(block: &web_sys::Element, ev: &web_sys::PointerEvent, call: &CallView) {
    if !ev.is_primary() {
        return;
    }
    cancel_press();
    hold_scroll_while_dragging();
    let calendar = use_calendar();
    let (call_id, pointer_id) = (call.id, ev.pointer_id());
    let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
    let block = block.clone();
    let call = call.clone();
    let owner = Owner::current();
    let lift = wasm_bindgen::closure::Closure::once_into_js(move || {
        let still = PRESS.with(|p| p.borrow_mut().take_if(|p| p.call_id == call_id).is_some());
        if !still {
            return;
        }
        let start = move || {
            if crate::offline::refuse_change() {
                return;
            }
            TOUCH_DRAGGING.with(|d| d.set(true));
            let _ = block.class_list().add_1("is-lifted");
            start_drag_at(Some(&block), pointer_id, x, y, &call, DragMode::Move, false);
            calendar.summary.set(None);
        };
        match owner {
            Some(owner) => owner.with(start),
            None => start(),
        }
    });
    let timer = window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(lift.unchecked_ref(), LONG_PRESS_MS)
        .unwrap_or_default();
    PRESS.with(|p| {
        *p.borrow_mut() = Some(Press {
            call_id,
            pointer_id,
            x,
            y,
            timer,
        });
    });
}

/// Pointer moves of a block's drag (captured by the block, bubbling here).
pub fn block_pointer_move(ev: &web_sys::PointerEvent) {
    let far = PRESS.with(|p| {
        p.borrow().as_ref().is_some_and(|p| {
            p.pointer_id == ev.pointer_id()
                && (f64::from(ev.client_x()) - p.x).hypot(f64::from(ev.client_y()) - p.y)
                    > TOUCH_SLOP
        })
    });
    if far {
        // The finger travelled before the long press: a scroll, which the browser has.
        cancel_press();
        return;
    }
    if block_dragging_block(ev) {
        track_pointer(f64::from(ev.client_x()), f64::from(ev.client_y()));
    }
}

/// The end of a block's drag: a click opens the call, a drop asks to confirm; a tap
/// on a touch screen shows the call's summary card (there is no hover to show it).
pub fn block_pointer_up(ev: &web_sys::PointerEvent, open: impl Fn(Uuid)) {
    let tapped = PRESS.with(|p| p.borrow().as_ref().map(|p| (p.call_id, p.x, p.y)));
    if let Some((id, x, y)) = tapped {
        cancel_press();
        use_calendar().summary.set(Some((id, x, y)));
        return;
    }
    if block_dragging_block(ev) {
        end_touch_drag(block_of(ev).map(|(b, _, _)| b).as_ref());
        finish_drag(open);
    }
}

fn block_dragging_block(ev: &web_sys::PointerEvent) -> bool {
    let Some((_, call, _)) = block_of(ev) else {
        return false;
    };
    let id = call.with_untracked(|c| c.id);
    use_calendar().drag.with_untracked(|d| {
        d.as_ref()
            .is_some_and(|d| d.call_id == id && !d.keyboard && !d.from_list)
    })
}

/// Hover and focus show the details as a tooltip; they are set when the pointer or
/// focus arrives rather than kept up to date on blocks nobody hovers.
pub fn block_show_title(ev: &web_sys::Event) {
    let Some((block, _, _)) = block_of(ev) else {
        return;
    };
    let title = format!(
        "{}, {}",
        block.text_content().unwrap_or_default(),
        block.get_attribute("aria-description").unwrap_or_default()
    );
    if block.get_attribute("title").as_deref() != Some(title.as_str()) {
        let _ = block.set_attribute("title", &title);
    }
}

/// Keyboard: arrows move by 15 minutes / one row, Enter confirms, Escape cancels;
/// Enter or Space on a block that is not being moved opens it.
pub fn block_key_down(ev: &web_sys::KeyboardEvent, open: impl Fn(Uuid)) {
    let Some((_, call, row)) = block_of(ev) else {
        return;
    };
    let calendar = use_calendar();
    let i18n = use_i18n();
    let id = call.with_untracked(|c| c.id);
    let key = ev.key();
    let current = calendar
        .drag
        .get_untracked()
        .filter(|d| d.call_id == id && d.keyboard);
    match key.as_str() {
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
            ev.prevent_default();
            if crate::offline::refuse_change() {
                return;
            }
            let view = call.get_untracked();
            let Some(slot) = view.slot else { return };
            let (mut target_row, mut start, mut end) = current
                .as_ref()
                .and_then(|d| d.target)
                .unwrap_or((row, slot.start, slot.end));
            let all = calendar.rows.get_untracked();
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
            #[allow(clippy::cast_precision_loss)]
            let when = crate::i18n::format_weekday_time(
                &i18n.format_tag(),
                start.timestamp_millis() as f64,
                zone.name(),
            );
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
}

/// A cancelled pointer (the browser took over, e.g. for scrolling) ends the drag.
pub fn block_pointer_cancel(ev: &web_sys::PointerEvent) {
    cancel_press();
    if block_dragging_block(ev) {
        end_touch_drag(block_of(ev).map(|(b, _, _)| b).as_ref());
        use_calendar().drag.set(None);
    }
}
