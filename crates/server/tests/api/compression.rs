//! Compression as served: the built assets go out as the brotli or gzip copies written
//! beside them at build time, chosen by `Accept-Encoding`, with `Vary`, their own
//! `content-type` and the cache policy of their name; the index.html fallback likewise.
//! API JSON is compressed on the fly (zstd, brotli or gzip) when it is worth it; the WebSocket is left alone.

use std::path::Path;

use futures_util::StreamExt;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, http::HeaderValue},
};

use crate::{
    helpers::{spawn_app, Backend, TestApp},
    marketplace::{create_request, ALPEN, PASSWORD},
    on_both_backends,
};

on_both_backends!(
    assets_are_sent_in_the_encoding_asked_for,
    api_json_is_compressed_but_the_websocket_is_not,
);

const WASM: &str = "dispatch-app-0123456789abcdef_bg.wasm";
const HTML: &str = "<!doctype html><title>Relay</title><body>shell</body>";

/// Writes `name` and distinguishable `.br`/`.gz` siblings into the app's dist dir, so the
/// body says which of the three the server chose. (The server never decodes them.)
fn write_with_siblings(dist: &Path, name: &str, identity: &[u8]) {
    std::fs::write(dist.join(name), identity).unwrap();
    std::fs::write(dist.join(format!("{name}.br")), b"brotli copy").unwrap();
    std::fs::write(dist.join(format!("{name}.gz")), b"gzip copy").unwrap();
}

/// Fetches `path` with `accept` (none: no header) and returns the response's headers
/// (as text) and body.
async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> (Vec<(String, String)>, Vec<u8>) {
    let mut request = app.http.get(app.url(path));
    if let Some(accept) = accept {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    (headers, response.bytes().await.unwrap().to_vec())
}

fn header(headers: &[(String, String)], name: impl AsRef<str>) -> Option<&str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name.as_ref()))
        .map(|(_, v)| v.as_str())
}

async fn assets_are_sent_in_the_encoding_asked_for(backend: Backend) {
    let app = spawn_app(backend).await;
    let dist = app.state.config.dist_dir.clone();
    write_with_siblings(&dist, WASM, b"\0asm\x01\0\0\0 the real module");
    write_with_siblings(&dist, "index.html", HTML.as_bytes());

    // (path, content-type, cache-control, identity body)
    let cases: [(String, &str, &str, &[u8]); 3] = [
        (
            format!("/{WASM}"),
            "application/wasm",
            "public, max-age=31536000, immutable",
            b"\0asm\x01\0\0\0 the real module",
        ),
        ("/".to_owned(), "text/html", "no-cache", HTML.as_bytes()),
        // A deep link falls back to index.html, compressed the same way.
        (
            "/requests/42".to_owned(),
            "text/html",
            "no-cache",
            HTML.as_bytes(),
        ),
    ];
    for (path, content_type, cache, identity) in cases {
        for (accept, encoding, body) in [
            (Some("br"), Some("br"), &b"brotli copy"[..]),
            (Some("gzip, deflate, br"), Some("br"), b"brotli copy"),
            (Some("gzip"), Some("gzip"), b"gzip copy"),
            (Some("identity"), None, identity),
            (None, None, identity),
        ] {
            let (headers, got) = get(&app, &path, accept).await;
            let case = format!("GET {path} with Accept-Encoding {accept:?}");
            assert_eq!(header(&headers, CONTENT_ENCODING), encoding, "{case}");
            assert_eq!(got, body, "{case}");
            assert!(
                header(&headers, CONTENT_TYPE).is_some_and(|t| t.starts_with(content_type)),
                "{case}: content-type {:?}",
                header(&headers, CONTENT_TYPE)
            );
            assert_eq!(header(&headers, CACHE_CONTROL), Some(cache), "{case}");
            assert!(
                header(&headers, VARY)
                    .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
                "{case}: Vary {:?}",
                header(&headers, VARY)
            );
        }
    }

    // The page's language (the loading screen's text) follows Accept-Language.
    for (accept_language, language) in [(None, "en"), (Some("de-CH,de;q=0.9,en;q=0.5"), "de")] {
        let mut request = app.http.get(app.url("/calendar"));
        if let Some(accept_language) = accept_language {
            request = request.header("accept-language", accept_language);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.headers()["content-language"], language);
        assert!(response.headers()[VARY]
            .to_str()
            .unwrap()
            .contains("accept-language"));
    }

    // A file without compressed copies (a PNG) goes out as it is, whatever is accepted.
    std::fs::write(dist.join("icon-0123456789abcdef.png"), b"\x89PNG").unwrap();
    let (headers, got) = get(&app, "/icon-0123456789abcdef.png", Some("br, gzip")).await;
    assert_eq!(header(&headers, CONTENT_ENCODING), None);
    assert_eq!(header(&headers, CONTENT_TYPE), Some("image/png"));
    assert_eq!(got, b"\x89PNG");
}

