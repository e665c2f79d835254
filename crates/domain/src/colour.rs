//! The colour code of the board and where a call shows, for one viewing company.
//!
//! | state                                        | colour | where                              |
//! | -------------------------------------------- | ------ | ---------------------------------- |
//! | offered to the viewer, not yet accepted      | blue   | requests list                      |
//! | accepted, no date/time                       | white  | unassigned list                    |
//! | accepted, date/time, no technician           | white  | unassigned list                    |
//! |                                              | orange | *and* the dispatcher's row         |
//! | date/time + technician, client not called    | orange | the technician's row               |
//! | date/time + technician + client called       | green  | the technician's row               |
//!
//! "Blue: to accept or decline. White: to assign to a technician. Orange: to call the
//! client or assign to a technician. Green: all good." The call's own `colour` (the one
//! the API returns) is the colour of its first placement; a call the viewer cannot see has
//! no placement.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::call::{OfferState, ServiceCall, Status};

/// The four colours of the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// A request to accept or decline.
    Blue,
    /// Accepted; assign a technician (and define a date/time).
    White,
    /// Call the client or assign a technician.
    Orange,
    /// Date/time, technician and client called: ready to go.
    Green,
}

/// A place on the dispatcher's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "place", rename_all = "snake_case")]
pub enum Place {
    /// Incoming requests, below the calendar.
    RequestsList,
    /// Accepted but not yet assigned calls, below the calendar.
    UnassignedList,
    /// The dispatcher's own row of the calendar, at the call's time.
    DispatcherRow,
    /// A technician's row of the calendar, at the call's time.
    TechnicianRow { technician_id: Uuid },
}

/// A call shown at one place, in one colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placement {
    #[serde(flatten)]
    pub place: Place,
    pub colour: Colour,
}

/// How one company's board shows one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardView {
    /// The call's colour (the same as [`colour_of`]).
    pub colour: Colour,
    /// Every place it shows on this company's board; empty if it does not show.
    pub placements: Vec<Placement>,
}

/// The call's colour, independent of who looks: blue until a company wins, then white,
/// orange or green by the tasks done.
pub fn colour_of(call: &ServiceCall) -> Colour {
    if call.accepted_by.is_none() {
        return Colour::Blue;
    }
    match (call.slot.is_some(), call.technician_id.is_some()) {
        (true, true) if call.client_called => Colour::Green,
        (true, true) => Colour::Orange,
        _ => Colour::White,
    }
}

/// The colour of the call and every place it shows on the board of `viewer` (a company).
///
/// A dated call without a technician shows twice: white in the unassigned list and orange
/// in the dispatcher's row at its time. Cancelled calls and calls of other companies do
/// not show. Closed calls stay in their technician's row (green).
pub fn board_view(call: &ServiceCall, viewer: Uuid) -> BoardView {
    let colour = colour_of(call);
    let place = |place, colour| Placement { place, colour };
    let placements = match call.status {
        Status::Requested => match call.offer_for(viewer).map(|o| o.state) {
            Some(OfferState::Offered) => vec![place(Place::RequestsList, Colour::Blue)],
            _ => vec![],
        },
        Status::WithMarketplace | Status::Cancelled => vec![],
        Status::Accepted | Status::InProgress | Status::Closed => {
            if call.accepted_by != Some(viewer) {
                vec![]
            } else {
                match (call.slot, call.technician_id) {
                    (Some(_), Some(technician_id)) => {
                        vec![place(Place::TechnicianRow { technician_id }, colour)]
                    }
                    (Some(_), None) => vec![
                        place(Place::UnassignedList, Colour::White),
                        place(Place::DispatcherRow, Colour::Orange),
                    ],
                    (None, _) => vec![place(Place::UnassignedList, Colour::White)],
                }
            }
        }
    };
    BoardView { colour, placements }
}
