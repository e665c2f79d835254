//! Serves the built app: hashed assets with long-lived caching, and `index.html` for any
//! other non-API path so deep links (`/requests/{id}`) survive a reload. Assets are sent
//! as the brotli or gzip copies xtask wrote beside them at build time (`NAME.br`,
//! `NAME.gz`), chosen by `Accept-Encoding`; nothing is compressed per request here.
//!
//! A signed-in navigation to a page that opens on the calendar also gets a
//! `Link: rel=preload` of the reads the calendar's first paint waits for
//! ([`first_reads_preload`]: the session check, the board, the roster), so the browser
//! fetches them while the wasm is still downloading.

use axum::{
    http::{header, HeaderValue, Request},
    middleware::{self, Next},
    response::Response,
    Router,
};
use tower_http::services::{ServeDir, ServeFile};

use domain::api::calls::{first_reads, opens_the_calendar};

use super::{auth::cookie_token, error::Error};
use crate::AppState;

/// Static files from `dist_dir`, falling back to its `index.html`.
pub fn router(dist_dir: &std::path::Path) -> Router<AppState> {
    let index = dist_dir.join("index.html");
    let files = ServeDir::new(dist_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        );
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

/// Trunk names assets by content hash, so they never change: cache them for a year.
/// Everything else (index.html, the service worker, the manifest) is revalidated.
/// Every answer may differ by `Accept-Encoding`, which `ServeDir` does not say itself, so
/// a shared cache must not hand a brotli body to a client that cannot read it.
///
/// The HTML page also gets a `Content-Language` from `Accept-Language`: index.html has no
/// `lang` of its own (the app sets it once it runs), so this is the language its loading
/// screen is shown in before the app — and its catalogues — arrive.
async fn cache_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let hashed = request.uri().path().rsplit('/').next().is_some_and(|name| {
        name.rsplit('-')
            .next()
            .is_some_and(|h| h.len() >= 16 && h.contains('.'))
    });
    let preload = first_reads_preload(&request, chrono::Utc::now());
    let language = shell_language(
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    );
    let mut response = next.run(request).await;
    let value = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    if html {
        headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(language));
        if let Some(link) = preload {
            headers.insert(header::LINK, link);
        }
        headers.append(
            header::VARY,
            HeaderValue::from_static("accept-encoding, accept-language, cookie"),
        );
    } else {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// The `Link` header that preloads the reads the app starts first and the calendar's
/// first paint waits for ([`first_reads`]: the session check, the board of the first
/// window, the roster — the very URLs the app then requests, so the browser hands it the
/// preloaded answers; on Fast 3G each one it had to start itself would cost a round
/// trip of half a second after the wasm arrived): for a top-level navigation
/// (`Sec-Fetch-Mode: navigate` with `Sec-Fetch-Dest: document`, or `empty` when the
/// service worker passes the navigation on — not a partner's frame, not the worker's
/// precache of the shell) to a page that opens on the calendar,
/// with a session cookie. `crossorigin=anonymous` is what a plain same-origin `fetch`
/// sends (CORS mode, cookies for the same origin), so the two match.
fn first_reads_preload(
    request: &Request<axum::body::Body>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<HeaderValue> {
    let headers = request.headers();
    let says = |name: &str, value: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    };
    // A navigation the service worker passes on says `Sec-Fetch-Dest: empty`.
    let navigation = says("sec-fetch-mode", "navigate")
        && (says("sec-fetch-dest", "document") || says("sec-fetch-dest", "empty"));
    if !navigation || !opens_the_calendar(request.uri().path()) || cookie_token(headers).is_none() {
        return None;
    }
    let links: Vec<String> = first_reads(now)
        .iter()
        .map(|path| format!("<{path}>; rel=preload; as=fetch; crossorigin=anonymous"))
        .collect();
    HeaderValue::from_str(&links.join(", ")).ok()
}

/// The app's language (en, de, fr) the browser prefers most, by `q`, else English.
fn shell_language(accept_language: &str) -> &'static str {
    let mut ranges: Vec<(f32, &str)> = accept_language
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse().ok())?;
            Some((q, tag))
        })
        .collect();
    // A stable sort keeps the browser's order among equal weights.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranges
        .into_iter()
        .filter(|(q, _)| *q > 0.0)
        .find_map(|(_, tag)| {
            let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
            ["en", "de", "fr"].into_iter().find(|l| *l == primary)
        })
        .unwrap_or("en")
}

/// Unknown API paths are a problem+json 404, never the app's HTML.
pub async fn api_not_found() -> Error {
    Error::NotFound
}

#[cfg(test)]
mod tests {
    use super::{first_reads_preload, shell_language};
    use axum::{body::Body, http::Request};
    use chrono::TimeZone;

    /// `path` requested with these `Sec-Fetch-Mode`, `Sec-Fetch-Dest` and `Cookie`.
    fn page(path: &str, mode: &str, dest: &str, cookie: &str) -> Request<Body> {
        Request::get(path)
            .header("sec-fetch-mode", mode)
            .header("sec-fetch-dest", dest)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap()
    }

    #[test]
    fn a_signed_in_navigation_to_the_calendar_preloads_its_first_reads() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 5, 0, 0).unwrap();
        let signed_in = "theme=x; dispatch_session=abc";
        for path in ["/", "/calendar", "/requests/4f1c"] {
            let link = first_reads_preload(&page(path, "navigate", "document", signed_in), now)
                .expect(path);
            assert_eq!(
                link.to_str().unwrap(),
                "</api/v1/auth/me>; rel=preload; as=fetch; crossorigin=anonymous, \
                 </api/v1/calls?from=2026-11-28T10%3A00%3A00Z&to=2026-12-08T12%3A00%3A00Z>; \
                 rel=preload; as=fetch; crossorigin=anonymous, \
                 </api/v1/technicians>; rel=preload; as=fetch; crossorigin=anonymous"
            );
        }
        // A navigation the service worker passes on.
        assert!(first_reads_preload(&page("/", "navigate", "empty", signed_in), now).is_some());
        // Other pages, signed-out visitors, frames and the worker's own fetches: none.
        for (path, mode, dest, cookie) in [
            ("/team", "navigate", "document", signed_in),
            ("/login", "navigate", "document", signed_in),
            ("/", "navigate", "document", ""),
            ("/", "navigate", "document", "dispatch_session="),
            ("/", "navigate", "iframe", signed_in),
            ("/", "same-origin", "empty", signed_in),
        ] {
            let request = page(path, mode, dest, cookie);
            assert!(
                first_reads_preload(&request, now).is_none(),
                "{path} {mode} {dest} {cookie}"
            );
        }
    }

    #[test]
    fn the_shell_speaks_the_most_preferred_supported_language() {
        assert_eq!(shell_language("de-CH,de;q=0.9,en;q=0.8"), "de");
        assert_eq!(shell_language("it-CH, fr;q=0.7, en;q=0.5"), "fr");
        assert_eq!(shell_language("en;q=0.2, fr-CH;q=0.9"), "fr");
        assert_eq!(shell_language("fr;q=0, de;q=0.1"), "de");
        assert_eq!(shell_language("ja, it"), "en");
        assert_eq!(shell_language(""), "en");
    }
}
