//! The board API: first accept wins under concurrency (also across server instances and
//! processes sharing PostgreSQL), tenancy, versioned changes with specific problems for
//! bad input, the board window, notifications of changes, and the demo calls.

use std::{sync::Arc, time::Duration};

use crate::{
    helpers::{company_with_dispatcher, send, spawn_app, user_id, Backend, TestApp},
    marketplace::{
        booking, company_id, create_request, outbox, post_booking, stored, ALPEN, PASSWORD, RHEIN,
    },
    on_both_backends,
};
use domain::api::Role;
use serde_json::{json, Value};
use server::db::{accounts, sessions};
use sqlx::Row;
use uuid::Uuid;

on_both_backends!(
    fifty_companies_race_one_accept_wins,
    ten_companies_race_with_five_accepts_each_one_company_wins,
    another_companys_call_is_404_for_get_patch_and_every_post,
    a_taken_request_shows_as_taken_to_the_loser,
    patch_bad_input_gets_specific_problems_and_changes_nothing,
    patch_sets_slot_technician_and_call_and_notifies,
    board_lists_offers_and_calls_in_the_window_plus_undated,
    board_window_is_validated,
    demo_calls_seed_every_colour_for_both_companies,
    every_call_on_the_board_is_its_single_read,
    a_kept_board_shows_every_change_made_since,
    a_kept_board_brought_up_to_date_is_the_board_read_afresh,
    history_lists_every_change_newest_first_for_the_winner_only,
    a_new_date_in_the_past_is_refused_and_changes_nothing,
);

