//! Locales (en-GB, de-CH, de-DE, de-AT, fr-CH, fr-FR): every text the app shows comes
//! from `locales/{en,de,fr}/*.json` with the locale's regional overrides
//! (`locales/{tag}/overrides.json`) on top, looked up through [`I18n::t`]. Swiss spelling
//! and French typography are applied to every text when a catalogue is loaded
//! ([`domain::locale::finish_text`]), so they hold on every screen. Dates, weekdays,
//! times, numbers and money are formatted by the browser's `Intl` for the locale's full
//! tag (no ICU data in the wasm, no chrono names anywhere a person reads), except the
//! calendar's first screen: its four date formats are written by
//! [`domain::date_text`] as `Intl` writes them (tested against it in the browser), since
//! a page's first `Intl` object costs 12–46 ms and the board's first paint waited on it;
//! `Intl`'s data is loaded in idle time after the paint ([`warm_up_intl`]).
//!
//! The locale is the person's: after sign-in the account's ([`Me::locale`]) wins, the
//! switches store a new choice on the account; before sign-in the last choice in this
//! browser (`localStorage`), else the browser's languages.

use std::{collections::HashMap, sync::OnceLock};

use domain::api::Me;
pub use domain::locale::Locale;
use domain::locale::{finish_text, Language};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

const STORAGE_KEY: &str = "relay.locale";

/// The catalogue files of a language, one per area of the app (each area's texts have
/// one owner; keys are prefixed by area).
fn sources(language: Language) -> [&'static str; 7] {
    match language {
        Language::En => [
            include_str!("../locales/en/app.json"),
            include_str!("../locales/en/calls.json"),
            include_str!("../locales/en/team.json"),
            include_str!("../locales/en/live.json"),
            include_str!("../locales/en/orders.json"),
            include_str!("../locales/en/queue.json"),
            include_str!("../locales/en/company.json"),
        ],
        Language::De => [
            include_str!("../locales/de/app.json"),
            include_str!("../locales/de/calls.json"),
            include_str!("../locales/de/team.json"),
            include_str!("../locales/de/live.json"),
            include_str!("../locales/de/orders.json"),
            include_str!("../locales/de/queue.json"),
            include_str!("../locales/de/company.json"),
        ],
        Language::Fr => [
            include_str!("../locales/fr/app.json"),
            include_str!("../locales/fr/calls.json"),
            include_str!("../locales/fr/team.json"),
            include_str!("../locales/fr/live.json"),
            include_str!("../locales/fr/orders.json"),
            include_str!("../locales/fr/queue.json"),
            include_str!("../locales/fr/company.json"),
        ],
    }
}

/// The regional overrides of one locale (wording and spelling that differ by country).
fn overrides(locale: Locale) -> &'static str {
    match locale {
        Locale::EnGb => include_str!("../locales/en-GB/overrides.json"),
        Locale::DeCh => include_str!("../locales/de-CH/overrides.json"),
        Locale::DeDe => include_str!("../locales/de-DE/overrides.json"),
        Locale::DeAt => include_str!("../locales/de-AT/overrides.json"),
        Locale::FrCh => include_str!("../locales/fr-CH/overrides.json"),
        Locale::FrFr => include_str!("../locales/fr-FR/overrides.json"),
    }
}

type Catalog = HashMap<String, String>;

/// The catalogue of `locale`, built on its first use: a start in one locale never parses
/// the others' texts.
fn catalog(locale: Locale) -> &'static Catalog {
    static CATALOGS: [OnceLock<Catalog>; 6] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let index = Locale::ALL.iter().position(|l| *l == locale).unwrap_or(0);
    CATALOGS[index].get_or_init(|| {
        let mut catalog = Catalog::new();
        for source in sources(locale.language()) {
            let part: Catalog = serde_json::from_str(source).expect("locale files are valid JSON");
            catalog.extend(part);
        }
        for layer in locale.override_chain() {
            let part: Catalog =
                serde_json::from_str(overrides(*layer)).expect("override files are valid JSON");
            // Mail texts share the override files; the app never shows them.
            catalog.extend(part.into_iter().filter(|(k, _)| !k.starts_with("mail.")));
        }
        for text in catalog.values_mut() {
            *text = finish_text(locale, text);
        }
        catalog
    })
}

