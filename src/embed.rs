//! Embed mode: the board inside a partner's own website, at `/embed/{company}…` in a
//! cross-site iframe mounted by `/embed.js`.
//!
//! The same app, routes, board, modals, drag and live updates, with these differences:
//! the router's base is `/embed/{company}` (every other page refuses to be framed); the
//! session comes from the partner: the frame says `hello` to its parent, the loader
//! answers with the single-use token the partner's server minted, and the frame
//! exchanges it for a session — a partitioned cookie, plus a bearer token kept only in
//! memory for browsers that keep no cookie here ([`bearer`]); the company's brand
//! colour and the requested language apply; no service worker is registered; and the
//! frame reports its content height so the loader can size the iframe.
//!
//! A frame the partner gave no token (or whose session ended) offers "Sign in": a popup
//! on our own origin (`/embed-signin/{company}?origin=…`,
//! [`crate::pages::embed_signin_page`]) signs the dispatcher in first-party, mints a
//! token bound to the partner origin and posts it back to this frame, its opener, with
//! our own origin as the target; the frame accepts it only from that window and origin
//! and exchanges it like a partner's token.
//!
//! Every message both ways is `{ns: EMBED_NS, v: EMBED_VERSION, type, …}`. This side
//! accepts only messages whose `origin` is one of the company's allowed origins and
//! whose `source` is the parent window, and posts only to that exact origin.

use std::cell::RefCell;

use domain::api::company::{
    brand_ink, brand_text, is_brand_colour, logo_source, EmbedConfig, Theme, EMBED_NS,
    EMBED_VERSION,
};
use leptos::{prelude::*, task::spawn_local};
use uuid::Uuid;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::MessageEvent;

use crate::{
    api,
    contexts::session::SessionState,
    i18n::{use_i18n, I18n, Locale},
};

thread_local! {
    /// The embedded session's bearer token (never stored anywhere).
    static BEARER: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The partner page's origin, once it passed a token.
    static PARENT: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Whether the partner page asked for a language (it then wins over the account's).
    static LOCALE_REQUESTED: RefCell<bool> = const { RefCell::new(false) };
    /// The company's logo address, once the embed's configuration arrived.
    static LOGO: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The sign-in popup this frame opened, if any.
    static POPUP: RefCell<Option<web_sys::Window>> = const { RefCell::new(None) };
}

/// The company whose board this page embeds (`/embed/{company}…`), else `None`.
pub fn company() -> Option<Uuid> {
    let path = window().location().pathname().ok()?;
    let rest = path.strip_prefix("/embed/")?;
    Uuid::parse_str(rest.split('/').next()?).ok()
}

/// Whether the app runs embedded.
pub fn is_embedded() -> bool {
    company().is_some()
}

/// The router's base in embed mode.
pub fn router_base() -> Option<String> {
    company().map(|c| format!("/embed/{c}"))
}

/// An app path as a link's `href`: under the router's base in embed mode. Leptos
/// resolves only relative links against the base; an absolute `/requests/…` in a frame
/// would leave the app for a page that refuses to be framed.
pub fn href(path: &str) -> String {
    thread_local! {
        static BASE: String = router_base().unwrap_or_default();
    }
    BASE.with(|base| format!("{base}{path}"))
}

/// The bearer token of an embedded session, if any.
pub fn bearer() -> Option<String> {
    BEARER.with(|b| b.borrow().clone())
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &key.into(), value);
}

fn get_str(object: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(object, &key.into())
        .ok()
        .and_then(|v| v.as_string())
}

/// A message of the embed protocol.
fn message(kind: &str) -> js_sys::Object {
    let m = js_sys::Object::new();
    set(&m, "ns", &EMBED_NS.into());
    set(&m, "v", &EMBED_VERSION.into());
    set(&m, "type", &kind.into());
    m
}

fn post(message: &js_sys::Object, origin: &str) {
    if let Ok(Some(parent)) = window().parent() {
        let _ = parent.post_message(message, origin);
    }
}

