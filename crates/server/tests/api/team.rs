//! The team: invitation links (single use, expiry, replacement), activation, the
//! verification state, photo uploads (sniffed, size- and pixel-limited, served with cache
//! headers), tenancy, what a technician may see, dispatchers and the company profile.

use crate::{
    helpers::{spawn_app, Backend, TestApp},
    on_both_backends,
};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use serde_json::{json, Value};

const ALPEN: &str = "dispatcher@alpen.example";
const RHEIN: &str = "dispatcher@rhein.example";
const PASSWORD: &str = "demo1234";
const GOOD_PASSWORD: &str = "Correct-Horse-7";

on_both_backends!(
    an_invitation_link_works_once_and_signs_the_technician_in,
    an_expired_invitation_link_is_refused,
    resending_an_invitation_revokes_the_previous_link,
    activation_enforces_the_password_rules,
    verification_follows_password_photo_and_skills,
    uploads_reject_renamed_text_oversized_files_and_decompression_bombs,
    photos_are_stored_as_square_thumbnails_with_cache_headers,
    another_companys_technicians_are_404_on_every_route,
    a_technician_sees_only_their_own_profile,
    invitations_validate_fields_and_refuse_a_taken_email,
    the_last_dispatcher_cannot_be_removed,
    the_company_profile_validates_zone_currency_area_and_skills,
    deactivation_is_refused_while_open_calls_are_assigned_unless_they_are_unassigned,
);

// ------------------------------------------------------------------ helpers

