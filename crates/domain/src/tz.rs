//! Time zones: times are stored in UTC and shown in the company's IANA zone.
//!
//! Going from UTC to local time is always unambiguous ([`to_local`]). Going back from a
//! wall-clock time the dispatcher picked ([`resolve_local`], [`local_to_utc`]) has two
//! special cases around daylight-saving changes, and both have a defined answer:
//!
//! - **Ambiguous** (autumn, the hour that happens twice, e.g. 02:30 on the last Sunday
//!   of October in Zurich): the *earlier* instant is chosen, i.e. the first occurrence,
//!   still in summer time.
//! - **Non-existent** (spring, the hour that is skipped, e.g. 02:30 on the last Sunday of
//!   March): the time is shifted forward by the length of the gap (02:30 → 03:30), the
//!   same rule as `java.time` and Temporal.
//!
//! Only the zones of our markets are compiled in (see `.cargo/config.toml`).

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::DomainError;
use crate::slot::TimeSlot;

/// Parses an IANA zone name such as `Europe/Zurich`.
pub fn parse_zone(name: &str) -> Result<Tz, DomainError> {
    name.parse::<Tz>()
        .map_err(|_| DomainError::UnknownTimeZone(name.to_owned()))
}

/// The country (ISO 3166-1 alpha-2) whose civil time an IANA zone of our markets is:
/// a company's default locale follows it when no country is stored.
pub fn country_of_zone(name: &str) -> Option<&'static str> {
    Some(match name.trim() {
        "Europe/Zurich" => "CH",
        "Europe/Vaduz" => "LI",
        "Europe/Berlin" | "Europe/Busingen" => "DE",
        "Europe/Vienna" => "AT",
        "Europe/Paris" => "FR",
        "Europe/Monaco" => "MC",
        "Europe/London" => "GB",
        _ => return None,
    })
}

/// The wall-clock time of `instant` in `zone`.
pub fn to_local(instant: DateTime<Utc>, zone: Tz) -> DateTime<Tz> {
    instant.with_timezone(&zone)
}

/// A slot shown in a zone: both ends as local date-times (their offsets may differ when
/// the slot spans a DST change).
pub fn slot_to_local(slot: &TimeSlot, zone: Tz) -> (DateTime<Tz>, DateTime<Tz>) {
    (to_local(slot.start, zone), to_local(slot.end, zone))
}

/// How a local wall-clock time was turned into an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalResolution {
    /// The time exists exactly once.
    Exact(DateTime<Utc>),
    /// The time happens twice; `chosen` is the earlier instant, `other` the later.
    Ambiguous {
        chosen: DateTime<Utc>,
        other: DateTime<Utc>,
    },
    /// The time falls into a DST gap; `chosen` is the instant after shifting forward by
    /// the gap (so the app can say "02:30 does not exist, booked 03:30").
    Skipped { chosen: DateTime<Utc> },
}

impl LocalResolution {
    /// The instant to store.
    pub fn instant(&self) -> DateTime<Utc> {
        match *self {
            LocalResolution::Exact(t) => t,
            LocalResolution::Ambiguous { chosen, .. } => chosen,
            LocalResolution::Skipped { chosen } => chosen,
        }
    }
}

/// Resolves a wall-clock time in `zone`, reporting whether it was ambiguous or skipped.
pub fn resolve_local(local: NaiveDateTime, zone: Tz) -> LocalResolution {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => LocalResolution::Exact(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            LocalResolution::Ambiguous {
                chosen: a.min(b),
                other: a.max(b),
            }
        }
        LocalResult::None => LocalResolution::Skipped {
            chosen: shift_past_gap(local, zone),
        },
    }
}

/// The UTC instant of a wall-clock time in `zone` (see the module docs for DST rules).
pub fn local_to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    resolve_local(local, zone).instant()
}

