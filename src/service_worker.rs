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
    };
    provide_context(context);
    if crate::embed::is_embedded() {
        return context;
    }
    // Registering starts the worker, whose install fetches and stores the whole shell:
    // not while a cold load draws its first screen (crate::first_paint).
    crate::first_paint::after_first_paint(move || register(context));
    context
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
        claim_when_active(&container).await;
    });
}

/// Asks the active worker to control this page if it does not yet: a page loaded while
/// the first worker was still installing (registration waits for the first paint, so a
/// reload can fall in that window) is otherwise left uncontrolled — and without its
/// offline shell — until the next load. (The worker's own `clients.claim()` at
/// activation only reaches the pages that existed then.)
async fn claim_when_active(container: &ServiceWorkerContainer) {
    let Ok(ready) = container.ready() else {
        return;
    };
    let Ok(registration) = JsFuture::from(ready).await else {
        return;
    };
    let registration: ServiceWorkerRegistration = registration.unchecked_into();
    if container.controller().is_some() {
        return;
    }
    if let Some(active) = registration.active() {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &"relay:claim".into());
        let _ = active.post_message(&message);
    }
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
