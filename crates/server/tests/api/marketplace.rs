//! Marketplace intake: bearer key, validation, idempotency (also under concurrent
//! retries), offering to every suitable company with the dispatchers' e-mails, and the
//! request's state for the marketplace. Also the shared helpers of the call tests.

use std::sync::Arc;

use crate::{
    helpers::{spawn_app, Backend, TestApp},
    on_both_backends,
};
use serde_json::{json, Value};
use sqlx::Row;
use uuid::Uuid;

pub const KEY: &str = "demo-marketplace-key";
pub const ALPEN: &str = "dispatcher@alpen.example";
pub const RHEIN: &str = "dispatcher@rhein.example";
pub const PASSWORD: &str = "demo1234";

on_both_backends!(
    intake_offers_to_both_demo_companies_and_emails_every_dispatcher,
    intake_is_idempotent_for_sequential_retries,
    intake_is_idempotent_under_concurrent_retries,
    intake_requires_the_marketplace_key,
    intake_rejects_bad_input_with_specific_problems_and_stores_nothing,
    intake_without_a_suitable_partner_is_a_clear_422,
    marketplace_status_follows_offered_accepted_and_all_declined,
    outbox_worker_delivers_to_the_log_without_smtp,
    demo_bookings_in_chf_and_eur_reach_both_demo_companies,
);

/// The booking of DESIGN.md with its own `external_id`.
pub fn booking(external_id: &str) -> Value {
    json!({"external_id": external_id,
       "service": {"code": "plumbing.leak", "name": "Fix a leaking tap", "skill": "plumbing",
                   "duration_minutes": 60,
                   "recommended_price": {"amount_minor": 12000, "currency": "CHF"}},
       "client": {"name": "Anna Muster", "phone": "+41 79 123 45 67", "email": "anna@example.ch",
                  "address": {"street": "Bahnhofstrasse 1", "postcode": "8001",
                              "city": "Zürich", "country": "CH"},
                  "locale": "en-GB"},
       "slot": {"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"},
       "notes": "Kitchen tap drips"})
}

pub async fn post_booking(app: &TestApp, body: &Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/marketplace/requests"))
        .bearer_auth(KEY)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Posts a booking and returns the new call's id.
pub async fn create_request(app: &TestApp, external_id: &str) -> Uuid {
    let response = post_booking(app, &booking(external_id)).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().parse().unwrap()
}

/// `(channel, kind, recipient)` of every outbox row about `call`, sorted.
pub async fn outbox(app: &TestApp, call: Uuid) -> Vec<(String, String, String)> {
    let rows = sqlx::query("SELECT channel, kind, recipient FROM outbox WHERE call_id = $1")
        .bind(call.to_string())
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    let mut out: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.get::<String, _>("channel"),
                r.get::<String, _>("kind"),
                r.get::<String, _>("recipient"),
            )
        })
        .collect();
    out.sort();
    out
}

/// The stored `(version, doc)` of a call.
pub async fn stored(app: &TestApp, call: Uuid) -> (i64, String) {
    let row = sqlx::query("SELECT version, doc FROM calls WHERE id = $1")
        .bind(call.to_string())
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    (row.get("version"), row.get("doc"))
}

pub async fn count_calls(app: &TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM calls")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
        .get("n")
}

pub async fn company_id(app: &TestApp, name_prefix: &str) -> Uuid {
    let row = sqlx::query("SELECT id FROM companies WHERE name LIKE $1")
        .bind(format!("{name_prefix}%"))
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    row.get::<String, _>("id").parse().unwrap()
}

async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    response.json().await.unwrap()
}

