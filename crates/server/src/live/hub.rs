//! The fan-out: per-company broadcast channels of this instance's WebSocket subscribers,
//! fed after commit (SQLite) or by a `PgListener` on the `board_events` channel
//! (PostgreSQL, so a change through any instance reaches the boards on all of them).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::extract::ws::Utf8Bytes;
use sqlx::postgres::PgListener;
use tokio::{
    sync::{broadcast, watch},
    task::JoinHandle,
};
use uuid::Uuid;

use super::log;
use crate::db::{Db, Engine};

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
}

struct Inner {
    /// Turns `true` when the server stops: every WebSocket closes.
    closing: watch::Sender<bool>,
    channels: Mutex<HashMap<Uuid, broadcast::Sender<Fanout>>>,
    /// The PostgreSQL listener, listening since [`Hub::connect`] and taken by
    /// [`Hub::spawn`].
    listener: Mutex<Option<PgListener>>,
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
        let hub = Self {
            engine: db.engine,
            inner: Arc::new(Inner {
                closing: watch::Sender::new(false),
                channels: Mutex::default(),
                listener: Mutex::default(),
            }),
        };
        if db.engine == Engine::Postgres {
            let mut listener = PgListener::connect(url).await?;
            listener.listen(log::CHANNEL).await?;
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

    fn catch_up_all(&self) {
        let channels = self.inner.channels.lock().expect("hub lock");
        for sender in channels.values() {
            let _ = sender.send(Fanout::CatchUp);
        }
    }

    /// Call once the transaction that wrote `events` has committed. SQLite (one instance)
    /// delivers them here; on PostgreSQL the `NOTIFY` of the commit does, on every
    /// instance alike.
    pub fn after_commit(&self, events: Vec<LiveEvent>) {
        if self.engine == Engine::Sqlite {
            for event in events {
                self.deliver(Arc::new(event));
            }
        }
    }

    /// Runs the PostgreSQL listener until `stop` (nothing to run on SQLite): each
    /// notification names an event, which is read from the log once and handed to the
    /// local subscribers.
    pub fn spawn(&self, db: Db, mut stop: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
        let mut listener = self.inner.listener.lock().expect("hub lock").take()?;
        let hub = self.clone();
        Some(tokio::spawn(async move {
            loop {
                let received = tokio::select! {
                    _ = stop.changed() => break,
                    received = listener.try_recv() => received,
                };
                match received {
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
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "live listener failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        hub.catch_up_all();
                    }
                }
            }
        }))
    }
}

fn parse_payload(payload: &str) -> Option<(Uuid, i64)> {
    let (company, seq) = payload.split_once(':')?;
    Some((Uuid::parse_str(company).ok()?, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_payloads_name_company_and_seq() {
        let company = Uuid::from_u128(7);
        assert_eq!(parse_payload(&format!("{company}:42")), Some((company, 42)));
        assert_eq!(parse_payload("nonsense"), None);
        assert_eq!(parse_payload(&format!("{company}:x")), None);
    }
}
