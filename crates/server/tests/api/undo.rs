//! Undo of a move (`POST /api/v1/calls/{id}/undo`): the call gets its date/time and
//! technician back, the move's held client and technician notifications are withdrawn so
//! nobody hears of either change, a move not undone is delivered once its hold passes,
//! and every refusal changes nothing.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use server::{
    db::calls::{self as store, Guard},
    notify::worker::deliver_due,
};
use sqlx::Row;
use uuid::Uuid;

use crate::{
    helpers::{send, spawn_app, user_id, Backend, TestApp},
    marketplace::{booking, post_booking, stored, ALPEN, PASSWORD, RHEIN},
    on_both_backends,
};
use domain::api::Role;
use server::db::{accounts, sessions};

on_both_backends!(
    undo_gives_the_call_back_and_nobody_hears_of_the_move,
    undo_of_a_move_from_the_list_makes_the_call_undated_again,
    a_move_not_undone_is_delivered_once_its_hold_passes,
    an_undo_after_some_messages_went_out_sets_the_record_straight,
    undo_refusals_change_nothing,
);

const MOVED_SLOT: &str = "2027-11-24T13:00:00Z";

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(actual, status, "{body}");
    body
}

/// A call of Alpen's, accepted and (unless `undated`) assigned to Anna with the client
/// called; returns its id and current state.
async fn alpen_call(app: &TestApp, alpen: &str, external_id: &str, undated: bool) -> (Uuid, Value) {
    let mut body = booking(external_id);
    if undated {
        body["slot"] = Value::Null;
    }
    let created: Value = post_booking(app, &body).await.json().await.unwrap();
    let id: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/v1/calls/{id}");
    let mut call = json_of(
        send(
            app,
            reqwest::Method::POST,
            &format!("{path}/accept"),
            alpen,
            None,
        )
        .await,
        200,
    )
    .await;
    if !undated {
        let anna = user_id(app, "anna.keller@alpen.example").await;
        let patch =
            json!({"version": call["version"], "technician_id": anna, "client_called": true});
        call = json_of(
            send(app, reqwest::Method::PATCH, &path, alpen, Some(patch)).await,
            200,
        )
        .await;
        assert_eq!(call["colour"], "green");
    }
    (id, call)
}

/// Moves the call to Luca at 13:00 (time and row in one PATCH, as a drop does).
async fn move_to_luca(app: &TestApp, alpen: &str, id: Uuid, version: &Value) -> Value {
    let luca = user_id(app, "luca.brunner@alpen.example").await;
    let patch = json!({
        "version": version,
        "slot": {"start": MOVED_SLOT, "end": "2027-11-24T14:00:00Z"},
        "technician_id": luca,
    });
    json_of(
        send(
            app,
            reqwest::Method::PATCH,
            &format!("/api/v1/calls/{id}"),
            alpen,
            Some(patch),
        )
        .await,
        200,
    )
    .await
}

async fn undo(app: &TestApp, cookie: &str, id: Uuid, version: &Value) -> reqwest::Response {
    send(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/calls/{id}/undo"),
        cookie,
        Some(json!({"version": version})),
    )
    .await
}

/// One outbox row, as far as holding and withdrawing goes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OutboxRow {
    id: String,
    kind: String,
    recipient: String,
    hold_key: Option<String>,
    deliver_after: i64,
    delivered: bool,
    cancelled: bool,
}

async fn rows(app: &TestApp, call: Uuid) -> Vec<OutboxRow> {
    let rows = sqlx::query(
        "SELECT id, kind, recipient, hold_key, deliver_after, delivered_at, cancelled_at FROM outbox \
         WHERE call_id = $1 ORDER BY created_at, kind, recipient",
    )
    .bind(call.to_string())
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    rows.iter()
        .map(|r| OutboxRow {
            id: r.get("id"),
            kind: r.get("kind"),
            recipient: r.get("recipient"),
            hold_key: r.get("hold_key"),
            deliver_after: r.get("deliver_after"),
            delivered: r.get::<Option<i64>, _>("delivered_at").is_some(),
            cancelled: r.get::<Option<i64>, _>("cancelled_at").is_some(),
        })
        .collect()
}

fn held_by(rows: &[OutboxRow], key: &str) -> Vec<OutboxRow> {
    rows.iter()
        .filter(|r| r.hold_key.as_deref() == Some(key))
        .cloned()
        .collect()
}