async fn intake_offers_to_both_demo_companies_and_emails_every_dispatcher(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = post_booking(&app, &booking("MKT-1")).await;

    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let id: Uuid = body["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(location, format!("/api/v1/marketplace/requests/{id}"));
    let mut offered: Vec<Uuid> = serde_json::from_value(body["offered_to"].clone()).unwrap();
    offered.sort();
    let mut demo = vec![
        company_id(&app, "Alpen").await,
        company_id(&app, "Rhein").await,
    ];
    demo.sort();
    assert_eq!(offered, demo);
    assert_eq!(
        outbox(&app, id).await,
        vec![
            ("email".into(), "new_request".into(), ALPEN.into()),
            ("email".into(), "new_request".into(), RHEIN.into()),
        ]
    );
    let link: String = sqlx::query("SELECT body FROM outbox WHERE call_id = $1 LIMIT 1")
        .bind(id.to_string())
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
        .get("body");
    assert!(
        link.contains(&format!("http://localhost/requests/{id}")),
        "{link}"
    );
}

async fn intake_is_idempotent_for_sequential_retries(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = create_request(&app, "MKT-2").await;

    let again = post_booking(&app, &booking("MKT-2")).await;

    assert_eq!(again.status(), 200);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["id"], first.to_string());
    assert_eq!(body["offered_to"].as_array().unwrap().len(), 2);
    assert_eq!(count_calls(&app).await, 1);
    assert_eq!(
        outbox(&app, first).await.len(),
        2,
        "no second round of e-mails"
    );
}

async fn intake_is_idempotent_under_concurrent_retries(backend: Backend) {
    let app = Arc::new(spawn_app(backend).await);
    let barrier = Arc::new(tokio::sync::Barrier::new(12));

    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let (app, barrier) = (app.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let response = post_booking(&app, &booking("MKT-RETRY")).await;
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap();
                (status, body["id"].as_str().unwrap().to_owned())
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }

    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 200).count(),
        11,
        "{results:?}"
    );
    assert!(results.iter().all(|(_, id)| *id == results[0].1));
    assert_eq!(count_calls(&app).await, 1);
    assert_eq!(outbox(&app, results[0].1.parse().unwrap()).await.len(), 2);
}

async fn intake_requires_the_marketplace_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = app.url("/api/v1/marketplace/requests");

    let missing = app
        .http
        .post(&url)
        .json(&booking("MKT-3"))
        .send()
        .await
        .unwrap();
    let wrong = app
        .http
        .post(&url)
        .bearer_auth("not-the-key")
        .json(&booking("MKT-3"))
        .send()
        .await
        .unwrap();
    let status = app
        .http
        .get(app.url(&format!("/api/v1/marketplace/requests/{}", Uuid::new_v4())))
        .bearer_auth("demo-marketplace-ke")
        .send()
        .await
        .unwrap();

    for response in [missing, wrong, status] {
        assert_eq!(
            problem(response, 401).await["type"],
            "/problems/unauthorized"
        );
    }
    assert_eq!(count_calls(&app).await, 0);
}

async fn intake_rejects_bad_input_with_specific_problems_and_stores_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = app.url("/api/v1/marketplace/requests");

    let malformed = app
        .http
        .post(&url)
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body("{\"external_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(malformed, 400).await["type"],
        "/problems/malformed-json"
    );

    let mut wrong_type = booking("MKT-4");
    wrong_type["service"]["duration_minutes"] = json!("sixty");
    let p = problem(post_booking(&app, &wrong_type).await, 422).await;
    assert_eq!(p["type"], "/problems/validation");
    assert_eq!(p["errors"][0]["code"], "invalid_type");
    assert!(
        p["errors"][0]["field"]
            .as_str()
            .unwrap()
            .contains("duration_minutes"),
        "{p}"
    );

    let mut missing = booking("MKT-4");
    missing.as_object_mut().unwrap().remove("client");
    let p = problem(post_booking(&app, &missing).await, 422).await;
    assert_eq!(p["type"], "/problems/validation");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("client"),
        "{p}"
    );

    let mut backwards = booking("MKT-4");
    backwards["slot"] = json!({"start": "2026-11-24T10:00:00Z", "end": "2026-11-24T09:00:00Z"});
    backwards["client"]["email"] = json!("anna.example.ch");
    let p = problem(post_booking(&app, &backwards).await, 422).await;
    let fields: Vec<(&str, &str)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("client.email", "invalid_email"),
            ("slot.end", "end_before_start")
        ]
    );

    assert_eq!(count_calls(&app).await, 0);
    let outbox_rows: i64 = sqlx::query("SELECT COUNT(*) AS n FROM outbox")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!(outbox_rows, 0);
}

