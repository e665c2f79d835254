//! Time slots: when a call happens, in UTC.
//!
//! A slot is valid when its end is after its start, it lasts at most
//! [`MAX_SLOT_MINUTES`], and both ends sit on the [`GRID_MINUTES`] grid the calendar
//! snaps to. Slots are half-open (`[start, end)`): a call ending at 10:00 does not
//! overlap one starting at 10:00.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::FieldError;

/// The calendar grid, in minutes: every slot starts and ends on it.
pub const GRID_MINUTES: u32 = 15;
/// The longest slot one call may book: a working day.
pub const MAX_SLOT_MINUTES: i64 = 12 * 60;

/// When a call takes place: `{"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TimeSlot {
    #[serde(deserialize_with = "crate::instant::utc")]
    pub start: DateTime<Utc>,
    #[serde(deserialize_with = "crate::instant::utc")]
    pub end: DateTime<Utc>,
}

/// Why a slot is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotError {
    /// The end is not after the start.
    #[error("the end must be after the start")]
    EndNotAfterStart,
    /// Longer than [`MAX_SLOT_MINUTES`].
    #[error("a slot lasts at most 12 hours")]
    TooLong,
    /// A start or end off the 15-minute grid (or with seconds).
    #[error("times must be on the 15-minute grid")]
    OffGrid,
    /// Too far in the past or the future to be a real appointment (see [`SlotWindow`]).
    #[error("the date is outside the bookable window")]
    OutsideWindow,
    /// A new date and time before the current quarter hour: the client would be e-mailed
    /// an appointment that has already passed ([`TimeSlot::check_not_past`]).
    #[error("the date and time lie in the past")]
    InPast,
}

/// How far around "now" a slot may lie. Year 0, 1970 or 9999 are typing or client
/// errors, never appointments; refusing them keeps such dates out of e-mails and the
/// board. The server configures the bounds; the rule lives here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotWindow {
    /// How far back a slot may start (work recorded after the fact).
    pub past: Duration,
    /// How far ahead a slot may end.
    pub future: Duration,
}

impl Default for SlotWindow {
    /// One year back, two years ahead.
    fn default() -> Self {
        SlotWindow {
            past: Duration::days(365),
            future: Duration::days(730),
        }
    }
}

impl SlotWindow {
    /// `slot` as field errors under `prefix` when it starts before `now - past` (error on
    /// `start`) or ends after `now + future` (error on `end`).
    pub fn field_errors(
        &self,
        slot: &TimeSlot,
        now: DateTime<Utc>,
        prefix: &str,
    ) -> Vec<FieldError> {
        let error = |field: &str| FieldError {
            field: format!("{prefix}.{field}"),
            code: SlotError::OutsideWindow.field_code().to_owned(),
            message: format!(
                "{} (from {} to {})",
                SlotError::OutsideWindow,
                (now - self.past).date_naive(),
                (now + self.future).date_naive()
            ),
        };
        let mut errors = Vec::new();
        if slot.start < now - self.past || slot.start > now + self.future {
            errors.push(error("start"));
        }
        if slot.end > now + self.future || slot.end < now - self.past {
            errors.push(error("end"));
        }
        errors
    }
}

impl SlotError {
    /// The snake_case code used in [`FieldError`]s.
    pub fn field_code(self) -> &'static str {
        match self {
            SlotError::EndNotAfterStart => "end_before_start",
            SlotError::TooLong => "too_long",
            SlotError::OffGrid => "off_grid",
            SlotError::OutsideWindow => "outside_window",
            SlotError::InPast => "in_past",
        }
    }
}

