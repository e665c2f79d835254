//! `Idempotency-Key` on the call writes: a repeat of a change that was made gets the
//! stored answer and changes nothing; another request under a used key is 422; repeats
//! racing the first make one change; keys are per company, survive a restart, and a
//! claim left by a crashed request or an expired key does not block a new request.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;
use uuid::Uuid;

use crate::{
    helpers::{spawn_app, Backend, TestApp},
    marketplace::{company_id, create_request, stored, ALPEN, PASSWORD, RHEIN},
    on_both_backends,
};

on_both_backends!(
    the_same_key_twice_is_one_change_and_the_same_answer,
    a_repeated_move_is_one_move,
    the_same_key_with_another_body_is_422_and_changes_nothing,
    concurrent_repeats_make_one_change,
    a_key_of_one_company_is_not_visible_to_another,
    keys_survive_a_server_restart,
    a_refused_request_gives_its_key_back,
    a_crashed_claim_and_an_expired_key_do_not_block,
    without_the_header_nothing_changes_and_a_bad_key_is_400,
);

/// Sends `method path` as `cookie`, with `key` as `Idempotency-Key` when given.
async fn keyed(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .http
        .request(method, app.url(path))
        .header("cookie", cookie);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// `(status, replayed?, body)` of an answer.
async fn answer(response: reqwest::Response) -> (u16, bool, Value) {
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    (status, replayed, response.json().await.unwrap())
}

/// A call Alpen accepted; returns its id and version.
async fn accepted(app: &TestApp, alpen: &str, external_id: &str) -> (Uuid, i64) {
    let id = create_request(app, external_id).await;
    let (status, _, call) = answer(
        keyed(
            app,
            Method::POST,
            &format!("/api/v1/calls/{id}/accept"),
            alpen,
            None,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{call}");
    (id, call["version"].as_i64().unwrap())
}

async fn note_count(app: &TestApp, id: Uuid) -> usize {
    let (_, doc) = stored(app, id).await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    doc["report_notes"].as_array().map_or(0, Vec::len)
}

async fn keys_of(app: &TestApp, company: Uuid) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM idempotency_keys WHERE company_id = $1")
        .bind(company.to_string())
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
        .get("n")
}

async fn the_same_key_twice_is_one_change_and_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, version) = accepted(&app, &alpen, "idem-note").await;
    let path = format!("/api/v1/calls/{id}/report");
    let key = Uuid::new_v4().to_string();
    let body = json!({"text": "Replaced the washer"});

    let first = answer(
        keyed(
            &app,
            Method::POST,
            &path,
            &alpen,
            Some(&key),
            Some(body.clone()),
        )
        .await,
    )
    .await;
    let second =
        answer(keyed(&app, Method::POST, &path, &alpen, Some(&key), Some(body)).await).await;

    assert_eq!(first.0, 200, "{}", first.2);
    assert!(!first.1, "the first answer is not a replay");
    assert_eq!(second.0, 200);
    assert!(second.1, "the repeat is marked as replayed");
    assert_eq!(first.2, second.2, "the repeat gets the very same answer");
    assert_eq!(note_count(&app, id).await, 1, "one note, not two");
    assert_eq!(stored(&app, id).await.0, version + 1, "one change");
}

async fn a_repeated_move_is_one_move(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, version) = accepted(&app, &alpen, "idem-move").await;
    let path = format!("/api/v1/calls/{id}");
    let key = Uuid::new_v4().to_string();
    let body = json!({"version": version,
        "slot": {"start": "2027-11-24T13:00:00Z", "end": "2027-11-24T14:00:00Z"}});

    let first = answer(
        keyed(
            &app,
            Method::PATCH,
            &path,
            &alpen,
            Some(&key),
            Some(body.clone()),
        )
        .await,
    )
    .await;
    // Without the key, the same body is refused as stale: the move happened once.
    let unkeyed =
        answer(keyed(&app, Method::PATCH, &path, &alpen, None, Some(body.clone())).await).await;
    let repeat =
        answer(keyed(&app, Method::PATCH, &path, &alpen, Some(&key), Some(body)).await).await;

    assert_eq!(first.0, 200, "{}", first.2);
    assert_eq!(unkeyed.0, 409);
    assert_eq!(unkeyed.2["type"], "/problems/stale-version");
    assert_eq!((repeat.0, repeat.1), (200, true));
    assert_eq!(repeat.2, first.2);
    assert_eq!(stored(&app, id).await.0, version + 1);
}