async fn intake_without_a_suitable_partner_is_a_clear_422(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut bern = booking("MKT-5");
    bern["client"]["address"]["postcode"] = json!("3011");
    let mut roofing = booking("MKT-6");
    roofing["service"]["skill"] = json!("roofing");

    for body in [bern, roofing] {
        let p = problem(post_booking(&app, &body).await, 422).await;
        assert_eq!(p["type"], "/problems/no-suitable-partner");
        assert!(p["detail"].as_str().unwrap().contains("no partner"), "{p}");
    }
    assert_eq!(count_calls(&app).await, 0);
}

async fn get_status(app: &TestApp, id: Uuid) -> Value {
    let response = app
        .http
        .get(app.url(&format!("/api/v1/marketplace/requests/{id}")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn marketplace_status_follows_offered_accepted_and_all_declined(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let alpen_id = company_id(&app, "Alpen").await;
    let won = create_request(&app, "MKT-7").await;
    let declined = create_request(&app, "MKT-8").await;

    let offered = get_status(&app, won).await;
    assert_eq!(offered["state"], "offered");
    assert_eq!(offered["external_id"], "MKT-7");
    assert!(offered["accepted_by"].is_null());

    let post = |cookie: &str, path: String| {
        app.http
            .post(app.url(&path))
            .header("cookie", cookie)
            .send()
    };
    assert_eq!(
        post(&alpen, format!("/api/v1/calls/{won}/accept"))
            .await
            .unwrap()
            .status(),
        200
    );
    let accepted = get_status(&app, won).await;
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["accepted_by"], alpen_id.to_string());
    let states: Vec<&str> = accepted["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|s| **s == "won").count(), 1);
    assert_eq!(states.iter().filter(|s| **s == "taken").count(), 1);

    assert_eq!(
        post(&alpen, format!("/api/v1/calls/{declined}/decline"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(get_status(&app, declined).await["state"], "offered");
    assert_eq!(
        post(&rhein, format!("/api/v1/calls/{declined}/decline"))
            .await
            .unwrap()
            .status(),
        200
    );
    let all_declined = get_status(&app, declined).await;
    assert_eq!(all_declined["state"], "all_declined");
    assert!(outbox(&app, declined).await.contains(&(
        "callback".into(),
        "all_declined".into(),
        "marketplace".into()
    )));

    let unknown = app
        .http
        .get(app.url(&format!("/api/v1/marketplace/requests/{}", Uuid::new_v4())))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(unknown, 404).await["type"], "/problems/not-found");
}

async fn outbox_worker_delivers_to_the_log_without_smtp(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = create_request(&app, "MKT-9").await;

    // The worker polls every 100 ms in tests; give it a bounded while.
    let mut pending = i64::MAX;
    for _ in 0..100 {
        pending = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox WHERE call_id = $1 AND delivered_at IS NULL",
        )
        .bind(id.to_string())
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
        .get("n");
        if pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    assert_eq!(pending, 0, "every message of the request was delivered");
    let attempts: i64 = sqlx::query("SELECT MAX(attempts) AS n FROM outbox WHERE call_id = $1")
        .bind(id.to_string())
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!(attempts, 1);
}

async fn demo_bookings_in_chf_and_eur_reach_both_demo_companies(backend: Backend) {
    use domain::money::Currency;
    use server::http::marketplace::{intake, Intake};
    let app = spawn_app(backend).await;

    for (seq, currency) in [(1, Currency::CHF), (2, Currency::EUR), (3, Currency::CHF)] {
        let booking = server::demo_traffic::demo_booking(seq, currency, chrono::Utc::now());
        assert!(booking.validate().is_empty(), "{booking:?}");

        let Ok(Intake::Created(created)) = intake(&app.state, booking).await else {
            panic!("the demo booking was refused");
        };

        assert_eq!(created.offered_to.len(), 2);
    }
}