/// The text for `key` in `locale`, falling back to English, then to the key itself (so a
/// missing text is visible, never a blank).
pub fn lookup(locale: Locale, key: &str) -> String {
    catalog(locale)
        .get(key)
        .or_else(|| catalog(Locale::EnGb).get(key))
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

/// The app-wide locale state.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The translated text for `key` in the current locale (reactive).
    pub fn t(&self, key: &str) -> String {
        lookup(self.locale.get(), key)
    }

    /// The text for `key`, or for `fallback` when the catalogue has no `key` (for keys
    /// built from server codes, e.g. `calls.error.{problem code}`).
    pub fn t_or(&self, key: &str, fallback: &str) -> String {
        let locale = self.locale.get();
        if catalog(Locale::EnGb).contains_key(key) {
            lookup(locale, key)
        } else {
            lookup(locale, fallback)
        }
    }

    /// A label's colon and the space after it, as the locale writes it: `": "`, and in
    /// French `"\u{202F}: "` (a narrow no-break space before it). For the colons the app
    /// puts between a catalogue text and a value (reactive).
    pub fn colon(&self) -> &'static str {
        if self.locale.get().french_typography() {
            "\u{202F}: "
        } else {
            ": "
        }
    }

    /// The current locale (reactive).
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// Switches the locale in this browser and remembers it for the sign-in page (the
    /// switches also store it on the account, see [`crate::api::set_my_locale`]).
    pub fn set_locale(&self, locale: Locale) {
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(STORAGE_KEY, locale.tag());
        }
        set_document_lang(locale);
        if self.locale.get_untracked() != locale {
            self.locale.set(locale);
        }
    }

    /// Takes the locale the signed-in account chose (on every sign-in and start-up
    /// check); an account without a choice keeps the browser's.
    pub fn follow_account(&self, me: &Me) {
        if let Some(locale) = me.locale {
            self.set_locale(locale);
        }
    }

    /// The BCP 47 tag used for formatting: the locale's own (`de-CH` formats
    /// `CHF 1’250.00`, `de-AT` writes `Jänner`).
    pub fn format_tag(&self) -> String {
        self.locale.get().tag().to_owned()
    }

    /// Money in minor units, formatted for the current locale (reactive).
    pub fn money(&self, amount_minor: i64, currency: &str) -> String {
        format_money(&self.format_tag(), amount_minor, currency)
    }

    /// An instant (milliseconds since the epoch, UTC) as date and time in `time_zone`.
    pub fn date_time(&self, epoch_ms: f64, time_zone: &str) -> String {
        format_date_time(&self.format_tag(), epoch_ms, time_zone)
    }
}

fn set_document_lang(locale: Locale) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", locale.tag());
    }
}

/// The initial locale: the one last used in this browser, else the browser's first
/// language we have (in its region, else that language's first), else British English.
fn initial_locale() -> Locale {
    let remembered = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|tag| Locale::from_tag(&tag));
    remembered
        .or_else(|| {
            window()
                .navigator()
                .languages()
                .iter()
                .filter_map(|v| v.as_string())
                .find_map(|tag| {
                    let primary = tag.split(['-', '_']).next().unwrap_or_default();
                    let region = tag.split(['-', '_']).nth(1).unwrap_or_default();
                    let resolved = Locale::resolve(Some(&tag), region);
                    (resolved.language().code().eq_ignore_ascii_case(primary)).then_some(resolved)
                })
        })
        .unwrap_or(Locale::EnGb)
}

/// Provides [`I18n`] to the whole app.
pub fn provide_i18n() -> I18n {
    let locale = initial_locale();
    set_document_lang(locale);
    let i18n = I18n {
        locale: RwSignal::new(locale),
    };
    provide_context(i18n);
    i18n
}

/// Makes the app follow the signed-in account's locale: at the start-up check and on
/// every sign-in, on any device.
pub fn follow_session(session: crate::contexts::session::SessionContext) {
    let i18n = use_i18n();
    Effect::new(move |_| {
        if let crate::contexts::session::SessionState::SignedIn(me) = session.0.get() {
            if !crate::embed::locale_requested() {
                i18n.follow_account(&me);
            }
        }
    });
}

/// The app's [`I18n`].
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

