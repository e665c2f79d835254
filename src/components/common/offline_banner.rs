//! "Offline — board as of 14:32": shown under the header while the board on screen is
//! the one kept from the last visit, or the browser is offline; says that changes are
//! kept and sent later (or, where the browser cannot keep them, that they are refused).

use leptos::prelude::*;

use crate::{contexts::session::use_session, i18n::use_i18n, offline::use_offline};

/// The offline banner of the signed-in frame.
#[component]
pub fn OfflineBanner() -> impl IntoView {
    let i18n = use_i18n();
    let offline = use_offline();
    let session = use_session();
    let text = move || {
        let zone = session
            .me()
            .map(|me| me.company.time_zone)
            .unwrap_or_else(|| "UTC".to_owned());
        match offline.board_as_of.get() {
            Some(at) => {
                let time = crate::i18n::format_date_time(
                    &i18n.format_tag(),
                    at.timestamp_millis() as f64,
                    &zone,
                );
                i18n.t("pwa.offline_as_of").replace("{time}", &time)
            }
            None => i18n.t("pwa.offline"),
        }
    };
    view! {
        <Show when=move || offline.needs_network()>
            <div class="offline-banner" role="status" data-testid="offline-banner">
                <strong>{text}</strong>
                " "
                // With the queue (crate::offline) changes are kept; without it, refused.
                <span>{move || i18n.t(if offline.read_only() { "pwa.offline_read_only" } else { "queue.offline_banner" })}</span>
            </div>
        </Show>
    }
}
