//! The fan-out: per-company broadcast channels of this instance's WebSocket subscribers,
//! fed after commit (SQLite) or by a `PgListener` on the `board_events` channel
//! (PostgreSQL, so a change through any instance reaches the boards on all of them).
//! The same channels carry the presence pictures of [`super::presence`], whose gossip
//! between instances rides on the same listener (channel `board_presence`), and so does
//! the end of a session (channel `board_sessions`): logout, deactivation and the like
//! close that user's sockets on every instance.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::extract::ws::Utf8Bytes;
use sqlx::postgres::PgListener;
use tokio::{
    sync::{broadcast, mpsc, watch},
    task::JoinHandle,
};
use uuid::Uuid;

use super::{
    log,
    presence::{self, ConnId, Effects, Registry},
};
use crate::db::{Db, Engine};
use domain::api::live::{ActivityAction, PresenceUser};

/// How many events one company's channel buffers for a slow subscriber; one that falls
/// further behind reads the rest from the log.
const CHANNEL_CAPACITY: usize = 1024;

/// One stored event, its message serialised once for every subscriber.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    pub company: Uuid,
    pub seq: i64,
    /// The JSON text message as the WebSocket sends it.
    pub text: Utf8Bytes,
}

impl LiveEvent {
    pub fn new(company: Uuid, seq: i64, payload: String) -> Self {
        Self {
            company,
            seq,
            text: payload.into(),
        }
    }
}

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum Fanout {
    /// The next event of the company (a subscriber checks it follows the last it sent).
    Event(Arc<LiveEvent>),
    /// Notifications may have been lost (the listener's connection dropped): read the
    /// log after the last event sent.
    CatchUp,
    /// The company's new presence picture (a whole `presence` message, no `seq`).
    Presence(Utf8Bytes),
    /// A user's session (or all their sessions) ended: their sockets close.
    SessionEnded(SessionEnd),
}

/// Whose sockets must close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEnd {
    pub user: Uuid,
    pub which: WhichSessions,
}

/// Which of a user's sessions ended (each named by its token's SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhichSessions {
    /// One session (logout).
    One(String),
    /// Every session (deactivation, removal).
    All,
    /// Every session but the one that made the change (a password change: the tab that
    /// changed it stays signed in).
    AllBut(String),
}

impl SessionEnd {
    /// Whether a socket of `user` opened with the session `session_hash` must close.
    pub fn concerns(&self, user: Uuid, session_hash: &str) -> bool {
        self.user == user
            && match &self.which {
                WhichSessions::One(s) => s == session_hash,
                WhichSessions::All => true,
                WhichSessions::AllBut(kept) => kept != session_hash,
            }
    }
}

/// The `NOTIFY` channel of ended sessions; payload `company:user:session-hash` (`*` for
/// every session of the user, `!session-hash` for every one but that).
pub const SESSIONS_CHANNEL: &str = "board_sessions";

struct Inner {
    /// Turns `true` when the server stops: every WebSocket closes.
    closing: watch::Sender<bool>,
    channels: Mutex<HashMap<Uuid, broadcast::Sender<Fanout>>>,
    /// The PostgreSQL listener, listening since [`Hub::connect`] and taken by
    /// [`Hub::spawn`].
    listener: Mutex<Option<PgListener>>,
    /// Who is online and working on what. Its lock is held while the resulting pictures
    /// are handed to the channels, so they arrive in the order they were made.
    presence: Mutex<Registry>,
    /// Presence gossip waiting to be published (PostgreSQL), and its reader, taken by
    /// [`Hub::spawn`].
    gossip: mpsc::UnboundedSender<String>,
    gossip_out: Mutex<Option<mpsc::UnboundedReceiver<String>>>,
}

/// The live events of this instance; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    engine: Engine,
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("engine", &self.engine)
            .field("companies", &self.companies())
            .finish()
    }
}

