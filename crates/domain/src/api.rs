//! Wire types of the HTTP API shared by the server and the app, so both sides
//! serialise exactly the same JSON.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /api/v1/auth/login` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The person's own sign-in e-mail.
    pub email: String,
    /// Plain-text password; only ever compared against an argon2id hash.
    pub password: String,
}

/// Who a signed-in person is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works the board of a partner company.
    Dispatcher,
    /// Works calls from the phone app.
    Technician,
}

/// The company a session belongs to, as the app needs it to draw the shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanySummary {
    pub id: Uuid,
    pub name: String,
    /// IANA time zone, e.g. `Europe/Zurich`; every time on the board is shown in it.
    pub time_zone: String,
    /// ISO 4217 code of the company's prices (`CHF`, `EUR`, `GBP`).
    pub currency: String,
}

/// The session check: `GET` answers the signed-in identity ([`Me`]).
pub const ME_PATH: &str = "/api/v1/auth/me";

/// `GET /api/v1/auth/me` and the answer to a successful login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub company: CompanySummary,
    /// The locale this person chose (profile or header switch), stored on the account:
    /// the app follows it after sign-in on any device, and their e-mails are written in
    /// it. `None` until they choose: the app keeps the browser's language, e-mails use
    /// [`Me::company_locale`].
    #[serde(default)]
    pub locale: Option<crate::locale::Locale>,
    /// The company's default locale (from its country, see
    /// [`crate::company::default_locale`]).
    #[serde(default)]
    pub company_locale: crate::locale::Locale,
}

impl Me {
    /// The locale this person's e-mails are written in.
    pub fn mail_locale(&self) -> crate::locale::Locale {
        self.locale.unwrap_or(self.company_locale)
    }
}

/// `PUT /api/v1/auth/me/locale` body: the locale the signed-in person chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetLocale {
    /// One of `en-GB`, `de-CH`, `de-DE`, `de-AT`, `fr-CH`, `fr-FR`.
    pub locale: crate::locale::Locale,
}

/// One invalid field of a request, inside a [`Problem`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// JSON path of the field, e.g. `slot.end`.
    pub field: String,
    /// Stable machine-readable code, e.g. `end_before_start`.
    pub code: String,
    /// Human-readable English explanation.
    pub message: String,
}

/// An `application/problem+json` body (RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Stable URI naming the kind of problem, e.g. `/problems/already-accepted`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// On a version conflict: the resource as it is now, so the client can show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub current: Option<serde_json::Value>,
}

impl Problem {
    /// The last path segment of the problem type (`already-accepted`), used by the app to
    /// pick a translated message.
    pub fn code(&self) -> &str {
        self.kind.rsplit('/').next().unwrap_or(&self.kind)
    }
}

pub mod calls;
pub mod company;
pub mod live;
pub mod orders;
pub mod team;

/// Deserialises a field that may be absent (unchanged), `null` (cleared) or a value:
/// use with `#[serde(default, deserialize_with = "double_option")]` on
/// `Option<Option<T>>`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
