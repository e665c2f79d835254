//! The order part of the call modal: the "Order" section (lines, extra time, material,
//! discount, the agreed price and the total), and [`OrderPanel`], which puts it together
//! with the work report, the call log and the close/cancel actions.
//!
//! The panel is created once per open modal, outside the part of the modal that redraws
//! on every change of the call, so what the dispatcher is typing survives saves, failed
//! saves and live updates.

use domain::{
    api::{
        calls::PatchCall,
        orders::{AddLine, NewLineKind},
    },
    call::{OfferState, Status},
    money::{parse_amount, plain_amount, Currency, Money},
    order::{extra_unit_price, LineKind, OrderLine, MAX_QUANTITY},
    view::CallView,
};
use leptos::{prelude::*, task::spawn_local};
use uuid::Uuid;

use super::{
    call_log::CallLog, cancel_dialog::CancelOrder, close_dialog::CloseOrder,
    work_report::WorkReport,
};
use crate::{
    api::{self, ApiError},
    contexts::{
        board::{use_board, BoardStore},
        toasts::use_toasts,
    },
    i18n::{use_i18n, I18n},
};

/// A readable, translated message for a failed order action (`orders.error.{code}`,
/// else the call actions' messages).
pub(crate) fn error_text(i18n: &I18n, err: &ApiError) -> String {
    let own = i18n.t_or(&format!("orders.error.{}", err.code()), "");
    if own.is_empty() {
        crate::components::calls::error_text(i18n, err)
    } else {
        own
    }
}

/// Shows the outcome of a save: the new call on the board, or the error in the section
/// (and, for a conflict, the call as it is now). Returns whether it was saved.
pub(crate) fn settle(
    board: BoardStore,
    i18n: I18n,
    error: RwSignal<Option<String>>,
    result: Result<CallView, ApiError>,
) -> Option<CallView> {
    match result {
        Ok(view) => {
            error.set(None);
            board.upsert(view.clone());
            Some(view)
        }
        Err(err) => {
            if let Some(current) = err.current_call() {
                board.upsert(current);
            }
            error.set(Some(error_text(&i18n, &err)));
            None
        }
    }
}

/// Ids for lines that only exist in the preview.
const PREVIEW_MATERIAL: Uuid = Uuid::from_u128(u128::MAX - 1);
const PREVIEW_DISCOUNT: Uuid = Uuid::from_u128(u128::MAX - 2);
const PREVIEW_UNITS: Uuid = Uuid::from_u128(u128::MAX - 3);

/// Everything after the tasks for a call this company won: the order, the work report,
/// the call log, and closing or cancelling. Shows nothing for other calls.
///
/// The board holds each call's summary (`CallView::summary`) and the modal reads the
/// call whole when it opens: until it is in, the panel says it is loading. When there
/// is no whole call to be had (offline, and the call was never opened on this device),
/// the panel works on the summary and says so: its total and time are right (extra
/// time, material and discounts queued offline count into the total it carries), but
/// the earlier lines, work-report notes and call log are not there to show.
#[component]
pub fn OrderPanel(
    /// The call of the modal (`None` while it loads).
    #[prop(into)]
    call: Signal<Option<CallView>>,
    /// The modal has no whole call to show (see above).
    #[prop(into)]
    detail_failed: Signal<bool>,
    /// Closes the modal (after a cancellation the call has left the board).
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let won = move || {
        call.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.offer_state == OfferState::Won && c.order.is_some())
        })
    };
    // Once shown, the panel stays (what is typed in it survives a later board read's
    // summary, while the modal reads the call again).
    let ready = Memo::new(move |before: Option<&bool>| {
        before.copied().unwrap_or(false)
            || detail_failed.get()
            || call.with(|c| c.as_ref().is_some_and(|c| !c.summary))
    });
    let summary = move || call.with(|c| c.as_ref().is_some_and(|c| c.summary));
    view! {
        <Show when=move || won() && ready.get()
            fallback=move || won().then(|| view! {
                <p class="muted" role="status" data-testid="order-loading">{i18n.t("orders.loading")}</p>
            })
        >
            {move || call.get_untracked().map(|first| {
                let signal = Signal::derive(move || call.get().unwrap_or_else(|| first.clone()));
                let open = move || signal.with(|c| matches!(c.status, Status::Accepted | Status::InProgress));
                // Call attempts, closing and cancelling need the server now (crate::offline).
                let offline = crate::offline::use_offline();
                view! {
                    <Show when=summary>
                        <p class="notice notice--warning" role="status" data-testid="order-summary-only">{i18n.t("orders.summary_only")}</p>
                    </Show>
                    <OrderSection call=signal />
                    <WorkReport call=signal />
                    <fieldset class="modal__edits" disabled=move || offline.needs_network()>
                        <CallLog call=signal />
                        <Show when=open>
                            <div class="order-actions">
                                <CloseOrder call=signal />
                                <CancelOrder call=signal on_cancelled=on_close />
                            </div>
                        </Show>
                    </fieldset>
                }
            })}
        </Show>
    }
}