/// Posts to the partner page, once its origin is known.
fn post_to_partner(message: &js_sys::Object) {
    if let Some(origin) = PARENT.with(|p| p.borrow().clone()) {
        post(message, &origin);
    }
}

/// Starts embed mode in place of the session's start-up check.
pub fn start(session: RwSignal<SessionState>, i18n: I18n) {
    let Some(company) = company() else {
        return;
    };
    if let Some(root) = document().document_element() {
        let _ = root.class_list().add_1("embed");
    }
    apply_theme();
    // Tell the partner page when the session ends (sign-out, expiry, deactivation).
    Effect::new(move |was_signed_in: Option<bool>| {
        let signed_in = matches!(session.get(), SessionState::SignedIn(_));
        if was_signed_in == Some(true) && !signed_in {
            BEARER.with(|b| b.borrow_mut().take());
            post_to_partner(&message("session-expired"));
        }
        signed_in
    });
    spawn_local(async move {
        let Ok(config) = api::company::embed_config(company).await else {
            session.set(SessionState::SignedOut);
            return;
        };
        apply_brand(&config);
        let requested = query_param("lang");
        // The loader's `locale` (`de`, or a full tag such as `de-CH`), else the company's
        // default language; a bare language takes its first region.
        let requested = requested.filter(|t| !t.trim().is_empty());
        LOCALE_REQUESTED.with(|r| *r.borrow_mut() = requested.is_some());
        let tag = requested.unwrap_or_else(|| config.default_language.clone());
        if !tag.trim().is_empty() {
            i18n.set_locale(Locale::resolve(Some(&tag), ""));
        }
        listen(config.origins.clone(), session);
        observe_height();
        // The parent's origin is not known yet: greet each allowed one; the browser
        // delivers only to the one the parent really has.
        let hello = message("hello");
        for origin in &config.origins {
            post(&hello, origin);
        }
    });
}

/// Whether the partner page chose the frame's language (`Relay.mount(…, {locale})`): the
/// signed-in account's own choice does not override it there.
pub fn locale_requested() -> bool {
    LOCALE_REQUESTED.with(|r| *r.borrow())
}

/// The company's logo (embed mode, when it has one the page's policy allows), shown in
/// the board's header in place of ours.
pub fn logo() -> Option<String> {
    LOGO.with(|l| l.borrow().clone())
}

/// A parameter of the frame's own address (`/embed/{company}?lang=…&theme=…`).
fn query_param(name: &str) -> Option<String> {
    web_sys::Url::new(&window().location().href().ok()?)
        .ok()?
        .search_params()
        .get(name)
}

/// The partner page's theme (`Relay.mount(…, {theme})`, the frame's `?theme=`) as the
/// page's `data-theme`: `light` (also for none or an unknown one) or `dark`; `auto`
/// follows the visitor's `prefers-color-scheme`, and keeps following it when it
/// changes. The server already wrote the requested word into the page so that the
/// loading screen paints in it; this resolves `auto` for the app's styles.
fn apply_theme() {
    let requested = query_param("theme")
        .and_then(|t| Theme::parse(&t))
        .unwrap_or(Theme::Light);
    let set = |dark: bool| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
        }
    };
    match requested {
        Theme::Light => set(false),
        Theme::Dark => set(true),
        Theme::Auto => {
            let Ok(Some(query)) = window().match_media("(prefers-color-scheme: dark)") else {
                set(false);
                return;
            };
            set(query.matches());
            let watched = query.clone();
            let on_change = Closure::<dyn Fn()>::new(move || set(watched.matches()));
            let _ = query
                .add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            // Lives as long as the page.
            on_change.forget();
        }
    }
}

