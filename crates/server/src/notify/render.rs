//! Turns the notifications the domain attached to a change's events into outbox rows:
//! resolves each recipient (every dispatcher of a company, the client, a technician, the
//! marketplace) and writes the subject and text. The domain decides who is told; this
//! module only addresses and words it.

use sqlx::AnyConnection;
use uuid::Uuid;

use super::{
    catalog, format,
    outbox::{held_deliver_after, hold_key, Channel, OutboxMessage},
};
use crate::db::{accounts, calls::company_contact, Db};
use domain::{
    call::{CancelReason, PaymentMethod, ServiceCall},
    event::{self, Event, Notification, NotificationKind, Recipient},
    locale::Locale,
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

/// The outbox rows of every notification of `events` (all about `call`, in its state
/// after the change), one per recipient, addressed and worded from the read pool: the
/// recipients and zones are read *before* the change's transaction, so the writer (on
/// SQLite the only one) holds it for the inserts alone ([`enqueue_all`]). The
/// notifications the domain holds for the undo window ([`domain::flow::held_until`])
/// wait under the hold key of their change.
pub async fn messages_for(
    db: &Db,
    public_url: &str,
    call: &ServiceCall,
    events: &[Event],
) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    let mut messages = Vec::new();
    if events.iter().all(|e| e.notifications.is_empty()) {
        return Ok(messages);
    }
    let mut conn = db.read.acquire().await?;
    // One change is the events of one version; whether it is held is decided per change.
    for change in events.chunk_by(|a, b| a.version == b.version) {
        for notification in change.iter().flat_map(|e| &e.notifications) {
            let hold = domain::flow::held_until(change, notification);
            for mut message in address(&mut conn, public_url, call, notification).await? {
                if let Some(until) = hold {
                    message.deliver_after = Some(held_deliver_after(until));
                    message.hold_key = Some(hold_key(call.id, change[0].version));
                }
                messages.push(message);
            }
        }
    }
    Ok(messages)
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
        .as_deref()
        .and_then(|name| tz::parse_zone(name).ok())
        .unwrap_or(chrono_tz::UTC);
    let company_default = domain::company::default_locale(None, zone_name.as_deref().unwrap_or(""));
    let link = request_link(public_url, call.id);
    let compose_for = |locale: Locale| {
        compose(
            &n.kind,
            &n.recipient,
            call,
            &MailContext {
                locale,
                zone,
                company_name: contact.as_ref().map(|c| c.name.as_str()),
                link: &link,
            },
        )
    };
    let message =
        |company_id: Option<Uuid>, recipient: String, (subject, body): (String, String)| {
            OutboxMessage {
                company_id,
                call_id: Some(call.id),
                channel: match n.channel {
                    event::Channel::Email => Channel::Email,
                    event::Channel::Push => Channel::Push,
                    event::Channel::Callback => Channel::Callback,
                },
                kind: kind_code(&n.kind),
                recipient,
                subject,
                body,
                deliver_after: None,
                hold_key: None,
            }
        };
    Ok(match &n.recipient {
        // The client reads the language they booked in (the marketplace's `locale`, else
        // their country's).
        Recipient::ClientEmail => vec![message(
            owner,
            call.client.email.clone(),
            compose_for(call.client.locale()),
        )],
        // Each dispatcher reads their own language (their account's, else the company's).
        Recipient::CompanyDispatchers { company_id } => {
            accounts::dispatcher_recipients(conn, *company_id)
                .await?
                .into_iter()
                .map(|(email, locale)| message(Some(*company_id), email, compose_for(locale)))
                .collect()
        }
        Recipient::CompanyEmail { company_id } => company_contact(conn, *company_id)
            .await?
            .map(|c| message(Some(*company_id), c.email, compose_for(company_default)))
            .into_iter()
            .collect(),
        Recipient::Technician { technician_id } => {
            let locale = accounts::user_locale(conn, *technician_id)
                .await?
                .unwrap_or(company_default);
            vec![message(
                owner,
                technician_id.to_string(),
                compose_for(locale),
            )]
        }
        // A machine: the marketplace reads the English texts.
        Recipient::Marketplace => vec![message(
            None,
            "marketplace".to_owned(),
            compose_for(Locale::EnGb),
        )],
    })
}

/// What a text needs besides the call: the recipient's locale, the zone its times are
/// written in, the owning company's name, the deep link.
#[derive(Debug, Clone, Copy)]
pub struct MailContext<'a> {
    pub locale: Locale,
    pub zone: chrono_tz::Tz,
    pub company_name: Option<&'a str>,
    pub link: &'a str,
}

