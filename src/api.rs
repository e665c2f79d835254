//! The only module that talks to the server. Components call these functions and get
//! domain types back; transport details stay in [`http`].

mod http;
pub mod team;

pub use http::ApiError;

use domain::api::{LoginRequest, Me};

/// Signs in; on success the server has set the session cookie.
pub async fn login(email: String, password: String) -> Result<Me, ApiError> {
    http::post_json("/api/v1/auth/login", &LoginRequest { email, password }).await
}

/// The signed-in person, or `None` when there is no valid session.
pub async fn me() -> Result<Option<Me>, ApiError> {
    match http::get_json("/api/v1/auth/me").await {
        Ok(me) => Ok(Some(me)),
        Err(err) if err.status() == Some(401) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Signs out (the server revokes the session).
pub async fn logout() -> Result<(), ApiError> {
    http::post_empty("/api/v1/auth/logout").await
}