/// The order of a won call: its lines, extra 30-minute units (a stepper), material and
/// discount, the agreed price beside the recommended one, and the total — recomputed by
/// the domain's [`domain::order::Order`] as the dispatcher types, exactly as the server
/// will. A closed call shows its frozen total and how it was paid.
#[component]
pub fn OrderSection(
    /// The call (won by this company).
    #[prop(into)]
    call: Signal<CallView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let toasts = use_toasts();
    let id = call.with_untracked(|c| c.id);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    // Drafts: kept when a save fails, cleared when it succeeds.
    let units = RwSignal::new(0u32);
    let material = RwSignal::new(String::new());
    let material_amount = RwSignal::new(String::new());
    let discount = RwSignal::new(String::new());
    let discount_amount = RwSignal::new(String::new());
    let agreed = RwSignal::new(
        call.with_untracked(|c| c.order.as_ref().and_then(|o| o.agreed_price()))
            .map(|p| plain_amount(p.amount_minor))
            .unwrap_or_default(),
    );

    let editable = move || call.with(|c| matches!(c.status, Status::Accepted | Status::InProgress));
    let currency = move || {
        call.with(|c| c.order.as_ref().map(|o| o.currency))
            .unwrap_or(Currency::CHF)
    };
    let show = move |m: Money| i18n.money(m.amount_minor, m.currency.code());
    let unit_price = move || call.with(|c| extra_unit_price(&c.service));

    // The total with what is typed but not saved yet, by the same rules as the server
    // (over the lines of a whole call; into the total a summary carries).
    let preview = Memo::new(move |_| {
        let mut view = call.get();
        let cur = view.order.as_ref()?.currency;
        if let (Some(price), Some(order)) = (parse_amount(&agreed.get()), view.order.as_mut()) {
            // A summary has no package line to price: its agreed price is not editable.
            let _ = order.set_agreed_price(Money::new(price, cur));
        }
        let n = units.get();
        if n > 0 {
            if let Ok(line) = OrderLine::new(PREVIEW_UNITS, LineKind::TimeUnit, "", n, unit_price())
            {
                let _ = view.add_order_line(line);
            }
        }
        for (id, kind, amount) in [
            (PREVIEW_MATERIAL, LineKind::Material, material_amount.get()),
            (PREVIEW_DISCOUNT, LineKind::Discount, discount_amount.get()),
        ] {
            if let Some(minor) = parse_amount(&amount) {
                if let Ok(line) = OrderLine::new(id, kind, "", 1, Money::new(minor, cur)) {
                    let _ = view.add_order_line(line);
                }
            }
        }
        view.order.map(|order| order.total)
    });
    let saved_total = move || call.with(|c| c.order.as_ref().map(|o| o.total));

    let version = move || call.with_untracked(|c| c.version);
    let offline = crate::offline::use_offline();
    let run = move |line: AddLine, on_saved: Box<dyn Fn()>| {
        busy.set(true);
        spawn_local(async move {
            // Through the offline queue (crate::offline): kept when the server is away.
            if settle(board, i18n, error, offline.add_line(id, &line).await).is_some() {
                on_saved();
                toasts.success(i18n.t("orders.saved_toast"));
            }
            busy.set(false);
        });
    };
    let add_units = move |_| {
        let quantity = units.get_untracked();
        if quantity == 0 {
            return;
        }
        run(
            AddLine {
                version: version(),
                kind: NewLineKind::TimeUnit,
                line_id: Some(Uuid::new_v4()),
                quantity: Some(quantity),
                unit_price: None,
                description: None,
                amount: None,
            },
            Box::new(move || units.set(0)),
        );
    };
    let add_priced = move |kind: NewLineKind, text: RwSignal<String>, amount: RwSignal<String>| {
        let description = text.get_untracked().trim().to_owned();
        let Some(minor) = parse_amount(&amount.get_untracked()) else {
            error.set(Some(i18n.t("orders.error.amount")));
            return;
        };
        if description.is_empty() {
            error.set(Some(i18n.t("orders.error.description")));
            return;
        }
        run(
            AddLine {
                version: version(),
                kind,
                line_id: Some(Uuid::new_v4()),
                quantity: None,
                unit_price: None,
                description: Some(description),
                amount: Some(Money::new(minor, currency())),
            },
            Box::new(move || {
                text.set(String::new());
                amount.set(String::new());
            }),
        );
    };
    let remove = move |line_id: Uuid| {
        if crate::offline::refuse_online_only() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = api::orders::remove_line(id, line_id, version()).await;
            if settle(board, i18n, error, result).is_some() {
                toasts.success(i18n.t("orders.saved_toast"));
            }
            busy.set(false);
        });
    };
    let save_price = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(minor) = parse_amount(&agreed.get_untracked()) else {
            error.set(Some(i18n.t("orders.error.amount")));
            return;
        };
        let change = PatchCall {
            version: version(),
            agreed_price: Some(Money::new(minor, currency())),
            ..PatchCall::default()
        };
        busy.set(true);
        spawn_local(async move {
            if let Some(view) = settle(board, i18n, error, offline.patch_call(id, &change).await) {
                if let Some(price) = view.order.as_ref().and_then(|o| o.agreed_price()) {
                    agreed.set(plain_amount(price.amount_minor));
                }
                toasts.success(i18n.t("orders.saved_toast"));
            }
            busy.set(false);
        });
    };

    let line_label = move |line: &OrderLine| match line.kind {
        LineKind::Package => line.description.clone(),
        LineKind::TimeUnit => i18n.t("orders.line.time_unit"),
        LineKind::Material | LineKind::Discount => line.description.clone(),
    };
    let kind_label = move |kind: LineKind| {
        i18n.t(match kind {
            LineKind::Package => "orders.kind.package",
            LineKind::TimeUnit => "orders.kind.time_unit",
            LineKind::Material => "orders.kind.material",
            LineKind::Discount => "orders.kind.discount",
        })
    };

    view! {
        <section class="order" aria-labelledby="order-title" data-testid="order-section">
            <h3 id="order-title">{move || i18n.t("orders.title")}</h3>
            <table class="order__lines">
                <caption class="visually-hidden">{move || i18n.t("orders.lines_caption")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t("orders.col.item")}</th>
                        <th scope="col" class="num">{move || i18n.t("orders.col.quantity")}</th>
                        <th scope="col" class="num">{move || i18n.t("orders.col.unit_price")}</th>
                        <th scope="col" class="num">{move || i18n.t("orders.col.amount")}</th>
                        <th scope="col"><span class="visually-hidden">{move || i18n.t("orders.col.actions")}</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || call.with(|c| c.order.as_ref().map(|o| o.lines.clone()).unwrap_or_default())
                        key=|line| (line.id, line.quantity, line.amount)
                        children=move |line| {
                            let label = line_label(&line);
                            let removable = line.kind != LineKind::Package;
                            let remove_label = format!("{} {}", i18n.t("orders.remove"), label);
                            let line_id = line.id;
                            view! {
                                <tr class=format!("order__line order__line--{}", match line.kind {
                                    LineKind::Package => "package",
                                    LineKind::TimeUnit => "time-unit",
                                    LineKind::Material => "material",
                                    LineKind::Discount => "discount",
                                })>
                                    <td><span class="order__kind">{kind_label(line.kind)}</span>" "{label}</td>
                                    <td class="num">{line.quantity}</td>
                                    <td class="num">{show(line.unit_price)}</td>
                                    <td class="num">{show(line.amount)}</td>
                                    <td>
                                        {(removable).then(|| view! {
                                            <Show when=editable>
                                                <button type="button" class="icon-button order__remove"
                                                    aria-label=remove_label.clone()
                                                    disabled=move || busy.get()
                                                    on:click=move |_| remove(line_id)>"×"</button>
                                            </Show>
                                        })}
                                    </td>
                                </tr>
                            }
                        }
                    />
                </tbody>
                <tfoot>
                    <tr class="order__total">
                        <th scope="row" colspan="3">{move || i18n.t("orders.total")}</th>
                        <td class="num" data-testid="order-total">{move || saved_total().map(show)}</td>
                        <td></td>
                    </tr>
                </tfoot>
            </table>
            <p class="order__preview" aria-live="polite" data-testid="order-preview">
                {move || {
                    let (Some(preview), Some(saved)) = (preview.get(), saved_total()) else {
                        return None;
                    };
                    (preview != saved).then(|| format!("{} {}", i18n.t("orders.preview"), show(preview)))
                }}
            </p>
            <Show
                when=editable
                fallback=move || view! { <Closure call /> }
            >
                // A summary (offline, never opened here) has no package line to price.
                <Show when=move || !call.with(|c| c.summary)>
                    <form class="order__row" on:submit=save_price>
                        <div class="field">
                            <label for="order-agreed">{move || i18n.t("orders.agreed_price")}</label>
                            <input id="order-agreed" inputmode="decimal" autocomplete="off" bind:value=agreed />
                        </div>
                        <p class="order__hint">
                            {move || i18n.t("orders.recommended_price")}{move || i18n.colon()}
                            {move || call.with(|c| show(c.service.recommended_price))}
                        </p>
                        <button type="submit" class="button button--secondary" disabled=move || busy.get()>
                            {move || i18n.t("orders.save_price")}
                        </button>
                    </form>
                </Show>
                <div class="order__row" role="group" aria-labelledby="order-units-label">
                    <span id="order-units-label" class="field__label">{move || i18n.t("orders.units_label")}</span>
                    <div class="stepper">
                        <button type="button" class="icon-button" aria-label=move || i18n.t("orders.units_less")
                            disabled=move || units.get() == 0
                            on:click=move |_| units.update(|n| *n = n.saturating_sub(1))>"−"</button>
                        <output aria-live="polite" data-testid="units-count">{move || units.get()}</output>
                        <button type="button" class="icon-button" aria-label=move || i18n.t("orders.units_more")
                            disabled=move || { units.get() >= MAX_QUANTITY }
                            on:click=move |_| units.update(|n| *n += 1)>"+"</button>
                    </div>
                    <p class="order__hint">
                        {move || format!("{} {}", i18n.t("orders.unit_price"), show(unit_price()))}
                    </p>
                    <button type="button" class="button button--secondary" on:click=add_units
                        disabled=move || busy.get() || units.get() == 0>
                        {move || i18n.t("orders.add_units")}
                    </button>
                </div>
                <form class="order__row" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    add_priced(NewLineKind::Material, material, material_amount);
                }>
                    <div class="field">
                        <label for="order-material">{move || i18n.t("orders.material")}</label>
                        <input id="order-material" autocomplete="off" bind:value=material />
                    </div>
                    <div class="field field--amount">
                        <label for="order-material-amount">{move || format!("{} ({})", i18n.t("orders.amount"), currency().code())}</label>
                        <input id="order-material-amount" inputmode="decimal" autocomplete="off" bind:value=material_amount />
                    </div>
                    <button type="submit" class="button button--secondary" disabled=move || busy.get()>
                        {move || i18n.t("orders.add_material")}
                    </button>
                </form>
                <form class="order__row" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    add_priced(NewLineKind::Discount, discount, discount_amount);
                }>
                    <div class="field">
                        <label for="order-discount">{move || i18n.t("orders.discount")}</label>
                        <input id="order-discount" autocomplete="off" bind:value=discount />
                    </div>
                    <div class="field field--amount">
                        <label for="order-discount-amount">{move || format!("{} ({})", i18n.t("orders.amount"), currency().code())}</label>
                        <input id="order-discount-amount" inputmode="decimal" autocomplete="off" bind:value=discount_amount />
                    </div>
                    <button type="submit" class="button button--secondary" disabled=move || busy.get()>
                        {move || i18n.t("orders.add_discount")}
                    </button>
                </form>
            </Show>
            <div class="form-error" role="alert">{move || error.get()}</div>
        </section>
    }
}

/// How a finished call ended: paid and closed ("Done"), or cancelled.
#[component]
fn Closure(call: Signal<CallView>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        call.with(|c| {
            if let Some(closure) = &c.closure {
                let method = i18n.t(match closure.payment_method {
                    domain::call::PaymentMethod::OnlineCard => "orders.payment.card",
                    domain::call::PaymentMethod::Cash => "orders.payment.cash",
                    domain::call::PaymentMethod::Invoice => "orders.payment.invoice",
                });
                Some(view! {
                    <p class="notice notice--success" role="status">
                        <strong>{i18n.t("orders.done")}</strong>" "
                        {format!("{} {} · {}", i18n.t("orders.paid_by"), method,
                            i18n.money(closure.total.amount_minor, closure.total.currency.code()))}
                    </p>
                }.into_any())
            } else {
                (c.status == Status::Cancelled).then(|| {
                    view! {
                    <p class="notice notice--warning" role="status">{i18n.t("orders.cancelled")}</p>
                }.into_any()
                })
            }
        })
    }
}
