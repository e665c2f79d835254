//! Wire types of the live board's ephemeral side: who of the company is online
//! (presence) and which calls they are working on (soft locks).
//!
//! Unlike the board events these carry no sequence number and are never stored: a
//! `presence` message is the whole current picture of the company, sent when a socket
//! opens and whenever the picture changes, so a client that missed one (a dropped
//! connection) is right again with the next. The durable event stream stays gapless
//! because presence never takes a number from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a dispatcher is doing with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityAction {
    /// Dragging its block on the calendar.
    Dragging,
    /// Has its detail modal open.
    Editing,
    /// Done: no call in hand.
    Idle,
}

/// What a board sends over its socket (`{"type":"activity",…}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The sender started or stopped working on a call. `call_id` may be absent for
    /// `idle`.
    Activity {
        #[serde(default)]
        call_id: Option<Uuid>,
        action: ActivityAction,
    },
}

/// A colleague with an open board.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PresenceUser {
    pub id: Uuid,
    pub name: String,
}

/// One soft lock: `name` is working on `call_id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Activity {
    pub user_id: Uuid,
    /// The user's name as the server knows it (never what the client claimed).
    pub name: String,
    pub call_id: Uuid,
    /// `dragging` or `editing` (an `idle` activity is no activity).
    pub action: ActivityAction,
}

/// The `presence` message: every user of the company with a board open (each once,
/// however many tabs) and every call one of them is working on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub users: Vec<PresenceUser>,
    pub activities: Vec<Activity>,
}

/// The `type` of a [`Presence`] message.
pub const PRESENCE: &str = "presence";
/// The `type` of the answer to an activity the server would not pass on (an unknown or
/// another company's call, or a sender who is not a dispatcher). Only the sender gets
/// it, and it names no call.
pub const ACTIVITY_REFUSED: &str = "activity_refused";

/// The WebSocket close code of a socket whose session ended (sign-out, expiry,
/// deactivation, a new password): the app goes to the sign-in page instead of
/// reconnecting.
pub const SESSION_ENDED_CLOSE: u16 = 4401;

impl Presence {
    /// Puts users and activities in their canonical order (users by name, then id), so
    /// equal pictures serialise to equal messages.
    pub fn normalise(&mut self) {
        self.users
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        self.users.dedup_by_key(|u| u.id);
        self.activities.sort();
        self.activities.dedup();
    }

    /// Everyone online but `me`.
    pub fn colleagues(&self, me: Uuid) -> impl Iterator<Item = &PresenceUser> {
        self.users.iter().filter(move |u| u.id != me)
    }

    /// A colleague's (not `me`'s) activity on `call`; dragging wins over editing when
    /// several colleagues work on it, as the more imminent change.
    pub fn activity_on(&self, call: Uuid, me: Uuid) -> Option<&Activity> {
        self.colleague_activities(me)
            .filter(|a| a.call_id == call)
            .min_by_key(|a| a.action)
    }

    /// Every call a colleague (not `me`) works on, each with the activity
    /// [`Presence::activity_on`] picks for it: the whole board's soft locks at once.
    pub fn soft_locks(&self, me: Uuid) -> BTreeMap<Uuid, &Activity> {
        let mut locks: BTreeMap<Uuid, &Activity> = BTreeMap::new();
        for activity in self.colleague_activities(me) {
            locks
                .entry(activity.call_id)
                .and_modify(|held| {
                    // The first of the most imminent actions, as `min_by_key` picks.
                    if activity.action < held.action {
                        *held = activity;
                    }
                })
                .or_insert(activity);
        }
        locks
    }

    fn colleague_activities(&self, me: Uuid) -> impl Iterator<Item = &Activity> {
        self.activities
            .iter()
            .filter(move |a| a.user_id != me && a.action != ActivityAction::Idle)
    }
}

/// Initials for an avatar: the first letter of the first and of the last word
/// ("Sandra Meier" → "SM", "Cher" → "C").
pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().and_then(|w| w.chars().next());
    let last = words.next_back().and_then(|w| w.chars().next());
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