async fn board_events(app: &TestApp, call: Uuid) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM board_events WHERE call_id = $1")
        .bind(call.to_string())
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
        .get("n")
}

/// A worker round (besides the server's own background worker).
async fn worker_round(app: &TestApp) {
    deliver_due(&app.state.db, &app.state.transports)
        .await
        .unwrap();
}

async fn undo_gives_the_call_back_and_nobody_hears_of_the_move(backend: Backend) {
    // Arrange: Anna's green call at 09:00, moved to Luca at 13:00.
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, before) = alpen_call(&app, &alpen, "MKT-U1", false).await;
    let anna = user_id(&app, "anna.keller@alpen.example").await;
    let luca = user_id(&app, "luca.brunner@alpen.example").await;
    let events_before = board_events(&app, id).await;
    let moved = move_to_luca(&app, &alpen, id, &before["version"]).await;
    assert_eq!(
        moved["version"],
        before["version"].as_i64().unwrap() + 1,
        "one PATCH, one version"
    );
    assert_eq!(moved["slot"]["start"], MOVED_SLOT);
    let key = format!("{id}/v{}", moved["version"]);
    let held = held_by(&rows(&app, id).await, &key);
    let mut kinds: Vec<_> = held
        .iter()
        .map(|r| (r.kind.as_str(), r.recipient.clone()))
        .collect();
    kinds.sort();
    let mut expected = vec![
        ("assigned", luca.to_string()),
        ("schedule_changed", anna.to_string()),
        ("schedule_changed", "anna@example.ch".to_owned()),
        ("unassigned", anna.to_string()),
    ];
    expected.sort();
    assert_eq!(
        kinds, expected,
        "the client and both technicians' messages are held"
    );
    let now = Utc::now().timestamp();
    assert!(
        held.iter()
            .all(|r| r.deliver_after > now + 5 && r.deliver_after <= now + 12),
        "{held:?}"
    );
    worker_round(&app).await;
    assert!(
        held_by(&rows(&app, id).await, &key)
            .iter()
            .all(|r| !r.delivered),
        "held during the window"
    );
    let rows_before_undo = rows(&app, id).await.len();

    // Act
    let undone = json_of(undo(&app, &alpen, id, &moved["version"]).await, 200).await;

    // Assert: the call is back.
    assert_eq!(undone["slot"], before["slot"]);
    assert_eq!(undone["technician_id"], anna.to_string());
    assert_eq!(undone["colour"], "green");
    assert_eq!(undone["version"], moved["version"].as_i64().unwrap() + 1);
    let (version, doc) = stored(&app, id).await;
    assert_eq!(version, undone["version"].as_i64().unwrap());
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["slot"], before["slot"]);
    assert_eq!(doc["technician_id"], anna.to_string());
    // The move's messages are withdrawn and the undo wrote none.
    let after = rows(&app, id).await;
    assert_eq!(after.len(), rows_before_undo, "the undo enqueued nothing");
    let withdrawn = held_by(&after, &key);
    assert_eq!(withdrawn.len(), 4);
    assert!(
        withdrawn.iter().all(|r| r.cancelled && !r.delivered),
        "{withdrawn:?}"
    );
    // Even once their time has come, a worker never sends them.
    sqlx::query("UPDATE outbox SET deliver_after = 0 WHERE hold_key = $1")
        .bind(&key)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    worker_round(&app).await;
    assert!(held_by(&rows(&app, id).await, &key)
        .iter()
        .all(|r| !r.delivered));
    // The boards heard of both changes.
    assert_eq!(board_events(&app, id).await, events_before + 2);

    // Undoing again is refused: an undo is not a move.
    let again = json_of(undo(&app, &alpen, id, &undone["version"]).await, 409).await;
    assert_eq!(again["type"], "/problems/undo-unavailable");
    assert_eq!(stored(&app, id).await.0, version);
}

