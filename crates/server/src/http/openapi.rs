//! Completes the generated OpenAPI document with the answers every operation can give
//! besides its own: the problems of the shared layers and extractors (malformed or
//! oversized bodies, wrong media type, unknown fields, no session, a refused origin,
//! rate limits), so a generated client and a contract fuzzer agree with the server.
//!
//! The handlers' `#[utoipa::path]` annotations list what is particular to them; the
//! rules here say what follows from an operation's shape, once for all:
//! - every operation: 401 (no or wrong session / key) and 403 (a refused origin, or a
//!   technician on a dispatcher route);
//! - a path parameter: 404 (unknown, or another company's);
//! - a JSON body: 400 (malformed), 413 (too large), 415 (not JSON), 422 (invalid
//!   fields, unknown fields, control characters);
//! - a query: 400 (unreadable) and 422 (invalid values);
//! - sign-in, activation and token endpoints: 429 (rate limit, with `Retry-After`) and
//!   503 (too many password checks at once);
//! - a state change of a call (`/api/v1/calls/…`): the optional `Idempotency-Key` header
//!   (http::idempotency) with its 400 (malformed key), 409 (`idempotency-key-in-use`) and
//!   422 (`idempotency-key-reused`).
//!
//! Photos are binary: their uploads take the image types the server sniffs, and a photo
//! is answered as the JPEG thumbnail or, for seeded technicians, an SVG placeholder.

use serde_json::{json, Map, Value};

/// What each added status means, as its description says.
fn description(status: &str) -> &'static str {
    match status {
        "400" => "Unreadable request (malformed JSON or query)",
        "401" => "No valid session or marketplace key",
        "403" => "Refused: cross-site origin, or not allowed for this role",
        "404" => "Not found (or another company's)",
        "413" => "The request body is too large",
        "415" => "The body is not application/json",
        "422" => "Invalid, unknown or control-character fields",
        "429" => "Too many attempts; retry after `Retry-After` seconds",
        "503" => "Too many sign-ins at once; retry shortly",
        _ => "Error",
    }
}

/// Paths whose operations are rate-limited (password checks and single-use tokens).
fn rate_limited(path: &str) -> bool {
    path.starts_with("/api/v1/auth/login")
        || path.starts_with("/api/v1/auth/activate")
        || path.contains("token")
}

fn problem_response(status: &str) -> Value {
    json!({
        "description": description(status),
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    })
}

/// Whether operations of `method` on `path` honour `Idempotency-Key` (http::idempotency).
fn idempotent(method: &str, path: &str) -> bool {
    !matches!(method, "get" | "head" | "options") && path.starts_with("/api/v1/calls/")
}

/// The `Idempotency-Key` header parameter.
fn idempotency_parameter() -> Value {
    json!({
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "description": "Makes the change safe to repeat: the first request with a key runs \
            and its answer is stored for 24 hours with the change; a repeat of the same request \
            (method, path, body) gets that answer again (`Idempotent-Replayed: true`) without \
            running; the same key with another request is 422 `idempotency-key-reused`, a \
            repeat while the first still runs 409 `idempotency-key-in-use`. Keys are per company.",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": crate::http::idempotency::MAX_KEY_LEN,
            "pattern": "^[!-~]+$",
        },
    })
}

/// Adds the `Idempotency-Key` parameter and what it can answer to a call write.
fn add_idempotency(operation: &mut Map<String, Value>) {
    let parameters = operation.entry("parameters").or_insert_with(|| json!([]));
    if let Some(list) = parameters.as_array_mut() {
        list.push(idempotency_parameter());
    }
    let responses = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("responses is an object");
    for (status, meaning) in [
        (
            "400",
            "`invalid-idempotency-key`: not 1 to 255 visible ASCII characters",
        ),
        (
            "409",
            "`idempotency-key-in-use`: a request with this key is still running (`Retry-After`)",
        ),
        (
            "422",
            "`idempotency-key-reused`: the key was used for another request",
        ),
    ] {
        let answer = responses
            .entry(status)
            .or_insert_with(|| problem_response(status));
        let described = answer["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        answer["description"] = Value::String(if described.is_empty() {
            meaning.to_owned()
        } else {
            format!("{described}; {meaning}")
        });
    }
}

