//! Every way a command can be refused.
//!
//! Each refusal is its own variant with a stable kebab-case [`DomainError::code`] (the
//! server turns it into the problem+json `type`, `/problems/<code>`, and the app picks a
//! translated message by it) and a suggested HTTP status ([`DomainError::http_status`]).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::call::Status;
use crate::money::Currency;
use crate::slot::SlotError;
use crate::technician::Missing;

/// Why a service call is not ready (green) yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReadinessGap {
    /// No date/time defined.
    NoSlot,
    /// No technician assigned.
    NoTechnician,
    /// Nobody has confirmed calling the client.
    ClientNotCalled,
}

/// A refused command or invalid value. Never a panic.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// The call (or the technician, or the order line) does not exist for this actor. Also
    /// used for another company's data, so that its existence is never revealed.
    #[error("not found")]
    NotFound,
    /// The actor may not perform this command at all (e.g. the marketplace assigning a
    /// technician, a technician accepting a request).
    #[error("this actor may not perform this action")]
    Forbidden,
    /// A technician of the company acting on a call assigned to somebody else.
    #[error("the call is not assigned to this technician")]
    NotAssignedTechnician,
    /// Another company accepted the request first.
    #[error("the request was already accepted by another partner")]
    AlreadyAccepted,
    /// This company declined the request and cannot accept it any more.
    #[error("the request was declined by this company")]
    OfferDeclined,
    /// This company gave the call up for redistribution; it is never offered to it again.
    #[error("the company gave this call up for redistribution")]
    CompanyExcluded,
    /// The command needs an accepted call, and nobody has accepted this one.
    #[error("the request has not been accepted")]
    NotAccepted,
    /// The call is closed; nothing can change any more.
    #[error("the call is closed")]
    CallClosed,
    /// The call is cancelled; nothing can change any more.
    #[error("the call is cancelled")]
    CallCancelled,
    /// Work has started; the date/time and the technician are fixed now.
    #[error("work on the call has already started")]
    AlreadyStarted,
    /// Start or close needs a date/time, a technician and a called client.
    #[error("the call is not ready: {missing:?}")]
    NotReady { missing: Vec<ReadinessGap> },
    /// Only verified technicians can be assigned.
    #[error("the technician is not verified: {missing:?}")]
    NotVerified { missing: Vec<Missing> },
    /// The technician does not have the skill the service needs.
    #[error("the technician lacks the skill {skill:?}")]
    LacksSkill { skill: String },
    /// Amounts in different currencies were combined.
    #[error("currency mismatch: expected {expected}, found {found}")]
    CurrencyMismatch { expected: Currency, found: Currency },
    /// A currency code we do not support.
    #[error("unknown currency {0:?}")]
    UnknownCurrency(String),
    /// An amount too large to be real (or an arithmetic overflow).
    #[error("amount out of range")]
    AmountOutOfRange,
    /// A price or a discount below zero.
    #[error("amount must not be negative")]
    NegativeAmount,
    /// The change would make the order's total negative.
    #[error("the order total would be negative")]
    NegativeTotal,
    /// A quantity of zero or above [`crate::order::MAX_QUANTITY`].
    #[error("quantity out of range")]
    InvalidQuantity,
    /// The date/time is not acceptable.
    #[error("invalid time slot: {0}")]
    InvalidSlot(SlotError),
    /// No order line with this id.
    #[error("order line not found")]
    LineNotFound,
    /// An order line with this id already exists.
    #[error("an order line with this id already exists")]
    DuplicateLine,
    /// The package line can be re-priced but not removed.
    #[error("the package line cannot be removed")]
    LineNotRemovable,
    /// A work-report note, a material description or a discount description is empty
    /// (or too long).
    #[error("text is empty or too long")]
    InvalidText,
    /// Online card payment needs the client's signature.
    #[error("online card payment needs the client's signature")]
    SignatureRequired,
    /// "Client didn't answer" needs at least one logged "no answer" call attempt.
    #[error("no unanswered call attempt is logged")]
    NoUnansweredAttempt,
    /// None of the given companies can be offered the request (all excluded or already
    /// offered).
    #[error("no company left to offer the request to")]
    NothingToOffer,
    /// The change was based on an older version of the call.
    #[error("stale version: expected {expected}, current {current}")]
    StaleVersion { expected: i64, current: i64 },
    /// An IANA time-zone name we do not know.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// Undo takes back only the dispatcher's own last move (date/time or technician), and
    /// only within [`crate::flow::UNDO_WINDOW`]: the last change was something else, by
    /// someone else, already undone, too old, or its technician cannot take calls any
    /// more.
    #[error("the last change cannot be undone: only your own last move can, within 10 seconds")]
    UndoUnavailable,
    /// The command does not apply to a call in this status (a catch-all that should be
    /// rare; the specific variants above are preferred).
    #[error("not allowed while the call is {0:?}")]
    InvalidState(Status),
}