impl Hub {
    /// A hub for `db`; on PostgreSQL it is listening on [`log::CHANNEL`] before this
    /// returns, so no event committed after start-up is missed.
    pub async fn connect(db: &Db, url: &str) -> Result<Self, sqlx::Error> {
        let (gossip, gossip_out) = mpsc::unbounded_channel();
        let hub = Self {
            engine: db.engine,
            inner: Arc::new(Inner {
                closing: watch::Sender::new(false),
                channels: Mutex::default(),
                listener: Mutex::default(),
                presence: Mutex::new(Registry::new(db.engine == Engine::Postgres)),
                gossip,
                gossip_out: Mutex::new(Some(gossip_out)),
            }),
        };
        if db.engine == Engine::Postgres {
            let mut listener = PgListener::connect(url).await?;
            listener
                .listen_all([log::CHANNEL, presence::CHANNEL, SESSIONS_CHANNEL])
                .await?;
            *hub.inner.listener.lock().expect("hub lock") = Some(listener);
        }
        Ok(hub)
    }

    /// Receives `company`'s events from now on.
    pub fn subscribe(&self, company: Uuid) -> broadcast::Receiver<Fanout> {
        let mut channels = self.inner.channels.lock().expect("hub lock");
        channels
            .entry(company)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Resolves-to-`true` signal that the server is stopping.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    /// Closes every WebSocket of this instance (the server is stopping).
    pub fn close_all(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Companies with subscribers on this instance.
    pub fn companies(&self) -> usize {
        self.inner.channels.lock().expect("hub lock").len()
    }

    fn has_subscribers(&self, company: Uuid) -> bool {
        self.inner
            .channels
            .lock()
            .expect("hub lock")
            .contains_key(&company)
    }

    /// Hands an event to this instance's subscribers of its company.
    pub fn deliver(&self, event: Arc<LiveEvent>) {
        let mut channels = self.inner.channels.lock().expect("hub lock");
        if let Some(sender) = channels.get(&event.company) {
            if sender.send(Fanout::Event(event.clone())).is_err() {
                // Every subscriber has gone.
                channels.remove(&event.company);
            }
        }
    }

    fn deliver_session_end(&self, company: Uuid, end: SessionEnd) {
        let channels = self.inner.channels.lock().expect("hub lock");
        if let Some(sender) = channels.get(&company) {
            let _ = sender.send(Fanout::SessionEnded(end));
        }
    }

    /// Closes the live sockets of `user` of `company` — of the sessions `which` names —
    /// on every instance: in-process on SQLite, through
    /// `NOTIFY` on PostgreSQL (which reaches this instance too). Call it after the
    /// revocation has committed; the sockets also re-check their session periodically,
    /// so a lost notification only delays the close.
    pub async fn end_sessions(
        &self,
        db: &Db,
        company: Uuid,
        user: Uuid,
        which: WhichSessions,
    ) -> Result<(), sqlx::Error> {
        let payload = format!(
            "{company}:{user}:{}",
            match &which {
                WhichSessions::One(s) => s.clone(),
                WhichSessions::All => "*".to_owned(),
                WhichSessions::AllBut(kept) => format!("!{kept}"),
            }
        );
        if self.engine == Engine::Sqlite {
            self.deliver_session_end(company, SessionEnd { user, which });
            return Ok(());
        }
        sqlx::query("SELECT 1 AS queued FROM (SELECT pg_notify($1, $2)) AS n")
            .bind(SESSIONS_CHANNEL)
            .bind(payload)
            .execute(&db.pool)
            .await?;
        Ok(())
    }

    fn catch_up_all(&self) {
        let channels = self.inner.channels.lock().expect("hub lock");
        for sender in channels.values() {
            let _ = sender.send(Fanout::CatchUp);
        }
    }

    /// Call once the transaction that wrote `events` has committed. SQLite (one instance)
    /// delivers them here; on PostgreSQL the `NOTIFY` of the commit does, on every
    /// instance alike (and `events` is empty).
    pub fn after_commit(&self, events: log::Appended) {
        for event in events.0 {
            self.deliver(Arc::new(event));
        }
    }

    /// A dispatcher's socket opened: they count as online until the returned guard is
    /// dropped (the socket ended, however). Returns the company's picture with them.
    pub fn join(&self, company: Uuid, user: PresenceUser) -> (PresenceGuard, Utf8Bytes) {
        let mut registry = self.inner.presence.lock().expect("presence lock");
        let (conn, effects) = registry.join(company, user);
        self.apply(effects);
        let message = registry.message(company);
        drop(registry);
        let guard = PresenceGuard {
            hub: self.clone(),
            conn,
        };
        (guard, message)
    }

    /// The socket of `guard` now works on `call` (checked by the caller to be on the
    /// company's board), or with `Idle` on none.
    pub fn set_activity(&self, guard: &PresenceGuard, call: Option<Uuid>, action: ActivityAction) {
        self.with_presence(|r| r.set_activity(guard.conn, call, action, Instant::now()));
    }

    /// The company's current presence picture.
    pub fn presence_message(&self, company: Uuid) -> Utf8Bytes {
        self.inner
            .presence
            .lock()
            .expect("presence lock")
            .message(company)
    }

    fn with_presence(&self, change: impl FnOnce(&mut Registry) -> Effects) {
        let mut registry = self.inner.presence.lock().expect("presence lock");
        let effects = change(&mut registry);
        self.apply(effects);
    }

    /// Hands new pictures to the local subscribers and queues the gossip (called with
    /// the presence lock held, which keeps pictures in order).
    fn apply(&self, effects: Effects) {
        if !effects.deliver.is_empty() {
            let mut channels = self.inner.channels.lock().expect("hub lock");
            for (company, message) in effects.deliver {
                if let Some(sender) = channels.get(&company) {
                    if sender.send(Fanout::Presence(message)).is_err() {
                        channels.remove(&company);
                    }
                }
            }
        }
        if self.engine == Engine::Postgres {
            for payload in effects.publish {
                let _ = self.inner.gossip.send(payload);
            }
        }
    }

    /// Runs this instance's background work until `stop`: the presence clock (locks
    /// lapse, silent instances are forgotten, this instance's parts are repeated and
    /// published) and, on PostgreSQL, the listener: each board-event notification names
    /// an event, which is read from the log once and handed to the local subscribers;
    /// each presence notification is another instance's gossip.
    pub fn spawn(&self, db: Db, stop: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
        let mut tasks = Vec::new();
        if let Some(gossip) = self.inner.gossip_out.lock().expect("hub lock").take() {
            tasks.push(self.spawn_presence(db.clone(), gossip, stop.clone()));
        }
        if let Some(listener) = self.inner.listener.lock().expect("hub lock").take() {
            tasks.push(self.spawn_listener(db, listener, stop));
        }
        tasks
    }

    fn spawn_presence(
        &self,
        db: Db,
        mut gossip: mpsc::UnboundedReceiver<String>,
        mut stop: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        let hub = self.clone();
        if self.engine == Engine::Postgres {
            // Ask the instances already running for their parts.
            let request = self
                .inner
                .presence
                .lock()
                .expect("presence lock")
                .sync_request();
            let _ = self.inner.gossip.send(request);
        }
        tokio::spawn(async move {
            let mut clock = tokio::time::interval(Duration::from_secs(1));
            let mut heartbeat = tokio::time::interval(presence::HEARTBEAT);
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    Some(payload) = gossip.recv() => {
                        if let Err(e) = publish_gossip(&db, &payload).await {
                            tracing::warn!(error = %e, "publishing presence failed");
                        }
                    }
                    _ = clock.tick() => hub.with_presence(|r| r.tick(Instant::now())),
                    _ = heartbeat.tick() => hub.with_presence(Registry::heartbeat),
                }
            }
        })
    }