/// The statuses an operation of `path` can answer besides its own annotations.
fn implied_statuses(method: &str, path: &str, operation: &Map<String, Value>) -> Vec<&'static str> {
    let mut statuses = vec!["401", "403"];
    // Every state change on the JSON API must be sent as `application/json`, body-less
    // ones included (http::csrf), so each of them can answer 415.
    if !matches!(method, "get" | "head" | "options") {
        statuses.push("415");
    }
    let parameters = operation
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let located = |place: &str| parameters.iter().any(|p| p["in"] == place);
    if located("path") || path.contains('{') {
        statuses.push("404");
    }
    if let Some(body) = operation.get("requestBody") {
        if body["content"].get("application/json").is_some() {
            statuses.extend(["400", "413", "415", "422"]);
        } else {
            statuses.extend(["413", "415", "422"]);
        }
    }
    if located("query") {
        statuses.extend(["400", "422"]);
    }
    if rate_limited(path) {
        statuses.extend(["429", "503"]);
    }
    statuses
}

fn binary(types: &[&str]) -> Value {
    Value::Object(
        types
            .iter()
            .map(|t| {
                (
                    (*t).to_owned(),
                    json!({"schema": {"type": "string", "format": "binary"}}),
                )
            })
            .collect(),
    )
}

/// The real media types of the photo operations.
fn photo_media_types(method: &str, operation: &mut Map<String, Value>) {
    match method {
        "get" => {
            if let Some(ok) = operation
                .get_mut("responses")
                .and_then(|r| r.get_mut("200"))
            {
                ok["content"] = binary(&[crate::images::THUMBNAIL_TYPE, "image/svg+xml"]);
            }
        }
        "put" => {
            if let Some(body) = operation.get_mut("requestBody") {
                body["content"] = binary(&[
                    "image/jpeg",
                    "image/png",
                    "image/webp",
                    "application/octet-stream",
                ]);
            }
        }
        _ => {}
    }
}

/// Adds the implied problem answers to every operation of `doc` (keeping any the
/// handler documented itself), and makes every problem answer `application/problem+json`.
pub fn complete(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut value = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    if let Some(paths) = value.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                if !matches!(
                    method.as_str(),
                    "get" | "put" | "post" | "delete" | "patch" | "head" | "options"
                ) {
                    continue;
                }
                let Some(operation) = operation.as_object_mut() else {
                    continue;
                };
                if path.ends_with("/photo") {
                    photo_media_types(method, operation);
                }
                if idempotent(method, path) {
                    add_idempotency(operation);
                }
                let statuses = implied_statuses(method, path, operation);
                let responses = operation
                    .entry("responses")
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("responses is an object");
                for status in statuses {
                    responses
                        .entry(status)
                        .or_insert_with(|| problem_response(status));
                }
            }
        }
    }
    serde_json::from_value(value).expect("the completed document is still an OpenAPI document")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_with_a_path_id_and_a_json_body_lists_every_problem_it_can_answer() {
        let operation = json!({
            "parameters": [{"name": "id", "in": "path", "required": true}],
            "requestBody": {"content": {"application/json": {}}},
        });

        let statuses = implied_statuses(
            "patch",
            "/api/v1/calls/{id}",
            operation.as_object().unwrap(),
        );

        for status in ["400", "401", "403", "404", "413", "415", "422"] {
            assert!(statuses.contains(&status), "{status} missing: {statuses:?}");
        }
        assert!(!statuses.contains(&"429"));
        assert!(implied_statuses("post", "/api/v1/auth/login", &Map::new()).contains(&"429"));
        // A body-less state change still has to be sent as JSON (http::csrf).
        assert!(
            implied_statuses("post", "/api/v1/calls/{id}/accept", &Map::new()).contains(&"415")
        );
        assert!(!implied_statuses("get", "/api/v1/calls", &Map::new()).contains(&"415"));
    }

    #[test]
    fn call_writes_document_the_idempotency_key_and_its_answers() {
        let doc = crate::http::openapi();
        let value = serde_json::to_value(&doc).unwrap();
        let patch = &value["paths"]["/api/v1/calls/{id}"]["patch"];
        let header = patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "Idempotency-Key")
            .expect("the header is documented");
        assert_eq!(header["in"], "header");
        for status in ["400", "409", "422"] {
            assert!(patch["responses"].get(status).is_some(), "{status} missing");
        }
        assert!(patch["responses"]["409"]["description"]
            .as_str()
            .unwrap()
            .contains("idempotency-key-in-use"));
        let get = &value["paths"]["/api/v1/calls/{id}"]["get"];
        assert!(!get["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Idempotency-Key"));
    }
}
