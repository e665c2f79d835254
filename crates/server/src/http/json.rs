//! `ApiJson<T>`: axum's JSON extractor with its rejections turned into problem+json, so a
//! malformed body and a body of the wrong shape get specific, documented errors.

use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
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
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

fn rejection_to_error(rejection: JsonRejection) -> Error {
    match rejection {
        JsonRejection::JsonDataError(err) => {
            // serde's message names the field path and what was expected.
            let message = std::error::Error::source(&err)
                .map_or_else(|| err.body_text(), ToString::to_string);
            let field = message
                .split_once(':')
                .map(|(path, _)| path.trim().to_owned())
                .filter(|p| !p.contains(' '))
                .unwrap_or_default();
            Error::Validation(vec![FieldError {
                field,
                code: "invalid_type".to_owned(),
                message,
            }])
        }
        JsonRejection::JsonSyntaxError(err) => Error::BadRequest {
            code: "malformed-json",
            detail: std::error::Error::source(&err).map_or_else(
                || err.body_text(),
                |s| format!("the body is not valid JSON: {s}"),
            ),
        },
        JsonRejection::MissingJsonContentType(_) => Error::BadRequest {
            code: "unsupported-media-type",
            detail: "send the body as application/json".to_owned(),
        },
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
