//! Languages on the account and in e-mails: the locale a person chooses is stored on
//! their account (and `me` answers it on any device); the client's e-mails are written
//! in the booking's `locale` (else the country's language); each dispatcher's in theirs.

use crate::{
    helpers::{send, spawn_app, Backend, TestApp},
    marketplace::{booking, post_booking, ALPEN, PASSWORD, RHEIN},
    on_both_backends,
};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

on_both_backends!(
    the_chosen_locale_is_stored_on_the_account_and_answered_by_me,
    a_locale_we_do_not_offer_is_a_422_and_changes_nothing,
    each_dispatcher_gets_the_new_request_in_their_own_locale,
    the_client_reads_the_language_of_the_booking,
    without_a_booking_locale_the_client_reads_the_countrys_language,
    a_malformed_booking_locale_is_a_specific_422,
);

async fn me(app: &TestApp, cookie: &str) -> Value {
    send(app, Method::GET, "/api/v1/auth/me", cookie, None)
        .await
        .json()
        .await
        .unwrap()
}

async fn mails(app: &TestApp, call: Uuid, kind: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT recipient, subject, body FROM outbox WHERE call_id = $1 AND kind = $2 \
         ORDER BY recipient",
    )
    .bind(call.to_string())
    .bind(kind)
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap()
}

async fn create(app: &TestApp, body: &Value) -> Uuid {
    let response = post_booking(app, body).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().parse().unwrap()
}

async fn the_chosen_locale_is_stored_on_the_account_and_answered_by_me(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    // Before any choice: none, and the company's default from its country (Zürich).
    let before = me(&app, &cookie).await;
    assert_eq!(before["locale"], Value::Null);
    assert_eq!(before["company_locale"], "de-CH");

    let response = send(
        &app,
        Method::PUT,
        "/api/v1/me/locale",
        &cookie,
        Some(json!({"locale": "fr-CH"})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let answered: Value = response.json().await.unwrap();
    assert_eq!(answered["locale"], "fr-CH");

    // Another device: a fresh sign-in starts in the account's locale.
    let other_device = app.sign_in(ALPEN, PASSWORD).await;
    assert_eq!(me(&app, &other_device).await["locale"], "fr-CH");
    // The Berlin company's dispatcher is unaffected and defaults to de-DE.
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    assert_eq!(me(&app, &rhein).await["locale"], Value::Null);
    assert_eq!(me(&app, &rhein).await["company_locale"], "de-DE");
}

async fn a_locale_we_do_not_offer_is_a_422_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;

    for body in [
        json!({"locale": "it-CH"}),
        json!({"locale": "de-CH", "extra": 1}),
        json!({}),
    ] {
        let response = send(
            &app,
            Method::PUT,
            "/api/v1/me/locale",
            &cookie,
            Some(body.clone()),
        )
        .await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{body}"
        );
    }
    assert_eq!(me(&app, &cookie).await["locale"], Value::Null);
    let anonymous = app
        .http
        .put(app.url("/api/v1/me/locale"))
        .json(&json!({"locale": "de-CH"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

async fn each_dispatcher_gets_the_new_request_in_their_own_locale(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(RHEIN, PASSWORD).await;
    let response = send(
        &app,
        Method::PUT,
        "/api/v1/me/locale",
        &cookie,
        Some(json!({"locale": "en-GB"})),
    )
    .await;
    assert_eq!(response.status(), 200);

    let call = create(&app, &booking("MKT-L1")).await;

    let rows = mails(&app, call, "new_request").await;
    let of = |to: &str| {
        rows.iter()
            .find(|(r, _, _)| r == to)
            .unwrap_or_else(|| panic!("no mail to {to}: {rows:?}"))
            .clone()
    };
    // Alpen's dispatcher chose nothing: the Swiss company's de-CH, in Zürich's zone.
    let (_, subject, body) = of(ALPEN);
    assert_eq!(subject, "Neue Anfrage: Fix a leaking tap in 8001 Zürich");
    assert!(
        body.contains("Wann: Di. 24.11.2026 10:00–11:00 (Europe/Zurich, UTC+01:00)"),
        "{body}"
    );
    assert!(body.contains("Empfohlener Preis: CHF 120.00"), "{body}");
    // Rhein's chose English: British English, Berlin's zone.
    let (_, subject, body) = of(RHEIN);
    assert_eq!(subject, "New request: Fix a leaking tap in 8001 Zürich");
    assert!(
        body.contains("When: Tue 24/11/2026 10:00–11:00 (Europe/Berlin, UTC+01:00)"),
        "{body}"
    );
}

async fn accept(app: &TestApp, call: Uuid) {
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let response = send(
        app,
        Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        &cookie,
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
}

async fn the_client_reads_the_language_of_the_booking(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = booking("MKT-L2");
    body["client"]["locale"] = json!("fr-CH");
    let call = create(&app, &body).await;

    accept(&app, call).await;

    let rows = mails(&app, call, "request_accepted").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (to, subject, text) = &rows[0];
    assert_eq!(to, "anna@example.ch");
    assert_eq!(subject, "Alpen Sanitär AG s’occupe de votre réservation");
    assert!(text.starts_with("Bonjour Anna Muster,\n\n"), "{text}");
    assert!(text.contains("« Fix a leaking tap »"), "{text}");
}

async fn without_a_booking_locale_the_client_reads_the_countrys_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = booking("MKT-L3");
    body["client"].as_object_mut().unwrap().remove("locale");
    let call = create(&app, &body).await;

    accept(&app, call).await;

    let rows = mails(&app, call, "request_accepted").await;
    let (_, subject, text) = &rows[0];
    assert_eq!(subject, "Alpen Sanitär AG übernimmt Ihre Buchung");
    assert!(text.starts_with("Grüezi Anna Muster\n\n"), "{text}");
}

async fn a_malformed_booking_locale_is_a_specific_422(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = booking("MKT-L4");
    body["client"]["locale"] = json!("français");

    let response = post_booking(&app, &body).await;

    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    let errors = problem["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == "client.locale" && e["code"] == "invalid_locale"),
        "{problem}"
    );
}
