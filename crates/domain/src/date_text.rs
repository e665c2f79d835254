//! The calendar's date texts in our six locales, written as Chromium's
//! `Intl.DateTimeFormat` writes them, without asking `Intl`.
//!
//! Why: a page's first `Intl` object of any kind costs 12–46 ms on our 2-core machines
//! (the browser loads its locale data), and before this module the board's first paint
//! waited on it (BENCHMARKS.md, issue 20). The first screen's four formats — the week
//! title, the day columns, each block's date and time and the toolbar's date field —
//! are few and fixed, so they
//! are written here from CLDR's patterns (as Chromium's ICU has them); everything else
//! (money, relative ages, the date picker, dialogs) still asks `Intl`, after the board is
//! painted. `tests/web.rs` compares every text here with `Intl`'s in the browser, for
//! every locale, every day of two years and the zones of our markets, so a browser whose
//! data differs shows up as a failing test, not as a board that reads differently from
//! its dialogs.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use crate::locale::{Language, Locale};

/// `weekday: "short"`, Monday first.
fn weekday(locale: Locale, date: NaiveDate) -> &'static str {
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const DE: [&str; 7] = ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."];
    const FR: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
    let names = match locale.language() {
        Language::En => &EN,
        Language::De => &DE,
        Language::Fr => &FR,
    };
    names[date.weekday().num_days_from_monday() as usize]
}

/// `month: "short"`, January first. Austrian German has its own January and September.
fn month(locale: Locale, date: NaiveDate) -> &'static str {
    const EN_GB: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec",
    ];
    const DE: [&str; 12] = [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.",
        "Dez.",
    ];
    const DE_AT: [&str; 12] = [
        "Jän.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.",
        "Dez.",
    ];
    const FR: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    let names = match locale {
        Locale::EnGb => &EN_GB,
        Locale::DeAt => &DE_AT,
        Locale::DeCh | Locale::DeDe => &DE,
        Locale::FrCh | Locale::FrFr => &FR,
    };
    names[date.month0() as usize]
}

/// A day column's header, `{weekday: "short", day: "numeric"}`: `Tue 24`, `Di., 24.`,
/// `mar. 24`.
pub fn weekday_day(locale: Locale, date: NaiveDate) -> String {
    let (weekday, day) = (weekday(locale, date), date.day());
    match locale.language() {
        Language::De => format!("{weekday}, {day}."),
        Language::En | Language::Fr => format!("{weekday} {day}"),
    }
}

/// A date with its weekday, `{weekday: "short", day: "numeric", month: "short", year:
/// "numeric"}`: `Tue, 24 Nov 2026`, `Di., 24. Nov. 2026`, `mar. 24 nov. 2026`.
pub fn weekday_date(locale: Locale, date: NaiveDate) -> String {
    let (weekday, day, month, year) = (
        weekday(locale, date),
        date.day(),
        month(locale, date),
        date.year(),
    );
    match locale.language() {
        Language::En => format!("{weekday}, {day} {month} {year}"),
        Language::De => format!("{weekday}, {day}. {month} {year}"),
        Language::Fr => format!("{weekday} {day} {month} {year}"),
    }
}

/// A wall-clock date and time, `{dateStyle: "medium", timeStyle: "short"}`:
/// `24 Nov 2026, 08:00`, `24.11.2026, 08:00`, `24 nov. 2026, 08:00`.
pub fn date_time(locale: Locale, at: NaiveDateTime) -> String {
    let date = at.date();
    let (hour, minute) = (at.hour(), at.minute());
    match locale.language() {
        Language::De => format!(
            "{:02}.{:02}.{}, {hour:02}:{minute:02}",
            date.day(),
            date.month(),
            date.year()
        ),
        Language::En | Language::Fr => format!(
            "{} {} {}, {hour:02}:{minute:02}",
            date.day(),
            month(locale, date),
            date.year()
        ),
    }
}

/// A date as the locale writes it in a field, `{day: "2-digit", month: "2-digit", year:
/// "numeric"}`: `07/12/2026`, `07.12.2026` (German, and French in Switzerland).
pub fn numeric_date(locale: Locale, date: NaiveDate) -> String {
    let separator = match locale {
        Locale::DeCh | Locale::DeDe | Locale::DeAt | Locale::FrCh => '.',
        Locale::EnGb | Locale::FrFr => '/',
    };
    format!(
        "{:02}{separator}{:02}{separator}{}",
        date.day(),
        date.month(),
        date.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn day_columns_read_as_in_each_locale() {
        let tuesday = day(2026, 11, 24);
        let expected = [
            (Locale::EnGb, "Tue 24"),
            (Locale::DeCh, "Di., 24."),
            (Locale::DeDe, "Di., 24."),
            (Locale::DeAt, "Di., 24."),
            (Locale::FrCh, "mar. 24"),
            (Locale::FrFr, "mar. 24"),
        ];
        for (locale, text) in expected {
            assert_eq!(weekday_day(locale, tuesday), text, "{locale:?}");
        }
        assert_eq!(weekday_day(Locale::EnGb, day(2026, 11, 29)), "Sun 29");
    }

    #[test]
    fn dates_use_the_regions_month_names() {
        let january = day(2026, 1, 5);
        let september = day(2026, 9, 5);
        assert_eq!(weekday_date(Locale::EnGb, january), "Mon, 5 Jan 2026");
        assert_eq!(weekday_date(Locale::EnGb, september), "Sat, 5 Sept 2026");
        assert_eq!(weekday_date(Locale::DeCh, january), "Mo., 5. Jan. 2026");
        assert_eq!(weekday_date(Locale::DeAt, january), "Mo., 5. Jän. 2026");
        assert_eq!(weekday_date(Locale::DeAt, september), "Sa., 5. Sep. 2026");
        assert_eq!(
            weekday_date(Locale::DeDe, day(2026, 3, 5)),
            "Do., 5. März 2026"
        );
        assert_eq!(
            weekday_date(Locale::FrFr, day(2026, 2, 5)),
            "jeu. 5 févr. 2026"
        );
        assert_eq!(
            weekday_date(Locale::FrCh, day(2026, 12, 5)),
            "sam. 5 déc. 2026"
        );
    }

    #[test]
    fn date_and_time_is_numeric_in_german_and_named_elsewhere() {
        let at = day(2026, 1, 5).and_hms_opt(7, 5, 0).unwrap();
        assert_eq!(date_time(Locale::EnGb, at), "5 Jan 2026, 07:05");
        assert_eq!(date_time(Locale::DeCh, at), "05.01.2026, 07:05");
        assert_eq!(date_time(Locale::DeAt, at), "05.01.2026, 07:05");
        assert_eq!(date_time(Locale::FrFr, at), "5 janv. 2026, 07:05");
        let late = day(2026, 8, 15).and_hms_opt(23, 59, 59).unwrap();
        assert_eq!(date_time(Locale::FrCh, late), "15 août 2026, 23:59");
    }

    #[test]
    fn a_date_field_uses_the_regions_separator() {
        let date = day(2026, 12, 7);
        assert_eq!(numeric_date(Locale::EnGb, date), "07/12/2026");
        assert_eq!(numeric_date(Locale::FrFr, date), "07/12/2026");
        assert_eq!(numeric_date(Locale::FrCh, date), "07.12.2026");
        assert_eq!(numeric_date(Locale::DeAt, date), "07.12.2026");
    }
}
