//! The dispatch calendar: a resource timeline (the dispatcher's row and one row per
//! technician, time left to right), with drag to reschedule, reassign and schedule from
//! the unassigned list — by mouse, touch, pen (Pointer Events) and keyboard.
//!
//! All drag state lives in one signal ([`CalendarContext::drag`]); only the ghost reads
//! it on every pointer move, so dragging never re-renders the board.

pub mod call_block;
pub mod colleague_marker;
pub mod density_switch;
pub mod geometry;
pub mod move_dialog;
pub mod phone_agenda;
pub mod summary_card;
pub mod timeline;

use chrono::{DateTime, Utc};
use domain::{
    api::team::TechnicianSummary,
    colour::Place,
    technician::{check_assignable, Verification},
    view::CallView,
};
use std::collections::HashSet;

use leptos::{html, prelude::*, reactive::computed::Selector};
use uuid::Uuid;

use crate::{
    contexts::board::{use_board, use_roster},
    i18n::{use_i18n, I18n},
};
use geometry::{Geometry, Span};

/// Height of a row whose calls do not overlap, in pixels (the CSS `--row`).
pub const ROW_HEIGHT: f64 = 56.0;
/// Height of one lane of a row whose calls overlap (the CSS `--lane`): such a row grows
/// to `lanes × LANE_HEIGHT` so every call stays readable and clickable.
pub const LANE_HEIGHT: f64 = 30.0;

/// One row of the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKey {
    /// The dispatcher's own row: dated calls without a technician.
    Dispatcher,
    Technician(Uuid),
}

impl RowKey {
    /// The board place whose calls this row shows.
    pub fn place(self) -> Place {
        match self {
            RowKey::Dispatcher => Place::DispatcherRow,
            RowKey::Technician(technician_id) => Place::TechnicianRow { technician_id },
        }
    }

    /// The technician a drop on this row assigns (`None`: back to unassigned).
    pub fn technician(self) -> Option<Uuid> {
        match self {
            RowKey::Dispatcher => None,
            RowKey::Technician(id) => Some(id),
        }
    }
}

/// What a drag does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DragMode {
    /// Move the call (time and/or row).
    Move,
    /// Change the end time (the block's right edge).
    Resize,
}

/// The drag in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Drag {
    pub call_id: Uuid,
    pub mode: DragMode,
    /// Started from the "to assign" list rather than a block.
    pub from_list: bool,
    /// By keyboard (arrow keys) rather than a pointer.
    pub keyboard: bool,
    /// Where the pointer went down (to tell a click from a drag).
    pub origin: (f64, f64),
    pub moved: bool,
    /// Pointer position minus the block's left edge, as a track fraction.
    pub grab: f64,
    /// Target row and slot start/end under the pointer.
    pub target: Option<(RowKey, DateTime<Utc>, DateTime<Utc>)>,
}

/// A drop waiting for the dispatcher's confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingMove {
    pub call: CallView,
    pub row: RowKey,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Calendar state shared by the timeline, the lists' drag handles and the dialogs.
#[derive(Clone, Copy)]
pub struct CalendarContext {
    pub span: RwSignal<Span>,
    pub geometry: Memo<Geometry>,
    pub anchor: RwSignal<chrono::NaiveDate>,
    pub hours: RwSignal<(u32, u32)>,
    pub drag: RwSignal<Option<Drag>>,
    /// The id of the dragged call, changing only at drag start and end.
    pub dragging: Memo<Option<Uuid>>,
    /// Whether a given call is the dragged one: notifies only the two blocks whose answer
    /// changes, not every block on the board.
    pub dragged: StoredValue<Selector<Option<Uuid>>>,
    /// The rows that refuse the dragged call (computed once per drag, not per row).
    pub refused: Memo<HashSet<RowKey>>,
    /// The rows in display order (see [`rows`]).
    pub rows: Memo<Vec<RowKey>>,
    /// The language tag dates are formatted with (read once, not once per block).
    pub format_tag: Memo<String>,
    pub pending: RwSignal<Option<PendingMove>>,
    /// Screen-reader announcements of keyboard moves.
    pub announce: RwSignal<String>,
    /// The rows container, for hit-testing pointer positions.
    pub track: NodeRef<html::Div>,
    /// The call whose summary card a tap opened, and where (client coordinates).
    pub summary: RwSignal<Option<(Uuid, f64, f64)>>,
    /// Compact or comfortable blocks (the toolbar's switch).
    pub density: RwSignal<density_switch::Density>,
}

