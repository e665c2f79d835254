//! Closing an order: a native `<dialog>` with the payment method and, for online card
//! payment, the client's signature drawn on a canvas with Pointer Events (finger, pen or
//! mouse), which can be undone stroke by stroke or cleared, and is sent as a PNG data URL.

use domain::{
    api::orders::{CloseCall, PaymentChoice},
    colour::Colour,
    view::CallView,
};
use leptos::{html, prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue};

use super::order_section::settle;
use crate::{
    api,
    contexts::{board::use_board, toasts::use_toasts},
    i18n::use_i18n,
};

/// One stroke of the signature: points in canvas pixels.
type Stroke = Vec<(f64, f64)>;

/// The "Close order" button (enabled for a ready, green call) and its dialog.
#[component]
pub fn CloseOrder(
    /// The call to close.
    #[prop(into)]
    call: Signal<CallView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let opener = NodeRef::<html::Button>::new();
    let ready = move || call.with(|c| c.colour == Colour::Green);
    // A successful close turns the call into a closed one, and the modal then shows its
    // receipt instead of this section: by the time `done` runs, this component (its
    // signals and the opener button) may already be disposed. Then there is nothing left
    // to close or to focus.
    let done = Callback::new(move |()| {
        let _ = open.try_set(false);
        if let Some(button) = opener.try_get_untracked().flatten() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="order-actions__item">
            <button node_ref=opener type="button" class="button button--primary"
                disabled=move || !ready() on:click=move |_| open.set(true)>
                {move || i18n.t("orders.close.open")}
            </button>
            <Show when=move || !ready()>
                <p class="order__hint">{move || i18n.t("orders.close.not_ready")}</p>
            </Show>
        </div>
        <Show when=move || open.get()>
            <CloseDialog call on_done=done />
        </Show>
    }
}

/// The close dialog itself; `on_done` after closing or going back.
#[component]
fn CloseDialog(call: Signal<CallView>, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let toasts = use_toasts();
    let dialog = NodeRef::<html::Dialog>::new();
    let canvas = NodeRef::<html::Canvas>::new();
    let payment = RwSignal::new(PaymentChoice::Card);
    let strokes = RwSignal::new(Vec::<Stroke>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = call.with_untracked(|c| c.id);

    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });

    // A "sign first" message goes away as soon as the client draws.
    Effect::new(move |_| {
        if !strokes.with(Vec::is_empty) {
            error.set(None);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let method = payment.get_untracked();
        let signature = if method == PaymentChoice::Card {
            if strokes.with_untracked(Vec::is_empty) {
                error.set(Some(i18n.t("orders.close.sign_first")));
                return;
            }
            canvas
                .get_untracked()
                .and_then(|c| c.to_data_url_with_type("image/png").ok())
        } else {
            None
        };
        let body = CloseCall {
            version: call.with_untracked(|c| c.version),
            payment_method: method,
            signature,
        };
        busy.set(true);
        spawn_local(async move {
            let result = api::orders::close(id, &body).await;
            busy.set(false);
            if settle(board, i18n, error, result).is_some() {
                toasts.success(i18n.t("orders.close.done_toast"));
                // `settle` put the closed call on the board, which may have disposed
                // this dialog and its opener (see `CloseOrder`).
                let _ = on_done.try_run(());
            }
        });
    };
    let total = move || {
        call.with(|c| {
            c.order
                .as_ref()
                .map(|o| i18n.money(o.total.amount_minor, o.total.currency.code()))
        })
    };
    let choice = move |value: PaymentChoice, key: &'static str, id: &'static str| {
        view! {
            <div class="radio">
                <input type="radio" name="payment" id=id
                    prop:checked=move || payment.get() == value
                    on:change=move |_| payment.set(value) />
                <label for=id>{move || i18n.t(key)}</label>
            </div>
        }
    };

    view! {
        <dialog node_ref=dialog class="modal modal--small close-dialog" aria-labelledby="close-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_done.run(());
            }>
            <form class="modal__body" on:submit=submit>
                <h2 id="close-title">{move || i18n.t("orders.close.title")}</h2>
                <p class="close-dialog__total">{move || i18n.t("orders.close.total")}" "<strong>{total}</strong></p>
                <fieldset class="radios">
                    <legend>{move || i18n.t("orders.close.payment")}</legend>
                    {choice(PaymentChoice::Card, "orders.payment.card_signed", "pay-card")}
                    {choice(PaymentChoice::Cash, "orders.payment.cash", "pay-cash")}
                    {choice(PaymentChoice::Invoice, "orders.payment.invoice", "pay-invoice")}
                </fieldset>
                <Show when=move || payment.get() == PaymentChoice::Card>
                    <SignaturePad canvas strokes />
                </Show>
                <div class="form-error" role="alert">{move || error.get()}</div>
                <div class="modal__actions">
                    <button type="button" class="button button--secondary" on:click=move |_| on_done.run(())>
                        {move || i18n.t("orders.back")}
                    </button>
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>
                        {move || i18n.t("orders.close.confirm")}
                    </button>
                </div>
            </form>
        </dialog>
    }
}

/// A 2D canvas context, driven through JavaScript reflection (the app does not build
/// web-sys's canvas bindings for these few calls).
struct Pen(JsValue);

impl Pen {
    fn of(canvas: &web_sys::HtmlCanvasElement) -> Option<Self> {
        canvas
            .get_context("2d")
            .ok()
            .flatten()
            .map(|c| Pen(c.into()))
    }

    fn set(&self, key: &str, value: &JsValue) {
        let _ = js_sys::Reflect::set(&self.0, &JsValue::from_str(key), value);
    }

    fn call(&self, name: &str, args: &[f64]) {
        let Ok(function) = js_sys::Reflect::get(&self.0, &JsValue::from_str(name)) else {
            return;
        };
        if let Ok(function) = function.dyn_into::<js_sys::Function>() {
            let args: js_sys::Array = args.iter().map(|a| JsValue::from_f64(*a)).collect();
            let _ = function.apply(&self.0, &args);
        }
    }

    fn stroke(&self, points: &[(f64, f64)]) {
        let Some(&(x, y)) = points.first() else {
            return;
        };
        self.call("beginPath", &[]);
        self.call("moveTo", &[x, y]);
        if points.len() == 1 {
            // A dot: a tiny line, so a tap leaves a mark too.
            self.call("lineTo", &[x + 0.5, y + 0.5]);
        }
        for &(x, y) in &points[1..] {
            self.call("lineTo", &[x, y]);
        }
        self.call("stroke", &[]);
    }
}

/// Draws every stroke afresh on a white background (the PNG must not be transparent on
/// a dark receipt viewer).
fn redraw(canvas: &web_sys::HtmlCanvasElement, strokes: &[Stroke]) {
    let Some(pen) = Pen::of(canvas) else { return };
    let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
    pen.set("fillStyle", &JsValue::from_str("#ffffff"));
    pen.call("fillRect", &[0.0, 0.0, w, h]);
    pen.set("strokeStyle", &JsValue::from_str("#12343b"));
    pen.set("lineWidth", &JsValue::from_f64(3.0));
    pen.set("lineCap", &JsValue::from_str("round"));
    pen.set("lineJoin", &JsValue::from_str("round"));
    for stroke in strokes {
        pen.stroke(stroke);
    }
}

/// The point of a pointer event in canvas pixels (the canvas may be drawn smaller or
/// larger than its pixel size).
fn point(canvas: &web_sys::HtmlCanvasElement, ev: &web_sys::PointerEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let sx = f64::from(canvas.width()) / rect.width().max(1.0);
    let sy = f64::from(canvas.height()) / rect.height().max(1.0);
    (
        (f64::from(ev.client_x()) - rect.left()) * sx,
        (f64::from(ev.client_y()) - rect.top()) * sy,
    )
}

/// The signature pad: draw with a finger, a pen or the mouse; undo the last stroke or
/// clear. Pointer capture keeps a stroke going when it leaves the canvas.
#[component]
fn SignaturePad(canvas: NodeRef<html::Canvas>, strokes: RwSignal<Vec<Stroke>>) -> impl IntoView {
    let i18n = use_i18n();
    let drawing = StoredValue::new(None::<i32>);
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            strokes.with(|s| redraw(&c, s));
        }
    });
    let down = move |ev: web_sys::PointerEvent| {
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let _ = c.set_pointer_capture(ev.pointer_id());
        drawing.set_value(Some(ev.pointer_id()));
        let p = point(&c, &ev);
        strokes.update(|s| s.push(vec![p]));
    };
    let moved = move |ev: web_sys::PointerEvent| {
        if drawing.get_value() != Some(ev.pointer_id()) {
            return;
        }
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        let p = point(&c, &ev);
        // Drawn straight away (one segment) and recorded without a full redraw.
        strokes.update_untracked(|s| {
            if let Some(last) = s.last_mut() {
                if let (Some(pen), Some(&prev)) = (Pen::of(&c), last.last()) {
                    pen.stroke(&[prev, p]);
                }
                last.push(p);
            }
        });
    };
    let up = move |ev: web_sys::PointerEvent| {
        if drawing.get_value() == Some(ev.pointer_id()) {
            drawing.set_value(None);
            strokes.update(|_| {});
        }
    };
    view! {
        <div class="signature">
            <p id="signature-label" class="field__label">{move || i18n.t("orders.signature.label")}</p>
            <canvas node_ref=canvas class="signature__pad" width="600" height="200"
                role="img" aria-labelledby="signature-label" data-testid="signature-pad"
                on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointercancel=up></canvas>
            <p class="order__hint" aria-live="polite">
                {move || if strokes.with(Vec::is_empty) {
                    i18n.t("orders.signature.empty")
                } else {
                    i18n.t("orders.signature.signed")
                }}
            </p>
            <div class="signature__tools">
                <button type="button" class="button button--secondary"
                    disabled=move || strokes.with(Vec::is_empty)
                    on:click=move |_| strokes.update(|s| { s.pop(); })>
                    {move || i18n.t("orders.signature.undo")}
                </button>
                <button type="button" class="button button--secondary"
                    disabled=move || strokes.with(Vec::is_empty)
                    on:click=move |_| strokes.set(Vec::new())>
                    {move || i18n.t("orders.signature.clear")}
                </button>
            </div>
        </div>
    }
}