    fn spawn_listener(
        &self,
        db: Db,
        mut listener: PgListener,
        mut stop: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        let hub = self.clone();
        tokio::spawn(async move {
            loop {
                let received = tokio::select! {
                    _ = stop.changed() => break,
                    received = listener.try_recv() => received,
                };
                match received {
                    Ok(Some(notification)) if notification.channel() == SESSIONS_CHANNEL => {
                        match parse_session_end(notification.payload()) {
                            Some((company, end)) => hub.deliver_session_end(company, end),
                            None => tracing::warn!(
                                payload = notification.payload(),
                                "odd session notification"
                            ),
                        }
                    }
                    Ok(Some(notification)) if notification.channel() == presence::CHANNEL => {
                        let payload = notification.payload();
                        hub.with_presence(|r| r.heard(payload, Instant::now()));
                    }
                    Ok(Some(notification)) => {
                        let Some((company, seq)) = parse_payload(notification.payload()) else {
                            tracing::warn!(
                                payload = notification.payload(),
                                "odd live notification"
                            );
                            continue;
                        };
                        if !hub.has_subscribers(company) {
                            continue;
                        }
                        match log::one(&db, company, seq).await {
                            Ok(Some(event)) => hub.deliver(Arc::new(event)),
                            Ok(None) => hub.catch_up_all(),
                            Err(e) => {
                                tracing::warn!(error = %e, "reading a live event failed");
                                hub.catch_up_all();
                            }
                        }
                    }
                    Ok(None) => {
                        tracing::warn!("live listener lost its connection; reconnecting");
                        hub.catch_up_all();
                        hub.resync();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "live listener failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        hub.catch_up_all();
                        hub.resync();
                    }
                }
            }
        })
    }

