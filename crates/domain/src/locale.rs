//! The markets' locales: a language (the catalogue `locales/{en,de,fr}/`) and a region
//! (its overrides `locales/{tag}/`, its `Intl` formats), and the rules that pick one.
//!
//! The app and the server resolve a person's locale the same way
//! ([`Locale::resolve`]): their own choice when it is a supported locale, else the
//! language of their choice in the company's (or the client's) country, else the
//! country's default ([`default_for_country`]), else British English.

use serde::{Deserialize, Serialize};

/// A supported locale of the user interface and of e-mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Locale {
    #[serde(rename = "en-GB")]
    EnGb,
    #[serde(rename = "de-CH")]
    DeCh,
    #[serde(rename = "de-DE")]
    DeDe,
    #[serde(rename = "de-AT")]
    DeAt,
    #[serde(rename = "fr-CH")]
    FrCh,
    #[serde(rename = "fr-FR")]
    FrFr,
}

/// The language of a locale: which base catalogue it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    De,
    Fr,
}

impl Language {
    /// The ISO 639-1 code, also the catalogue folder (`locales/de/`).
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
            Language::Fr => "fr",
        }
    }
}

impl Locale {
    /// Every supported locale, in the order the switches list them.
    pub const ALL: [Locale; 6] = [
        Locale::EnGb,
        Locale::DeCh,
        Locale::DeDe,
        Locale::DeAt,
        Locale::FrCh,
        Locale::FrFr,
    ];

    /// The BCP 47 tag (`de-CH`): the stored value, the `Intl` locale, `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::EnGb => "en-GB",
            Locale::DeCh => "de-CH",
            Locale::DeDe => "de-DE",
            Locale::DeAt => "de-AT",
            Locale::FrCh => "fr-CH",
            Locale::FrFr => "fr-FR",
        }
    }

    /// The language whose catalogue this locale reads before its own overrides.
    pub fn language(self) -> Language {
        match self {
            Locale::EnGb => Language::En,
            Locale::DeCh | Locale::DeDe | Locale::DeAt => Language::De,
            Locale::FrCh | Locale::FrFr => Language::Fr,
        }
    }

    /// The ISO 3166-1 region of the locale (`GB`, `CH`, …).
    pub fn region(self) -> &'static str {
        &self.tag()[3..]
    }

    /// The exact supported locale `tag` names (case-insensitive, `_` or `-`), if any.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(&tag))
    }

    /// The locale for a person who chose `tag` (a full locale, or only a language such as
    /// `de`, or one we lack such as `de-LU`) and lives or works in `country`: the exact
    /// locale when supported; else the chosen language in that country; else that
    /// language's first region; else the country's default.
    pub fn resolve(tag: Option<&str>, country: &str) -> Self {
        let by_country = default_for_country(country);
        let Some(tag) = tag.map(str::trim).filter(|t| !t.is_empty()) else {
            return by_country;
        };
        if let Some(exact) = Self::from_tag(tag) {
            return exact;
        }
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        let Some(language) = [Language::En, Language::De, Language::Fr]
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
        else {
            return by_country;
        };
        let in_country = Self::ALL
            .into_iter()
            .find(|l| l.language() == language && l.region().eq_ignore_ascii_case(country.trim()));
        in_country.unwrap_or_else(|| {
            Self::ALL
                .into_iter()
                .find(|l| l.language() == language)
                .unwrap_or(Locale::EnGb)
        })
    }

    /// The locales whose overrides (`locales/{tag}/overrides.json`) apply on top of the
    /// language's catalogue, in order: Austria writes the German standard spelling
    /// (`ß`) of Germany and has its own words on top.
    pub fn override_chain(self) -> &'static [Locale] {
        match self {
            Locale::EnGb => &[Locale::EnGb],
            Locale::DeCh => &[Locale::DeCh],
            Locale::DeDe => &[Locale::DeDe],
            Locale::DeAt => &[Locale::DeDe, Locale::DeAt],
            Locale::FrCh => &[Locale::FrCh],
            Locale::FrFr => &[Locale::FrFr],
        }
    }

    /// Whether texts in this locale follow French typography (a narrow no-break space
    /// before `:`, `;`, `?`, `!`; see [`french_spacing`]).
    pub fn french_typography(self) -> bool {
        self.language() == Language::Fr
    }
}

impl Default for Locale {
    /// British English, the language of last resort.
    fn default() -> Self {
        Locale::EnGb
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// A company's default locale, from its country (ISO 3166-1 alpha-2): CH is German
/// Switzerland (most of the market's Swiss partners), DE, AT, FR their own, everything
/// else British English. The company settings may choose another one.
pub fn default_for_country(country: &str) -> Locale {
    match country.trim().to_ascii_uppercase().as_str() {
        "CH" | "LI" => Locale::DeCh,
        "DE" => Locale::DeDe,
        "AT" => Locale::DeAt,
        "FR" | "MC" => Locale::FrFr,
        _ => Locale::EnGb,
    }
}

/// U+202F NARROW NO-BREAK SPACE, the space French typography puts before `:;?!`.
pub const NARROW_NBSP: char = '\u{202F}';

/// French typography: exactly one narrow no-break space before every `:`, `;`, `?` and
/// `!` that follows a word (a plain or no-break space already there is replaced, so
/// "Prix final : " and "Fuseau horaire: " come out alike). Left alone: a mark at the
/// start of the text or after another space-less mark, URLs (`https://`) and times or
/// placeholders written without a word before them (`{count}`, `12:30`).
pub fn french_spacing(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, ':' | ';' | '?' | '!') && needs_space(&chars, i) {
            while out.ends_with([' ', '\u{00A0}', NARROW_NBSP]) {
                out.pop();
            }
            out.push(NARROW_NBSP);
        }
        out.push(c);
    }
    out
}

