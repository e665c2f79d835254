//! The outbox table: `enqueue` inside the transaction of the change that causes the
//! notification; a worker delivers pending rows later.

use sqlx::{Any, Executor};
use uuid::Uuid;

use crate::db::now;

/// How a notification travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Push,
    Callback,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Push => "push",
            Channel::Callback => "callback",
        }
    }
}

/// One notification to deliver.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    /// The tenant it belongs to (`None` for the marketplace).
    pub company_id: Option<Uuid>,
    pub call_id: Option<Uuid>,
    pub channel: Channel,
    /// Stable code of what it is about, e.g. `request_offered`, `invitation`.
    pub kind: String,
    /// E-mail address, technician id, or callback target.
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Held until then (Unix seconds); `None` delivers at once.
    pub deliver_after: Option<i64>,
}

/// Writes a message into the outbox (use the change's transaction as `executor`) and
/// returns its id.
pub async fn enqueue<'c, E>(executor: E, message: &OutboxMessage) -> Result<Uuid, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let id = Uuid::new_v4();
    let now = now();
    sqlx::query(
        "INSERT INTO outbox (id, company_id, call_id, channel, kind, recipient, subject, body, \
         created_at, deliver_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(message.company_id.map(|c| c.to_string()))
    .bind(message.call_id.map(|c| c.to_string()))
    .bind(message.channel.as_str())
    .bind(&message.kind)
    .bind(&message.recipient)
    .bind(&message.subject)
    .bind(&message.body)
    .bind(now)
    .bind(message.deliver_after.unwrap_or(now))
    .execute(executor)
    .await?;
    Ok(id)
}