/// Provides the calendar state for the company's `zone`.
pub fn provide_calendar(zone: chrono_tz::Tz) -> CalendarContext {
    let span = RwSignal::new(Span::Week);
    let anchor = RwSignal::new(Geometry::today(zone));
    let hours = RwSignal::new((7, 19));
    let geometry = Memo::new(move |_| {
        let (hour_from, hour_to) = hours.get();
        let first_day = match span.get() {
            Span::Day => anchor.get(),
            Span::Week => Geometry::monday_of(anchor.get()),
        };
        Geometry {
            zone,
            first_day,
            days: span.get().days(),
            hour_from,
            hour_to,
        }
    });
    let drag = RwSignal::new(None::<Drag>);
    let dragging = Memo::new(move |_| {
        drag.with(|d| {
            d.as_ref()
                .filter(|d| d.moved || d.keyboard)
                .map(|d| d.call_id)
        })
    });
    let roster = use_roster();
    let board = use_board();
    let i18n = use_i18n();
    let all_rows = Memo::new(move |_| rows(&roster.list()));
    let refused = Memo::new(move |_| {
        let Some(call) = dragging
            .get()
            .and_then(|id| untrack(|| board.call(id)))
            .map(|c| c.get_untracked())
        else {
            return HashSet::new();
        };
        let technicians = roster.list_untracked();
        all_rows.with_untracked(|all| {
            all.iter()
                .copied()
                .filter(|row| refusal_among(&i18n, &technicians, *row, &call).is_some())
                .collect()
        })
    });
    let context = CalendarContext {
        span,
        geometry,
        anchor,
        hours,
        drag,
        dragging,
        dragged: StoredValue::new(Selector::new(move || dragging.get())),
        refused,
        rows: all_rows,
        format_tag: Memo::new(move |_| i18n.format_tag()),
        pending: RwSignal::new(None),
        announce: RwSignal::new(String::new()),
        track: NodeRef::new(),
        density: RwSignal::new(density_switch::Density::remembered()),
        summary: RwSignal::new(None),
    };
    provide_context(context);
    context
}

/// The app's [`CalendarContext`].
pub fn use_calendar() -> CalendarContext {
    expect_context::<CalendarContext>()
}

/// The rows in display order: the dispatcher's, then verified technicians, then the
/// unverified ones (greyed, never drop targets). Deactivated technicians have no row.
pub fn rows(roster: &[TechnicianSummary]) -> Vec<RowKey> {
    let mut technicians: Vec<&TechnicianSummary> = roster.iter().filter(|t| t.active).collect();
    technicians.sort_by(|a, b| {
        b.verified
            .cmp(&a.verified)
            .then_with(|| domain::technician::name_order(&a.name, &b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    std::iter::once(RowKey::Dispatcher)
        .chain(technicians.into_iter().map(|t| RowKey::Technician(t.id)))
        .collect()
}

/// Why `row` cannot take `call`, in words, or `None` when it can.
pub fn refusal(i18n: &I18n, row: RowKey, call: &CallView) -> Option<String> {
    if row == RowKey::Dispatcher {
        return None;
    }
    refusal_among(i18n, &use_roster().list_untracked(), row, call)
}

/// [`refusal`] against a given list of technicians.
pub fn refusal_among(
    i18n: &I18n,
    roster: &[TechnicianSummary],
    row: RowKey,
    call: &CallView,
) -> Option<String> {
    let RowKey::Technician(id) = row else {
        return None;
    };
    let Some(tech) = roster.iter().find(|t| t.id == id) else {
        return Some(i18n.t("calendar.refuse.unknown"));
    };
    let verification = Verification {
        verified: tech.verified,
        missing: tech.missing.clone(),
    };
    match check_assignable(&verification, &tech.skills, &call.service.skill) {
        Ok(()) => None,
        Err(domain::error::DomainError::NotVerified { missing }) => Some(format!(
            "{}{}{}",
            i18n.t("calendar.refuse.not_verified"),
            i18n.colon(),
            crate::components::calls::missing_text(i18n, &missing)
        )),
        Err(domain::error::DomainError::LacksSkill { skill }) => Some(format!(
            "{} {}",
            i18n.t("calendar.refuse.lacks_skill"),
            i18n.t_or(&format!("skill.{skill}"), "calendar.refuse.unknown_skill")
        )),
        Err(_) => Some(i18n.t("calendar.refuse.unknown")),
    }
}

/// The row's label: "Dispatcher" or the technician's name.
pub fn row_name(i18n: &I18n, row: RowKey) -> String {
    match row {
        RowKey::Dispatcher => i18n.t("calendar.dispatcher_row"),
        RowKey::Technician(id) => use_roster()
            .list_untracked()
            .into_iter()
            .find(|t| t.id == id)
            .map(|t| t.name)
            .unwrap_or_default(),
    }
}
