//! The embed: sign-in tokens minted with a partner key (single use, a minute, bound to
//! company, dispatcher and origin), their exchange for a partitioned session cookie
//! plus a bearer token, `frame-ancestors` per company, the cross-origin rule for
//! embedded sessions, the loader script and the WebSocket ticket.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{spawn_app, spawn_app_with, Backend, TestApp},
    live::try_connect,
    marketplace::{create_request, ALPEN, PASSWORD, RHEIN},
    on_both_backends,
    team::send,
};

on_both_backends!(
    tokens_are_single_use_and_bound_to_their_origin,
    expired_tokens_are_refused,
    a_partner_key_mints_only_for_its_own_company,
    frame_ancestors_name_the_companys_origins_only,
    the_frame_paints_in_the_theme_the_partner_asked_for,
    embedded_state_changes_need_an_allowed_origin,
    the_bearer_token_opens_the_socket_through_a_single_use_ticket,
    the_loader_is_plain_javascript,
    the_sign_in_popup_mints_for_its_own_dispatcher_and_keeps_its_opener,
    signing_out_of_the_frame_ends_its_cookie_and_bearer_sessions,
);

pub const PARTNER_KEY: &str = "demo-partner-key-alpen";
pub const HOST: &str = "http://localhost:4100";
pub const OTHER_HOST: &str = "http://localhost:4101";

/// The id of the company named like `name%`.
pub async fn company_id(app: &TestApp, name: &str) -> Uuid {
    use sqlx::Row;
    let row = sqlx::query("SELECT id FROM companies WHERE name LIKE $1")
        .bind(format!("{name}%"))
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    row.get::<String, _>("id").parse().unwrap()
}

/// `POST /api/v1/embed/tokens` with `key`.
pub async fn mint(app: &TestApp, key: &str, email: &str, origin: &str) -> (u16, Value) {
    send(
        app,
        app.http
            .post(app.url("/api/v1/embed/tokens"))
            .bearer_auth(key)
            .json(&json!({ "email": email, "origin": origin })),
    )
    .await
}

/// A fresh token for Alpen's dispatcher on the demo host.
pub async fn token(app: &TestApp) -> String {
    let (status, body) = mint(app, PARTNER_KEY, ALPEN, HOST).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["expires_in"], 60);
    body["token"].as_str().unwrap().to_owned()
}

/// `POST /api/v1/embed/session` as the framed app sends it (same origin as the app).
pub async fn exchange(app: &TestApp, token: &str, origin: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/embed/session"))
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "token": token, "origin": origin }))
        .send()
        .await
        .unwrap()
}

/// `POST /api/v1/embed/popup-tokens` as the sign-in popup sends it (first-party).
pub async fn mint_in_popup(
    app: &TestApp,
    cookie: &str,
    company: Uuid,
    origin: &str,
) -> (u16, Value) {
    send(
        app,
        app.http
            .post(app.url("/api/v1/embed/popup-tokens"))
            .header("cookie", cookie)
            .header("origin", &app.base)
            .header("sec-fetch-site", "same-origin")
            .json(&json!({ "company_id": company, "origin": origin })),
    )
    .await
}

/// An embedded session of Alpen's dispatcher: (cookie header, bearer token).
pub async fn embedded_session(app: &TestApp) -> (String, String) {
    let t = token(app).await;
    let response = exchange(app, &t, HOST).await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    (cookie, body["bearer"].as_str().unwrap().to_owned())
}

