//! Compact or comfortable blocks, remembered in this browser: a dispatcher with a long
//! week on a small screen wants more text per block; one on a big screen, larger type.

use leptos::prelude::*;

use super::use_calendar;
use crate::i18n::use_i18n;

/// How much the calendar's blocks say per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Density {
    Compact,
    Comfortable,
}

const STORAGE_KEY: &str = "relay.density";

impl Density {
    /// The class of the calendar's root for this density.
    pub fn class(self) -> &'static str {
        match self {
            Density::Compact => "calendar is-compact",
            Density::Comfortable => "calendar is-comfortable",
        }
    }

    /// The density chosen last in this browser (comfortable at first).
    pub fn remembered() -> Self {
        let stored = window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
        if stored.as_deref() == Some("compact") {
            Density::Compact
        } else {
            Density::Comfortable
        }
    }

    fn remember(self) {
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(
                STORAGE_KEY,
                match self {
                    Density::Compact => "compact",
                    Density::Comfortable => "comfortable",
                },
            );
        }
    }
}

/// The two-button switch of the toolbar.
#[component]
pub fn DensitySwitch() -> impl IntoView {
    let i18n = use_i18n();
    let calendar = use_calendar();
    let choose = move |d: Density| {
        d.remember();
        calendar.density.set(d);
    };
    view! {
        <div class="segmented" role="group" aria-label=move || i18n.t("calendar.density")>
            <button type="button" data-testid="density-compact"
                aria-pressed=move || (calendar.density.get() == Density::Compact).to_string()
                on:click=move |_| choose(Density::Compact)>{move || i18n.t("calendar.density.compact")}</button>
            <button type="button" data-testid="density-comfortable"
                aria-pressed=move || (calendar.density.get() == Density::Comfortable).to_string()
                on:click=move |_| choose(Density::Comfortable)>{move || i18n.t("calendar.density.comfortable")}</button>
        </div>
    }
}
