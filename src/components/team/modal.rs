//! A native `<dialog>` shown modal while mounted: the browser traps focus and closes it
//! on Escape; focus goes back to where it was when the dialog closes.

use leptos::{html::Dialog, prelude::*};
use wasm_bindgen::JsCast;

/// A modal dialog. Mount it (e.g. inside `<Show>`) to open it; `on_close` runs on Escape
/// and should unmount it.
#[component]
pub fn Modal(
    /// The id of the element naming the dialog (its heading).
    #[prop(into)]
    labelled_by: String,
    /// Called when the user dismisses the dialog (Escape).
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    let opener = document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    let opener = StoredValue::new_local(opener);
    Effect::new(move |_| {
        if let Some(el) = dialog.get() {
            if !el.open() {
                let _ = el.show_modal();
            }
        }
    });
    on_cleanup(move || {
        if let Some(el) = opener.get_value() {
            let _ = el.focus();
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby=labelled_by
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_close.run(());
            }
        >
            {children()}
        </dialog>
    }
}
