//! The one error type of the HTTP layer. Every failure leaves as
//! `application/problem+json` (RFC 9457) with a stable `type`; 500s are logged with
//! their cause and answered without it.

use axum::{
    extract::rejection::QueryRejection,
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
    /// The body is larger than the limit of its endpoint.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// A body that is not `application/json` sent to a JSON endpoint.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// The path exists but not with this method; the `Allow` header lists the ones it
    /// has (`allow`, or added by axum's method router when `None`).
    #[error("this path does not accept {method}; the Allow header lists the methods it does")]
    MethodNotAllowed {
        method: String,
        allow: Option<String>,
    },
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
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
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
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::MethodNotAllowed { .. } => "method-not-allowed",
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

/// A query string its handler's parameters do not take (an unknown parameter, every
/// query type denies them; a value of the wrong type): `bad-query`, with serde's words.
impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Self {
        Error::BadRequest {
            code: "bad-query",
            detail: rejection.body_text(),
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
        let allow = match &self {
            Self::MethodNotAllowed {
                allow: Some(allow), ..
            } if !allow.is_empty() => HeaderValue::from_str(allow).ok(),
            _ => None,
        };
        let mut response = problem_response(self.problem());
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
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

/// Turns axum's empty 405 (a known API path, another method) into a problem, so a client
/// learns which methods the path takes from the `Allow` header. Layered on a router,
/// this runs inside each route's method router, which adds `Allow` to the answer after
/// it (unless one is set already).
pub async fn method_not_allowed(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let method = request.method().to_string();
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let allow = response
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Error::MethodNotAllowed { method, allow }.into_response()
}
