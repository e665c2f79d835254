//! Who of a company sees which of its calls. A dispatcher sees the company's whole
//! board: its open offers and the calls it won ([`CallView::on_board`]). A technician
//! sees only the calls their company won and assigned to them — whole, since doing the
//! job needs the client's contact, the order and the report — and nothing else: no
//! offers (those reach dispatchers only), no colleague's calls, no colleague's profile.
//!
//! The server applies this to every read of calls (the board, one call) and to every
//! live event a technician's socket would carry.

use uuid::Uuid;

use crate::{call::OfferState, view::CallView};

/// The person looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Dispatcher,
    Technician(Uuid),
}

impl Viewer {
    /// Whether this viewer may see `view` (the company's view of a call).
    pub fn sees(self, view: &CallView) -> bool {
        match self {
            Self::Dispatcher => true,
            Self::Technician(me) => {
                view.offer_state == OfferState::Won && view.technician_id == Some(me)
            }
        }
    }

    /// Whether this viewer may see `view` on the board (dispatchers: what is on the
    /// company's board; technicians: their own calls, which are all on it).
    pub fn sees_on_board(self, view: &CallView) -> bool {
        view.on_board() && self.sees(view)
    }

    /// Whether this viewer hears of changes to the technician `technician`'s profile:
    /// dispatchers of all their technicians, a technician of themselves only.
    pub fn sees_technician(self, technician: Uuid) -> bool {
        match self {
            Self::Dispatcher => true,
            Self::Technician(me) => me == technician,
        }
    }
}

/// What a technician's live stream does with the change of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Pass the event on: the call is (still) theirs.
    Show,
    /// The call was theirs and is no more (reassigned, closed, given up): tell them it
    /// left, with its id only.
    Withdraw,
    /// Not theirs before or after: they hear nothing of it.
    Nothing,
}

/// The delivery to technician `me` of a change whose result is `after` (the company's
/// new view, `None` when the company no longer sees the call), given whether the call
/// was theirs before (`had_it`).
pub fn technician_delivery(after: Option<&CallView>, me: Uuid, had_it: bool) -> Delivery {
    let theirs = after.is_some_and(|view| Viewer::Technician(me).sees_on_board(view));
    match (theirs, had_it) {
        (true, _) => Delivery::Show,
        (false, true) => Delivery::Withdraw,
        (false, false) => Delivery::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        command::Command,
        testkit::{accepted, alpen, assigned, facts, requested, run, ALPEN, ANNA, BEN, RHEIN},
    };

    fn view(call: &crate::call::ServiceCall) -> CallView {
        CallView::for_company(call, ALPEN).expect("Alpen sees it")
    }

    #[test]
    fn a_technician_sees_their_own_calls_only() {
        let mine = view(&assigned());
        assert!(Viewer::Technician(ANNA).sees_on_board(&mine));
        assert!(!Viewer::Technician(BEN).sees(&mine), "a colleague's call");
        assert!(Viewer::Dispatcher.sees_on_board(&mine));
    }

    #[test]
    fn offers_and_unassigned_calls_reach_dispatchers_only() {
        let offer = view(&requested());
        assert!(Viewer::Dispatcher.sees_on_board(&offer));
        assert!(!Viewer::Technician(ANNA).sees(&offer));
        let unassigned = view(&accepted());
        assert!(Viewer::Dispatcher.sees_on_board(&unassigned));
        assert!(!Viewer::Technician(ANNA).sees(&unassigned));
        // The loser's view of a taken request: nobody's call at Rhein.
        let taken = CallView::for_company(&accepted(), RHEIN).unwrap();
        assert!(!Viewer::Technician(ANNA).sees(&taken));
    }

    #[test]
    fn live_changes_reach_a_technician_while_the_call_is_theirs() {
        let offer = view(&requested());
        assert_eq!(
            technician_delivery(Some(&offer), ANNA, false),
            Delivery::Nothing
        );
        let mine = view(&assigned());
        assert_eq!(
            technician_delivery(Some(&mine), ANNA, false),
            Delivery::Show
        );
        assert_eq!(
            technician_delivery(Some(&mine), BEN, false),
            Delivery::Nothing
        );
        let moved = run(
            &assigned(),
            Command::Assign {
                technician: facts(BEN, ALPEN),
            },
            &alpen(),
        )
        .0;
        let moved = view(&moved);
        assert_eq!(
            technician_delivery(Some(&moved), ANNA, true),
            Delivery::Withdraw
        );
        assert_eq!(
            technician_delivery(Some(&moved), BEN, false),
            Delivery::Show
        );
        assert_eq!(technician_delivery(None, ANNA, true), Delivery::Withdraw);
    }

    #[test]
    fn a_technician_hears_of_their_own_profile_only() {
        assert!(Viewer::Technician(ANNA).sees_technician(ANNA));
        assert!(!Viewer::Technician(ANNA).sees_technician(BEN));
        assert!(Viewer::Dispatcher.sees_technician(BEN));
    }
}
