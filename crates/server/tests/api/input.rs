//! Bad input at the edge: unknown fields, NUL and control characters, impossible dates,
//! oversized bodies and wrong methods each get a specific problem and change nothing,
//! on both engines.

use crate::{
    helpers::{send, spawn_app, Backend, TestApp},
    marketplace::{
        booking, count_calls, create_request, outbox, post_booking, stored, ALPEN, PASSWORD, RHEIN,
    },
    on_both_backends,
};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

on_both_backends!(
    unknown_fields_in_a_patch_and_the_intake_are_422_naming_the_field,
    nul_in_sign_in_intake_and_names_is_422_naming_the_field,
    impossible_dates_are_refused_for_patch_and_intake_and_change_nothing,
    oversized_json_is_413_problem,
    a_wrong_method_is_405_problem_with_allow,
    new_request_emails_show_each_receiving_companys_zone,
);

/// The problem's `(status, type, [(field, code)])`.
async fn problem(response: reqwest::Response) -> (u16, String, Vec<(String, String)>) {
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    let body: Value = response.json().await.unwrap();
    let fields = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap().to_owned(),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (status, body["type"].as_str().unwrap().to_owned(), fields)
}

/// An accepted call of Alpen and its version.
async fn accepted_call(app: &TestApp, cookie: &str, external_id: &str) -> (Uuid, i64) {
    let call = create_request(app, external_id).await;
    let accepted: Value = send(
        app,
        Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        cookie,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    (call, accepted["version"].as_i64().unwrap())
}

fn field(name: &str, code: &str) -> Vec<(String, String)> {
    vec![(name.to_owned(), code.to_owned())]
}

async fn unknown_fields_in_a_patch_and_the_intake_are_422_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, version) = accepted_call(&app, &alpen, "MKT-U1").await;
    let before = stored(&app, call).await;
    let calls_before = count_calls(&app).await;

    let patch = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/calls/{call}"),
        &alpen,
        Some(json!({"version": version, "client_caled": true})),
    )
    .await;
    let mut typo = booking("MKT-U2");
    typo["client"]["address"]["zip"] = json!("8001");
    let intake = post_booking(&app, &typo).await;
    let mut top = booking("MKT-U3");
    top["priority"] = json!("high");
    let intake_top = post_booking(&app, &top).await;

    assert_eq!(
        problem(patch).await,
        (
            422,
            "/problems/validation".into(),
            field("client_caled", "unknown_field")
        )
    );
    assert_eq!(
        problem(intake).await,
        (
            422,
            "/problems/validation".into(),
            field("client.address.zip", "unknown_field")
        )
    );
    assert_eq!(
        problem(intake_top).await,
        (
            422,
            "/problems/validation".into(),
            field("priority", "unknown_field")
        )
    );
    assert_eq!(stored(&app, call).await, before);
    assert_eq!(count_calls(&app).await, calls_before);
}

async fn nul_in_sign_in_intake_and_names_is_422_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let calls_before = count_calls(&app).await;

    let login = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "dispatcher@alpen.example\u{0}", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let intake = post_booking(&app, &booking("MKT-\u{0}1")).await;
    let technician = send(
        &app,
        Method::POST,
        "/api/v1/technicians",
        &alpen,
        Some(json!({"name": "Max\u{0}Muster", "email": "max.nul@alpen.example"})),
    )
    .await;
    let dispatcher = send(
        &app,
        Method::POST,
        "/api/v1/dispatchers",
        &alpen,
        Some(json!({"name": "Eva\u{1b}[2J", "email": "eva.nul@alpen.example"})),
    )
    .await;

    assert_eq!(
        problem(login).await,
        (
            422,
            "/problems/validation".into(),
            field("email", "control_character")
        )
    );
    assert_eq!(
        problem(intake).await,
        (
            422,
            "/problems/validation".into(),
            field("external_id", "control_character")
        )
    );
    assert_eq!(
        problem(technician).await,
        (
            422,
            "/problems/validation".into(),
            field("name", "control_character")
        )
    );
    assert_eq!(
        problem(dispatcher).await,
        (
            422,
            "/problems/validation".into(),
            field("name", "control_character")
        )
    );
    assert_eq!(count_calls(&app).await, calls_before);
    for email in ["max.nul@alpen.example", "eva.nul@alpen.example"] {
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(users, 0, "{email} was stored");
    }
}

