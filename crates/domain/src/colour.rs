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
///
/// On the wire the place's fields sit beside the colour
/// (`{"place":"technician_row","technician_id":"…","colour":"green"}`). It is read
/// through [`PlacementWire`] rather than serde's `flatten`, which buffers every field of
/// every placement into an intermediate tree first: a board of thousands of calls spent
/// a fifth of its decoding there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "PlacementWire")]
pub struct Placement {
    #[serde(flatten)]
    pub place: Place,
    pub colour: Colour,
}

/// [`Place`]'s tag alone.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum PlaceTag {
    RequestsList,
    UnassignedList,
    DispatcherRow,
    TechnicianRow,
}

/// A [`Placement`] as the JSON spells it, every field at one level.
#[derive(Deserialize)]
struct PlacementWire {
    place: PlaceTag,
    #[serde(default)]
    technician_id: Option<Uuid>,
    colour: Colour,
}

impl TryFrom<PlacementWire> for Placement {
    type Error = &'static str;

    fn try_from(wire: PlacementWire) -> Result<Self, Self::Error> {
        let place = match (wire.place, wire.technician_id) {
            (PlaceTag::RequestsList, None) => Place::RequestsList,
            (PlaceTag::UnassignedList, None) => Place::UnassignedList,
            (PlaceTag::DispatcherRow, None) => Place::DispatcherRow,
            (PlaceTag::TechnicianRow, Some(technician_id)) => {
                Place::TechnicianRow { technician_id }
            }
            (PlaceTag::TechnicianRow, None) => return Err("a technician row needs technician_id"),
            (_, Some(_)) => return Err("only a technician row has a technician_id"),
        };
        Ok(Self {
            place,
            colour: wire.colour,
        })
    }
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
    won_view(call.slot.is_some(), call.technician_id, call.client_called).colour
}

/// The colour and places of a call its company has won, from the three task facts alone
/// (the app uses it to redraw a call optimistically while a move is being saved).
pub fn won_view(has_slot: bool, technician_id: Option<Uuid>, client_called: bool) -> BoardView {
    let place = |place, colour| Placement { place, colour };
    match (has_slot, technician_id) {
        (true, Some(technician_id)) => {
            let colour = if client_called {
                Colour::Green
            } else {
                Colour::Orange
            };
            BoardView {
                colour,
                placements: vec![place(Place::TechnicianRow { technician_id }, colour)],
            }
        }
        (true, None) => BoardView {
            colour: Colour::White,
            placements: vec![
                place(Place::UnassignedList, Colour::White),
                place(Place::DispatcherRow, Colour::Orange),
            ],
        },
        (false, _) => BoardView {
            colour: Colour::White,
            placements: vec![place(Place::UnassignedList, Colour::White)],
        },
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
                won_view(call.slot.is_some(), call.technician_id, call.client_called).placements
            }
        }
    };
    BoardView { colour, placements }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::testkit::*;

    fn white_list() -> Placement {
        Placement {
            place: Place::UnassignedList,
            colour: Colour::White,
        }
    }

    fn row(technician_id: Uuid, colour: Colour) -> Placement {
        Placement {
            place: Place::TechnicianRow { technician_id },
            colour,
        }
    }

    /// DESIGN.md step 3 and the dispatcher guide's "colour - action code", case by case.
    #[test]
    fn colour_and_placement_table() {
        let called = |c: ServiceCall| run(&c, Command::ConfirmClientCalled, &alpen()).0;
        let with_anna = |c: ServiceCall| {
            run(
                &c,
                Command::Assign {
                    technician: facts(ANNA, ALPEN),
                },
                &alpen(),
            )
            .0
        };
        let blue_request = Placement {
            place: Place::RequestsList,
            colour: Colour::Blue,
        };
        let orange_dispatcher = Placement {
            place: Place::DispatcherRow,
            colour: Colour::Orange,
        };

        #[rustfmt::skip]
        #[allow(clippy::type_complexity)]
        let cases: Vec<(&str, ServiceCall, Uuid, Colour, Vec<Placement>)> = vec![
            // name                                                        call                             viewer colour          placements
            ("new request, offered to the viewer",                          requested(),                     ALPEN, Colour::Blue,   vec![blue_request]),
            ("new request, viewer not offered",                             requested(),                     THIRD, Colour::Blue,   vec![]),
            ("accepted by another company",                                 accepted(),                      RHEIN, Colour::White,  vec![]),
            ("accepted, no date/time",                                      accepted_undated(),              ALPEN, Colour::White,  vec![white_list()]),
            ("accepted, no date/time, client called",                       called(accepted_undated()),      ALPEN, Colour::White,  vec![white_list()]),
            ("accepted, no date/time, technician",                          with_anna(accepted_undated()),   ALPEN, Colour::White,  vec![white_list()]),
            ("dated, not assigned: white list AND orange dispatcher row",   accepted(),                      ALPEN, Colour::White,  vec![white_list(), orange_dispatcher]),
            ("dated, not assigned, client called",                          called(accepted()),              ALPEN, Colour::White,  vec![white_list(), orange_dispatcher]),
            ("dated, assigned, client not called",                          assigned(),                      ALPEN, Colour::Orange, vec![row(ANNA, Colour::Orange)]),
            ("dated, assigned, client called: ready",                       ready(),                         ALPEN, Colour::Green,  vec![row(ANNA, Colour::Green)]),
            ("in progress",                                                 started(),                       ALPEN, Colour::Green,  vec![row(ANNA, Colour::Green)]),
        ];

        for (name, call, viewer, colour, placements) in cases {
            let view = board_view(&call, viewer);
            assert_eq!(view.colour, colour, "{name}");
            assert_eq!(call.colour, colour, "{name}: stored colour");
            assert_eq!(view.placements, placements, "{name}");
        }
    }

    #[test]
    fn placements_serialise_flat() {
        let p = row(Uuid::from_u128(5), Colour::Green);

        let json = serde_json::to_value(p).unwrap();

        assert_eq!(
            json,
            serde_json::json!({"place": "technician_row", "technician_id": "00000000-0000-0000-0000-000000000005", "colour": "green"})
        );
    }

    #[test]
    fn placements_read_back_as_written_and_refuse_a_place_without_its_technician() {
        let technician = Uuid::from_u128(5);
        let places = [
            Place::RequestsList,
            Place::UnassignedList,
            Place::DispatcherRow,
            Place::TechnicianRow {
                technician_id: technician,
            },
        ];
        for place in places {
            let placement = Placement {
                place,
                colour: Colour::Orange,
            };
            let json = serde_json::to_string(&placement).unwrap();
            assert_eq!(
                serde_json::from_str::<Placement>(&json).unwrap(),
                placement,
                "{json}"
            );
        }

        let refused = [
            r#"{"place":"technician_row","colour":"green"}"#,
            r#"{"place":"dispatcher_row","technician_id":"00000000-0000-0000-0000-000000000005","colour":"white"}"#,
            r#"{"place":"roof","colour":"green"}"#,
            r#"{"place":"requests_list"}"#,
        ];
        for json in refused {
            assert!(serde_json::from_str::<Placement>(json).is_err(), "{json}");
        }
    }
}
