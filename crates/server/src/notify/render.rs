//! Turns the notifications the domain attached to a change's events into outbox rows:
//! resolves each recipient (every dispatcher of a company, the client, a technician, the
//! marketplace) and writes the subject and text. The domain decides who is told; this
//! module only addresses and words it.

use sqlx::AnyConnection;
use uuid::Uuid;

use super::outbox::{enqueue, held_deliver_after, hold_key, Channel, OutboxMessage};
use crate::db::calls::{company_contact, dispatcher_emails};
use domain::{
    call::{CancelReason, PaymentMethod, ServiceCall},
    event::{self, Event, Notification, NotificationKind, Recipient},
    money::Money,
    order::LineKind,
    slot::TimeSlot,
    tz,
};

/// The stable snake_case code of a notification kind (`new_request`, `request_accepted`,
/// `schedule_changed`, …): the outbox row's `kind`.
pub fn kind_code(kind: &NotificationKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "notification".to_owned())
}

/// The deep link to a request in the app.
pub fn request_link(public_url: &str, call_id: Uuid) -> String {
    format!("{}/requests/{call_id}", public_url.trim_end_matches('/'))
}

/// Writes one outbox row per recipient of every notification of `events` (all about
/// `call`, in its state after the change), inside the caller's transaction. The
/// notifications the domain holds for the undo window ([`domain::flow::held_until`]) wait
/// under the hold key of their change. Returns how many rows were written.
pub async fn enqueue_events(
    conn: &mut AnyConnection,
    public_url: &str,
    call: &ServiceCall,
    events: &[Event],
) -> Result<usize, sqlx::Error> {
    let mut written = 0;
    // One change is the events of one version; whether it is held is decided per change.
    for change in events.chunk_by(|a, b| a.version == b.version) {
        for notification in change.iter().flat_map(|e| &e.notifications) {
            let hold = domain::flow::held_until(change, notification);
            for mut message in address(conn, public_url, call, notification).await? {
                if let Some(until) = hold {
                    message.deliver_after = Some(held_deliver_after(until));
                    message.hold_key = Some(hold_key(call.id, change[0].version));
                }
                enqueue(&mut *conn, &message).await?;
                written += 1;
            }
        }
    }
    Ok(written)
}

