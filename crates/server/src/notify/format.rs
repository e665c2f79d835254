//! Dates, times and money as a recipient of an e-mail reads them in their locale: the
//! server has no `Intl`, so the few patterns of our six locales are written here (the
//! weekday names come from the catalogue), matching what the app's `Intl` shows.

use chrono::{Datelike, Offset};
use domain::{locale::Locale, money::Money, slot::TimeSlot, tz};

use super::catalog::text;

/// The date of a wall-clock time: `Tue 24/11/2026` (en-GB), `Di. 24.11.2026` (German),
/// `mar. 24/11/2026` (French).
fn date<Z: chrono::TimeZone>(locale: Locale, at: &chrono::DateTime<Z>) -> String {
    let weekday = text(
        locale,
        &format!("mail.weekday.{}", at.weekday().number_from_monday()),
        &[],
    );
    let pattern = match locale.language() {
        domain::locale::Language::De => "%d.%m.%Y",
        _ => "%d/%m/%Y",
    };
    format!("{weekday} {}", at.naive_local().format(pattern))
}

/// `UTC+01:00`: the offset in force at that instant.
fn offset<Z: chrono::TimeZone>(at: &chrono::DateTime<Z>) -> String {
    let seconds = at.offset().fix().local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A slot in the company's zone with its UTC offset, so a time in the autumn fold (02:30
/// happens twice) is never ambiguous: `Tue 24/11/2026 10:00–11:00 (Europe/Zurich,
/// UTC+01:00)`; a slot across a DST change writes each end's own offset.
pub fn when(locale: Locale, slot: &TimeSlot, zone: chrono_tz::Tz) -> String {
    let (start, end) = tz::slot_to_local(slot, zone);
    let (start_offset, end_offset) = (offset(&start), offset(&end));
    let (from, to) = (start.format("%H:%M"), end.format("%H:%M"));
    if start_offset == end_offset {
        format!(
            "{} {from}–{to} ({}, {start_offset})",
            date(locale, &start),
            zone.name()
        )
    } else {
        format!(
            "{} {from} ({start_offset})–{to} ({end_offset}) ({})",
            date(locale, &start),
            zone.name()
        )
    }
}

/// Money as `Intl.NumberFormat` writes it in the locale: `CHF 1’250.00` (de-CH),
/// `1.250,00 €` (de-DE), `€ 1.250,00` (de-AT), `1 250,00 €` (fr-FR), `1 250,00 CHF`
/// (fr-CH), `£1,250.00` / `CHF 1,250.00` (en-GB).
pub fn money(locale: Locale, m: Money) -> String {
    use domain::money::Currency;
    let (group, decimal) = match locale {
        Locale::EnGb => (",", "."),
        Locale::DeCh => ("’", "."),
        Locale::DeDe | Locale::DeAt => (".", ","),
        Locale::FrCh | Locale::FrFr => ("\u{202F}", ","),
    };
    let abs = m.amount_minor.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut major = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            major.push_str(group);
        }
        major.push(c);
    }
    let sign = if m.amount_minor < 0 { "-" } else { "" };
    let number = format!("{sign}{major}{decimal}{:02}", abs % 100);
    let symbol = match m.currency {
        Currency::CHF => "CHF",
        Currency::EUR => "€",
        Currency::GBP => "£",
    };
    match (locale, m.currency) {
        (Locale::EnGb, Currency::CHF) | (Locale::DeCh, _) => format!("{symbol} {number}"),
        (Locale::EnGb, _) => format!("{sign}{symbol}{}", &number[sign.len()..]),
        (Locale::DeAt, _) => format!("{symbol} {number}"),
        _ => format!("{number}\u{a0}{symbol}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::money::Currency;

    fn chf(minor: i64) -> Money {
        Money {
            amount_minor: minor,
            currency: Currency::CHF,
        }
    }

    #[test]
    fn money_reads_as_in_the_locale() {
        let eur = Money {
            amount_minor: 125_000,
            currency: Currency::EUR,
        };
        assert_eq!(money(Locale::DeCh, chf(125_000)), "CHF 1’250.00");
        assert_eq!(money(Locale::DeDe, eur), "1.250,00\u{a0}€");
        assert_eq!(money(Locale::DeAt, eur), "€ 1.250,00");
        assert_eq!(money(Locale::FrFr, eur), "1\u{202F}250,00\u{a0}€");
        assert_eq!(money(Locale::FrCh, chf(-50)), "-0,50\u{a0}CHF");
        assert_eq!(
            money(
                Locale::EnGb,
                Money {
                    amount_minor: -26_500,
                    currency: Currency::GBP
                }
            ),
            "-£265.00"
        );
    }

    #[test]
    fn the_autumn_fold_is_written_with_its_utc_offset() {
        let zurich = tz::parse_zone("Europe/Zurich").unwrap();
        // 2026-10-25: 02:30 local happens at 00:30 UTC (summer) and 01:30 UTC (winter).
        let slot =
            |a: &str, b: &str| TimeSlot::new(a.parse().unwrap(), b.parse().unwrap()).unwrap();
        let first = slot("2026-10-25T00:30:00Z", "2026-10-25T00:45:00Z");
        let second = slot("2026-10-25T01:30:00Z", "2026-10-25T01:45:00Z");
        let across = slot("2026-10-25T00:30:00Z", "2026-10-25T01:45:00Z");

        assert_eq!(
            when(Locale::EnGb, &first, zurich),
            "Sun 25/10/2026 02:30–02:45 (Europe/Zurich, UTC+02:00)"
        );
        assert_eq!(
            when(Locale::DeCh, &second, zurich),
            "So. 25.10.2026 02:30–02:45 (Europe/Zurich, UTC+01:00)"
        );
        assert_eq!(
            when(Locale::FrFr, &across, zurich),
            "dim. 25/10/2026 02:30 (UTC+02:00)–02:45 (UTC+01:00) (Europe/Zurich)"
        );
    }
}
