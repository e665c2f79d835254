//! Issue 14's security part: cross-site request forgery (origin rule and JSON-only
//! bodies), the security headers of every answer, and the limits on guessing
//! passwords (429 with Retry-After, per account and per address, locks that expire).

use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{spawn_app, spawn_app_with, Backend, TestApp},
    marketplace::{create_request, ALPEN, PASSWORD},
    on_both_backends,
};

on_both_backends!(
    a_cross_site_form_post_to_accept_is_refused_and_accepts_nothing,
    a_foreign_origin_is_refused_for_every_state_change,
    our_own_origins_and_machine_clients_are_allowed,
    a_state_change_without_a_json_content_type_is_415,
    every_answer_carries_the_security_headers,
    hsts_only_behind_https,
    sign_in_bursts_get_429_with_retry_after_and_recover,
    the_per_address_limit_is_independent_of_the_account,
    an_account_lock_expires_and_the_right_password_then_works,
    activation_guesses_are_rate_limited,
);

/// `method path` as Alpen's dispatcher with extra headers; returns status and body.
async fn call(
    app: &TestApp,
    cookie: &str,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, Value) {
    let mut request = app
        .http
        .request(method, app.url(path))
        .header("cookie", cookie);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn offer_state(app: &TestApp, cookie: &str, id: uuid::Uuid) -> String {
    let (status, view) = call(
        app,
        cookie,
        Method::GET,
        &format!("/api/v1/calls/{id}"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    view["offer_state"].as_str().unwrap().to_owned()
}

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");
const EVIL: (&str, &str) = ("origin", "https://evil.example");

async fn a_cross_site_form_post_to_accept_is_refused_and_accepts_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let id = create_request(&app, "CSRF-1").await;

    // What `<form method=post action=…/accept>` on evil.example makes Chromium send.
    let (status, problem) = call(
        &app,
        &cookie,
        Method::POST,
        &format!("/api/v1/calls/{id}/accept"),
        &[EVIL, ("sec-fetch-site", "cross-site"), FORM],
        Some(""),
    )
    .await;

    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["type"], "/problems/forbidden-origin");
    assert_eq!(offer_state(&app, &cookie, id).await, "offered");
    // Logout the same way: refused, the session lives on.
    let (status, _) = call(
        &app,
        &cookie,
        Method::POST,
        "/api/v1/auth/logout",
        &[EVIL, ("sec-fetch-site", "cross-site"), FORM],
        Some(""),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(&app, &cookie, Method::GET, "/api/v1/auth/me", &[], None).await;
    assert_eq!(status, 200);
}

async fn a_foreign_origin_is_refused_for_every_state_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let id = create_request(&app, "CSRF-2").await;
    let accept = format!("/api/v1/calls/{id}/accept");

    // A JSON fetch from a foreign page (no fetch metadata: an older browser).
    let (status, problem) = call(&app, &cookie, Method::POST, &accept, &[EVIL], None).await;
    assert_eq!(status, 403, "{problem}");
    // A same-site sibling (another port or subdomain) is not our origin either.
    let (status, _) = call(
        &app,
        &cookie,
        Method::POST,
        &accept,
        &[("sec-fetch-site", "same-site")],
        None,
    )
    .await;
    assert_eq!(status, 403);
    let host = app.base.trim_start_matches("http://");
    let (_, port) = host.rsplit_once(':').unwrap();
    let sibling = format!("http://127.0.0.1:{}", port.parse::<u16>().unwrap() + 1);
    let (status, _) = call(
        &app,
        &cookie,
        Method::PATCH,
        &format!("/api/v1/calls/{id}"),
        &[("origin", sibling.as_str())],
        Some(r#"{"version": 1}"#),
    )
    .await;
    assert_eq!(status, 403);
    // Sign-in from a foreign page (login CSRF) is refused too.
    let login = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .header("origin", "https://evil.example")
        .json(&json!({"email": ALPEN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 403);
    assert_eq!(offer_state(&app, &cookie, id).await, "offered");
}

async fn our_own_origins_and_machine_clients_are_allowed(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    // `PUBLIC_URL` is http://localhost while the test talks to 127.0.0.1:PORT, as the
    // end-to-end suite does: both origins are ours.
    let own_host = app.base.clone();
    let cases: [&[(&str, &str)]; 4] = [
        &[
            ("origin", "http://localhost"),
            ("sec-fetch-site", "cross-site"),
        ],
        &[("origin", own_host.as_str())],
        &[
            ("origin", own_host.as_str()),
            ("sec-fetch-site", "same-origin"),
        ],
        // No Origin, no fetch metadata: a machine client such as curl.
        &[],
    ];
    for (i, headers) in cases.into_iter().enumerate() {
        let id = create_request(&app, &format!("CSRF-OK-{i}")).await;
        let (status, body) = call(
            &app,
            &cookie,
            Method::POST,
            &format!("/api/v1/calls/{id}/accept"),
            headers,
            None,
        )
        .await;
        assert_eq!(status, 200, "{headers:?}: {body}");
        assert_eq!(offer_state(&app, &cookie, id).await, "won");
    }
    // The marketplace's intake (bearer key, no browser headers) still works: the
    // create_request calls above went through it.
}

async fn a_state_change_without_a_json_content_type_is_415(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let id = create_request(&app, "CSRF-415").await;

    let (status, problem) = call(
        &app,
        &cookie,
        Method::POST,
        &format!("/api/v1/calls/{id}/accept"),
        &[FORM],
        Some(""),
    )
    .await;
    assert_eq!(status, 415, "{problem}");
    assert_eq!(problem["type"], "/problems/unsupported-media-type");
    assert_eq!(offer_state(&app, &cookie, id).await, "offered");

    let (status, problem) = call(
        &app,
        &cookie,
        Method::PATCH,
        &format!("/api/v1/calls/{id}"),
        &[("content-type", "text/plain")],
        Some(r#"{"version": 1, "client_called": true}"#),
    )
    .await;
    assert_eq!(status, 415, "{problem}");

    // A body-less POST with the JSON content type is served.
    let (status, body) = call(
        &app,
        &cookie,
        Method::POST,
        &format!("/api/v1/calls/{id}/accept"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// Checks the security headers of one answer.
fn assert_security_headers(response: &reqwest::Response, what: &str) {
    let h = response.headers();
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    for directive in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "form-action 'self'",
    ] {
        assert!(
            csp.contains(directive),
            "{what}: {directive} missing in {csp}"
        );
    }
    assert!(
        !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{what}: {csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(
        h["referrer-policy"], "strict-origin-when-cross-origin",
        "{what}"
    );
    assert_eq!(h["cross-origin-opener-policy"], "same-origin", "{what}");
}

async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        // A built app whose loader is an inline module script, as Trunk writes it.
        std::fs::write(
            config.dist_dir.join("index.html"),
            "<!doctype html><title>Relay</title><script type=\"module\">import init from '/app-0123456789abcdef.js';init();</script><body></body>",
        )
        .unwrap();
        std::fs::write(
            config.dist_dir.join("app-0123456789abcdef.js"),
            "export default function init() {}",
        )
        .unwrap();
    })
    .await;
    let get = |path: &str| app.http.get(app.url(path)).send();

    let index = get("/").await.unwrap();
    assert_eq!(index.status(), 200);
    assert_security_headers(&index, "/");
    // The inline loader is allowed by its hash, nothing else inline.
    let csp = index.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{csp}"
    );
    let deep = get("/requests/some-id").await.unwrap();
    assert_security_headers(&deep, "a deep link");

    let asset = get("/app-0123456789abcdef.js").await.unwrap();
    assert_eq!(asset.status(), 200);
    assert_security_headers(&asset, "a hashed asset");

    let me = get("/api/v1/auth/me").await.unwrap();
    assert_eq!(me.status(), 401);
    assert_security_headers(&me, "/api/v1/auth/me");

    let missing = get("/api/v1/nothing-here").await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    assert_security_headers(&missing, "a 404 problem");

    let refused = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_security_headers(&refused, "a refused cross-origin request");
    assert!(index.headers().get("strict-transport-security").is_none());
}

async fn hsts_only_behind_https(backend: Backend) {
    let app = spawn_app_with(backend, |config| config.cookie_secure = true).await;
    for path in ["/", "/api/v1/auth/me"] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_security_headers(&response, path);
        assert!(
            response.headers()["strict-transport-security"]
                .to_str()
                .unwrap()
                .starts_with("max-age="),
            "{path}"
        );
    }
}

async fn login(
    app: &TestApp,
    email: &str,
    password: &str,
    from: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}));
    if let Some(addr) = from {
        request = request.header("x-forwarded-for", addr);
    }
    request.send().await.unwrap()
}

/// The `Retry-After` of a 429 problem, in seconds.
async fn too_many(response: reqwest::Response) -> u64 {
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/too-many-requests");
    assert!(retry >= 1);
    retry
}

async fn sign_in_bursts_get_429_with_retry_after_and_recover(backend: Backend) {
    // Three tries per account per minute.
    let app = spawn_app_with(backend, |config| {
        config.sign_in.per_account = 3;
        config.sign_in.window = std::time::Duration::from_secs(60);
        config.sign_in.lock_after = 100;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            login(&app, ALPEN, "wrong-password", None).await.status(),
            401
        );
    }
    // The burst is spent: refused before the password is even checked, right or not,
    // and whatever the case or spaces of the e-mail.
    let retry = too_many(login(&app, ALPEN, PASSWORD, None).await).await;
    assert!(retry <= 20, "one try comes back every 20 s: {retry}");
    too_many(login(&app, " Dispatcher@Alpen.Example", PASSWORD, None).await).await;
    // Another account is not concerned.
    assert_eq!(
        login(&app, "dispatcher@rhein.example", PASSWORD, None)
            .await
            .status(),
        200
    );

    // One try per second: after its Retry-After the account may try again.
    let app = spawn_app_with(backend, |config| {
        config.sign_in.per_account = 1;
        config.sign_in.window = std::time::Duration::from_secs(1);
    })
    .await;
    assert_eq!(
        login(&app, ALPEN, "wrong-password", None).await.status(),
        401
    );
    let retry = too_many(login(&app, ALPEN, PASSWORD, None).await).await;
    assert_eq!(retry, 1);
    tokio::time::sleep(std::time::Duration::from_secs(retry)).await;
    assert_eq!(login(&app, ALPEN, PASSWORD, None).await.status(), 200);
}

async fn the_per_address_limit_is_independent_of_the_account(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.trust_proxy = true;
        config.sign_in.per_address = 3;
        config.sign_in.window = std::time::Duration::from_secs(60);
    })
    .await;
    // One address tries three different accounts…
    for email in ["a@alpen.example", "b@alpen.example", "c@alpen.example"] {
        let response = login(&app, email, "guess", Some("198.51.100.7")).await;
        assert_eq!(response.status(), 401);
    }
    // …and is refused for a fourth, even with the right password…
    let retry = too_many(login(&app, ALPEN, PASSWORD, Some("198.51.100.7")).await).await;
    assert!(retry <= 20, "one try comes back every 20 s: {retry}");
    // …while that account signs in from another address.
    let elsewhere = login(&app, ALPEN, PASSWORD, Some("203.0.113.9")).await;
    assert_eq!(elsewhere.status(), 200);
}