async fn address(
    conn: &mut AnyConnection,
    public_url: &str,
    call: &ServiceCall,
    n: &Notification,
) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    let owner = call.accepted_by;
    let contact = match owner {
        Some(c) => company_contact(conn, c).await?,
        None => None,
    };
    // Times are written in the receiving company's zone: the owner's for the client and
    // technicians, each offered company's own for its dispatchers (a request is offered
    // before anyone owns it).
    let zone_company = match &n.recipient {
        Recipient::CompanyDispatchers { company_id } | Recipient::CompanyEmail { company_id } => {
            Some(*company_id)
        }
        _ => owner,
    };
    let zone_name = if zone_company == owner {
        contact.as_ref().map(|c| c.time_zone.clone())
    } else if let Some(company) = zone_company {
        company_contact(conn, company).await?.map(|c| c.time_zone)
    } else {
        None
    };
    let zone = zone_name
        .and_then(|name| tz::parse_zone(&name).ok())
        .unwrap_or(chrono_tz::UTC);
    let when = |slot: &TimeSlot| local_when(slot, zone);
    let company_name = contact
        .as_ref()
        .map_or_else(|| "your service partner".to_owned(), |c| c.name.clone());
    let service = &call.service.name;
    let area = format!(
        "{} {}",
        call.client.address.postcode, call.client.address.city
    );
    let link = request_link(public_url, call.id);
    let (subject, body) = match &n.kind {
        NotificationKind::NewRequest => (
            format!("New request: {service} in {area}"),
            format!(
                "A new request was offered to your company.\n\n{service}, {area}\nWhen: {}\nRecommended price: {}\n\nAccept or decline it: {link}\n",
                call.slot.as_ref().map_or_else(|| "no date yet".to_owned(), when),
                money(call.service.recommended_price),
            ),
        ),
        NotificationKind::RequestAccepted { .. } => (
            format!("{company_name} will take care of your booking"),
            format!(
                "Hello {},\n\n{company_name} accepted your booking \"{service}\" and will call you to agree on the details.\n",
                call.client.name
            ),
        ),
        NotificationKind::ScheduleSet { slot } => (
            format!("Your appointment: {}", when(slot)),
            format!(
                "Hello {},\n\nyour appointment for \"{service}\" with {company_name} is on {}.\n",
                call.client.name,
                when(slot)
            ),
        ),
        NotificationKind::ScheduleChanged { before, after } => (
            format!("Your appointment moved to {}", when(after)),
            format!(
                "Hello {},\n\nyour appointment for \"{service}\" with {company_name} moved from {} to {}.\n",
                call.client.name,
                when(before),
                when(after)
            ),
        ),
        NotificationKind::ScheduleCleared { before } => (
            format!("Your appointment on {} is open again", when(before)),
            format!(
                "Hello {},\n\nthe appointment for \"{service}\" with {company_name} on {} is not fixed any more; {company_name} will call you to agree on a new date.\n",
                call.client.name,
                when(before)
            ),
        ),
        NotificationKind::Assigned => (
            format!("New call: {service}"),
            format!(
                "You were assigned \"{service}\" in {area}{}.",
                call.slot.as_ref().map(|s| format!(", {}", when(s))).unwrap_or_default()
            ),
        ),
        NotificationKind::Unassigned => (
            format!("Call removed: {service}"),
            format!("\"{service}\" in {area} is no longer assigned to you."),
        ),
        NotificationKind::AllDeclined => (
            format!("Request {} declined by every partner", call.external_id),
            format!("Every offered partner declined request {}; it is back with the marketplace.", call.external_id),
        ),
        NotificationKind::Redistribute { excluded } => (
            format!("Request {} needs a new partner", call.external_id),
            format!(
                "The partner gave request {} up; offer it again, except to {}.",
                call.external_id,
                excluded.iter().map(Uuid::to_string).collect::<Vec<_>>().join(", ")
            ),
        ),
        NotificationKind::CallCancelled {
            reason: CancelReason::ClientCancelled,
        } if n.recipient == Recipient::ClientEmail => (
            format!("Cancellation confirmed: \"{service}\""),
            format!(
                "Hello {},\n\nas you asked, {company_name} cancelled your booking \"{service}\". Nothing is charged.\n",
                call.client.name
            ),
        ),
        NotificationKind::CallCancelled { reason } => (
            format!("Your booking \"{service}\" was cancelled"),
            format!(
                "Hello {},\n\nyour booking \"{service}\" with {company_name} was cancelled ({}).\n",
                call.client.name,
                match reason {
                    CancelReason::Redistribute => "another partner will take over",
                    CancelReason::ClientDidNotAnswer => "we could not reach you",
                    CancelReason::ClientCancelled => "at your request",
                }
            ),
        ),
        NotificationKind::CallClosed { total } => closed_texts(call, &n.recipient, &company_name, *total),
    };
    let message = |company_id: Option<Uuid>, channel: Channel, recipient: String| OutboxMessage {
        company_id,
        call_id: Some(call.id),
        channel,
        kind: kind_code(&n.kind),
        recipient,
        subject: subject.clone(),
        body: body.clone(),
        deliver_after: None,
        hold_key: None,
    };
    let channel = match n.channel {
        event::Channel::Email => Channel::Email,
        event::Channel::Push => Channel::Push,
        event::Channel::Callback => Channel::Callback,
    };
    Ok(match &n.recipient {
        Recipient::ClientEmail => vec![message(owner, channel, call.client.email.clone())],
        Recipient::CompanyDispatchers { company_id } => dispatcher_emails(conn, *company_id)
            .await?
            .into_iter()
            .map(|email| message(Some(*company_id), channel, email))
            .collect(),
        Recipient::CompanyEmail { company_id } => company_contact(conn, *company_id)
            .await?
            .map(|c| message(Some(*company_id), channel, c.email))
            .into_iter()
            .collect(),
        Recipient::Technician { technician_id } => {
            vec![message(owner, channel, technician_id.to_string())]
        }
        Recipient::Marketplace => vec![message(None, channel, "marketplace".to_owned())],
    })
}

/// The receipt the client gets when a call is closed (every line, the total, the payment
/// method), or the after-check-out notice to the company's own address.
fn closed_texts(
    call: &ServiceCall,
    recipient: &Recipient,
    company_name: &str,
    total: Money,
) -> (String, String) {
    let service = &call.service.name;
    let mut lines = String::new();
    for line in &call.order.lines {
        let what = match line.kind {
            LineKind::TimeUnit => format!("{} × 30 min extra time", line.quantity),
            _ if line.quantity > 1 => format!("{} × {}", line.quantity, line.description),
            _ => line.description.clone(),
        };
        lines.push_str(&format!("  {what}: {}\n", money(line.amount)));
    }
    let payment = match call.closure.as_ref().map(|c| c.payment_method) {
        Some(PaymentMethod::OnlineCard) => "online card payment",
        Some(PaymentMethod::Cash) => "cash",
        Some(PaymentMethod::Invoice) => "invoice",
        None => "—",
    };
    let total = money(total);
    if *recipient == Recipient::ClientEmail {
        (
            format!("Your receipt: \"{service}\" — {total}"),
            format!(
                "Hello {},\n\n{company_name} completed \"{service}\".\n\n{lines}  Total: {total}\n\nPaid by {payment}. Thank you!\n",
                call.client.name
            ),
        )
    } else {
        (
            format!("After check-out: \"{service}\" closed — {total}"),
            format!(
                "\"{service}\" for {} ({} {}) was closed.\n\n{lines}  Total: {total}\nPayment: {payment}\n",
                call.client.name, call.client.address.postcode, call.client.address.city
            ),
        )
    }
}

