//! The live board (`GET /api/v1/events`): events reach only their company, a resumed
//! connection gets exactly the missed events (also while changes keep coming), stale
//! resumes are told to reload, the socket refuses foreign origins and anonymous callers,
//! and a change through one server process reaches a socket on another over PostgreSQL.
//! Presence: each dispatcher is listed once, to their own company only, and leaves with
//! their last socket; soft locks reach colleagues stamped with the sender's name, never
//! another company, never for a call off the company's board; both across two server
//! processes too.

use std::{collections::VecDeque, time::Duration};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, http::HeaderValue, Message},
    MaybeTlsStream, WebSocketStream,
};
use uuid::Uuid;

use crate::{
    helpers::{spawn_app, Backend, TestApp},
    marketplace::{company_id, create_request, ALPEN, PASSWORD, RHEIN},
    on_both_backends,
};
use domain::api::Role;
use server::db::{accounts, sessions};

on_both_backends!(
    events_reach_only_the_right_company,
    resume_after_a_dropped_connection_delivers_exactly_the_missed_events,
    resume_while_changes_keep_coming_has_no_gap_and_no_duplicate,
    a_stale_or_foreign_since_is_told_to_reload,
    presence_lists_each_dispatcher_once_to_their_own_company_until_their_last_socket_ends,
    activities_reach_colleagues_with_the_senders_name_and_nobody_else,
    a_technician_change_reaches_the_companys_boards_and_that_technician_only,
);

/// How long a test waits for an expected message.
const PATIENCE: Duration = Duration::from_secs(10);

/// One WebSocket client of the live board. Presence pictures (no `seq`) and the other
/// messages are read as two queues, so a test of board events is not disturbed by who
/// comes and goes, and the other way round.
pub struct LiveClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    presence: VecDeque<Value>,
    others: VecDeque<Value>,
}

/// Opens `/api/v1/events` on `base` with the given cookie, origin and `since`.
pub async fn try_connect(
    base: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
    since: Option<i64>,
) -> Result<LiveClient, tokio_tungstenite::tungstenite::Error> {
    let mut url = format!("{base}/api/v1/events");
    if let Some(since) = since {
        url.push_str(&format!("?since={since}"));
    }
    open(&url, cookie, origin).await
}

