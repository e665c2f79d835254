//! Where things are on the timeline: instants ↔ horizontal fractions of the visible
//! window, in the company's time zone. Days are laid side by side, each showing the same
//! visible hours of *wall-clock* time, so a DST change day looks like any other and a
//! call at 09:00 local sits under 09:00 on both sides of the change.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use domain::{slot::snap_to_grid, tz};

/// Day or week view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Day,
    Week,
}

impl Span {
    /// Number of days shown.
    pub fn days(self) -> u32 {
        match self {
            Span::Day => 1,
            Span::Week => 7,
        }
    }
}

/// The visible window of the timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub zone: Tz,
    /// First visible day (local date).
    pub first_day: NaiveDate,
    pub days: u32,
    /// Visible wall-clock hours, `[from, to)`.
    pub hour_from: u32,
    pub hour_to: u32,
}

/// The grid every move snaps to.
pub const GRID_MINUTES: u32 = 15;

impl Geometry {
    fn day_minutes(&self) -> f64 {
        f64::from((self.hour_to - self.hour_from) * 60)
    }

    /// The window as UTC instants (for loading the board).
    pub fn range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = tz::local_to_utc(self.first_day.and_time(NaiveTime::MIN), self.zone);
        let last = self.first_day + Duration::days(i64::from(self.days));
        let end = tz::local_to_utc(last.and_time(NaiveTime::MIN), self.zone);
        (start, end)
    }

    /// The visible days (local dates).
    pub fn day_list(&self) -> Vec<NaiveDate> {
        (0..self.days)
            .map(|d| self.first_day + Duration::days(i64::from(d)))
            .collect()
    }

    /// Horizontal position of `instant` as a fraction of the track (0..1), clamped to the
    /// visible hours of its day; `None` outside the visible days.
    pub fn fraction(&self, instant: DateTime<Utc>) -> Option<f64> {
        let local = tz::to_local(instant, self.zone).naive_local();
        let day = (local.date() - self.first_day).num_days();
        if day < 0 || day >= i64::from(self.days) {
            return None;
        }
        let minutes =
            f64::from(local.hour() * 60 + local.minute()) - f64::from(self.hour_from * 60);
        let within = minutes.clamp(0.0, self.day_minutes());
        #[allow(clippy::cast_precision_loss)]
        let day = day as f64;
        Some((day * self.day_minutes() + within) / (f64::from(self.days) * self.day_minutes()))
    }

    /// Left offset and width (both fractions) of a slot, clipped to its first day's
    /// visible hours; `None` when it is not visible.
    pub fn span_of(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Option<(f64, f64)> {
        let left = self.fraction(start)?;
        let local_start = tz::to_local(start, self.zone).naive_local();
        let day_end =
            local_start
                .date()
                .and_time(NaiveTime::from_hms_opt(self.hour_to.min(23), 59, 59)?);
        let clipped_end = tz::to_local(end, self.zone).naive_local().min(day_end);
        let minutes = (clipped_end - local_start)
            .num_minutes()
            .max(GRID_MINUTES.into());
        #[allow(clippy::cast_precision_loss)]
        let width = minutes as f64 / (f64::from(self.days) * self.day_minutes());
        Some((left, width.min(1.0 - left)))
    }

    /// The instant at a horizontal fraction of the track, snapped to the 15-minute grid.
    pub fn instant_at(&self, fraction: f64) -> DateTime<Utc> {
        let total = f64::from(self.days) * self.day_minutes();
        let minutes = (fraction.clamp(0.0, 0.999_999) * total).max(0.0);
        let day = (minutes / self.day_minutes()).floor();
        let within = minutes - day * self.day_minutes();
        #[allow(clippy::cast_possible_truncation)]
        let local: NaiveDateTime = (self.first_day + Duration::days(day as i64))
            .and_time(NaiveTime::MIN)
            + Duration::minutes(i64::from(self.hour_from * 60) + within.round() as i64);
        snap_to_grid(tz::local_to_utc(local, self.zone), GRID_MINUTES)
    }

    /// Today's date in the company's zone.
    pub fn today(zone: Tz) -> NaiveDate {
        tz::to_local(Utc::now(), zone).date_naive()
    }

    /// The Monday of the week of `day`.
    pub fn monday_of(day: NaiveDate) -> NaiveDate {
        use chrono::Datelike;
        day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
    }
}
