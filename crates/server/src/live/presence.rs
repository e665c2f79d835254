//! Presence and soft locks: which dispatchers of a company have a board open, and which
//! call each is dragging or editing.
//!
//! Presence is ephemeral, so it stays out of the durable event log: it takes no sequence
//! number (the board events stay gapless) and is never replayed on resume. Each message
//! is the whole current picture of the company ([`Presence`]), sent when a socket opens
//! and whenever the picture changes; a client that misses one is right again with the
//! next.
//!
//! This module is the pure bookkeeping (no I/O, the clock passed in), driven by
//! [`super::Hub`]. Each instance knows its own connections. With PostgreSQL every instance
//! also gossips its own part of each company's picture on the [`CHANNEL`] notification
//! channel (on change, as a heartbeat, and when a new instance asks), and merges what it
//! hears from the others; the part of an instance that has gone silent (crashed) is
//! dropped after [`INSTANCE_TTL`]. On SQLite there is one instance and nothing to gossip.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use domain::api::live::{Activity, ActivityAction, Presence, PresenceUser, PRESENCE};

/// The PostgreSQL channel of presence gossip (the board events use [`super::log::CHANNEL`]).
pub const CHANNEL: &str = "board_presence";
/// A soft lock lapses this long after the sender last reported it (the app repeats it
/// while it lasts), so a lock whose `idle` never came does not stay forever.
pub const ACTIVITY_TTL: Duration = Duration::from_secs(45);
/// How often an instance repeats its part of every picture to the others.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// The part of an instance not heard of for this long is dropped (the instance died
/// without saying goodbye).
pub const INSTANCE_TTL: Duration = Duration::from_secs(35);
/// PostgreSQL refuses `NOTIFY` payloads of 8000 bytes and more.
const MAX_PAYLOAD: usize = 7900;

/// One WebSocket known to the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(u64);

#[derive(Debug)]
struct Conn {
    company: Uuid,
    user: PresenceUser,
    /// The call in hand, what is done with it, and when the lock lapses.
    activity: Option<(Uuid, ActivityAction, Instant)>,
}

/// Another instance's part of a company's picture.
#[derive(Debug)]
struct Remote {
    version: u64,
    presence: Presence,
    heard: Instant,
}

/// What instances tell each other.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Gossip {
    /// `instance`'s own part of `company`'s picture (empty: it has no board open there
    /// any more); a higher `version` replaces a lower one.
    Part {
        instance: Uuid,
        version: u64,
        company: Uuid,
        presence: Presence,
    },
    /// A new (or reconnected) instance asks every other for its parts.
    Sync { instance: Uuid },
}

/// What a change asks of the hub: new pictures for local subscribers, and gossip to
/// publish (PostgreSQL only). Applied in order.
#[derive(Debug, Default)]
pub struct Effects {
    /// `(company, presence message)`.
    pub deliver: Vec<(Uuid, Utf8Bytes)>,
    /// Notification payloads for [`CHANNEL`].
    pub publish: Vec<String>,
}

/// The presence bookkeeping of one instance.
#[derive(Debug)]
pub struct Registry {
    instance: Uuid,
    /// Whether other instances may exist (PostgreSQL): gossip is produced and heard.
    gossip: bool,
    next_conn: u64,
    /// Numbers this instance's gossip, so a reordered older part never wins.
    version: u64,
    conns: HashMap<ConnId, Conn>,
    remote: HashMap<Uuid, HashMap<Uuid, Remote>>,
    /// The picture last delivered per company.
    merged: HashMap<Uuid, Presence>,
    /// This instance's part last published per company.
    published: HashMap<Uuid, Presence>,
}

impl Registry {
    /// An empty registry; `gossip` when other instances may share the database.
    pub fn new(gossip: bool) -> Self {
        Self {
            instance: Uuid::new_v4(),
            gossip,
            next_conn: 0,
            version: 0,
            conns: HashMap::new(),
            remote: HashMap::new(),
            merged: HashMap::new(),
            published: HashMap::new(),
        }
    }