/// Opens the WebSocket at `url` (`http://…`) with the given cookie and origin.
pub async fn open(
    url: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Result<LiveClient, tokio_tungstenite::tungstenite::Error> {
    let mut request = url
        .replacen("http://", "ws://", 1)
        .into_client_request()
        .unwrap();
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", HeaderValue::from_str(cookie).unwrap());
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    let (ws, _) = connect_async(request).await?;
    Ok(LiveClient {
        ws,
        presence: VecDeque::new(),
        others: VecDeque::new(),
    })
}

/// Opens the WebSocket at `url` (`http://…`, e.g. with a `?ticket=`) without a cookie.
pub async fn connect_url(url: &str) -> Result<LiveClient, tokio_tungstenite::tungstenite::Error> {
    open(url, None, None).await
}

/// Connects as the holder of `cookie` and reads up to `ready`: returns the client, the
/// backlog messages and the sequence number it now stands at.
pub async fn connect(
    base: &str,
    cookie: &str,
    since: Option<i64>,
) -> (LiveClient, Vec<Value>, i64) {
    let mut client = try_connect(base, Some(cookie), None, since)
        .await
        .expect("websocket opens");
    let (backlog, seq) = client.until_ready().await;
    (client, backlog, seq)
}

impl LiveClient {
    /// The next JSON text message of either kind (pings are answered by the library).
    async fn receive(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("a live message in time")
                .expect("socket still open")
                .expect("socket healthy");
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).expect("JSON message");
            }
        }
    }

    fn sort(&mut self, message: Value) -> Option<Value> {
        if message["type"] == "presence" {
            assert!(message.get("seq").is_none(), "presence takes no seq");
            self.presence.push_back(message);
            None
        } else {
            Some(message)
        }
    }

    /// The next message that is not a presence picture.
    pub async fn next(&mut self) -> Value {
        if let Some(message) = self.others.pop_front() {
            return message;
        }
        loop {
            let message = self.receive().await;
            if let Some(message) = self.sort(message) {
                return message;
            }
        }
    }

    /// The next presence picture.
    pub async fn next_presence(&mut self) -> Value {
        if let Some(message) = self.presence.pop_front() {
            return message;
        }
        loop {
            let message = self.receive().await;
            if message["type"] == "presence" {
                return message;
            }
            self.others.push_back(message);
        }
    }

    /// Presence pictures until one satisfies `wanted` (for what arrives from another
    /// instance, where intermediate pictures depend on timing): that one, and every
    /// picture on the way.
    pub async fn presence_until(&mut self, wanted: impl Fn(&Value) -> bool) -> (Value, Vec<Value>) {
        let mut seen = Vec::new();
        loop {
            let picture = self.next_presence().await;
            if wanted(&picture) {
                return (picture, seen);
            }
            seen.push(picture);
        }
    }

    /// Messages up to `ready`, and `ready`'s `seq`.
    pub async fn until_ready(&mut self) -> (Vec<Value>, i64) {
        let mut backlog = Vec::new();
        loop {
            let message = self.next().await;
            if message["type"] == "ready" {
                return (backlog, message["seq"].as_i64().unwrap());
            }
            backlog.push(message);
        }
    }

    /// No board event arrives for `quiet` (presence pictures may).
    pub async fn assert_silent(&mut self, quiet: Duration) {
        if let Some(message) = self.others.pop_front() {
            panic!("unexpected live message {message}");
        }
        let deadline = tokio::time::Instant::now() + quiet;
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, self.ws.next()).await {
            if let Message::Text(text) = message {
                let message: Value = serde_json::from_str(&text).expect("JSON message");
                if let Some(message) = self.sort(message) {
                    panic!("unexpected live message {message}");
                }
            }
        }
    }

    /// Sends a board's message (an activity).
    pub async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("message sent");
    }

    /// Reads on until the server closes the socket; the close frame's code (`None` for
    /// a close without one).
    pub async fn closed_with(&mut self) -> Option<u16> {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("the socket closes in time");
            match message {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                None | Some(Err(_)) => return None,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.send(Message::Close(None)).await;
    }
}