/// Reading a skipped wall-clock time with the offset in force *before* the gap moves it
/// forward by exactly the gap's length. DST changes are months apart, so the offset a day
/// earlier is the one before the gap.
fn shift_past_gap(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    let day_before = local.and_utc() - Duration::days(1);
    let offset_before = zone
        .offset_from_utc_datetime(&day_before.naive_utc())
        .fix()
        .local_minus_utc();
    local.and_utc() - Duration::seconds(i64::from(offset_before))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn zurich() -> Tz {
        parse_zone("Europe/Zurich").unwrap()
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn parses_our_zones_and_rejects_others() {
        for name in [
            "UTC",
            "Europe/Zurich",
            "Europe/Berlin",
            "Europe/Paris",
            "Europe/Vienna",
            "Europe/London",
        ] {
            assert!(parse_zone(name).is_ok(), "{name}");
        }
        assert_eq!(
            parse_zone("Mars/Olympus"),
            Err(DomainError::UnknownTimeZone("Mars/Olympus".into()))
        );
    }

    #[test]
    fn shows_utc_in_winter_and_summer_offsets() {
        // Arrange: 09:00Z in November (CET, +1) and in July (CEST, +2).
        let winter = t("2026-11-24T09:00:00Z");
        let summer = t("2026-07-14T09:00:00Z");

        // Act
        let w = to_local(winter, zurich());
        let s = to_local(summer, zurich());

        // Assert
        assert_eq!(w.naive_local(), local(2026, 11, 24, 10, 0));
        assert_eq!(s.naive_local(), local(2026, 7, 14, 11, 0));
        assert_eq!(
            to_local(winter, parse_zone("Europe/London").unwrap()).naive_local(),
            local(2026, 11, 24, 9, 0)
        );
    }

    #[test]
    fn ordinary_local_time_round_trips() {
        let wall = local(2026, 11, 24, 10, 0);

        let res = resolve_local(wall, zurich());

        assert_eq!(res, LocalResolution::Exact(t("2026-11-24T09:00:00Z")));
        assert_eq!(to_local(res.instant(), zurich()).naive_local(), wall);
    }

    #[test]
    fn spring_gap_shifts_forward_zurich_2026_03_29() {
        // Arrange: on 29 March 2026 Zurich jumps from 02:00 CET to 03:00 CEST.
        let in_gap = local(2026, 3, 29, 2, 30);

        // Act
        let res = resolve_local(in_gap, zurich());

        // Assert: 02:30 does not exist; it becomes 03:30 CEST = 01:30Z.
        assert_eq!(
            res,
            LocalResolution::Skipped {
                chosen: t("2026-03-29T01:30:00Z")
            }
        );
        assert_eq!(
            to_local(res.instant(), zurich()).naive_local(),
            local(2026, 3, 29, 3, 30)
        );
        // Just before and after the gap are exact.
        assert_eq!(
            local_to_utc(local(2026, 3, 29, 1, 45), zurich()),
            t("2026-03-29T00:45:00Z")
        );
        assert_eq!(
            local_to_utc(local(2026, 3, 29, 3, 0), zurich()),
            t("2026-03-29T01:00:00Z")
        );
        assert_eq!(
            local_to_utc(local(2026, 3, 29, 2, 0), zurich()),
            t("2026-03-29T01:00:00Z")
        );
    }

    #[test]
    fn autumn_overlap_picks_the_earlier_instant_zurich_2026_10_25() {
        // Arrange: on 25 October 2026 Zurich goes from 03:00 CEST back to 02:00 CET, so
        // 02:30 happens twice (00:30Z and 01:30Z).
        let twice = local(2026, 10, 25, 2, 30);

        // Act
        let res = resolve_local(twice, zurich());

        // Assert
        assert_eq!(
            res,
            LocalResolution::Ambiguous {
                chosen: t("2026-10-25T00:30:00Z"),
                other: t("2026-10-25T01:30:00Z"),
            }
        );
        assert_eq!(local_to_utc(twice, zurich()), t("2026-10-25T00:30:00Z"));
        // Both instants display as 02:30 local.
        assert_eq!(
            to_local(t("2026-10-25T01:30:00Z"), zurich()).naive_local(),
            twice
        );
    }

    #[test]
    fn slot_across_the_autumn_change_has_two_offsets() {
        let slot = TimeSlot::new(t("2026-10-25T00:00:00Z"), t("2026-10-25T02:00:00Z")).unwrap();

        let (start, end) = slot_to_local(&slot, zurich());

        // 02:00 CEST .. 03:00 CET: two hours pass, one hour on the wall clock.
        assert_eq!(start.naive_local(), local(2026, 10, 25, 2, 0));
        assert_eq!(end.naive_local(), local(2026, 10, 25, 3, 0));
        assert_eq!(start.offset().fix().local_minus_utc(), 7200);
        assert_eq!(end.offset().fix().local_minus_utc(), 3600);
    }
}