async fn an_account_lock_expires_and_the_right_password_then_works(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.sign_in.lock_after = 3;
        config.sign_in.lock_for = std::time::Duration::from_millis(700);
        config.sign_in.lock_max = std::time::Duration::from_secs(5);
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            login(&app, ALPEN, "wrong-password", None).await.status(),
            401
        );
    }
    // Locked: even the right password is refused, for a bounded time.
    let retry = too_many(login(&app, ALPEN, PASSWORD, None).await).await;
    assert_eq!(retry, 1);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(login(&app, ALPEN, PASSWORD, None).await.status(), 200);
    // The success forgot the streak: two more failures do not lock again.
    for _ in 0..2 {
        assert_eq!(
            login(&app, ALPEN, "wrong-password", None).await.status(),
            401
        );
    }
    assert_eq!(login(&app, ALPEN, PASSWORD, None).await.status(), 200);
}

async fn activation_guesses_are_rate_limited(backend: Backend) {
    let app = spawn_app_with(backend, |config| {
        config.sign_in.per_address = 2;
    })
    .await;
    let guess = |token: &'static str| {
        app.http
            .post(app.url("/api/v1/auth/activate"))
            .json(&json!({"token": token, "password": "Long-enough-2026"}))
            .send()
    };
    assert_eq!(guess("guess-1").await.unwrap().status(), 410);
    assert_eq!(guess("guess-2").await.unwrap().status(), 410);
    too_many(guess("guess-3").await.unwrap()).await;
    // Sign-in has buckets of its own.
    assert_eq!(login(&app, ALPEN, PASSWORD, None).await.status(), 200);
}