/// The subject and text of one notification to one recipient, in `ctx.locale`, from the
/// `mail.*` texts of the catalogues. Pure, so every kind in every language is a
/// snapshot test.
pub fn compose(
    kind: &NotificationKind,
    recipient: &Recipient,
    call: &ServiceCall,
    ctx: &MailContext<'_>,
) -> (String, String) {
    let locale = ctx.locale;
    let t = |key: &str, args: &[(&str, &str)]| catalog::text(locale, key, args);
    let when = |slot: &TimeSlot| format::when(locale, slot, ctx.zone);
    let company = ctx
        .company_name
        .map_or_else(|| t("mail.fallback_company", &[]), str::to_owned);
    let service = call.service.name.as_str();
    let area = format!(
        "{} {}",
        call.client.address.postcode, call.client.address.city
    );
    let base: Vec<(&str, String)> = vec![
        ("service", service.to_owned()),
        ("area", area.clone()),
        ("company", company.clone()),
        ("link", ctx.link.to_owned()),
        ("client", call.client.name.clone()),
    ];
    let pair = |kind: &str, extra: &[(&str, String)]| {
        let args: Vec<(&str, &str)> = base
            .iter()
            .chain(extra.iter())
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        (
            t(&format!("mail.{kind}.subject"), &args),
            t(&format!("mail.{kind}.body"), &args),
        )
    };
    // Letters to the client open with a greeting; notices to the team do not.
    let to_client = |(subject, body): (String, String)| {
        let greeting = t("mail.greeting", &[("name", &call.client.name)]);
        (subject, format!("{greeting}\n\n{body}\n"))
    };
    let plain = |(subject, body): (String, String)| (subject, format!("{body}\n"));
    match kind {
        NotificationKind::NewRequest => plain(pair(
            "new_request",
            &[
                (
                    "when",
                    call.slot
                        .as_ref()
                        .map_or_else(|| t("mail.no_date", &[]), when),
                ),
                (
                    "price",
                    format::money(locale, call.service.recommended_price),
                ),
            ],
        )),
        NotificationKind::RequestAccepted { .. } => to_client(pair("accepted", &[])),
        NotificationKind::ScheduleSet { slot } => {
            to_client(pair("schedule_set", &[("when", when(slot))]))
        }
        NotificationKind::ScheduleChanged { before, after } => to_client(pair(
            "schedule_changed",
            &[("when", when(after)), ("before", when(before))],
        )),
        NotificationKind::ScheduleCleared { before } => {
            to_client(pair("schedule_cleared", &[("when", when(before))]))
        }
        NotificationKind::Assigned => {
            let (subject, body) = pair("assigned", &[]);
            let body = match &call.slot {
                Some(slot) => {
                    let w = when(slot);
                    let args: Vec<(&str, &str)> = base
                        .iter()
                        .map(|(k, v)| (*k, v.as_str()))
                        .chain([("when", w.as_str())])
                        .collect();
                    t("mail.assigned.body_when", &args)
                }
                None => body,
            };
            plain((subject, body))
        }
        NotificationKind::Unassigned => plain(pair("unassigned", &[])),
        // The marketplace's callbacks are machine-read and stay as they were.
        NotificationKind::AllDeclined => (
            format!("Request {} declined by every partner", call.external_id),
            format!(
                "Every offered partner declined request {}; it is back with the marketplace.",
                call.external_id
            ),
        ),
        NotificationKind::Redistribute { excluded } => (
            format!("Request {} needs a new partner", call.external_id),
            format!(
                "The partner gave request {} up; offer it again, except to {}.",
                call.external_id,
                excluded
                    .iter()
                    .map(Uuid::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        NotificationKind::CallCancelled {
            reason: CancelReason::ClientCancelled,
        } if *recipient == Recipient::ClientEmail => to_client(pair("client_cancelled", &[])),
        NotificationKind::CallCancelled { reason } => {
            let reason = t(
                match reason {
                    CancelReason::Redistribute => "mail.cancel_reason.redistribute",
                    CancelReason::ClientDidNotAnswer => "mail.cancel_reason.client_did_not_answer",
                    CancelReason::ClientCancelled => "mail.cancel_reason.client_cancelled",
                },
                &[],
            );
            to_client(pair("cancelled", &[("reason", reason)]))
        }
        NotificationKind::CallClosed { total } => {
            let mut lines = String::new();
            for line in &call.order.lines {
                let quantity = line.quantity.to_string();
                let what = match line.kind {
                    LineKind::TimeUnit => t("mail.line.time_unit", &[("quantity", &quantity)]),
                    _ if line.quantity > 1 => format!("{quantity} × {}", line.description),
                    _ => line.description.clone(),
                };
                let colon = if locale.french_typography() {
                    "\u{202F}:"
                } else {
                    ":"
                };
                lines.push_str(&format!(
                    "  {what}{colon} {}\n",
                    format::money(locale, line.amount)
                ));
            }
            let payment = match call.closure.as_ref().map(|c| c.payment_method) {
                Some(PaymentMethod::OnlineCard) => t("mail.payment.online_card", &[]),
                Some(PaymentMethod::Cash) => t("mail.payment.cash", &[]),
                Some(PaymentMethod::Invoice) => t("mail.payment.invoice", &[]),
                None => "—".to_owned(),
            };
            let extra = [
                ("lines", lines),
                ("total", format::money(locale, *total)),
                ("payment", payment),
            ];
            if *recipient == Recipient::ClientEmail {
                to_client(pair("receipt", &extra))
            } else {
                plain(pair("checkout", &extra))
            }
        }
    }
}

/// The invitation to set one's password, in the invitee's locale (the company's default
/// until they choose one).
pub fn invitation_texts(locale: Locale, name: &str, company: &str, link: &str) -> (String, String) {
    let args = [("company", company), ("link", link)];
    let greeting = catalog::text(locale, "mail.greeting", &[("name", name)]);
    (
        catalog::text(locale, "mail.invitation.subject", &args),
        format!(
            "{greeting}\n\n{}\n",
            catalog::text(locale, "mail.invitation.body", &args)
        ),
    )
}

/// The company an e-mail is from, as its HTML part shows it: a band in the brand colour
/// with the logo (or, without one, the name).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailBrand {
    pub company: String,
    /// `#rrggbb`; anything else is left out.
    pub colour: String,
    /// The logo's address; one the app could not show either is left out.
    pub logo_url: String,
}

/// The HTML alternative of an e-mail, written from its text so both say the same: the
/// company's band (colour, and logo or name) when the row has a company, then one
/// paragraph per blank-line block, links clickable, inline styles only (mail clients
/// drop style sheets). The logo is the one remote image, with the company's name as its
/// `alt` for clients that block remote content.
pub fn html_email(subject: &str, text: &str, brand: Option<&MailBrand>) -> String {
    let paragraphs: String = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(linkify).collect();
            format!("<p style=\"margin:0 0 16px 0;\">{}</p>", lines.join("<br>"))
        })
        .collect();
    let band = brand.map(band).unwrap_or_default();
    let corners = if band.is_empty() {
        "8px"
    } else {
        "0 0 8px 8px"
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"margin:0;padding:24px;background:#f4f5f7;\">\
         <div style=\"max-width:560px;margin:0 auto;\">{band}\
         <div style=\"padding:24px;background:#ffffff;\
         border-radius:{corners};font-family:Arial,Helvetica,sans-serif;font-size:15px;\
         line-height:1.5;color:#1f2933;\">{paragraphs}</div></div></body></html>",
        escape(subject)
    )
}

