//! Business rules of the dispatch board: pure Rust, no I/O, shared by server and app.
//!
//! The crate is compiled into both the axum server and the Leptos wasm app, so the two
//! can never disagree on a rule. Nothing here reads a clock, a file or the network:
//! `now` and every fact about the outside world are passed in.
//!
//! # Where to start
//!
//! - [`call::ServiceCall`] — the aggregate: one booking from request to close, with its
//!   offers, tasks, order and history. Created with [`call::ServiceCall::new`] from a
//!   [`booking::BookingRequest`] (the marketplace's JSON, checked by
//!   [`booking::BookingRequest::validate`]).
//! - [`flow::apply`] — the state machine: `(call, command, actor, now) → (call, events)`
//!   or a [`error::DomainError`] with a stable `code()` and `http_status()`. Its module
//!   docs walk through the whole flow.
//! - [`event::Event`] — what changed, with the [`event::Notification`]s to deliver.
//! - [`colour::board_view`] — blue / white / orange / green and where a call shows.
//! - [`order`] — order lines and totals; [`money`] — integer minor units, no mixing.
//! - [`company::suitable_companies`] — whom the marketplace offers a booking to.
//! - [`technician::Verification`] — who may be assigned; [`slot`] — time slots, the
//!   15-minute grid, overlaps; [`tz`] — UTC ↔ a company's wall clock across DST;
//!   [`instant`] — instants read off the wire without chrono's general parser;
//!   [`date_text`] — the calendar's date texts per locale, as `Intl` writes them.
//! - [`api`] — the HTTP wire types of sessions and problems.
//!
//! # A whole flow
//!
//! ```
//! use domain::prelude::*;
//! # use uuid::Uuid;
//! let now: chrono::DateTime<chrono::Utc> = "2026-11-20T08:00:00Z".parse().unwrap();
//! let booking: BookingRequest = serde_json::from_str(r#"{"external_id": "MKT-1",
//!   "service": {"code": "plumbing.leak", "name": "Fix a leaking tap", "skill": "plumbing",
//!     "duration_minutes": 60, "recommended_price": {"amount_minor": 12000, "currency": "CHF"}},
//!   "client": {"name": "Anna Muster", "phone": "+41 79 123 45 67", "email": "anna@example.ch",
//!     "address": {"street": "Bahnhofstrasse 1", "postcode": "8001", "city": "Zürich", "country": "CH"}},
//!   "slot": {"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"}, "notes": null}"#).unwrap();
//! assert!(booking.validate().is_empty());
//! let (alpen, rhein) = (Uuid::from_u128(1), Uuid::from_u128(2));
//! let dispatcher = Actor::Dispatcher { user_id: Uuid::from_u128(10), company_id: alpen };
//!
//! let call = ServiceCall::new(Uuid::from_u128(99), booking, now);
//! let (call, _) = apply(&call, Command::Offer { companies: vec![alpen, rhein] }, &Actor::Marketplace, now).unwrap();
//! let (call, events) = apply(&call, Command::Accept, &dispatcher, now).unwrap();
//! assert_eq!(events[0].notifications[0].recipient, Recipient::ClientEmail);
//! // Dated but unassigned: white in the list and orange in the dispatcher's row.
//! assert_eq!(call.colour, Colour::White);
//!
//! let tech = TechnicianFacts { id: Uuid::from_u128(20), company_id: alpen, activated: true,
//!     has_photo: true, skills: vec!["plumbing".into()] };
//! let (call, _) = apply(&call, Command::Assign { technician: tech }, &dispatcher, now).unwrap();
//! let (call, _) = apply(&call, Command::ConfirmClientCalled, &dispatcher, now).unwrap();
//! assert_eq!(call.colour, Colour::Green);
//! ```
pub mod api;
pub mod booking;
pub mod call;
pub mod colour;
pub mod command;
pub mod company;
pub mod date_text;
pub mod error;
pub mod event;
pub mod flow;
pub mod instant;
pub mod locale;
pub mod money;
pub mod order;
pub mod partner;
pub mod signature;
pub mod slot;
pub mod technician;
pub mod text;
pub mod tz;
pub mod view;
pub mod visibility;

#[cfg(test)]
mod testkit;

/// The names most users need, in one `use domain::prelude::*`.
pub mod prelude {
    pub use crate::booking::{Address, BookingRequest, Client, ServiceType};
    pub use crate::call::{
        technician_conflicts, CallAttempt, CallOutcome, CancelReason, Cancellation, Closure, Offer,
        OfferState, PaymentMethod, ReportNote, ServiceCall, Status,
    };
    pub use crate::colour::{board_view, colour_of, BoardView, Colour, Place, Placement};
    pub use crate::command::{Actor, Command};
    pub use crate::company::{suitable_companies, Company, PostcodeRange};
    pub use crate::error::{DomainError, ReadinessGap};
    pub use crate::event::{Change, Channel, Event, Notification, NotificationKind, Recipient};
    pub use crate::flow::apply;
    pub use crate::money::{Currency, Money};
    pub use crate::order::{extra_unit_price, LineKind, Order, OrderLine};
    pub use crate::slot::{snap_to_grid, TimeSlot};
    pub use crate::technician::{Missing, TechnicianFacts, Verification};
    pub use crate::view::{CallView, ClientArea};
}
