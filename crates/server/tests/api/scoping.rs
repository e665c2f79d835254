//! Technicians see their own calls only (`domain::visibility`): their board and call
//! reads hold the calls assigned to them and no offer; their live socket carries only
//! the changes of those calls, and a call that stops being theirs arrives as a bare
//! `call_removed`.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{send, spawn_app, user_id, Backend, TestApp},
    live::connect,
    marketplace::{create_request, ALPEN, PASSWORD},
    on_both_backends,
};

on_both_backends!(
    a_technician_reads_only_their_own_calls_and_no_offer,
    a_technicians_socket_carries_only_their_own_calls,
);

const ANNA: &str = "anna.keller@alpen.example";
const LUCA: &str = "luca.brunner@alpen.example";
const WINDOW: &str = "/api/v1/calls?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z";

/// Alpen accepts `call` and assigns it to `technician` (dated 24 Nov as booked).
async fn accept_and_assign(app: &TestApp, dispatcher: &str, call: Uuid, technician: Uuid) -> Value {
    let accepted: Value = send(
        app,
        Method::POST,
        &format!("/api/v1/calls/{call}/accept"),
        dispatcher,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assign(app, dispatcher, &accepted, technician).await
}

async fn assign(app: &TestApp, dispatcher: &str, call: &Value, technician: Uuid) -> Value {
    let id = call["id"].as_str().unwrap();
    let response = send(
        app,
        Method::PATCH,
        &format!("/api/v1/calls/{id}"),
        dispatcher,
        Some(json!({"version": call["version"], "technician_id": technician})),
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn ids(board: &Value) -> Vec<String> {
    let mut ids: Vec<String> = board["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

async fn a_technician_reads_only_their_own_calls_and_no_offer(backend: Backend) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let (anna_id, luca_id) = (user_id(&app, ANNA).await, user_id(&app, LUCA).await);
    let offer = create_request(&app, "SCOPE-OFFER").await;
    let hers = create_request(&app, "SCOPE-ANNA").await;
    let his = create_request(&app, "SCOPE-LUCA").await;
    accept_and_assign(&app, &dispatcher, hers, anna_id).await;
    accept_and_assign(&app, &dispatcher, his, luca_id).await;
    let anna = app.sign_in(ANNA, PASSWORD).await;

    let board: Value = send(&app, Method::GET, WINDOW, &anna, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&board), [hers.to_string()], "{board}");
    // Her call comes whole: she needs the client's contact to do the job.
    assert_eq!(board["calls"][0]["client"]["name"], "Anna Muster");

    for (call, what) in [(his, "a colleague's call"), (offer, "an offer")] {
        let response = send(
            &app,
            Method::GET,
            &format!("/api/v1/calls/{call}"),
            &anna,
            None,
        )
        .await;
        assert_eq!(response.status(), 404, "{what}");
    }
    let own = send(
        &app,
        Method::GET,
        &format!("/api/v1/calls/{hers}"),
        &anna,
        None,
    )
    .await;
    assert_eq!(own.status(), 200);

    // The dispatcher still reads the whole board.
    let whole: Value = send(&app, Method::GET, WINDOW, &dispatcher, None)
        .await
        .json()
        .await
        .unwrap();
    let mut expected = vec![offer.to_string(), hers.to_string(), his.to_string()];
    expected.sort();
    assert_eq!(ids(&whole), expected);
}

async fn a_technicians_socket_carries_only_their_own_calls(backend: Backend) {
    let app = spawn_app(backend).await;
    let dispatcher = app.sign_in(ALPEN, PASSWORD).await;
    let (anna_id, luca_id) = (user_id(&app, ANNA).await, user_id(&app, LUCA).await);
    let anna = app.sign_in(ANNA, PASSWORD).await;
    let (mut socket, _, _) = connect(&app.base, &anna, None).await;

    // A new offer, its acceptance and a colleague's assignment: she hears nothing.
    let his = create_request(&app, "SCOPE-LIVE-LUCA").await;
    accept_and_assign(&app, &dispatcher, his, luca_id).await;
    // Her own call: she hears its assignment (not the offer before it).
    let hers = create_request(&app, "SCOPE-LIVE-ANNA").await;
    let assigned = accept_and_assign(&app, &dispatcher, hers, anna_id).await;
    let event = socket.next().await;
    assert_eq!(event["type"], "call_changed", "{event}");
    assert_eq!(event["call_id"], hers.to_string());
    assert_eq!(event["call"]["technician_id"], anna_id.to_string());

    // Reassigned to Luca: it leaves her list, with no data of it.
    assign(&app, &dispatcher, &assigned, luca_id).await;
    let removed = socket.next().await;
    assert_eq!(removed["type"], "call_removed", "{removed}");
    assert_eq!(removed["call_id"], hers.to_string());
    assert!(removed.get("call").is_none(), "{removed}");
    // Nothing more of it or of anything else.
    create_request(&app, "SCOPE-LIVE-AFTER").await;
    socket.assert_silent(Duration::from_millis(500)).await;

    // A resume replays the same filtered view: only her call's two events.
    let (_, backlog, _) = connect(&app.base, &anna, Some(0)).await;
    let kinds: Vec<(String, String)> = backlog
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["call_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        kinds.iter().all(|(_, call)| *call == hers.to_string()),
        "{kinds:?}"
    );
    assert!(
        !kinds.iter().any(|(kind, _)| kind == "new_offer"),
        "{kinds:?}"
    );
}