pub(crate) async fn send(app: &TestApp, req: reqwest::RequestBuilder) -> (u16, Value) {
    let _ = app;
    let response = req.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn invite(app: &TestApp, cookie: &str, name: &str, email: &str, skills: &[&str]) -> Value {
    let (status, body) = send(
        app,
        app.http
            .post(app.url("/api/v1/technicians"))
            .header("cookie", cookie)
            .json(&json!({ "name": name, "email": email, "phone": "+41 79 000 00 00", "skills": skills })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// The newest invitation link sent to `email`, read from the demo-mode outbox view.
pub(crate) async fn invitation_token(app: &TestApp, cookie: &str, email: &str) -> String {
    let (status, outbox) = send(
        app,
        app.http
            .get(app.url("/api/v1/dev/outbox"))
            .header("cookie", cookie),
    )
    .await;
    assert_eq!(status, 200, "{outbox}");
    let body = outbox
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["recipient"] == email && m["kind"] == "invitation")
        .unwrap_or_else(|| panic!("no invitation to {email} in {outbox}"))["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/activate/"))
        .expect("a link in the mail");
    assert!(link.starts_with("http://localhost/activate/"), "{link}");
    link.rsplit('/').next().unwrap().to_owned()
}

pub(crate) async fn activate(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/auth/activate"))
        .json(&json!({ "token": token, "password": password }))
        .send()
        .await
        .unwrap()
}

pub(crate) fn cookie_of(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// A technician of Alpen who has activated: (id, their session cookie, dispatcher cookie).
async fn activated_technician(app: &TestApp, email: &str) -> (String, String, String) {
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let tech = invite(app, &dispatcher, "Eva Test", email, &[]).await;
    let token = invitation_token(app, &dispatcher, email).await;
    let response = activate(app, &token, GOOD_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = cookie_of(&response);
    (tech["id"].as_str().unwrap().to_owned(), cookie, dispatcher)
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A valid-looking PNG of a few dozen bytes that declares 50000×50000 pixels.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = 50_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&50_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

async fn upload(
    app: &TestApp,
    cookie: &str,
    path: &str,
    bytes: Vec<u8>,
    mime: &str,
) -> (u16, Value) {
    send(
        app,
        app.http
            .put(app.url(path))
            .header("cookie", cookie)
            .header(CONTENT_TYPE, mime)
            .body(bytes),
    )
    .await
}

// ------------------------------------------------------------------ tests

async fn an_invitation_link_works_once_and_signs_the_technician_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let tech = invite(
        &app,
        &dispatcher,
        "Eva Test",
        "Eva.Test@alpen.example",
        &["plumbing"],
    )
    .await;
    assert_eq!(tech["verified"], false);
    assert_eq!(tech["missing"], json!(["password_not_set", "no_photo"]));
    let token = invitation_token(&app, &dispatcher, "eva.test@alpen.example").await;

    let first = activate(&app, &token, GOOD_PASSWORD).await;

    assert_eq!(first.status(), 200);
    let cookie = cookie_of(&first);
    let me: Value = first.json().await.unwrap();
    assert_eq!(me["role"], "technician");
    assert_eq!(me["email"], "eva.test@alpen.example");
    let (status, profile) = send(
        &app,
        app.http
            .get(app.url("/api/v1/me/profile"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(profile["technician"]["missing"], json!(["no_photo"]));

    let second = activate(&app, &token, "Another-Pass-9").await;
    assert_eq!(second.status(), 410);
    let problem: Value = second.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/invitation-invalid");
    // The first password still holds; the second attempt changed nothing.
    app.sign_in("eva.test@alpen.example", GOOD_PASSWORD).await;
}

async fn an_expired_invitation_link_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    invite(&app, &dispatcher, "Old Link", "old.link@alpen.example", &[]).await;
    let token = invitation_token(&app, &dispatcher, "old.link@alpen.example").await;
    // Seven days and a second later.
    sqlx::query("UPDATE invitations SET expires_at = $1")
        .bind(chrono::Utc::now().timestamp() - 1)
        .execute(&app.state.db.pool)
        .await
        .unwrap();

    let response = activate(&app, &token, GOOD_PASSWORD).await;

    assert_eq!(response.status(), 410);
    let (_, list) = send(
        &app,
        app.http
            .get(app.url("/api/v1/technicians"))
            .header("cookie", &dispatcher),
    )
    .await;
    let tech = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["email"] == "old.link@alpen.example")
        .unwrap();
    assert!(tech["missing"]
        .as_array()
        .unwrap()
        .contains(&json!("password_not_set")));
}

async fn resending_an_invitation_revokes_the_previous_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let tech = invite(&app, &dispatcher, "Resent", "resent@alpen.example", &[]).await;
    let old = invitation_token(&app, &dispatcher, "resent@alpen.example").await;

    let (status, _) = send(
        &app,
        app.http
            .post(app.url(&format!(
                "/api/v1/technicians/{}/invitation",
                tech["id"].as_str().unwrap()
            )))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(status, 204);
    let rows = sqlx::query("SELECT token_hash FROM invitations WHERE revoked_at IS NULL")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);

    assert_eq!(activate(&app, &old, GOOD_PASSWORD).await.status(), 410);
    let outbox: Value = app
        .http
        .get(app.url("/api/v1/dev/outbox"))
        .header("cookie", &dispatcher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tokens: Vec<String> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["recipient"] == "resent@alpen.example")
        .map(|m| {
            m["body"]
                .as_str()
                .unwrap()
                .split("/activate/")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(tokens.len(), 2);
    let new = tokens.into_iter().find(|t| *t != old).unwrap();
    assert_eq!(activate(&app, &new, GOOD_PASSWORD).await.status(), 200);

    // Once activated there is nothing to resend.
    let (status, problem) = send(
        &app,
        app.http
            .post(app.url(&format!(
                "/api/v1/technicians/{}/invitation",
                tech["id"].as_str().unwrap()
            )))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(problem["type"], "/problems/already-activated");
}

async fn activation_enforces_the_password_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    invite(&app, &dispatcher, "Rules", "rules@alpen.example", &[]).await;
    let token = invitation_token(&app, &dispatcher, "rules@alpen.example").await;

    for (password, code) in [
        ("Short-1", "min_length"),
        ("alllowercaseletters", "variety"),
        ("rules@alpen.example", "not_email"),
    ] {
        let response = activate(&app, &token, password).await;
        assert_eq!(response.status(), 422, "{password}");
        assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
        let problem: Value = response.json().await.unwrap();
        let codes: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&code), "{password}: {problem}");
        assert!(problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["field"] == "password"));
    }
    // A refused password does not use up the link.
    assert_eq!(activate(&app, &token, GOOD_PASSWORD).await.status(), 200);
}

async fn verification_follows_password_photo_and_skills(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, technician, dispatcher) = activated_technician(&app, "verify@alpen.example").await;
    let state = |app: &TestApp, dispatcher: String, id: String| {
        let request = app
            .http
            .get(app.url(&format!("/api/v1/technicians/{id}")))
            .header("cookie", dispatcher);
        async move {
            let t: Value = request.send().await.unwrap().json().await.unwrap();
            (t["verified"].clone(), t["missing"].clone())
        }
    };
    assert_eq!(
        state(&app, dispatcher.clone(), id.clone()).await,
        (json!(false), json!(["no_photo", "no_skill"]))
    );

    let (status, _) = upload(
        &app,
        &technician,
        "/api/v1/me/photo",
        png(400, 300),
        "image/png",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        state(&app, dispatcher.clone(), id.clone()).await,
        (json!(false), json!(["no_skill"]))
    );

    let (status, profile) = send(
        &app,
        app.http
            .put(app.url("/api/v1/me/skills"))
            .header("cookie", &technician)
            .json(&json!({ "skills": ["electrics"] })),
    )
    .await;
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["technician"]["verified"], true);
    assert_eq!(
        state(&app, dispatcher.clone(), id.clone()).await,
        (json!(true), json!([]))
    );

    // technician_facts (used for assigning) gives the domain the same facts.
    let tech_id = uuid::Uuid::parse_str(&id).unwrap();
    let company: String = sqlx::Row::get(
        &sqlx::query("SELECT company_id FROM users WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap(),
        "company_id",
    );
    let company = uuid::Uuid::parse_str(&company).unwrap();
    let (facts, active) = server::db::team::technician_facts(&app.state.db, company, tech_id)
        .await
        .unwrap()
        .unwrap();
    assert!(active);
    assert!(facts.verification().verified);
    let other = server::db::team::technician_facts(&app.state.db, uuid::Uuid::nil(), tech_id)
        .await
        .unwrap();
    assert!(other.is_none(), "scoped by company");

    // Taking every skill away makes the technician unverified again.
    let (status, _) = send(
        &app,
        app.http
            .patch(app.url(&format!("/api/v1/technicians/{id}")))
            .header("cookie", &dispatcher)
            .json(&json!({ "skills": [] })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        state(&app, dispatcher.clone(), id.clone()).await,
        (json!(false), json!(["no_skill"]))
    );
}

async fn uploads_reject_renamed_text_oversized_files_and_decompression_bombs(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, technician, dispatcher) = activated_technician(&app, "uploads@alpen.example").await;
    let path = format!("/api/v1/technicians/{id}/photo");

    // A text file called photo.jpg, sent as image/jpeg.
    let (status, problem) = upload(
        &app,
        &dispatcher,
        &path,
        b"just some text, honestly".to_vec(),
        "image/jpeg",
    )
    .await;
    assert_eq!(status, 415, "{problem}");
    assert_eq!(problem["type"], "/problems/unsupported-image");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("JPEG, PNG or WebP"));

    let mut big = png(16, 16);
    big.resize(6 * 1024 * 1024, 0);
    let (status, problem) = upload(&app, &technician, "/api/v1/me/photo", big, "image/png").await;
    assert_eq!(status, 413, "{problem}");
    assert_eq!(problem["type"], "/problems/payload-too-large");

    let bomb = png_bomb();
    assert!(bomb.len() < 100);
    let (status, problem) = upload(&app, &dispatcher, &path, bomb, "image/png").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["type"], "/problems/image-dimensions");
    assert!(problem["detail"].as_str().unwrap().contains("50000"));

    // Nothing was stored by any of them.
    let (_, tech) = send(
        &app,
        app.http
            .get(app.url(&format!("/api/v1/technicians/{id}")))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(tech["photo_url"], Value::Null);
    assert!(tech["missing"]
        .as_array()
        .unwrap()
        .contains(&json!("no_photo")));
}

async fn photos_are_stored_as_square_thumbnails_with_cache_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, technician, dispatcher) = activated_technician(&app, "photo@alpen.example").await;

    let (status, tech) = upload(
        &app,
        &dispatcher,
        &format!("/api/v1/technicians/{id}/photo"),
        png(640, 480),
        "application/octet-stream",
    )
    .await;
    assert_eq!(status, 200, "{tech}");
    let url = tech["photo_url"].as_str().unwrap().to_owned();

    let response = app
        .http
        .get(app.url(&url))
        .header("cookie", &dispatcher)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "image/jpeg");
    assert!(response.headers()[CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let etag = response.headers()[ETAG].to_str().unwrap().to_owned();
    let bytes = response.bytes().await.unwrap();
    // The bytes went through the database (BLOB / BYTEA) unchanged and are a new image.
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (256, 256));

    let again = app
        .http
        .get(app.url(&url))
        .header("cookie", &dispatcher)
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // The technician may see their own photo.
    let own = app
        .http
        .get(app.url(&url))
        .header("cookie", &technician)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    // A demo technician with a photo marker but no stored picture gets a placeholder.
    let (_, list) = send(
        &app,
        app.http
            .get(app.url("/api/v1/technicians"))
            .header("cookie", &dispatcher),
    )
    .await;
    let anna = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Anna Keller")
        .unwrap();
    let placeholder = app
        .http
        .get(app.url(anna["photo_url"].as_str().unwrap()))
        .header("cookie", &dispatcher)
        .send()
        .await
        .unwrap();
    assert_eq!(placeholder.status(), 200);
    assert_eq!(placeholder.headers()[CONTENT_TYPE], "image/svg+xml");
}

