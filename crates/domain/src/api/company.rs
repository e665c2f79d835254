//! Wire types of the company's own settings (branding, default language), its allowed
//! embed origins and partner API key, and the embed's sign-in: the partner's server
//! mints a single-use token, the framed app exchanges it for a session.
//!
//! The rules both sides apply — what a valid origin, colour or logo address is — live
//! here, so the Company tab refuses exactly what the server refuses.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{FieldError, Me};

/// The languages the app speaks (a company's default and an embed's requested one).
pub const LANGUAGES: [&str; 3] = ["en", "de", "fr"];

/// Seconds an embed sign-in token stays valid.
pub const EMBED_TOKEN_TTL_SECS: i64 = 60;

/// The `postMessage` namespace of the embed, both ways (`{"ns": EMBED_NS, "v": 1, …}`).
pub const EMBED_NS: &str = "relay-embed";
/// The version of the embed's messages.
pub const EMBED_VERSION: u32 = 1;

/// `GET /api/v1/company/settings`: what the embed and the e-mails show of the company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanySettings {
    pub id: Uuid,
    pub name: String,
    /// Postal address, free text (several lines allowed).
    pub address: String,
    /// `#rrggbb`.
    pub brand_colour: String,
    /// An `https://` address of the logo (empty: none).
    pub logo_url: String,
    /// `en`, `de` or `fr`.
    pub default_language: String,
    /// The currency can no longer change once the company has calls.
    pub currency_locked: bool,
}

/// `PATCH /api/v1/company/settings`: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateCompanySettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_colour: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_language: Option<String>,
}

fn field(name: &str, code: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// Whether `colour` is `#rrggbb`.
pub fn is_brand_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// The text colour on a brand-coloured surface (the embedded board's header, the
/// e-mails' band): white, or the app's ink where white would not reach WCAG's 4.5:1.
/// `colour` is a valid [`is_brand_colour`]; anything else gets white.
pub fn brand_ink(colour: &str) -> &'static str {
    const WHITE: &str = "#ffffff";
    const INK: &str = "#17232b";
    match rgb(colour) {
        Some(brand) if contrast(brand, [255, 255, 255]) < 4.5 => INK,
        _ => WHITE,
    }
}

/// The board's colour theme in a partner's frame (`Relay.mount(el, {theme})`, the
/// frame's `?theme=`): light (the default), dark, or the visitor's system setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    /// Follows `prefers-color-scheme`.
    Auto,
}

impl Theme {
    /// `light`, `dark` or `auto` (any case); anything else is `None`.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "light" => Some(Self::Light),
            "dark" => Some(Self::Dark),
            "auto" => Some(Self::Auto),
            _ => None,
        }
    }

    /// The value of the page's `data-theme` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
            Self::Auto => "auto",
        }
    }
}

/// The ground brand-coloured text must read on in the light theme: the darkest one it
/// sits on (`--surface-muted` in `style/main.css`; white, the tints and today's
/// column are all lighter).
pub const TEXT_GROUND_LIGHT: [u8; 3] = [0xee, 0xf0, 0xf2];
/// The same for the dark theme: the lightest ground (`--surface-muted` of the dark
/// theme; `--surface`, the tints and today's column are all darker).
pub const TEXT_GROUND_DARK: [u8; 3] = [0x2a, 0x38, 0x40];

/// The colour of brand-coloured text and outlines on the board's surfaces (selected
/// tabs, secondary buttons, today's column): the brand colour itself where it reaches
/// WCAG's 4.5:1 on every one of them ([`TEXT_GROUND_LIGHT`], [`TEXT_GROUND_DARK`]), else the brand colour mixed toward black (light
/// theme) or white (dark theme) in steps of a tenth until it does. `colour` is a valid
/// [`is_brand_colour`]; anything else gets `None`.
pub fn brand_text(colour: &str, dark: bool) -> Option<String> {
    let brand = rgb(colour)?;
    let (surface, toward) = if dark {
        (TEXT_GROUND_DARK, 255.0)
    } else {
        (TEXT_GROUND_LIGHT, 0.0)
    };
    let mixed = (0..=10)
        .map(|step| {
            let t = f64::from(step) / 10.0;
            // Rounded and clamped to 0..=255, so the cast cannot truncate.
            brand.map(|c| (f64::from(c) + (toward - f64::from(c)) * t).round() as u8)
        })
        .find(|&c| contrast(c, surface) >= 4.5)
        .unwrap_or(if dark { [255; 3] } else { [0; 3] });
    Some(format!("#{:02x}{:02x}{:02x}", mixed[0], mixed[1], mixed[2]))
}

