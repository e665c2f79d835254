//! Pieces of the team tab and of the technician's own profile page.

pub mod add_technician_dialog;
pub mod edit_technician_dialog;
pub mod modal;
pub mod photo_input;
pub mod skill_picker;
pub mod technician_card;

use domain::api::FieldError;

use crate::{api::ApiError, i18n::I18n};

/// The translated name of a marketplace skill (unknown skills show as they are).
pub fn skill_label(i18n: I18n, skill: &str) -> String {
    let key = format!("team.skill.{skill}");
    let text = i18n.t(&key);
    if text == key {
        skill.to_owned()
    } else {
        text
    }
}

/// The field errors of a failed request (empty for other failures).
pub fn field_errors(error: &ApiError) -> Vec<FieldError> {
    match error {
        ApiError::Problem(problem) => problem.errors.clone(),
        _ => Vec::new(),
    }
}

/// The translated message for `field` among `errors` (`skills[2]` counts as `skills`).
pub fn field_message(i18n: I18n, errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
        .map(|e| {
            let key = format!("team.error.{}", e.code);
            let text = i18n.t(&key);
            if text == key {
                e.message.clone()
            } else {
                text
            }
        })
}

/// A translated sentence for a failure that is not about one field.
pub fn error_message(i18n: I18n, error: &ApiError) -> String {
    let key = match error.code() {
        "network" => "team.error.network",
        "payload-too-large" => "team.error.payload_too_large",
        "unsupported-image" => "team.error.unsupported_image",
        "image-dimensions" => "team.error.image_dimensions",
        "corrupt-image" => "team.error.corrupt_image",
        "validation" => "team.error.check_fields",
        "already-activated" => "team.error.already_activated",
        "not-found" => "team.error.not_found",
        _ => "team.error.generic",
    };
    i18n.t(key)
}

/// The `File` chosen in a file input, as a value the upload can send.
pub fn chosen_file(input: &web_sys::HtmlInputElement) -> Option<wasm_bindgen::JsValue> {
    let files = js_sys::Reflect::get(input, &"files".into()).ok()?;
    let file = js_sys::Reflect::get(&files, &0.into()).ok()?;
    (!file.is_undefined() && !file.is_null()).then_some(file)
}
