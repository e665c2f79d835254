//! The Company tab's API: settings validated per field, the currency fixed once calls
//! exist, allowed embed origins, the partner key (shown once, stored hashed, rotated,
//! revoked), and dispatchers: an invited one gets the request e-mails once activated, a
//! removed one's open socket ends at once.

use serde_json::{json, Value};

use crate::{
    helpers::{spawn_app, Backend, TestApp},
    live::connect,
    marketplace::{create_request, outbox, ALPEN, PASSWORD, RHEIN},
    on_both_backends,
    team::{activate, cookie_of, invitation_token, send},
};
use domain::api::live::SESSION_ENDED_CLOSE;

on_both_backends!(
    settings_are_validated_per_field,
    the_currency_is_fixed_once_calls_exist,
    origins_are_validated_deduplicated_and_removable,
    the_partner_key_is_shown_once_stored_hashed_and_rotatable,
    technicians_cannot_reach_the_company_settings,
    an_invited_dispatcher_gets_request_emails_once_activated,
    a_removed_dispatchers_open_socket_ends,
);

const GOOD_PASSWORD: &str = "Correct-Horse-7";

fn fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn settings_are_validated_per_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let patch = |body: Value| {
        app.http
            .patch(app.url("/api/v1/company/settings"))
            .header("cookie", &cookie)
            .json(&body)
    };
    let (status, before) = send(
        &app,
        app.http
            .get(app.url("/api/v1/company/settings"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(before["brand_colour"], "#1f6feb");
    assert_eq!(before["default_language"], "en");

    let (status, problem) = send(
        &app,
        patch(json!({ "name": "  ", "brand_colour": "green", "logo_url": "http://x.example/l.png", "default_language": "it" })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&problem),
        [
            ("name".into(), "required".into()),
            ("brand_colour".into(), "invalid_colour".into()),
            ("logo_url".into(), "invalid_logo_url".into()),
            ("default_language".into(), "unsupported_language".into()),
        ]
    );
    let (_, unchanged) = send(
        &app,
        app.http
            .get(app.url("/api/v1/company/settings"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(unchanged, before, "a refused change changes nothing");
    let (status, _) = send(&app, patch(json!({ "colour": "#000000" }))).await;
    assert_eq!(status, 422, "unknown fields are refused");

    let (status, saved) = send(
        &app,
        patch(json!({ "name": "Alpen Sanitär", "address": "Bahnhofstrasse 1\n8001 Zürich", "brand_colour": "#0A7D3C", "logo_url": "https://alpen.example/logo.png", "default_language": "de" })),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["brand_colour"], "#0a7d3c");
    let (_, me) = send(
        &app,
        app.http
            .get(app.url("/api/v1/auth/me"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(me["company"]["name"], "Alpen Sanitär");
    // Rhein's settings are its own.
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let (_, theirs) = send(
        &app,
        app.http
            .get(app.url("/api/v1/company/settings"))
            .header("cookie", &rhein),
    )
    .await;
    assert_eq!(theirs["name"], "Rhein Haustechnik GmbH");
}

async fn the_currency_is_fixed_once_calls_exist(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let settings = |app: &TestApp| {
        app.http
            .get(app.url("/api/v1/company/settings"))
            .header("cookie", &cookie)
    };
    let (_, s) = send(&app, settings(&app)).await;
    assert_eq!(s["currency_locked"], false);
    let (status, _) = send(
        &app,
        app.http
            .patch(app.url("/api/v1/company"))
            .header("cookie", &cookie)
            .json(&json!({ "currency": "EUR" })),
    )
    .await;
    assert_eq!(status, 200);

    create_request(&app, "CURRENCY-LOCK-1").await;
    let (_, s) = send(&app, settings(&app)).await;
    assert_eq!(s["currency_locked"], true);
    let (status, problem) = send(
        &app,
        app.http
            .patch(app.url("/api/v1/company"))
            .header("cookie", &cookie)
            .json(&json!({ "currency": "CHF" })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&problem),
        [("currency".into(), "currency_locked".into())]
    );
    // Sending the same currency is no change and passes.
    let (status, _) = send(
        &app,
        app.http
            .patch(app.url("/api/v1/company"))
            .header("cookie", &cookie)
            .json(&json!({ "currency": "EUR", "phone": "+41 44 000 00 00" })),
    )
    .await;
    assert_eq!(status, 200);
}

async fn origins_are_validated_deduplicated_and_removable(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let add = |origin: &str| {
        app.http
            .post(app.url("/api/v1/company/origins"))
            .header("cookie", &cookie)
            .json(&json!({ "origin": origin }))
    };
    for (bad, code) in [
        ("http://partner.example", "https_required"),
        ("https://partner.example/board", "invalid_origin"),
        ("partner.example", "invalid_origin"),
        ("http://localhost:4100", "duplicate"),
        ("HTTP://LOCALHOST:4100/", "duplicate"),
    ] {
        let (status, problem) = send(&app, add(bad)).await;
        assert_eq!(status, 422, "{bad}");
        assert_eq!(fields(&problem), [("origin".into(), code.into())], "{bad}");
    }
    let (status, added) = send(&app, add("https://Intranet.Alpen.Example:443")).await;
    assert_eq!(status, 201);
    assert_eq!(added["origin"], "https://intranet.alpen.example");
    let (_, list) = send(
        &app,
        app.http
            .get(app.url("/api/v1/company/origins"))
            .header("cookie", &cookie),
    )
    .await;
    let origins: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["origin"].as_str().unwrap())
        .collect();
    assert_eq!(
        origins,
        ["http://localhost:4100", "https://intranet.alpen.example"]
    );

    // Another company's origin id is unknown here.
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let id = added["id"].as_str().unwrap();
    let (status, _) = send(
        &app,
        app.http
            .delete(app.url(&format!("/api/v1/company/origins/{id}")))
            .header("cookie", &rhein),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(
        &app,
        app.http
            .delete(app.url(&format!("/api/v1/company/origins/{id}")))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(status, 204);
    let (_, list) = send(
        &app,
        app.http
            .get(app.url("/api/v1/company/origins"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

async fn the_partner_key_is_shown_once_stored_hashed_and_rotatable(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(RHEIN, PASSWORD).await;
    let key_info = |app: &TestApp| {
        app.http
            .get(app.url("/api/v1/company/partner-key"))
            .header("cookie", &cookie)
    };
    assert_eq!(
        send(&app, key_info(&app)).await.0,
        404,
        "Rhein has none yet"
    );

    let create = || {
        app.http
            .post(app.url("/api/v1/company/partner-key"))
            .header("cookie", &cookie)
    };
    let (status, first) = send(&app, create()).await;
    assert_eq!(status, 201);
    let key = first["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("rpk_") && key.len() > 40, "{key}");
    assert!(key.starts_with(first["prefix"].as_str().unwrap()));
    let (status, info) = send(&app, key_info(&app)).await;
    assert_eq!(status, 200);
    assert_eq!(info["prefix"], first["prefix"]);
    assert!(info.get("key").is_none(), "never shown again: {info}");
    let stored: Vec<String> = sqlx::query_scalar("SELECT key_hash FROM partner_keys")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert!(
        stored.iter().all(|h| !h.contains(&key[4..])),
        "only a hash is stored"
    );

    // Rotating: the new key works, the old one no longer.
    let (_, second) = send(&app, create()).await;
    let rotated = second["key"].as_str().unwrap();
    assert_ne!(rotated, key);
    sqlx::query("INSERT INTO embed_origins (id, company_id, origin, created_at) SELECT $1, id, 'http://localhost:4101', 0 FROM companies WHERE name LIKE 'Rhein%'")
        .bind(uuid::Uuid::new_v4().to_string())
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let mint = |key: String| {
        let app = &app;
        async move {
            app.http
                .post(app.url("/api/v1/embed/tokens"))
                .bearer_auth(key)
                .json(&json!({ "email": RHEIN, "origin": "http://localhost:4101" }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(mint(key.clone()).await, 401);
    assert_eq!(mint(rotated.to_owned()).await, 201);

    // Revoked: nothing mints, and there is no key.
    let (status, _) = send(
        &app,
        app.http
            .delete(app.url("/api/v1/company/partner-key"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(mint(rotated.to_owned()).await, 401);
    assert_eq!(send(&app, key_info(&app)).await.0, 404);
}

async fn technicians_cannot_reach_the_company_settings(backend: Backend) {
    let app = spawn_app(backend).await;
    let anna = app.sign_in("anna.keller@alpen.example", PASSWORD).await;
    for request in [
        app.http.get(app.url("/api/v1/company/settings")),
        app.http.get(app.url("/api/v1/company/origins")),
        app.http.get(app.url("/api/v1/company/partner-key")),
        app.http.post(app.url("/api/v1/company/partner-key")),
        app.http
            .post(app.url("/api/v1/company/origins"))
            .json(&json!({ "origin": "https://x.example" })),
    ] {
        let (status, _) = send(&app, request.header("cookie", &anna)).await;
        assert_eq!(status, 403);
    }
    let (status, _) = send(&app, app.http.get(app.url("/api/v1/company/settings"))).await;
    assert_eq!(status, 401);
}

/// Invites `email` as a dispatcher of Alpen and activates them: (their id, cookie).
async fn second_dispatcher(app: &TestApp, sandra: &str, email: &str) -> (String, String) {
    let (status, invited) = send(
        app,
        app.http
            .post(app.url("/api/v1/dispatchers"))
            .header("cookie", sandra)
            .json(&json!({ "name": "Kurt Weber", "email": email, "phone": "" })),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    let token = invitation_token(app, sandra, email).await;
    let response = activate(app, &token, GOOD_PASSWORD).await;
    assert_eq!(response.status(), 200);
    (
        invited["id"].as_str().unwrap().to_owned(),
        cookie_of(&response),
    )
}

async fn an_invited_dispatcher_gets_request_emails_once_activated(backend: Backend) {
    let app = spawn_app(backend).await;
    let sandra = app.sign_in(ALPEN, PASSWORD).await;
    let (status, _) = send(
        &app,
        app.http
            .post(app.url("/api/v1/dispatchers"))
            .header("cookie", &sandra)
            .json(&json!({ "name": "Pia Pending", "email": "pia@alpen.example", "phone": "" })),
    )
    .await;
    assert_eq!(status, 201);
    let call = create_request(&app, "SECOND-DISPATCHER-0").await;
    let recipients: Vec<String> = outbox(&app, call)
        .await
        .into_iter()
        .map(|(_, _, r)| r)
        .collect();
    assert!(recipients.contains(&ALPEN.to_owned()));
    assert!(
        !recipients.contains(&"pia@alpen.example".to_owned()),
        "not before activating"
    );

    second_dispatcher(&app, &sandra, "kurt@alpen.example").await;
    let call = create_request(&app, "SECOND-DISPATCHER-1").await;
    let mails: Vec<(String, String, String)> = outbox(&app, call).await;
    for who in [ALPEN, "kurt@alpen.example"] {
        assert!(
            mails
                .iter()
                .any(|(channel, _, r)| channel == "email" && r == who),
            "{who} gets the request e-mail: {mails:?}"
        );
    }
}

async fn a_removed_dispatchers_open_socket_ends(backend: Backend) {
    let app = spawn_app(backend).await;
    let sandra = app.sign_in(ALPEN, PASSWORD).await;
    let (kurt_id, kurt) = second_dispatcher(&app, &sandra, "kurt@alpen.example").await;
    let (mut socket, _, _) = connect(&app.base, &kurt, None).await;
    let (status, _) = send(
        &app,
        app.http
            .delete(app.url(&format!("/api/v1/dispatchers/{kurt_id}")))
            .header("cookie", &sandra),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(socket.closed_with().await, Some(SESSION_ENDED_CLOSE));
    let (status, _) = send(
        &app,
        app.http
            .get(app.url("/api/v1/auth/me"))
            .header("cookie", &kurt),
    )
    .await;
    assert_eq!(status, 401);
}
