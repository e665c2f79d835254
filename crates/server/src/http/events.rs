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
//!
//! A browser that keeps no session cookie (an embedded board whose partitioned cookie
//! was refused) authenticates with `?ticket=…`, a single-use ticket its bearer session
//! got from `POST /api/v1/events/ticket` a moment before.
//!
//! A socket lives no longer than its session: sign-out, deactivation and expiry close
//! it with code 4401 (`SESSION_ENDED_CLOSE`), on every instance (the hub's session
//! notifications), and the session is re-checked at every ping. A technician's socket
//! carries only the changes of their own calls and their own profile, never an offer
//! (`domain::visibility`); a call that stops being theirs arrives as a bare
//! `call_removed`.

use std::{collections::HashSet, time::Duration};

use axum::{
    extract::{
        rejection::QueryRejection,
        ws::rejection::WebSocketUpgradeRejection,
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
        Query, State,
    },
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use futures_util::{stream::SplitSink, SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{auth::Session, csrf::forbidden_origin, error::Error};
use crate::{
    db::{calls as store, sessions},
    live::{self, kind, log, Fanout, PresenceGuard, WhichSessions},
    AppState,
};
use domain::{
    api::{
        live::{
            ActivityAction, ClientMessage, PresenceUser, ACTIVITY_REFUSED, SESSION_ENDED_CLOSE,
        },
        Me, Role,
    },
    view::CallView,
    visibility::{technician_delivery, Delivery, Viewer},
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

/// Closes the live sockets of `user` — of the sessions `which` names — on every
/// instance. Call it once the revocation has committed; a
/// failure is only logged, since the sockets re-check their session at every ping.
pub async fn end_sessions(state: &AppState, company: Uuid, user: Uuid, which: WhichSessions) {
    if let Err(e) = state
        .live
        .end_sessions(&state.db, company, user, which)
        .await
    {
        tracing::warn!(%user, error = %e, "closing the ended session's sockets failed");
    }
}

/// `?since=N`: the last sequence number the client has applied (a misspelt `since`
/// must not silently start a fresh stream); nothing else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsParams {
    since: Option<i64>,
    /// A single-use ticket instead of the session cookie.
    ticket: Option<String>,
}

/// Upgrades to the live board: 403 for a foreign `Origin`, 401 without a session.
async fn stream_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<EventsParams>, QueryRejection>,
    session: Result<Session, Error>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // The same rule as for every state-changing request: a socket carries the
    // company's board, so a foreign page must not open one on the dispatcher's cookie
    // (cross-site WebSocket hijacking).
    // An embedded board's own page is on our origin; the company's partner origins are
    // trusted for its sessions as on the API.
    if let Err(why) = super::csrf::check_with_partners(&state, &headers).await {
        return forbidden_origin(why);
    }
    let Query(params) = match params {
        Ok(params) => params,
        Err(e) => return Error::from(e).into_response(),
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(e) => return e.into_response(),
    };
    let hash = match (session, params.ticket.as_deref()) {
        (Ok(session), _) => sessions::token_hash(session.token()),
        (Err(_), Some(ticket)) => {
            match crate::db::company::consume_token(
                &state.db,
                ticket,
                crate::db::company::TokenKind::Ticket,
            )
            .await
            {
                Ok(Some(used)) => match used.session_hash {
                    Some(hash) => hash,
                    None => return Error::Unauthorized.into_response(),
                },
                Ok(None) => return Error::Unauthorized.into_response(),
                Err(e) => return Error::from(e).into_response(),
            }
        }
        (Err(e), None) => return e.into_response(),
    };
    let (me, expires_at) = match sessions::lookup_live_by_hash(&state.db, &hash).await {
        Ok(Some(found)) => found,
        Ok(None) => return Error::Unauthorized.into_response(),
        Err(e) => return Error::from(e).into_response(),
    };
    let audience = match me.role {
        Role::Dispatcher => Audience::Dispatcher,
        Role::Technician => match store::assigned_to(&state.db, me.company.id, me.user_id).await {
            Ok(mine) => Audience::Technician {
                me: me.user_id,
                mine: mine.into_iter().collect(),
            },
            Err(e) => return Error::from(e).into_response(),
        },
    };
    let session = SocketSession { hash, expires_at };
    upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| async move {
            let company = me.company.id;
            if let Err(e) = run(socket, state, me, session, audience, params.since).await {
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

/// The session a socket was opened with: it lives no longer than that session.
struct SocketSession {
    /// The session token's hash.
    hash: String,
    /// Unix seconds.
    expires_at: i64,
}

impl SocketSession {
    fn hash(&self) -> String {
        self.hash.clone()
    }

    /// When the session expires, on the runtime's clock.
    fn deadline(&self) -> tokio::time::Instant {
        let left = u64::try_from(self.expires_at - crate::db::now()).unwrap_or(0);
        tokio::time::Instant::now() + Duration::from_secs(left)
    }
}

/// Closes the socket with the code that sends the app to the sign-in page.
async fn close_session_ended(sink: &mut Sink) {
    let frame = CloseFrame {
        code: SESSION_ENDED_CLOSE,
        reason: "session ended".into(),
    };
    let _ = sink.send(Message::Close(Some(frame))).await;
}

/// Whom the socket streams to: a dispatcher gets every event of the company; a
/// technician only the changes of their own calls and profile (`domain::visibility`),
/// with `mine` the calls that are theirs as far as they have been told.
enum Audience {
    Dispatcher,
    Technician { me: Uuid, mine: HashSet<Uuid> },
}

/// The parts of an event a technician's filter reads.
#[derive(Deserialize)]
struct Peek {
    seq: i64,
    #[serde(rename = "type")]
    kind: String,
    call_id: Option<Uuid>,
    call: Option<CallView>,
    technician_id: Option<Uuid>,
}

impl Audience {
    /// The message to send for the event `text`, if any.
    fn message(&mut self, text: &Utf8Bytes) -> Option<Utf8Bytes> {
        let Self::Technician { me, mine } = self else {
            return Some(text.clone());
        };
        let peek: Peek = serde_json::from_str(text.as_str()).ok()?;
        if peek.kind == kind::TECHNICIAN_CHANGED {
            return peek
                .technician_id
                .filter(|t| Viewer::Technician(*me).sees_technician(*t))
                .map(|_| text.clone());
        }
        let id = peek.call_id?;
        match technician_delivery(peek.call.as_ref(), *me, mine.contains(&id)) {
            Delivery::Show => {
                mine.insert(id);
                Some(text.clone())
            }
            Delivery::Withdraw => {
                mine.remove(&id);
                let removed = serde_json::json!({
                    "seq": peek.seq,
                    "type": kind::CALL_REMOVED,
                    "call_id": id,
                });
                Some(removed.to_string().into())
            }
            Delivery::Nothing => None,
        }
    }
}

/// Sends one stored event as the audience may see it.
async fn send_event(
    sink: &mut Sink,
    audience: &mut Audience,
    text: &Utf8Bytes,
) -> Result<(), Ended> {
    if let Some(message) = audience.message(text) {
        sink.send(Message::Text(message)).await?;
    }
    Ok(())
}

/// Sends every stored event after `*last` (page by page), advancing `*last`. A client
/// that has fallen behind the kept log is told to reload and continues from the head.
async fn catch_up(
    state: &AppState,
    company: Uuid,
    last: &mut i64,
    sink: &mut Sink,
    audience: &mut Audience,
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
            send_event(sink, audience, &event.text).await?;
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
async fn run(
    socket: WebSocket,
    state: AppState,
    me: Me,
    session: SocketSession,
    mut audience: Audience,
    since: Option<i64>,
) -> Result<(), Ended> {
    let company = me.company.id;
    let session_hash = session.hash();
    let expiry = tokio::time::sleep_until(session.deadline());
    tokio::pin!(expiry);
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
    catch_up(&state, company, &mut last, &mut sink, &mut audience).await?;
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
                    send_event(&mut sink, &mut audience, &event.text).await?;
                    last = event.seq;
                }
                Ok(Fanout::SessionEnded(end)) => {
                    if end.concerns(me.user_id, &session_hash) {
                        close_session_ended(&mut sink).await;
                        break;
                    }
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
                    catch_up(&state, company, &mut last, &mut sink, &mut audience).await?;
                }
                Err(RecvError::Lagged(_)) => {
                    catch_up(&state, company, &mut last, &mut sink, &mut audience).await?;
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
            () = &mut expiry => {
                close_session_ended(&mut sink).await;
                break;
            }
            _ = ping.tick() => {
                if awaiting_pong {
                    tracing::debug!(%company, "live socket missed a pong; closing");
                    break;
                }
                // Also re-check the session now and then: a revocation whose
                // notification was lost (a listener reconnecting) ends the socket here.
                if sessions::lookup_live_by_hash(&state.db, &session.hash).await?.is_none() {
                    close_session_ended(&mut sink).await;
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
