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

    /// Where a slot lies against the visible hours of its day: `Some(Earlier)` when it
    /// starts before them, `Some(Later)` when it ends after them (each with the hour the
    /// view must reach to show it), `None` when it fits or is not on a visible day.
    pub fn off_hours(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Option<(OffHours, u32)> {
        let local_start = tz::to_local(start, self.zone).naive_local();
        let day = (local_start.date() - self.first_day).num_days();
        if day < 0 || day >= i64::from(self.days) {
            return None;
        }
        let local_end = tz::to_local(end, self.zone).naive_local();
        if local_start.hour() < self.hour_from {
            return Some((OffHours::Earlier, local_start.hour()));
        }
        // An end past midnight needs the whole evening.
        let end_hour = if local_end.date() > local_start.date() {
            24
        } else {
            local_end.hour() + u32::from(local_end.minute() > 0)
        };
        (end_hour > self.hour_to).then_some((OffHours::Later, end_hour))
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

/// Which side of the visible hours a call lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OffHours {
    Earlier,
    Later,
}

/// Where a block is drawn in its row: horizontally (fractions of the track, see
/// [`Geometry::span_of`]) and vertically (its lane).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub left: f64,
    pub width: f64,
    pub lane: Lane,
}

/// Where a block sits vertically in its row: lane `lane` (from the top) of `lanes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane {
    pub lane: u32,
    /// The lane count of the block's overlap group (1: it overlaps nothing).
    pub lanes: u32,
}

/// Lays out the blocks of one row so that overlapping calls never cover each other.
///
/// `spans` are horizontal extents `(left, right)` in any unit; the answer is in the same
/// order. Blocks are taken by start, and each goes into the topmost lane that is free at
/// its start (greedy interval partitioning, which needs no more lanes than the largest
/// number of calls overlapping at one instant). Blocks that overlap, directly or through
/// a chain, form a group, and every block of a group gets the group's lane count, so a
/// group shares the row's height evenly while a call that overlaps nothing keeps the
/// full height. Touching blocks (one ends where the next starts) do not overlap.
pub fn lanes(spans: &[(f64, f64)]) -> Vec<Lane> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by(|a, b| {
        spans[*a]
            .0
            .total_cmp(&spans[*b].0)
            .then_with(|| spans[*a].1.total_cmp(&spans[*b].1))
            .then_with(|| a.cmp(b))
    });
    let mut out = vec![Lane { lane: 0, lanes: 1 }; spans.len()];
    // Right edges of the current group's lanes, the group's members and its right edge.
    let mut lane_ends: Vec<f64> = Vec::new();
    let mut group: Vec<usize> = Vec::new();
    let mut group_end = f64::NEG_INFINITY;
    let close = |group: &mut Vec<usize>, lane_ends: &mut Vec<f64>, out: &mut [Lane]| {
        #[allow(clippy::cast_possible_truncation)]
        let lanes = lane_ends.len().max(1) as u32;
        for i in group.drain(..) {
            out[i].lanes = lanes;
        }
        lane_ends.clear();
    };
    for i in order {
        let (left, right) = spans[i];
        if left >= group_end {
            close(&mut group, &mut lane_ends, &mut out);
        }
        let lane = match lane_ends.iter().position(|end| *end <= left) {
            Some(free) => {
                lane_ends[free] = right;
                free
            }
            None => {
                lane_ends.push(right);
                lane_ends.len() - 1
            }
        };
        #[allow(clippy::cast_possible_truncation)]
        {
            out[i].lane = lane as u32;
        }
        group.push(i);
        group_end = group_end.max(right);
    }
    close(&mut group, &mut lane_ends, &mut out);
    out
}

// Run in the browser by `cargo xtask test` (wasm-bindgen-test) and on the host by
// `cargo test -p dispatch-app --lib`.
#[cfg(test)]
mod tests {
    use super::{lanes, Lane};

    fn lane(lane: u32, lanes: u32) -> Lane {
        Lane { lane, lanes }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn calls_that_do_not_overlap_keep_the_full_row() {
        // Touching is not overlapping: 9–10 and 10–11 sit side by side.
        assert_eq!(
            lanes(&[(9.0, 10.0), (10.0, 11.0), (13.0, 14.0)]),
            vec![lane(0, 1), lane(0, 1), lane(0, 1)]
        );
        assert_eq!(lanes(&[]), vec![]);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn overlapping_calls_get_lanes_of_their_group_only() {
        // 8–10 and 9–11 overlap (two lanes); 12–13 is alone and keeps the full height.
        assert_eq!(
            lanes(&[(8.0, 10.0), (9.0, 11.0), (12.0, 13.0)]),
            vec![lane(0, 2), lane(1, 2), lane(0, 1)]
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_freed_lane_is_reused_and_chains_form_one_group() {
        // 8–12 spans the group; 9–10 and 10–11 both fit the second lane, 9:30–10:30
        // needs a third. Every block of the chain shares the group's three lanes.
        assert_eq!(
            lanes(&[(8.0, 12.0), (9.0, 10.0), (9.5, 10.5), (10.0, 11.0)]),
            vec![lane(0, 3), lane(1, 3), lane(2, 3), lane(1, 3)]
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_answer_follows_the_input_order_not_the_start_order() {
        assert_eq!(
            lanes(&[(9.0, 11.0), (8.0, 10.0)]),
            vec![lane(1, 2), lane(0, 2)]
        );
        // Identical slots still get lanes of their own.
        assert_eq!(
            lanes(&[(8.0, 9.0), (8.0, 9.0), (8.0, 9.0)]),
            vec![lane(0, 3), lane(1, 3), lane(2, 3)]
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn lanes_never_exceed_the_most_calls_at_one_instant() {
        // A deterministic pseudo-random day: no two blocks of one lane overlap, and the
        // lane count equals the maximum overlap at any start.
        let mut s: u32 = 7;
        let mut next = |n: u32| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            f64::from(s >> 8) / f64::from(1_u32 << 24) * f64::from(n)
        };
        let spans: Vec<(f64, f64)> = (0..60)
            .map(|_| {
                let left = next(40).floor();
                (left, left + 2.0 + next(6).floor())
            })
            .collect();
        let layout = lanes(&spans);
        for (i, a) in spans.iter().enumerate() {
            for (j, b) in spans.iter().enumerate().skip(i + 1) {
                if a.0 < b.1 && b.0 < a.1 {
                    assert_ne!(
                        layout[i].lane, layout[j].lane,
                        "{a:?} and {b:?} share a lane"
                    );
                    assert_eq!(
                        layout[i].lanes, layout[j].lanes,
                        "one group, one lane count"
                    );
                }
            }
        }
        let most = spans
            .iter()
            .map(|a| spans.iter().filter(|b| b.0 <= a.0 && a.0 < b.1).count())
            .max()
            .unwrap_or(0);
        let used = layout.iter().map(|l| l.lanes).max().unwrap_or(0);
        assert_eq!(used as usize, most);
    }
}
