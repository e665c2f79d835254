//! The transports behind the outbox: e-mail over SMTP (lettre) when `SMTP_URL` is set,
//! otherwise "the outbox and the log"; push notifications and marketplace callbacks are
//! logged and marked delivered until a provider and a callback URL exist.

use lettre::{
    message::{Mailbox, MultiPart},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

/// One outbox row to send.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The outbox row's id: the e-mail's `Message-ID` is made from it, so every retry of
    /// one row carries the same id and a receiver can drop the duplicate.
    pub id: String,
    pub channel: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// The company the row is from (its HTML part shows the company's band), if any.
    pub brand: Option<super::render::MailBrand>,
}

/// Why a delivery failed (the row is retried later).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("invalid address: {0}")]
    Address(String),
    #[error("could not build the message: {0}")]
    Message(String),
    #[error("SMTP: {0}")]
    Smtp(String),
}

/// Every configured transport; cheap to clone.
#[derive(Clone)]
pub struct Transports {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transports")
            .field("smtp", &self.smtp.is_some())
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Transports {
    /// SMTP from a URL such as `smtp://user:pass@mail.example:587?tls=required`,
    /// `smtps://…` or `smtp://localhost:25` (see lettre's `from_url`); `None` logs e-mails
    /// instead of sending them.
    pub fn new(smtp_url: Option<&str>, from: &str) -> Result<Self, TransportError> {
        let smtp = smtp_url
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map(lettre::transport::smtp::AsyncSmtpTransportBuilder::build)
                    .map_err(|e| TransportError::Smtp(e.to_string()))
            })
            .transpose()?;
        let from = from
            .parse()
            .map_err(|_| TransportError::Address(from.to_owned()))?;
        Ok(Self { smtp, from })
    }

    /// The e-mail of one outbox row: `Message-ID` from the row id and the sender's domain,
    /// `Date`, `MIME-Version`, and a multipart/alternative body of the row's text and
    /// the HTML written from it.
    pub fn email(&self, d: &Delivery, to: Mailbox) -> Result<Message, TransportError> {
        let text = d.body.clone();
        let html = super::render::html_email(&d.subject, &d.body, d.brand.as_ref());
        Message::builder()
            .message_id(Some(message_id(&d.id, &self.from)))
            .date_now()
            .from(self.from.clone())
            .to(to)
            .subject(&d.subject)
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| TransportError::Message(e.to_string()))
    }

    /// Sends one message through its channel's transport.
    pub async fn deliver(&self, d: &Delivery) -> Result<(), TransportError> {
        match (d.channel.as_str(), &self.smtp) {
            ("email", Some(smtp)) => {
                let to: Mailbox = d
                    .recipient
                    .parse()
                    .map_err(|_| TransportError::Address(d.recipient.clone()))?;
                let message = self.email(d, to)?;
                smtp.send(message)
                    .await
                    .map_err(|e| TransportError::Smtp(e.to_string()))?;
                tracing::info!(
                    kind = d.kind,
                    to = d.recipient,
                    subject = d.subject,
                    "e-mail sent"
                );
            }
            ("email", None) => tracing::info!(
                kind = d.kind,
                to = d.recipient,
                subject = d.subject,
                "e-mail delivered to the outbox and the log (no SMTP_URL)"
            ),
            ("push", _) => tracing::info!(
                kind = d.kind,
                technician = d.recipient,
                title = d.subject,
                "push notification delivered to the log (no push provider configured)"
            ),
            (channel, _) => tracing::info!(
                channel,
                kind = d.kind,
                to = d.recipient,
                subject = d.subject,
                "notification delivered to the log"
            ),
        }
        Ok(())
    }
}

/// `<{row id}@{sender's domain}>`: stable for the row, unique across senders.
pub fn message_id(row_id: &str, from: &Mailbox) -> String {
    format!("<{row_id}@{}>", from.email.domain())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery() -> Delivery {
        Delivery {
            id: "0b7e0c9e-1111-4222-8333-444455556666".into(),
            channel: "email".into(),
            kind: "schedule_set".into(),
            recipient: "anna@example.ch".into(),
            subject: "Your appointment".into(),
            body: "Hello Anna,\n\nsee https://relay.example/requests/1 <now>.\n".into(),
            brand: Some(super::super::render::MailBrand {
                company: "Alpen Sanitär AG".into(),
                colour: "#1f6feb".into(),
                logo_url: String::new(),
            }),
        }
    }

    #[test]
    fn an_email_has_a_stable_message_id_date_mime_version_and_both_parts() {
        let transports = Transports::new(None, "Relay <no-reply@relay.example>").unwrap();
        let to: Mailbox = "anna@example.ch".parse().unwrap();

        let first = String::from_utf8(
            transports
                .email(&delivery(), to.clone())
                .unwrap()
                .formatted(),
        )
        .unwrap();
        let again =
            String::from_utf8(transports.email(&delivery(), to).unwrap().formatted()).unwrap();

        let id_line = |mail: &str| {
            mail.lines()
                .find(|l| l.starts_with("Message-ID:"))
                .map(str::to_owned)
        };
        assert_eq!(
            id_line(&first).as_deref(),
            Some("Message-ID: <0b7e0c9e-1111-4222-8333-444455556666@relay.example>")
        );
        assert_eq!(id_line(&first), id_line(&again));
        assert!(first.contains("MIME-Version: 1.0"), "{first}");
        assert!(first.lines().any(|l| l.starts_with("Date: ")), "{first}");
        assert!(first.contains("multipart/alternative"), "{first}");
        assert!(
            first.contains("Content-Type: text/plain; charset=utf-8"),
            "{first}"
        );
        assert!(
            first.contains("Content-Type: text/html; charset=utf-8"),
            "{first}"
        );
        // The HTML part is the company's (quoted-printable may wrap it: search unwrapped).
        let unwrapped = first.replace("=\r\n", "").replace("=3D", "=");
        assert!(unwrapped.contains("background:#1f6feb;"), "{first}");
    }
}