impl TimeSlot {
    /// A validated slot.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, SlotError> {
        let slot = TimeSlot { start, end };
        slot.validate()?;
        Ok(slot)
    }

    /// A slot of `minutes` from `start` (validated).
    pub fn starting_at(start: DateTime<Utc>, minutes: i64) -> Result<Self, SlotError> {
        TimeSlot::new(start, start + Duration::minutes(minutes))
    }

    /// End after start, at most 12 hours, on the 15-minute grid.
    pub fn validate(&self) -> Result<(), SlotError> {
        if self.end <= self.start {
            return Err(SlotError::EndNotAfterStart);
        }
        if self.duration() > Duration::minutes(MAX_SLOT_MINUTES) {
            return Err(SlotError::TooLong);
        }
        if !on_grid(self.start, GRID_MINUTES) || !on_grid(self.end, GRID_MINUTES) {
            return Err(SlotError::OffGrid);
        }
        Ok(())
    }

    /// The same validation, as field errors under `prefix` (e.g. `slot`).
    pub fn field_errors(&self, prefix: &str) -> Vec<FieldError> {
        match self.validate() {
            Ok(()) => vec![],
            Err(e) => {
                let field = match e {
                    SlotError::OffGrid if on_grid(self.end, GRID_MINUTES) => "start",
                    _ => "end",
                };
                vec![FieldError {
                    field: format!("{prefix}.{field}"),
                    code: e.field_code().to_owned(),
                    message: e.to_string(),
                }]
            }
        }
    }

    /// Refuses a slot that starts before the quarter hour `now` is in: nobody can agree
    /// with a client on a time that has passed (the current quarter hour still counts,
    /// so "now" can be booked).
    pub fn check_not_past(&self, now: DateTime<Utc>) -> Result<(), SlotError> {
        let step = i64::from(GRID_MINUTES) * 60;
        let quarter = now.timestamp() - now.timestamp().rem_euclid(step);
        if self.start.timestamp() < quarter {
            return Err(SlotError::InPast);
        }
        Ok(())
    }

    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    /// Whether the two half-open intervals share any instant.
    pub fn overlaps(&self, other: &TimeSlot) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The same length, moved to start at `start` (what dragging along a row does).
    pub fn moved_to(&self, start: DateTime<Utc>) -> TimeSlot {
        TimeSlot {
            start,
            end: start + self.duration(),
        }
    }
}

fn on_grid(dt: DateTime<Utc>, minutes: u32) -> bool {
    let step = i64::from(minutes.max(1)) * 60;
    dt.timestamp_subsec_nanos() == 0 && dt.timestamp().rem_euclid(step) == 0
}

/// Rounds `dt` to the nearest multiple of `minutes` (halfway rounds up), e.g. a drag that
/// ends at 09:07:30 lands on 09:15 and one at 09:07:29 on 09:00. The grid is aligned on
/// UTC, which for 15 minutes is aligned on every zone we serve. `minutes = 0` is treated
/// as 1.
pub fn snap_to_grid(dt: DateTime<Utc>, minutes: u32) -> DateTime<Utc> {
    let step_ms = i64::from(minutes.max(1)) * 60_000;
    let ms = dt.timestamp_millis();
    let rem = ms.rem_euclid(step_ms);
    let floor = ms - rem;
    let snapped = if rem * 2 >= step_ms {
        floor + step_ms
    } else {
        floor
    };
    Utc.timestamp_millis_opt(snapped).single().unwrap_or(dt)
}

