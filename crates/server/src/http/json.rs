//! `ApiJson<T>`: axum's JSON extractor with its rejections turned into problem+json, so a
//! malformed body and a body of the wrong shape get specific, documented errors.
//!
//! The body is read as a JSON value first, so the one text rule of the domain
//! ([`domain::text::control_character_errors`]) sees every string of every request before
//! it becomes a request type; then the value is deserialised with its field paths kept,
//! so a type error or an unknown field (every request type denies them) names the field.

use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::{de::DeserializeOwned, Serialize};

use super::error::Error;
use domain::api::FieldError;

/// A JSON request body or response.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(rejection_to_error)?;
        let errors = domain::text::control_character_errors(&value);
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        serde_path_to_error::deserialize(value)
            .map(Self)
            .map_err(|err| Error::Validation(vec![data_error(&err)]))
    }
}

/// The field error for a body of the wrong shape: an unknown field is named as such (so a
/// client with a typo learns it), anything else is a type error at its path.
fn data_error(err: &serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    let path = err.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let message = err.inner().to_string();
    if let Some(name) = unknown_field(&message) {
        let field = if path.is_empty() {
            name.to_owned()
        } else if path == name || path.ends_with(&format!(".{name}")) {
            path
        } else {
            format!("{path}.{name}")
        };
        return FieldError {
            field,
            code: "unknown_field".to_owned(),
            message,
        };
    }
    FieldError {
        field: path,
        code: "invalid_type".to_owned(),
        message,
    }
}

/// The name in serde's "unknown field `x`, expected …".
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(name, _)| name)
}

fn rejection_to_error(rejection: JsonRejection) -> Error {
    match rejection {
        JsonRejection::JsonDataError(err) => Error::BadRequest {
            code: "malformed-json",
            detail: err.body_text(),
        },
        JsonRejection::JsonSyntaxError(err) => Error::BadRequest {
            code: "malformed-json",
            detail: std::error::Error::source(&err).map_or_else(
                || err.body_text(),
                |s| format!("the body is not valid JSON: {s}"),
            ),
        },
        JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType,
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
        other => Error::BadRequest {
            code: "bad-request",
            detail: other.body_text(),
        },
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        city: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        version: i64,
        address: Inner,
    }

    fn error_of(value: serde_json::Value) -> FieldError {
        let err = serde_path_to_error::deserialize::<_, Outer>(value).unwrap_err();
        data_error(&err)
    }

    #[test]
    fn unknown_fields_are_named_with_their_path() {
        let top =
            error_of(serde_json::json!({"version": 1, "verison": 2, "address": {"city": "Bern"}}));
        let nested =
            error_of(serde_json::json!({"version": 1, "address": {"city": "Bern", "zip": "3000"}}));

        assert_eq!(
            (top.field.as_str(), top.code.as_str()),
            ("verison", "unknown_field")
        );
        assert_eq!(
            (nested.field.as_str(), nested.code.as_str()),
            ("address.zip", "unknown_field")
        );
    }

    #[test]
    fn a_wrong_type_names_its_path() {
        let err = error_of(serde_json::json!({"version": "one", "address": {"city": "Bern"}}));

        assert_eq!(
            (err.field.as_str(), err.code.as_str()),
            ("version", "invalid_type")
        );
    }
}