async fn the_same_key_with_another_body_is_422_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, _) = accepted(&app, &alpen, "idem-other").await;
    let path = format!("/api/v1/calls/{id}/report");
    let key = Uuid::new_v4().to_string();
    let first = keyed(
        &app,
        Method::POST,
        &path,
        &alpen,
        Some(&key),
        Some(json!({"text": "one"})),
    )
    .await;
    assert_eq!(first.status(), 200);
    let before = stored(&app, id).await;

    let other = answer(
        keyed(
            &app,
            Method::POST,
            &path,
            &alpen,
            Some(&key),
            Some(json!({"text": "two"})),
        )
        .await,
    )
    .await;
    // Another path under the same key is another request too.
    let elsewhere = answer(
        keyed(
            &app,
            Method::POST,
            &format!("/api/v1/calls/{id}/call-attempts"),
            &alpen,
            Some(&key),
            Some(json!({"outcome": "reached"})),
        )
        .await,
    )
    .await;

    for (status, _, problem) in [&other, &elsewhere] {
        assert_eq!(*status, 422, "{problem}");
        assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    }
    assert_eq!(stored(&app, id).await, before, "nothing changed");
}

async fn concurrent_repeats_make_one_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, version) = accepted(&app, &alpen, "idem-race").await;
    let path = format!("/api/v1/calls/{id}/report");
    let key = Uuid::new_v4().to_string();
    let body = json!({"text": "Sent eight times at once"});

    let answers = join_all((0..8).map(|_| async {
        answer(
            keyed(
                &app,
                Method::POST,
                &path,
                &alpen,
                Some(&key),
                Some(body.clone()),
            )
            .await,
        )
        .await
    }))
    .await;

    let ok: Vec<_> = answers.iter().filter(|a| a.0 == 200).collect();
    assert!(!ok.is_empty(), "{answers:?}");
    assert_eq!(
        ok.iter().filter(|a| !a.1).count(),
        1,
        "exactly one ran: {answers:?}"
    );
    assert!(
        ok.iter().all(|a| a.2 == ok[0].2),
        "every success is the same answer"
    );
    for (status, _, problem) in answers.iter().filter(|a| a.0 != 200) {
        assert_eq!(*status, 409, "{problem}");
        assert_eq!(problem["type"], "/problems/idempotency-key-in-use");
    }
    assert_eq!(note_count(&app, id).await, 1);
    assert_eq!(stored(&app, id).await.0, version + 1);
    // Once it is done, a repeat is the stored answer.
    let later =
        answer(keyed(&app, Method::POST, &path, &alpen, Some(&key), Some(body)).await).await;
    assert_eq!((later.0, later.1), (200, true));
}

async fn a_key_of_one_company_is_not_visible_to_another(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let (alpen_call, _) = accepted(&app, &alpen, "idem-alpen").await;
    let rhein_call = create_request(&app, "idem-rhein").await;
    let key = Uuid::new_v4().to_string();
    let note = keyed(
        &app,
        Method::POST,
        &format!("/api/v1/calls/{alpen_call}/report"),
        &alpen,
        Some(&key),
        Some(json!({"text": "Alpen's note"})),
    )
    .await;
    assert_eq!(note.status(), 200);

    // The very same request under the same key from Rhein is Rhein's own: it runs (and
    // is refused, Alpen having won the call) instead of getting Alpen's answer.
    let same = answer(
        keyed(
            &app,
            Method::POST,
            &format!("/api/v1/calls/{alpen_call}/report"),
            &rhein,
            Some(&key),
            Some(json!({"text": "Alpen's note"})),
        )
        .await,
    )
    .await;
    let own = answer(
        keyed(
            &app,
            Method::POST,
            &format!("/api/v1/calls/{rhein_call}/accept"),
            &rhein,
            Some(&key),
            None,
        )
        .await,
    )
    .await;

    assert!(!same.1, "Alpen's stored answer is not Rhein's");
    assert_ne!(
        same.0, 200,
        "Rhein cannot write on Alpen's call: {}",
        same.2
    );
    assert_eq!((own.0, own.1), (200, false), "{}", own.2);
    assert_eq!(own.2["id"], rhein_call.to_string());
    assert_eq!(note_count(&app, alpen_call).await, 1);
    assert_eq!(keys_of(&app, company_id(&app, "Alpen").await).await, 1);
    assert_eq!(keys_of(&app, company_id(&app, "Rhein").await).await, 1);
}

async fn keys_survive_a_server_restart(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, version) = accepted(&app, &alpen, "idem-restart").await;
    let path = format!("/api/v1/calls/{id}/report");
    let key = Uuid::new_v4().to_string();
    let body = json!({"text": "Before the restart"});
    let first = answer(
        keyed(
            &app,
            Method::POST,
            &path,
            &alpen,
            Some(&key),
            Some(body.clone()),
        )
        .await,
    )
    .await;
    assert_eq!(first.0, 200);

    let app = app.restart().await;
    let repeat =
        answer(keyed(&app, Method::POST, &path, &alpen, Some(&key), Some(body)).await).await;

    assert_eq!((repeat.0, repeat.1), (200, true), "{}", repeat.2);
    assert_eq!(repeat.2, first.2);
    assert_eq!(note_count(&app, id).await, 1);
    assert_eq!(stored(&app, id).await.0, version + 1);
}

