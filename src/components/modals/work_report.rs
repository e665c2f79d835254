//! The "Work report" section of the call modal: what was done, note by note, with author
//! and time (the marketplace's advice: write one each time time, material or the price
//! changes, so the client can follow the bill).

use domain::{api::orders::NewReportNote, call::Status, command::Actor, view::CallView};
use leptos::{prelude::*, task::spawn_local};

use super::order_section::settle;
use crate::{
    api,
    contexts::{board::use_board, session::use_session, toasts::use_toasts},
    i18n::use_i18n,
};

/// The work-report notes of a call and a field to add one. The text stays in the field
/// until the note is saved.
#[component]
pub fn WorkReport(
    /// The call (won by this company).
    #[prop(into)]
    call: Signal<CallView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let toasts = use_toasts();
    let session = use_session();
    let id = call.with_untracked(|c| c.id);
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let offline = crate::offline::use_offline();
    let zone = move || {
        session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_else(|| "UTC".to_owned())
    };
    // The authors' names come from the server; refetched whenever a note is added.
    let count = Memo::new(move |_| call.with(|c| c.report_notes.len()));
    let names = LocalResource::new(move || {
        count.track();
        async move { api::orders::report(id).await.unwrap_or_default() }
    });
    let editable = move || call.with(|c| matches!(c.status, Status::Accepted | Status::InProgress));

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let note = text.get_untracked();
        if note.trim().is_empty() {
            error.set(Some(i18n.t("orders.error.invalid-text")));
            return;
        }
        busy.set(true);
        let body = NewReportNote {
            text: note,
            version: None,
        };
        spawn_local(async move {
            // Through the offline queue (crate::offline): kept when the server is away.
            let result = offline.add_report_note(id, &body).await;
            if settle(board, i18n, error, result).is_some() {
                text.set(String::new());
                toasts.success(i18n.t("orders.report.saved_toast"));
            }
            busy.set(false);
        });
    };

    let author = move |index: usize, by: &Actor| {
        let named = names
            .get()
            .and_then(|entries| entries.get(index).and_then(|e| e.author.clone()));
        named.unwrap_or_else(|| {
            i18n.t(match by {
                Actor::Technician { .. } => "orders.author.technician",
                _ => "orders.author.dispatcher",
            })
        })
    };

    view! {
        <section class="report" aria-labelledby="report-title">
            <h3 id="report-title">{move || i18n.t("orders.report.title")}</h3>
            <ol class="report__notes">
                {move || call.with(|c| c.report_notes.iter().enumerate().map(|(i, note)| {
                    #[allow(clippy::cast_precision_loss)]
                    let at = i18n.date_time(note.at.timestamp_millis() as f64, &zone());
                    let by = note.by.clone();
                    view! {
                        <li class="report__note">
                            <p class="report__text">{note.text.clone()}</p>
                            <p class="report__meta">{move || author(i, &by)}" · "{at.clone()}</p>
                        </li>
                    }
                }).collect_view())}
            </ol>
            <Show when=move || count.get() == 0>
                <p class="muted">{move || i18n.t("orders.report.empty")}</p>
            </Show>
            <Show when=editable>
                <form class="report__form" on:submit=add>
                    <div class="field">
                        <label for="report-text">{move || i18n.t("orders.report.label")}</label>
                        <textarea id="report-text" rows="3" maxlength="4000"
                            prop:value=move || text.get()
                            on:input:target=move |ev| text.set(ev.target().value())></textarea>
                        <p class="order__hint">{move || i18n.t("orders.report.hint")}</p>
                    </div>
                    <button type="submit" class="button button--secondary" disabled=move || busy.get()>
                        {move || i18n.t("orders.report.add")}
                    </button>
                </form>
            </Show>
            <div class="form-error" role="alert">{move || error.get()}</div>
        </section>
    }
}