    /// A dispatcher's socket opened.
    pub fn join(&mut self, company: Uuid, user: PresenceUser) -> (ConnId, Effects) {
        self.next_conn += 1;
        let id = ConnId(self.next_conn);
        self.conns.insert(
            id,
            Conn {
                company,
                user,
                activity: None,
            },
        );
        let mut effects = Effects::default();
        self.refresh(company, &mut effects);
        (id, effects)
    }

    /// A socket closed, however (its locks go with it).
    pub fn leave(&mut self, conn: ConnId) -> Effects {
        let mut effects = Effects::default();
        if let Some(gone) = self.conns.remove(&conn) {
            self.refresh(gone.company, &mut effects);
        }
        effects
    }

    /// The socket's user now works on `call` (or, `Idle`, on none). The caller has
    /// checked that the call is on the company's board.
    pub fn set_activity(
        &mut self,
        conn: ConnId,
        call: Option<Uuid>,
        action: ActivityAction,
        now: Instant,
    ) -> Effects {
        let mut effects = Effects::default();
        let Some(entry) = self.conns.get_mut(&conn) else {
            return effects;
        };
        entry.activity = match (call, action) {
            (Some(call), ActivityAction::Dragging | ActivityAction::Editing) => {
                Some((call, action, now + ACTIVITY_TTL))
            }
            _ => None,
        };
        let company = entry.company;
        self.refresh(company, &mut effects);
        effects
    }

    /// The company's current picture as a message (for a socket that just opened).
    pub fn message(&self, company: Uuid) -> Utf8Bytes {
        message(&self.merged.get(&company).cloned().unwrap_or_default())
    }

    /// Lapses expired locks and forgets silent instances.
    pub fn tick(&mut self, now: Instant) -> Effects {
        let mut touched = Vec::new();
        for conn in self.conns.values_mut() {
            if conn.activity.is_some_and(|(_, _, until)| until <= now) {
                conn.activity = None;
                touched.push(conn.company);
            }
        }
        for (company, parts) in &mut self.remote {
            let before = parts.len();
            parts.retain(|_, part| now.duration_since(part.heard) < INSTANCE_TTL);
            if parts.len() != before {
                touched.push(*company);
            }
        }
        self.remote.retain(|_, parts| !parts.is_empty());
        touched.sort_unstable();
        touched.dedup();
        let mut effects = Effects::default();
        for company in touched {
            self.refresh(company, &mut effects);
        }
        effects
    }

    /// Republishes this instance's part of every company it has boards of (heartbeat,
    /// or another instance asked).
    pub fn heartbeat(&mut self) -> Effects {
        let mut effects = Effects::default();
        if !self.gossip {
            return effects;
        }
        let mut companies: Vec<Uuid> = self.conns.values().map(|c| c.company).collect();
        companies.sort_unstable();
        companies.dedup();
        for company in companies {
            let part = self.local(company);
            self.publish(company, part, &mut effects);
        }
        effects
    }

    /// The gossip asking every other instance for its parts (sent on start-up).
    pub fn sync_request(&self) -> String {
        serde_json::to_string(&Gossip::Sync {
            instance: self.instance,
        })
        .expect("gossip serialises")
    }

    /// Takes in another instance's gossip.
    pub fn heard(&mut self, payload: &str, now: Instant) -> Effects {
        let mut effects = Effects::default();
        let Ok(gossip) = serde_json::from_str::<Gossip>(payload) else {
            tracing::warn!(payload, "odd presence notification");
            return effects;
        };
        match gossip {
            Gossip::Sync { instance } if instance != self.instance => self.heartbeat(),
            Gossip::Part {
                instance,
                version,
                company,
                presence,
            } if instance != self.instance => {
                let parts = self.remote.entry(company).or_default();
                if parts.get(&instance).is_some_and(|p| p.version >= version) {
                    return effects;
                }
                if presence.users.is_empty() {
                    parts.remove(&instance);
                } else {
                    parts.insert(
                        instance,
                        Remote {
                            version,
                            presence,
                            heard: now,
                        },
                    );
                }
                if parts.is_empty() {
                    self.remote.remove(&company);
                }
                self.refresh(company, &mut effects);
                effects
            }
            // Our own gossip, back from the database.
            Gossip::Sync { .. } | Gossip::Part { .. } => effects,
        }
    }

