//! The event log: `board_events` rows with a per-company sequence from `company_seq`,
//! written inside the transaction of the change, read back for resuming clients and by
//! the PostgreSQL listener, pruned as it grows.

use serde_json::{Map, Value};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::LiveEvent;
use crate::db::{Db, Engine};

/// How many events per company are kept for resuming clients…
pub const KEEP_EVENTS: i64 = 10_000;
/// …and for how long at most (seconds).
pub const KEEP_SECONDS: i64 = 7 * 24 * 3600;
/// Pruning runs on every this-many-th event of a company.
const PRUNE_EVERY: i64 = 100;
/// The most events one backlog read returns.
pub const PAGE: i64 = 500;
/// The PostgreSQL channel every instance listens on; payload `<company_id>:<seq>`.
pub const CHANNEL: &str = "board_events";

/// Appends one event for `company`: takes its next sequence number (the counter row's
/// lock serialises writers of one company until commit, so sequence order is commit
/// order), stores the whole message, and on PostgreSQL queues a `NOTIFY` that is
/// delivered when the transaction commits (all three in one statement there).
pub async fn append(
    conn: &mut AnyConnection,
    engine: Engine,
    company: Uuid,
    kind: &str,
    call_id: Option<Uuid>,
    data: Map<String, Value>,
) -> Result<LiveEvent, sqlx::Error> {
    let mut message = Map::new();
    message.insert("type".into(), Value::from(kind));
    message.extend(data);
    // The stored message is `{"seq":N,…}`: its sequence number goes in front of the rest.
    let rest = Value::Object(message).to_string();
    let rest = rest.strip_prefix('{').unwrap_or(&rest);
    let now = crate::db::now();
    let seq: i64 = match engine {
        // One round trip (a statement): the counter row stays locked until commit, so the less the
        // transaction does after taking it, the less other writers of the company wait.
        Engine::Postgres => sqlx::query(
            "WITH s AS (INSERT INTO company_seq (company_id, seq) VALUES ($1, 1) \
                 ON CONFLICT (company_id) DO UPDATE SET seq = company_seq.seq + 1 RETURNING seq), \
             e AS (INSERT INTO board_events (company_id, seq, kind, call_id, payload, created_at) \
                 SELECT $1, s.seq, $2, $3, '{\"seq\":' || s.seq || ',' || $4, $5 FROM s \
                 RETURNING seq) \
             SELECT e.seq FROM e CROSS JOIN LATERAL (SELECT pg_notify($6, $1 || ':' || e.seq)) AS n",
        )
        .bind(company.to_string())
        .bind(kind)
        .bind(call_id.map(|c| c.to_string()))
        .bind(rest)
        .bind(now)
        .bind(CHANNEL)
        .fetch_one(&mut *conn)
        .await?
        .try_get("seq")?,
        // Two statements in one call (SQLite's driver runs them in one hand-over to its
        // thread): every write waits for SQLite's one writer, so its transactions
        // should make as few round trips as they can.
        Engine::Sqlite => sqlx::query(
            "INSERT INTO company_seq (company_id, seq) VALUES ($1, 1) \
                 ON CONFLICT (company_id) DO UPDATE SET seq = company_seq.seq + 1; \
             INSERT INTO board_events (company_id, seq, kind, call_id, payload, created_at) \
                 SELECT $1, seq, $2, $3, '{\"seq\":' || seq || ',' || $4, $5 \
                 FROM company_seq WHERE company_id = $1 \
                 RETURNING seq",
        )
        .bind(company.to_string())
        .bind(kind)
        .bind(call_id.map(|c| c.to_string()))
        .bind(rest)
        .bind(now)
        // `fetch_one` would stop at the first statement, which returns no row.
        .fetch_all(&mut *conn)
        .await?
        .first()
        .ok_or(sqlx::Error::RowNotFound)?
        .try_get("seq")?,
    };
    let payload = format!("{{\"seq\":{seq},{rest}");
    if seq % PRUNE_EVERY == 0 {
        sqlx::query(
            "DELETE FROM board_events WHERE company_id = $1 AND (seq <= $2 OR created_at < $3)",
        )
        .bind(company.to_string())
        .bind(seq - KEEP_EVENTS)
        .bind(now - KEEP_SECONDS)
        .execute(&mut *conn)
        .await?;
    }
    Ok(LiveEvent::new(company, seq, payload))
}

/// The last sequence number `company` has used (0 before its first event).
pub async fn head(db: &Db, company: Uuid) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT seq FROM company_seq WHERE company_id = $1")
        .bind(company.to_string())
        .fetch_optional(&db.read)
        .await?;
    row.map_or(Ok(0), |r| r.try_get("seq"))
}

/// Whether a client at `since` can be brought up to date from the log: every event after
/// it is still kept (and it is not ahead of the log, as after a database reset).
pub async fn can_resume(db: &Db, company: Uuid, since: i64) -> Result<bool, sqlx::Error> {
    let head = head(db, company).await?;
    if since > head || since < 0 {
        return Ok(false);
    }
    if since == head {
        return Ok(true);
    }
    let oldest: Option<i64> =
        sqlx::query("SELECT seq FROM board_events WHERE company_id = $1 ORDER BY seq LIMIT 1")
            .bind(company.to_string())
            .fetch_optional(&db.pool)
            .await?
            .map(|r| r.try_get("seq"))
            .transpose()?;
    Ok(oldest.is_some_and(|oldest| oldest <= since + 1))
}

/// Up to [`PAGE`] events of `company` after `since`, in order.
pub async fn after(db: &Db, company: Uuid, since: i64) -> Result<Vec<LiveEvent>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, payload FROM board_events WHERE company_id = $1 AND seq > $2 \
         ORDER BY seq LIMIT $3",
    )
    .bind(company.to_string())
    .bind(since)
    .bind(PAGE)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LiveEvent::new(
                company,
                r.try_get("seq")?,
                r.try_get("payload")?,
            ))
        })
        .collect()
}

/// One event by its key (what a `NOTIFY` names).
pub async fn one(db: &Db, company: Uuid, seq: i64) -> Result<Option<LiveEvent>, sqlx::Error> {
    let row = sqlx::query("SELECT payload FROM board_events WHERE company_id = $1 AND seq = $2")
        .bind(company.to_string())
        .bind(seq)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| Ok(LiveEvent::new(company, seq, r.try_get("payload")?)))
        .transpose()
}