async fn impossible_dates_are_refused_for_patch_and_intake_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (call, version) = accepted_call(&app, &alpen, "MKT-D1").await;
    let before = stored(&app, call).await;
    let mails_before = outbox(&app, call).await;
    let calls_before = count_calls(&app).await;

    for (i, year) in ["0000", "1970", "9999"].into_iter().enumerate() {
        let slot = json!({"start": format!("{year}-01-01T09:00:00Z"),
                          "end": format!("{year}-01-01T10:00:00Z")});
        let patch = send(
            &app,
            Method::PATCH,
            &format!("/api/v1/calls/{call}"),
            &alpen,
            Some(json!({"version": version, "slot": slot})),
        )
        .await;
        let mut dated = booking(&format!("MKT-D{}", i + 2));
        dated["slot"] = slot;
        let intake = post_booking(&app, &dated).await;

        for response in [patch, intake] {
            let (status, kind, fields) = problem(response).await;
            assert_eq!(
                (status, kind.as_str()),
                (422, "/problems/validation"),
                "{year}"
            );
            assert!(
                !fields.is_empty() && fields.iter().all(|(_, code)| code == "outside_window"),
                "{year}: {fields:?}"
            );
            assert!(
                fields.iter().any(|(f, _)| f == "slot.start"),
                "{year}: {fields:?}"
            );
        }
    }

    assert_eq!(stored(&app, call).await, before);
    assert_eq!(outbox(&app, call).await, mails_before);
    assert_eq!(count_calls(&app).await, calls_before);
}

async fn oversized_json_is_413_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let calls_before = count_calls(&app).await;
    let mut huge = booking("MKT-BIG");
    huge["notes"] = json!("x".repeat(2 * 1024 * 1024));

    let response = post_booking(&app, &huge).await;

    assert_eq!(
        problem(response).await,
        (413, "/problems/payload-too-large".into(), vec![])
    );
    assert_eq!(count_calls(&app).await, calls_before);
}

async fn a_wrong_method_is_405_problem_with_allow(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let call = create_request(&app, "MKT-M1").await;

    for (method, path, allowed) in [
        (
            Method::DELETE,
            format!("/api/v1/calls/{call}"),
            vec!["GET", "PATCH"],
        ),
        (
            Method::GET,
            format!("/api/v1/calls/{call}/accept"),
            vec!["POST"],
        ),
        (Method::PUT, "/api/v1/auth/login".to_owned(), vec!["POST"]),
        (
            Method::POST,
            "/api/v1/technicians/x/photo".to_owned(),
            vec!["GET", "PUT"],
        ),
    ] {
        let response = send(&app, method.clone(), &path, &alpen, None).await;
        let allow = response
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let (status, kind, _) = problem(response).await;

        assert_eq!(
            (status, kind.as_str()),
            (405, "/problems/method-not-allowed"),
            "{method} {path}"
        );
        let mut allow: Vec<_> = allow.split(',').map(str::trim).collect();
        allow.retain(|m| *m != "HEAD");
        allow.sort_unstable();
        assert_eq!(allow, allowed, "{method} {path}");
    }
}

async fn new_request_emails_show_each_receiving_companys_zone(backend: Backend) {
    let app = spawn_app(backend).await;

    let call = create_request(&app, "MKT-Z1").await;

    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT recipient, body FROM outbox WHERE call_id = $1 AND kind = 'new_request'",
    )
    .bind(call.to_string())
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    let body_of = |recipient: &str| {
        rows.iter()
            .find(|(r, _)| r == recipient)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("no new-request e-mail to {recipient}: {rows:?}"))
    };
    // The booking's 09:00–10:00 UTC is 10:00–11:00 in both zones, each named with its offset.
    assert!(
        body_of(ALPEN).contains("Di. 24.11.2026 10:00–11:00 (Europe/Zurich, UTC+01:00)"),
        "{}",
        body_of(ALPEN)
    );
    assert!(
        body_of(RHEIN).contains("Di. 24.11.2026 10:00–11:00 (Europe/Berlin, UTC+01:00)"),
        "{}",
        body_of(RHEIN)
    );
}
