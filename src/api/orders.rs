//! The order of a call and what ends it: order lines, the work report, call attempts,
//! closing and cancelling. Every function answers with the call as the server now has it
//! (a stale `version` is a 409 whose problem carries the current call).

use domain::{
    api::orders::{AddLine, CancelCall, CloseCall, NewCallAttempt, NewReportNote, ReportEntry},
    view::CallView,
};
use uuid::Uuid;

use super::{http, ApiError};

/// Adds extra time units, a material or a discount.
pub async fn add_line(id: Uuid, line: &AddLine) -> Result<CallView, ApiError> {
    http::post_json(&format!("/api/v1/calls/{id}/order/lines"), line).await
}

/// Removes a time-unit, material or discount line.
pub async fn remove_line(id: Uuid, line_id: Uuid, version: i64) -> Result<CallView, ApiError> {
    http::delete_json(&format!(
        "/api/v1/calls/{id}/order/lines/{line_id}?version={version}"
    ))
    .await
}

/// The work report with the authors' names.
pub async fn report(id: Uuid) -> Result<Vec<ReportEntry>, ApiError> {
    http::get_json(&format!("/api/v1/calls/{id}/report")).await
}

/// Adds a work-report note.
pub async fn add_report_note(id: Uuid, note: &NewReportNote) -> Result<CallView, ApiError> {
    http::post_json(&format!("/api/v1/calls/{id}/report"), note).await
}

/// Logs a phone call to the client (`reached` completes the "call client" task).
pub async fn log_call_attempt(id: Uuid, attempt: &NewCallAttempt) -> Result<CallView, ApiError> {
    http::post_json(&format!("/api/v1/calls/{id}/call-attempts"), attempt).await
}

/// Closes a ready call with its payment method (and, for card, the signature).
pub async fn close(id: Uuid, close: &CloseCall) -> Result<CallView, ApiError> {
    http::post_json(&format!("/api/v1/calls/{id}/close"), close).await
}

/// Cancels a call with one of the three reasons.
pub async fn cancel(id: Uuid, cancel: &CancelCall) -> Result<CallView, ApiError> {
    http::post_json(&format!("/api/v1/calls/{id}/cancel"), cancel).await
}
