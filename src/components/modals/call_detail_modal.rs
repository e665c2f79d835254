use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use domain::{
    api::calls::PatchCall,
    call::{OfferState, Status},
    colour::Colour,
    slot::TimeSlot,
    tz,
    view::CallView,
};
use leptos::{html, prelude::*, task::spawn_local};
use uuid::Uuid;

use crate::{
    api,
    components::{
        calendar::move_dialog::use_move_undo,
        calls::{
            accept_and_report, decline_and_report, error_text, missing_text, price_of,
            state_badge::StateBadge,
        },
    },
    contexts::{
        board::{use_board, use_roster},
        session::use_session,
        toasts::use_toasts,
    },
    i18n::use_i18n,
};

/// Start times offered by the picker: the 15-minute grid of a working day.
fn quarter_hours() -> impl Iterator<Item = String> {
    (6 * 4..22 * 4).map(|q| format!("{:02}:{:02}", q / 4, (q % 4) * 15))
}

/// The detail modal of one call (deep link `/requests/{id}`): price, duration, address,
/// client contact once accepted, accept/decline, and the tasks — client called, date and
/// time in the company's zone, technician. Server errors show inside the modal and the
/// form keeps what was entered.
#[component]
pub fn CallDetailModal(
    /// The call to show.
    id: Uuid,
    /// Whether it was just accepted (shows the reminder to phone the client).
    #[prop(into)]
    just_accepted: Signal<bool>,
    /// Closing the modal (Escape, the close button, the backdrop).
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let offline = crate::offline::use_offline();
    let board = use_board();
    let toasts = use_toasts();
    let session = use_session();
    let roster = use_roster();
    let dialog = NodeRef::<html::Dialog>::new();
    // Colleagues see this call as open here while the modal lives.
    crate::contexts::presence::report_editing(id);
    let error = RwSignal::new(None::<String>);
    let reminder = RwSignal::new(just_accepted.get_untracked());
    let zone_name = move || {
        session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_else(|| "UTC".to_owned())
    };

    // The call: from the board when it is there, else fetched (a deep link from an e-mail).
    let fetched = LocalResource::new(move || async move { api::call(id).await });
    let call = Memo::new(move |_| {
        board
            .call(id)
            .map(|c| c.get())
            .or_else(|| fetched.get().and_then(|r| r.ok()))
    });
    Effect::new(move |_| {
        if let Some(Ok(view)) = fetched.get() {
            if view.offer_state != OfferState::Taken {
                board.upsert(view);
            }
        }
    });

    // The form follows the call's date and technician whenever they change (a save, an
    // undo, a colleague's move) and otherwise keeps what was typed (a failed save changes
    // nothing, so the dispatcher's input survives it).
    let date = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
    let technician = RwSignal::new(String::new());
    let synced = StoredValue::new(None::<(Option<TimeSlot>, Option<Uuid>)>);
    Effect::new(move |_| {
        let Some(view) = call.get() else { return };
        let now = (view.slot, view.technician_id);
        let before = synced.get_value();
        synced.set_value(Some(now));
        if before.map(|b| b.0) != Some(now.0) {
            match (view.slot, tz::parse_zone(&zone_name())) {
                (Some(slot), Ok(zone)) => {
                    let local = tz::to_local(slot.start, zone);
                    date.set(local.format("%Y-%m-%d").to_string());
                    time.set(format!("{:02}:{:02}", local.hour(), local.minute()));
                }
                _ => {
                    date.set(String::new());
                    time.set(String::new());
                }
            }
        }
        if before.map(|b| b.1) != Some(now.1) {
            technician.set(
                view.technician_id
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            );
        }
    });

    // Open as a modal dialog (focus moves into it; Escape and the backdrop close it) and
    // give focus back to where it was when it closes.
    let opener = StoredValue::new_local(document().active_element());
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });
    on_cleanup(move || {
        if let Some(el) = opener.get_value() {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });

    let busy = RwSignal::new(false);
    // A new date or technician is a move: undoable like a drop on the calendar.
    let move_undo = use_move_undo();
    let send = move |change: PatchCall| {
        busy.set(true);
        error.set(None);
        let before = call.get_untracked();
        let moves = change.slot.is_some() || change.technician_id.is_some();
        spawn_local(async move {
            match api::patch_call(id, &change).await {
                Ok(view) => {
                    board.upsert(view.clone());
                    match (move_undo, before) {
                        (Some(undo), Some(before)) if moves => undo.offer(before, view),
                        _ => toasts.success(i18n.t("calls.saved_toast")),
                    }
                }
                Err(err) => {
                    if let api::ApiError::Problem(problem) = &err {
                        if let Some(current) = problem
                            .current
                            .clone()
                            .and_then(|c| serde_json::from_value::<CallView>(c).ok())
                        {
                            board.upsert(current);
                        }
                    }
                    error.set(Some(error_text(&i18n, &err)));
                }
            }
            busy.set(false);
        });
    };
    let version = move || call.with_untracked(|c| c.as_ref().map_or(0, |c| c.version));

    let confirm_called = Callback::new(move |()| {
        send(PatchCall {
            version: version(),
            client_called: Some(true),
            ..PatchCall::default()
        });
    });
    let save_date = Callback::new(move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = NaiveDate::parse_from_str(&date.get_untracked(), "%Y-%m-%d")
            .ok()
            .zip(NaiveTime::parse_from_str(&time.get_untracked(), "%H:%M").ok());
        let (Some((d, t)), Ok(zone)) = (parsed, tz::parse_zone(&zone_name())) else {
            error.set(Some(i18n.t("calls.error.date_required")));
            return;
        };
        let minutes =
            call.with_untracked(|c| c.as_ref().map_or(60, |c| c.service.duration_minutes));
        let start = tz::local_to_utc(NaiveDateTime::new(d, t), zone);
        match TimeSlot::starting_at(start, i64::from(minutes)) {
            Ok(slot) => send(PatchCall {
                version: version(),
                slot: Some(Some(slot)),
                ..PatchCall::default()
            }),
            Err(_) => error.set(Some(i18n.t("calls.error.validation"))),
        }
    });
    let assign = Callback::new(move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(tech) = Uuid::parse_str(&technician.get_untracked()) else {
            error.set(Some(i18n.t("calls.error.validation")));
            return;
        };
        send(PatchCall {
            version: version(),
            technician_id: Some(Some(tech)),
            ..PatchCall::default()
        });
    });
    let accept = move |_| {
        let accepting = accept_and_report(id);
        spawn_local(async move {
            if accepting.await.is_some() {
                reminder.set(true);
            }
        });
    };
    let decline = move |_| {
        let declining = decline_and_report(id);
        spawn_local(async move {
            declining.await;
            on_close.run(());
        });
    };

    let body = move || {
        let Some(view) = call.get() else {
            return match fetched.get() {
                Some(Err(_)) => {
                    view! { <p role="alert">{i18n.t("calls.modal.not_found")}</p> }.into_any()
                }
                _ => view! { <p role="status">{i18n.t("calls.modal.loading")}</p> }.into_any(),
            };
        };
        let signal = Signal::derive(move || call.get().unwrap_or_else(|| view.clone()));
        let v = signal.get_untracked();
        let (amount, currency) = price_of(&v);
        let won = v.offer_state == OfferState::Won;
        let open_tasks = won && matches!(v.status, Status::Accepted | Status::InProgress);
        let address = match &v.client {
            Some(client) => format!(
                "{}, {} {}, {}",
                client.address.street,
                client.address.postcode,
                client.address.city,
                client.address.country
            ),
            None => format!(
                "{} {}, {}",
                v.client_area.postcode, v.client_area.city, v.client_area.country
            ),
        };
        #[allow(clippy::cast_precision_loss)]
        let when = v.slot.map_or_else(
            || i18n.t("calls.no_date"),
            |s| i18n.date_time(s.start.timestamp_millis() as f64, &zone_name()),
        );
        view! {
            <header class="modal__head">
                <div>
                    <h2 id="call-modal-title">{v.service.name.clone()}</h2>
                    <StateBadge call=signal />
                </div>
                <button type="button" class="icon-button" on:click=move |_| on_close.run(())
                    aria-label=i18n.t("calls.modal.close")>"×"</button>
            </header>
            <super::colleague_notice::ColleagueNotice call_id=id />
            {(v.offer_state == OfferState::Taken).then(|| view! {
                <p class="notice notice--warning" role="status">{i18n.t("calls.modal.taken_notice")}</p>
            })}
            {move || (reminder.get() && won && !signal.with(|c| c.client_called)).then(|| view! {
                <div class="notice notice--reminder" role="alert">
                    <strong>{i18n.t("calls.modal.reminder_title")}</strong>
                    <p>{i18n.t("calls.modal.reminder_text")}</p>
                    {signal.with(|c| c.client.clone()).map(|c| view! {
                        <a class="phone" href=format!("tel:{}", c.phone.replace(' ', ""))>{c.phone.clone()}</a>
                    })}
                </div>
            })}
            <dl class="facts">
                <div><dt>{i18n.t(if won { "calls.modal.price" } else { "calls.modal.recommended_price" })}</dt>
                    <dd>{i18n.money(amount, &currency)}</dd></div>
                <div><dt>{i18n.t("calls.modal.duration")}</dt>
                    <dd>{format!("{} {}", v.service.duration_minutes, i18n.t("calls.modal.minutes"))}</dd></div>
                <div><dt>{i18n.t("calls.modal.when")}</dt><dd>{when}</dd></div>
                <div><dt>{i18n.t("calls.modal.address")}</dt><dd>{address}</dd></div>
                <div><dt>{i18n.t("calls.modal.client")}</dt>
                    <dd>{match v.client.clone() {
                        Some(c) => view! {
                            <span>{c.name}</span>" · "
                            <a href=format!("tel:{}", c.phone.replace(' ', ""))>{c.phone.clone()}</a>" · "
                            <a href=format!("mailto:{}", c.email)>{c.email.clone()}</a>
                        }.into_any(),
                        None => view! { <span class="muted">{i18n.t("calls.modal.contact_after_accept")}</span> }.into_any(),
                    }}</dd></div>
                {v.notes.clone().filter(|n| !n.is_empty()).map(|n| view! {
                    <div><dt>{i18n.t("calls.modal.notes")}</dt><dd>{n}</dd></div>
                })}
            </dl>
            // Offline the board is read-only (crate::offline): the edits are disabled
            // and say why.
            {move || offline.read_only().then(|| view! {
                <p class="notice notice--warning" role="status">{i18n.t("pwa.offline_read_only")}</p>
            })}
            <fieldset class="modal__edits" disabled=move || offline.read_only()>
                {(v.offer_state == OfferState::Offered).then(|| view! {
                    <div class="modal__actions">
                        <button type="button" class="button button--primary" on:click=accept>{i18n.t("calls.accept")}</button>
                        <button type="button" class="button button--secondary" on:click=decline>{i18n.t("calls.decline")}</button>
                    </div>
                })}
                {open_tasks.then(|| view! { <Tasks signal date time technician busy confirm_called save_date assign /> })}
            </fieldset>
        }
        .into_any()
    };

    // Keep the roster fresh for the picker.
    roster.ensure_loaded();

    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby="call-modal-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_close.run(());
            }
        >
            <div class="modal__body">
                {body}
                <fieldset class="modal__edits" disabled=move || offline.read_only()>
                    <super::order_section::OrderPanel call on_close />
                </fieldset>
                <div class="form-error" role="alert">{move || error.get()}</div>
            </div>
        </dialog>
    }
}

