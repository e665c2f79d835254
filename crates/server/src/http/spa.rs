//! Serves the built app: hashed assets with long-lived caching, and `index.html` for any
//! other non-API path so deep links (`/requests/{id}`) survive a reload.

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
        .precompressed_gzip()
        .fallback(ServeFile::new(index));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

/// Trunk names assets by content hash, so they never change: cache them for a year.
/// Everything else (index.html, the service worker, the manifest) is revalidated.
async fn cache_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let hashed = request.uri().path().rsplit('/').next().is_some_and(|name| {
        name.rsplit('-')
            .next()
            .is_some_and(|h| h.len() >= 16 && h.contains('.'))
    });
    let mut response = next.run(request).await;
    let value = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// Unknown API paths are a problem+json 404, never the app's HTML.
pub async fn api_not_found() -> Error {
    Error::NotFound
}
