//! The one error type of the HTTP layer. Every failure leaves as
//! `application/problem+json` (RFC 9457) with a stable `type`; 500s are logged with
//! their cause and answered without it.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use domain::api::{FieldError, Problem};

/// Result of a handler.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No valid session cookie.
    #[error("sign-in required")]
    Unauthorized,
    /// Wrong password and unknown e-mail look the same from outside.
    #[error("e-mail or password is wrong")]
    InvalidCredentials,
    /// Unknown id, or one that belongs to another company (never revealed).
    #[error("not found")]
    NotFound,
    /// The request could not be read (malformed JSON, wrong content type, …).
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// The request was read but some fields are invalid.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// Refused because of the resource's current state; `current` is that state.
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        current: Option<serde_json::Value>,
    },
    /// Too many tries (sign-in rate limits, a locked account): wait `retry_after`.
    #[error("too many attempts; try again in {} s", retry_secs(.retry_after))]
    TooManyRequests { retry_after: std::time::Duration },
    /// The server is saturated (password hashing); try again after `retry_after`.
    #[error("the server is busy; try again in {} s", retry_secs(.retry_after))]
    Busy { retry_after: std::time::Duration },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid-credentials",
            Self::NotFound => "not-found",
            Self::BadRequest { code, .. } | Self::Conflict { code, .. } => code,
            Self::Validation(_) => "validation",
            Self::TooManyRequests { .. } => "too-many-requests",
            Self::Busy { .. } => "busy",
            Self::Database(_) | Self::Internal(_) => "internal",
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let detail = match self {
            Self::Database(_) | Self::Internal(_) => None,
            other => Some(other.to_string()),
        };
        Problem {
            kind: format!("/problems/{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors: match self {
                Self::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
            current: match self {
                Self::Conflict { current, .. } => current.clone(),
                _ => None,
            },
        }
    }
}

/// Shorthand for a single-field validation error.
pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }])
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if matches!(self, Self::Database(_) | Self::Internal(_)) {
            tracing::error!(error = %self, "request failed");
        }
        let retry_after = match &self {
            Self::TooManyRequests { retry_after } | Self::Busy { retry_after } => {
                Some(retry_secs(retry_after))
            }
            _ => None,
        };
        let mut response = problem_response(self.problem());
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Whole seconds for `Retry-After`, rounded up and at least one.
fn retry_secs(wait: &std::time::Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// Serialises a problem with its status and media type.
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
