//! Sessions: sign-in sets a hardened cookie, sign-out revokes it server-side, and
//! failures do not tell an unknown e-mail from a wrong password.

use crate::{
    helpers::{spawn_app, Backend},
    on_both_backends,
};
use serde_json::{json, Value};

const ALPEN: &str = "dispatcher@alpen.example";
const PASSWORD: &str = "demo1234";

on_both_backends!(
    sign_in_sets_an_httponly_samesite_cookie_and_me_answers,
    sign_out_revokes_the_session_on_the_server,
    me_without_a_session_is_401_problem_json,
    wrong_password_and_unknown_email_get_the_same_401,
    an_expired_session_is_refused,
    sign_in_rejects_malformed_and_mistyped_bodies,
    each_company_sees_itself,
);

async fn sign_in_sets_an_httponly_samesite_cookie_and_me_answers(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": "Dispatcher@Alpen.example", "password": PASSWORD }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("dispatch_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(cookie.contains("Max-Age="), "{cookie}");
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["email"], ALPEN);
    assert_eq!(me["role"], "dispatcher");
    assert_eq!(me["company"]["name"], "Alpen Sanitär AG");
    assert_eq!(me["company"]["time_zone"], "Europe/Zurich");
    assert_eq!(me["company"]["currency"], "CHF");

    let session = cookie.split(';').next().unwrap();
    let me_again: Value = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me_again, me);
}

async fn sign_out_revokes_the_session_on_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.sign_in(ALPEN, PASSWORD).await;

    let logout = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let cleared = logout.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("dispatch_session=;") || cleared.contains("Max-Age=0"),
        "{cleared}"
    );

    // The old token, replayed, is dead: revocation is server-side, not just a cleared cookie.
    let me = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
}

async fn me_without_a_session_is_401_problem_json(backend: Backend) {
    let app = spawn_app(backend).await;

    for cookie in [None, Some("dispatch_session=forged-token")] {
        let mut request = app.http.get(app.url("/api/v1/auth/me"));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/unauthorized");
        assert_eq!(problem["status"], 401);
    }
}

async fn wrong_password_and_unknown_email_get_the_same_401(backend: Backend) {
    let app = spawn_app(backend).await;

    let mut bodies = Vec::new();
    for (email, password) in [
        (ALPEN, "wrong-password"),
        ("nobody@alpen.example", PASSWORD),
    ] {
        let response = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.headers().get("set-cookie").is_none());
        bodies.push(response.text().await.unwrap());
    }
    assert_eq!(
        bodies[0], bodies[1],
        "the two failures must be indistinguishable"
    );
    let problem: Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(problem["type"], "/problems/invalid-credentials");
}

async fn an_expired_session_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = server::db::accounts::find_user_by_email(&app.state.db, ALPEN)
        .await
        .unwrap()
        .unwrap();
    let token = server::db::sessions::new_token();
    server::db::sessions::create(&app.state.db, &token, user.id, -1)
        .await
        .unwrap();

    let response = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", format!("dispatch_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

async fn sign_in_rejects_malformed_and_mistyped_bodies(backend: Backend) {
    let app = spawn_app(backend).await;

    let cases = [
        (r#"{"email": "#, 400, "/problems/malformed-json"),
        (
            r#"{"email": 42, "password": "x"}"#,
            422,
            "/problems/validation",
        ),
        (r#"{"email": "a@b.example"}"#, 422, "/problems/validation"),
    ];
    for (body, status, kind) in cases {
        let response = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], kind, "{body}");
    }
    let no_json = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=x")
        .send()
        .await
        .unwrap();
    assert_eq!(no_json.status(), 415);
    let problem: Value = no_json.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/unsupported-media-type");
}

async fn each_company_sees_itself(backend: Backend) {
    let app = spawn_app(backend).await;
    for (email, company) in [
        (ALPEN, "Alpen Sanitär AG"),
        ("dispatcher@rhein.example", "Rhein Haustechnik GmbH"),
    ] {
        let session = app.sign_in(email, PASSWORD).await;
        let me: Value = app
            .http
            .get(app.url("/api/v1/auth/me"))
            .header("cookie", session)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["company"]["name"], company);
    }
}
