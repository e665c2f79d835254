//! Component and formatting tests of the app, compiled to wasm32 and run in headless
//! Chromium by `cargo xtask test` (wasm-bindgen-test-runner + chromedriver).
#![cfg(target_arch = "wasm32")]

use dispatch_app::{
    contexts::session::{SessionContext, SessionState},
    i18n::{
        format_date, format_date_time, format_money, format_numeric_date, format_weekday, lookup,
        provide_i18n, Locale,
    },
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

/// The browser's own `Intl.DateTimeFormat` for `options` in `zone`, as a function of an
/// instant (milliseconds since the epoch).
fn intl(tag: &str, zone: &str, options: &[(&str, &str)]) -> impl Fn(f64) -> String {
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"timeZone".into(), &zone.into()).unwrap();
    for (k, v) in options {
        js_sys::Reflect::set(&opts, &(*k).into(), &(*v).into()).unwrap();
    }
    let format =
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::of1(&tag.into()), &opts).format();
    move |epoch_ms| {
        format
            .call1(
                &wasm_bindgen::JsValue::NULL,
                &js_sys::Date::new(&epoch_ms.into()),
            )
            .unwrap()
            .as_string()
            .unwrap()
    }
}

#[wasm_bindgen_test]
fn the_calendars_date_texts_read_exactly_as_intl_writes_them() {
    // The first screen's three formats are written without `Intl` (domain::date_text);
    // a dispatcher must not see them differ from this browser's `Intl` in any locale,
    // zone or day: every day of 2026 and 2027 (both DST changes each year), at instants
    // either side of midnight in our zones.
    // Each format: the app's function, the domain's writer it must use (not a fallback to
    // `Intl`, which would make this test compare `Intl` with itself), `Intl`'s options.
    type App = fn(&str, f64, &str) -> String;
    type Domain = fn(Locale, chrono::NaiveDateTime) -> String;
    type Options = &'static [(&'static str, &'static str)];
    let formats: [(App, Domain, Options); 3] = [
        (
            format_weekday,
            |l, at| domain::date_text::weekday_day(l, at.date()),
            &[("weekday", "short"), ("day", "numeric")],
        ),
        (
            format_date,
            |l, at| domain::date_text::weekday_date(l, at.date()),
            &[
                ("weekday", "short"),
                ("day", "numeric"),
                ("month", "short"),
                ("year", "numeric"),
            ],
        ),
        (
            format_date_time,
            domain::date_text::date_time,
            &[("dateStyle", "medium"), ("timeStyle", "short")],
        ),
    ];
    let zones = [
        "Europe/Zurich",
        "Europe/London",
        "Europe/Paris",
        "Europe/Berlin",
        "Europe/Vienna",
        "UTC",
    ];
    let first_day = 1_767_225_600_000.0; // 2026-01-01T00:00:00Z
    let mut compared = 0;
    for locale in Locale::ALL {
        let tag = locale.tag();
        for zone in zones {
            let tz = domain::tz::parse_zone(zone).unwrap();
            for (app, written, options) in formats {
                let browsers = intl(tag, zone, options);
                for day in 0..730 {
                    for minutes in [30.0, 11.0 * 60.0 + 5.0, 23.0 * 60.0 + 30.0] {
                        let at = first_day + f64::from(day) * 86_400_000.0 + minutes * 60_000.0;
                        #[allow(clippy::cast_possible_truncation)]
                        let instant = chrono::DateTime::from_timestamp_millis(at as i64).unwrap();
                        let wall_clock = domain::tz::to_local(instant, tz).naive_local();
                        let shown = app(tag, at, zone);
                        assert_eq!(shown, written(locale, wall_clock), "{tag} {zone} {at}");
                        assert_eq!(shown, browsers(at), "{tag} {zone} {at}");
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(compared, 6 * 6 * 3 * 730 * 3);

    // The toolbar's date field, a calendar date (no zone).
    for locale in Locale::ALL {
        let tag = locale.tag();
        let browsers = intl(
            tag,
            "UTC",
            &[
                ("day", "2-digit"),
                ("month", "2-digit"),
                ("year", "numeric"),
            ],
        );
        for day in 0..730 {
            let noon = first_day + f64::from(day) * 86_400_000.0 + 12.0 * 3_600_000.0;
            #[allow(clippy::cast_possible_truncation)]
            let date = chrono::DateTime::from_timestamp_millis(noon as i64)
                .unwrap()
                .date_naive();
            let shown = format_numeric_date(tag, date);
            assert_eq!(
                shown,
                domain::date_text::numeric_date(locale, date),
                "{tag} {date}"
            );
            assert_eq!(shown, browsers(noon), "{tag} {date}");
        }
    }
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