impl DomainError {
    /// Stable kebab-case code: the last segment of the problem+json `type`.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::NotFound => "not-found",
            DomainError::Forbidden => "forbidden",
            DomainError::NotAssignedTechnician => "not-assigned-technician",
            DomainError::AlreadyAccepted => "already-accepted",
            DomainError::OfferDeclined => "offer-declined",
            DomainError::CompanyExcluded => "company-excluded",
            DomainError::NotAccepted => "not-accepted",
            DomainError::CallClosed => "call-closed",
            DomainError::CallCancelled => "call-cancelled",
            DomainError::AlreadyStarted => "already-started",
            DomainError::NotReady { .. } => "not-ready",
            DomainError::NotVerified { .. } => "not-verified",
            DomainError::LacksSkill { .. } => "lacks-skill",
            DomainError::CurrencyMismatch { .. } => "currency-mismatch",
            DomainError::UnknownCurrency(_) => "unknown-currency",
            DomainError::AmountOutOfRange => "amount-out-of-range",
            DomainError::NegativeAmount => "negative-amount",
            DomainError::NegativeTotal => "negative-total",
            DomainError::InvalidQuantity => "invalid-quantity",
            DomainError::InvalidSlot(_) => "invalid-slot",
            DomainError::LineNotFound => "line-not-found",
            DomainError::DuplicateLine => "duplicate-line",
            DomainError::LineNotRemovable => "line-not-removable",
            DomainError::InvalidText => "invalid-text",
            DomainError::SignatureRequired => "signature-required",
            DomainError::NoUnansweredAttempt => "no-unanswered-attempt",
            DomainError::NothingToOffer => "nothing-to-offer",
            DomainError::StaleVersion { .. } => "stale-version",
            DomainError::UnknownTimeZone(_) => "unknown-time-zone",
            DomainError::UndoUnavailable => "undo-unavailable",
            DomainError::InvalidState(_) => "invalid-state",
        }
    }

    /// The HTTP status the server should answer with: 404 hides other companies' data,
    /// 403 a wrong actor, 409 a conflict with the call's current state, 422 bad input.
    pub fn http_status(&self) -> u16 {
        match self {
            DomainError::NotFound | DomainError::LineNotFound => 404,
            DomainError::Forbidden | DomainError::NotAssignedTechnician => 403,
            DomainError::AlreadyAccepted
            | DomainError::OfferDeclined
            | DomainError::CompanyExcluded
            | DomainError::NotAccepted
            | DomainError::CallClosed
            | DomainError::CallCancelled
            | DomainError::AlreadyStarted
            | DomainError::NotReady { .. }
            | DomainError::DuplicateLine
            | DomainError::StaleVersion { .. }
            | DomainError::UndoUnavailable
            | DomainError::InvalidState(_) => 409,
            DomainError::NotVerified { .. }
            | DomainError::LacksSkill { .. }
            | DomainError::CurrencyMismatch { .. }
            | DomainError::UnknownCurrency(_)
            | DomainError::AmountOutOfRange
            | DomainError::NegativeAmount
            | DomainError::NegativeTotal
            | DomainError::InvalidQuantity
            | DomainError::InvalidSlot(_)
            | DomainError::LineNotRemovable
            | DomainError::InvalidText
            | DomainError::SignatureRequired
            | DomainError::NoUnansweredAttempt
            | DomainError::NothingToOffer
            | DomainError::UnknownTimeZone(_) => 422,
        }
    }
}

impl From<SlotError> for DomainError {
    fn from(e: SlotError) -> Self {
        DomainError::InvalidSlot(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_kebab_case_and_statuses_are_known_classes() {
        let all = [
            DomainError::NotFound,
            DomainError::Forbidden,
            DomainError::NotAssignedTechnician,
            DomainError::AlreadyAccepted,
            DomainError::OfferDeclined,
            DomainError::CompanyExcluded,
            DomainError::NotAccepted,
            DomainError::CallClosed,
            DomainError::CallCancelled,
            DomainError::AlreadyStarted,
            DomainError::NotReady { missing: vec![] },
            DomainError::NotVerified { missing: vec![] },
            DomainError::LacksSkill {
                skill: "plumbing".into(),
            },
            DomainError::CurrencyMismatch {
                expected: Currency::CHF,
                found: Currency::EUR,
            },
            DomainError::UnknownCurrency("USD".into()),
            DomainError::AmountOutOfRange,
            DomainError::NegativeAmount,
            DomainError::NegativeTotal,
            DomainError::InvalidQuantity,
            DomainError::InvalidSlot(SlotError::EndNotAfterStart),
            DomainError::LineNotFound,
            DomainError::DuplicateLine,
            DomainError::LineNotRemovable,
            DomainError::InvalidText,
            DomainError::SignatureRequired,
            DomainError::NoUnansweredAttempt,
            DomainError::NothingToOffer,
            DomainError::StaleVersion {
                expected: 1,
                current: 2,
            },
            DomainError::UnknownTimeZone("Mars/Olympus".into()),
            DomainError::UndoUnavailable,
            DomainError::InvalidState(Status::Closed),
        ];
        let mut codes: Vec<_> = all.iter().map(DomainError::code).collect();
        for code in &codes {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{code}"
            );
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "codes must be unique");
        for e in &all {
            assert!([403, 404, 409, 422].contains(&e.http_status()), "{e:?}");
        }
    }

    #[test]
    fn contract_codes_and_statuses() {
        assert_eq!(DomainError::AlreadyAccepted.code(), "already-accepted");
        assert_eq!(DomainError::AlreadyAccepted.http_status(), 409);
        assert_eq!(DomainError::NotFound.http_status(), 404);
        assert_eq!(
            DomainError::NotVerified { missing: vec![] }.code(),
            "not-verified"
        );
        assert_eq!(DomainError::CallClosed.code(), "call-closed");
        assert_eq!(DomainError::CallCancelled.code(), "call-cancelled");
    }
}
