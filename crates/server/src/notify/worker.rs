//! The outbox worker: delivers pending outbox rows in the background, with retries and
//! exponential backoff, until the server shuts down.
//!
//! Several server instances may share one PostgreSQL: each row is *claimed* by a
//! conditional update that moves its `deliver_after` into the future (a lease), so only
//! one instance sends it; a crash mid-delivery only delays the row until the lease ends.

use std::time::Duration;

use sqlx::Row;
use tokio::{sync::watch, task::JoinHandle};

use super::{
    render::MailBrand,
    transport::{Delivery, Transports},
};
use crate::db::{now, Db};

/// How long a claimed row is reserved for the claiming instance.
const LEASE_SECS: i64 = 120;
/// Rows fetched per round.
const BATCH: i64 = 50;
/// Longest wait between two attempts of one row.
const MAX_BACKOFF_SECS: i64 = 3600;

/// Starts delivering due rows every `every` (and at once) until `stop` turns true.
pub fn spawn(
    db: Db,
    transports: Transports,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(err) = deliver_due(&db, &transports).await {
                tracing::warn!(error = %err, "outbox round failed; retrying");
            }
            tokio::select! {
                _ = stop.changed() => break,
                () = tokio::time::sleep(every) => {}
            }
        }
    })
}

/// The wait before attempt `attempts + 1`: 5 s, 10 s, 20 s, … up to an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    (5_i64.saturating_mul(2_i64.saturating_pow(exp))).min(MAX_BACKOFF_SECS)
}

/// One round: claims and delivers every due row. Returns how many were delivered. A row
/// withdrawn meanwhile (an undone move) is never claimed, even when the withdrawal
/// commits between the select and the claim.
pub async fn deliver_due(db: &Db, transports: &Transports) -> Result<usize, sqlx::Error> {
    let now = now();
    let rows = sqlx::query(
        "SELECT o.id, o.channel, o.kind, o.recipient, o.subject, o.body, o.attempts, \
         o.deliver_after, c.name AS company_name, c.brand_colour, c.logo_url \
         FROM outbox o LEFT JOIN companies c ON c.id = o.company_id \
         WHERE o.delivered_at IS NULL AND o.cancelled_at IS NULL AND o.deliver_after <= $1 \
         ORDER BY o.created_at LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    let mut delivered = 0;
    for row in rows {
        let id: String = row.try_get("id")?;
        let due: i64 = row.try_get("deliver_after")?;
        let attempts: i64 = row.try_get("attempts")?;
        let claimed = sqlx::query(
            "UPDATE outbox SET deliver_after = $1 \
             WHERE id = $2 AND deliver_after = $3 AND delivered_at IS NULL AND cancelled_at IS NULL",
        )
        .bind(now + LEASE_SECS)
        .bind(&id)
        .bind(due)
        .execute(&db.pool)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            continue; // another instance has it
        }
        let delivery = Delivery {
            id: id.clone(),
            channel: row.try_get("channel")?,
            kind: row.try_get("kind")?,
            recipient: row.try_get("recipient")?,
            subject: row.try_get("subject")?,
            body: row.try_get("body")?,
            brand: row
                .try_get::<Option<String>, _>("company_name")?
                .map(|company| -> Result<MailBrand, sqlx::Error> {
                    Ok(MailBrand {
                        company,
                        colour: row
                            .try_get::<Option<String>, _>("brand_colour")?
                            .unwrap_or_default(),
                        logo_url: row
                            .try_get::<Option<String>, _>("logo_url")?
                            .unwrap_or_default(),
                    })
                })
                .transpose()?,
        };
        match transports.deliver(&delivery).await {
            Ok(()) => {
                sqlx::query(
                    "UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL \
                     WHERE id = $2",
                )
                .bind(crate::db::now())
                .bind(&id)
                .execute(&db.pool)
                .await?;
                delivered += 1;
            }
            Err(err) => {
                let wait = backoff_secs(attempts);
                tracing::warn!(id, kind = delivery.kind, attempts = attempts + 1, retry_in_secs = wait, error = %err, "delivery failed");
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, deliver_after = $2 \
                     WHERE id = $3",
                )
                .bind(err.to_string())
                .bind(crate::db::now() + wait)
                .bind(&id)
                .execute(&db.pool)
                .await?;
            }
        }
    }
    Ok(delivered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_secs(0), 5);
        assert_eq!(backoff_secs(1), 10);
        assert_eq!(backoff_secs(3), 40);
        assert_eq!(backoff_secs(50), MAX_BACKOFF_SECS);
    }
}
