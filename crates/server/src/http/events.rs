//! `GET /api/v1/events`: the live board as a WebSocket for a signed-in user. The
//! stream carries the events of the user's company only, each a JSON text message
//! `{"seq": n, "type": "…", …}`.
//!
//! `?since=N` resumes: the socket first sends every stored event after `N`, in order,
//! then the live ones, with neither gap nor duplicate at the hand-over (it subscribes
//! before reading the log and drops live events it has already sent). When `N` is older
//! than the kept log it sends `{"type": "reload"}` instead. Either way a
//! `{"type": "ready", "seq": n}` follows once the client is up to date at `n`. The
//! server pings every 20 s and closes connections that miss a pong.
//!
//! For a dispatcher the socket also carries presence (see [`crate::live::presence`]):
//! after `ready` a `{"type": "presence", "users": […], "activities": […]}` message with
//! the company's current picture, then a new one whenever it changes. These have no
//! `seq` and are never replayed. The dispatcher's board sends
//! `{"type": "activity", "call_id": …, "action": "dragging" | "editing" | "idle"}`; a call
//! that is not on the company's board is answered `{"type": "activity_refused"}` to the
//! sender alone and goes no further.

use std::time::Duration;

use axum::{
    extract::{
        rejection::QueryRejection,
        ws::rejection::WebSocketUpgradeRejection,
        ws::{Message, WebSocket, WebSocketUpgrade},
        Query, State,
    },
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use futures_util::{stream::SplitSink, SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{
    auth::Session,
    error::{problem_response, Error},
};
use crate::{
    config::Config,
    db::calls as store,
    live::{self, kind, log, Fanout, PresenceGuard},
    AppState,
};
use domain::{
    api::{
        live::{ActivityAction, ClientMessage, PresenceUser, ACTIVITY_REFUSED},
        Me, Problem, Role,
    },
    view::CallView,
};

/// How often the server pings; a connection that has not answered the previous ping by
/// the next one is closed.
pub const PING_EVERY: Duration = Duration::from_secs(20);

/// The largest message a board may send (an activity is about a hundred bytes).
const MAX_CLIENT_MESSAGE: usize = 1024;

/// The routes of this module (the WebSocket is not part of the OpenAPI document).
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/events", get(stream_events))
}

/// `?since=N`: the last sequence number the client has applied.
#[derive(Debug, Deserialize)]
struct EventsParams {
    since: Option<i64>,
}

/// The scheme and authority of a URL (`https://relay.example:8443`), lower case.
fn origin_of(url: &str) -> String {
    let url = url.trim().to_ascii_lowercase();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!("{scheme}://{authority}")
        }
        None => url,
    }
}

/// Whether the browser page behind this request may open the socket: no `Origin` (not a
/// browser), the server's own `PUBLIC_URL` origin, the host the request was sent to, or
/// one of `ALLOWED_ORIGINS`. Anything else would let a foreign site ride on the
/// dispatcher's cookie (cross-site WebSocket hijacking).
pub fn origin_allowed(config: &Config, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin_of(origin);
    if origin == origin_of(&config.public_url) || config.allowed_origins.contains(&origin) {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    let authority = origin.split_once("://").map(|(_, a)| a.to_owned());
    host.is_some() && authority == host
}

fn forbidden_origin() -> Response {
    problem_response(Problem {
        kind: "/problems/forbidden-origin".to_owned(),
        title: "Forbidden".to_owned(),
        status: StatusCode::FORBIDDEN.as_u16(),
        detail: Some("this origin may not open the live board".to_owned()),
        errors: Vec::new(),
        current: None,
    })
}

/// Upgrades to the live board: 403 for a foreign `Origin`, 401 without a session.
async fn stream_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<EventsParams>, QueryRejection>,
    session: Result<Session, Error>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if !origin_allowed(&state.config, &headers) {
        return forbidden_origin();
    }
    let session = match session {
        Ok(session) => session,
        Err(e) => return e.into_response(),
    };
    let Query(params) = match params {
        Ok(params) => params,
        Err(e) => {
            return Error::BadRequest {
                code: "bad-query",
                detail: e.body_text(),
            }
            .into_response()
        }
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(e) => return e.into_response(),
    };
    let me = session.me;
    upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| async move {
            let company = me.company.id;
            if let Err(e) = run(socket, state, me, params.since).await {
                tracing::debug!(%company, error = %e, "live socket ended");
            }
        })
}