fn options(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// Formats money through `Intl.NumberFormat` (currency style, the currency's own
/// number of decimals).
pub fn format_money(tag: &str, amount_minor: i64, currency: &str) -> String {
    let locales = js_sys::Array::of1(&JsValue::from_str(tag));
    let opts = options(&[
        ("style", JsValue::from_str("currency")),
        ("currency", JsValue::from_str(currency)),
    ]);
    let format = js_sys::Intl::NumberFormat::new(&locales, &opts).format();
    // Minor units are exact integers; dividing by 100 is exact for CHF, EUR and GBP
    // (two decimals) and only happens here, at display time.
    #[allow(clippy::cast_precision_loss)]
    let major = amount_minor as f64 / 100.0;
    format
        .call1(&JsValue::NULL, &JsValue::from_f64(major))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Formats an instant through `Intl.DateTimeFormat` in `time_zone` (DST-correct: the
/// browser applies the zone's rules for that instant).
pub fn format_date_time(tag: &str, epoch_ms: f64, time_zone: &str) -> String {
    if let Some((locale, at)) = wall_clock(tag, epoch_ms, time_zone) {
        return domain::date_text::date_time(locale, at);
    }
    format_with(
        tag,
        epoch_ms,
        &[
            ("timeZone", time_zone),
            ("dateStyle", "medium"),
            ("timeStyle", "short"),
        ],
    )
}

/// A formatter and the texts it made, by instant (a board shows the same quarter hours
/// again and again: each is formatted once).
struct DateFormat {
    format: js_sys::Function,
    texts: std::collections::HashMap<i64, String>,
}

/// Texts a formatter keeps before it starts over (a week of quarter hours is 672).
const DATE_TEXTS_KEPT: usize = 4096;

thread_local! {
    /// `Intl.DateTimeFormat` per language tag and options: creating a formatter costs far
    /// more than formatting, and a board formats thousands of instants.
    static DATE_FORMATS: std::cell::RefCell<std::collections::HashMap<String, DateFormat>> =
        std::cell::RefCell::default();
}

/// Formats `epoch_ms` with the (cached) `Intl.DateTimeFormat` of `tag` and `pairs`.
fn format_with(tag: &str, epoch_ms: f64, pairs: &[(&str, &str)]) -> String {
    let mut key = String::with_capacity(64);
    key.push_str(tag);
    for (k, v) in pairs {
        key.extend(["|", k, "=", v]);
    }
    #[allow(clippy::cast_possible_truncation)]
    let instant = epoch_ms.round() as i64;
    DATE_FORMATS.with(|formats| {
        let mut formats = formats.borrow_mut();
        let date_format = formats.entry(key).or_insert_with(|| {
            let pairs: Vec<(&str, JsValue)> = pairs
                .iter()
                .map(|(k, v)| (*k, JsValue::from_str(v)))
                .collect();
            let locales = js_sys::Array::of1(&JsValue::from_str(tag));
            DateFormat {
                format: js_sys::Intl::DateTimeFormat::new(&locales, &options(&pairs)).format(),
                texts: std::collections::HashMap::new(),
            }
        });
        if let Some(text) = date_format.texts.get(&instant) {
            return text.clone();
        }
        let text = date_format
            .format
            .call1(
                &JsValue::NULL,
                &js_sys::Date::new(&JsValue::from_f64(epoch_ms)),
            )
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        if date_format.texts.len() >= DATE_TEXTS_KEPT {
            date_format.texts.clear();
        }
        date_format.texts.insert(instant, text.clone());
        text
    })
}

/// The locale whose tag `tag` is exactly (the formatting functions take the tag the app
/// formats with, [`I18n::format_tag`]); another tag goes to `Intl` as it is.
fn ours(tag: &str) -> Option<Locale> {
    Locale::ALL.into_iter().find(|l| l.tag() == tag)
}

/// One of our locales and `epoch_ms` on the wall clock of `time_zone`, when both are
/// ours: the calendar's formats are then written by [`domain::date_text`], without
/// `Intl`. (`Date` truncates an instant to whole milliseconds, and so does this.)
fn wall_clock(
    tag: &str,
    epoch_ms: f64,
    time_zone: &str,
) -> Option<(Locale, chrono::NaiveDateTime)> {
    let locale = ours(tag)?;
    let zone = domain::tz::parse_zone(time_zone).ok()?;
    #[allow(clippy::cast_possible_truncation)]
    let instant = chrono::DateTime::from_timestamp_millis(epoch_ms as i64)?;
    Some((locale, domain::tz::to_local(instant, zone).naive_local()))
}

/// Loads `Intl`'s data (a page's first `Intl` object costs 12–46 ms), called after the
/// first paint ([`crate::first_paint`]): by the time a dispatcher drags a block or opens
/// a dialog, its formatter is a cache hit rather than a pause. Creates the drag ghost's
/// formatter, the one the board needs next.
pub fn warm_up_intl(tag: &str, time_zone: &str) {
    format_weekday_time(tag, 0.0, time_zone);
}

/// A date without time ("Tue, 24 Nov 2026") in `time_zone`.
pub fn format_date(tag: &str, epoch_ms: f64, time_zone: &str) -> String {
    if let Some((locale, at)) = wall_clock(tag, epoch_ms, time_zone) {
        return domain::date_text::weekday_date(locale, at.date());
    }
    format_with(
        tag,
        epoch_ms,
        &[
            ("timeZone", time_zone),
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("year", "numeric"),
        ],
    )
}

/// A short weekday and day ("Tue 24") in `time_zone`, for column headers.
pub fn format_weekday(tag: &str, epoch_ms: f64, time_zone: &str) -> String {
    if let Some((locale, at)) = wall_clock(tag, epoch_ms, time_zone) {
        return domain::date_text::weekday_day(locale, at.date());
    }
    format_with(
        tag,
        epoch_ms,
        &[
            ("timeZone", time_zone),
            ("weekday", "short"),
            ("day", "numeric"),
        ],
    )
}

/// A short weekday and time ("Wed 11:00", "Mi., 11:00", "mer. 11:00") in `time_zone`:
/// the drag ghost and its screen-reader announcement.
pub fn format_weekday_time(tag: &str, epoch_ms: f64, time_zone: &str) -> String {
    format_with(
        tag,
        epoch_ms,
        &[
            ("timeZone", time_zone),
            ("weekday", "short"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ],
    )
}

/// A time of day ("14:30") in `time_zone`.
pub fn format_time(tag: &str, epoch_ms: f64, time_zone: &str) -> String {
    format_with(
        tag,
        epoch_ms,
        &[
            ("timeZone", time_zone),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ],
    )
}

/// A weekday and time ("Tue 14:30") in `time_zone`, for move confirmations.
pub fn format_day_time(tag: &str, epoch_ms: f64, time_zone: &str) -> String {
    format_with(
        tag,
        epoch_ms,
        &[
            ("timeZone", time_zone),
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ],
    )
}

/// A calendar date's instant for formatting it as a date: noon UTC, formatted in UTC.
#[allow(clippy::cast_precision_loss)]
fn noon_utc(date: chrono::NaiveDate) -> f64 {
    date.and_hms_opt(12, 0, 0)
        .map_or(0.0, |t| t.and_utc().timestamp_millis() as f64)
}

/// A calendar date as the locale writes it in a field ("07/12/2026", "07.12.2026").
pub fn format_numeric_date(tag: &str, date: chrono::NaiveDate) -> String {
    if let Some(locale) = ours(tag) {
        return domain::date_text::numeric_date(locale, date);
    }
    format_with(
        tag,
        noon_utc(date),
        &[
            ("timeZone", "UTC"),
            ("day", "2-digit"),
            ("month", "2-digit"),
            ("year", "numeric"),
        ],
    )
}

/// A calendar date in full ("Monday 7 December 2026"): a date picker's day, as heard.
pub fn format_full_date(tag: &str, date: chrono::NaiveDate) -> String {
    format_with(
        tag,
        noon_utc(date),
        &[("timeZone", "UTC"), ("dateStyle", "full")],
    )
}

/// A month and year ("December 2026", "Dezember 2026", "Jänner 2027").
pub fn format_month_year(tag: &str, date: chrono::NaiveDate) -> String {
    format_with(
        tag,
        noon_utc(date),
        &[("timeZone", "UTC"), ("month", "long"), ("year", "numeric")],
    )
}

/// A weekday's name, `style` "narrow" ("M") or "long" ("Monday").
pub fn format_weekday_name(tag: &str, date: chrono::NaiveDate, style: &str) -> String {
    format_with(
        tag,
        noon_utc(date),
        &[("timeZone", "UTC"), ("weekday", style)],
    )
}
