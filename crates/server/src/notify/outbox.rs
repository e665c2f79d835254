//! The outbox table: `enqueue` inside the transaction of the change that causes the
//! notification; a worker delivers pending rows later. Rows of a move are held for the
//! undo window under a hold key, and [`withdraw`]n when the move is undone.

use sqlx::{Any, AnyConnection, Executor, Row};
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
    /// The hold of an undoable change (see [`hold_key`]); `None` for every other row.
    pub hold_key: Option<String>,
}

/// The hold key of the change that made `version` of `call_id`.
pub fn hold_key(call_id: Uuid, version: i64) -> String {
    format!("{call_id}/v{version}")
}

/// The `deliver_after` of rows held until `until`: rounded up to the next whole second and
/// one more, so that any undo the domain still allows (at most `until`, to the
/// nanosecond) comes before the worker may claim them.
pub fn held_deliver_after(until: chrono::DateTime<chrono::Utc>) -> i64 {
    until.timestamp() + 1
}

/// What [`withdraw`] did to one hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Withdrawal {
    /// Rows written under the hold.
    pub held: u64,
    /// Rows withdrawn now (never claimed by a worker, so never sent).
    pub withdrawn: u64,
}

impl Withdrawal {
    /// Whether nothing of the hold went out: every row was withdrawn (or there was none).
    pub fn complete(self) -> bool {
        self.withdrawn == self.held
    }
}

/// Withdraws the rows held under `key` until `deliver_after` that no worker has claimed
/// yet (inside the undo's transaction). A claim moves `deliver_after` (a lease) and a
/// failed attempt reschedules it, so a row still at its original hold time has never been
/// handed to a transport; and a worker claims only rows with `cancelled_at IS NULL`, so a
/// claim racing this update either comes first (and the row is not withdrawn) or finds
/// nothing to claim.
pub async fn withdraw(
    conn: &mut AnyConnection,
    key: &str,
    deliver_after: i64,
) -> Result<Withdrawal, sqlx::Error> {
    let withdrawn = sqlx::query(
        "UPDATE outbox SET cancelled_at = $1 \
         WHERE hold_key = $2 AND deliver_after = $3 AND delivered_at IS NULL \
           AND cancelled_at IS NULL AND attempts = 0",
    )
    .bind(now())
    .bind(key)
    .bind(deliver_after)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let held: i64 = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE hold_key = $1")
        .bind(key)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    Ok(Withdrawal {
        held: u64::try_from(held).unwrap_or(0),
        withdrawn,
    })
}

/// The columns a queued message fills, in the order [`bind_row`] binds them.
const ROW: &str = "INSERT INTO outbox (id, company_id, call_id, channel, kind, recipient, \
                   subject, body, created_at, deliver_after, hold_key) VALUES";
const ROW_PARAMS: usize = 11;

/// The statement's `($n, …)` groups for `rows` messages.
fn row_params(rows: usize) -> String {
    crate::db::row_placeholders(rows, ROW_PARAMS)
}

fn bind_row<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    id: Uuid,
    message: &'q OutboxMessage,
    now: i64,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    query
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
        .bind(message.hold_key.as_deref())
}

/// Queues `messages` in one statement inside the caller's transaction.
pub async fn enqueue_all(
    conn: &mut AnyConnection,
    messages: &[OutboxMessage],
) -> Result<(), sqlx::Error> {
    /// Rows per statement, well below SQLite's 32,766 parameters.
    const CHUNK: usize = 200;
    let now = now();
    for chunk in messages.chunks(CHUNK) {
        let sql = format!("{ROW} {}", row_params(chunk.len()));
        let mut query = sqlx::query(&sql);
        for message in chunk {
            query = bind_row(query, Uuid::new_v4(), message, now);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes a message into the outbox (use the change's transaction as `executor`) and
/// returns its id.
pub async fn enqueue<'c, E>(executor: E, message: &OutboxMessage) -> Result<Uuid, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let id = Uuid::new_v4();
    let sql = format!("{ROW} {}", row_params(1));
    bind_row(sqlx::query(&sql), id, message, now())
        .execute(executor)
        .await?;
    Ok(id)
}
