//! Who of a company sees which of its calls. A dispatcher sees the company's whole
//! board: its open offers and the calls it won ([`CallView::on_board`]). A technician
//! sees only the calls their company won and assigned to them — whole, since doing the
//! job needs the client's contact, the order and the report — and nothing else: no
//! offers (those reach dispatchers only), no colleague's calls, no colleague's profile.
//!
//! The server applies this to every read of calls (the board, one call) and to every
//! live event a technician's socket would carry.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    call::{OfferState, ServiceCall, Status},
    view::CallView,
};

/// Whether `call` belongs in the answer of `company`'s dispatcher board for the window
/// `[from, to)` (to the second): every open offer to the company whatever the window
/// (the lists below the calendar), and of the calls it won the undated ones, the ones
/// accepted and still without a technician, and the ones dated overlapping the window.
/// [`Viewer::sees_on_board`] then leaves out what the board does not show of these
/// (a cancelled call). The server's board query is an index of this rule and must
/// agree with it: a board kept by the server is brought up to date with it.
pub fn in_board_window(
    call: &ServiceCall,
    company: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    let Some(offer) = call.offers.iter().find(|o| o.company_id == company) else {
        return false;
    };
    match offer.state {
        OfferState::Offered => true,
        OfferState::Won => call.slot.is_none_or(|slot| {
            (call.technician_id.is_none() && call.status == Status::Accepted)
                || (slot.start.timestamp() < to.timestamp()
                    && slot.end.timestamp() > from.timestamp())
        }),
        _ => false,
    }
}

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
    fn a_board_window_holds_open_offers_and_won_calls_dated_in_it_or_still_to_plan() {
        use crate::testkit::{accepted_undated, t};
        // The example booking is dated 2026-11-24 09:00–10:00Z.
        let (week, next_week) = (t("2026-11-23T00:00:00Z"), t("2026-11-30T00:00:00Z"));
        let later = (next_week, t("2026-12-07T00:00:00Z"));
        let in_window =
            |call: &ServiceCall, company, (from, to)| in_board_window(call, company, from, to);

        // An open offer, whatever the window; not for a company it was not offered to.
        assert!(in_window(&requested(), ALPEN, later));
        assert!(!in_window(&requested(), Uuid::from_u128(0x99), later));
        // Won, dated, no technician yet: in the list below every week's calendar.
        assert!(in_window(&accepted(), ALPEN, later));
        assert!(!in_window(&accepted(), RHEIN, (week, next_week)), "taken");
        // Undated: always.
        assert!(in_window(&accepted_undated(), ALPEN, later));
        // Assigned: on the calendar of the week it is in only, to the second.
        assert!(in_window(&assigned(), ALPEN, (week, next_week)));
        assert!(!in_window(&assigned(), ALPEN, later));
        let ends = t("2026-11-24T10:00:00Z");
        assert!(!in_window(&assigned(), ALPEN, (ends, next_week)));
        assert!(in_window(
            &assigned(),
            ALPEN,
            (ends - chrono::Duration::seconds(1), next_week)
        ));
        let starts = t("2026-11-24T09:00:00Z");
        assert!(!in_window(&assigned(), ALPEN, (week, starts)));
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
