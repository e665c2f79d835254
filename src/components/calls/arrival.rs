//! When a request arrived, said the way the dispatcher's language says it ("3 min ago",
//! "vor 3 Minuten", "il y a 3 minutes"): `Intl.RelativeTimeFormat` of the app's language
//! tag, so the wording, plural forms and spacing are the browser's, never ours.

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;

thread_local! {
    /// One formatter per language tag: creating one costs far more than formatting.
    static FORMATS: std::cell::RefCell<std::collections::HashMap<String, js_sys::Intl::RelativeTimeFormat>> =
        std::cell::RefCell::default();
}

/// The value and unit `Intl.RelativeTimeFormat` is given for an age of `seconds`: seconds
/// under a minute (shown as "now" by `numeric: auto` at 0), then minutes, hours, days.
pub fn unit_of(seconds: i64) -> (f64, &'static str) {
    let seconds = seconds.max(0);
    #[allow(clippy::cast_precision_loss)]
    match seconds {
        s if s < 60 => (0.0, "second"),
        s if s < 3_600 => (-((s / 60) as f64), "minute"),
        s if s < 86_400 => (-((s / 3_600) as f64), "hour"),
        s => (-((s / 86_400) as f64), "day"),
    }
}

/// "3 min ago" for `at` seen at `now`, in the language `tag` (short style: a card has
/// little room).
pub fn arrived_ago(tag: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (value, unit) = unit_of((now - at).num_seconds());
    FORMATS.with(|formats| {
        let mut formats = formats.borrow_mut();
        let format = formats.entry(tag.to_owned()).or_insert_with(|| {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"numeric".into(), &"auto".into());
            let _ = js_sys::Reflect::set(&options, &"style".into(), &"short".into());
            js_sys::Intl::RelativeTimeFormat::new(
                &js_sys::Array::of1(&JsValue::from_str(tag)),
                &options,
            )
        });
        String::from(format.format(value, unit))
    })
}

#[cfg(test)]
mod tests {
    use super::unit_of;

    #[test]
    fn ages_pick_the_largest_whole_unit() {
        assert_eq!(unit_of(5), (0.0, "second"));
        assert_eq!(
            unit_of(-5),
            (0.0, "second"),
            "a clock running behind is now"
        );
        assert_eq!(unit_of(3 * 60 + 59), (-3.0, "minute"));
        assert_eq!(unit_of(2 * 3_600), (-2.0, "hour"));
        assert_eq!(unit_of(3 * 86_400), (-3.0, "day"));
    }
}
