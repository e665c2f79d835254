//! Wire types of the call endpoints (`/api/v1/calls…`) and the marketplace intake.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    call::{OfferState, ServiceCall, Status},
    money::Money,
    slot::TimeSlot,
    view::CallView,
};

/// `GET /api/v1/calls?from=&to=`: this company's offers and calls in the window, plus
/// the undated ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The company's last live-event sequence number when the read began: every change
    /// up to it is in `calls`. A live connection that starts at or before it needs no
    /// second read of the board (the stream brings everything after it).
    #[serde(default)]
    pub seq: i64,
    pub calls: Vec<CallView>,
}

/// `PATCH /api/v1/calls/{id}`: only the fields present change; `null` clears.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PatchCall {
    /// The version the change is based on; a stale one is answered 409 with the call.
    pub version: i64,
    #[serde(
        default,
        deserialize_with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<TimeSlot>))]
    pub slot: Option<Option<TimeSlot>>,
    #[serde(
        default,
        deserialize_with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub technician_id: Option<Option<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_called: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_price: Option<Money>,
}

/// `POST /api/v1/calls/{id}/undo`: takes back the caller's own last move of the call
/// (within [`crate::flow::UNDO_WINDOW`]), based on the version that move produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UndoMoveRequest {
    /// The call's version after the move; a stale one is answered 409 with the call.
    pub version: i64,
}

/// `POST /api/v1/marketplace/requests` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeAccepted {
    /// The call's id everywhere after.
    pub id: Uuid,
    pub offered_to: Vec<Uuid>,
}

/// Where a marketplace request stands, as the marketplace sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Offered to partners; nobody has accepted yet.
    Offered,
    /// A partner accepted it (`accepted_by`); the work is being organised or done.
    Accepted,
    /// Every offered partner declined: the marketplace has it back to redistribute.
    AllDeclined,
    /// The winner gave it up ("can't help"): the marketplace has it back to redistribute.
    GivenUp,
    /// Completed.
    Closed,
    /// Cancelled for good (client didn't answer or cancelled).
    Cancelled,
}

impl RequestState {
    /// The marketplace's view of a call's state.
    pub fn of(call: &ServiceCall) -> Self {
        match call.status {
            Status::Requested => RequestState::Offered,
            Status::Accepted | Status::InProgress => RequestState::Accepted,
            Status::Closed => RequestState::Closed,
            Status::Cancelled => RequestState::Cancelled,
            Status::WithMarketplace if !call.excluded_companies.is_empty() => RequestState::GivenUp,
            Status::WithMarketplace => RequestState::AllDeclined,
        }
    }
}

/// One partner's answer to a request, as the marketplace sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerOffer {
    pub company_id: Uuid,
    pub state: OfferState,
}

/// `GET /api/v1/marketplace/requests/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestStatus {
    pub id: Uuid,
    pub external_id: String,
    pub state: RequestState,
    /// The partner that won the request, once one has.
    pub accepted_by: Option<Uuid>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub offers: Vec<PartnerOffer>,
    pub version: i64,
}

impl RequestStatus {
    /// The marketplace's view of `call`.
    pub fn of(call: &ServiceCall) -> Self {
        RequestStatus {
            id: call.id,
            external_id: call.external_id.clone(),
            state: RequestState::of(call),
            accepted_by: call.accepted_by,
            accepted_at: call.accepted_at,
            offers: call
                .offers
                .iter()
                .map(|o| PartnerOffer {
                    company_id: o.company_id,
                    state: o.state,
                })
                .collect(),
            version: call.version,
        }
    }
}