    /// Gossip may have been missed: ask the other instances again.
    fn resync(&self) {
        let registry = self.inner.presence.lock().expect("presence lock");
        let _ = self.inner.gossip.send(registry.sync_request());
    }
}

/// Keeps a dispatcher's socket in the presence picture; dropping it leaves.
#[derive(Debug)]
pub struct PresenceGuard {
    hub: Hub,
    conn: ConnId,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        let conn = self.conn;
        self.hub.with_presence(|r| r.leave(conn));
    }
}

/// `NOTIFY board_presence, payload` outside any transaction.
async fn publish_gossip(db: &Db, payload: &str) -> Result<(), sqlx::Error> {
    // pg_notify returns `void`, which the `Any` driver cannot decode.
    sqlx::query("SELECT 1 AS queued FROM (SELECT pg_notify($1, $2)) AS n")
        .bind(presence::CHANNEL)
        .bind(payload)
        .execute(&db.pool)
        .await?;
    Ok(())
}

fn parse_payload(payload: &str) -> Option<(Uuid, i64)> {
    let (company, seq) = payload.split_once(':')?;
    Some((Uuid::parse_str(company).ok()?, seq.parse().ok()?))
}

fn parse_session_end(payload: &str) -> Option<(Uuid, SessionEnd)> {
    let mut parts = payload.splitn(3, ':');
    let company = Uuid::parse_str(parts.next()?).ok()?;
    let user = Uuid::parse_str(parts.next()?).ok()?;
    let which = match parts.next()? {
        "*" => WhichSessions::All,
        hash => match hash.strip_prefix('!') {
            Some(kept) => WhichSessions::AllBut(kept.to_owned()),
            None => WhichSessions::One(hash.to_owned()),
        },
    };
    Some((company, SessionEnd { user, which }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_notifications_name_company_user_and_session() {
        let (company, user) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let (c, end) = parse_session_end(&format!("{company}:{user}:abc")).unwrap();
        assert_eq!(c, company);
        assert!(end.concerns(user, "abc"));
        assert!(!end.concerns(user, "other"));
        let (_, all) = parse_session_end(&format!("{company}:{user}:*")).unwrap();
        assert!(all.concerns(user, "any") && !all.concerns(company, "any"));
        let (_, others) = parse_session_end(&format!("{company}:{user}:!abc")).unwrap();
        assert!(others.concerns(user, "other") && !others.concerns(user, "abc"));
        assert!(parse_session_end("x:y:z").is_none());
    }

    #[test]
    fn notification_payloads_name_company_and_seq() {
        let company = Uuid::from_u128(7);
        assert_eq!(parse_payload(&format!("{company}:42")), Some((company, 42)));
        assert_eq!(parse_payload("nonsense"), None);
        assert_eq!(parse_payload(&format!("{company}:x")), None);
    }
}
