//! Operational endpoints and the app's serving: health, metrics, OpenAPI, SPA fallback,
//! problem+json for unknown API paths.

use crate::{
    helpers::{spawn_app, Backend},
    on_both_backends,
};
use serde_json::Value;

on_both_backends!(
    healthz_answers_ok,
    metrics_are_prometheus_text_by_route,
    openapi_document_lists_the_handlers,
    non_api_paths_serve_the_app_and_unknown_api_paths_are_problems,
    demo_seed_is_written_once,
);

async fn healthz_answers_ok(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

async fn metrics_are_prometheus_text_by_route(backend: Backend) {
    let app = spawn_app(backend).await;
    app.http
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();

    let response = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = response.text().await.unwrap();
    assert!(
        text.contains("# TYPE http_requests_total counter"),
        "{text}"
    );
    assert!(
        text.contains(
            r#"http_requests_total{route="/api/v1/auth/me",method="GET",status="401"} 1"#
        ),
        "{text}"
    );
    assert!(text
        .contains("http_request_duration_seconds_bucket{route=\"/api/v1/auth/me\",le=\"+Inf\"} 1"));
}

async fn openapi_document_lists_the_handlers(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"].get("Me").is_some());
    assert!(doc["components"]["schemas"].get("Problem").is_some());
}

async fn non_api_paths_serve_the_app_and_unknown_api_paths_are_problems(backend: Backend) {
    let app = spawn_app(backend).await;

    for path in [
        "/",
        "/calendar",
        "/requests/7b0e6f6e-0000-4000-8000-000000000000",
        "/team",
    ] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("<title>Relay</title>"));
    }

    let response = app
        .http
        .get(app.url("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

async fn demo_seed_is_written_once(backend: Backend) {
    let app = spawn_app(backend).await;
    server::seed::seed_demo(&app.state.db).await.unwrap();

    let companies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM companies")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let technicians: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'technician'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let unverified: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM technician_profiles WHERE photo_key IS NULL")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(companies, 2);
    assert_eq!(technicians, 8);
    assert_eq!(
        unverified, 2,
        "one unverified technician (no photo) per company"
    );
}