/// `#rrggbb` as its three channels.
fn rgb(colour: &str) -> Option<[u8; 3]> {
    if !is_brand_colour(colour) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&colour[i..i + 2], 16).ok();
    Some([channel(1)?, channel(3)?, channel(5)?])
}

/// WCAG's relative luminance.
fn luminance(colour: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let v = f64::from(c) / 255.0;
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(colour[0]) + 0.7152 * linear(colour[1]) + 0.0722 * linear(colour[2])
}

/// WCAG's contrast ratio of two colours (1 to 21).
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

impl UpdateCompanySettings {
    /// Every invalid field among those present.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(name) = &self.name {
            let len = name.trim().chars().count();
            if len == 0 {
                errors.push(field("name", "required", "enter the company's name"));
            } else if len > 100 {
                errors.push(field("name", "too_long", "at most 100 characters"));
            }
        }
        if self
            .address
            .as_ref()
            .is_some_and(|a| a.chars().count() > 300)
        {
            errors.push(field("address", "too_long", "at most 300 characters"));
        }
        if self
            .brand_colour
            .as_ref()
            .is_some_and(|c| !is_brand_colour(c.trim()))
        {
            errors.push(field(
                "brand_colour",
                "invalid_colour",
                "a colour as #rrggbb, e.g. #1f6feb",
            ));
        }
        if let Some(logo) = &self.logo_url {
            let logo = logo.trim();
            if !logo.is_empty() && logo_source(logo).is_none() {
                errors.push(field(
                    "logo_url",
                    "invalid_logo_url",
                    "an https:// address of an image",
                ));
            }
        }
        if self
            .default_language
            .as_ref()
            .is_some_and(|l| !LANGUAGES.contains(&l.as_str()))
        {
            errors.push(field(
                "default_language",
                "unsupported_language",
                "use en, de or fr",
            ));
        }
        errors
    }
}

/// Why a text is not an allowed embed origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginError {
    /// Not `scheme://host[:port]` (a path, query, user name or bad port).
    Malformed,
    /// `http://` on a host other than localhost.
    NotHttps,
}

impl OriginError {
    /// The field error of the Company tab and the API.
    pub fn field_error(self) -> FieldError {
        match self {
            Self::Malformed => field(
                "origin",
                "invalid_origin",
                "an origin is scheme://host[:port], without a path",
            ),
            Self::NotHttps => field(
                "origin",
                "https_required",
                "only https:// origins, except on localhost",
            ),
        }
    }
}

/// A partner site's origin as browsers send it in `Origin` (`https://intranet.example`,
/// `http://localhost:4100`): lower case, no default port, no trailing slash. Only
/// `https` is allowed, except for `localhost` and loopback addresses (development).
pub fn normalise_origin(raw: &str) -> Result<String, OriginError> {
    let raw = raw.trim().to_ascii_lowercase();
    let raw = raw.strip_suffix('/').unwrap_or(&raw);
    let (scheme, authority) = raw.split_once("://").ok_or(OriginError::Malformed)?;
    if authority.is_empty()
        || authority.contains(['/', '?', '#', '@', ' ', '\\', '*'])
        || !matches!(scheme, "http" | "https")
    {
        return Err(OriginError::Malformed);
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') && host.contains(':') => {
            // An IPv6 address without brackets.
            let _ = port;
            return Err(OriginError::Malformed);
        }
        Some((host, port)) if !port.contains(']') => {
            let port: u16 = port.parse().map_err(|_| OriginError::Malformed)?;
            if port == 0 {
                return Err(OriginError::Malformed);
            }
            (host, Some(port))
        }
        _ => (authority, None),
    };
    let host_ok = !host.is_empty()
        && (host.starts_with('[') && host.ends_with(']')
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                && !host.starts_with(['.', '-'])
                && !host.ends_with(['.', '-']));
    if !host_ok {
        return Err(OriginError::Malformed);
    }
    let local = host == "localhost" || host == "127.0.0.1" || host == "[::1]";
    if scheme == "http" && !local {
        return Err(OriginError::NotHttps);
    }
    let default_port = if scheme == "https" { 443 } else { 80 };
    Ok(match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// The logo address as the board's `Content-Security-Policy` names it in `img-src`
/// (the embed shows the logo from where the company keeps it), or `None` if `url` is no
/// address the app can show: `https://` (`http` only on `localhost` and loopback, as
/// for embed origins), at most 500 characters, a host, and nothing a policy source
/// cannot hold (whitespace, `;`, `,`, quotes). Query and fragment are left out of the
/// source, which CSP matches without them.
pub fn logo_source(url: &str) -> Option<&str> {
    if url.len() > 500 {
        return None;
    }
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let (scheme, rest) = without_query.split_once("://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    normalise_origin(&format!("{scheme}://{authority}")).ok()?;
    let safe = |c: char| c.is_ascii_alphanumeric() || "-._~/%!$&()*+=:@".contains(c);
    let unsafe_anywhere = |c: char| c.is_whitespace() || c.is_control() || "\\\";,'<>`".contains(c);
    if !path.chars().all(safe) || url.chars().any(unsafe_anywhere) {
        return None;
    }
    Some(without_query)
}

/// One allowed embed origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbedOrigin {
    pub id: Uuid,
    pub origin: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// `POST /api/v1/company/origins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddEmbedOrigin {
    pub origin: String,
}

/// `GET /api/v1/company/partner-key`: the key's first characters, never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerKeyInfo {
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// `POST /api/v1/company/partner-key`: the new key, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPartnerKey {
    pub key: String,
    pub prefix: String,
    pub created_at: i64,
}