    /// This instance's part of `company`'s picture.
    fn local(&self, company: Uuid) -> Presence {
        let mut part = Presence::default();
        // Many tabs of one user (a benchmark opens a thousand) make one entry.
        let mut listed = std::collections::HashSet::new();
        for conn in self.conns.values().filter(|c| c.company == company) {
            if listed.insert(conn.user.id) {
                part.users.push(conn.user.clone());
            }
            if let Some((call_id, action, _)) = conn.activity {
                part.activities.push(Activity {
                    user_id: conn.user.id,
                    name: conn.user.name.clone(),
                    call_id,
                    action,
                });
            }
        }
        part.normalise();
        part
    }

    fn publish(&mut self, company: Uuid, part: Presence, effects: &mut Effects) {
        self.version += 1;
        let payload = serde_json::to_string(&Gossip::Part {
            instance: self.instance,
            version: self.version,
            company,
            presence: part.clone(),
        })
        .expect("gossip serialises");
        if payload.len() > MAX_PAYLOAD {
            // Some hundred dispatchers of one company on one instance: the other
            // instances keep the last part that fitted.
            tracing::warn!(%company, bytes = payload.len(), "presence too large to gossip");
            return;
        }
        effects.publish.push(payload);
        if part.users.is_empty() {
            self.published.remove(&company);
        } else {
            self.published.insert(company, part);
        }
    }

    /// Recomputes `company`'s picture after a change: gossips this instance's part if it
    /// changed, and delivers the merged picture if that changed.
    fn refresh(&mut self, company: Uuid, effects: &mut Effects) {
        let part = self.local(company);
        if self.gossip && self.published.get(&company).cloned().unwrap_or_default() != part {
            self.publish(company, part.clone(), effects);
        }
        let mut merged = part;
        for remote in self
            .remote
            .get(&company)
            .into_iter()
            .flat_map(|p| p.values())
        {
            merged.users.extend(remote.presence.users.iter().cloned());
            merged
                .activities
                .extend(remote.presence.activities.iter().cloned());
        }
        merged.normalise();
        if self.merged.get(&company).cloned().unwrap_or_default() == merged {
            return;
        }
        effects.deliver.push((company, message(&merged)));
        if merged.users.is_empty() {
            self.merged.remove(&company);
        } else {
            self.merged.insert(company, merged);
        }
    }
}

