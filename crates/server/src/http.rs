//! The HTTP surface: one module per resource, each exposing `router()`; this module
//! assembles them, generates the OpenAPI document from their annotations, and adds the
//! cross-cutting layers (metrics, tracing, security headers, cross-origin protection, body limit).

pub mod account;
pub mod auth;
pub mod calls;
pub mod company;
pub mod csrf;
pub mod dev;
pub mod embed;
pub mod error;
pub mod events;
pub mod health;
pub mod idempotency;
pub mod json;
pub mod marketplace;
pub mod openapi;
pub mod orders;
pub mod ratelimit;
pub mod security;
pub mod spa;
pub mod team;

use axum::{extract::DefaultBodyLimit, middleware, routing::any, Json, Router};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Dispatch board API", description = "Partner dispatchers' workplace: calls, technicians, live events."),
    tags(
        (name = "auth", description = "Sessions"),
        (name = "calls", description = "The board: offers, calls, accept/decline, changes"),
        (name = "marketplace", description = "Machine-to-machine intake of bookings"),
        (name = "team", description = "Technicians, dispatchers, company profile"),
        (name = "orders", description = "Order lines, work report, call attempts, close and cancel"),
        (name = "company", description = "Company settings: branding, embed origins, partner API key"),
        (name = "embed", description = "The board embedded in a partner's website: sign-in tokens and sessions"),
    )
)]
struct ApiDoc;

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::complete(api_router().split_for_parts().1)
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(account::router())
        .merge(calls::router())
        .merge(company::router())
        .merge(embed::router())
        .merge(marketplace::router())
        .merge(orders::router())
        .merge(team::router())
}

/// JSON answers of the REST API compressed on the fly (zstd, brotli or gzip, by
/// `Accept-Encoding`; zstd first when the browser takes it, as it compresses a board of
/// 10,000 calls — 11 MB of JSON — in a fraction of brotli's time for a similar size):
/// the board of a busy week is hundreds of kilobytes of repetitive JSON. Bodies under 1 KiB are sent as they are, where the headers would cost more than
/// the saving. Only the REST routes get it: the WebSocket and the static files (already
/// compressed at build time) are assembled outside this router.
fn api_compression(
) -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::{predicate::SizeAbove, DefaultPredicate, Predicate};
    tower_http::compression::CompressionLayer::new()
        .zstd(true)
        .br(true)
        .gzip(true)
        .compress_when(DefaultPredicate::new().and(SizeAbove::new(1024)))
}

/// The whole application router.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api_router().split_for_parts();
    let doc = std::sync::Arc::new(openapi::complete(doc));
    let api = api
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::honour,
        ))
        .route_layer(middleware::from_fn(csrf::require_json))
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .route("/api/{*rest}", any(spa::api_not_found))
        .route("/api", any(spa::api_not_found))
        .layer(middleware::from_fn(error::method_not_allowed))
        .layer(api_compression());
    Router::new()
        .merge(api)
        .merge(events::router())
        .merge(dev::router())
        .merge(embed::pages())
        .merge(health::router())
        .merge(spa::router(&state.config.dist_dir))
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            csrf::cross_origin_protection,
        ))
        // Outside the origin rule, so its refusals carry the headers too.
        .layer(middleware::from_fn_with_state(
            std::sync::Arc::new(security::SecurityHeaders::new(&state.config)),
            security::add_security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::metrics::track,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