/// The company's band above an e-mail's text.
fn band(brand: &MailBrand) -> String {
    use domain::api::company::{brand_ink, is_brand_colour, logo_source};
    const DEFAULT: &str = "#12343b";
    let colour = if is_brand_colour(&brand.colour) {
        brand.colour.as_str()
    } else {
        DEFAULT
    };
    let ink = brand_ink(colour);
    let logo = brand.logo_url.trim();
    let content = if logo_source(logo).is_some() {
        format!(
            "<img src=\"{}\" alt=\"{}\" height=\"32\" \
             style=\"display:block;height:32px;max-width:200px;border:0;color:{ink};\
             font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;\">",
            escape(logo),
            escape(&brand.company)
        )
    } else {
        format!(
            "<span style=\"color:{ink};font-family:Arial,Helvetica,sans-serif;\
             font-size:16px;font-weight:bold;\">{}</span>",
            escape(&brand.company)
        )
    };
    format!(
        "<div style=\"padding:16px 24px;background:{colour};border-radius:8px 8px 0 0;\">\
         {content}</div>"
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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{
        call::Closure,
        command::Actor,
        money::{Currency, Money},
        order::OrderLine,
    };

    /// A call of Alpen in Zürich, closed with an extra half hour and material.
    fn sample_call() -> ServiceCall {
        let booking = serde_json::from_value(serde_json::json!({"external_id": "MKT-42",
           "service": {"code": "plumbing.leak", "name": "Fix a leaking tap", "skill": "plumbing",
                       "duration_minutes": 60,
                       "recommended_price": {"amount_minor": 125000, "currency": "CHF"}},
           "client": {"name": "Anna Muster", "phone": "+41 79 123 45 67", "email": "anna@example.ch",
                      "address": {"street": "Bahnhofstrasse 1", "postcode": "8001",
                                  "city": "Zürich", "country": "CH"}},
           "slot": {"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:00:00Z"}}))
        .unwrap();
        let now = "2026-11-20T08:00:00Z".parse().unwrap();
        let mut call = ServiceCall::new(Uuid::from_u128(42), booking, now);
        let chf = |minor| Money {
            amount_minor: minor,
            currency: Currency::CHF,
        };
        call.order.lines.push(
            OrderLine::new(Uuid::from_u128(1), LineKind::TimeUnit, "", 2, chf(4500)).unwrap(),
        );
        call.order.lines.push(
            OrderLine::new(
                Uuid::from_u128(2),
                LineKind::Material,
                "Washer",
                3,
                chf(250),
            )
            .unwrap(),
        );
        call.closure = Some(Closure {
            at: now,
            by: Actor::System,
            payment_method: PaymentMethod::Invoice,
            signature: None,
            total: chf(134_750),
        });
        call
    }

    /// Every e-mail kind a person reads, as (name, kind, recipient).
    fn kinds() -> Vec<(&'static str, NotificationKind, Recipient)> {
        let slot =
            |a: &str, b: &str| TimeSlot::new(a.parse().unwrap(), b.parse().unwrap()).unwrap();
        let nov24 = slot("2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z");
        let nov25 = slot("2026-11-25T13:30:00Z", "2026-11-25T14:30:00Z");
        let alpen = Uuid::from_u128(1);
        let tech = Recipient::Technician {
            technician_id: Uuid::from_u128(7),
        };
        vec![
            (
                "new_request",
                NotificationKind::NewRequest,
                Recipient::CompanyDispatchers { company_id: alpen },
            ),
            (
                "request_accepted",
                NotificationKind::RequestAccepted { company_id: alpen },
                Recipient::ClientEmail,
            ),
            (
                "schedule_set",
                NotificationKind::ScheduleSet { slot: nov24 },
                Recipient::ClientEmail,
            ),
            (
                "schedule_changed",
                NotificationKind::ScheduleChanged {
                    before: nov24,
                    after: nov25,
                },
                Recipient::ClientEmail,
            ),
            (
                "schedule_cleared",
                NotificationKind::ScheduleCleared { before: nov24 },
                Recipient::ClientEmail,
            ),
            ("assigned", NotificationKind::Assigned, tech.clone()),
            ("unassigned", NotificationKind::Unassigned, tech),
            (
                "cancelled_by_client",
                NotificationKind::CallCancelled {
                    reason: CancelReason::ClientCancelled,
                },
                Recipient::ClientEmail,
            ),
            (
                "cancelled_unreachable",
                NotificationKind::CallCancelled {
                    reason: CancelReason::ClientDidNotAnswer,
                },
                Recipient::ClientEmail,
            ),
            (
                "receipt",
                NotificationKind::CallClosed {
                    total: Money {
                        amount_minor: 134_750,
                        currency: Currency::CHF,
                    },
                },
                Recipient::ClientEmail,
            ),
            (
                "after_check_out",
                NotificationKind::CallClosed {
                    total: Money {
                        amount_minor: 134_750,
                        currency: Currency::CHF,
                    },
                },
                Recipient::CompanyEmail { company_id: alpen },
            ),
        ]
    }

    /// Subject and text of every e-mail kind in `locale`, as one document.
    fn rendered(locale: Locale) -> String {
        let call = sample_call();
        let zone = tz::parse_zone("Europe/Zurich").unwrap();
        let ctx = MailContext {
            locale,
            zone,
            company_name: Some("Alpen Sanitär AG"),
            link: "https://relay.example/requests/42",
        };
        let mut out = String::new();
        for (name, kind, recipient) in kinds() {
            let (subject, body) = compose(&kind, &recipient, &call, &ctx);
            out.push_str(&format!("=== {name}\nSubject: {subject}\n\n{body}\n"));
        }
        let (subject, body) = invitation_texts(
            locale,
            "Marco Steiner",
            "Alpen Sanitär AG",
            "https://relay.example/activate/TOKEN",
        );
        out.push_str(&format!("=== invitation\nSubject: {subject}\n\n{body}"));
        out
    }

    /// Snapshot tests: each e-mail kind in each locale against
    /// `src/notify/snapshots/mail-{tag}.txt`, reviewed like code. `UPDATE_SNAPSHOTS=1`
    /// rewrites the files after a deliberate change of a text.
    #[test]
    fn every_mail_kind_in_every_locale_matches_its_snapshot() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/notify/snapshots");
        let mut failures = Vec::new();
        for locale in Locale::ALL {
            let path = dir.join(format!("mail-{}.txt", locale.tag()));
            let actual = rendered(locale);
            if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &actual).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("{}: {e} (run with UPDATE_SNAPSHOTS=1)", path.display())
            });
            if expected != actual {
                failures.push(format!("{}:\n{actual}", path.display()));
            }
        }
        assert!(
            failures.is_empty(),
            "snapshots differ:\n{}",
            failures.join("\n")
        );
    }

    #[test]
    fn no_english_leaks_into_german_or_french_mails() {
        let english = [
            "Hello",
            "Your",
            "your",
            "When",
            "appointment",
            "booking",
            "assigned",
            "cancelled",
            "receipt",
            "Payment",
            "extra time",
            "invites",
            "Recommended",
        ];
        for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::EnGb) {
            // Names are not words of a language: the service's and the material's.
            let text: String = rendered(locale)
                .replace("Fix a leaking tap", "")
                .replace("Subject:", "")
                .lines()
                .filter(|l| !l.starts_with("=== "))
                .collect::<Vec<_>>()
                .join("\n");
            for word in english {
                assert!(!text.contains(word), "{locale}: {word:?} in\n{text}");
            }
        }
    }

    #[test]
    fn french_mails_put_a_narrow_space_before_high_punctuation() {
        for locale in [Locale::FrCh, Locale::FrFr] {
            let text = rendered(locale);
            for (i, c) in text.char_indices() {
                if matches!(c, ':' | ';' | '?' | '!') {
                    let before = text[..i].chars().last();
                    let after = text[i + c.len_utf8()..].chars().next();
                    // Links (`https://`) and clock times (`10:00`) are not punctuation.
                    let technical = after.is_some_and(|a| a == '/' || a.is_ascii_digit());
                    assert!(
                        technical
                            || before == Some(domain::locale::NARROW_NBSP)
                            || text[..i].ends_with("Subject"),
                        "{locale}: {:?}",
                        &text[i.saturating_sub(30)..i + 1]
                    );
                }
            }
        }
    }

    #[test]
    fn the_html_part_escapes_text_and_links_urls_without_remote_content() {
        let html = html_email(
            "A <b>",
            "Hello <Anna>,\n\nAccept it: https://relay.example/requests/1.\n",
            None,
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

    #[test]
    fn the_html_part_carries_the_companys_colour_and_logo() {
        let brand = MailBrand {
            company: "Alpen <Sanitär>".into(),
            colour: "#f2b134".into(),
            logo_url: "https://cdn.alpen.example/logo.png?v=2".into(),
        };
        let html = html_email("Hi", "Hello Anna,\n\nSee you.\n", Some(&brand));
        assert!(html.contains("background:#f2b134;"), "{html}");
        assert!(
            html.contains(
                "<img src=\"https://cdn.alpen.example/logo.png?v=2\" alt=\"Alpen &lt;Sanitär&gt;\""
            ),
            "{html}"
        );
        // A light brand colour gets dark ink (the alt text shows when images are blocked).
        assert!(html.contains("color:#17232b;"), "{html}");

        // No logo (or one the app could not show): the name, white on a dark colour.
        let plain = MailBrand {
            company: "Rhein".into(),
            colour: "#1f6feb".into(),
            logo_url: "javascript:alert(1)".into(),
        };
        let html = html_email("Hi", "Hello.", Some(&plain));
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(">Rhein</span>"), "{html}");
        assert!(html.contains("color:#ffffff;"), "{html}");
        // A colour that is not one falls back to ours.
        let odd = MailBrand {
            colour: "red;background:url(x)".into(),
            ..plain
        };
        let html = html_email("Hi", "Hello.", Some(&odd));
        assert!(
            html.contains("background:#12343b;") && !html.contains("url(x)"),
            "{html}"
        );
    }
}