/// Sends all accepts at once (each to `bases[i % len]`) and returns `(status, type,
/// cookie index)` per accept.
async fn race(bases: &[String], call: Uuid, cookies: &[String]) -> Vec<(u16, String, usize)> {
    let http = crate::helpers::http_client();
    let barrier = Arc::new(tokio::sync::Barrier::new(cookies.len()));
    let tasks: Vec<_> = cookies
        .iter()
        .enumerate()
        .map(|(i, cookie)| {
            let url = format!("{}/api/v1/calls/{call}/accept", bases[i % bases.len()]);
            let (http, barrier, cookie) = (http.clone(), barrier.clone(), cookie.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let response = http
                    .post(url)
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap();
                let kind = body["type"].as_str().unwrap_or("").to_owned();
                (status, kind, i)
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

async fn winner_in_db(app: &TestApp, call: Uuid) -> (Option<String>, i64, i64) {
    let row = sqlx::query("SELECT accepted_by FROM calls WHERE id = $1")
        .bind(call.to_string())
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let won: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM call_offers WHERE call_id = $1 AND state = 'won'")
            .bind(call.to_string())
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
            .get("n");
    let client_mails = outbox(app, call)
        .await
        .iter()
        .filter(|(_, kind, to)| kind == "request_accepted" && to == "anna@example.ch")
        .count();
    (
        row.get("accepted_by"),
        won,
        i64::try_from(client_mails).unwrap(),
    )
}

/// Exactly one 200; every other accept 409 `already-accepted`; one winner stored, one
/// client e-mail.
async fn assert_one_winner(
    app: &TestApp,
    call: Uuid,
    companies: &[Uuid],
    results: &[(u16, String, usize)],
) {
    let winners: Vec<_> = results.iter().filter(|r| r.0 == 200).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let losers = results
        .iter()
        .filter(|r| r.0 == 409 && r.1 == "/problems/already-accepted")
        .count();
    assert_eq!(losers, results.len() - 1, "{results:?}");
    let (accepted_by, won, client_mails) = winner_in_db(app, call).await;
    assert_eq!(accepted_by, Some(companies[winners[0].2].to_string()));
    assert_eq!((won, client_mails), (1, 1));
}

async fn fifty_companies_race_one_accept_wins(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut companies = Vec::new();
    let mut cookies = Vec::new();
    for n in 0..50 {
        let (company, cookie) =
            company_with_dispatcher(&app, &format!("Racer {n}"), "8000-8099").await;
        companies.push(company);
        cookies.push(cookie);
    }
    let call = create_request(&app, "MKT-RACE-50").await;

    let results = race(std::slice::from_ref(&app.base), call, &cookies).await;

    assert_one_winner(&app, call, &companies, &results).await;
}

async fn ten_companies_race_with_five_accepts_each_one_company_wins(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut companies = Vec::new();
    let mut cookies = Vec::new();
    for n in 0..10 {
        let (company, cookie) =
            company_with_dispatcher(&app, &format!("Racer {n}"), "8000-8099").await;
        for _ in 0..5 {
            companies.push(company);
            cookies.push(cookie.clone());
        }
    }
    let call = create_request(&app, "MKT-RACE-10").await;

    let results = race(std::slice::from_ref(&app.base), call, &cookies).await;

    // Accepting is idempotent for the winner: all five of its accepts answer 200.
    let winner = companies[results.iter().find(|r| r.0 == 200).unwrap().2];
    for (status, kind, i) in &results {
        if companies[*i] == winner {
            assert_eq!(*status, 200, "{results:?}");
        } else {
            assert_eq!(
                (*status, kind.as_str()),
                (409, "/problems/already-accepted")
            );
        }
    }
    let (accepted_by, won, client_mails) = winner_in_db(&app, call).await;
    assert_eq!(accepted_by, Some(winner.to_string()));
    assert_eq!((won, client_mails), (1, 1));
    assert_eq!(
        stored(&app, call).await.0,
        3,
        "offer, one accept: nothing else written"
    );
}

/// A second in-process instance on the same database, with its own pool.
async fn second_instance(app: &TestApp) -> (String, tokio::sync::oneshot::Sender<()>) {
    let mut config = server::config::Config::for_tests(app.state.config.database_url.clone());
    config.dist_dir = app.state.config.dist_dir.clone();
    let state = server::prepare(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::serve(state, listener, async move {
        let _ = rx.await;
    }));
    (base, tx)
}

/// The real `dispatch-server` binary as another process on the same database.
struct ServerProcess {
    child: std::process::Child,
    base: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn server_process(app: &TestApp) -> ServerProcess {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_dispatch-server"))
        .env("DATABASE_URL", &app.state.config.database_url)
        .env("PORT", port.to_string())
        .env("DIST_DIR", &app.state.config.dist_dir)
        .env("DEMO_MODE", "0")
        .env("DEMO_TRAFFIC", "0")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start dispatch-server");
    let process = ServerProcess {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("{}/healthz", process.base)).send().await {
            if r.status() == 200 {
                return process;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("dispatch-server did not become healthy");
}

/// The accept race across three servers sharing one PostgreSQL: this test's instance, a
/// second in-process instance with its own pool, and the real binary in its own process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_race_across_instances_and_processes_on_one_postgres() {
    let app = spawn_app(Backend::Postgres).await;
    let (second, _stop_second) = second_instance(&app).await;
    let process = server_process(&app).await;
    let mut companies = Vec::new();
    let mut cookies = Vec::new();
    for n in 0..50 {
        let (company, cookie) =
            company_with_dispatcher(&app, &format!("Racer {n}"), "8000-8099").await;
        companies.push(company);
        cookies.push(cookie);
    }

    for round in 0..3 {
        let call = create_request(&app, &format!("MKT-MULTI-{round}")).await;
        let bases = [app.base.clone(), second.clone(), process.base.clone()];

        let results = race(&bases, call, &cookies).await;

        assert_one_winner(&app, call, &companies, &results).await;
    }
}

async fn another_companys_call_is_404_for_get_patch_and_every_post(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (_, outsider) = {
        let db = &app.state.db;
        let company = accounts::create_company(
            db,
            &accounts::NewCompany {
                name: "Bern Haustechnik",
                email: "office@bern.example",
                time_zone: "Europe/Zurich",
                currency: "CHF",
                service_area: "3000-3099",
                skills: "plumbing",
            },
        )
        .await
        .unwrap();
        let user = accounts::create_user(
            db,
            company,
            Role::Dispatcher,
            "Bea",
            "bea@bern.example",
            None,
        )
        .await
        .unwrap();
        let token = sessions::new_token();
        sessions::create(db, &token, user, 3600).await.unwrap();
        (company, format!("dispatch_session={token}"))
    };
    let offered = create_request(&app, "MKT-T1").await;
    let won = create_request(&app, "MKT-T2").await;
    assert_eq!(
        send(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/calls/{won}/accept"),
            &alpen,
            None
        )
        .await
        .status(),
        200
    );
    let before = (stored(&app, offered).await, stored(&app, won).await);

    for call in [offered, won] {
        let version = stored(&app, call).await.0;
        let requests = [
            (reqwest::Method::GET, format!("/api/v1/calls/{call}"), None),
            (
                reqwest::Method::PATCH,
                format!("/api/v1/calls/{call}"),
                Some(json!({"version": version, "client_called": true})),
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/calls/{call}/accept"),
                None,
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/calls/{call}/decline"),
                None,
            ),
        ];
        for (method, path, body) in requests {
            let response = send(&app, method.clone(), &path, &outsider, body).await;
            assert_eq!(response.status(), 404, "{method} {path}");
            let p: Value = response.json().await.unwrap();
            assert_eq!(p["type"], "/problems/not-found");
        }
    }
    // Unknown and malformed ids look the same.
    for path in [
        format!("/api/v1/calls/{}", Uuid::new_v4()),
        "/api/v1/calls/not-a-uuid".to_owned(),
    ] {
        assert_eq!(
            send(&app, reqwest::Method::GET, &path, &alpen, None)
                .await
                .status(),
            404
        );
    }
    assert_eq!(
        (stored(&app, offered).await, stored(&app, won).await),
        before
    );
    // And without a session, nothing at all.
    let anonymous = app
        .http
        .get(app.url(&format!("/api/v1/calls/{won}")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

async fn a_taken_request_shows_as_taken_to_the_loser(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let call = create_request(&app, "MKT-TAKEN").await;

    let won: Value = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        &alpen,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let again = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        &alpen,
        None,
    )
    .await;
    let lost = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        &rhein,
        None,
    )
    .await;
    let seen: Value = send(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/calls/{call}"),
        &rhein,
        None,
    )
    .await
    .json()
    .await
    .unwrap();

    assert_eq!(won["offer_state"], "won");
    assert_eq!(won["client"]["phone"], "+41 79 123 45 67");
    assert_eq!(
        again.status(),
        200,
        "accepting again is idempotent for the winner"
    );
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["version"], won["version"]);
    assert_eq!(lost.status(), 409);
    let lost: Value = lost.json().await.unwrap();
    assert_eq!(lost["type"], "/problems/already-accepted");
    assert_eq!(lost["current"]["offer_state"], "taken");
    assert_eq!(seen["offer_state"], "taken");
    assert!(seen["client"].is_null(), "no contact data for the loser");
}

async fn patch_bad_input_gets_specific_problems_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let call = create_request(&app, "MKT-P1").await;
    let accepted: Value = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        &alpen,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let version = accepted["version"].as_i64().unwrap();
    let nina = user_id(&app, "nina.frei@alpen.example").await;
    let lena = user_id(&app, "lena.schmidt@rhein.example").await;
    let before = stored(&app, call).await;
    let mails_before = outbox(&app, call).await;
    let path = format!("/api/v1/calls/{call}");

    let malformed = app
        .http
        .patch(app.url(&path))
        .header("cookie", &alpen)
        .header("content-type", "application/json")
        .body("{\"version\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        malformed.json::<Value>().await.unwrap()["type"],
        "/problems/malformed-json"
    );

    // (body, status, type, field, field code)
    let cases = [
        (
            json!({"version": "one"}),
            422,
            "/problems/validation",
            "version",
            "invalid_type",
        ),
        (
            json!({"slot": {"start": "2026-11-25T09:00:00Z", "end": "2026-11-25T10:00:00Z"}}),
            422,
            "/problems/validation",
            "",
            "invalid_type",
        ),
        (
            json!({"version": version, "slot": {"start": "2026-11-25T10:00:00Z", "end": "2026-11-25T09:00:00Z"}}),
            422,
            "/problems/validation",
            "slot.end",
            "end_before_start",
        ),
        (
            json!({"version": version, "slot": {"start": "2026-11-25T10:00:00Z"}}),
            422,
            "/problems/validation",
            "",
            "invalid_type",
        ),
        (
            json!({"version": version, "technician_id": Uuid::new_v4()}),
            422,
            "/problems/validation",
            "technician_id",
            "unknown_technician",
        ),
        (
            json!({"version": version, "technician_id": lena}),
            422,
            "/problems/validation",
            "technician_id",
            "unknown_technician",
        ),
        (
            json!({"version": version, "technician_id": nina}),
            422,
            "/problems/not-verified",
            "technician_id",
            "no_photo",
        ),
        (
            json!({"version": version - 1, "client_called": true}),
            409,
            "/problems/stale-version",
            "",
            "",
        ),
    ];
    for (body, status, kind, field, code) in cases {
        let response = send(
            &app,
            reqwest::Method::PATCH,
            &path,
            &alpen,
            Some(body.clone()),
        )
        .await;
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let p: Value = response.json().await.unwrap();
        assert_eq!(p["type"], kind, "{body}: {p}");
        if !code.is_empty() {
            let error = &p["errors"][0];
            assert_eq!(error["code"], code, "{body}: {p}");
            if !field.is_empty() {
                assert!(
                    error["field"].as_str().unwrap().starts_with(field),
                    "{body}: {p}"
                );
            }
        }
        if status == 409 {
            assert_eq!(p["current"]["version"], version, "{p}");
            assert_eq!(p["current"]["id"], call.to_string());
        }
    }

    assert_eq!(
        stored(&app, call).await,
        before,
        "the database is unchanged"
    );
    assert_eq!(
        outbox(&app, call).await,
        mails_before,
        "nobody was notified"
    );
}

async fn patch_sets_slot_technician_and_call_and_notifies(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let mut undated = booking("MKT-P2");
    undated["slot"] = Value::Null;
    let created: Value = post_booking(&app, &undated).await.json().await.unwrap();
    let call: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/v1/calls/{call}");
    let accepted: Value = send(
        &app,
        reqwest::Method::POST,
        &format!("{path}/accept"),
        &alpen,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(accepted["colour"], "white");
    let anna = user_id(&app, "anna.keller@alpen.example").await;
    let luca = user_id(&app, "luca.brunner@alpen.example").await;

    let green: Value = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &alpen,
        Some(json!({
            "version": accepted["version"],
            "slot": {"start": "2027-11-25T09:00:00Z", "end": "2027-11-25T10:00:00Z"},
            "technician_id": anna,
            "client_called": true,
        })),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(green["colour"], "green", "{green}");
    assert_eq!(green["technician_id"], anna.to_string());
    assert_eq!(
        green["version"],
        accepted["version"].as_i64().unwrap() + 1,
        "one PATCH is one change"
    );

    let moved = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &alpen,
        Some(json!({
            "version": green["version"],
            "slot": {"start": "2027-11-25T13:00:00Z", "end": "2027-11-25T14:00:00Z"},
            "technician_id": luca,
        })),
    )
    .await;
    assert_eq!(moved.status(), 200);

    let messages = outbox(&app, call).await;
    let count = |channel: &str, kind: &str, to: &str| {
        messages
            .iter()
            .filter(|m| m.0 == channel && m.1 == kind && m.2 == to)
            .count()
    };
    assert_eq!(count("email", "request_accepted", "anna@example.ch"), 1);
    assert_eq!(count("email", "schedule_set", "anna@example.ch"), 1);
    assert_eq!(count("email", "schedule_changed", "anna@example.ch"), 1);
    assert_eq!(count("push", "assigned", &anna.to_string()), 1);
    assert_eq!(count("push", "assigned", &luca.to_string()), 1);
    assert_eq!(
        count("push", "unassigned", &anna.to_string()),
        1,
        "the old technician hears of it"
    );
}

async fn board(app: &TestApp, cookie: &str, from: &str, to: &str) -> reqwest::Response {
    board_of_detail(app, cookie, from, to, None).await
}

/// The board read with `?detail=` (none: the default, summaries).
async fn board_of_detail(
    app: &TestApp,
    cookie: &str,
    from: &str,
    to: &str,
    detail: Option<&str>,
) -> reqwest::Response {
    let mut query = vec![("from", from), ("to", to)];
    query.extend(detail.map(|d| ("detail", d)));
    app.http
        .get(app.url("/api/v1/calls"))
        .query(&query)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

async fn board_ids(app: &TestApp, cookie: &str, from: &str, to: &str) -> Vec<String> {
    let board: Value = board(app, cookie, from, to).await.json().await.unwrap();
    ids(&board)
}

fn ids(board: &Value) -> Vec<String> {
    board["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn board_lists_offers_and_calls_in_the_window_plus_undated(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let dated = create_request(&app, "MKT-B1").await; // 2026-11-24 09:00
    let mut undated_body = booking("MKT-B2");
    undated_body["slot"] = Value::Null;
    let undated: Value = post_booking(&app, &undated_body)
        .await
        .json()
        .await
        .unwrap();
    let undated = undated["id"].as_str().unwrap().to_owned();
    let mut later_body = booking("MKT-B3");
    later_body["slot"] = json!({"start": "2027-01-10T09:00:00Z", "end": "2027-01-10T10:00:00Z"});
    let later: Value = post_booking(&app, &later_body).await.json().await.unwrap();
    let later = later["id"].as_str().unwrap().to_owned();

    let week: Value = board(&app, &alpen, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ids(&week),
        vec![undated.clone(), dated.to_string(), later.clone()],
        "undated first, then by start; an open offer shows whatever the window"
    );
    assert!(week["calls"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["colour"] == "blue" && c["offer_state"] == "offered"));

    send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/calls/{dated}/accept"),
        &alpen,
        None,
    )
    .await;
    let alpen_week: Value = board(&app, &alpen, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    let rhein_week: Value = board(&app, &rhein, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&alpen_week).len(), 3);
    let won = alpen_week["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == dated.to_string())
        .unwrap();
    assert_eq!(won["offer_state"], "won");
    assert_eq!(won["colour"], "white");
    assert_eq!(
        ids(&rhein_week),
        vec![undated, later.clone()],
        "the taken request left Rhein's board"
    );

    // Won and still to assign: in the "to assign" list whatever the window. Assigned:
    // on the calendar only, so only in a window it overlaps.
    let accepted: Value = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/calls/{later}/accept"),
        &alpen,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        board_ids(&app, &alpen, "2026-12-07T00:00:00Z", "2026-12-14T00:00:00Z")
            .await
            .contains(&later),
        "an accepted call without a technician is listed in any week"
    );
    let anna = user_id(&app, "anna.keller@alpen.example").await;
    let assigned = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/calls/{later}"),
        &alpen,
        Some(json!({"version": accepted["version"], "technician_id": anna})),
    )
    .await;
    assert_eq!(assigned.status(), 200);
    assert!(
        !board_ids(&app, &alpen, "2026-12-07T00:00:00Z", "2026-12-14T00:00:00Z")
            .await
            .contains(&later),
        "an assigned call shows only in windows it overlaps"
    );
}

async fn board_window_is_validated(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let cases = [
        ("", "2026-11-30T00:00:00Z", "from", "required"),
        (
            "yesterday",
            "2026-11-30T00:00:00Z",
            "from",
            "invalid_datetime",
        ),
        (
            "2026-11-30T00:00:00Z",
            "2026-11-23T00:00:00Z",
            "to",
            "end_before_start",
        ),
        (
            "2026-01-01T00:00:00Z",
            "2026-06-01T00:00:00Z",
            "to",
            "window_too_long",
        ),
    ];
    for (from, to, field, code) in cases {
        let response = board(&app, &alpen, from, to).await;
        assert_eq!(response.status(), 422, "{from} {to}");
        let p: Value = response.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], field);
        assert_eq!(p["errors"][0]["code"], code);
    }
    // A parameter the board does not take (a misspelt `detail`) is refused, not ignored.
    let response = app
        .http
        .get(app.url("/api/v1/calls"))
        .query(&[
            ("from", "2026-11-23T00:00:00Z"),
            ("to", "2026-11-30T00:00:00Z"),
            ("detial", "whole"),
        ])
        .header("cookie", &alpen)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let p: Value = response.json().await.unwrap();
    assert_eq!(p["type"], "/problems/bad-query", "{p}");
}

async fn demo_calls_seed_every_colour_for_both_companies(backend: Backend) {
    let app = spawn_app(backend).await;
    let written = server::demo_traffic::seed_calls(&app.state).await.unwrap();
    assert_eq!(
        server::demo_traffic::seed_calls(&app.state).await.unwrap(),
        0,
        "only into an empty table"
    );
    assert_eq!(written, 10);
    let now = chrono::Utc::now();
    let from = (now - chrono::Duration::days(1)).to_rfc3339();
    let to = (now + chrono::Duration::days(14)).to_rfc3339();
    for (email, company) in [(ALPEN, "Alpen"), (RHEIN, "Rhein")] {
        let cookie = app.sign_in(email, PASSWORD).await;
        let _ = company_id(&app, company).await;
        let board: Value = board(&app, &cookie, &from, &to).await.json().await.unwrap();
        let mut colours: Vec<&str> = board["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["colour"].as_str().unwrap())
            .collect();
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(
            colours,
            vec!["blue", "green", "orange", "white"],
            "{company}: {board}"
        );
    }
}

/// `GET path` as the signed-in `cookie`, its JSON.
async fn read(app: &TestApp, cookie: &str, path: &str) -> Value {
    send(app, reqwest::Method::GET, path, cookie, None)
        .await
        .json()
        .await
        .unwrap()
}

/// The board reads its calls' documents without their history on SQLite
/// (`db::calls::board_doc`); what it answers must still be exactly what a read of each
/// call (its whole document) answers: summarised by `CallView::summary` by default,
/// whole with `?detail=whole`.
async fn every_call_on_the_board_is_its_single_read(backend: Backend) {
    let app = spawn_app(backend).await;
    server::demo_traffic::seed_calls(&app.state).await.unwrap();
    let now = chrono::Utc::now();
    let from = (now - chrono::Duration::days(1)).to_rfc3339();
    let to = (now + chrono::Duration::days(14)).to_rfc3339();
    for email in [ALPEN, RHEIN] {
        let cookie = app.sign_in(email, PASSWORD).await;
        let board: Value = board(&app, &cookie, &from, &to).await.json().await.unwrap();
        let whole: Value = board_of_detail(&app, &cookie, &from, &to, Some("whole"))
            .await
            .json()
            .await
            .unwrap();
        let calls = board["calls"].as_array().unwrap();
        assert!(calls.len() >= 4, "{email}: {board}");
        let sorted = |board: &Value| {
            let mut ids = ids(board);
            ids.sort_unstable();
            ids
        };
        assert_eq!(sorted(&board), sorted(&whole), "{email}: the same calls");
        let mut lines_left_out = 0;
        for call in calls {
            let id = call["id"].as_str().unwrap();
            let whole = whole["calls"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
                .unwrap();
            let single = read(&app, &cookie, &format!("/api/v1/calls/{id}")).await;
            assert_eq!(whole, &single, "{email}: {id} whole");
            let view: domain::view::CallView = serde_json::from_value(single.clone()).unwrap();
            assert_eq!(
                call,
                &serde_json::to_value(view.summary()).unwrap(),
                "{email}: {id} summarised"
            );
            assert_eq!(call["summary"], true, "{email}: {id}");
            assert!(single.get("summary").is_none(), "a single read is whole");
            if call["offer_state"] != "won" {
                continue;
            }
            assert_eq!(
                call["order"]["total"], single["order"]["total"],
                "the board draws the total"
            );
            lines_left_out += single["order"]["lines"].as_array().unwrap().len()
                - call["order"]["lines"].as_array().unwrap().len();
            let history = read(&app, &cookie, &format!("/api/v1/calls/{id}/history")).await;
            assert!(
                !history.as_array().unwrap().is_empty(),
                "{id} has a history to skip"
            );
        }
        assert!(lines_left_out > 0, "{email}: the package lines stay out");
    }
    // Another value of `detail` is a field error, and changes nothing.
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    let refused = board_of_detail(&app, &cookie, &from, &to, Some("all")).await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "detail", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "invalid_detail", "{problem}");
}

async fn history_lists_every_change_newest_first_for_the_winner_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let call = create_request(&app, "MKT-H1").await;
    let path = format!("/api/v1/calls/{call}");
    let accepted: Value = send(
        &app,
        reqwest::Method::POST,
        &format!("{path}/accept"),
        &alpen,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let moved = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &alpen,
        Some(json!({"version": accepted["version"],
            "slot": {"start": "2027-11-24T13:00:00Z", "end": "2027-11-24T14:00:00Z"}})),
    )
    .await;
    assert_eq!(moved.status(), 200);

    let history = send(
        &app,
        reqwest::Method::GET,
        &format!("{path}/history"),
        &alpen,
        None,
    )
    .await;
    assert_eq!(history.status(), 200);
    let history: Value = history.json().await.unwrap();
    let entries = history.as_array().unwrap();
    let newest = &entries[0];
    assert_eq!(newest["change"]["type"], "slot_set", "{history}");
    assert_eq!(newest["change"]["before"]["start"], "2026-11-24T09:00:00Z");
    assert_eq!(newest["change"]["after"]["start"], "2027-11-24T13:00:00Z");
    assert_eq!(newest["actor"]["kind"], "dispatcher");
    assert!(
        newest["actor_name"].as_str().is_some_and(|n| !n.is_empty()),
        "{newest}"
    );
    assert_eq!(entries[1]["change"]["type"], "accepted");
    assert!(
        !history
            .to_string()
            .contains(&company_id(&app, "Rhein").await.to_string()),
        "no other company's id: {history}"
    );

    // The loser sees no more than its own offer; a stranger's id is not found.
    let theirs: Value = send(
        &app,
        reqwest::Method::GET,
        &format!("{path}/history"),
        &rhein,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        theirs
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["change"]["type"] == "offered"),
        "{theirs}"
    );
    let unknown = send(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/calls/{}/history", Uuid::new_v4()),
        &alpen,
        None,
    )
    .await;
    assert_eq!(unknown.status(), 404);
}

async fn a_new_date_in_the_past_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let call = create_request(&app, "MKT-PAST").await;
    let path = format!("/api/v1/calls/{call}");
    let accepted: Value = send(
        &app,
        reqwest::Method::POST,
        &format!("{path}/accept"),
        &alpen,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let before = stored(&app, call).await;
    let mails = outbox(&app, call).await.len();
    let yesterday = chrono::Utc::now() - chrono::Duration::days(1);
    let start = yesterday.format("%Y-%m-%dT09:00:00Z").to_string();
    let end = yesterday.format("%Y-%m-%dT10:00:00Z").to_string();

    let refused = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &alpen,
        Some(json!({"version": accepted["version"], "slot": {"start": start, "end": end}})),
    )
    .await;

    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/invalid-slot", "{problem}");
    assert_eq!(problem["errors"][0]["field"], "slot");
    assert_eq!(problem["errors"][0]["code"], "in_past");
    assert_eq!(stored(&app, call).await, before, "nothing changed");
    assert_eq!(outbox(&app, call).await.len(), mails, "nobody was e-mailed");
}

/// The board's views and answers are kept per call version and per company head
/// (`server::board_cache`): a read with nothing changed in between answers the very same
/// bytes, and every accept, move and new request made since shows in the next read.
async fn a_kept_board_shows_every_change_made_since(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let (from, to) = ("2027-11-22T00:00:00Z", "2027-11-29T00:00:00Z");
    let first = create_request(&app, "MKT-KEPT-1").await;
    let text = |r: reqwest::Response| async move { r.text().await.unwrap() };
    let once = text(board(&app, &alpen, from, to).await).await;
    let again = text(board(&app, &alpen, from, to).await).await;
    assert_eq!(once, again, "nothing changed: the same answer");
    let once: Value = serde_json::from_str(&once).unwrap();
    let offered = call_in(&once, first);
    assert_eq!(offered["offer_state"], "offered");

    // Accepted by the other company: gone from this board, won on theirs.
    let taken = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/calls/{first}/accept"),
        &rhein,
        None,
    )
    .await;
    assert_eq!(taken.status(), 200);
    let after_accept: Value = board(&app, &alpen, from, to).await.json().await.unwrap();
    assert!(
        !ids(&after_accept).contains(&first.to_string()),
        "a request another partner took leaves the board: {after_accept}"
    );
    assert!(after_accept["seq"].as_i64() > once["seq"].as_i64());
    let theirs: Value = board(&app, &rhein, from, to).await.json().await.unwrap();
    assert_eq!(call_in(&theirs, first)["offer_state"], "won");

    // Moved by them: their next read shows the new slot and version.
    let version = call_in(&theirs, first)["version"].as_i64().unwrap();
    let moved = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/calls/{first}"),
        &rhein,
        Some(json!({"version": version,
            "slot": {"start": "2027-11-24T13:00:00Z", "end": "2027-11-24T14:00:00Z"}})),
    )
    .await;
    assert_eq!(moved.status(), 200);
    let theirs: Value = board(&app, &rhein, from, to).await.json().await.unwrap();
    let shown = call_in(&theirs, first);
    assert_eq!(shown["version"].as_i64(), Some(version + 1));
    assert_eq!(
        shown["slot"]["start"]
            .as_str()
            .map(|s| s.parse::<chrono::DateTime<chrono::Utc>>()),
        Some(Ok("2027-11-24T13:00:00Z".parse().unwrap()))
    );
    // And it is what a read of the call itself answers, summarised.
    let single = read(&app, &rhein, &format!("/api/v1/calls/{first}")).await;
    let single: domain::view::CallView = serde_json::from_value(single).unwrap();
    assert_eq!(shown, &serde_json::to_value(single.summary()).unwrap());

    // A new request shows on both boards.
    let second = create_request(&app, "MKT-KEPT-2").await;
    for cookie in [&alpen, &rhein] {
        let board: Value = board(&app, cookie, from, to).await.json().await.unwrap();
        assert_eq!(call_in(&board, second)["offer_state"], "offered");
    }
}

