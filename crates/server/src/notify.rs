//! Notifications: the outbox (written in the change's transaction), how the domain's
//! notifications become outbox rows, the worker that delivers them and its transports.

pub mod catalog;
pub mod format;
pub mod outbox;
pub mod render;
pub mod transport;
pub mod worker;
