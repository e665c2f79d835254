//! Wire types of the call endpoints (`/api/v1/calls…`) and the marketplace intake.

use chrono::{DateTime, Datelike, Duration, NaiveTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{team::TECHNICIANS_PATH, ME_PATH};
use crate::{
    call::{OfferState, ServiceCall, Status},
    money::Money,
    slot::TimeSlot,
    view::CallView,
};

/// `GET /api/v1/calls?from=&to=`: this company's offers and calls in the window, plus
/// the undated ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The company's last live-event sequence number when the read began: every change
    /// up to it is in `calls`. A live connection that starts at or before it needs no
    /// second read of the board (the stream brings everything after it).
    #[serde(default)]
    pub seq: i64,
    pub calls: Vec<CallView>,
}

/// The board read's address for `[from, to)`: the one spelling the app requests and the
/// server preloads (a preload is used only by a request for the very same URL). The
/// times are RFC 3339 in UTC to the second, their `:` escaped as `URLSearchParams`
/// escapes it (the app's requests spell their query that way).
pub fn board_path(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let at = |t: DateTime<Utc>| {
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
            .replace(':', "%3A")
    };
    format!("/api/v1/calls?from={}&to={}", at(from), at(to))
}

/// How much of each call a board answer carries: `?detail=whole` asks for every call
/// whole, as `GET /api/v1/calls/{id}` answers it; without it, each is its
/// [`CallView::summary`] (what the board draws; the detail modal reads the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BoardDetail {
    #[default]
    Summary,
    Whole,
}

impl BoardDetail {
    /// The `detail` parameter's value (`None` for a value it does not take).
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw {
            None | Some("summary") => Some(Self::Summary),
            Some("whole") => Some(Self::Whole),
            Some(_) => None,
        }
    }

    /// `view` as a board answer of this detail carries it.
    pub fn shown(self, view: CallView) -> CallView {
        match self {
            Self::Summary => view.summary(),
            Self::Whole => view,
        }
    }
}

/// Every read the calendar waits for before its first paint: the session check
/// ([`ME_PATH`]), the board of [`first_window`] and the roster ([`TECHNICIANS_PATH`]).
/// The server preloads these very URLs with a signed-in page that opens on the
/// calendar, so on a slow network none of them costs a round trip after the wasm has
/// arrived.
pub fn first_reads(now: DateTime<Utc>) -> [String; 3] {
    let (from, to) = first_window(now);
    [
        ME_PATH.to_owned(),
        board_path(from, to),
        TECHNICIANS_PATH.to_owned(),
    ]
}

/// The board window read before the app knows the company's time zone (the app's
/// prefetch in `main`, and the server's `Link: rel=preload` on the page that opens the
/// calendar): the calendar's first window (its week, with a day of margin each side)
/// for every zone from UTC−12 to UTC+14. Mid-week that is about ten days; across a
/// week's boundary, where one zone is already in the next week, it holds both weeks.
pub fn first_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let (west, east) = (Duration::hours(-12), Duration::hours(14));
    let monday_at = |offset: Duration| {
        let local = (now + offset).date_naive();
        let monday = local - Duration::days(i64::from(local.weekday().num_days_from_monday()));
        monday.and_time(NaiveTime::MIN).and_utc()
    };
    // A local midnight is `-offset` in UTC: the earliest is the east's, the latest the west's.
    (
        monday_at(west) - Duration::days(1) - east,
        monday_at(east) + Duration::days(8) - west,
    )
}

/// Whether the page at `path` opens on the calendar (the board is its first screen).
pub fn opens_the_calendar(path: &str) -> bool {
    path == "/" || path == "/calendar" || path.starts_with("/requests/")
}

/// `PATCH /api/v1/calls/{id}`: only the fields present change; `null` clears.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PatchCall {
    /// The version the change is based on; a stale one is answered 409 with the call.
    pub version: i64,
    #[serde(
        default,
        deserialize_with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<TimeSlot>))]
    pub slot: Option<Option<TimeSlot>>,
    #[serde(
        default,
        deserialize_with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub technician_id: Option<Option<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_called: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_price: Option<Money>,
}

