//! A person's own profile: name and personal e-mail (where their request e-mails go, and
//! their sign-in), and a password change that ends every other session of theirs.

use serde_json::{json, Value};

use crate::{
    helpers::{spawn_app, Backend, TestApp},
    live::connect,
    marketplace::{create_request, outbox, ALPEN, PASSWORD},
    on_both_backends,
};
use domain::api::live::SESSION_ENDED_CLOSE;

on_both_backends!(
    a_dispatcher_changes_their_name_and_email,
    bad_profile_changes_are_refused_field_by_field,
    a_password_change_ends_the_other_sessions_only,
    a_password_change_needs_the_current_password_and_a_good_new_one,
);

const ANNA: &str = "anna.keller@alpen.example";
const NEW_PASSWORD: &str = "Neues-Passwort-2027";

async fn patch_me(app: &TestApp, cookie: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .patch(app.url("/api/v1/me"))
        .header("cookie", cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn change_password(app: &TestApp, cookie: &str, current: &str, new: &str) -> (u16, Value) {
    let response = app
        .http
        .put(app.url("/api/v1/me/password"))
        .header("cookie", cookie)
        .json(&json!({ "current_password": current, "new_password": new }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> u16 {
    app.http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn me_status(app: &TestApp, cookie: &str) -> u16 {
    app.http
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn a_dispatcher_changes_their_name_and_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let (status, me) = patch_me(
        &app,
        &cookie,
        json!({ "name": "  Sandra Meier-Keller ", "email": "Sandra.Private@Example.CH" }),
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["name"], "Sandra Meier-Keller");
    assert_eq!(me["email"], "sandra.private@example.ch");
    // The session goes on; `me` answers the new identity on every device.
    let again = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(again["email"], "sandra.private@example.ch");
    // The sign-in follows the e-mail.
    assert_eq!(login_status(&app, ALPEN, PASSWORD).await, 401);
    assert_eq!(
        login_status(&app, "sandra.private@example.ch", PASSWORD).await,
        200
    );
    // And so do the request e-mails.
    let call = create_request(&app, "OWN-PROFILE-1").await;
    let recipients: Vec<String> = outbox(&app, call)
        .await
        .into_iter()
        .filter(|(channel, _, _)| channel == "email")
        .map(|(_, _, to)| to)
        .collect();
    assert!(
        recipients.iter().any(|r| r == "sandra.private@example.ch"),
        "{recipients:?}"
    );
    assert!(!recipients.iter().any(|r| r == ALPEN), "{recipients:?}");
    // Only the name: the e-mail stays.
    let (status, me) = patch_me(&app, &cookie, json!({ "name": "Sandra" })).await;
    assert_eq!(status, 200);
    assert_eq!(
        (me["name"].as_str(), me["email"].as_str()),
        (Some("Sandra"), Some("sandra.private@example.ch"))
    );
}

async fn bad_profile_changes_are_refused_field_by_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let (status, problem) = patch_me(
        &app,
        &cookie,
        json!({ "name": " ", "email": "not-an-address" }),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        field_codes(&problem),
        [
            ("name".to_owned(), "required".to_owned()),
            ("email".to_owned(), "invalid_email".to_owned())
        ]
    );
    // Somebody else's address, in any case.
    let (status, problem) = patch_me(&app, &cookie, json!({ "email": ANNA.to_uppercase() })).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        field_codes(&problem),
        [("email".to_owned(), "taken".to_owned())]
    );
    // A typo in a field's name is named, not ignored.
    let (status, problem) = patch_me(&app, &cookie, json!({ "nmae": "Sandra" })).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("nmae"), "{problem}");
    // Not signed in.
    let (status, _) = patch_me(&app, "session=nobody", json!({ "name": "X" })).await;
    assert_eq!(status, 401);
    // Nothing changed.
    assert_eq!(login_status(&app, ALPEN, PASSWORD).await, 200);
}

async fn a_password_change_ends_the_other_sessions_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let here = app.sign_in(ALPEN, PASSWORD).await;
    let elsewhere = app.sign_in(ALPEN, PASSWORD).await;
    let (mut socket, _, _) = connect(&app.base, &here, None).await;
    let (mut other_device, _, _) = connect(&app.base, &elsewhere, None).await;

    let (status, body) = change_password(&app, &here, PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, 204, "{body}");

    assert_eq!(other_device.closed_with().await, Some(SESSION_ENDED_CLOSE));
    assert_eq!(me_status(&app, &elsewhere).await, 401);
    // The tab that changed it stays signed in and live.
    assert_eq!(me_status(&app, &here).await, 200);
    let call = create_request(&app, "OWN-PASSWORD-1").await;
    let offer = socket.next().await;
    assert_eq!(offer["call_id"], call.to_string());
    // The old password is gone, the new one works.
    assert_eq!(login_status(&app, ALPEN, PASSWORD).await, 401);
    assert_eq!(login_status(&app, ALPEN, NEW_PASSWORD).await, 200);
}

async fn a_password_change_needs_the_current_password_and_a_good_new_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let (status, problem) = change_password(&app, &cookie, "wrong-guess-1", NEW_PASSWORD).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        field_codes(&problem),
        [("current_password".to_owned(), "wrong_password".to_owned())]
    );
    let (status, problem) = change_password(&app, &cookie, PASSWORD, "Sh0rt-pw").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        field_codes(&problem),
        [("new_password".to_owned(), "min_length".to_owned())]
    );
    let (status, problem) = change_password(&app, &cookie, PASSWORD, ALPEN).await;
    assert_eq!(status, 422, "{problem}");
    assert!(field_codes(&problem).contains(&("new_password".to_owned(), "not_email".to_owned())));
    // Guessing the current password is limited like signing in.
    let mut limited = None;
    for i in 0..40 {
        let (status, _) = change_password(&app, &cookie, &format!("guess-{i}"), NEW_PASSWORD).await;
        if status == 429 {
            limited = Some(i);
            break;
        }
        assert_eq!(status, 422);
    }
    assert!(
        limited.is_some(),
        "40 wrong current passwords were never limited"
    );
    // The session itself is untouched, and nothing changed.
    assert_eq!(me_status(&app, &cookie).await, 200);
}