/// The company's brand colour and logo on the board.
fn apply_brand(config: &EmbedConfig) {
    let logo = config.logo_url.trim();
    if logo_source(logo).is_some() {
        LOGO.with(|l| *l.borrow_mut() = Some(logo.to_owned()));
    }
    if !is_brand_colour(&config.brand_colour) {
        return;
    }
    if let Some(root) = document().document_element() {
        let colour = &config.brand_colour;
        let ink = brand_ink(colour);
        // Brand-coloured text and outlines, readable on either theme's surface.
        let on_light = brand_text(colour, false).unwrap_or_else(|| colour.clone());
        let on_dark = brand_text(colour, true).unwrap_or_else(|| colour.clone());
        let _ = root.set_attribute(
            "style",
            &format!(
                "--brand: {colour}; --brand-ink: {ink}; \
                 --brand-text-on-light: {on_light}; --brand-text-on-dark: {on_dark}"
            ),
        );
    }
}

/// Answers the loader's messages: a token to exchange, or none (then a partitioned
/// cookie from an earlier visit may still hold a session).
fn listen(origins: Vec<String>, session: RwSignal<SessionState>) {
    let own = window().location().origin().unwrap_or_default();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let origin = event.origin();
        let Some(source) = event.source() else {
            return;
        };
        let data = event.data();
        if !is_ours(&data) {
            return;
        }
        // The sign-in popup: our own origin, the window this frame opened.
        let from_popup = origin == own
            && POPUP.with(|p| {
                p.borrow()
                    .as_ref()
                    .is_some_and(|w| js_sys::Object::is(&source, w))
            });
        if from_popup {
            if get_str(&data, "type").as_deref() == Some("signin-token") {
                let parent = PARENT.with(|p| p.borrow().clone());
                if let (Some(token), Some(parent)) = (get_str(&data, "token"), parent) {
                    POPUP.with(|p| p.borrow_mut().take());
                    spawn_local(exchange(token, parent, session));
                }
            }
            return;
        }
        if !origins.contains(&origin) {
            return;
        }
        let Ok(Some(parent)) = window().parent() else {
            return;
        };
        if !js_sys::Object::is(&source, &parent) {
            return;
        }
        match get_str(&data, "type").as_deref() {
            Some("token") => {
                let Some(token) = get_str(&data, "token") else {
                    return;
                };
                PARENT.with(|p| *p.borrow_mut() = Some(origin.clone()));
                spawn_local(exchange(token, origin, session));
            }
            Some("no-token") => {
                PARENT.with(|p| *p.borrow_mut() = Some(origin.clone()));
                spawn_local(async move {
                    match api::me().await {
                        Ok(Some(me)) => signed_in(session, me),
                        _ => session.set(SessionState::SignedOut),
                    }
                });
            }
            _ => {}
        }
    });
    let _ =
        window().add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();
}

/// Whether `data` is a message of our protocol and version.
fn is_ours(data: &JsValue) -> bool {
    let ns_ok = get_str(data, "ns").as_deref() == Some(EMBED_NS);
    let v_ok = js_sys::Reflect::get(data, &"v".into())
        .ok()
        .and_then(|v| v.as_f64())
        == Some(f64::from(EMBED_VERSION));
    ns_ok && v_ok
}

/// Exchanges a sign-in token (the partner's, or the popup's) passed for the partner page
/// of `origin` for a session.
async fn exchange(token: String, origin: String, session: RwSignal<SessionState>) {
    match api::company::embed_session(token, origin).await {
        Ok(s) => {
            BEARER.with(|b| *b.borrow_mut() = Some(s.bearer));
            signed_in(session, s.me);
        }
        Err(e) => {
            let m = message("error");
            set(&m, "code", &e.code().into());
            post_to_partner(&m);
            session.set(SessionState::SignedOut);
        }
    }
}

/// Why the sign-in popup could not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopupRefused {
    /// No partner page said hello: the frame is not inside a partner's page.
    NoPartner,
    /// The browser blocked the window.
    Blocked,
}

