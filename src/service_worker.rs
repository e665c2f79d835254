//! Registers the service worker (`/sw.js`, written by xtask at build time, scope `/`)
//! and follows its updates: when a new version has installed and waits, [`UpdateContext`]
//! says so and the app shows "A new version is ready — Reload". The page is never
//! reloaded on its own — a dispatcher may be mid-drag or have a form open — only when
//! the user presses Reload: the waiting worker is then told to take over, and the page
//! reloads once it controls it. Updates are looked for at start (once the first screen
//! is painted) and whenever the tab becomes visible again (a tablet in a van stays open
//! for days).

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

/// Whether a new version waits, and the means to switch to it.
#[derive(Clone, Copy)]
pub struct UpdateContext {
    /// A new worker is installed and waiting.
    pub ready: RwSignal<bool>,
    registration: StoredValue<Option<ServiceWorkerRegistration>, LocalStorage>,
    /// Set by [`UpdateContext::apply`]: the next controller change reloads the page.
    reload_requested: StoredValue<bool, LocalStorage>,
    /// [`register`] ran (it runs once, after the first paint).
    registered: StoredValue<bool, LocalStorage>,
}

impl UpdateContext {
    /// Switches to the waiting version: the worker takes over, then the page reloads.
    pub fn apply(self) {
        let waiting = self
            .registration
            .with_value(|r| r.as_ref().and_then(ServiceWorkerRegistration::waiting));
        let Some(waiting) = waiting else {
            // Nothing waits any more (another tab switched already): a reload shows it.
            let _ = window().location().reload();
            return;
        };
        self.reload_requested.set_value(true);
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &"relay:skip-waiting".into());
        let _ = waiting.post_message(&message);
    }
}

/// The app's [`UpdateContext`].
pub fn use_update() -> UpdateContext {
    expect_context::<UpdateContext>()
}

/// Provides the update state and registers the worker.
///
/// A board embedded in a partner's page (crate::embed) installs no worker: it must not
/// take over the whole origin from inside an iframe.
pub fn provide_service_worker() -> UpdateContext {
    let context = UpdateContext {
        ready: RwSignal::new(false),
        registration: StoredValue::new_local(None),
        reload_requested: StoredValue::new_local(false),
        registered: StoredValue::new_local(false),
    };
    provide_context(context);
    if crate::embed::is_embedded() {
        return context;
    }
    // Registering starts the worker, whose install fetches and stores the whole shell (the
    // wasm again among it): on two cores that competes with a cold load's first paint. So
    // the calendar registers once its board is painted (at the latest after
    // `REGISTER_LATEST`: a board that never paints — offline, signed out — must not keep
    // the app from being installed), other pages in their first idle time.
    let path = window().location().pathname().unwrap_or_default();
    if domain::api::calls::opens_the_calendar(&path) {
        crate::contexts::board::after_board_painted(move || register_when_idle(context));
        set_timeout(move || register_once(context), REGISTER_LATEST);
    } else {
        register_when_idle(context);
    }
    context
}

/// The longest a calendar load waits for its board's paint before registering anyway.
const REGISTER_LATEST: std::time::Duration = std::time::Duration::from_secs(5);

/// Registers in the browser's next idle time (within a second).
fn register_when_idle(context: UpdateContext) {
    let later = Closure::once_into_js(move || register_once(context));
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(1_000);
    let _ = window().request_idle_callback_with_options(later.unchecked_ref(), &options);
}

/// [`register`], the first time only.
fn register_once(context: UpdateContext) {
    if !context.registered.get_value() {
        context.registered.set_value(true);
        register(context);
    }
}

/// The browser's worker container, where there is one (not over plain HTTP to another
/// host than localhost, not in some private modes).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = window().navigator();
    js_sys::Reflect::has(&navigator, &"serviceWorker".into())
        .unwrap_or(false)
        .then(|| navigator.service_worker())
}

/// Registers `/sw.js` and wires the update signals.
pub fn register(context: UpdateContext) {
    let Some(container) = container() else {
        return;
    };
    let options = web_sys::RegistrationOptions::new();
    options.set_scope("/");
    let promise = container.register_with_options("/sw.js", &options);
    // The new controller after "Reload": reload once, into the new version.
    let on_controller = Closure::<dyn FnMut()>::new(move || {
        if context.reload_requested.get_value() {
            context.reload_requested.set_value(false);
            let _ = window().location().reload();
        }
    });
    container.set_oncontrollerchange(Some(on_controller.as_ref().unchecked_ref()));
    on_controller.forget();
    spawn_local(async move {
        // A registration that fails (a broken sw.js) leaves the app as it is online.
        let Ok(registration) = JsFuture::from(promise).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        context.registration.set_value(Some(registration.clone()));
        watch(context, &registration);
    });
}

/// Follows `registration`: a worker already waiting, one that finishes installing later,
/// and an update check whenever the tab becomes visible.
fn watch(context: UpdateContext, registration: &ServiceWorkerRegistration) {
    let controlled = || container().is_some_and(|c| c.controller().is_some());
    // A first install (no controller yet) is not an update: it activates at once.
    if registration.waiting().is_some() && controlled() {
        context.ready.set(true);
    }
    let found = registration.clone();
    let on_update_found = Closure::<dyn FnMut()>::new(move || {
        let Some(installing) = found.installing() else {
            return;
        };
        let worker = installing.clone();
        let on_state = Closure::<dyn FnMut()>::new(move || {
            if worker.state() == ServiceWorkerState::Installed && controlled() {
                context.ready.set(true);
            }
        });
        installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        on_state.forget();
    });
    registration.set_onupdatefound(Some(on_update_found.as_ref().unchecked_ref()));
    on_update_found.forget();

    let checked = registration.clone();
    let on_visible = Closure::<dyn FnMut()>::new(move || {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            check_for_update(&checked);
        }
    });
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
    on_visible.forget();
}

/// Asks the browser to fetch `/sw.js` again now; a failure (offline) is no news.
fn check_for_update(registration: &ServiceWorkerRegistration) {
    let Ok(promise) = registration.update() else {
        return;
    };
    spawn_local(async move {
        let _: Result<JsValue, JsValue> = JsFuture::from(promise).await;
    });
}