/// The first word of a name, for short labels ("Sandra Meier" → "Sandra").
pub fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
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

    fn activity(user: u128, call: u128, action: ActivityAction) -> Activity {
        Activity {
            user_id: Uuid::from_u128(user),
            name: format!("user {user}"),
            call_id: Uuid::from_u128(call),
            action,
        }
    }

    #[test]
    fn activity_messages_read_with_and_without_a_call() {
        let id = Uuid::from_u128(9);
        let parsed: ClientMessage = serde_json::from_str(&format!(
            r#"{{"type":"activity","call_id":"{id}","action":"dragging"}}"#
        ))
        .unwrap();
        assert_eq!(
            parsed,
            ClientMessage::Activity {
                call_id: Some(id),
                action: ActivityAction::Dragging
            }
        );
        let idle: ClientMessage =
            serde_json::from_str(r#"{"type":"activity","action":"idle"}"#).unwrap();
        assert_eq!(
            idle,
            ClientMessage::Activity {
                call_id: None,
                action: ActivityAction::Idle
            }
        );
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type":"shout"}"#).is_err());
    }

    #[test]
    fn normalised_pictures_compare_equal_whatever_the_order() {
        let mut a = Presence {
            users: vec![user(2, "Zoe"), user(1, "Anna"), user(1, "Anna")],
            activities: vec![
                activity(2, 5, ActivityAction::Editing),
                activity(1, 5, ActivityAction::Dragging),
            ],
        };
        let mut b = Presence {
            users: vec![user(1, "Anna"), user(2, "Zoe")],
            activities: vec![
                activity(1, 5, ActivityAction::Dragging),
                activity(2, 5, ActivityAction::Editing),
                activity(2, 5, ActivityAction::Editing),
            ],
        };
        a.normalise();
        b.normalise();
        assert_eq!(a, b);
        assert_eq!(a.users.len(), 2);
    }

    #[test]
    fn my_own_activity_is_not_a_colleagues_and_dragging_wins() {
        let presence = Presence {
            users: vec![user(1, "Anna"), user(2, "Ben")],
            activities: vec![
                activity(1, 5, ActivityAction::Dragging),
                activity(2, 5, ActivityAction::Editing),
            ],
        };
        let call = Uuid::from_u128(5);
        assert_eq!(
            presence
                .activity_on(call, Uuid::from_u128(1))
                .map(|a| a.user_id),
            Some(Uuid::from_u128(2))
        );
        assert_eq!(
            presence
                .activity_on(call, Uuid::from_u128(3))
                .map(|a| a.action),
            Some(ActivityAction::Dragging)
        );
        assert_eq!(
            presence.activity_on(Uuid::from_u128(6), Uuid::from_u128(3)),
            None
        );
        let others: Vec<_> = presence.colleagues(Uuid::from_u128(1)).collect();
        assert_eq!(others, vec![&user(2, "Ben")]);
    }

    #[test]
    fn soft_locks_agree_with_activity_on_for_every_call() {
        let presence = Presence {
            users: vec![user(1, "Anna"), user(2, "Ben"), user(3, "Cleo")],
            activities: vec![
                activity(1, 5, ActivityAction::Dragging),
                activity(2, 5, ActivityAction::Editing),
                activity(3, 5, ActivityAction::Dragging),
                activity(2, 6, ActivityAction::Idle),
                activity(3, 7, ActivityAction::Editing),
                activity(2, 7, ActivityAction::Editing),
            ],
        };
        for me in 0..=3 {
            let me = Uuid::from_u128(me);
            let locks = presence.soft_locks(me);
            for call in 4..=8 {
                let call = Uuid::from_u128(call);
                assert_eq!(locks.get(&call).copied(), presence.activity_on(call, me));
            }
        }
        let locks = presence.soft_locks(Uuid::from_u128(3));
        assert_eq!(locks.len(), 2, "an idle activity is no lock");
        assert_eq!(locks[&Uuid::from_u128(5)].user_id, Uuid::from_u128(1));
    }

    #[test]
    fn initials_take_first_and_last_word() {
        assert_eq!(initials("Sandra Meier"), "SM");
        assert_eq!(initials("anna maria keller"), "AK");
        assert_eq!(initials("Cher"), "C");
        assert_eq!(initials("  "), "");
        assert_eq!(initials("Élodie Durand"), "ÉD");
        assert_eq!(first_name("Sandra Meier"), "Sandra");
        assert_eq!(first_name("Cher"), "Cher");
    }
}
