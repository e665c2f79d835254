//! Wire types of the team endpoints (`/api/v1/technicians…`, dispatchers, company).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::technician::Missing;

/// A technician as the board and the team tab show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TechnicianSummary {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub skills: Vec<String>,
    /// May receive calls (activated, photo, at least one skill).
    pub verified: bool,
    /// What keeps the technician unverified; empty when verified.
    pub missing: Vec<Missing>,
    /// Deactivated technicians keep their history but get no calls.
    pub active: bool,
    /// URL of the square thumbnail, when there is a photo.
    pub photo_url: Option<String>,
}