/// `Tue 24.11.2026 10:00–11:00 (Europe/Zurich, UTC+01:00)`: the wall-clock times with
/// the UTC offset, so a time inside the autumn DST fold (02:30 happens twice) is never
/// ambiguous; a slot across the change writes each end's own offset.
pub fn local_when(slot: &TimeSlot, zone: chrono_tz::Tz) -> String {
    let (start, end) = tz::slot_to_local(slot, zone);
    let (start_offset, end_offset) = (start.format("%:z"), end.format("%:z"));
    if start_offset.to_string() == end_offset.to_string() {
        format!(
            "{} {}–{} ({}, UTC{start_offset})",
            start.format("%a %d.%m.%Y"),
            start.format("%H:%M"),
            end.format("%H:%M"),
            zone.name()
        )
    } else {
        format!(
            "{} {} (UTC{start_offset})–{} (UTC{end_offset}) ({})",
            start.format("%a %d.%m.%Y"),
            start.format("%H:%M"),
            end.format("%H:%M"),
            zone.name()
        )
    }
}

/// The HTML alternative of an e-mail, written from its text so both say the same: one
/// paragraph per blank-line block, links clickable, inline styles only and no remote
/// images (mail clients block both style sheets and remote content).
pub fn html_email(subject: &str, text: &str) -> String {
    let paragraphs: String = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(linkify).collect();
            format!("<p style=\"margin:0 0 16px 0;\">{}</p>", lines.join("<br>"))
        })
        .collect();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"margin:0;padding:24px;background:#f4f5f7;\">\
         <div style=\"max-width:560px;margin:0 auto;padding:24px;background:#ffffff;\
         border-radius:8px;font-family:Arial,Helvetica,sans-serif;font-size:15px;\
         line-height:1.5;color:#1f2933;\">{paragraphs}</div></body></html>",
        escape(subject)
    )
}

/// One line of text as HTML, its `http(s)://` words as links.
fn linkify(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            let url = word.trim_end_matches(['.', ',', ')']);
            if url.starts_with("https://") || url.starts_with("http://") {
                let rest = &word[url.len()..];
                format!(
                    "<a href=\"{0}\" style=\"color:#1d4ed8;\">{0}</a>{1}",
                    escape(url),
                    escape(rest)
                )
            } else {
                escape(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `CHF 265.00`, `CHF -0.50` (the domain's display, sign included below one unit).
fn money(m: Money) -> String {
    m.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_autumn_fold_is_written_with_its_utc_offset() {
        let zurich = tz::parse_zone("Europe/Zurich").unwrap();
        // 2026-10-25: 02:30 local happens at 00:30 UTC (summer) and 01:30 UTC (winter).
        let first = TimeSlot::new(
            "2026-10-25T00:30:00Z".parse().unwrap(),
            "2026-10-25T00:45:00Z".parse().unwrap(),
        )
        .unwrap();
        let second = TimeSlot::new(
            "2026-10-25T01:30:00Z".parse().unwrap(),
            "2026-10-25T01:45:00Z".parse().unwrap(),
        )
        .unwrap();
        let across = TimeSlot::new(
            "2026-10-25T00:30:00Z".parse().unwrap(),
            "2026-10-25T01:45:00Z".parse().unwrap(),
        )
        .unwrap();

        assert_eq!(
            local_when(&first, zurich),
            "Sun 25.10.2026 02:30–02:45 (Europe/Zurich, UTC+02:00)"
        );
        assert_eq!(
            local_when(&second, zurich),
            "Sun 25.10.2026 02:30–02:45 (Europe/Zurich, UTC+01:00)"
        );
        assert_eq!(
            local_when(&across, zurich),
            "Sun 25.10.2026 02:30 (UTC+02:00)–02:45 (UTC+01:00) (Europe/Zurich)"
        );
    }

    #[test]
    fn the_html_part_escapes_text_and_links_urls_without_remote_content() {
        let html = html_email(
            "A <b>",
            "Hello <Anna>,\n\nAccept it: https://relay.example/requests/1.\n",
        );

        assert!(html.contains("Hello &lt;Anna&gt;,"), "{html}");
        assert!(
            html.contains("<a href=\"https://relay.example/requests/1\""),
            "{html}"
        );
        assert!(
            !html.contains("<img") && !html.contains("<link") && !html.contains("<style"),
            "{html}"
        );
    }
}