fn needs_space(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    // `https://`, `12:30`, `?key=` in a link: a colon directly between two non-spaces
    // (or followed by `//`) is not punctuation.
    let next = chars.get(i + 1).copied();
    if c == ':' && next.is_some_and(|n| n == '/' || n.is_ascii_digit()) {
        return false;
    }
    if c == '?' && next.is_some_and(|n| n.is_alphanumeric()) {
        return false;
    }
    // The nearest non-space character before the mark must end a word, a quotation, a
    // closing bracket or a placeholder.
    let before = chars[..i]
        .iter()
        .rev()
        .find(|ch| ![' ', '\u{00A0}', NARROW_NBSP].contains(ch));
    before.is_some_and(|b| b.is_alphanumeric() || matches!(b, '»' | ')' | '}' | '"' | '’' | '.'))
        && !(c == ':'
            && chars[..i].last().is_some_and(|p| p.is_ascii_digit())
            && next.is_some_and(|n| n.is_ascii_digit()))
}

/// Swiss German spelling: no `ß` (the Swiss write `ss`).
pub fn swiss_spelling(text: &str) -> String {
    text.replace('ß', "ss")
}

/// A text of a catalogue as it reads in `locale`: Swiss spelling for de-CH, French
/// spacing for French. Applied to every catalogue text when it is loaded, in the app and
/// in the server's e-mails alike.
pub fn finish_text(locale: Locale, text: &str) -> String {
    match locale {
        Locale::DeCh => swiss_spelling(text),
        Locale::FrCh | Locale::FrFr => french_spacing(text),
        _ => text.to_owned(),
    }
}

/// A date as a person types it in any of our locales, all of which write the day first:
/// `7.12.2026`, `07/12/2026`, `7-12-26` (a two-digit year is this century), or ISO
/// `2026-12-07`. `None` for anything else, impossible dates included (`31.02.2026`).
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['.', '/', '-']).map(str::trim).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let number = |p: &str| p.parse::<u32>().ok();
    let (day, month, year) = if parts[0].len() == 4 {
        (number(parts[2])?, number(parts[1])?, number(parts[0])?)
    } else {
        let year = match parts[2].len() {
            2 => 2000 + number(parts[2])?,
            4 => number(parts[2])?,
            _ => return None,
        };
        (number(parts[0])?, number(parts[1])?, year)
    };
    chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_dates_are_read_day_first_or_iso() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("07.12.2026"), d(2026, 12, 7));
        assert_eq!(parse_date(" 7.12.2026 "), d(2026, 12, 7));
        assert_eq!(parse_date("07/12/2026"), d(2026, 12, 7));
        assert_eq!(parse_date("7-12-26"), d(2026, 12, 7));
        assert_eq!(parse_date("2026-12-07"), d(2026, 12, 7));
        assert_eq!(parse_date("31.02.2026"), None);
        assert_eq!(parse_date("07.12.202"), None);
        assert_eq!(parse_date("07.12"), None);
        assert_eq!(parse_date("tomorrow"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn the_default_comes_from_the_country() {
        assert_eq!(default_for_country("CH"), Locale::DeCh);
        assert_eq!(default_for_country("de"), Locale::DeDe);
        assert_eq!(default_for_country("AT"), Locale::DeAt);
        assert_eq!(default_for_country("FR"), Locale::FrFr);
        assert_eq!(default_for_country("GB"), Locale::EnGb);
        assert_eq!(default_for_country(""), Locale::EnGb);
    }

    #[test]
    fn a_choice_resolves_to_a_supported_locale() {
        assert_eq!(Locale::resolve(Some("fr-CH"), "CH"), Locale::FrCh);
        assert_eq!(Locale::resolve(Some("fr"), "CH"), Locale::FrCh);
        assert_eq!(Locale::resolve(Some("fr_BE"), "BE"), Locale::FrCh);
        assert_eq!(Locale::resolve(Some("de"), "AT"), Locale::DeAt);
        assert_eq!(Locale::resolve(Some("it-CH"), "CH"), Locale::DeCh);
        assert_eq!(Locale::resolve(None, "FR"), Locale::FrFr);
        assert_eq!(Locale::resolve(Some("en"), "CH"), Locale::EnGb);
        assert_eq!(serde_json::to_string(&Locale::DeAt).unwrap(), "\"de-AT\"");
    }

    #[test]
    fn french_spacing_is_one_narrow_space_before_high_marks() {
        let n = NARROW_NBSP;
        assert_eq!(
            french_spacing("Fuseau horaire: Zurich"),
            format!("Fuseau horaire{n}: Zurich")
        );
        assert_eq!(
            french_spacing("Prix final : 12"),
            format!("Prix final{n}: 12")
        );
        assert_eq!(french_spacing("Vraiment ?"), format!("Vraiment{n}?"));
        assert_eq!(french_spacing("Oui!"), format!("Oui{n}!"));
        assert_eq!(french_spacing("{count} : x"), format!("{{count}}{n}: x"));
        assert_eq!(
            french_spacing("Lien : https://relay.example/a?b=1 à 12:30"),
            format!("Lien{n}: https://relay.example/a?b=1 à 12:30")
        );
        // Idempotent: applying it twice changes nothing.
        let once = french_spacing("Heure : 10 h ; date ?");
        assert_eq!(french_spacing(&once), once);
    }

    #[test]
    fn swiss_spelling_has_no_sharp_s() {
        assert_eq!(
            swiss_spelling("abschließen, Straße"),
            "abschliessen, Strasse"
        );
        assert_eq!(finish_text(Locale::DeDe, "Straße"), "Straße");
    }
}
