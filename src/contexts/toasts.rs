//! Toasts: short messages at the bottom of the screen, announced to screen readers,
//! optionally with one action (e.g. "Undo").

use leptos::prelude::*;

/// How a toast looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Success,
    Error,
}

/// One toast.
#[derive(Clone)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub text: String,
    /// Label and handler of the toast's button.
    pub action: Option<(String, Callback<()>)>,
}

/// The toasts on screen.
#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
    /// How many open dialogs show the toasts themselves (the modal is in the top layer):
    /// while one does, the page's own host shows none, so each toast exists once.
    dialog_hosts: RwSignal<u32>,
}

impl Toasts {
    /// Shows a toast for `seconds`; returns its id.
    pub fn show(
        &self,
        kind: ToastKind,
        text: String,
        action: Option<(String, Callback<()>)>,
        seconds: u32,
    ) -> u64 {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.list.update(|l| {
            l.push(Toast {
                id,
                kind,
                text,
                action,
            })
        });
        let list = self.list;
        set_timeout(
            move || list.update(|l| l.retain(|t| t.id != id)),
            std::time::Duration::from_secs(u64::from(seconds)),
        );
        id
    }

    /// An informational toast.
    pub fn info(&self, text: String) {
        self.show(ToastKind::Info, text, None, 6);
    }

    /// A success toast.
    pub fn success(&self, text: String) {
        self.show(ToastKind::Success, text, None, 5);
    }

    /// An error toast (stays longer).
    pub fn error(&self, text: String) {
        self.show(ToastKind::Error, text, None, 10);
    }

    /// Removes a toast now.
    pub fn dismiss(&self, id: u64) {
        self.list.update(|l| l.retain(|t| t.id != id));
    }

    /// The toasts on screen (reactive).
    pub fn list(&self) -> Vec<Toast> {
        self.list.get()
    }

    /// The toasts a host shows: a dialog's host all of them, the page's host none while a
    /// dialog shows them (reactive).
    pub fn shown_in(&self, in_dialog: bool) -> Vec<Toast> {
        if !in_dialog && self.dialog_hosts.get() > 0 {
            return Vec::new();
        }
        self.list.get()
    }

    /// A dialog's host was mounted (`true`) or removed (`false`).
    pub fn dialog_host(&self, mounted: bool) {
        self.dialog_hosts.update(|n| {
            *n = if mounted { *n + 1 } else { n.saturating_sub(1) };
        });
    }
}

/// Provides the toast list.
pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        list: RwSignal::new(Vec::new()),
        next: StoredValue::new(1),
        dialog_hosts: RwSignal::new(0),
    };
    provide_context(toasts);
    toasts
}

/// The app's [`Toasts`].
pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}
