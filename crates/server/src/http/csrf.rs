//! Cross-site request forgery protection: every state-changing request (and the live
//! WebSocket's upgrade) from a browser page of another origin is refused with a 403
//! problem, and JSON endpoints accept only `application/json` bodies (415 otherwise), so
//! a plain HTML form — which can only send `application/x-www-form-urlencoded`,
//! `multipart/form-data` or `text/plain` — can never reach them, body or not.
//!
//! The origin rule is modelled on Go 1.25's `net/http.CrossOriginProtection`:
//! safe methods pass; a trusted `Origin` passes; otherwise `Sec-Fetch-Site` decides when
//! the browser sent it (`same-origin` and `none` pass, `same-site` and `cross-site` do
//! not); without it, an `Origin` whose host:port equals the request's `Host` passes and
//! any other `Origin` does not; a request with neither header is not from a (modern)
//! browser — the marketplace's intake, curl — and passes, since a forged request needs a
//! browser to carry the victim's cookie.
//!
//! Trusted origins are the server's own `PUBLIC_URL` origin and `ALLOWED_ORIGINS`, and —
//! for a request carrying a session — the allowed embed origins of that session's
//! company ([`OriginPolicy::with_partner_origins`]): embedded sessions are cross-site by
//! nature, so `SameSite` cannot protect them and this rule does. Another company's
//! partner origin is as foreign as any other.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::error::{problem_response, Error};
use crate::{config::Config, AppState};
use domain::api::Problem;

/// The scheme and authority of a URL (`https://relay.example:8443`), lower case.
pub fn origin_of(url: &str) -> String {
    let url = url.trim().to_ascii_lowercase();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!("{scheme}://{authority}")
        }
        None => url,
    }
}

/// Which origins may change state and open the live socket, besides the request's own.
#[derive(Debug, Clone)]
pub struct OriginPolicy {
    public_origin: String,
    allowed: Vec<String>,
    /// The embed origins of the requesting session's company.
    partner: Vec<String>,
}

impl OriginPolicy {
    pub fn new(config: &Config) -> Self {
        Self {
            public_origin: origin_of(&config.public_url),
            allowed: config.allowed_origins.clone(),
            partner: Vec::new(),
        }
    }

    /// The policy that also trusts `origins`, the allowed embed origins of the company
    /// whose session the request carries.
    pub fn with_partner_origins(mut self, origins: Vec<String>) -> Self {
        self.partner = origins;
        self
    }

    /// Whether `origin` (already normalised by [`origin_of`]) is trusted whatever the
    /// request's `Host`.
    pub fn trusts(&self, origin: &str) -> bool {
        origin == self.public_origin
            || self.allowed.iter().any(|o| o == origin)
            || self.partner.iter().any(|o| o == origin)
    }

    /// The cross-origin verdict for a request that changes state (or upgrades to the
    /// live socket), whatever its method: `Ok` to serve it, `Err` with why not.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), &'static str> {
        let origin = match headers.get(header::ORIGIN).map(|o| o.to_str()) {
            Some(Ok(origin)) => Some(origin_of(origin)),
            Some(Err(_)) => return Err("the Origin header is unreadable"),
            None => None,
        };
        if origin.as_deref().is_some_and(|o| self.trusts(o)) {
            return Ok(());
        }
        if let Some(site) = headers.get("sec-fetch-site") {
            return match site.as_bytes() {
                b"same-origin" | b"none" => Ok(()),
                _ => Err("a request from another site may not change anything here"),
            };
        }
        let Some(origin) = origin else {
            // Neither header: not a browser, so no victim's cookie to ride on.
            return Ok(());
        };
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        let authority = origin.split_once("://").map(|(_, a)| a);
        if host.is_some() && authority == host.as_deref() {
            Ok(())
        } else {
            Err("a request from another origin may not change anything here")
        }
    }
}

/// [`OriginPolicy::check`], and when that refuses a request that names an `Origin` and
/// carries a session, once more trusting that session's company's embed origins.
pub async fn check_with_partners(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(), &'static str> {
    let policy = OriginPolicy::new(&state.config);
    let verdict = policy.check(headers);
    if verdict.is_ok() || !headers.contains_key(header::ORIGIN) {
        return verdict;
    }
    let Some(token) = super::auth::session_token(headers) else {
        return verdict;
    };
    let origins = match crate::db::sessions::lookup(&state.db, &token).await {
        Ok(Some(me)) => crate::db::company::origin_list(&state.db, me.company.id)
            .await
            .unwrap_or_default(),
        _ => return verdict,
    };
    if origins.is_empty() {
        return verdict;
    }
    policy.with_partner_origins(origins).check(headers)
}