async fn another_companys_technicians_are_404_on_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let (_, list) = send(
        &app,
        app.http
            .get(app.url("/api/v1/technicians"))
            .header("cookie", &alpen),
    )
    .await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Anna Keller") && !names.contains(&"Lena Schmidt"),
        "{names:?}"
    );
    let anna = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Nina Frei")
        .unwrap();
    let id = anna["id"].as_str().unwrap();

    let requests = [
        app.http.get(app.url(&format!("/api/v1/technicians/{id}"))),
        app.http
            .patch(app.url(&format!("/api/v1/technicians/{id}")))
            .json(&json!({ "name": "Stolen" })),
        app.http
            .post(app.url(&format!("/api/v1/technicians/{id}/invitation"))),
        app.http
            .post(app.url(&format!("/api/v1/technicians/{id}/deactivate")))
            .json(&json!({})),
        app.http
            .get(app.url(&format!("/api/v1/technicians/{id}/photo"))),
        app.http
            .put(app.url(&format!("/api/v1/technicians/{id}/photo")))
            .body(png(10, 10)),
    ];
    for request in requests {
        let (status, problem) = send(&app, request.header("cookie", &rhein)).await;
        assert_eq!(status, 404, "{problem}");
        assert_eq!(problem["type"], "/problems/not-found");
    }
    let (_, nina) = send(
        &app,
        app.http
            .get(app.url(&format!("/api/v1/technicians/{id}")))
            .header("cookie", &alpen),
    )
    .await;
    assert_eq!(nina["name"], "Nina Frei");
    assert_eq!(nina["active"], true);

    // Dispatchers of the other company are equally out of reach.
    let (_, dispatchers) = send(
        &app,
        app.http
            .get(app.url("/api/v1/dispatchers"))
            .header("cookie", &alpen),
    )
    .await;
    let sandra = dispatchers[0]["id"].as_str().unwrap();
    let (status, _) = send(
        &app,
        app.http
            .delete(app.url(&format!("/api/v1/dispatchers/{sandra}")))
            .header("cookie", &rhein),
    )
    .await;
    assert_eq!(status, 404);
}

