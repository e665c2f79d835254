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
//! The embed's sign-in popup (`/embed-signin/…`) answers `Cross-Origin-Opener-Policy:
//! unsafe-none` ([`opener_policy`]); everything else `same-origin`.
//!
//! `frame-ancestors` is decided per response ([`SecurityHeaders::frame_ancestors`]):
//! `'none'` everywhere, except that an answer under `/embed/` may name the company's
//! allowed partner origins, and its logo's address in `img-src`, by carrying an
//! [`EmbedPolicy`] extension (the embed page does, after reading them from the
//! database).

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

/// What an `/embed/*` answer adds to the policy, set by its handler as a response
/// extension (anywhere else it is ignored): the sources that may frame it, and the
/// company's logo, which the framed board shows from where the company keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedPolicy {
    frame_ancestors: String,
    logo: Option<String>,
}

impl EmbedPolicy {
    /// The given (already validated, normalised) origins, none being `'none'`, and the
    /// logo's address if it is one a policy can name ([`domain::api::company::logo_source`]).
    pub fn of(origins: &[String], logo_url: &str) -> Self {
        Self {
            frame_ancestors: if origins.is_empty() {
                "'none'".to_owned()
            } else {
                origins.join(" ")
            },
            logo: domain::api::company::logo_source(logo_url.trim()).map(str::to_owned),
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

    /// What the answer to `path` may add: only an `/embed/` answer, what it names.
    fn embed<'a>(path: &str, named: Option<&'a EmbedPolicy>) -> Option<&'a EmbedPolicy> {
        named.filter(|_| path.starts_with("/embed/"))
    }

    /// Who may frame the answer to `path`: nobody, except the origins an `/embed/`
    /// answer names.
    pub fn frame_ancestors<'a>(&self, path: &str, named: Option<&'a EmbedPolicy>) -> &'a str {
        Self::embed(path, named).map_or("'none'", |e| e.frame_ancestors.as_str())
    }

    /// The whole `Content-Security-Policy` for the answer to `path`.
    pub fn content_security_policy(&self, path: &str, named: Option<&EmbedPolicy>) -> String {
        let logo = Self::embed(path, named)
            .and_then(|e| e.logo.as_deref())
            .map(|l| format!(" {l}"))
            .unwrap_or_default();
        format!(
            "{}; img-src 'self' data: blob:{logo}; frame-ancestors {}",
            self.policy,
            self.frame_ancestors(path, named)
        )
    }
}

/// The `Cross-Origin-Opener-Policy` for the answer to `path`: `same-origin` (our pages
/// share no window with another site's), except the embed's sign-in popup, which a
/// partner page's frame opens and which must keep `window.opener` to hand the frame its
/// token: `same-origin` there would put it in a browsing context group of its own.
pub fn opener_policy(path: &str) -> &'static str {
    if path.starts_with("/embed-signin/") {
        "unsafe-none"
    } else {
        "same-origin"
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
        HeaderValue::from_static(opener_policy(&path)),
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
    fn only_embed_answers_name_the_companys_logo() {
        let h = SecurityHeaders::for_index(INDEX, false);
        let named = EmbedPolicy::of(&[], "https://cdn.alpen.example/logo.svg?v=2");
        let embed = h.content_security_policy("/embed/x", Some(&named));
        assert!(embed.contains("; img-src 'self' data: blob: https://cdn.alpen.example/logo.svg;"));
        assert!(embed.ends_with("frame-ancestors 'none'"));
        let app = h.content_security_policy("/", Some(&named));
        assert!(app.contains("; img-src 'self' data: blob:;"), "{app}");
        // An address a policy cannot hold adds nothing.
        let hostile = EmbedPolicy::of(&[], "https://x.example/a.png; script-src *");
        let embed = h.content_security_policy("/embed/x", Some(&hostile));
        assert!(embed.contains("; img-src 'self' data: blob:;"), "{embed}");
        assert!(!embed.contains("script-src *"));
    }

    #[test]
    fn only_the_sign_in_popup_keeps_its_opener() {
        assert_eq!(opener_policy("/embed-signin/x"), "unsafe-none");
        assert_eq!(opener_policy("/embed/x"), "same-origin");
        assert_eq!(opener_policy("/login"), "same-origin");
        assert_eq!(opener_policy("/embed-signin"), "same-origin");
    }

    #[test]
    fn only_embed_answers_may_name_their_ancestors() {
        let h = SecurityHeaders::for_index(INDEX, false);
        let named = EmbedPolicy::of(&["http://localhost:4100".to_owned()], "");
        assert_eq!(
            h.frame_ancestors("/embed/x", Some(&named)),
            "http://localhost:4100"
        );
        assert_eq!(h.frame_ancestors("/", Some(&named)), "'none'");
        assert_eq!(h.frame_ancestors("/embed/x", None), "'none'");
        assert_eq!(
            h.frame_ancestors("/embed/x", Some(&EmbedPolicy::of(&[], ""))),
            "'none'"
        );
    }
}