/// A board kept at an older head is brought up to date from the calls the events since
/// name (`domain::visibility::in_board_window` placing each), not from the whole board
/// query: after each kind of change it is exactly what an instance that kept nothing
/// reads from the database.
async fn a_kept_board_brought_up_to_date_is_the_board_read_afresh(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let anna = user_id(&app, "anna.keller@alpen.example").await;
    let (from, to) = ("2027-11-22T00:00:00Z", "2027-11-29T00:00:00Z");
    let read_at = |base: String, cookie: String| {
        let http = app.http.clone();
        async move {
            let answer: Value = http
                .get(format!("{base}/api/v1/calls"))
                .query(&[("from", from), ("to", to)])
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer
        }
    };
    let act = |method: reqwest::Method, path: String, cookie: &str, body: Option<Value>| {
        let cookie = cookie.to_owned();
        let app = &app;
        async move {
            let response = send(app, method, &path, &cookie, body).await;
            let status = response.status();
            let answer = response.json::<Value>().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {answer}");
            answer
        }
    };
    let version_of = |call: &Value| call["version"].as_i64().unwrap();

    let first = create_request(&app, "MKT-FRESH-1").await;
    let second = create_request(&app, "MKT-FRESH-2").await;
    let third = create_request(&app, "MKT-FRESH-3").await;
    let base = app.url("");
    let kept = read_at(base.clone(), alpen.clone()).await;
    assert_eq!(ids(&kept).len(), 3);
    assert_eq!(ids(&read_at(base.clone(), rhein.clone()).await).len(), 3);

    // Each step changes the board; Alpen's kept board is then compared with one read by a
    // fresh instance (nothing kept), and Rhein's too.
    let accept = |call: Uuid, cookie: &str| {
        act(
            reqwest::Method::POST,
            format!("/api/v1/calls/{call}/accept"),
            cookie,
            None,
        )
    };
    let patch = |call: Uuid, cookie: &str, body: Value| {
        act(
            reqwest::Method::PATCH,
            format!("/api/v1/calls/{call}"),
            cookie,
            Some(body),
        )
    };
    let won = accept(first, &alpen).await;
    let moved_out = patch(
        first,
        &alpen,
        json!({"version": version_of(&won), "technician_id": anna,
            "slot": {"start": "2027-12-01T09:00:00Z", "end": "2027-12-01T10:00:00Z"}}),
    )
    .await;
    assert_eq!(moved_out["technician_id"], json!(anna));
    let taken = accept(second, &rhein).await;
    let theirs = patch(
        second,
        &rhein,
        json!({"version": version_of(&taken),
            "slot": {"start": "2027-11-24T13:00:00Z", "end": "2027-11-24T14:00:00Z"}}),
    )
    .await;
    assert_eq!(theirs["offer_state"], "won");
    act(
        reqwest::Method::POST,
        format!("/api/v1/calls/{third}/decline"),
        &rhein,
        None,
    )
    .await;
    let fourth = create_request(&app, "MKT-FRESH-4").await;

    let (fresh, _stop) = second_instance(&app).await;
    for cookie in [&alpen, &rhein] {
        // Read through the instance that kept the board (brought up to date) …
        let updated = read_at(base.clone(), cookie.clone()).await;
        // … and through one that never saw it.
        let afresh = read_at(fresh.clone(), cookie.clone()).await;
        assert_eq!(updated, afresh, "kept and brought up to date = read afresh");
    }
    let alpen_now = read_at(base.clone(), alpen.clone()).await;
    let on_alpen = ids(&alpen_now);
    assert!(
        !on_alpen.contains(&first.to_string()),
        "assigned and moved to next week"
    );
    assert!(!on_alpen.contains(&second.to_string()), "taken by Rhein");
    assert!(on_alpen.contains(&third.to_string()) && on_alpen.contains(&fourth.to_string()));
    assert!(alpen_now["seq"].as_i64() > kept["seq"].as_i64());
}

fn call_in(board: &Value, id: Uuid) -> &Value {
    board["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.to_string())
        .unwrap_or_else(|| panic!("{id} not on the board: {board}"))
}

/// Two instances on one PostgreSQL keep their boards each: a change made through one
/// shows in the next read of a board the other had kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_kept_by_one_instance_shows_a_change_made_through_another() {
    let app = spawn_app(Backend::Postgres).await;
    let (second, _stop_second) = second_instance(&app).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (from, to) = ("2027-11-22T00:00:00Z", "2027-11-29T00:00:00Z");
    let call = create_request(&app, "MKT-TWO-1").await;
    let kept: Value = board(&app, &alpen, from, to).await.json().await.unwrap();
    assert_eq!(call_in(&kept, call)["offer_state"], "offered");

    let accepted: Value = app
        .http
        .post(format!("{second}/api/v1/calls/{call}/accept"))
        .header("cookie", &alpen)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accepted["offer_state"], "won");
    let now: Value = board(&app, &alpen, from, to).await.json().await.unwrap();
    let shown = call_in(&now, call);
    assert_eq!(shown["offer_state"], "won");
    assert_eq!(shown["version"], accepted["version"]);
}