/// `{"type":"presence","users":[…],"activities":[…]}`.
fn message(presence: &Presence) -> Utf8Bytes {
    let mut value = serde_json::to_value(presence).expect("presence serialises");
    if let Value::Object(map) = &mut value {
        map.insert("type".into(), Value::from(PRESENCE));
    }
    value.to_string().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: u128, name: &str) -> PresenceUser {
        PresenceUser {
            id: Uuid::from_u128(n),
            name: name.to_owned(),
        }
    }

    fn picture(effects: &Effects) -> Vec<Presence> {
        effects
            .deliver
            .iter()
            .map(|(_, text)| serde_json::from_str(text.as_str()).unwrap())
            .collect()
    }

    const ALPEN: Uuid = Uuid::from_u128(100);
    const RHEIN: Uuid = Uuid::from_u128(200);

    #[test]
    fn a_second_tab_changes_nothing_and_the_last_one_leaves() {
        let mut registry = Registry::new(false);
        let (first, joined) = registry.join(ALPEN, user(1, "Anna"));
        assert_eq!(picture(&joined)[0].users, vec![user(1, "Anna")]);
        let (second, again) = registry.join(ALPEN, user(1, "Anna"));
        assert!(again.deliver.is_empty(), "the same user twice is one user");
        assert!(registry.leave(first).deliver.is_empty());
        let gone = registry.leave(second);
        assert_eq!(gone.deliver.len(), 1);
        assert!(picture(&gone)[0].users.is_empty());
        assert!(again.publish.is_empty(), "nothing to gossip on SQLite");
    }

    #[test]
    fn companies_are_kept_apart() {
        let mut registry = Registry::new(false);
        registry.join(ALPEN, user(1, "Anna"));
        let (_, rhein) = registry.join(RHEIN, user(2, "Jonas"));
        assert_eq!(rhein.deliver.len(), 1);
        assert_eq!(rhein.deliver[0].0, RHEIN);
        assert_eq!(picture(&rhein)[0].users, vec![user(2, "Jonas")]);
    }

    #[test]
    fn locks_lapse_after_their_time_unless_repeated() {
        let mut registry = Registry::new(false);
        let start = Instant::now();
        let (anna, _) = registry.join(ALPEN, user(1, "Anna"));
        let call = Uuid::from_u128(7);
        let locked = registry.set_activity(anna, Some(call), ActivityAction::Dragging, start);
        assert_eq!(picture(&locked)[0].activities[0].call_id, call);
        assert_eq!(picture(&locked)[0].activities[0].name, "Anna");
        // Repeating the same lock changes nothing visible but extends it.
        let later = start + ACTIVITY_TTL / 2;
        let repeated = registry.set_activity(anna, Some(call), ActivityAction::Dragging, later);
        assert!(repeated.deliver.is_empty());
        assert!(registry.tick(start + ACTIVITY_TTL).deliver.is_empty());
        let lapsed = registry.tick(later + ACTIVITY_TTL);
        assert!(picture(&lapsed)[0].activities.is_empty());
        assert_eq!(picture(&lapsed)[0].users.len(), 1, "still online");
    }

    #[test]
    fn a_lock_goes_with_its_socket() {
        let mut registry = Registry::new(false);
        let now = Instant::now();
        let (anna, _) = registry.join(ALPEN, user(1, "Anna"));
        registry.join(ALPEN, user(2, "Ben"));
        registry.set_activity(anna, Some(Uuid::from_u128(7)), ActivityAction::Editing, now);
        let gone = registry.leave(anna);
        assert_eq!(picture(&gone)[0].users, vec![user(2, "Ben")]);
        assert!(picture(&gone)[0].activities.is_empty());
    }

    /// Two registries gossiping as two instances on one PostgreSQL would.
    #[test]
    fn instances_merge_each_others_parts_and_forget_silent_ones() {
        let now = Instant::now();
        let mut a = Registry::new(true);
        let mut b = Registry::new(true);
        let (_, joined_a) = a.join(ALPEN, user(1, "Anna"));
        let (_, joined_b) = b.join(ALPEN, user(1, "Anna"));
        // Both hear each other (and themselves, which changes nothing).
        for payload in &joined_a.publish {
            assert!(a.heard(payload, now).deliver.is_empty());
            assert!(b.heard(payload, now).deliver.is_empty(), "Anna is once");
        }
        let (_, ben) = b.join(ALPEN, user(2, "Ben"));
        for payload in &ben.publish {
            let heard = a.heard(payload, now);
            assert_eq!(
                picture(&heard)[0].users,
                vec![user(1, "Anna"), user(2, "Ben")]
            );
        }
        // An older part arriving late is ignored.
        assert!(a.heard(&joined_b.publish[0], now).deliver.is_empty());
        // B falls silent: after the TTL A forgets Ben.
        let forgot = a.tick(now + INSTANCE_TTL);
        assert_eq!(picture(&forgot)[0].users, vec![user(1, "Anna")]);
        // A new instance asking for parts gets them.
        let c = Registry::new(true);
        let answer = a.heard(&c.sync_request(), now);
        assert_eq!(answer.publish.len(), 1);
    }
}
