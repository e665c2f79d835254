//! Notifications: the outbox (written in the change's transaction) and the transports
//! that deliver it.

pub mod outbox;
