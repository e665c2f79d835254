//! `/bench?t=50&c=2000`: the board benchmark of ../shared/BENCH.md, run in the page by
//! `cargo xtask bench`. It generates the fixed data set (32-bit LCG, seed 42), renders
//! the real timeline in week view, moves calls as a drop or a live event would, and
//! publishes the figures in `window.__bench` (and as text); the bench script then drags
//! a call across rows with a real pointer and reads the app's drag-frame measures.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::{
    api::{calls::Board, team::TechnicianSummary, CompanySummary, Me, Role},
    booking::ServiceType,
    call::{OfferState, Status},
    colour::{Colour, Place, Placement},
    money::{Currency, Money},
    slot::TimeSlot,
    view::{CallView, ClientArea},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_query_map;
use uuid::Uuid;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use crate::{
    components::calendar::{geometry::Span, provide_calendar, timeline::Timeline},
    contexts::{
        board::{use_board, use_roster},
        session::{SessionContext, SessionState},
    },
};

/// The data set's random numbers: `s = s * 1664525 + 1013904223 mod 2^32`, seed 42.
struct Lcg(u32);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        f64::from(self.0) / 4_294_967_296.0
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn draw(rng: &mut Lcg, n: u32) -> u32 {
    (rng.next() * f64::from(n)).floor() as u32
}

fn technician_id(i: u32) -> Uuid {
    Uuid::from_u128(0xbe00_0000_0000_0000_0000_0000_0000_0000 | u128::from(i))
}

/// The data set of BENCH.md: `t` technicians, `c` calls in the week of 2026-11-23 (UTC).
pub fn data_set(t: u32, c: u32) -> (Vec<TechnicianSummary>, Vec<CallView>) {
    let monday: DateTime<Utc> = "2026-11-23T00:00:00Z".parse().expect("valid date");
    let technicians = (0..t)
        .map(|i| TechnicianSummary {
            id: technician_id(i),
            name: format!("Technician {}", i + 1),
            email: format!("tech{}@bench.example", i + 1),
            phone: String::new(),
            skills: vec!["plumbing".to_owned()],
            verified: true,
            missing: Vec::new(),
            active: true,
            photo_url: None,
            calls_this_week: 0,
        })
        .collect();
    let mut rng = Lcg(42);
    let colours = [Colour::Blue, Colour::White, Colour::Orange, Colour::Green];
    let calls = (0..c)
        .map(|i| {
            let day = draw(&mut rng, 7);
            let slot = 28 + draw(&mut rng, 40);
            let quarters = 2 + draw(&mut rng, 6);
            let tech = draw(&mut rng, t);
            let start =
                monday + Duration::days(i64::from(day)) + Duration::minutes(i64::from(slot) * 15);
            let colour = colours[(i % 4) as usize];
            let technician_id = technician_id(tech);
            CallView {
                id: Uuid::from_u128(u128::from(i) + 1),
                version: 1,
                status: Status::Accepted,
                colour,
                placements: vec![Placement {
                    place: Place::TechnicianRow { technician_id },
                    colour,
                }],
                offer_state: OfferState::Won,
                service: ServiceType {
                    code: "bench".to_owned(),
                    name: format!("Service call {i}"),
                    skill: "plumbing".to_owned(),
                    duration_minutes: quarters * 15,
                    recommended_price: Money {
                        amount_minor: 12_000,
                        currency: Currency::CHF,
                    },
                    extra_unit_price: None,
                },
                client_area: ClientArea {
                    postcode: "8001".to_owned(),
                    city: "Zürich".to_owned(),
                    country: "CH".to_owned(),
                },
                client: None,
                notes: None,
                slot: Some(TimeSlot {
                    start,
                    end: start + Duration::minutes(i64::from(quarters) * 15),
                }),
                technician_id: Some(technician_id),
                offered_at: None,
                summary: true,
                client_called: true,
                order: None,
                call_attempts: Vec::new(),
                report_notes: Vec::new(),
                closure: None,
                cancellation: None,
            }
        })
        .collect();
    (technicians, calls)
}

/// A performance mark (for profiling the page in DevTools).
fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Resolves once the tasks queued so far (Leptos' render effects) have run.
async fn settled() {
    let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await;
}

/// Waits for the next animation frame and returns how long that frame's rendering took
/// (style, layout, paint: from its animation callback to a task queued there, which runs
/// after the frame).
async fn frame_render_ms() -> f64 {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let cb = Closure::once_into_js(move || {
            let started = now_ms();
            let after = Closure::once_into_js(move || {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::from_f64(now_ms() - started));
            });
            let _ = window()
                .set_timeout_with_callback_and_timeout_and_arguments_0(after.unchecked_ref(), 0);
        });
        let _ = window().request_animation_frame(cb.unchecked_ref());
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or_default()
}

/// Resolves at the next animation frame.
async fn painted_once() {
    painted_n(1).await;
}

/// Resolves after the second animation frame (the change has been painted).
async fn painted() {
    painted_n(2).await;
}

