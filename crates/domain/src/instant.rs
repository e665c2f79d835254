//! Instants on the wire: RFC 3339 in UTC, as chrono writes them (`2026-11-24T09:00:00Z`,
//! `2026-12-04T02:01:54.333616975Z`).
//!
//! Reading a board answer in the app spends a fifth of its decoding in chrono's general
//! date parser (a profile of the cold load: `chrono::format::parse::parse_internal` and
//! its helpers, three instants per call). [`parse_utc`] reads the one spelling our own
//! server and chrono's `Serialize` write with plain byte arithmetic and hands every
//! other spelling to chrono, so what is accepted, and the instant it means, is exactly
//! chrono's (a property test checks both on written and on arbitrary strings).
//! Serialising is chrono's, unchanged.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{de, Deserializer};

/// `s` as an instant: the form `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` read directly, any other
/// spelling by chrono (offsets, lower-case `t`/`z`, leap seconds, ...).
pub fn parse_utc(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match written_by_us(s.as_bytes()) {
        Some(instant) => Ok(instant),
        None => s.parse(),
    }
}

/// The common form, or `None` for anything else (chrono decides then).
fn written_by_us(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[b.len() - 1] != b'Z'
    {
        return None;
    }
    let digits = |part: &[u8]| {
        part.iter().try_fold(0_u32, |value, &d| {
            d.is_ascii_digit().then(|| value * 10 + u32::from(d - b'0'))
        })
    };
    let nanos = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            let scale = 10_u32.pow(9 - u32::try_from(fraction.len()).ok()?);
            digits(fraction)? * scale
        }
        _ => return None,
    };
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)?;
    // A leap second (`:60`) is not a valid time here: chrono reads it.
    let time = NaiveTime::from_hms_nano_opt(
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
        nanos,
    )?;
    Some(date.and_time(time).and_utc())
}

struct Visitor;

impl de::Visitor<'_> for Visitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an RFC 3339 date-time")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        parse_utc(s).map_err(E::custom)
    }
}

/// `#[serde(deserialize_with = "crate::instant::utc")]`: a `DateTime<Utc>` read by
/// [`parse_utc`].
pub fn utc<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(Visitor)
}

/// [`utc`] for an `Option<DateTime<Utc>>` (`null` is `None`; give the field
/// `#[serde(default)]` for a missing one).
pub fn utc_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    struct Optional;
    impl<'de> de::Visitor<'de> for Optional {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RFC 3339 date-time or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            utc(d).map(Some)
        }
    }
    deserializer.deserialize_option(Optional)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_reads(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
        s.parse()
    }

    #[test]
    fn reads_what_the_server_writes() {
        for s in [
            "2026-11-24T09:00:00Z",
            "2026-12-04T02:01:54.333616975Z",
            "2026-12-04T02:01:54.3Z",
            "2028-02-29T23:59:59.999Z",
            "0001-01-01T00:00:00Z",
        ] {
            assert_eq!(
                written_by_us(s.as_bytes()).map(Ok),
                Some(chrono_reads(s)),
                "{s}"
            );
        }
    }

    #[test]
    fn leaves_every_other_spelling_to_chrono() {
        for s in [
            "2026-11-24T10:00:00+01:00",
            "2026-11-24t09:00:00z",
            "2026-11-24 09:00:00Z",
            "2016-12-31T23:59:60Z",
            "2026-11-24T09:00:00.1234567890Z",
            "2026-02-30T09:00:00Z",
            "2026-11-24T24:00:00Z",
            "2026-11-24T09:00:00",
            "+12026-11-24T09:00:00Z",
            "",
        ] {
            assert_eq!(written_by_us(s.as_bytes()), None, "{s}");
            assert_eq!(parse_utc(s), chrono_reads(s), "{s}");
        }
    }

    #[test]
    fn a_field_reads_as_chrono_would_and_refuses_what_it_would() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct At {
            #[serde(deserialize_with = "utc")]
            at: DateTime<Utc>,
            #[serde(default, deserialize_with = "utc_option")]
            maybe: Option<DateTime<Utc>>,
        }
        let read: At =
            serde_json::from_str(r#"{"at": "2026-11-24T09:00:00Z", "maybe": null}"#).unwrap();
        assert_eq!(read.at, chrono_reads("2026-11-24T09:00:00Z").unwrap());
        assert_eq!(read.maybe, None);
        let read: At = serde_json::from_str(
            r#"{"at": "2026-11-24T10:00:00+01:00", "maybe": "2026-11-24T09:00:00.5Z"}"#,
        )
        .unwrap();
        assert_eq!(read.at, chrono_reads("2026-11-24T09:00:00Z").unwrap());
        assert!(read.maybe.is_some());
        assert!(serde_json::from_str::<At>(r#"{"at": "tomorrow"}"#).is_err());
        assert!(serde_json::from_str::<At>(r#"{"at": 7}"#).is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn agrees_with_chrono_on_written_instants(secs in -62_135_596_800_i64..253_402_300_799, nanos in 0_u32..1_000_000_000) {
            let instant = DateTime::from_timestamp(secs, nanos).unwrap();
            use chrono::SecondsFormat::{AutoSi, Millis, Nanos, Secs};
            for format in [Secs, Millis, Nanos, AutoSi] {
                let s = instant.to_rfc3339_opts(format, true);
                proptest::prop_assert_eq!(parse_utc(&s), chrono_reads(&s), "{}", s);
            }
            let s = serde_json::to_string(&instant).unwrap();
            proptest::prop_assert_eq!(parse_utc(s.trim_matches('"')), Ok(instant));
        }

        #[test]
        fn agrees_with_chrono_on_any_string(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,11})?(Z|z|[+-][0-9]{2}:[0-9]{2})?") {
            proptest::prop_assert_eq!(parse_utc(&s), chrono_reads(&s), "{}", s);
        }
    }
}