async fn undo_of_a_move_from_the_list_makes_the_call_undated_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, accepted) = alpen_call(&app, &alpen, "MKT-U2", true).await;
    assert_eq!(accepted["slot"], Value::Null);
    let moved = move_to_luca(&app, &alpen, id, &accepted["version"]).await;
    let key = format!("{id}/v{}", moved["version"]);
    let held = held_by(&rows(&app, id).await, &key);
    assert_eq!(
        held.len(),
        2,
        "the client's schedule and Luca's assignment: {held:?}"
    );
    let rows_before_undo = rows(&app, id).await.len();

    let undone = json_of(undo(&app, &alpen, id, &moved["version"]).await, 200).await;

    assert_eq!(undone["slot"], Value::Null);
    assert_eq!(undone["technician_id"], Value::Null);
    assert_eq!(undone["colour"], accepted["colour"]);
    let doc: Value = serde_json::from_str(&stored(&app, id).await.1).unwrap();
    assert_eq!(doc["slot"], Value::Null);
    assert_eq!(doc["technician_id"], Value::Null);
    let after = rows(&app, id).await;
    assert_eq!(after.len(), rows_before_undo);
    assert!(held_by(&after, &key)
        .iter()
        .all(|r| r.cancelled && !r.delivered));
}

async fn a_move_not_undone_is_delivered_once_its_hold_passes(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, before) = alpen_call(&app, &alpen, "MKT-U3", false).await;
    let moved = move_to_luca(&app, &alpen, id, &before["version"]).await;
    let key = format!("{id}/v{}", moved["version"]);
    worker_round(&app).await;
    assert!(held_by(&rows(&app, id).await, &key)
        .iter()
        .all(|r| !r.delivered && !r.cancelled));

    // The window passes (moved back in the database instead of waiting 10 s).
    sqlx::query("UPDATE outbox SET deliver_after = deliver_after - 11 WHERE hold_key = $1")
        .bind(&key)
        .execute(&app.state.db.pool)
        .await
        .unwrap();

    let mut delivered = Vec::new();
    for _ in 0..50 {
        worker_round(&app).await;
        delivered = held_by(&rows(&app, id).await, &key);
        if delivered.iter().all(|r| r.delivered) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(delivered.len(), 4);
    assert!(
        delivered.iter().all(|r| r.delivered && !r.cancelled),
        "{delivered:?}"
    );
}

async fn an_undo_after_some_messages_went_out_sets_the_record_straight(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (id, before) = alpen_call(&app, &alpen, "MKT-U4", false).await;
    let moved = move_to_luca(&app, &alpen, id, &before["version"]).await;
    let key = format!("{id}/v{}", moved["version"]);
    // The client's e-mail went out already (say, another instance's clock ran ahead).
    sqlx::query("UPDATE outbox SET delivered_at = 1 WHERE hold_key = $1 AND channel = 'email'")
        .bind(&key)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let ids_before_undo: Vec<String> = rows(&app, id).await.into_iter().map(|r| r.id).collect();

    json_of(undo(&app, &alpen, id, &moved["version"]).await, 200).await;

    let after = rows(&app, id).await;
    let held = held_by(&after, &key);
    assert_eq!(
        held.iter().filter(|r| r.cancelled).count(),
        3,
        "the pushes are withdrawn"
    );
    let news: Vec<_> = after
        .iter()
        .filter(|r| !ids_before_undo.contains(&r.id))
        .map(|r| (r.kind.as_str(), r.hold_key.clone()))
        .collect();
    assert!(
        news.contains(&("schedule_changed", None)),
        "the client hears the time is back: {news:?}"
    );
    assert!(
        news.iter().all(|(_, hold)| hold.is_none()),
        "an undo's messages are not held"
    );
}

/// A signed-in dispatcher of a new user at `company` (a new company when `None`, serving
/// nobody's postcodes, so it was never offered anything).
async fn other_dispatcher(app: &TestApp, company: Option<Uuid>, n: u32) -> String {
    let db = &app.state.db;
    let company = match company {
        Some(c) => c,
        None => accounts::create_company(
            db,
            &accounts::NewCompany {
                name: "Outsider",
                email: "office@outsider.example",
                time_zone: "Europe/Zurich",
                currency: "CHF",
                service_area: "9900-9999",
                skills: "plumbing",
            },
        )
        .await
        .unwrap(),
    };
    let email = format!("dispatcher{n}@undo.example");
    let user = accounts::create_user(db, company, Role::Dispatcher, "Colleague", &email, None)
        .await
        .unwrap();
    let token = sessions::new_token();
    sessions::create(db, &token, user, 3600).await.unwrap();
    format!("dispatch_session={token}")
}