async fn painted_n(frames: u32) {
    for _ in 0..frames {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let cb = Closure::once_into_js(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            let _ = window().request_animation_frame(cb.unchecked_ref());
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let index = ((values.len() as f64 - 1.0) * p).round() as usize;
    values.get(index).copied().unwrap_or_default()
}

/// The benchmark page (no sign-in; static data; nothing is sent to the server).
#[component]
pub fn BenchPage() -> impl IntoView {
    let query = use_query_map();
    let param = |name: &str, default: u32| {
        query.with_untracked(|q| q.get(name).and_then(|v| v.parse().ok()).unwrap_or(default))
    };
    let (t, c) = (param("t", 50), param("c", 2000));
    provide_context(SessionContext(RwSignal::new(SessionState::SignedIn(Me {
        user_id: Uuid::nil(),
        name: "Bench".to_owned(),
        email: "bench@bench.example".to_owned(),
        role: Role::Dispatcher,
        company: CompanySummary {
            id: Uuid::nil(),
            name: "Bench".to_owned(),
            time_zone: "UTC".to_owned(),
            currency: "CHF".to_owned(),
        },
        locale: None,
        company_locale: Default::default(),
    }))));
    let calendar = provide_calendar(chrono_tz::UTC);
    calendar.span.set(Span::Week);
    calendar
        .anchor
        .set(NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date"));
    let board = use_board();
    let roster = use_roster();
    let (technicians, calls) = data_set(t, c);
    // The board answer as the server would send it, as a JavaScript string (what `fetch`
    // hands over): `ingest_render_ms` starts from here.
    let text = serde_json::to_string(&Board {
        from: calls
            .first()
            .and_then(|c| c.slot)
            .map_or_else(Utc::now, |s| s.start),
        to: calls
            .last()
            .and_then(|c| c.slot)
            .map_or_else(Utc::now, |s| s.end),
        seq: 0,
        calls,
    })
    .expect("the board serialises");
    let board_json_bytes = text.len();
    let json = StoredValue::new_local(js_sys::JsString::from(text));
    let result = RwSignal::new(String::new());
    let show = RwSignal::new(false);

    // `ingest_render_ms`: from the board's JSON as a string in memory to the second
    // animation frame after the board is painted (reading the string into Rust, parsing,
    // filling the store, rendering). `render_ms`: from the board component's start, with
    // the store filled, to the same frame; `ingest_ms` is the part before it.
    Effect::new(move |_| {
        let technicians = technicians.clone();
        spawn_local(async move {
            roster.set(technicians);
            let t_ingest = now_ms();
            mark("bench-ingest-start");
            let text = String::from(json.get_value());
            let answer: Board = serde_json::from_str(&text).expect("the board parses");
            let parse_ms = now_ms() - t_ingest;
            board.replace_all(answer.calls, board.epoch());
            let ingest_ms = now_ms() - t_ingest;
            let t0 = now_ms();
            mark("bench-render-start");
            show.set(true);
            painted().await;
            let render_ms = now_ms() - t0;
            let ingest_render_ms = now_ms() - t_ingest;
            mark("bench-render-end");
            let dom_nodes = document().get_elements_by_tag_name("*").length();

            // One call changed as a drop or a live event changes it: call k to technician
            // (k * 7) mod T, 15 minutes later, timed to the second animation frame after.
            let mut moves = Vec::new();
            let mut work = Vec::new();
            for k in 0..20_u32 {
                let Some(view) = board
                    .call(Uuid::from_u128(u128::from(k) + 1))
                    .map(|c| c.get_untracked())
                else {
                    break;
                };
                let technician = technician_id((k * 7) % t);
                let slot = view.slot.map(|s| TimeSlot {
                    start: s.start + Duration::minutes(15),
                    end: s.end + Duration::minutes(15),
                });
                let t1 = now_ms();
                board.upsert(view.moved(slot, Some(technician)));
                // The DOM follows in Leptos' render effects (microtasks) before the next
                // frame; that frame's style, layout and paint complete the work.
                settled().await;
                let script = now_ms() - t1;
                let render = frame_render_ms().await;
                work.push(script + render);
                // The second animation frame after the change (BENCH.md's move_ms).
                painted_once().await;
                moves.push(now_ms() - t1);
            }
            // The drag frame figures come from a real pointer drag driven by the bench
            // script (page.mouse), measured by the app's `drag-frame` / `drag-work` marks.
            let mut moves_sorted = moves.clone();
            let report = serde_json::json!({
                "technicians": t,
                "calls": c,
                "ingest_render_ms": ingest_render_ms,
                "parse_ms": parse_ms,
                "ingest_ms": ingest_ms,
                "board_json_bytes": board_json_bytes,
                "render_ms": render_ms,
                "move_ms_p50": percentile(&mut moves_sorted, 0.5),
                "move_ms_max": moves.iter().copied().fold(0.0, f64::max),
                "move_busy_ms_p50": percentile(&mut work.clone(), 0.5),
                "move_busy_ms_max": work.iter().copied().fold(0.0, f64::max),
                "moves": moves,
                "dom_nodes": dom_nodes,
            });
            let text = report.to_string();
            if let Ok(value) = js_sys::JSON::parse(&text) {
                let _ = js_sys::Reflect::set(&window(), &JsValue::from_str("__bench"), &value);
            }
            result.set(text);
            // The bench script waits for this line instead of polling the page, so that
            // no script of the harness runs inside the measured window.
            leptos::logging::log!("bench:done");
        });
    });

    view! {
        <main id="main" class="board">
            <Show when=move || show.get()>
                <Timeline />
            </Show>
            <pre id="bench-result">{move || result.get()}</pre>
        </main>
    }
}