async fn api_json_is_compressed_but_the_websocket_is_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let cookie = app.sign_in(ALPEN, PASSWORD).await;
    // A board of a few offers (their slots lie in the week of 2026-11-23): some
    // kilobytes of JSON, as a real week is hundreds.
    for n in 0..6 {
        create_request(&app, &format!("MKT-GZ-{n}")).await;
    }
    let board = "/api/v1/calls?from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z";

    // The same board, plain and compressed: the compressed one decodes to the plain one.
    let plain = app
        .http
        .get(app.url(board))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.headers().get(CONTENT_ENCODING), None);
    let plain = plain.bytes().await.unwrap();
    assert!(plain.len() > 1024, "the demo board is worth compressing");
    // Chromium's header: zstd first (it compresses a large board several times faster
    // than brotli for a similar size).
    for (accept, encoding) in [
        ("gzip, deflate, br, zstd", "zstd"),
        ("br, gzip", "br"),
        ("gzip", "gzip"),
    ] {
        let response = app
            .http
            .get(app.url(board))
            .header("cookie", &cookie)
            .header(ACCEPT_ENCODING, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[CONTENT_ENCODING], encoding, "{accept}");
        assert!(response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let wire = response.bytes().await.unwrap();
        assert!(wire.len() < plain.len() / 2, "{encoding}: {} B", wire.len());
        let decoded = decode(encoding, &wire);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&decoded).unwrap(),
            serde_json::from_slice::<serde_json::Value>(&plain).unwrap()
        );
    }

    // A tiny answer (the session, well under 1 KiB) is not worth the header.
    let me = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", &cookie)
        .header(ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.headers().get(CONTENT_ENCODING), None);
    assert!(!me.bytes().await.unwrap().is_empty());

    // The socket upgrades as before although the client accepts compression, and speaks.
    let url = format!("{}/api/v1/events", app.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", HeaderValue::from_str(&cookie).unwrap());
    request
        .headers_mut()
        .insert("accept-encoding", HeaderValue::from_static("br, gzip"));
    let (mut ws, response) = connect_async(request).await.expect("websocket opens");
    assert_eq!(response.status(), 101);
    assert!(response.headers().get("content-encoding").is_none());
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
        .await
        .expect("a message in time")
        .expect("socket open")
        .expect("socket healthy");
    let first: serde_json::Value = serde_json::from_str(first.to_text().unwrap()).unwrap();
    assert!(first["type"].is_string(), "{first}");
}

/// Decodes a response body with the codec it names (the test client does not).
fn decode(encoding: &str, wire: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    match encoding {
        "br" => brotli::Decompressor::new(wire, 4096)
            .read_to_end(&mut out)
            .unwrap(),
        "gzip" => flate2::read::GzDecoder::new(wire)
            .read_to_end(&mut out)
            .unwrap(),
        "zstd" => zstd::stream::read::Decoder::new(wire)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap(),
        other => panic!("unexpected encoding {other}"),
    };
    out
}