async fn tokens_are_single_use_and_bound_to_their_origin(backend: Backend) {
    let app = spawn_app(backend).await;

    // Shown to a page of another origin: refused, and spent.
    let t = token(&app).await;
    let response = exchange(&app, &t, OTHER_HOST).await;
    assert_eq!(response.status(), 403);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/embed-origin-mismatch");
    assert!(exchange(&app, &t, HOST).await.status() == 401);

    // The right origin signs in once, with the cookie flags an embedded session needs.
    let t = token(&app).await;
    let response = exchange(&app, &t, HOST).await;
    assert_eq!(response.status(), 200);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let flags: Vec<String> = set_cookie
        .split(';')
        .skip(1)
        .map(|f| f.trim().to_ascii_lowercase())
        .collect();
    for flag in [
        "httponly",
        "samesite=none",
        "secure",
        "partitioned",
        "path=/",
    ] {
        assert!(
            flags.iter().any(|f| f == flag),
            "{flag} missing in {set_cookie}"
        );
    }
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["me"]["email"], ALPEN);
    assert_eq!(body["bearer_expires_in"], 3600);
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let bearer = body["bearer"].as_str().unwrap();
    assert_ne!(
        cookie.split_once('=').unwrap().1,
        bearer,
        "two separate sessions"
    );

    // Both the cookie and the bearer token are sessions.
    let (status, me) = send(
        &app,
        app.http
            .get(app.url("/api/v1/auth/me"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!((status, me["email"].as_str()), (200, Some(ALPEN)));
    let (status, me) = send(
        &app,
        app.http.get(app.url("/api/v1/auth/me")).bearer_auth(bearer),
    )
    .await;
    assert_eq!((status, me["email"].as_str()), (200, Some(ALPEN)));

    // Used once: the same token again is refused.
    let response = exchange(&app, &t, HOST).await;
    assert_eq!(response.status(), 401);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/embed-token-invalid");
    assert_eq!(exchange(&app, "not-a-token", HOST).await.status(), 401);
}

async fn expired_tokens_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = token(&app).await;
    sqlx::query("UPDATE embed_tokens SET expires_at = $1 WHERE token_hash = $2")
        .bind(chrono::Utc::now().timestamp() - 1)
        .bind(server::db::sessions::token_hash(&t))
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(exchange(&app, &t, HOST).await.status(), 401);
    // Nothing of it is kept in clear.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM embed_tokens WHERE token_hash = $1")
        .bind(&t)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

async fn a_partner_key_mints_only_for_its_own_company(backend: Backend) {
    let app = spawn_app(backend).await;
    // Rhein's dispatcher is nobody Alpen's key knows.
    let (status, _) = mint(&app, PARTNER_KEY, RHEIN, HOST).await;
    assert_eq!(status, 404);
    let (status, _) = mint(&app, "demo-partner-key-rhein", RHEIN, HOST).await;
    assert_eq!(status, 401);
    let (status, _) = mint(&app, "", ALPEN, HOST).await;
    assert_eq!(status, 401);
    // The marketplace's key is no partner key.
    let (status, _) = mint(&app, "demo-marketplace-key", ALPEN, HOST).await;
    assert_eq!(status, 401);
    // A technician is no dispatcher.
    let (status, _) = mint(&app, PARTNER_KEY, "anna.keller@alpen.example", HOST).await;
    assert_eq!(status, 404);
    // Only an allowed origin, and a well-formed one.
    let (status, problem) = mint(&app, PARTNER_KEY, ALPEN, OTHER_HOST).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["code"], "origin_not_allowed");
    let (status, problem) = mint(&app, PARTNER_KEY, ALPEN, "localhost:4100/page").await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["code"], "invalid_origin");
    // The origin is compared normalised.
    let (status, _) = mint(&app, PARTNER_KEY, " HTTP://LOCALHOST:4100/ ", HOST).await;
    assert_eq!(status, 404, "the e-mail field is the first argument");
    let (status, _) = mint(&app, PARTNER_KEY, ALPEN, "HTTP://LOCALHOST:4100/").await;
    assert_eq!(status, 201);

    // Once rotated, the old key mints nothing.
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let (status, created) = send(
        &app,
        app.http
            .post(app.url("/api/v1/company/partner-key"))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(status, 201);
    let new_key = created["key"].as_str().unwrap();
    assert_eq!(mint(&app, PARTNER_KEY, ALPEN, HOST).await.0, 401);
    assert_eq!(mint(&app, new_key, ALPEN, HOST).await.0, 201);
    // A Rhein token minted with Rhein's own key cannot sign in on Alpen's origin.
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let (_, rhein_key) = send(
        &app,
        app.http
            .post(app.url("/api/v1/company/partner-key"))
            .header("cookie", &rhein),
    )
    .await;
    let (status, problem) = mint(&app, rhein_key["key"].as_str().unwrap(), RHEIN, HOST).await;
    assert_eq!(
        status, 422,
        "Rhein does not allow Alpen's partner site: {problem}"
    );
}

fn frame_ancestors(response: &reqwest::Response) -> String {
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    csp.rsplit_once("frame-ancestors ").unwrap().1.to_owned()
}

async fn frame_ancestors_name_the_companys_origins_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = company_id(&app, "Alpen").await;
    let rhein = company_id(&app, "Rhein").await;
    let get = |path: String| {
        let app = &app;
        async move { app.http.get(app.url(&path)).send().await.unwrap() }
    };

    let page = get(format!("/embed/{alpen}")).await;
    assert_eq!(page.status(), 200);
    assert_eq!(frame_ancestors(&page), HOST);
    assert!(page.text().await.unwrap().contains("<title>Relay</title>"));
    // Deep links inside the embed too.
    let page = get(format!("/embed/{alpen}/requests/x")).await;
    assert_eq!(frame_ancestors(&page), HOST);
    // Rhein allows nobody; the app and the API nobody either.
    assert_eq!(
        frame_ancestors(&get(format!("/embed/{rhein}")).await),
        "'none'"
    );
    assert_eq!(frame_ancestors(&get("/".to_owned()).await), "'none'");
    assert_eq!(
        frame_ancestors(&get("/api/v1/auth/me".to_owned()).await),
        "'none'"
    );
    // An unknown company is a 404 that nobody may frame.
    let unknown = get(format!("/embed/{}", Uuid::new_v4())).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(frame_ancestors(&unknown), "'none'");

    // Rhein adds two origins: its page names both, Alpen's still only its own.
    let dispatcher = app.sign_in(RHEIN, PASSWORD).await;
    for origin in ["https://intranet.rhein.example", "http://localhost:4101"] {
        let (status, body) = send(
            &app,
            app.http
                .post(app.url("/api/v1/company/origins"))
                .header("cookie", &dispatcher)
                .json(&json!({ "origin": origin })),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let named = frame_ancestors(&get(format!("/embed/{rhein}")).await);
    let mut named: Vec<&str> = named.split(' ').collect();
    named.sort_unstable();
    assert_eq!(
        named,
        ["http://localhost:4101", "https://intranet.rhein.example"]
    );
    assert_eq!(frame_ancestors(&get(format!("/embed/{alpen}")).await), HOST);

    let config: Value = get(format!("/api/v1/embed/config/{alpen}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(config["origins"], json!([HOST]));
    assert_eq!(config["name"], "Alpen Sanitär AG");
}

async fn the_frame_paints_in_the_theme_the_partner_asked_for(backend: Backend) {
    // A page shaped like Trunk's: a comment naming `<html lang>` before the real tag.
    let dist = std::env::temp_dir().join(format!("relay-theme-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html>\n<!-- until the app sets <html lang> -->\n<html>\n<head><title>Relay</title></head><body>app</body></html>",
    )
    .unwrap();
    let app = spawn_app_with(backend, |config| config.dist_dir = dist.clone()).await;
    let alpen = company_id(&app, "Alpen").await;
    let page = |query: &'static str| {
        let app = &app;
        async move {
            let response = app
                .http
                .get(app.url(&format!("/embed/{alpen}{query}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{query}");
            response.text().await.unwrap()
        }
    };
    let dark = page("?lang=de&theme=dark").await;
    assert!(dark.contains("\n<html data-theme=\"dark\">\n"), "{dark}");
    assert!(dark.contains("<!-- until the app sets <html lang> -->"));
    assert_eq!(dark.matches("data-theme").count(), 1);
    assert!(page("?theme=AUTO")
        .await
        .contains("<html data-theme=\"auto\">"));
    assert!(page("?theme=light")
        .await
        .contains("<html data-theme=\"light\">"));
    // Anything else is no theme at all: never echoed into the page.
    for query in [
        "",
        "?theme=",
        "?theme=%22%3E%3Cscript%3E",
        "?theme=blue&theme=dark",
    ] {
        let html = page(query).await;
        assert!(!html.contains("data-theme"), "{query}: {html}");
        assert!(!html.contains("<script>"));
    }
    std::fs::remove_dir_all(&dist).ok();
}

async fn embedded_state_changes_need_an_allowed_origin(backend: Backend) {
    let app = spawn_app(backend).await;
    let (cookie, bearer) = embedded_session(&app).await;
    let change = |origin: &'static str, site: &'static str| {
        app.http
            .patch(app.url("/api/v1/company/settings"))
            .header("cookie", &cookie)
            .header("origin", origin)
            .header("sec-fetch-site", site)
            .json(&json!({ "address": format!("from {origin}") }))
    };

    // From a site the company does not allow: refused, nothing changed.
    let (status, problem) = send(&app, change(OTHER_HOST, "cross-site")).await;
    assert_eq!(status, 403);
    assert_eq!(problem["type"], "/problems/forbidden-origin");
    let (status, problem) = send(&app, change("https://evil.example", "cross-site")).await;
    assert_eq!(status, 403, "{problem}");
    let (_, settings) = send(
        &app,
        app.http
            .get(app.url("/api/v1/company/settings"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(settings["address"], "");

    // From the company's partner site: allowed.
    let (status, settings) = send(&app, change(HOST, "cross-site")).await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["address"], format!("from {HOST}"));

    // Rhein's session from Alpen's partner site is as foreign as any other.
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let (status, _) = send(
        &app,
        app.http
            .patch(app.url("/api/v1/company/settings"))
            .header("cookie", &rhein)
            .header("origin", HOST)
            .header("sec-fetch-site", "cross-site")
            .json(&json!({ "address": "x" })),
    )
    .await;
    assert_eq!(status, 403);

    // The bearer session follows the same rule.
    let (status, _) = send(
        &app,
        app.http
            .post(app.url("/api/v1/events/ticket"))
            .bearer_auth(&bearer)
            .header("origin", OTHER_HOST)
            .header("sec-fetch-site", "cross-site"),
    )
    .await;
    assert_eq!(status, 403);

    // Once the origin is removed, its requests are refused too.
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let (_, origins) = send(
        &app,
        app.http
            .get(app.url("/api/v1/company/origins"))
            .header("cookie", &dispatcher),
    )
    .await;
    let id = origins[0]["id"].as_str().unwrap();
    let (status, _) = send(
        &app,
        app.http
            .delete(app.url(&format!("/api/v1/company/origins/{id}")))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(&app, change(HOST, "cross-site")).await;
    assert_eq!(status, 403);
}

async fn the_bearer_token_opens_the_socket_through_a_single_use_ticket(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, bearer) = embedded_session(&app).await;
    let ticket = |bearer: String| {
        let app = &app;
        async move {
            let (status, body) = send(
                app,
                app.http
                    .post(app.url("/api/v1/events/ticket"))
                    .bearer_auth(bearer),
            )
            .await;
            assert_eq!(status, 201, "{body}");
            body["ticket"].as_str().unwrap().to_owned()
        }
    };
    let t = ticket(bearer.clone()).await;
    let ws_base = format!("{}/api/v1/events?ticket={t}", app.base);
    let mut socket = crate::live::connect_url(&ws_base)
        .await
        .expect("ticket opens the socket");
    socket.until_ready().await;
    let call = create_request(&app, "EMBED-TICKET-1").await;
    let offer = socket.next().await;
    assert_eq!(offer["call_id"], call.to_string());
    // Used once.
    assert!(crate::live::connect_url(&ws_base).await.is_err());
    // No ticket, no cookie: no socket.
    assert!(try_connect(&app.base, None, None, None).await.is_err());
}

async fn the_loader_is_plain_javascript(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.http.get(app.url("/embed.js")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let body = response.text().await.unwrap();
    assert!(body.len() < 8 * 1024, "a few KB, not {}", body.len());
    assert!(body.contains("window.Relay"));
    assert!(body.contains("ResizeObserver") || body.contains("\"height\""));
    assert!(!body.contains("\"*\""), "never posts to any origin");
}

async fn the_sign_in_popup_mints_for_its_own_dispatcher_and_keeps_its_opener(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = company_id(&app, "Alpen").await;
    let rhein = company_id(&app, "Rhein").await;

    // The popup page keeps its opener (the partner page's frame); nothing else does,
    // and nobody may frame it.
    let popup = app
        .http
        .get(app.url(&format!("/embed-signin/{alpen}?origin={HOST}")))
        .send()
        .await
        .unwrap();
    assert_eq!(popup.status(), 200);
    assert_eq!(popup.headers()["cross-origin-opener-policy"], "unsafe-none");
    assert_eq!(frame_ancestors(&popup), "'none'");
    assert!(popup.text().await.unwrap().contains("<title>Relay</title>"));
    for path in [
        "/".to_owned(),
        format!("/embed/{alpen}"),
        "/login".to_owned(),
    ] {
        let page = app.http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(
            page.headers()["cross-origin-opener-policy"],
            "same-origin",
            "{path}"
        );
    }

    // Signed out: nothing.
    let (status, _) = mint_in_popup(&app, "", alpen, HOST).await;
    assert_eq!(status, 401);

    // Signed in first-party: a token of this dispatcher for an allowed origin only.
    let sandra = app.sign_in(ALPEN, PASSWORD).await;
    let (status, body) = mint_in_popup(&app, &sandra, alpen, OTHER_HOST).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "origin");
    assert_eq!(body["errors"][0]["code"], "origin_not_allowed");
    let (status, body) = mint_in_popup(&app, &sandra, alpen, "javascript:alert(1)").await;
    assert_eq!(status, 422, "{body}");
    // Another company's board is unknown to her.
    let (status, body) = mint_in_popup(&app, &sandra, rhein, HOST).await;
    assert_eq!(status, 404, "{body}");
    // Unknown fields are refused.
    let (status, body) = send(
        &app,
        app.http
            .post(app.url("/api/v1/embed/popup-tokens"))
            .header("cookie", &sandra)
            .json(&json!({ "company_id": alpen, "origin": HOST, "user_id": Uuid::new_v4() })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    // A cross-site page cannot make her session mint one.
    let (status, body) = send(
        &app,
        app.http
            .post(app.url("/api/v1/embed/popup-tokens"))
            .header("cookie", &sandra)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .json(&json!({ "company_id": alpen, "origin": HOST })),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    // Technicians have no embedded board.
    let anna = app.sign_in("anna.keller@alpen.example", PASSWORD).await;
    let (status, body) = mint_in_popup(&app, &anna, alpen, HOST).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["type"], "/problems/embed-dispatchers-only");

    // The token is the partner token's kind: bound to the origin, single use.
    let (status, body) = mint_in_popup(&app, &sandra, alpen, HOST).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["company_id"], alpen.to_string());
    assert_eq!(body["expires_in"], 60);
    let t = body["token"].as_str().unwrap().to_owned();
    assert_eq!(exchange(&app, &t, OTHER_HOST).await.status(), 403);
    let (_, body) = mint_in_popup(&app, &sandra, alpen, HOST).await;
    let t = body["token"].as_str().unwrap().to_owned();
    let response = exchange(&app, &t, HOST).await;
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["me"]["email"], ALPEN);
    assert_eq!(exchange(&app, &t, HOST).await.status(), 401);
}

async fn signing_out_of_the_frame_ends_its_cookie_and_bearer_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (cookie, bearer) = embedded_session(&app).await;
    let me = |auth: (&'static str, String)| {
        let app = &app;
        async move {
            app.http
                .get(app.url("/api/v1/auth/me"))
                .header(auth.0, auth.1)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(("authorization", format!("Bearer {bearer}"))).await, 200);
    assert_eq!(me(("cookie", cookie.clone())).await, 200);

    // The frame signs out with what it holds: the cookie (if kept) and the bearer.
    let response = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .header("cookie", &cookie)
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let removals: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        removals.iter().any(|r| r.starts_with("dispatch_session=;")
            && r.contains("partitioned")
            && r.contains("max-age=0")),
        "{removals:?}"
    );
    assert_eq!(me(("authorization", format!("Bearer {bearer}"))).await, 401);
    assert_eq!(me(("cookie", cookie)).await, 401);
}