/// The names in a presence picture, in its order.
fn user_names(picture: &Value) -> Vec<String> {
    picture["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The activities of a presence picture as `(name, call, action)`.
fn activities(picture: &Value) -> Vec<(String, String, String)> {
    picture["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_owned(),
                a["call_id"].as_str().unwrap().to_owned(),
                a["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn activity(call: impl ToString, action: &str) -> Value {
    json!({"type": "activity", "call_id": call.to_string(), "action": action})
}

/// A further dispatcher of the company named `company_prefix…`, signed in: their cookie.
async fn second_dispatcher(app: &TestApp, company_prefix: &str, name: &str, email: &str) -> String {
    let company = company_id(app, company_prefix).await;
    let user = accounts::create_user(&app.state.db, company, Role::Dispatcher, name, email, None)
        .await
        .unwrap();
    let token = sessions::new_token();
    sessions::create(&app.state.db, &token, user, 3600)
        .await
        .unwrap();
    format!("dispatch_session={token}")
}

fn seq(message: &Value) -> i64 {
    message["seq"].as_i64().expect("event with seq")
}

async fn accept(app: &TestApp, cookie: &str, call: Uuid) -> u16 {
    app.http
        .post(app.url(&format!("/api/v1/calls/{call}/accept")))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A company outside the demo companies' area, with a signed-in dispatcher.
async fn faraway_company(app: &TestApp) -> String {
    let db = &app.state.db;
    let company = accounts::create_company(
        db,
        &accounts::NewCompany {
            name: "Faraway Repairs",
            email: "office@faraway.example",
            time_zone: "Europe/Berlin",
            currency: "EUR",
            service_area: "10000-10999",
            skills: "plumbing",
        },
    )
    .await
    .unwrap();
    let user = accounts::create_user(
        db,
        company,
        Role::Dispatcher,
        "Far Away",
        "dispatcher@faraway.example",
        None,
    )
    .await
    .unwrap();
    let token = sessions::new_token();
    sessions::create(db, &token, user, 3600).await.unwrap();
    format!("dispatch_session={token}")
}

async fn events_reach_only_the_right_company(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let faraway = faraway_company(&app).await;
    let (mut a, _, _) = connect(&app.base, &alpen, None).await;
    let (mut r, _, _) = connect(&app.base, &rhein, None).await;
    let (mut f, _, f_seq) = connect(&app.base, &faraway, None).await;
    assert_eq!(f_seq, 0);

    let call = create_request(&app, "LIVE-ONLY-1").await;
    for board in [&mut a, &mut r] {
        let offer = board.next().await;
        assert_eq!(offer["type"], "new_offer");
        assert_eq!(offer["call_id"], call.to_string());
        assert_eq!(offer["call"]["offer_state"], "offered");
        assert!(
            offer["call"]["client"].is_null(),
            "no contact data before accepting"
        );
    }

    assert_eq!(accept(&app, &alpen, call).await, 200);
    let won = a.next().await;
    assert_eq!(won["type"], "call_changed");
    assert_eq!(won["call"]["offer_state"], "won");
    assert_eq!(won["call"]["client"]["name"], "Anna Muster");
    let taken = r.next().await;
    assert_eq!(taken["type"], "offer_taken");
    assert_eq!(taken["call_id"], call.to_string());
    assert!(
        taken["call"]["client"].is_null(),
        "the loser never sees the client"
    );
    assert!(taken["call"]["technician_id"].is_null());

    // Alpen's own change of its call stays on Alpen's board.
    let version = won["call"]["version"].as_i64().unwrap();
    let patched = app
        .http
        .patch(app.url(&format!("/api/v1/calls/{call}")))
        .header("cookie", &alpen)
        .json(&serde_json::json!({"version": version, "client_called": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let changed = a.next().await;
    assert_eq!(changed["type"], "call_changed");
    assert_eq!(changed["call"]["client_called"], true);
    assert_eq!(seq(&changed), seq(&won) + 1);

    let next_call = create_request(&app, "LIVE-ONLY-2").await;
    let next = r.next().await;
    assert_eq!(
        (next["type"].as_str(), next["call_id"].as_str()),
        (Some("new_offer"), Some(next_call.to_string().as_str())),
        "Rhein heard nothing of Alpen's change"
    );
    assert_eq!(seq(&next), seq(&taken) + 1);
    f.assert_silent(Duration::from_millis(300)).await;
    for client in [a, r, f] {
        client.close().await;
    }
}

async fn resume_after_a_dropped_connection_delivers_exactly_the_missed_events(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (mut a, _, start) = connect(&app.base, &alpen, None).await;
    let first = create_request(&app, "LIVE-RESUME-1").await;
    let seen = a.next().await;
    assert_eq!(seen["call_id"], first.to_string());
    assert_eq!(seq(&seen), start + 1);
    drop(a);

    // Missed while away: two offers and Alpen's accept of the first.
    let second = create_request(&app, "LIVE-RESUME-2").await;
    let third = create_request(&app, "LIVE-RESUME-3").await;
    assert_eq!(accept(&app, &alpen, first).await, 200);

    let (mut a, missed, ready) = connect(&app.base, &alpen, Some(seq(&seen))).await;
    let got: Vec<(i64, String, String)> = missed
        .iter()
        .map(|m| {
            (
                seq(m),
                m["type"].as_str().unwrap().to_owned(),
                m["call_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let s = seq(&seen);
    assert_eq!(
        got,
        vec![
            (s + 1, "new_offer".to_owned(), second.to_string()),
            (s + 2, "new_offer".to_owned(), third.to_string()),
            (s + 3, "call_changed".to_owned(), first.to_string()),
        ]
    );
    assert_eq!(ready, s + 3);

    // And the live stream goes on right after.
    let fourth = create_request(&app, "LIVE-RESUME-4").await;
    let live = a.next().await;
    assert_eq!(
        (seq(&live), live["call_id"].clone()),
        (s + 4, fourth.to_string().into())
    );
    a.close().await;
}

async fn resume_while_changes_keep_coming_has_no_gap_and_no_duplicate(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let (mut a, _, start) = connect(&app.base, &alpen, None).await;
    const BOOKINGS: usize = 24;
    let writer = {
        let base = app.base.clone();
        let http = app.http.clone();
        tokio::spawn(async move {
            for n in 0..BOOKINGS {
                let response = http
                    .post(format!("{base}/api/v1/marketplace/requests"))
                    .bearer_auth(crate::marketplace::KEY)
                    .json(&crate::marketplace::booking(&format!("LIVE-FLOOD-{n}")))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
            }
        })
    };
    let mut seqs = Vec::new();
    let mut reconnects = 0;
    while seqs.len() < BOOKINGS {
        let message = a.next().await;
        seqs.push(seq(&message));
        // Drop the connection every few events and resume from the last one seen,
        // while the writer goes on.
        if seqs.len() % 5 == 0 {
            drop(a);
            let (resumed, backlog, _) = connect(&app.base, &alpen, seqs.last().copied()).await;
            a = resumed;
            reconnects += 1;
            seqs.extend(backlog.iter().map(seq));
        }
    }
    writer.await.unwrap();
    let expected: Vec<i64> = (start + 1..=start + BOOKINGS as i64).collect();
    assert_eq!(
        seqs, expected,
        "every event once, in order, across {reconnects} resumes"
    );
    a.assert_silent(Duration::from_millis(200)).await;
}

async fn a_stale_or_foreign_since_is_told_to_reload(backend: Backend) {
    let app = spawn_app(backend).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let alpen_id = company_id(&app, "Alpen").await;
    for n in 0..3 {
        create_request(&app, &format!("LIVE-STALE-{n}")).await;
    }
    // Ahead of the log (as after a database reset): reload, then stand at the head.
    let (a, messages, ready) = connect(&app.base, &alpen, Some(1_000_000)).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["type"], "reload");
    assert_eq!(ready, 3);
    a.close().await;

    // Older than the kept log: pruned events cannot be replayed.
    sqlx::query("DELETE FROM board_events WHERE company_id = $1 AND seq <= 2")
        .bind(alpen_id.to_string())
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let (a, messages, ready) = connect(&app.base, &alpen, Some(0)).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["type"], "reload");
    assert_eq!(ready, 3);
    a.close().await;

    // Right at the edge of the kept log: resumable.
    let (a, messages, ready) = connect(&app.base, &alpen, Some(2)).await;
    assert_eq!(messages.iter().map(seq).collect::<Vec<_>>(), vec![3]);
    assert_eq!(ready, 3);
    a.close().await;

    // A parameter the socket does not take (a misspelt `since`) is refused, not read as
    // a fresh connection.
    let url = format!("{}/api/v1/events?sinse=2", app.base);
    assert_eq!(refused_status(open(&url, Some(&alpen), None).await), 400);
}

fn refused_status(result: Result<LiveClient, tokio_tungstenite::tungstenite::Error>) -> u16 {
    match result {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("the socket opened"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_origin_is_refused_and_the_own_origin_allowed() {
    let app = spawn_app(Backend::Sqlite).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let foreign = try_connect(&app.base, Some(&alpen), Some("https://evil.example"), None).await;
    assert_eq!(refused_status(foreign), 403);
    let own = try_connect(&app.base, Some(&alpen), Some(&app.base), None).await;
    let (_, ready) = own.expect("same-host origin opens").until_ready().await;
    assert!(ready >= 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_session_the_socket_is_401() {
    let app = spawn_app(Backend::Sqlite).await;
    let anonymous = try_connect(&app.base, None, Some(&app.base), None).await;
    assert_eq!(refused_status(anonymous), 401);
    let bogus = try_connect(&app.base, Some("dispatch_session=nope"), None, None).await;
    assert_eq!(refused_status(bogus), 401);
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
    server_process_with(app, &[]).await
}

/// [`server_process`] with further environment variables.
async fn server_process_with(app: &TestApp, env: &[(&str, &str)]) -> ServerProcess {
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
        .env("MARKETPLACE_API_KEY", crate::marketplace::KEY)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start dispatch-server");
    let process = ServerProcess {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..200 {
        if let Ok(r) = app
            .http
            .get(format!("{}/healthz", process.base))
            .send()
            .await
        {
            if r.status() == 200 {
                return process;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("dispatch-server did not become healthy");
}

/// Two server processes on one PostgreSQL: changes through this test's instance reach a
/// socket on the other process (LISTEN/NOTIFY), and the other way round.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_process_reaches_a_socket_on_another_over_postgres() {
    let app = spawn_app(Backend::Postgres).await;
    let other = server_process(&app).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let (mut on_other, _, _) = connect(&other.base, &rhein, None).await;
    let (mut on_this, _, _) = connect(&app.base, &alpen, None).await;

    let call = create_request(&app, "LIVE-ACROSS-1").await;
    let offer = on_other.next().await;
    assert_eq!(
        (offer["type"].as_str(), offer["call_id"].as_str()),
        (Some("new_offer"), Some(call.to_string().as_str()))
    );
    assert_eq!(on_this.next().await["type"], "new_offer");

    // Alpen accepts through the other process; Rhein's socket there and Alpen's here hear.
    let accepted = app
        .http
        .post(format!("{}/api/v1/calls/{call}/accept", other.base))
        .header("cookie", &alpen)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    assert_eq!(on_other.next().await["type"], "offer_taken");
    let won = on_this.next().await;
    assert_eq!(
        (won["type"].as_str(), won["call"]["offer_state"].as_str()),
        (Some("call_changed"), Some("won"))
    );
    on_other.close().await;
    on_this.close().await;
}

async fn presence_lists_each_dispatcher_once_to_their_own_company_until_their_last_socket_ends(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let sandra = app.sign_in(ALPEN, PASSWORD).await;
    let beat = second_dispatcher(&app, "Alpen", "Beat Huber", "beat@alpen.example").await;
    let jonas = app.sign_in(RHEIN, PASSWORD).await;

    let (mut s1, _, _) = connect(&app.base, &sandra, None).await;
    assert_eq!(user_names(&s1.next_presence().await), ["Sandra Meier"]);
    let (mut r, _, _) = connect(&app.base, &jonas, None).await;
    assert_eq!(user_names(&r.next_presence().await), ["Jonas Becker"]);
    let (mut b, _, _) = connect(&app.base, &beat, None).await;
    let both = b.next_presence().await;
    assert_eq!(user_names(&both), ["Beat Huber", "Sandra Meier"]);
    assert!(both["users"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| Uuid::parse_str(u["id"].as_str().unwrap()).is_ok()));
    assert_eq!(
        user_names(&s1.next_presence().await),
        ["Beat Huber", "Sandra Meier"]
    );

    // A technician's socket carries board events but takes no part in presence: not
    // listed (see Beat's next picture below), and no activity taken.
    let call = create_request(&app, "PRESENCE-TECHNICIAN").await;
    assert_eq!(accept(&app, &sandra, call).await, 200);
    let anna = app.sign_in("anna.keller@alpen.example", PASSWORD).await;
    let (mut t, _, _) = connect(&app.base, &anna, None).await;
    t.send(activity(call, "dragging")).await;
    assert_eq!(t.next().await, json!({"type": "activity_refused"}));

    // Sandra opens a second tab: it gets the picture, which lists her once.
    let (mut s2, _, _) = connect(&app.base, &sandra, None).await;
    assert_eq!(
        user_names(&s2.next_presence().await),
        ["Beat Huber", "Sandra Meier"]
    );
    // Her first tab closes; her second drops without a goodbye (a crashed browser).
    s1.close().await;
    drop(s2);
    // Beat's next picture is the one without her: neither her second tab nor the close
    // of her first made one.
    let left = b.next_presence().await;
    assert_eq!(user_names(&left), ["Beat Huber"]);
    assert_eq!(activities(&left), []);

    // Rhein heard none of Alpen's comings and goings: its next picture is its own
    // colleague's arrival.
    let greta = second_dispatcher(&app, "Rhein", "Greta Vogel", "greta@rhein.example").await;
    let (g, _, _) = connect(&app.base, &greta, None).await;
    assert_eq!(
        user_names(&r.next_presence().await),
        ["Greta Vogel", "Jonas Becker"]
    );
    for client in [b, r, g, t] {
        client.close().await;
    }
}

async fn activities_reach_colleagues_with_the_senders_name_and_nobody_else(backend: Backend) {
    let app = spawn_app(backend).await;
    let sandra = app.sign_in(ALPEN, PASSWORD).await;
    let beat = second_dispatcher(&app, "Alpen", "Beat Huber", "beat@alpen.example").await;
    let jonas = app.sign_in(RHEIN, PASSWORD).await;
    // Alpen's won call (off Rhein's board since), and an offer open to both.
    let won = create_request(&app, "PRESENCE-WON").await;
    assert_eq!(accept(&app, &sandra, won).await, 200);
    let open = create_request(&app, "PRESENCE-OPEN").await;
    let (won, open) = (won.to_string(), open.to_string());

    let (mut s, _, _) = connect(&app.base, &sandra, None).await;
    s.next_presence().await;
    let (mut b, _, _) = connect(&app.base, &beat, None).await;
    b.next_presence().await;
    assert_eq!(
        user_names(&s.next_presence().await),
        ["Beat Huber", "Sandra Meier"]
    );
    let (mut r, _, _) = connect(&app.base, &jonas, None).await;
    assert_eq!(user_names(&r.next_presence().await), ["Jonas Becker"]);

    // Sandra drags Alpen's call: Beat sees her name on it — the server's, not a claimed one.
    let mut claimed = activity(&won, "dragging");
    claimed["name"] = "Mallory".into();
    s.send(claimed).await;
    let dragging = vec![(
        "Sandra Meier".to_owned(),
        won.clone(),
        "dragging".to_owned(),
    )];
    assert_eq!(activities(&b.next_presence().await), dragging);
    assert_eq!(activities(&s.next_presence().await), dragging);

    // Rhein names Alpen's call and an unknown one: refused to Rhein alone, naming neither.
    r.send(activity(&won, "editing")).await;
    assert_eq!(r.next().await, json!({"type": "activity_refused"}));
    r.send(activity(Uuid::new_v4(), "dragging")).await;
    assert_eq!(r.next().await, json!({"type": "activity_refused"}));
    // Rhein's own offer goes through, to Rhein; its next picture is this one, so none
    // of Alpen's reached it before.
    r.send(activity(&open, "editing")).await;
    assert_eq!(
        activities(&r.next_presence().await),
        [(
            "Jonas Becker".to_owned(),
            open.clone(),
            "editing".to_owned()
        )]
    );

    // Beat's next pictures are Sandra's own next steps: nothing of Rhein's (neither the
    // refused activities nor the accepted one) came between.
    s.send(activity(&open, "editing")).await;
    assert_eq!(
        activities(&b.next_presence().await),
        [(
            "Sandra Meier".to_owned(),
            open.clone(),
            "editing".to_owned()
        )]
    );
    s.send(json!({"type": "activity", "action": "idle"})).await;
    assert_eq!(activities(&b.next_presence().await), []);
    // A malformed message is dropped, the socket stays, the next valid one goes through.
    s.send(json!({"type": "activity", "call_id": "nope", "action": "dragging"}))
        .await;
    s.send(activity(&won, "dragging")).await;
    assert_eq!(activities(&b.next_presence().await), dragging);

    // Sandra's socket drops mid-drag: the lock goes with her.
    drop(s);
    let left = b.next_presence().await;
    assert_eq!(user_names(&left), ["Beat Huber"]);
    assert_eq!(activities(&left), []);
    b.close().await;
    r.close().await;
}

/// Two server processes on one PostgreSQL: presence and locks of dispatchers on either
/// reach their colleagues on the other, a user on both counts once, and the other
/// company hears nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_and_locks_cross_server_processes_over_postgres() {
    let app = spawn_app(Backend::Postgres).await;
    let other = server_process(&app).await;
    let sandra = app.sign_in(ALPEN, PASSWORD).await;
    let beat = second_dispatcher(&app, "Alpen", "Beat Huber", "beat@alpen.example").await;
    let jonas = app.sign_in(RHEIN, PASSWORD).await;
    let call = create_request(&app, "PRESENCE-ACROSS").await.to_string();
    let names = |want: &'static [&'static str]| move |p: &Value| user_names(p) == want;

    let (mut r, _, _) = connect(&other.base, &jonas, None).await;
    let (mut b, _, _) = connect(&other.base, &beat, None).await;
    let (mut s, _, _) = connect(&app.base, &sandra, None).await;
    b.presence_until(names(&["Beat Huber", "Sandra Meier"]))
        .await;
    s.presence_until(names(&["Beat Huber", "Sandra Meier"]))
        .await;

    // Sandra drags here; Beat sees it there.
    s.send(activity(&call, "dragging")).await;
    let dragging = vec![(
        "Sandra Meier".to_owned(),
        call.clone(),
        "dragging".to_owned(),
    )];
    let (_, _) = b.presence_until(|p| activities(p) == dragging).await;

    // Sandra opens a second tab on the other process and closes this one: still online
    // (once), her lock gone; then the second tab goes too.
    let (mut s2, _, _) = connect(&other.base, &sandra, None).await;
    s2.presence_until(names(&["Beat Huber", "Sandra Meier"]))
        .await;
    s.close().await;
    let (released, on_the_way) = b.presence_until(|p| activities(p).is_empty()).await;
    assert_eq!(user_names(&released), ["Beat Huber", "Sandra Meier"]);
    assert!(on_the_way.is_empty(), "one picture: {on_the_way:?}");
    drop(s2);
    b.presence_until(names(&["Beat Huber"])).await;

    // Jonas, on the same process as Beat, only ever saw Rhein: up to his colleague
    // arriving through this process.
    let greta = second_dispatcher(&app, "Rhein", "Greta Vogel", "greta@rhein.example").await;
    let (g, _, _) = connect(&app.base, &greta, None).await;
    let (_, on_the_way) = r
        .presence_until(names(&["Greta Vogel", "Jonas Becker"]))
        .await;
    assert!(
        on_the_way
            .iter()
            .all(|p| user_names(p) == ["Jonas Becker"] && activities(p).is_empty()),
        "Rhein saw only itself: {on_the_way:?}"
    );
    for client in [r, b, g] {
        client.close().await;
    }
}

/// The end-to-end harness's restart control: a 404 unless the server runs in demo mode
/// with `DEV_RESTART`, then (for a dispatcher) a 202 and an exit with the code its
/// supervisor restarts on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_restart_control_exists_only_when_asked_for_and_exits_for_the_supervisor() {
    let app = spawn_app(Backend::Sqlite).await;
    let alpen = app.sign_in(ALPEN, PASSWORD).await;
    let restart = |base: &str, cookie: Option<&str>| {
        let mut request = app.http.post(format!("{base}/api/v1/dev/restart"));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie.to_owned());
        }
        request.send()
    };
    assert_eq!(
        restart(&app.base, Some(&alpen)).await.unwrap().status(),
        404
    );

    let mut other = server_process_with(&app, &[("DEMO_MODE", "1"), ("DEV_RESTART", "1")]).await;
    assert_eq!(restart(&other.base, None).await.unwrap().status(), 401);
    let technician = app.sign_in("anna.keller@alpen.example", PASSWORD).await;
    assert_eq!(
        restart(&other.base, Some(&technician))
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        restart(&other.base, Some(&alpen)).await.unwrap().status(),
        202
    );
    let status = tokio::task::spawn_blocking(move || {
        let status = other.child.wait().expect("process ends");
        (status, other)
    })
    .await
    .unwrap()
    .0;
    assert_eq!(status.code(), Some(server::http::dev::RESTART_EXIT_CODE));
}

async fn a_technician_change_reaches_the_companys_boards_and_that_technician_only(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let sandra = app.sign_in(ALPEN, PASSWORD).await;
    let anna = app.sign_in("anna.keller@alpen.example", PASSWORD).await;
    let rhein = app.sign_in(RHEIN, PASSWORD).await;
    let technicians: Value = app
        .http
        .get(app.url("/api/v1/technicians"))
        .header("cookie", &sandra)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_of = |name: &str| {
        technicians
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let (luca, anna_id) = (id_of("Luca Brunner"), id_of("Anna Keller"));
    let (mut board, _, _) = connect(&app.base, &sandra, None).await;
    let (mut annas, _, _) = connect(&app.base, &anna, None).await;
    let (mut other, _, _) = connect(&app.base, &rhein, None).await;
    let rename = |id: String, name: &'static str| {
        let app = &app;
        let sandra = &sandra;
        async move {
            app.http
                .patch(app.url(&format!("/api/v1/technicians/{id}")))
                .header("cookie", sandra)
                .json(&serde_json::json!({ "name": name }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };

    // A colleague renames Luca: the dispatcher's board hears of it, with his new entry.
    assert_eq!(rename(luca.clone(), "Luca Brunner-Meier").await, 200);
    let changed = board.next().await;
    assert_eq!(changed["type"], "technician_changed");
    assert_eq!(changed["technician_id"], luca);
    assert_eq!(changed["technician"]["name"], "Luca Brunner-Meier");
    // Anna hears nothing of a colleague; Rhein nothing of Alpen.
    annas.assert_silent(Duration::from_millis(300)).await;
    other.assert_silent(Duration::from_millis(300)).await;

    // Anna's own change reaches her too.
    assert_eq!(rename(anna_id.clone(), "Anna Keller-Frei").await, 200);
    for client in [&mut board, &mut annas] {
        let changed = client.next().await;
        assert_eq!(changed["type"], "technician_changed");
        assert_eq!(changed["technician_id"], anna_id);
    }
    other.assert_silent(Duration::from_millis(300)).await;
    for client in [board, annas, other] {
        client.close().await;
    }
}

/// During a rolling upgrade an instance of the version before numbering at commit still
/// writes events numbered in its transaction (counter and event together); the trigger
/// of the new version leaves such an event as it is, and the next event follows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_numbered_by_an_older_instance_is_left_as_it_is() {
    use sqlx::Row;
    let app = spawn_app(Backend::Postgres).await;
    let company = company_id(&app, "Alpen").await.to_string();
    let db = &app.state.db;

    let mut tx = db.pool.begin().await.unwrap();
    let seq: i64 = sqlx::query(
        "INSERT INTO company_seq (company_id, seq) VALUES ($1, 1) \
         ON CONFLICT (company_id) DO UPDATE SET seq = company_seq.seq + 1 RETURNING seq",
    )
    .bind(&company)
    .fetch_one(&mut *tx)
    .await
    .unwrap()
    .get("seq");
    let payload = format!("{{\"seq\":{seq},\"type\":\"reload\"}}");
    sqlx::query(
        "INSERT INTO board_events (company_id, seq, kind, call_id, payload, created_at) \
         VALUES ($1, $2, 'reload', NULL, $3, 0)",
    )
    .bind(&company)
    .bind(seq)
    .bind(&payload)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let stored = |seq: i64| {
        let (company, pool) = (company.clone(), db.pool.clone());
        async move {
            sqlx::query("SELECT payload FROM board_events WHERE company_id = $1 AND seq = $2")
                .bind(company)
                .bind(seq)
                .fetch_optional(&pool)
                .await
                .unwrap()
                .map(|row| row.get::<String, _>("payload"))
        }
    };
    assert_eq!(stored(seq).await, Some(payload), "kept as written");
    assert_eq!(
        server::live::log::head(db, company.parse().unwrap())
            .await
            .unwrap(),
        seq
    );

    // The new version's next event follows it.
    create_request(&app, "MKT-ROLLING-1").await;
    let next = stored(seq + 1).await.expect("the next event is seq + 1");
    assert!(
        next.starts_with(&format!("{{\"seq\":{},", seq + 1)),
        "{next}"
    );
    assert!(stored(seq + 2).await.is_none(), "numbered once");
}
