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
        calendar::{move_dialog::use_move_undo, refusal_among, RowKey},
        calls::{
            accept_and_report, decline_and_report, error_text, price_of, state_badge::StateBadge,
        },
        common::{date_picker::DatePicker, toast_host::ToastHost},
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

/// The control a refused action belongs to: its reason shows next to it, and focus goes
/// there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Called,
    Date,
    Technician,
    Offer,
    /// No single control (shown at the foot of the modal).
    Other,
}

impl Field {
    fn error_id(self) -> &'static str {
        match self {
            Field::Called => "call-called-error",
            Field::Date => "call-date-error",
            Field::Technician => "call-technician-error",
            Field::Offer => "call-offer-error",
            Field::Other => "call-error",
        }
    }
}

/// The reason shown next to `field`, if the last refusal was about it.
fn error_at(
    error: RwSignal<Option<(Field, String)>>,
    field: Field,
) -> impl Fn() -> Option<String> + Copy {
    move || {
        error.with(|e| {
            e.as_ref()
                .filter(|(f, _)| *f == field)
                .map(|(_, t)| t.clone())
        })
    }
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
    let error = RwSignal::new(None::<(Field, String)>);
    let date_input = NodeRef::<html::Input>::new();
    let technician_select = NodeRef::<html::Select>::new();
    let called_button = NodeRef::<html::Button>::new();
    let accept_button = NodeRef::<html::Button>::new();
    // Moves focus to `field`'s control once the modal has redrawn.
    let focus = move |field: Field| {
        request_animation_frame(move || {
            let element: Option<web_sys::HtmlElement> = match field {
                // `try_`: the modal may have closed before the frame.
                Field::Date => date_input.try_get_untracked().flatten().map(Into::into),
                Field::Technician => technician_select
                    .try_get_untracked()
                    .flatten()
                    .map(Into::into),
                Field::Called => called_button.try_get_untracked().flatten().map(Into::into),
                Field::Offer => accept_button.try_get_untracked().flatten().map(Into::into),
                Field::Other => None,
            };
            let element = element.or_else(|| {
                use wasm_bindgen::JsCast;
                document()
                    .get_element_by_id(field.error_id())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            });
            if let Some(element) = element {
                let _ = element.focus();
            }
        });
    };
    let reminder = RwSignal::new(just_accepted.get_untracked());
    let zone_name = move || {
        session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_else(|| "UTC".to_owned())
    };

    // The call whole: the board holds its summary (`CallView::summary`), or nothing (a
    // deep link from an e-mail). Offline, the copy kept when it was last opened.
    let user = session.0.with_untracked(|state| match state {
        crate::contexts::session::SessionState::SignedIn(me) => me.user_id,
        _ => Uuid::nil(),
    });
    let fetched = LocalResource::new(move || async move { api::call_or_kept(user, id).await });
    // Once shown, a call that leaves the board (taken by another partner, declined) keeps
    // its last state here rather than falling back to the older fetched one.
    let call = Memo::new(move |previous: Option<&Option<CallView>>| {
        board
            .call(id)
            .map(|c| c.get())
            .or_else(|| previous.cloned().flatten())
            .or_else(|| fetched.get().and_then(|r| r.ok()))
    });
    Effect::new(move |_| {
        if let Some(Ok(view)) = fetched.get() {
            // Not over a newer state the board has meanwhile (a live event; or, offline,
            // a kept call older than the board on screen).
            let older = board
                .version_untracked(id)
                .is_some_and(|v| v > view.version);
            if view.offer_state != OfferState::Taken && !older {
                board.upsert(offline.with_waiting(view));
            }
        }
    });
    // A board read while the modal is open brings the call's summary at a newer version
    // (after a reconnect): read the call whole again.
    let summarised = Memo::new(move |_| {
        board
            .call(id)
            .and_then(|c| c.with(|c| c.summary.then_some(c.version)))
    });
    Effect::new(move |previous: Option<Option<i64>>| {
        let now = summarised.get();
        let fetched_version = fetched.with_untracked(|r| match r {
            Some(Ok(view)) => Some(view.version),
            _ => None,
        });
        if previous.is_some() && now.is_some() && now > fetched_version {
            fetched.refetch();
        }
        now
    });
    // No whole call to be had: the read failed (offline, never opened here before), or
    // the copy kept offline is older than the board's summary.
    let detail_failed = Signal::derive(move || match fetched.get() {
        Some(Err(_)) => true,
        Some(Ok(kept)) => board
            .call(id)
            .is_some_and(|c| c.with(|c| c.summary && c.version > kept.version)),
        None => false,
    });

    // The form follows the call's date and technician whenever they change (a save, an
    // undo, a colleague's move) and otherwise keeps what was typed (a failed save changes
    // nothing, so the dispatcher's input survives it).
    let date = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
    let technician = RwSignal::new(String::new());
    let synced = StoredValue::new(None::<(Option<TimeSlot>, Option<Uuid>)>);
    // Bumped to put the form back to the server's values (after a refusal).
    let resync = RwSignal::new(0u32);
    Effect::new(move |_| {
        if resync.get() > 0 {
            synced.set_value(None);
        }
        let Some(view) = call.get() else { return };
        let now = (view.slot, view.technician_id);
        let before = synced.get_value();
        synced.set_value(Some(now));
        if before.map(|b| b.0) != Some(now.0) {
            match (view.slot, tz::parse_zone(&zone_name())) {
                (Some(slot), Ok(zone)) => {
                    let local = tz::to_local(slot.start, zone);
                    // `NaiveDate` shows as `YYYY-MM-DD`, the date input's value (without
                    // chrono's strftime formatter in the wasm).
                    date.set(local.date_naive().to_string());
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
        use wasm_bindgen::JsCast;
        let opener = opener
            .get_value()
            .filter(|el| el.is_connected())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        // When the opener is gone (its card left the list, its block was redrawn), focus
        // goes to the board's first control rather than to the page body.
        let target = opener.or_else(|| {
            document()
                .query_selector(".toolbar button, main h1, main")
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        });
        if let Some(el) = target {
            let _ = el.focus();
        }
    });

    let busy = RwSignal::new(false);
    // A new date or technician is a move: undoable like a drop on the calendar.
    let move_undo = use_move_undo();
    let send = move |change: PatchCall, field: Field| {
        busy.set(true);
        error.set(None);
        let before = call.get_untracked();
        let moves = change.slot.is_some() || change.technician_id.is_some();
        spawn_local(async move {
            // Through the offline queue (crate::offline): kept when the server is away;
            // a queued move has nothing on the server to undo yet.
            match offline.patch_call(id, &change).await {
                Ok(view) => {
                    board.upsert(view.clone());
                    match (move_undo, before) {
                        _ if offline.pending_untracked(id) => {
                            toasts.info(i18n.t("queue.saved_offline_toast"));
                        }
                        (Some(undo), Some(before)) if moves => undo.offer(before, view),
                        _ => toasts.success(i18n.t("calls.saved_toast")),
                    }
                    // "Client called" turns into a done mark: the next task takes focus.
                    if field == Field::Called {
                        focus(Field::Date);
                    }
                }
                Err(err) => {
                    if let Some(current) = err.current_call() {
                        board.upsert(current);
                    }
                    // The control shows the server's value again, its reason beside it.
                    resync.update(|n| *n += 1);
                    error.set(Some((field, error_text(&i18n, &err))));
                    focus(field);
                }
            }
            busy.set(false);
        });
    };
    let version = move || call.with_untracked(|c| c.as_ref().map_or(0, |c| c.version));

    let confirm_called = Callback::new(move |()| {
        send(
            PatchCall {
                version: version(),
                client_called: Some(true),
                ..PatchCall::default()
            },
            Field::Called,
        );
    });
    let save_date = Callback::new(move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = date
            .get_untracked()
            .parse::<NaiveDate>()
            .ok()
            .zip(time.get_untracked().parse::<NaiveTime>().ok());
        let (Some((d, t)), Ok(zone)) = (parsed, tz::parse_zone(&zone_name())) else {
            error.set(Some((Field::Date, i18n.t("calls.error.date_required"))));
            focus(Field::Date);
            return;
        };
        let minutes =
            call.with_untracked(|c| c.as_ref().map_or(60, |c| c.service.duration_minutes));
        let start = tz::local_to_utc(NaiveDateTime::new(d, t), zone);
        match TimeSlot::starting_at(start, i64::from(minutes)) {
            Ok(slot) => send(
                PatchCall {
                    version: version(),
                    slot: Some(Some(slot)),
                    ..PatchCall::default()
                },
                Field::Date,
            ),
            Err(_) => {
                error.set(Some((Field::Date, i18n.t("calls.error.validation"))));
                focus(Field::Date);
            }
        }
    });
    let assign = Callback::new(move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(tech) = Uuid::parse_str(&technician.get_untracked()) else {
            error.set(Some((
                Field::Technician,
                i18n.t("calls.error.choose_technician"),
            )));
            focus(Field::Technician);
            return;
        };
        send(
            PatchCall {
                version: version(),
                technician_id: Some(Some(tech)),
                ..PatchCall::default()
            },
            Field::Technician,
        );
    });
    let accept = move |_| {
        let accepting = accept_and_report(id);
        spawn_local(async move {
            if accepting.await.is_some() {
                reminder.set(true);
                // Accept is gone; the first task takes focus.
                focus(Field::Called);
            }
        });
    };
    let declining = RwSignal::new(false);
    let decline = move |_| {
        declining.set(false);
        let declined = decline_and_report(id);
        spawn_local(async move {
            declined.await;
            on_close.run(());
        });
    };

    // The body is redrawn only when the call's kind of page changes (offered, taken, won
    // and open, final); every value inside follows the call by itself, so a save, a
    // colleague's move or a live update never redraws the control that has focus.
    let shape = Memo::new(move |_| call.with(|c| c.as_ref().map(|v| (v.offer_state, v.status))));
    let body = move || {
        let Some((offer_state, status)) = shape.get() else {
            return match fetched.get() {
                Some(Err(_)) => {
                    view! { <p role="alert">{i18n.t("calls.modal.not_found")}</p> }.into_any()
                }
                _ => view! { <p role="status">{i18n.t("calls.modal.loading")}</p> }.into_any(),
            };
        };
        let Some(first) = call.get_untracked() else {
            return ().into_any();
        };
        let signal = Signal::derive(move || call.get().unwrap_or_else(|| first.clone()));
        let won = offer_state == OfferState::Won;
        let open_tasks = won && matches!(status, Status::Accepted | Status::InProgress);
        let price = move || {
            let (amount, currency) = signal.with(price_of);
            i18n.money(amount, &currency)
        };
        let duration = move || {
            let (minutes, units) = signal.with(|c| (c.work_minutes(), c.extra_units()));
            let base = format!("{minutes} {}", i18n.t("calls.modal.minutes"));
            if units == 0 {
                base
            } else {
                format!(
                    "{base} ({})",
                    i18n.t("calls.modal.with_extra_units")
                        .replace("{n}", &units.to_string())
                )
            }
        };
        let address = move || {
            signal.with(|v| match &v.client {
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
            })
        };
        #[allow(clippy::cast_precision_loss)]
        let when = move || {
            signal.with(|v| v.slot).map_or_else(
                || i18n.t("calls.no_date"),
                |s| i18n.date_time(s.start.timestamp_millis() as f64, &zone_name()),
            )
        };
        let technician_name = move || {
            let tech = signal.with(|v| v.technician_id)?;
            Some(
                roster
                    .list()
                    .into_iter()
                    .find(|t| t.id == tech)
                    .map_or_else(|| tech.to_string(), |t| t.name),
            )
        };
        let client = move || signal.with(|v| v.client.clone());
        let notes = move || signal.with(|v| v.notes.clone()).filter(|n| !n.is_empty());
        view! {
            <header class="modal__head">
                <div>
                    <h2 id="call-modal-title">{move || signal.with(|v| v.service.name.clone())}</h2>
                    <StateBadge call=signal />
                </div>
                <button type="button" class="icon-button" on:click=move |_| on_close.run(())
                    aria-label=i18n.t("calls.modal.close")>"×"</button>
            </header>
            <super::colleague_notice::ColleagueNotice call_id=id />
            {(offer_state == OfferState::Taken).then(|| view! {
                <p class="notice notice--warning" role="alert" data-testid="modal-taken">{i18n.t("calls.modal.taken_notice")}</p>
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
                    <dd>{price}</dd></div>
                <div><dt>{i18n.t("calls.modal.duration")}</dt><dd data-testid="modal-duration">{duration}</dd></div>
                <div><dt>{i18n.t("calls.modal.when")}</dt><dd data-testid="modal-when">{when}</dd></div>
                {won.then(|| view! {
                    <div><dt>{i18n.t("calls.modal.technician")}</dt>
                        <dd data-testid="modal-technician">{move || technician_name().unwrap_or_else(|| i18n.t("calls.modal.no_technician"))}</dd></div>
                })}
                <div><dt>{i18n.t("calls.modal.address")}</dt><dd>{address}</dd></div>
                <div><dt>{i18n.t("calls.modal.client")}</dt>
                    <dd>{move || match client() {
                        Some(c) => view! {
                            <span>{c.name}</span>" · "
                            <a href=format!("tel:{}", c.phone.replace(' ', ""))>{c.phone.clone()}</a>" · "
                            <a href=format!("mailto:{}", c.email)>{c.email.clone()}</a>
                        }.into_any(),
                        None => view! { <span class="muted">{i18n.t("calls.modal.contact_after_accept")}</span> }.into_any(),
                    }}</dd></div>
                {move || notes().map(|n| view! {
                    <div><dt>{i18n.t("calls.modal.notes")}</dt><dd>{n}</dd></div>
                })}
            </dl>
            // Offline the board is read-only (crate::offline): the edits are disabled
            // and say why.
            {move || offline.needs_network().then(|| view! {
                <p class="notice notice--warning" role="status">{i18n.t(if offline.read_only() { "pwa.offline_read_only" } else { "queue.offline_notice" })}</p>
            })}
            <fieldset class="modal__edits" disabled=move || offline.read_only()>
                {(offer_state == OfferState::Offered).then(|| view! {
                    <div class="modal__actions modal__actions--apart">
                        <button type="button" class="button button--primary" node_ref=accept_button
                            aria-describedby=Field::Offer.error_id() on:click=accept
                            disabled=move || offline.needs_network()>{i18n.t("calls.accept")}</button>
                        <Show
                            when=move || declining.get()
                            fallback=move || view! {
                                <button type="button" class="button button--ghost"
                                    disabled=move || offline.needs_network()
                                    on:click=move |_| declining.set(true)>{i18n.t("calls.decline")}</button>
                            }
                        >
                            <div class="call-card__confirm" role="group" aria-labelledby="modal-decline-q">
                                <span id="modal-decline-q">{i18n.t("calls.decline_confirm")}</span>
                                <button type="button" class="button button--danger" autofocus=true on:click=decline>
                                    {i18n.t("calls.decline_yes")}</button>
                                <button type="button" class="button button--secondary"
                                    on:click=move |_| { declining.set(false); focus(Field::Offer); }>
                                    {i18n.t("calls.decline_keep")}</button>
                            </div>
                        </Show>
                    </div>
                    <p class="field-error" id=Field::Offer.error_id() role="alert">{error_at(error, Field::Offer)}</p>
                })}
                {open_tasks.then(|| view! {
                    <Tasks signal date time technician busy confirm_called save_date assign error
                        date_input technician_select called_button />
                })}
            </fieldset>
            {won.then(|| view! { <super::call_history::CallHistory call=signal /> })}
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
                    <super::order_section::OrderPanel call detail_failed on_close />
                </fieldset>
                <p class="form-error" id=Field::Other.error_id() role="alert" tabindex="-1">{error_at(error, Field::Other)}</p>
            </div>
            // The modal is in the top layer, above everything else on the page: the
            // toasts (saved, moved + Undo) show inside it while it is open, so they stay
            // visible and clickable (the page's own host shows none meanwhile).
            <ToastHost in_dialog=true />
        </dialog>
    }
}

/// The tasks after accepting: client called, date and time, technician — each control
/// with the reason of its last refusal right beside it.
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
    error: RwSignal<Option<(Field, String)>>,
    date_input: NodeRef<html::Input>,
    technician_select: NodeRef<html::Select>,
    called_button: NodeRef<html::Button>,
) -> impl IntoView {
    let i18n = use_i18n();
    let roster = use_roster();
    let called = move || signal.with(|c| c.client_called);
    let ready = move || signal.with(|c| c.colour == Colour::Green);
    let invalid = move |field: Field| {
        move || {
            error
                .with(|e| e.as_ref().is_some_and(|(f, _)| *f == field))
                .to_string()
        }
    };
    // The picker applies the rule the server and the calendar apply
    // (domain::technician::check_assignable): whoever cannot take this call is shown,
    // disabled, with the reason.
    let options = move || {
        let technicians = roster.list();
        let view = signal.get();
        technicians
            .iter()
            .filter(|t| t.active)
            .map(|t| {
                let refused = refusal_among(&i18n, &technicians, RowKey::Technician(t.id), &view);
                let label = match &refused {
                    None => t.name.clone(),
                    Some(reason) => format!("{} — {reason}", t.name),
                };
                let value = t.id.to_string();
                let selected = value.clone();
                view! {
                    <option value=value disabled=refused.is_some()
                        selected=move || technician.get() == selected>{label}</option>
                }
            })
            .collect_view()
    };
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
                        <button type="button" class="button button--secondary" node_ref=called_button
                            aria-describedby=Field::Called.error_id()
                            on:click=move |_| confirm_called.run(())
                            disabled=move || busy.get()>
                            {move || i18n.t("calls.modal.confirm_called")}
                        </button>
                    }
                >
                    <p class="task__done">"✔ "{move || i18n.t("calls.modal.called_done")}</p>
                </Show>
                <p class="field-error" id=Field::Called.error_id() role="alert">{error_at(error, Field::Called)}</p>
            </div>
            <form class="task task--row" on:submit=move |ev| save_date.run(ev)>
                <div class="field">
                    <label for="call-date">{move || i18n.t("calls.modal.date")}</label>
                    <DatePicker id="call-date" value=date node_ref=date_input
                        invalid=Signal::derive(invalid(Field::Date))
                        described_by=Field::Date.error_id().to_owned() />
                </div>
                <div class="field">
                    <label for="call-time">{move || i18n.t("calls.modal.time")}</label>
                    <select id="call-time" on:change=move |ev| time.set(event_target_value(&ev))
                        aria-invalid=invalid(Field::Date) aria-describedby=Field::Date.error_id()>
                        <option value="" selected=move || time.get().is_empty()>"—"</option>
                        {quarter_hours().map(|t| {
                            let selected = t.clone();
                            view! { <option value=t.clone() selected=move || time.get() == selected>{t.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button--secondary" disabled=move || busy.get()>
                    {move || i18n.t("calls.modal.save_date")}
                </button>
                <p class="field-error task__error" id=Field::Date.error_id() role="alert">{error_at(error, Field::Date)}</p>
            </form>
            <form class="task task--row" on:submit=move |ev| assign.run(ev)>
                <div class="field">
                    <label for="call-technician">{move || i18n.t("calls.modal.technician")}</label>
                    <select id="call-technician" node_ref=technician_select
                        aria-invalid=invalid(Field::Technician) aria-describedby=Field::Technician.error_id()
                        on:change=move |ev| technician.set(event_target_value(&ev))>
                        <option value="" selected=move || technician.get().is_empty()>{move || i18n.t("calls.modal.choose_technician")}</option>
                        {options}
                    </select>
                </div>
                <button type="submit" class="button button--secondary" disabled=move || busy.get()>
                    {move || i18n.t("calls.modal.assign")}
                </button>
                <p class="field-error task__error" id=Field::Technician.error_id() role="alert">{error_at(error, Field::Technician)}</p>
            </form>
        </section>
    }
}
