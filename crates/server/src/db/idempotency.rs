//! Storage of idempotency keys (`idempotency_keys`, migration 0007): claiming a key for
//! one request, recording its response inside the change's transaction, and releasing a
//! claim whose request changed nothing. The HTTP side (which requests, which answers)
//! is `http::idempotency`.

use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{now, Db};

/// How long a key and its stored response are kept.
pub const KEEP_SECS: i64 = 24 * 60 * 60;
/// How long a claim holds a key while its request runs. A claim left by a crashed
/// server can be taken over after this; a live request finishes long before.
pub const LEASE_SECS: i64 = 60;

/// What a key's row says when a request wants to run with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This request holds the key now and runs; `token` names the claim.
    Claimed { token: String },
    /// A request with this key completed: its stored status and body.
    Replay { status: u16, body: String },
    /// The key was used for another request (another method, path or body).
    Mismatch,
    /// Another request with this key is running now.
    InUse,
}

/// Claims `key` of `company` for a request whose method, path and body hash to `hash`,
/// purging expired keys first. One short transaction of its own: the claim must be
/// visible to a concurrent repeat before the request runs.
pub async fn claim(db: &Db, company: Uuid, key: &str, hash: &str) -> Result<Claim, sqlx::Error> {
    let now = now();
    let token = Uuid::new_v4().to_string();
    let mut tx = db.pool.begin().await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys \
           (company_id, idem_key, request_hash, claim, locked_until, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (company_id, idem_key) DO NOTHING",
    )
    .bind(company.to_string())
    .bind(key)
    .bind(hash)
    .bind(&token)
    .bind(now + LEASE_SECS)
    .bind(now)
    .bind(now + KEEP_SECS)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        tx.commit().await?;
        return Ok(Claim::Claimed { token });
    }
    let row = sqlx::query(
        "SELECT request_hash, claim, locked_until, status, body FROM idempotency_keys \
         WHERE company_id = $1 AND idem_key = $2",
    )
    .bind(company.to_string())
    .bind(key)
    .fetch_optional(&mut *tx)
    .await?;
    // Deleted between the insert and the read (it had just expired): as good as in use;
    // the client's retry claims it afresh.
    let Some(row) = row else {
        tx.commit().await?;
        return Ok(Claim::InUse);
    };
    let outcome = if row.try_get::<String, _>("request_hash")? != hash {
        Claim::Mismatch
    } else if let Some(status) = row.try_get::<Option<i64>, _>("status")? {
        Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body: row
                .try_get::<Option<String>, _>("body")?
                .unwrap_or_default(),
        }
    } else if row.try_get::<i64, _>("locked_until")? > now {
        Claim::InUse
    } else {
        // The request that claimed it never finished (the server stopped): take over.
        let old: String = row.try_get("claim")?;
        let taken = sqlx::query(
            "UPDATE idempotency_keys SET claim = $1, locked_until = $2 \
             WHERE company_id = $3 AND idem_key = $4 AND claim = $5 AND status IS NULL",
        )
        .bind(&token)
        .bind(now + LEASE_SECS)
        .bind(company.to_string())
        .bind(key)
        .bind(old)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken == 1 {
            Claim::Claimed { token }
        } else {
            Claim::InUse
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Stores the response of the claimed request in the caller's (the change's)
/// transaction. `false` when the claim is no longer this request's (taken over after its
/// lease): the caller must then roll its change back.
pub async fn record(
    conn: &mut AnyConnection,
    company: Uuid,
    key: &str,
    token: &str,
    status: u16,
    body: &str,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE idempotency_keys SET status = $1, body = $2 \
         WHERE company_id = $3 AND idem_key = $4 AND claim = $5 AND status IS NULL",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(company.to_string())
    .bind(key)
    .bind(token)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// Gives the key up again when the claimed request stored no response (it was refused
/// or changed nothing), so a repeat runs afresh instead of waiting out the lease.
pub async fn release(db: &Db, company: Uuid, key: &str, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM idempotency_keys \
         WHERE company_id = $1 AND idem_key = $2 AND claim = $3 AND status IS NULL",
    )
    .bind(company.to_string())
    .bind(key)
    .bind(token)
    .execute(&db.pool)
    .await?;
    Ok(())
}
