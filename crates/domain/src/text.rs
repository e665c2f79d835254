//! The one rule for every piece of text a client sends: no NUL and no control characters
//! other than tab, line feed and carriage return.
//!
//! PostgreSQL cannot store U+0000 in a TEXT column at all, and the other control
//! characters have no business in a name, an address or a note (they break e-mail
//! headers, logs and terminals). The server applies [`control_character_errors`] to every
//! JSON body once, before the body becomes a request type, so each engine answers the
//! same 422 naming the field.

use crate::api::FieldError;

/// The stable code of the field error.
pub const CONTROL_CHARACTER: &str = "control_character";

/// Whether `c` is refused in text input: C0 controls except `\t`, `\n`, `\r`, DEL, and
/// the C1 controls.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The first forbidden character of `text`, if any.
pub fn first_forbidden(text: &str) -> Option<char> {
    text.chars().find(|&c| is_forbidden(c))
}

/// One field error per string in `value` (walked recursively) that holds a forbidden
/// character, named by its JSON path (`client.name`, `lines.0.description`).
pub fn control_character_errors(value: &serde_json::Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    walk(value, &mut String::new(), &mut errors);
    errors
}

fn walk(value: &serde_json::Value, path: &mut String, errors: &mut Vec<FieldError>) {
    match value {
        serde_json::Value::String(text) => {
            if let Some(c) = first_forbidden(text) {
                errors.push(FieldError {
                    field: path.clone(),
                    code: CONTROL_CHARACTER.to_owned(),
                    message: format!(
                        "the text contains the control character U+{:04X}",
                        u32::from(c)
                    ),
                });
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nested(path, &i.to_string(), |path| walk(item, path, errors));
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                nested(path, key, |path| walk(item, path, errors));
            }
        }
        _ => {}
    }
}

/// Runs `f` with `segment` appended to `path`, then restores `path`.
fn nested(path: &mut String, segment: &str, f: impl FnOnce(&mut String)) {
    let len = path.len();
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(segment);
    f(path);
    path.truncate(len);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_escape_are_refused_with_their_path_while_newlines_and_umlauts_pass() {
        let body = serde_json::json!({
            "external_id": "MKT\u{0}1",
            "client": {"name": "Anna\u{1b}[31m", "address": {"city": "Zürich"}},
            "notes": "line one\r\nline\ttwo",
            "lines": [{"description": "ok"}, {"description": "bad\u{7f}"}],
        });

        let mut fields: Vec<_> = control_character_errors(&body)
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        fields.sort();

        assert_eq!(
            fields,
            vec![
                ("client.name".to_owned(), CONTROL_CHARACTER.to_owned()),
                ("external_id".to_owned(), CONTROL_CHARACTER.to_owned()),
                (
                    "lines.1.description".to_owned(),
                    CONTROL_CHARACTER.to_owned()
                ),
            ]
        );
    }
}
