//! "Offline — 3 changes waiting": the header badge of the offline queue
//! (`crate::offline`), and the panel it opens, listing each waiting change with Discard,
//! or, when the server refused it because the call changed meanwhile, its conflict card.

use domain::{api::orders::NewLineKind, view::CallView};
use leptos::prelude::*;

use super::conflict_card::ConflictCard;
use crate::{
    api::queue::{Change, Intent},
    contexts::{board::use_roster, session::use_session},
    i18n::{format_day_time, use_i18n, I18n},
    offline::use_offline,
};

/// The badge (shown only while changes wait) and its panel.
#[component]
pub fn QueueBadge() -> impl IntoView {
    let i18n = use_i18n();
    let offline = use_offline();
    let open = RwSignal::new(false);
    let count = move || offline.queue.with(Vec::len);
    // A conflict needs the dispatcher's decision: its card opens by itself.
    Effect::new(move |_| {
        if offline
            .queue
            .with(|q| q.iter().any(|i| i.conflict.is_some()))
        {
            open.set(true);
        }
    });
    let label = move || {
        let n = count();
        let key = match (offline.needs_network(), n == 1) {
            (true, true) => "queue.badge_offline_one",
            (true, false) => "queue.badge_offline_many",
            (false, true) => "queue.badge_one",
            (false, false) => "queue.badge_many",
        };
        i18n.t(key).replace("{n}", &n.to_string())
    };
    view! {
        <Show when=move || { count() > 0 }>
            <div class="queue">
                <button type="button" class="queue__badge" data-testid="queue-badge"
                    aria-expanded=move || open.get().to_string() aria-controls="queue-panel"
                    on:click=move |_| open.update(|o| *o = !*o)>
                    {label}
                </button>
                <Show when=move || open.get()>
                    <QueuePanel on_close=Callback::new(move |()| open.set(false)) />
                </Show>
            </div>
        </Show>
    }
}

/// The waiting changes, oldest first.
#[component]
fn QueuePanel(
    /// Closes the panel.
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let offline = use_offline();
    view! {
        <section id="queue-panel" class="queue__panel" aria-labelledby="queue-title">
            <div class="queue__head">
                <h2 id="queue-title">{move || i18n.t("queue.panel_title")}</h2>
                <button type="button" class="button button--ghost" on:click=move |_| on_close.run(())>
                    {move || i18n.t("queue.close_panel")}
                </button>
            </div>
            <p class="muted">{move || i18n.t("queue.panel_explain")}</p>
            <ul class="queue__list">
                <For each=move || offline.queue.get() key=|i| (i.key, i.conflict.is_some()) let:intent>
                    {
                        let key = intent.key;
                        match intent.conflict.clone() {
                            Some(current) => view! {
                                <li><ConflictCard intent=intent.clone() current /></li>
                            }.into_any(),
                            None => view! {
                                <li class="queue__item" data-testid="queue-item">
                                    <span class="queue__call">{call_name(&intent.before)}</span>
                                    <span class="queue__change">{describe(i18n, &intent)}</span>
                                    <button type="button" class="button button--secondary"
                                        on:click=move |_| offline.discard(key)>
                                        {move || i18n.t("queue.discard")}
                                    </button>
                                </li>
                            }.into_any(),
                        }
                    }
                </For>
            </ul>
        </section>
    }
}

/// The call a change is about: its service and, once accepted, the client.
pub fn call_name(call: &CallView) -> String {
    match &call.client {
        Some(client) => format!("{} · {}", call.service.name, client.name),
        None => format!("{} · {}", call.service.name, call.client_area.city),
    }
}

/// The company's time zone, for dates in the panel.
fn zone() -> String {
    use_session()
        .me()
        .map(|me| me.company.time_zone)
        .unwrap_or_else(|| "UTC".to_owned())
}

/// When and with whom a call stands ("Tue 24 Nov 14:00", "Anna Keller").
fn when_who(i18n: I18n, call: &CallView) -> (String, String) {
    #[allow(clippy::cast_precision_loss)]
    let when = call.slot.map_or_else(
        || i18n.t("queue.no_date"),
        |s| {
            format_day_time(
                &i18n.format_tag(),
                s.start.timestamp_millis() as f64,
                &zone(),
            )
        },
    );
    let who = call
        .technician_id
        .and_then(|id| {
            use_roster()
                .list_untracked()
                .into_iter()
                .find(|t| t.id == id)
                .map(|t| t.name)
        })
        .unwrap_or_else(|| i18n.t("queue.unassigned"));
    (when, who)
}

/// "Tue 24 Nov 14:00, Anna Keller": where a call stands.
pub fn state_words(i18n: I18n, call: &CallView) -> String {
    let (when, who) = when_who(i18n, call);
    i18n.t("queue.state")
        .replace("{when}", &when)
        .replace("{who}", &who)
}

/// What a waiting change does, in words.
pub fn describe(i18n: I18n, intent: &Intent) -> String {
    match &intent.change {
        Change::Patch(p) => {
            let mut parts = Vec::new();
            if p.slot.is_some() || p.technician_id.is_some() {
                let after = intent
                    .change
                    .optimistic(&intent.before, &intent.by, intent.queued_at);
                let (when, who) = when_who(i18n, &after);
                parts.push(
                    i18n.t("queue.change.move")
                        .replace("{when}", &when)
                        .replace("{who}", &who),
                );
            }
            if p.client_called == Some(true) {
                parts.push(i18n.t("queue.change.called"));
            }
            if let Some(price) = &p.agreed_price {
                let price = i18n.money(price.amount_minor, price.currency.code());
                parts.push(i18n.t("queue.change.price").replace("{price}", &price));
            }
            parts.join(" · ")
        }
        Change::ReportNote(n) => i18n.t("queue.change.note").replace("{text}", &n.text),
        Change::AddLine(l) => {
            let what = match l.kind {
                NewLineKind::TimeUnit => i18n
                    .t("queue.line_time")
                    .replace("{n}", &l.quantity.unwrap_or(1).to_string()),
                NewLineKind::Material | NewLineKind::Discount => i18n
                    .t("queue.line_other")
                    .replace("{what}", l.description.as_deref().unwrap_or_default()),
            };
            i18n.t("queue.change.line").replace("{what}", &what)
        }
    }
}