/// Why a socket stopped.
#[derive(Debug, thiserror::Error)]
enum Ended {
    #[error("client gone: {0}")]
    Socket(#[from] axum::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

type Sink = SplitSink<WebSocket, Message>;

/// Sends every stored event after `*last` (page by page), advancing `*last`. A client
/// that has fallen behind the kept log is told to reload and continues from the head.
async fn catch_up(
    state: &AppState,
    company: Uuid,
    last: &mut i64,
    sink: &mut Sink,
) -> Result<(), Ended> {
    loop {
        let page = log::after(&state.db, company, *last).await?;
        if page.first().is_some_and(|e| e.seq > *last + 1) {
            let head = log::head(&state.db, company).await?;
            sink.send(Message::Text(
                live::control_message(kind::RELOAD, head).into(),
            ))
            .await?;
            *last = head;
            return Ok(());
        }
        for event in &page {
            sink.send(Message::Text(event.text.clone())).await?;
            *last = event.seq;
        }
        if page.len() < usize::try_from(log::PAGE).unwrap_or(usize::MAX) {
            return Ok(());
        }
    }
}

/// Takes in one message of the board: an activity on a call of the company's board is
/// passed on (stamped with the sender's name by the registry), anything else is refused
/// to the sender alone.
async fn receive_activity(
    state: &AppState,
    company: Uuid,
    presence: Option<&PresenceGuard>,
    text: &str,
    sink: &mut Sink,
) -> Result<(), Ended> {
    let Ok(ClientMessage::Activity { call_id, action }) = serde_json::from_str(text) else {
        tracing::debug!(%company, "unreadable message on the live socket");
        return Ok(());
    };
    let Some(presence) = presence else {
        return refuse_activity(sink).await;
    };
    let call = match (call_id, action) {
        (_, ActivityAction::Idle) | (None, _) => None,
        (Some(id), _) => {
            let on_board = store::find(&state.db, id)
                .await?
                .and_then(|call| CallView::for_company(&call, company))
                .is_some_and(|view| view.on_board());
            if !on_board {
                return refuse_activity(sink).await;
            }
            Some(id)
        }
    };
    state.live.set_activity(presence, call, action);
    Ok(())
}

async fn refuse_activity(sink: &mut Sink) -> Result<(), Ended> {
    let refused = serde_json::json!({ "type": ACTIVITY_REFUSED }).to_string();
    sink.send(Message::Text(refused.into())).await?;
    Ok(())
}

/// One connection: backlog, then live events, presence, pings, until either side goes.
async fn run(socket: WebSocket, state: AppState, me: Me, since: Option<i64>) -> Result<(), Ended> {
    let company = me.company.id;
    // Subscribe before reading the log: nothing committed meanwhile can fall between.
    let mut events = state.live.subscribe(company);
    let mut closing = state.live.closing();
    let (mut sink, mut stream) = socket.split();

    let mut last = match since {
        Some(since) if log::can_resume(&state.db, company, since).await? => since,
        Some(_) => {
            let head = log::head(&state.db, company).await?;
            sink.send(Message::Text(
                live::control_message(kind::RELOAD, head).into(),
            ))
            .await?;
            head
        }
        None => log::head(&state.db, company).await?,
    };
    catch_up(&state, company, &mut last, &mut sink).await?;
    sink.send(Message::Text(
        live::control_message(kind::READY, last).into(),
    ))
    .await?;

    // A dispatcher is online from here until the socket ends (the guard leaves on drop,
    // however `run` returns); technicians' sockets take no part in presence.
    let (presence, mut last_presence) = if me.role == Role::Dispatcher {
        let user = PresenceUser {
            id: me.user_id,
            name: me.name.clone(),
        };
        let (guard, picture) = state.live.join(company, user);
        sink.send(Message::Text(picture.clone())).await?;
        (Some(guard), Some(picture))
    } else {
        (None, None)
    };

    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let mut awaiting_pong = false;
    loop {
        tokio::select! {
            received = events.recv() => match received {
                Ok(Fanout::Event(event)) if event.seq <= last => {}
                Ok(Fanout::Event(event)) if event.seq == last + 1 => {
                    sink.send(Message::Text(event.text.clone())).await?;
                    last = event.seq;
                }
                Ok(Fanout::Presence(picture)) => {
                    if presence.is_some() && last_presence.as_ref() != Some(&picture) {
                        sink.send(Message::Text(picture.clone())).await?;
                        last_presence = Some(picture);
                    }
                }
                // A gap (events delivered out of order, or lost notifications) or a lag:
                // the log has everything up to the newest event seen.
                Ok(Fanout::Event(_) | Fanout::CatchUp) => {
                    catch_up(&state, company, &mut last, &mut sink).await?;
                }
                Err(RecvError::Lagged(_)) => {
                    catch_up(&state, company, &mut last, &mut sink).await?;
                    // Pictures may have been lost with the events: send the current one.
                    if presence.is_some() {
                        let picture = state.live.presence_message(company);
                        if last_presence.as_ref() != Some(&picture) {
                            sink.send(Message::Text(picture.clone())).await?;
                            last_presence = Some(picture);
                        }
                    }
                }
                Err(RecvError::Closed) => break,
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Pong(_))) => awaiting_pong = false,
                Some(Ok(Message::Text(text))) => {
                    receive_activity(&state, company, presence.as_ref(), &text, &mut sink).await?;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if awaiting_pong {
                    tracing::debug!(%company, "live socket missed a pong; closing");
                    break;
                }
                sink.send(Message::Ping(Default::default())).await?;
                awaiting_pong = true;
            }
            () = async { let _ = closing.wait_for(|closing| *closing).await; } => {
                let _ = sink.send(Message::Close(None)).await;
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().unwrap());
        if let Some(origin) = origin {
            h.insert(header::ORIGIN, origin.parse().unwrap());
        }
        h
    }

    #[test]
    fn own_host_public_url_and_listed_origins_are_allowed_others_not() {
        let mut config = Config::for_tests("sqlite::memory:");
        config.public_url = "https://relay.example/app".to_owned();
        config.allowed_origins = vec!["https://partner.example".to_owned()];
        let ok = |o: Option<&str>, host: &str| origin_allowed(&config, &headers(o, host));
        assert!(ok(None, "127.0.0.1:8080"));
        assert!(ok(Some("https://relay.example"), "10.0.0.5:8080"));
        assert!(ok(Some("https://partner.example"), "relay.example"));
        assert!(ok(Some("http://127.0.0.1:8080"), "127.0.0.1:8080"));
        assert!(!ok(Some("https://evil.example"), "relay.example"));
        assert!(!ok(Some("http://127.0.0.1:9999"), "127.0.0.1:8080"));
        assert!(!ok(Some("null"), "relay.example"));
    }
}