/// `POST /api/v1/embed/tokens` (partner key as `Authorization: Bearer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MintEmbedToken {
    /// The dispatcher's sign-in e-mail.
    pub email: String,
    /// The partner page's origin that will frame the board (one of the allowed ones).
    pub origin: String,
}

/// `POST /api/v1/embed/popup-tokens`: the sign-in popup of a framed board that has no
/// partner token mints one for the signed-in dispatcher (first-party session), bound to
/// the partner origin that frames the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MintPopupToken {
    /// The company whose board is framed (the caller's own; any other is unknown).
    pub company_id: Uuid,
    /// The partner page's origin (one of the company's allowed ones).
    pub origin: String,
}

/// The answer to [`MintEmbedToken`] and [`MintPopupToken`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbedToken {
    /// Single use, valid [`EMBED_TOKEN_TTL_SECS`].
    pub token: String,
    pub company_id: Uuid,
    pub expires_in: i64,
}

/// `POST /api/v1/embed/session`: the framed app exchanges its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExchangeEmbedToken {
    pub token: String,
    /// The origin of the page that passed the token (the `postMessage` sender the
    /// browser reported); must be the one the token was minted for.
    pub origin: String,
}

/// The answer to [`ExchangeEmbedToken`]: the session (also set as a partitioned cookie)
/// and a short-lived bearer token for browsers that do not keep that cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbedSession {
    pub me: Me,
    pub bearer: String,
    pub bearer_expires_in: i64,
}

/// `GET /api/v1/embed/config/{company}`: what the framed app needs before sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbedConfig {
    pub company_id: Uuid,
    pub name: String,
    pub brand_colour: String,
    pub logo_url: String,
    pub default_language: String,
    /// The partner origins that may frame the board and talk to it.
    pub origins: Vec<String>,
}