async fn a_technician_sees_only_their_own_profile(backend: Backend) {
    let app = spawn_app(backend).await;
    let (own_id, technician, dispatcher) = activated_technician(&app, "own@alpen.example").await;
    let (_, list) = send(
        &app,
        app.http
            .get(app.url("/api/v1/technicians"))
            .header("cookie", &dispatcher),
    )
    .await;
    let other = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Anna Keller")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for (request, expected) in [
        (app.http.get(app.url("/api/v1/technicians")), 403),
        (
            app.http
                .get(app.url(&format!("/api/v1/technicians/{other}"))),
            403,
        ),
        (
            app.http
                .get(app.url(&format!("/api/v1/technicians/{own_id}"))),
            403,
        ),
        (
            app.http
                .get(app.url(&format!("/api/v1/technicians/{other}/photo"))),
            404,
        ),
        (
            app.http
                .patch(app.url(&format!("/api/v1/technicians/{other}")))
                .json(&json!({ "skills": [] })),
            403,
        ),
        (app.http.get(app.url("/api/v1/dispatchers")), 403),
        (app.http.get(app.url("/api/v1/company")), 403),
        (app.http.get(app.url("/api/v1/dev/outbox")), 403),
    ] {
        let (status, problem) = send(&app, request.header("cookie", &technician)).await;
        assert_eq!(status, expected, "{problem}");
    }

    let (status, profile) = send(
        &app,
        app.http
            .get(app.url("/api/v1/me/profile"))
            .header("cookie", &technician),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(profile["technician"]["id"], own_id.as_str());
    assert_eq!(profile["offered_skills"], json!(["plumbing", "electrics"]));
    // Only the company's offered skills can be chosen.
    let (status, problem) = send(
        &app,
        app.http
            .put(app.url("/api/v1/me/skills"))
            .header("cookie", &technician)
            .json(&json!({ "skills": ["plumbing", "juggling"] })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "skills[1]");
    // A dispatcher has no technician profile.
    let (status, _) = send(
        &app,
        app.http
            .get(app.url("/api/v1/me/profile"))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(status, 403);
}

async fn invitations_validate_fields_and_refuse_a_taken_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;

    let (status, problem) = send(
        &app,
        app.http
            .post(app.url("/api/v1/technicians"))
            .header("cookie", &dispatcher)
            .json(&json!({ "name": "", "email": "not-an-email", "phone": "call me", "skills": ["heating"] })),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "email", "phone", "skills[0]"]);

    // Another company's person's address is taken as well (e-mails sign in).
    let (status, problem) = send(
        &app,
        app.http
            .post(app.url("/api/v1/technicians"))
            .header("cookie", &dispatcher)
            .json(&json!({ "name": "Copy", "email": "LENA.schmidt@rhein.example" })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "email");
    assert_eq!(problem["errors"][0]["code"], "taken");

    // Nothing was created and nothing was sent.
    let (_, outbox) = send(
        &app,
        app.http
            .get(app.url("/api/v1/dev/outbox"))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "invitation")
            .count(),
        0
    );
}

