//! The e-mail texts: `locales/{en,de,fr}/mail.json`, the same catalogues the app reads,
//! with each locale's regional overrides (`locales/{tag}/overrides.json`) on top and the
//! locale's spelling and typography applied ([`domain::locale::finish_text`]).

use std::{collections::HashMap, sync::OnceLock};

use domain::locale::{finish_text, Language, Locale};

type Catalog = HashMap<String, String>;

fn base(language: Language) -> &'static str {
    match language {
        Language::En => include_str!("../../../../locales/en/mail.json"),
        Language::De => include_str!("../../../../locales/de/mail.json"),
        Language::Fr => include_str!("../../../../locales/fr/mail.json"),
    }
}

fn overrides(locale: Locale) -> &'static str {
    match locale {
        Locale::EnGb => include_str!("../../../../locales/en-GB/overrides.json"),
        Locale::DeCh => include_str!("../../../../locales/de-CH/overrides.json"),
        Locale::DeDe => include_str!("../../../../locales/de-DE/overrides.json"),
        Locale::DeAt => include_str!("../../../../locales/de-AT/overrides.json"),
        Locale::FrCh => include_str!("../../../../locales/fr-CH/overrides.json"),
        Locale::FrFr => include_str!("../../../../locales/fr-FR/overrides.json"),
    }
}

fn catalog(locale: Locale) -> &'static Catalog {
    static CATALOGS: OnceLock<HashMap<Locale, Catalog>> = OnceLock::new();
    let all = CATALOGS.get_or_init(|| {
        Locale::ALL
            .into_iter()
            .map(|locale| {
                let mut texts: Catalog = serde_json::from_str(base(locale.language()))
                    .expect("locales/*/mail.json is valid JSON");
                for layer in locale.override_chain() {
                    let part: Catalog = serde_json::from_str(overrides(*layer))
                        .expect("locales/*/overrides.json is valid JSON");
                    // The app's overrides live in the same files; only mail texts matter here.
                    texts.extend(part.into_iter().filter(|(k, _)| k.starts_with("mail.")));
                }
                let texts = texts
                    .into_iter()
                    .map(|(k, v)| {
                        let v = finish_text(locale, &v);
                        (k, v)
                    })
                    .collect();
                (locale, texts)
            })
            .collect()
    });
    &all[&locale]
}

/// The text of `key` in `locale` with `{name}` placeholders filled from `args`. A key
/// the catalogue lacks is a programming error caught by the snapshot tests; it comes
/// out as the key itself rather than failing a delivery.
pub fn text(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    let template = catalog(locale)
        .get(key)
        .or_else(|| catalog(Locale::EnGb).get(key))
        .map_or(key, String::as_str);
    fill(template, args)
}

/// Replaces each `{name}` of `template` by its value in `args` in one pass, so a value
/// that itself contains braces (a client's name) is never expanded again.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_mail_text_of_english() {
        let english = catalog(Locale::EnGb);
        for locale in Locale::ALL {
            for key in english.keys() {
                assert!(catalog(locale).contains_key(key), "{locale} lacks {key}");
            }
        }
    }

    #[test]
    fn placeholders_are_filled_once() {
        assert_eq!(
            fill("Hello {name}, {other}", &[("name", "{other}")]),
            "Hello {other}, {other}"
        );
    }

    #[test]
    fn regional_overrides_and_typography_apply() {
        assert_eq!(
            text(Locale::DeAt, "mail.greeting", &[("name", "A")]),
            "Grüß Gott A"
        );
        assert!(text(Locale::FrFr, "mail.receipt.subject", &[]).contains("reçu\u{202F}:"));
        assert!(text(Locale::FrCh, "mail.receipt.subject", &[]).contains("quittance\u{202F}:"));
    }
}
