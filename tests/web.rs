//! Component and formatting tests of the app, compiled to wasm32 and run in headless
//! Chromium by `cargo xtask test` (wasm-bindgen-test-runner + chromedriver).
#![cfg(target_arch = "wasm32")]

use dispatch_app::{
    contexts::session::{SessionContext, SessionState},
    i18n::{format_date_time, format_money, lookup, provide_i18n, Locale},
    pages::login_page::LoginPage,
};
use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn every_language_has_its_own_login_texts() {
    assert_eq!(lookup(Locale::EnGb, "login.password"), "Password");
    assert_eq!(lookup(Locale::DeDe, "login.password"), "Passwort");
    assert_eq!(lookup(Locale::FrFr, "login.password"), "Mot de passe");
    // A missing key shows itself rather than a blank.
    assert_eq!(lookup(Locale::DeCh, "no.such.key"), "no.such.key");
}

#[wasm_bindgen_test]
fn locale_tags_pick_the_locale() {
    assert_eq!(Locale::from_tag("de-CH"), Some(Locale::DeCh));
    assert_eq!(Locale::from_tag("fr_FR"), Some(Locale::FrFr));
    assert_eq!(Locale::from_tag("en-GB"), Some(Locale::EnGb));
    assert_eq!(Locale::from_tag("it-CH"), None);
}

#[wasm_bindgen_test]
fn money_is_formatted_for_the_locale_from_minor_units() {
    let chf = format_money("de-CH", 26_500, "CHF");
    assert!(chf.contains("CHF") && chf.contains("265.00"), "{chf}");
    let eur = format_money("fr-FR", 123_456, "EUR");
    assert!(eur.contains('€') && eur.contains("234,56"), "{eur}");
    let gbp = format_money("en-GB", 999, "GBP");
    assert_eq!(gbp, "£9.99");
}

#[wasm_bindgen_test]
fn times_are_shown_in_the_company_zone_across_dst() {
    // 2026-03-29 is the spring-forward Sunday in Zurich: 00:30 UTC is 01:30 CET,
    // 01:30 UTC is 03:30 CEST.
    let before = format_date_time("en-GB", 1_774_744_200_000.0, "Europe/Zurich");
    let after = format_date_time("en-GB", 1_774_747_800_000.0, "Europe/Zurich");
    assert!(before.ends_with("01:30"), "{before}");
    assert!(after.ends_with("03:30"), "{after}");
}

#[wasm_bindgen_test]
fn the_login_form_has_labelled_fields_and_a_submit_button() {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let host: web_sys::HtmlElement = host.unchecked_into();
    let handle = leptos::mount::mount_to(host.clone(), || {
        provide_i18n();
        provide_context(SessionContext(RwSignal::new(SessionState::SignedOut)));
        view! { <Router><LoginPage /></Router> }
    });

    let label = host
        .query_selector("label[for=login-email]")
        .unwrap()
        .unwrap();
    assert!(label.text_content().unwrap_or_default().contains("mail"));
    assert!(host
        .query_selector("#login-email[type=email]")
        .unwrap()
        .is_some());
    assert!(host
        .query_selector("#login-password[type=password]")
        .unwrap()
        .is_some());
    assert!(host
        .query_selector("button[type=submit]")
        .unwrap()
        .is_some());
    assert!(host.query_selector("[role=alert]").unwrap().is_some());
    drop(handle);
}

mod geometry {
    use chrono::{DateTime, Utc};
    use dispatch_app::components::calendar::geometry::Geometry;
    use wasm_bindgen_test::*;

    fn zurich_week(first: &str) -> Geometry {
        Geometry {
            zone: chrono_tz::Europe::Zurich,
            first_day: first.parse().unwrap(),
            days: 7,
            hour_from: 7,
            hour_to: 19,
        }
    }

    #[wasm_bindgen_test]
    fn positions_round_trip_on_the_grid() {
        let g = zurich_week("2026-11-23");
        let nine: DateTime<Utc> = "2026-11-24T08:00:00Z".parse().unwrap(); // Tue 09:00 CET
        let f = g.fraction(nine).unwrap();
        assert_eq!(g.instant_at(f), nine);
    }

    #[wasm_bindgen_test]
    fn dst_change_days_keep_wall_clock_positions() {
        for (week, sat, sun) in [
            // Spring forward: Sat 09:00 CET = 08:00 UTC, Sun 09:00 CEST = 07:00 UTC.
            ("2026-03-23", "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z"),
            // Fall back: Sat 09:00 CEST = 07:00 UTC, Sun 09:00 CET = 08:00 UTC.
            ("2026-10-19", "2026-10-24T07:00:00Z", "2026-10-25T08:00:00Z"),
        ] {
            let g = zurich_week(week);
            let (sat, sun): (DateTime<Utc>, DateTime<Utc>) =
                (sat.parse().unwrap(), sun.parse().unwrap());
            let one_day = 1.0 / 7.0;
            let gap = g.fraction(sun).unwrap() - g.fraction(sat).unwrap();
            assert!((gap - one_day).abs() < 1e-9, "{week}: {gap}");
            assert_eq!(g.instant_at(g.fraction(sun).unwrap()), sun);
        }
    }
}

/// The mark that lets a cold load paint without waiting for IndexedDB
/// (`queue::may_hold_changes`): set while a kept queue holds changes, removed only by
/// keeping an empty one, never by a read that found none.
#[wasm_bindgen_test]
async fn the_queue_is_marked_as_holding_changes_until_an_empty_one_is_kept() {
    use dispatch_app::api::queue::{self, Change, Intent};
    use domain::{api::orders::NewReportNote, command::Actor, view::CallView};

    let user = uuid::Uuid::new_v4();
    let company = uuid::Uuid::new_v4();
    assert!(
        !queue::may_hold_changes(user),
        "a user who never queued anything"
    );

    let call: CallView = serde_json::from_value(serde_json::json!({
        "id": uuid::Uuid::new_v4(), "version": 3, "status": "accepted", "colour": "white",
        "placements": [{"place": "unassigned_list", "colour": "white"}], "offer_state": "won",
        "service": {"code": "plumbing.leak", "name": "Fix a leaking tap", "skill": "plumbing",
                    "duration_minutes": 60, "recommended_price": {"amount_minor": 12000, "currency": "CHF"}},
        "client_area": {"postcode": "8001", "city": "Zürich", "country": "CH"},
        "client": null, "slot": null, "technician_id": null, "client_called": false
    }))
    .unwrap();
    let note = Intent::new(
        call,
        Change::ReportNote(NewReportNote {
            text: "Written in the van".to_owned(),
            version: None,
        }),
        Actor::Dispatcher {
            user_id: user,
            company_id: company,
        },
    );

    assert!(
        queue::save(user, &[note]).await,
        "IndexedDB keeps the queue"
    );
    assert!(queue::may_hold_changes(user));
    queue::mark_read(user, &[]);
    assert!(
        queue::may_hold_changes(user),
        "a read that found nothing may be older than another tab's change"
    );
    assert!(queue::save(user, &[]).await);
    assert!(
        !queue::may_hold_changes(user),
        "kept empty: nothing to wait for"
    );
    assert!(queue::load(user).await.is_empty());
}