async fn the_last_dispatcher_cannot_be_removed(backend: Backend) {
    let app = spawn_app(backend).await;
    let sandra = app.sign_in(ALPEN, PASSWORD).await;
    let (_, list) = send(
        &app,
        app.http
            .get(app.url("/api/v1/dispatchers"))
            .header("cookie", &sandra),
    )
    .await;
    let sandra_id = list[0]["id"].as_str().unwrap().to_owned();

    let (status, problem) = send(
        &app,
        app.http
            .delete(app.url(&format!("/api/v1/dispatchers/{sandra_id}")))
            .header("cookie", &sandra),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(problem["type"], "/problems/last-dispatcher");

    // An invited dispatcher who has not set a password does not count as a second one.
    let (status, invited) = send(
        &app,
        app.http
            .post(app.url("/api/v1/dispatchers"))
            .header("cookie", &sandra)
            .json(&json!({ "name": "Kurt Second", "email": "kurt@alpen.example" })),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    let (status, _) = send(
        &app,
        app.http
            .delete(app.url(&format!("/api/v1/dispatchers/{sandra_id}")))
            .header("cookie", &sandra),
    )
    .await;
    assert_eq!(status, 409);

    let token = invitation_token(&app, &sandra, "kurt@alpen.example").await;
    let response = activate(&app, &token, GOOD_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let kurt = cookie_of(&response);
    let (status, _) = send(
        &app,
        app.http
            .delete(app.url(&format!("/api/v1/dispatchers/{sandra_id}")))
            .header("cookie", &kurt),
    )
    .await;
    assert_eq!(status, 204);
    // Sandra's session ended with her removal; Kurt is now the last one.
    let (status, _) = send(
        &app,
        app.http
            .get(app.url("/api/v1/auth/me"))
            .header("cookie", &sandra),
    )
    .await;
    assert_eq!(status, 401);
    let kurt_id = invited["id"].as_str().unwrap();
    let (status, _) = send(
        &app,
        app.http
            .delete(app.url(&format!("/api/v1/dispatchers/{kurt_id}")))
            .header("cookie", &kurt),
    )
    .await;
    assert_eq!(status, 409);
}

async fn the_company_profile_validates_zone_currency_area_and_skills(backend: Backend) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;

    let (status, problem) = send(
        &app,
        app.http
            .patch(app.url("/api/v1/company"))
            .header("cookie", &dispatcher)
            .json(&json!({ "time_zone": "Mars/Olympus", "currency": "USD", "service_area": ["8099-8000"], "skills": ["juggling"] })),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["time_zone", "currency", "service_area[0]", "skills[0]"]
    );

    let (status, company) = send(
        &app,
        app.http
            .patch(app.url("/api/v1/company"))
            .header("cookie", &dispatcher)
            .json(&json!({ "email": "billing@alpen.example", "time_zone": "Europe/Vienna", "service_area": ["8000-8099", "3000"], "skills": ["plumbing", "heating"] })),
    )
    .await;
    assert_eq!(status, 200, "{company}");
    let (_, again) = send(
        &app,
        app.http
            .get(app.url("/api/v1/company"))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(again, company);
    assert_eq!(again["email"], "billing@alpen.example");
    assert_eq!(again["time_zone"], "Europe/Vienna");
    assert_eq!(again["currency"], "CHF");
    assert_eq!(again["service_area"], json!(["8000-8099", "3000"]));
    assert_eq!(again["skills"], json!(["plumbing", "heating"]));
}

async fn deactivation_is_refused_while_open_calls_are_assigned_unless_they_are_unassigned(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let (_, list) = send(
        &app,
        app.http
            .get(app.url("/api/v1/technicians"))
            .header("cookie", &dispatcher),
    )
    .await;
    let anna = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Anna Keller")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(list[0]["calls_this_week"], 0);
    let call = crate::marketplace::create_request(&app, "MKT-TEAM-1").await;
    let (status, accepted) = send(
        &app,
        app.http
            .post(app.url(&format!("/api/v1/calls/{call}/accept")))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(status, 200, "{accepted}");
    let (status, assigned) = send(
        &app,
        app.http
            .patch(app.url(&format!("/api/v1/calls/{call}")))
            .header("cookie", &dispatcher)
            .json(&json!({
                "version": accepted["version"],
                "technician_id": anna,
                "slot": {"start": "2027-03-04T09:00:00Z", "end": "2027-03-04T10:00:00Z"},
            })),
    )
    .await;
    assert_eq!(status, 200, "{assigned}");
    let deactivate = |body: Value| {
        app.http
            .post(app.url(&format!("/api/v1/technicians/{anna}/deactivate")))
            .header("cookie", &dispatcher)
            .json(&body)
    };

    let (status, problem) = send(&app, deactivate(json!({}))).await;

    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["type"], "/problems/technician-has-open-calls");
    let open = problem["current"]["open_calls"].as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["id"], call.to_string());
    assert!(
        open[0]["label"]
            .as_str()
            .unwrap()
            .contains("2027-03-04 10:00"),
        "{problem}"
    );
    let (_, still) = send(
        &app,
        app.http
            .get(app.url(&format!("/api/v1/technicians/{anna}")))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(still["active"], true);

    let (status, done) = send(&app, deactivate(json!({ "unassign_open_calls": true }))).await;

    assert_eq!(status, 200, "{done}");
    assert_eq!(done["active"], false);
    let (_, call_now) = send(
        &app,
        app.http
            .get(app.url(&format!("/api/v1/calls/{call}")))
            .header("cookie", &dispatcher),
    )
    .await;
    assert_eq!(call_now["technician_id"], Value::Null, "{call_now}");
    // A deactivated technician cannot sign in.
    let response = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": "anna.keller@alpen.example", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
