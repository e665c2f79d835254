//! The transports behind the outbox: e-mail over SMTP (lettre) when `SMTP_URL` is set,
//! otherwise "the outbox and the log"; push notifications and marketplace callbacks are
//! logged and marked delivered until a provider and a callback URL exist.

use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

/// One outbox row to send.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub channel: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
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

    /// Sends one message through its channel's transport.
    pub async fn deliver(&self, d: &Delivery) -> Result<(), TransportError> {
        match (d.channel.as_str(), &self.smtp) {
            ("email", Some(smtp)) => {
                let to: Mailbox = d
                    .recipient
                    .parse()
                    .map_err(|_| TransportError::Address(d.recipient.clone()))?;
                let message = Message::builder()
                    .from(self.from.clone())
                    .to(to)
                    .subject(&d.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(d.body.clone())
                    .map_err(|e| TransportError::Message(e.to_string()))?;
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
