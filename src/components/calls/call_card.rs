//! One call as a card in the lists below the calendar.

use chrono::{DateTime, Utc};
use domain::{call::OfferState, view::CallView};
use leptos::prelude::*;
use leptos_router::components::A;

use super::{price_of, state_badge::StateBadge};
use crate::{contexts::session::use_session, i18n::use_i18n};

/// One call in a list: service, client area, when it arrived, date/time or "no date
/// yet", price and state; the title opens the detail modal. Offered requests get Accept
/// and, apart from it, Decline — which asks once more before it is sent. A request
/// another partner took says so in place and offers nothing.
#[component]
pub fn CallCard(
    /// The call to show (its own signal: only this card re-renders when it changes).
    call: RwSignal<CallView>,
    /// Accept pressed (offered requests only).
    #[prop(optional)]
    on_accept: Option<Callback<CallView>>,
    /// Decline confirmed (offered requests only).
    #[prop(optional)]
    on_decline: Option<Callback<CallView>>,
    /// Shows a handle to drag the call onto the calendar (the "to assign" list).
    #[prop(optional)]
    draggable: bool,
    /// The current time, for "3 min ago" (ticks in the list, not per card).
    #[prop(optional, into)]
    now: Option<Signal<DateTime<Utc>>>,
    /// Whether the card is marked "new" (arrived while the board was open, not yet seen).
    #[prop(optional, into)]
    is_new: Option<Signal<bool>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let zone = move || {
        session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_default()
    };
    let when = move || {
        call.with(|c| c.slot).map_or_else(
            || i18n.t("calls.no_date"),
            #[allow(clippy::cast_precision_loss)]
            |slot| i18n.date_time(slot.start.timestamp_millis() as f64, &zone()),
        )
    };
    let arrived = move || {
        let (now, at) = (now?, call.with(|c| c.offered_at)?);
        Some(super::arrival::arrived_ago(
            &i18n.format_tag(),
            at,
            now.get(),
        ))
    };
    let arrived_iso = move || call.with(|c| c.offered_at.map(|t| t.to_rfc3339()));
    let price = move || {
        let (amount, currency) = call.with(price_of);
        i18n.money(amount, &currency)
    };
    let area = move || call.with(|c| format!("{} {}", c.client_area.postcode, c.client_area.city));
    let href = move || crate::embed::href(&format!("/requests/{}", call.with(|c| c.id)));
    let offered = move || call.with(|c| c.offer_state == OfferState::Offered);
    let taken = move || call.with(|c| c.offer_state == OfferState::Taken);
    let fresh = move || is_new.is_some_and(|n| n.get()) && offered();
    // Changes waiting in the offline queue (crate::offline), in words as on the blocks.
    let offline = crate::offline::use_offline();
    let pending = move || call.with(|c| offline.pending(c.id));
    let confirming = RwSignal::new(false);
    let decline_button = NodeRef::<leptos::html::Button>::new();
    let id = call.with_untracked(|c| c.id);
    let confirm_id = StoredValue::new(format!("decline-confirm-{id}"));
    view! {
        <article class=move || format!("call-card call-card--{}{}{}",
                super::state_badge::state_of(&call.get()).1,
                if fresh() { " is-new" } else { "" },
                if pending() { " is-pending" } else { "" })
            data-testid="call-card">
            <div class="call-card__head">
                <h3 class="call-card__title">
                    <A href=href>{move || call.with(|c| c.service.name.clone())}</A>
                </h3>
                <Show when=fresh>
                    <span class="badge badge--new">{move || i18n.t("calls.new")}</span>
                </Show>
                <Show when=pending>
                    <span class="badge badge--pending" data-testid="pending-badge">{move || i18n.t("queue.pending")}</span>
                </Show>
                <StateBadge call=call />
            </div>
            <p class="call-card__meta">
                <span>{area}</span>
                <span>{when}</span>
                <span class="call-card__price">{price}</span>
                {move || arrived().map(|text| view! {
                    <span class="call-card__arrived">
                        {i18n.t("calls.arrived")}" "<time datetime=arrived_iso>{text}</time>
                    </span>
                })}
            </p>
            {draggable.then(|| view! { <DragHandle call /> })}
            <Show when=taken>
                <p class="call-card__taken" data-testid="taken-notice">
                    <span aria-hidden="true">"⊘ "</span>{move || i18n.t("calls.taken_in_place")}
                </p>
            </Show>
            <Show when=offered>
                <div class="call-card__actions">
                    <button type="button" class="button button--primary button--small"
                        on:click=move |_| if let Some(cb) = on_accept { cb.run(call.get_untracked()) }>
                        {move || i18n.t("calls.accept")}
                    </button>
                    // Decline sits at the far end and asks once more: a slip from Accept
                    // must not throw a request away.
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" node_ref=decline_button
                                class="button button--ghost button--small call-card__decline"
                                on:click=move |_| confirming.set(true)>
                                {move || i18n.t("calls.decline")}
                            </button>
                        }
                    >
                        <div class="call-card__confirm" role="group" aria-labelledby=confirm_id.get_value()>
                            <span id=confirm_id.get_value()>{move || i18n.t("calls.decline_confirm")}</span>
                            <button type="button" class="button button--danger button--small"
                                autofocus=true
                                on:click=move |_| {
                                    confirming.set(false);
                                    if let Some(cb) = on_decline { cb.run(call.get_untracked()) }
                                }>
                                {move || i18n.t("calls.decline_yes")}
                            </button>
                            <button type="button" class="button button--secondary button--small"
                                on:click=move |_| {
                                    confirming.set(false);
                                    request_animation_frame(move || {
                                        if let Some(b) = decline_button.try_get_untracked().flatten() { let _ = b.focus(); }
                                    });
                                }>
                                {move || i18n.t("calls.decline_keep")}
                            </button>
                        </div>
                    </Show>
                </div>
            </Show>
        </article>
    }
}

/// A grip that drags the call from the list onto a calendar row and time (Pointer
/// Events: mouse, touch and pen). Keyboard users schedule from the call's detail modal.
#[component]
fn DragHandle(call: RwSignal<CallView>) -> impl IntoView {
    use crate::components::calendar::{
        call_block::{finish_drag, start_drag, track_pointer},
        use_calendar, DragMode,
    };
    let i18n = use_i18n();
    let calendar = use_calendar();
    let navigate = leptos_router::hooks::use_navigate();
    let id = call.with_untracked(|c| c.id);
    let mine = move || {
        calendar
            .drag
            .with_untracked(|d| d.as_ref().is_some_and(|d| d.call_id == id))
    };
    view! {
        <button
            type="button"
            class="drag-handle"
            data-testid="drag-handle"
            on:pointerdown=move |ev: web_sys::PointerEvent| start_drag(&ev, &call.get_untracked(), DragMode::Move, true)
            on:pointermove=move |ev: web_sys::PointerEvent| {
                if mine() {
                    track_pointer(f64::from(ev.client_x()), f64::from(ev.client_y()));
                }
            }
            on:pointerup=move |_| {
                if mine() {
                    let navigate = navigate.clone();
                    finish_drag(move |id| navigate(&format!("/requests/{id}"), Default::default()));
                }
            }
            on:pointercancel=move |_| calendar.drag.set(None)
        >
            <span aria-hidden="true">"⠿ "</span>
            {move || i18n.t("calendar.drag_to_calendar")}
        </button>
    }
}