/// Methods that never change state (the WebSocket upgrade, a GET, is checked apart).
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The 403 answer to a refused cross-origin request.
pub fn forbidden_origin(detail: &str) -> Response {
    problem_response(Problem {
        kind: "/problems/forbidden-origin".to_owned(),
        title: "Forbidden".to_owned(),
        status: StatusCode::FORBIDDEN.as_u16(),
        detail: Some(detail.to_owned()),
        errors: Vec::new(),
        current: None,
    })
}

/// Middleware over the whole application: refuses state-changing requests from other
/// origins.
pub async fn cross_origin_protection(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !is_safe(request.method()) {
        if let Err(why) = check_with_partners(&state, request.headers()).await {
            tracing::info!(
                method = %request.method(),
                path = request.uri().path(),
                origin = ?request.headers().get(header::ORIGIN),
                "cross-origin request refused"
            );
            return forbidden_origin(why);
        }
    }
    next.run(request).await
}

/// Whether a `Content-Type` value is JSON (`application/json` or `application/*+json`,
/// with or without parameters).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

/// Routes whose body is not JSON: photo uploads are the raw image file (sniffed by the
/// handler; the origin rule still guards them).
fn takes_raw_body(path: &str) -> bool {
    path.ends_with("/photo")
}

/// Route layer of the JSON API: a state-changing request must declare a JSON body —
/// also when it has none (accept, decline, logout, undo…), since that is what a
/// cross-site form cannot do.
pub async fn require_json(request: Request, next: Next) -> Response {
    if is_safe(request.method()) || takes_raw_body(request.uri().path()) {
        return next.run(request).await;
    }
    let json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json);
    if json {
        next.run(request).await
    } else {
        Error::UnsupportedMediaType.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, value.parse().unwrap());
        }
        h
    }

    fn policy() -> OriginPolicy {
        let mut config = Config::for_tests("sqlite::memory:");
        config.public_url = "https://relay.example/app".to_owned();
        config.allowed_origins = vec!["https://partner.example".to_owned()];
        OriginPolicy::new(&config)
    }

    #[test]
    fn own_host_public_url_and_listed_origins_are_allowed_others_not() {
        let p = policy();
        let ok = |pairs: &[(&'static str, &str)]| p.check(&headers(pairs)).is_ok();
        assert!(ok(&[("host", "127.0.0.1:8080")]));
        assert!(ok(&[
            ("host", "10.0.0.5:8080"),
            ("origin", "https://relay.example")
        ]));
        assert!(ok(&[
            ("host", "relay.example"),
            ("origin", "https://partner.example")
        ]));
        assert!(ok(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080")
        ]));
        assert!(!ok(&[
            ("host", "relay.example"),
            ("origin", "https://evil.example")
        ]));
        assert!(!ok(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:9999")
        ]));
        assert!(!ok(&[("host", "relay.example"), ("origin", "null")]));
    }

    #[test]
    fn fetch_metadata_decides_before_the_origin_host_comparison() {
        let p = policy();
        let ok = |pairs: &[(&'static str, &str)]| p.check(&headers(pairs)).is_ok();
        assert!(ok(&[("host", "x"), ("sec-fetch-site", "same-origin")]));
        assert!(ok(&[("host", "x"), ("sec-fetch-site", "none")]));
        assert!(!ok(&[("host", "x"), ("sec-fetch-site", "same-site")]));
        assert!(!ok(&[("host", "x"), ("sec-fetch-site", "cross-site")]));
        // Same host but the browser says cross-site (e.g. a sibling port): refused.
        assert!(!ok(&[
            ("host", "x"),
            ("origin", "http://x"),
            ("sec-fetch-site", "cross-site")
        ]));
        // A trusted partner origin passes although the browser calls it cross-site.
        assert!(ok(&[
            ("host", "relay.example"),
            ("origin", "https://partner.example"),
            ("sec-fetch-site", "cross-site")
        ]));
    }

    #[test]
    fn partner_origins_are_trusted_only_when_given() {
        let p = policy();
        let h = headers(&[
            ("host", "relay.example"),
            ("origin", "http://localhost:4100"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(p.check(&h).is_err());
        let p = p.with_partner_origins(vec!["http://localhost:4100".to_owned()]);
        assert!(p.check(&h).is_ok());
        assert!(p
            .check(&headers(&[
                ("host", "relay.example"),
                ("origin", "http://localhost:4101"),
                ("sec-fetch-site", "cross-site"),
            ]))
            .is_err());
    }

    #[test]
    fn json_media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("multipart/form-data; boundary=x"));
        assert!(!is_json("application/jsonx"));
    }
}