/// Opens the sign-in popup (on a click: browsers block popups without one) for the
/// partner page that frames this board.
pub fn open_signin_popup() -> Result<(), PopupRefused> {
    let (Some(company), Some(parent)) = (company(), PARENT.with(|p| p.borrow().clone())) else {
        return Err(PopupRefused::NoPartner);
    };
    let Ok(url) = web_sys::Url::new_with_base(
        &format!("/embed-signin/{company}"),
        &window().location().origin().unwrap_or_default(),
    ) else {
        return Err(PopupRefused::NoPartner);
    };
    url.search_params().set("origin", &parent);
    match window().open_with_url_and_target_and_features(
        &url.href(),
        "relay-signin",
        "popup,width=480,height=640",
    ) {
        Ok(Some(popup)) => {
            let _ = popup.focus();
            POPUP.with(|p| *p.borrow_mut() = Some(popup));
            Ok(())
        }
        _ => Err(PopupRefused::Blocked),
    }
}

/// The sign-in popup's opener, if it has one (an embed frame opened it).
fn opener() -> Option<web_sys::Window> {
    window()
        .opener()
        .ok()
        .filter(|o| !o.is_null() && !o.is_undefined())
        .map(|o| o.unchecked_into::<web_sys::Window>())
}

/// Whether this page (the sign-in popup) has an opener to hand a token to.
pub fn has_opener() -> bool {
    opener().is_some()
}

/// The sign-in popup hands its token to its opener — only if the opener is a page of our
/// own origin (the embed frame): a page of any other origin never receives it.
pub fn post_token_to_opener(token: &str) -> bool {
    let (Some(opener), Ok(own)) = (opener(), window().location().origin()) else {
        return false;
    };
    let m = message("signin-token");
    set(&m, "token", &token.into());
    opener.post_message(&m, &own).is_ok()
}

fn signed_in(session: RwSignal<SessionState>, me: domain::api::Me) {
    let ready = message("ready");
    let user = js_sys::Object::new();
    set(&user, "name", &me.name.clone().into());
    set(&ready, "user", &user);
    session.set(SessionState::SignedIn(me));
    post_to_partner(&ready);
}

/// Reports the content's height whenever it changes (our own `ResizeObserver`), so the
/// loader sizes the iframe to the board.
fn observe_height() {
    let Some(body) = document().body() else {
        return;
    };
    let report = Closure::<dyn FnMut()>::new(move || {
        let Some(body) = document().body() else {
            return;
        };
        let m = message("height");
        set(&m, "height", &f64::from(body.scroll_height()).into());
        post_to_partner(&m);
    });
    let constructor = js_sys::Reflect::get(&window(), &"ResizeObserver".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok());
    if let Some(constructor) = constructor {
        let args = js_sys::Array::of1(report.as_ref());
        if let Ok(observer) = js_sys::Reflect::construct(&constructor, &args) {
            if let Ok(observe) = js_sys::Reflect::get(&observer, &"observe".into())
                .and_then(|f| f.dyn_into::<js_sys::Function>())
            {
                let _ = observe.call1(&observer, &body);
            }
        }
    }
    report.forget();
}

/// What the embed shows without a session: the partner page signs the dispatcher in, or
/// the dispatcher does, in our sign-in popup.
#[component]
pub fn EmbedSignedOut() -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::contexts::session::use_session();
    let navigate = leptos_router::hooks::use_navigate();
    // Signed in through the popup: to the board (the router's base keeps it in the embed).
    Effect::new(move |_| {
        if let SessionState::SignedIn(_) = session.0.get() {
            navigate("/", Default::default());
        }
    });
    let refused = RwSignal::new(None::<PopupRefused>);
    let open = move |_: leptos::ev::MouseEvent| refused.set(open_signin_popup().err());
    view! {
        <main id="main" class="center">
            <div class="card embed-signed-out">
                <p>{move || i18n.t("company.embed.signed_out")}</p>
                <button class="button button--primary" type="button" on:click=open>
                    {move || i18n.t("company.embed.sign_in")}
                </button>
                <p class="form-error" role="alert" aria-live="assertive">
                    {move || refused.get().map(|r| i18n.t(match r {
                        PopupRefused::NoPartner => "company.embed.no_partner",
                        PopupRefused::Blocked => "company.embed.popup_blocked",
                    }))}
                </p>
            </div>
        </main>
    }
}
