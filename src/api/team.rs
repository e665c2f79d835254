//! Team endpoints: technicians, invitations, photos, the technician's own profile,
//! account activation and the company profile.

use domain::api::{
    team::{
        ActivateAccount, CompanyProfile, DeactivateTechnician, InviteTechnician, MyProfile,
        SkillsUpdate, TechnicianSummary, UpdateTechnician,
    },
    Me,
};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::{http, ApiError};

/// The company's technicians.
pub async fn technicians() -> Result<Vec<TechnicianSummary>, ApiError> {
    http::get_json(domain::api::team::TECHNICIANS_PATH).await
}

/// Adds a technician; the server e-mails the invitation.
pub async fn invite_technician(body: InviteTechnician) -> Result<TechnicianSummary, ApiError> {
    http::post_json(domain::api::team::TECHNICIANS_PATH, &body).await
}

/// Changes contact data or skills.
pub async fn update_technician(
    id: Uuid,
    body: UpdateTechnician,
) -> Result<TechnicianSummary, ApiError> {
    http::patch_json(&format!("/api/v1/technicians/{id}"), &body).await
}

/// Sends a new invitation link (the old one stops working).
pub async fn resend_invitation(id: Uuid) -> Result<(), ApiError> {
    http::post_empty(&format!("/api/v1/technicians/{id}/invitation")).await
}

/// Deactivates a technician; with `unassign_open_calls` their open future calls go back
/// to the unassigned list in the same step.
pub async fn deactivate(
    id: Uuid,
    unassign_open_calls: bool,
) -> Result<TechnicianSummary, ApiError> {
    http::post_json(
        &format!("/api/v1/technicians/{id}/deactivate"),
        &DeactivateTechnician {
            unassign_open_calls,
        },
    )
    .await
}

/// Uploads a technician's photo (the `File` from a file input).
pub async fn upload_photo(id: Uuid, file: JsValue) -> Result<TechnicianSummary, ApiError> {
    http::put_raw(&format!("/api/v1/technicians/{id}/photo"), file).await
}

/// The company profile (offered skills, …).
pub async fn company() -> Result<CompanyProfile, ApiError> {
    http::get_json("/api/v1/company").await
}

/// Sets the password from an invitation link; the server signs the person in.
pub async fn activate(token: String, password: String) -> Result<Me, ApiError> {
    http::post_json(
        "/api/v1/auth/activate",
        &ActivateAccount { token, password },
    )
    .await
}

/// The signed-in technician's profile.
pub async fn my_profile() -> Result<MyProfile, ApiError> {
    http::get_json("/api/v1/me/profile").await
}

/// The signed-in technician chooses their skills.
pub async fn set_my_skills(skills: Vec<String>) -> Result<MyProfile, ApiError> {
    http::put_json("/api/v1/me/skills", &SkillsUpdate { skills }).await
}

/// The signed-in technician uploads their photo.
pub async fn upload_my_photo(file: JsValue) -> Result<MyProfile, ApiError> {
    http::put_raw("/api/v1/me/photo", file).await
}
