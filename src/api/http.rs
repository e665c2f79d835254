//! Transport: JSON over `fetch` (same-origin cookies), problem+json errors decoded into
//! [`ApiError`]. An embedded board whose browser keeps no cookie in the partner's frame
//! also sends its in-memory bearer token ([`crate::embed::bearer`]).

use domain::api::Problem;
use gloo_net::http::{Request, Response};
use serde::{de::DeserializeOwned, Serialize};

/// Why a call to the server failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server could not be reached.
    Network(String),
    /// The server answered with a problem document.
    Problem(Problem),
    /// The server answered something we could not read.
    Unexpected { status: u16, detail: String },
}

impl ApiError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Network(_) => None,
            Self::Problem(p) => Some(p.status),
            Self::Unexpected { status, .. } => Some(*status),
        }
    }

    /// The problem's stable code (`invalid-credentials`, `already-accepted`, …).
    pub fn code(&self) -> &str {
        match self {
            Self::Network(_) => "network",
            Self::Problem(p) => p.code(),
            Self::Unexpected { .. } => "unexpected",
        }
    }

    /// The call as the server has it now, when the refusal carries it (409s do).
    ///
    /// Read from the value's text with the decoder every answer uses: `from_value`
    /// would compile a second copy of the call's whole decoder into the wasm.
    pub fn current_call(&self) -> Option<domain::view::CallView> {
        match self {
            Self::Problem(Problem {
                current: Some(current),
                ..
            }) => serde_json::from_str(&current.to_string()).ok(),
            _ => None,
        }
    }
}

/// Adds the embed's bearer token, when there is one.
fn authorised(request: gloo_net::http::RequestBuilder) -> gloo_net::http::RequestBuilder {
    match crate::embed::bearer() {
        Some(token) => request.header("Authorization", &format!("Bearer {token}")),
        None => request,
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response
            .json::<T>()
            .await
            .map_err(|e| ApiError::Unexpected {
                status,
                detail: e.to_string(),
            });
    }
    Err(match response.json::<Problem>().await {
        Ok(problem) => ApiError::Problem(problem),
        Err(e) => ApiError::Unexpected {
            status,
            detail: e.to_string(),
        },
    })
}

fn network(e: gloo_net::Error) -> ApiError {
    ApiError::Network(e.to_string())
}

/// Sends `body` as JSON with the prepared request and reads the answer.
async fn send_json<B: Serialize, T: DeserializeOwned>(
    request: gloo_net::http::RequestBuilder,
    body: &B,
) -> Result<T, ApiError> {
    let response = request
        .json(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    read(response).await
}

/// A GET of `path` whose address is exactly `path` once the browser has parsed it.
/// gloo-net appends its own (here empty) query to one the URL already has, which would
/// leave a trailing `&` — a different address than the server's preload of the board
/// (`domain::api::calls::board_path`), so the browser would read the board twice. The
/// pairs are handed to gloo-net instead, which spells them as `URLSearchParams` does.
fn get(path: &str) -> gloo_net::http::RequestBuilder {
    let Some((base, query)) = path.split_once('?') else {
        return Request::get(path);
    };
    let decode = |part: &str| {
        js_sys::decode_uri_component(&part.replace('+', " "))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| part.to_owned())
    };
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect();
    Request::get(base).query(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())))
}

/// `GET path` → JSON.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let response = authorised(get(path)).send().await.map_err(network)?;
    read(response).await
}

/// `GET path` → JSON, with the answer's text as it came (to keep without encoding it
/// again) and performance marks `{name}-text` when the answer is a string in memory and
/// `{name}-parsed` when it is decoded (the parts of `cargo xtask bench`'s
/// `ingest_render_ms`, which starts at the string).
pub async fn get_json_and_text<T: DeserializeOwned>(
    path: &str,
    name: &str,
) -> Result<(T, String), ApiError> {
    let response = authorised(get(path)).send().await.map_err(network)?;
    let status = response.status();
    if !(200..300).contains(&status) {
        return read(response).await;
    }
    // The body's bytes copied into the wasm memory as they came, checked as UTF-8 there:
    // `text()` would decode them to a JavaScript string and the copy into wasm encode
    // them back (two passes over 11 MB at 10,000 calls).
    let bytes = response.binary().await.map_err(network)?;
    let text = String::from_utf8(bytes).map_err(|e| ApiError::Unexpected {
        status,
        detail: e.to_string(),
    })?;
    crate::mark(&format!("{name}-text"));
    let value = serde_json::from_str(&text).map_err(|e| ApiError::Unexpected {
        status,
        detail: e.to_string(),
    });
    crate::mark(&format!("{name}-parsed"));
    Ok((value?, text))
}

/// `POST path` with a JSON body → JSON.
pub async fn post_json<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    send_json(authorised(Request::post(path)), body).await
}

/// Every state-changing request declares JSON, also without a body: the server refuses
/// other content types (a cross-site HTML form cannot send this one).
const JSON: &str = "application/json";

/// Sends `request` without a body, still declared JSON (see [`JSON`]).
async fn send_bare(
    request: gloo_net::http::RequestBuilder,
) -> Result<gloo_net::http::Response, ApiError> {
    request
        .header("Content-Type", JSON)
        .send()
        .await
        .map_err(network)
}

/// An answer that should carry no content: `Ok` when it succeeded, else its problem.
async fn read_empty(response: gloo_net::http::Response) -> Result<(), ApiError> {
    if response.ok() {
        Ok(())
    } else {
        read::<serde_json::Value>(response).await.map(drop)
    }
}

/// `POST path` without a body, expecting no content.
pub async fn post_empty(path: &str) -> Result<(), ApiError> {
    read_empty(send_bare(authorised(Request::post(path))).await?).await
}

/// `PATCH path` with a JSON body → JSON.
pub async fn patch_json<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    send_json(authorised(Request::patch(path)), body).await
}

/// `PUT path` with a JSON body → JSON.
pub async fn put_json<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    send_json(authorised(Request::put(path)), body).await
}

/// `PUT path` with a JSON body, expecting no content.
pub async fn put_json_empty<B: Serialize>(path: &str, body: &B) -> Result<(), ApiError> {
    let response = authorised(Request::put(path))
        .json(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    read_empty(response).await
}

/// `PUT path` with a raw body (a `File` or `Blob` from an `<input type=file>`, sent as
/// is; the server sniffs what it is) → JSON.
pub async fn put_raw<T: DeserializeOwned>(
    path: &str,
    body: wasm_bindgen::JsValue,
) -> Result<T, ApiError> {
    let response = authorised(Request::put(path))
        .header("Content-Type", "application/octet-stream")
        .body(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    read(response).await
}

/// `DELETE path` → JSON.
pub async fn delete_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    read(send_bare(authorised(Request::delete(path))).await?).await
}

/// Sends a call write with its `Idempotency-Key` (the server keeps the first answer for
/// that key and gives it back to a repeat instead of changing anything twice): `body` as
/// JSON, or none (still declared JSON) → the JSON answer.
pub async fn send_keyed<T: DeserializeOwned>(
    method: gloo_net::http::Method,
    path: &str,
    key: &str,
    body: Option<&serde_json::Value>,
) -> Result<T, ApiError> {
    let request = authorised(gloo_net::http::RequestBuilder::new(path).method(method))
        .header("Idempotency-Key", key);
    match body {
        Some(body) => send_json(request, body).await,
        None => read(send_bare(request).await?).await,
    }
}

/// `DELETE path`, expecting no content.
pub async fn delete_empty(path: &str) -> Result<(), ApiError> {
    read_empty(send_bare(authorised(Request::delete(path))).await?).await
}
