use domain::{call::OfferState, view::CallView};
use leptos::prelude::*;
use leptos_router::components::A;

use super::{price_of, state_badge::StateBadge};
use crate::{contexts::session::use_session, i18n::use_i18n};

/// One call in a list: service, client area, date/time or "no date yet", price and state;
/// the title opens the detail modal. Offered requests get Accept / Decline buttons.
#[component]
pub fn CallCard(
    /// The call to show (its own signal: only this card re-renders when it changes).
    call: RwSignal<CallView>,
    /// Accept pressed (offered requests only).
    #[prop(optional)]
    on_accept: Option<Callback<CallView>>,
    /// Decline pressed (offered requests only).
    #[prop(optional)]
    on_decline: Option<Callback<CallView>>,
    /// Shows a handle to drag the call onto the calendar (the "to assign" list).
    #[prop(optional)]
    draggable: bool,
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
    let price = move || {
        let (amount, currency) = call.with(price_of);
        i18n.money(amount, &currency)
    };
    let area = move || call.with(|c| format!("{} {}", c.client_area.postcode, c.client_area.city));
    let href = move || format!("/requests/{}", call.with(|c| c.id));
    let offered = move || call.with(|c| c.offer_state == OfferState::Offered);
    view! {
        <article class=move || format!("call-card call-card--{}", super::state_badge::state_of(&call.get()).1)
            data-testid="call-card">
            <div class="call-card__head">
                <h3 class="call-card__title">
                    <A href=href>{move || call.with(|c| c.service.name.clone())}</A>
                </h3>
                <StateBadge call=call />
            </div>
            <p class="call-card__meta">
                <span>{area}</span>
                <span>{when}</span>
                <span class="call-card__price">{price}</span>
            </p>
            {draggable.then(|| view! { <DragHandle call /> })}
            <Show when=offered>
                <div class="call-card__actions">
                    <button type="button" class="button button--primary button--small"
                        on:click=move |_| if let Some(cb) = on_accept { cb.run(call.get_untracked()) }>
                        {move || i18n.t("calls.accept")}
                    </button>
                    <button type="button" class="button button--secondary button--small"
                        on:click=move |_| if let Some(cb) = on_decline { cb.run(call.get_untracked()) }>
                        {move || i18n.t("calls.decline")}
                    </button>
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