/// Pretends the last change of the stored call was made `seconds` earlier.
async fn age_last_change(app: &TestApp, id: Uuid, seconds: i64) {
    let mut call = store::find(&app.state.db, id).await.unwrap().unwrap();
    let version = call.version;
    for event in call.history.iter_mut().filter(|e| e.version == version) {
        event.at -= Duration::seconds(seconds);
    }
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    assert!(store::update(&mut conn, &call, version, Guard::Version)
        .await
        .unwrap());
}

async fn undo_refusals_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let alpen_id = crate::marketplace::company_id(&app, "Alpen").await;
    let colleague = other_dispatcher(&app, Some(alpen_id), 1).await;
    let outsider = other_dispatcher(&app, None, 2).await;
    let (id, before) = alpen_call(&app, &alpen, "MKT-U5", false).await;
    let moved = move_to_luca(&app, &alpen, id, &before["version"]).await;
    let version = moved["version"].as_i64().unwrap();
    let path = format!("/api/v1/calls/{id}/undo");
    let stored_before = stored(&app, id).await;
    let key = format!("{id}/v{version}");
    let rows_before = rows(&app, id).await.len();
    let held_before = held_by(&rows(&app, id).await, &key);
    assert_eq!(held_before.len(), 4);
    // Nothing of them goes out meanwhile (the worker also runs in the background).
    let unchanged = || async {
        let now = rows(&app, id).await;
        assert_eq!(now.len(), rows_before, "nothing was enqueued");
        assert_eq!(
            held_by(&now, &key),
            held_before,
            "the held messages stay held"
        );
    };

    let raw = |body: &'static str, cookie: &str| {
        app.http
            .post(app.url(&path))
            .header("cookie", cookie)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let cases: Vec<(reqwest::Response, u16, &str)> = vec![
        (
            undo(&app, &alpen, id, &json!(version - 1)).await,
            409,
            "/problems/stale-version",
        ),
        (
            undo(&app, &colleague, id, &json!(version)).await,
            409,
            "/problems/undo-unavailable",
        ),
        (
            undo(&app, &outsider, id, &json!(version)).await,
            404,
            "/problems/not-found",
        ),
        (
            undo(&app, &rhein, id, &json!(version)).await,
            409,
            "/problems/already-accepted",
        ),
        (
            undo(&app, &alpen, Uuid::new_v4(), &json!(version)).await,
            404,
            "/problems/not-found",
        ),
        (
            raw("{\"version\": ", &alpen).await.unwrap(),
            400,
            "/problems/malformed-json",
        ),
        (
            raw("{\"version\": \"one\"}", &alpen).await.unwrap(),
            422,
            "/problems/validation",
        ),
        (
            raw("{}", &alpen).await.unwrap(),
            422,
            "/problems/validation",
        ),
    ];
    for (i, (response, status, kind)) in cases.into_iter().enumerate() {
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "case {i}"
        );
        let p = json_of(response, status).await;
        assert_eq!(p["type"], kind, "case {i}: {p}");
        if kind == "/problems/stale-version" {
            assert_eq!(p["current"]["version"], version, "{p}");
        }
    }
    assert_eq!(
        stored(&app, id).await,
        stored_before,
        "the call is unchanged"
    );
    unchanged().await;

    // Too late: the move was made 11 seconds ago.
    age_last_change(&app, id, 11).await;
    let stored_aged = stored(&app, id).await;
    let late = json_of(undo(&app, &alpen, id, &json!(version)).await, 409).await;
    assert_eq!(late["type"], "/problems/undo-unavailable");
    assert_eq!(late["current"]["version"], version);
    assert_eq!(stored(&app, id).await, stored_aged);
    unchanged().await;

    // Not a move: the last change is the agreed price.
    let priced = json_of(
        send(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v1/calls/{id}"),
            &alpen,
            Some(json!({"version": version, "agreed_price": {"amount_minor": 15000, "currency": "CHF"}})),
        )
        .await,
        200,
    )
    .await;
    let stored_priced = stored(&app, id).await;
    let not_a_move = json_of(undo(&app, &alpen, id, &priced["version"]).await, 409).await;
    assert_eq!(not_a_move["type"], "/problems/undo-unavailable");
    assert_eq!(stored(&app, id).await, stored_priced);
}
