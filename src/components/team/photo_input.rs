use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::chosen_file;
use crate::i18n::use_i18n;

/// A labelled file input for a profile picture; hands the chosen file to `on_file`.
#[component]
pub fn PhotoInput(
    /// Id of the input (unique on the page).
    #[prop(into)]
    id: String,
    /// Called with the chosen `File`.
    on_file: Callback<JsValue>,
    /// Disables the input while an upload runs.
    #[prop(into, optional)]
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field photo-input">
            <label for=id.clone()>{move || i18n.t("team.field.photo")}</label>
            <input
                id=id
                type="file"
                accept="image/jpeg,image/png,image/webp"
                aria-describedby=hint_id.clone()
                disabled=move || busy.get()
                on:change:target=move |ev| {
                    let input = ev.target();
                    if let Some(file) = chosen_file(&input) {
                        on_file.run(file);
                    }
                    input.set_value("");
                }
            />
            <p class="hint" id=hint_id>{move || i18n.t("team.photo.hint")}</p>
        </div>
    }
}
