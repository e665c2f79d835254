//! Serves the built app: hashed assets with long-lived caching, and `index.html` for any
//! other non-API path so deep links (`/requests/{id}`) survive a reload. Assets are sent
//! as the brotli or gzip copies xtask wrote beside them at build time (`NAME.br`,
//! `NAME.gz`), chosen by `Accept-Encoding`; nothing is compressed per request here.

use axum::{
    http::{header, HeaderValue, Request},
    middleware::{self, Next},
    response::Response,
    Router,
};
use tower_http::services::{ServeDir, ServeFile};

use super::error::Error;
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
        headers.append(
            header::VARY,
            HeaderValue::from_static("accept-encoding, accept-language"),
        );
    } else {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
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
    use super::shell_language;

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
