//! Security headers on every answer — the app's HTML, its assets, the API, errors: a
//! strict `Content-Security-Policy`, `X-Content-Type-Options: nosniff`, a
//! `Referrer-Policy`, `Cross-Origin-Opener-Policy`, and `Strict-Transport-Security`
//! when the server sits behind HTTPS (`COOKIE_SECURE`).
//!
//! The policy allows no inline script: Trunk's loader (an inline
//! `<script type="module">` in `index.html`) and any inline `<style>` of the shell are
//! allowed by their SHA-256, computed once at start-up from `DIST_DIR/index.html` —
//! so a rebuilt app needs a restarted server. `'wasm-unsafe-eval'` lets the page compile
//! its WebAssembly; `style-src-attr 'unsafe-inline'` is for the `style` attributes Leptos
//! writes (block positions on the calendar), which cannot run code.
//!
//! `frame-ancestors` is decided per response ([`SecurityHeaders::frame_ancestors`]):
//! `'none'` everywhere, except that an answer under `/embed/` may name the company's
//! allowed partner origins by carrying a [`FrameAncestors`] extension (the embed page
//! does, after reading them from the database).

use std::{path::Path, sync::Arc};

use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use sha2::{Digest, Sha256};

use crate::config::Config;

/// The sources an `/embed/*` answer may be framed by, set by its handler as a response
/// extension. Anywhere else it is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameAncestors(String);

impl FrameAncestors {
    /// The given (already validated, normalised) origins; none is `'none'`.
    pub fn of(origins: &[String]) -> Self {
        if origins.is_empty() {
            Self("'none'".to_owned())
        } else {
            Self(origins.join(" "))
        }
    }
}

/// The headers every answer carries, prepared once.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    /// The policy up to (without) `frame-ancestors`.
    policy: String,
    hsts: bool,
}

impl SecurityHeaders {
    /// Reads `DIST_DIR/index.html` (when built) for the hashes of its inline elements.
    pub fn new(config: &Config) -> Self {
        let index = config.dist_dir.join("index.html");
        let html = std::fs::read_to_string(&index).unwrap_or_else(|e| {
            if !Path::new(&config.dist_dir).exists() {
                tracing::debug!("no built app at {}", index.display());
            } else {
                tracing::warn!(error = %e, "cannot read {} for its CSP hashes", index.display());
            }
            String::new()
        });
        Self::for_index(&html, config.cookie_secure)
    }

    /// The headers for an app whose `index.html` is `html`.
    pub fn for_index(html: &str, hsts: bool) -> Self {
        let hashes = |tag: &str| {
            inline_contents(html, tag)
                .iter()
                .map(|content| format!(" 'sha256-{}'", BASE64.encode(Sha256::digest(content))))
                .collect::<String>()
        };
        let policy = format!(
            "default-src 'self'; \
             script-src 'self' 'wasm-unsafe-eval'{scripts}; \
             style-src 'self'{styles}; \
             style-src-attr 'unsafe-inline'; \
             img-src 'self' data: blob:; \
             font-src 'self'; \
             connect-src 'self'; \
             manifest-src 'self'; \
             worker-src 'self'; \
             base-uri 'none'; \
             object-src 'none'; \
             form-action 'self'",
            scripts = hashes("script"),
            styles = hashes("style"),
        );
        Self { policy, hsts }
    }

    /// Who may frame the answer to `path`: nobody, except the origins an `/embed/`
    /// answer names.
    pub fn frame_ancestors<'a>(&self, path: &str, named: Option<&'a FrameAncestors>) -> &'a str {
        match named {
            Some(FrameAncestors(sources)) if path.starts_with("/embed/") => sources,
            _ => "'none'",
        }
    }

    /// The whole `Content-Security-Policy` for the answer to `path`.
    pub fn content_security_policy(&self, path: &str, named: Option<&FrameAncestors>) -> String {
        format!(
            "{}; frame-ancestors {}",
            self.policy,
            self.frame_ancestors(path, named)
        )
    }
}

/// The contents of every inline `<tag>…</tag>` element of `html` (a `<script src>`
/// is not inline and is allowed by `'self'`).
fn inline_contents<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{tag}");
    let close = format!("</{tag}");
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find(&open).map(|i| at + i) {
        let after_name = start + open.len();
        // `<scripts>` or `<style-x>` are other elements.
        if !lower[after_name..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            at = after_name;
            continue;
        }
        let Some(tag_end) = lower[after_name..].find('>').map(|i| after_name + i) else {
            break;
        };
        let Some(end) = lower[tag_end..].find(&close).map(|i| tag_end + i) else {
            break;
        };
        let attributes = &lower[after_name..tag_end];
        let external = tag == "script"
            && attributes
                .split(|c: char| c.is_ascii_whitespace())
                .any(|a| a.starts_with("src="));
        if !external {
            found.push(&html[tag_end + 1..end]);
        }
        at = end;
    }
    found
}

/// Middleware over the whole application.
pub async fn add_security_headers(
    State(headers): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let csp = headers.content_security_policy(&path, response.extensions().get());
    let h = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if headers.hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"<!doctype html><html><head>
<link rel="modulepreload" href="/app-1234.js">
<style>.shell{color:red}</style>
<script src="/public/register.js"></script>
</head><body>
<script type="module">import init from '/app-1234.js';await init();</script>
</body></html>"#;

    #[test]
    fn inline_scripts_and_styles_are_found_external_ones_not() {
        assert_eq!(
            inline_contents(INDEX, "script"),
            ["import init from '/app-1234.js';await init();"]
        );
        assert_eq!(inline_contents(INDEX, "style"), [".shell{color:red}"]);
    }

    #[test]
    fn the_policy_allows_exactly_the_inline_elements_by_hash() {
        let policy = SecurityHeaders::for_index(INDEX, false).content_security_policy("/", None);
        let hash = |s: &str| format!("'sha256-{}'", BASE64.encode(Sha256::digest(s)));
        assert!(policy.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' {};",
            hash("import init from '/app-1234.js';await init();")
        )));
        assert!(policy.contains(&format!("style-src 'self' {};", hash(".shell{color:red}"))));
        assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
        assert!(policy.ends_with("frame-ancestors 'none'"));
    }

    #[test]
    fn only_embed_answers_may_name_their_ancestors() {
        let h = SecurityHeaders::for_index(INDEX, false);
        let named = FrameAncestors::of(&["http://localhost:4100".to_owned()]);
        assert_eq!(
            h.frame_ancestors("/embed/x", Some(&named)),
            "http://localhost:4100"
        );
        assert_eq!(h.frame_ancestors("/", Some(&named)), "'none'");
        assert_eq!(h.frame_ancestors("/embed/x", None), "'none'");
        assert_eq!(
            h.frame_ancestors("/embed/x", Some(&FrameAncestors::of(&[]))),
            "'none'"
        );
    }
}