/// The ids of the `others` whose slots overlap `slot`; `others` are a technician's other
/// calls (id and slot), e.g. to warn before confirming a drag.
pub fn overlapping<'a, I>(slot: &TimeSlot, others: I) -> Vec<Uuid>
where
    I: IntoIterator<Item = (Uuid, &'a TimeSlot)>,
{
    others
        .into_iter()
        .filter(|(_, other)| slot.overlaps(other))
        .map(|(id, _)| id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_refuses_year_0_1970_and_9999_but_not_next_month() {
        let now: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        let window = SlotWindow::default();
        let at = |s: &str| {
            let start: DateTime<Utc> = s.parse().unwrap();
            TimeSlot {
                start,
                end: start + Duration::hours(1),
            }
        };

        for year in [
            "0000-01-01T09:00:00Z",
            "1970-01-01T09:00:00Z",
            "9999-12-31T09:00:00Z",
        ] {
            let errors = window.field_errors(&at(year), now, "slot");
            assert!(!errors.is_empty(), "{year} accepted");
            assert!(
                errors.iter().all(|e| e.code == "outside_window"),
                "{errors:?}"
            );
        }
        assert!(window
            .field_errors(&at("2027-01-05T09:00:00Z"), now, "slot")
            .is_empty());
        assert!(window
            .field_errors(&at("2026-01-05T09:00:00Z"), now, "slot")
            .is_empty());
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn serialises_as_rfc3339() {
        let slot = TimeSlot::new(t("2026-11-24T09:00:00Z"), t("2026-11-24T10:00:00Z")).unwrap();

        let json = serde_json::to_value(slot).unwrap();

        assert_eq!(
            json,
            serde_json::json!({"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"})
        );
        assert_eq!(serde_json::from_value::<TimeSlot>(json).unwrap(), slot);
    }

    #[test]
    fn validation_cases() {
        let cases = [
            ("09:00", "10:00", Ok(())),
            ("09:00", "09:00", Err(SlotError::EndNotAfterStart)),
            ("10:00", "09:00", Err(SlotError::EndNotAfterStart)),
            ("09:10", "10:00", Err(SlotError::OffGrid)),
            ("09:00", "10:01", Err(SlotError::OffGrid)),
            ("06:00", "18:00", Ok(())),
            ("06:00", "18:15", Err(SlotError::TooLong)),
        ];
        for (start, end, expected) in cases {
            let slot = TimeSlot {
                start: t(&format!("2026-11-24T{start}:00Z")),
                end: t(&format!("2026-11-24T{end}:00Z")),
            };
            assert_eq!(slot.validate(), expected, "{start}-{end}");
        }
    }

    #[test]
    fn field_errors_name_the_offending_field() {
        let off_start = TimeSlot {
            start: t("2026-11-24T09:05:00Z"),
            end: t("2026-11-24T10:00:00Z"),
        };
        let backwards = TimeSlot {
            start: t("2026-11-24T10:00:00Z"),
            end: t("2026-11-24T09:00:00Z"),
        };

        let e1 = off_start.field_errors("slot");
        let e2 = backwards.field_errors("slot");

        assert_eq!(e1[0].field, "slot.start");
        assert_eq!(e1[0].code, "off_grid");
        assert_eq!(e2[0].field, "slot.end");
        assert_eq!(e2[0].code, "end_before_start");
    }

    #[test]
    fn snaps_to_the_nearest_grid_point() {
        assert_eq!(
            snap_to_grid(t("2026-11-24T09:07:29Z"), 15),
            t("2026-11-24T09:00:00Z")
        );
        assert_eq!(
            snap_to_grid(t("2026-11-24T09:07:30Z"), 15),
            t("2026-11-24T09:15:00Z")
        );
        assert_eq!(
            snap_to_grid(t("2026-11-24T23:53:00Z"), 15),
            t("2026-11-25T00:00:00Z")
        );
        assert_eq!(
            snap_to_grid(t("2026-11-24T09:15:00Z"), 15),
            t("2026-11-24T09:15:00Z")
        );
        assert_eq!(
            snap_to_grid(t("1969-12-31T23:52:00Z"), 15),
            t("1969-12-31T23:45:00Z")
        );
    }

    #[test]
    fn overlap_is_half_open() {
        let a = TimeSlot::starting_at(t("2026-11-24T09:00:00Z"), 60).unwrap();
        let b = TimeSlot::starting_at(t("2026-11-24T10:00:00Z"), 60).unwrap();
        let c = TimeSlot::starting_at(t("2026-11-24T09:45:00Z"), 30).unwrap();
        let (ida, idb, idc) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));

        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&c) && c.overlaps(&b));
        assert_eq!(overlapping(&c, [(ida, &a), (idb, &b)]), vec![ida, idb]);
        assert_eq!(overlapping(&a, [(idb, &b), (idc, &c)]), vec![idc]);
    }

    #[test]
    fn moving_keeps_the_length() {
        let a = TimeSlot::starting_at(t("2026-11-24T09:00:00Z"), 90).unwrap();

        let moved = a.moved_to(t("2026-11-25T13:15:00Z"));

        assert_eq!(moved.end, t("2026-11-25T14:45:00Z"));
    }
}
