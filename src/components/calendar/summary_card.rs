//! The card a tap on a block opens on a touch screen, where there is no hover to show
//! a block's details: service, state, time, town and technician, and a way into the
//! call's detail modal.

use leptos::prelude::*;
use uuid::Uuid;

use super::{row_name, use_calendar, RowKey};
use crate::{components::calls::state_badge::state_of, contexts::board::use_board, i18n::use_i18n};

/// The summary card of the tapped call, placed near the finger and kept on screen.
#[component]
pub fn SummaryCard(
    /// Opens the call's detail modal.
    open: Callback<Uuid>,
) -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let board = use_board();
    move || {
        let (id, x, y) = calendar.summary.get()?;
        let call = board.call(id)?.get();
        let zone = calendar.geometry.with_untracked(|g| g.zone);
        let (key, _, icon) = state_of(&call);
        #[allow(clippy::cast_precision_loss)]
        let when = call.slot.map(|s| {
            crate::i18n::format_date_time(
                &i18n.format_tag(),
                s.start.timestamp_millis() as f64,
                zone.name(),
            )
        });
        let row = call
            .technician_id
            .map_or(RowKey::Dispatcher, RowKey::Technician);
        let width = window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .unwrap_or(1024.0);
        // 18rem wide, never past the screen's edges.
        let left = (x - 144.0).clamp(8.0, (width - 296.0).max(8.0));
        let style = format!("left:{left:.0}px;top:{:.0}px", y + 16.0);
        let close = move |_| calendar.summary.set(None);
        Some(view! {
            <div class="summary-card" role="dialog" aria-modal="false" aria-labelledby="summary-card-title"
                style=style data-testid="summary-card">
                <h2 id="summary-card-title" class="summary-card__title">
                    <span aria-hidden="true">{icon}" "</span>{call.service.name.clone()}
                </h2>
                <dl class="summary-card__facts">
                    <div><dt>{move || i18n.t("calendar.summary.state")}</dt><dd>{i18n.t(key)}</dd></div>
                    {when.map(|w| view! { <div><dt>{move || i18n.t("calendar.summary.when")}</dt><dd>{w}</dd></div> })}
                    <div><dt>{move || i18n.t("calendar.summary.where")}</dt>
                        <dd>{format!("{} {}", call.client_area.postcode, call.client_area.city)}</dd></div>
                    <div><dt>{move || i18n.t("calendar.summary.who")}</dt><dd>{row_name(&i18n, row)}</dd></div>
                </dl>
                <div class="summary-card__actions">
                    <button type="button" class="button button--primary" on:click=move |_| {
                        calendar.summary.set(None);
                        open.run(id);
                    }>{move || i18n.t("calendar.summary.open")}</button>
                    <button type="button" class="button button--ghost" on:click=close>
                        {move || i18n.t("calendar.summary.close")}
                    </button>
                </div>
            </div>
        })
    }
}