async fn a_refused_request_gives_its_key_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, version) = accepted(&app, &alpen, "idem-refused").await;
    let path = format!("/api/v1/calls/{id}/report");
    let key = Uuid::new_v4().to_string();
    // A stale version is refused and changes nothing: no answer is kept for the key.
    let stale = json!({"text": "Late", "version": version - 1});
    let refused = keyed(
        &app,
        Method::POST,
        &path,
        &alpen,
        Some(&key),
        Some(stale.clone()),
    )
    .await;
    assert_eq!(refused.status(), 409);
    let company = company_id(&app, "Alpen").await;
    assert_eq!(keys_of(&app, company).await, 0, "the key was given back");

    // Sent again, it runs afresh (and is refused afresh): nothing was stored to replay.
    let again =
        answer(keyed(&app, Method::POST, &path, &alpen, Some(&key), Some(stale)).await).await;
    assert_eq!((again.0, again.1), (409, false));
    assert_eq!(note_count(&app, id).await, 0);
}

async fn a_crashed_claim_and_an_expired_key_do_not_block(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, _) = accepted(&app, &alpen, "idem-crash").await;
    let company = company_id(&app, "Alpen").await;
    let path = format!("/api/v1/calls/{id}/report");
    let now = chrono::Utc::now().timestamp();
    let body = json!({"text": "After the crash"});
    // What a server that stopped mid-request leaves: a claim without an answer whose
    // lease ran out (its change, made in the same transaction as the answer, never
    // committed). And a key from yesterday whose answer has expired.
    let crashed = Uuid::new_v4().to_string();
    let expired = Uuid::new_v4().to_string();
    for (key, hash, locked_until, status, expires_at) in [
        (&crashed, "unknown", now - 1, None, now + 3600),
        (
            &expired,
            "other-request",
            now - 90_000,
            Some(200_i64),
            now - 1,
        ),
    ] {
        sqlx::query(
            "INSERT INTO idempotency_keys (company_id, idem_key, request_hash, claim, \
             locked_until, status, body, created_at, expires_at) \
             VALUES ($1, $2, $3, 'gone', $4, $5, '{}', $6, $7)",
        )
        .bind(company.to_string())
        .bind(key)
        .bind(hash)
        .bind(locked_until)
        .bind(status)
        .bind(now - 100_000)
        .bind(expires_at)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    }
    // The crashed claim's hash is not this request's: it must be refused as another
    // request, not taken over. Rewrite it to this request's hash via a first attempt
    // under a new key and copy that hash over.
    let probe = Uuid::new_v4().to_string();
    let probed = keyed(
        &app,
        Method::POST,
        &path,
        &alpen,
        Some(&probe),
        Some(body.clone()),
    )
    .await;
    assert_eq!(probed.status(), 200);
    sqlx::query(
        "UPDATE idempotency_keys SET request_hash = \
         (SELECT request_hash FROM idempotency_keys WHERE company_id = $1 AND idem_key = $2) \
         WHERE company_id = $1 AND idem_key = $3",
    )
    .bind(company.to_string())
    .bind(&probe)
    .bind(&crashed)
    .execute(&app.state.db.pool)
    .await
    .unwrap();

    let taken_over = answer(
        keyed(
            &app,
            Method::POST,
            &path,
            &alpen,
            Some(&crashed),
            Some(body.clone()),
        )
        .await,
    )
    .await;
    let fresh = answer(
        keyed(
            &app,
            Method::POST,
            &path,
            &alpen,
            Some(&expired),
            Some(body),
        )
        .await,
    )
    .await;

    assert_eq!(
        (taken_over.0, taken_over.1),
        (200, false),
        "{}",
        taken_over.2
    );
    assert_eq!(
        (fresh.0, fresh.1),
        (200, false),
        "the expired key was purged: {}",
        fresh.2
    );
    assert_eq!(note_count(&app, id).await, 3);
    let left: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM idempotency_keys WHERE expires_at <= $1")
            .bind(now)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
            .get("n");
    assert_eq!(left, 0, "expired keys are purged");
}

async fn without_the_header_nothing_changes_and_a_bad_key_is_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, _) = accepted(&app, &alpen, "idem-plain").await;
    let path = format!("/api/v1/calls/{id}/report");
    for _ in 0..2 {
        let plain = keyed(
            &app,
            Method::POST,
            &path,
            &alpen,
            None,
            Some(json!({"text": "x"})),
        )
        .await;
        assert_eq!(plain.status(), 200);
        assert!(plain.headers().get("idempotent-replayed").is_none());
    }
    assert_eq!(
        note_count(&app, id).await,
        2,
        "without a key, two posts are two notes"
    );

    let long = "k".repeat(256);
    let bad = answer(
        keyed(
            &app,
            Method::POST,
            &path,
            &alpen,
            Some(&long),
            Some(json!({"text": "y"})),
        )
        .await,
    )
    .await;

    assert_eq!(bad.0, 400);
    assert_eq!(bad.2["type"], "/problems/invalid-idempotency-key");
    assert_eq!(note_count(&app, id).await, 2);
    assert_eq!(keys_of(&app, company_id(&app, "Alpen").await).await, 0);
}
