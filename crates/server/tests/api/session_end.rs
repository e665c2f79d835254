//! A live socket lives no longer than its session: sign-out, deactivation and expiry
//! close it with code 4401 (also when the socket sits on another instance, over
//! PostgreSQL), and only the sockets of the session or user concerned.

use std::time::Duration;

use serde_json::json;

use crate::{
    helpers::{spawn_app, user_id, Backend, TestApp},
    live::connect,
    marketplace::{create_request, ALPEN, PASSWORD},
    on_both_backends,
};
use domain::api::live::SESSION_ENDED_CLOSE;
use server::db::sessions;

on_both_backends!(
    signing_out_closes_that_sessions_sockets_only,
    deactivating_a_technician_closes_their_sockets,
    an_expired_session_closes_its_socket,
);

const ANNA: &str = "anna.keller@alpen.example";

async fn logout(app: &TestApp, base: &str, cookie: &str) {
    let response = app
        .http
        .post(format!("{base}/api/v1/auth/logout"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

async fn signing_out_closes_that_sessions_sockets_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let here = app.sign_in(ALPEN, PASSWORD).await;
    let elsewhere = app.sign_in(ALPEN, PASSWORD).await;
    let (mut socket, _, _) = connect(&app.base, &here, None).await;
    let (mut other_tab, _, _) = connect(&app.base, &elsewhere, None).await;

    logout(&app, &app.base, &here).await;

    assert_eq!(socket.closed_with().await, Some(SESSION_ENDED_CLOSE));
    // The same person's other session streams on.
    let call = create_request(&app, "SESSION-END-1").await;
    let offer = other_tab.next().await;
    assert_eq!(offer["call_id"], call.to_string());
    // And the ended session cannot open a new socket.
    assert!(crate::live::try_connect(&app.base, Some(&here), None, None)
        .await
        .is_err());
}

async fn deactivating_a_technician_closes_their_sockets(backend: Backend) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let anna = app.sign_in(ANNA, PASSWORD).await;
    let (mut socket, _, _) = connect(&app.base, &anna, None).await;
    let (mut board, _, _) = connect(&app.base, &dispatcher, None).await;
    let id = user_id(&app, ANNA).await;

    let response = app
        .http
        .post(app.url(&format!("/api/v1/technicians/{id}/deactivate")))
        .header("cookie", &dispatcher)
        .json(&json!({ "unassign_open_calls": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    assert_eq!(socket.closed_with().await, Some(SESSION_ENDED_CLOSE));
    // The dispatcher's socket is untouched: it hears of the deactivation (the calendar
    // drops the row), then of the next request.
    let changed = board.next().await;
    assert_eq!(changed["type"], "technician_changed");
    assert_eq!(changed["technician_id"], id.to_string());
    assert_eq!(changed["technician"]["active"], false);
    let call = create_request(&app, "SESSION-END-2").await;
    let offer = board.next().await;
    assert_eq!(offer["call_id"], call.to_string());
}

async fn an_expired_session_closes_its_socket(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = user_id(&app, ALPEN).await;
    let token = sessions::new_token();
    sessions::create(&app.state.db, &token, user, 2)
        .await
        .unwrap();
    let cookie = format!("dispatch_session={token}");
    let (mut socket, _, _) = connect(&app.base, &cookie, None).await;

    let started = tokio::time::Instant::now();
    assert_eq!(socket.closed_with().await, Some(SESSION_ENDED_CLOSE));
    assert!(started.elapsed() < Duration::from_secs(4));
}

/// Two instances on one PostgreSQL: a sign-out and a deactivation through one close the
/// sockets on the other (the hub's NOTIFY path).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_ends_reach_sockets_on_another_instance_over_postgres() {
    let app = spawn_app(Backend::Postgres).await;
    let (other, _stop) = second_instance(&app).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let anna = app.sign_in(ANNA, PASSWORD).await;
    let (mut dispatcher_there, _, _) = connect(&other, &dispatcher, None).await;
    let (mut anna_there, _, _) = connect(&other, &anna, None).await;

    let id = user_id(&app, ANNA).await;
    let response = app
        .http
        .post(app.url(&format!("/api/v1/technicians/{id}/deactivate")))
        .header("cookie", &dispatcher)
        .json(&json!({ "unassign_open_calls": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(anna_there.closed_with().await, Some(SESSION_ENDED_CLOSE));

    logout(&app, &app.base, &dispatcher).await;
    assert_eq!(
        dispatcher_there.closed_with().await,
        Some(SESSION_ENDED_CLOSE)
    );
}

/// A second in-process instance on the same database, with its own pool and hub.
async fn second_instance(app: &TestApp) -> (String, tokio::sync::oneshot::Sender<()>) {
    let mut config = server::config::Config::for_tests(app.state.config.database_url.clone());
    config.dist_dir = app.state.config.dist_dir.clone();
    config.demo_mode = false;
    let state = server::prepare(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::serve(state, listener, async move {
        let _ = rx.await;
    }));
    (base, tx)
}