/// The tasks after accepting: client called, date and time, technician.
#[component]
fn Tasks(
    signal: Signal<CallView>,
    date: RwSignal<String>,
    time: RwSignal<String>,
    technician: RwSignal<String>,
    busy: RwSignal<bool>,
    confirm_called: Callback<()>,
    save_date: Callback<leptos::ev::SubmitEvent>,
    assign: Callback<leptos::ev::SubmitEvent>,
) -> impl IntoView {
    let i18n = use_i18n();
    let roster = use_roster();
    let called = move || signal.with(|c| c.client_called);
    let ready = move || signal.with(|c| c.colour == Colour::Green);
    view! {
        <section class="tasks" aria-labelledby="tasks-title">
            <h3 id="tasks-title">{move || i18n.t("calls.modal.tasks")}</h3>
            <Show when=ready>
                <p class="notice notice--success" role="status">{move || i18n.t("calls.modal.ready")}</p>
            </Show>
            <div class="task">
                <Show
                    when=called
                    fallback=move || view! {
                        <button type="button" class="button button--secondary" on:click=move |_| confirm_called.run(())
                            disabled=move || busy.get()>
                            {move || i18n.t("calls.modal.confirm_called")}
                        </button>
                    }
                >
                    <p class="task__done">"✔ "{move || i18n.t("calls.modal.called_done")}</p>
                </Show>
            </div>
            <form class="task task--row" on:submit=move |ev| save_date.run(ev)>
                <div class="field">
                    <label for="call-date">{move || i18n.t("calls.modal.date")}</label>
                    <input id="call-date" type="date" bind:value=date />
                </div>
                <div class="field">
                    <label for="call-time">{move || i18n.t("calls.modal.time")}</label>
                    <select id="call-time" prop:value=move || time.get()
                        on:change=move |ev| time.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {quarter_hours().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button--secondary" disabled=move || busy.get()>
                    {move || i18n.t("calls.modal.save_date")}
                </button>
            </form>
            <form class="task task--row" on:submit=move |ev| assign.run(ev)>
                <div class="field">
                    <label for="call-technician">{move || i18n.t("calls.modal.technician")}</label>
                    <select id="call-technician" prop:value=move || technician.get()
                        on:change=move |ev| technician.set(event_target_value(&ev))>
                        <option value="">{move || i18n.t("calls.modal.choose_technician")}</option>
                        {move || roster.list().into_iter().filter(|t| t.active).map(|t| {
                            let label = if t.verified {
                                t.name.clone()
                            } else {
                                format!("{} — {}{}{}", t.name, i18n.t("calls.modal.unverified_reason"), i18n.colon(), missing_text(&i18n, &t.missing))
                            };
                            view! { <option value=t.id.to_string() disabled=!t.verified>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button--secondary" disabled=move || busy.get()>
                    {move || i18n.t("calls.modal.assign")}
                </button>
            </form>
        </section>
    }
}