/// `POST /api/v1/calls/{id}/undo`: takes back the caller's own last move of the call
/// (within [`crate::flow::UNDO_WINDOW`]), based on the version that move produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UndoMoveRequest {
    /// The call's version after the move; a stale one is answered 409 with the call.
    pub version: i64,
}

/// `POST /api/v1/marketplace/requests` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeAccepted {
    /// The call's id everywhere after.
    pub id: Uuid,
    pub offered_to: Vec<Uuid>,
}

/// Where a marketplace request stands, as the marketplace sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Offered to partners; nobody has accepted yet.
    Offered,
    /// A partner accepted it (`accepted_by`); the work is being organised or done.
    Accepted,
    /// Every offered partner declined: the marketplace has it back to redistribute.
    AllDeclined,
    /// The winner gave it up ("can't help"): the marketplace has it back to redistribute.
    GivenUp,
    /// Completed.
    Closed,
    /// Cancelled for good (client didn't answer or cancelled).
    Cancelled,
}

impl RequestState {
    /// The marketplace's view of a call's state.
    pub fn of(call: &ServiceCall) -> Self {
        match call.status {
            Status::Requested => RequestState::Offered,
            Status::Accepted | Status::InProgress => RequestState::Accepted,
            Status::Closed => RequestState::Closed,
            Status::Cancelled => RequestState::Cancelled,
            Status::WithMarketplace if !call.excluded_companies.is_empty() => RequestState::GivenUp,
            Status::WithMarketplace => RequestState::AllDeclined,
        }
    }
}

/// One partner's answer to a request, as the marketplace sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerOffer {
    pub company_id: Uuid,
    pub state: OfferState,
}

/// `GET /api/v1/marketplace/requests/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestStatus {
    pub id: Uuid,
    pub external_id: String,
    pub state: RequestState,
    /// The partner that won the request, once one has.
    pub accepted_by: Option<Uuid>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub offers: Vec<PartnerOffer>,
    pub version: i64,
}

impl RequestStatus {
    /// The marketplace's view of `call`.
    pub fn of(call: &ServiceCall) -> Self {
        RequestStatus {
            id: call.id,
            external_id: call.external_id.clone(),
            state: RequestState::of(call),
            accepted_by: call.accepted_by,
            accepted_at: call.accepted_at,
            offers: call
                .offers
                .iter()
                .map(|o| PartnerOffer {
                    company_id: o.company_id,
                    state: o.state,
                })
                .collect(),
            version: call.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_window_holds_the_calendar_week_in_every_zone() {
        // A Sunday late evening in UTC is already Monday in Auckland and still Sunday in
        // Honolulu: both weeks (with the calendar's day of margin) must fit.
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 23, 30, 0).unwrap();
        let (from, to) = first_window(now);
        for (offset_hours, monday) in [(13, (2026, 12, 7)), (-10, (2026, 11, 30))] {
            let (y, m, d) = monday;
            let local_monday =
                Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap() - Duration::hours(offset_hours);
            let want_from = local_monday - Duration::days(1);
            let want_to = local_monday + Duration::days(8);
            assert!(
                from <= want_from && want_to <= to,
                "{offset_hours} h: {want_from} … {want_to}"
            );
        }
    }

    #[test]
    fn mid_week_the_window_is_about_ten_days() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 5, 0, 0).unwrap();
        let (from, to) = first_window(now);
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap());
        assert_eq!(to, Utc.with_ymd_and_hms(2026, 12, 8, 12, 0, 0).unwrap());
        assert!(to - from <= Duration::days(11));
    }

    #[test]
    fn the_board_path_is_one_spelling() {
        let from = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 12, 8, 12, 0, 0).unwrap();
        assert_eq!(
            board_path(from, to),
            "/api/v1/calls?from=2026-11-28T10%3A00%3A00Z&to=2026-12-08T12%3A00%3A00Z"
        );
    }

    #[test]
    fn only_pages_that_open_the_calendar_prefetch() {
        assert!(opens_the_calendar("/"));
        assert!(opens_the_calendar("/calendar"));
        assert!(opens_the_calendar("/requests/4f1c"));
        assert!(!opens_the_calendar("/team"));
        assert!(!opens_the_calendar("/login"));
    }
}
