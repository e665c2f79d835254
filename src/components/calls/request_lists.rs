use domain::colour::Place;
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use super::{accept_and_report, call_card::CallCard, decline_and_report};
use crate::{contexts::board::use_board, i18n::use_i18n};

/// The two lists below the calendar: incoming requests (blue: accept or decline) and
/// accepted calls still to assign (white).
#[component]
pub fn RequestLists() -> impl IntoView {
    let i18n = use_i18n();
    let board = use_board();
    let navigate = use_navigate();
    let requests = board.at(Place::RequestsList);
    let unassigned = board.at(Place::UnassignedList);

    // Accepting from the list opens the call, where the reminder to phone the client and
    // the tasks are.
    let on_accept = Callback::new(move |view: domain::view::CallView| {
        let navigate = navigate.clone();
        let accepting = accept_and_report(view.id);
        spawn_local(async move {
            let accepted = accepting.await;
            if accepted.is_some() {
                navigate(
                    &format!("/requests/{}?accepted=1", view.id),
                    Default::default(),
                );
            }
        });
    });
    let on_decline = Callback::new(move |view: domain::view::CallView| {
        spawn_local(decline_and_report(view.id));
    });

    let list = move |ids: RwSignal<Vec<uuid::Uuid>>, empty_key: &'static str, offers: bool| {
        view! {
            <Show
                when=move || !ids.with(Vec::is_empty)
                fallback=move || view! { <p class="list-empty">{move || i18n.t(empty_key)}</p> }
            >
                <ul class="call-list" role="list">
                    <For each=move || ids.get() key=|id| *id let:id>
                        {move || {
                            board.call(id).map(|call| {
                                if offers {
                                    view! { <li><CallCard call=call on_accept=on_accept on_decline=on_decline /></li> }.into_any()
                                } else {
                                    view! { <li><CallCard call=call draggable=true /></li> }.into_any()
                                }
                            })
                        }}
                    </For>
                </ul>
            </Show>
        }
    };

    view! {
        <div class="lists">
            <section class="lists__section" aria-labelledby="requests-title">
                <h2 id="requests-title">
                    {move || i18n.t("calls.requests.title")}
                    <span class="count">{move || requests.with(Vec::len)}</span>
                </h2>
                {list(requests, "calls.requests.empty", true)}
            </section>
            <section class="lists__section" aria-labelledby="unassigned-title">
                <h2 id="unassigned-title">
                    {move || i18n.t("calls.unassigned.title")}
                    <span class="count">{move || unassigned.with(Vec::len)}</span>
                </h2>
                {list(unassigned, "calls.unassigned.empty", false)}
            </section>
        </div>
    }
}