/// `POST /api/v1/events/ticket`: a single-use ticket for the WebSocket of a bearer
/// session (`/api/v1/events?ticket=…`), valid a minute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventsTicket {
    pub ticket: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ink_on_a_brand_colour_is_readable() {
        assert_eq!(brand_ink("#1f6feb"), "#ffffff");
        assert_eq!(brand_ink("#12343b"), "#ffffff");
        assert_eq!(brand_ink("#f2b134"), "#17232b");
        assert_eq!(brand_ink("#ffffff"), "#17232b");
        assert_eq!(brand_ink("#777777"), "#17232b");
        assert_eq!(brand_ink("#767676"), "#ffffff");
        assert_eq!(brand_ink("red"), "#ffffff");
    }

    #[test]
    fn brand_text_reaches_four_and_a_half_to_one_on_either_surface() {
        // Dark enough on white already: unchanged in the light theme.
        assert_eq!(brand_text("#12343b", false).as_deref(), Some("#12343b"));
        for colour in [
            "#12343b", "#0a7d3c", "#f2b134", "#ffffff", "#000000", "#7f7f7f",
        ] {
            for dark in [false, true] {
                let text = brand_text(colour, dark).unwrap();
                let surface = if dark {
                    TEXT_GROUND_DARK
                } else {
                    TEXT_GROUND_LIGHT
                };
                let ratio = contrast(rgb(&text).unwrap(), surface);
                assert!(ratio >= 4.5, "{colour} dark={dark}: {text} at {ratio:.2}");
            }
        }
        // Mixed only as far as needed: a light yellow darkens, it does not turn black.
        assert_ne!(brand_text("#f2b134", false).as_deref(), Some("#000000"));
        assert_eq!(brand_text("red", true), None);
    }

    #[test]
    fn themes_are_light_dark_or_auto() {
        assert_eq!(Theme::parse("dark"), Some(Theme::Dark));
        assert_eq!(Theme::parse(" Light "), Some(Theme::Light));
        assert_eq!(Theme::parse("AUTO"), Some(Theme::Auto));
        assert_eq!(Theme::parse("\"><script>"), None);
        assert_eq!(Theme::parse(""), None);
        for theme in [Theme::Light, Theme::Dark, Theme::Auto] {
            assert_eq!(Theme::parse(theme.as_str()), Some(theme));
        }
    }

    #[test]
    fn logos_are_https_addresses_a_policy_can_name() {
        assert_eq!(
            logo_source("https://cdn.alpen.example/brand/logo.svg?v=3#x"),
            Some("https://cdn.alpen.example/brand/logo.svg")
        );
        assert_eq!(
            logo_source("http://localhost:4100/logo.svg"),
            Some("http://localhost:4100/logo.svg")
        );
        for bad in [
            "http://alpen.example/logo.png",
            "javascript:alert(1)",
            "https://",
            "https://user@alpen.example/logo.png",
            "https://alpen.example/logo.png; script-src *",
            "https://alpen.example/a,b.png",
            "https://alpen.example/it's.png",
            "https://alpen.example/a\\b.png",
            "https://alpen.example/logo.png?x=\"><script>",
            "data:image/png;base64,AAAA",
        ] {
            assert_eq!(logo_source(bad), None, "{bad}");
        }
        let long = format!("https://alpen.example/{}", "a".repeat(500));
        assert_eq!(logo_source(&long), None);
    }

    #[test]
    fn origins_are_normalised_and_https_only_except_localhost() {
        assert_eq!(
            normalise_origin("HTTPS://Intranet.Example/").as_deref(),
            Ok("https://intranet.example")
        );
        assert_eq!(
            normalise_origin("https://x.example:443").as_deref(),
            Ok("https://x.example")
        );
        assert_eq!(
            normalise_origin("https://x.example:8443").as_deref(),
            Ok("https://x.example:8443")
        );
        assert_eq!(
            normalise_origin("http://localhost:4100").as_deref(),
            Ok("http://localhost:4100")
        );
        assert_eq!(
            normalise_origin("http://127.0.0.1:4100").as_deref(),
            Ok("http://127.0.0.1:4100")
        );
        assert_eq!(
            normalise_origin("http://partner.example"),
            Err(OriginError::NotHttps)
        );
        for bad in [
            "partner.example",
            "https://partner.example/path",
            "https://user@partner.example",
            "https://partner.example?q",
            "ftp://partner.example",
            "https://partner.example:99999",
            "https://",
            "https://*.example",
            "https://-x.example",
        ] {
            assert_eq!(normalise_origin(bad), Err(OriginError::Malformed), "{bad}");
        }
    }

    #[test]
    fn settings_are_validated_per_field() {
        let bad = UpdateCompanySettings {
            name: Some(" ".into()),
            address: None,
            brand_colour: Some("blue".into()),
            logo_url: Some("javascript:alert(1)".into()),
            default_language: Some("it".into()),
        };
        let fields: Vec<_> = bad.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["name", "brand_colour", "logo_url", "default_language"]
        );
        let good = UpdateCompanySettings {
            name: Some("Alpen".into()),
            address: Some("Bahnhofstrasse 1\n8001 Zürich".into()),
            brand_colour: Some("#0A7d3c".into()),
            logo_url: Some("https://alpen.example/logo.png".into()),
            default_language: Some("de".into()),
        };
        assert!(good.validate().is_empty());
    }
}
