//! Wire types of the call endpoints (`/api/v1/calls…`) and the marketplace intake.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{money::Money, slot::TimeSlot, view::CallView};

/// `GET /api/v1/calls?from=&to=`: this company's offers and calls in the window, plus
/// the undated ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub calls: Vec<CallView>,
}

/// `PATCH /api/v1/calls/{id}`: only the fields present change; `null` clears.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// `POST /api/v1/marketplace/requests` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeAccepted {
    /// The call's id everywhere after.
    pub id: Uuid,
    pub offered_to: Vec<Uuid>,
}
