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

/// One event to append: for whom, of which kind, about which call, with what data.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub company: Uuid,
    pub kind: &'a str,
    pub call_id: Option<Uuid>,
    pub data: Map<String, Value>,
}

/// Appends one event for `company` ([`append_all`] with one event).
pub async fn append(
    conn: &mut AnyConnection,
    engine: Engine,
    company: Uuid,
    kind: &str,
    call_id: Option<Uuid>,
    data: Map<String, Value>,
) -> Result<LiveEvent, sqlx::Error> {
    let event = NewEvent {
        company,
        kind,
        call_id,
        data,
    };
    append_all(conn, engine, &[event])
        .await?
        .pop()
        .ok_or(sqlx::Error::RowNotFound)
}

/// Appends one event for each of `events`' companies (each company at most once, in
/// ascending order: one lock order for every writer), in one call to the database:
/// takes each company's next sequence number (the counter row's lock serialises
/// writers of one company until commit, so sequence order is commit order), stores the
/// whole message, and on PostgreSQL queues a `NOTIFY` that is delivered when the
/// transaction commits. The counter rows stay locked until commit, so the less the
/// transaction does after taking them, the less the company's other writers wait: call
/// this last, and once.
pub async fn append_all(
    conn: &mut AnyConnection,
    engine: Engine,
    events: &[NewEvent<'_>],
) -> Result<Vec<LiveEvent>, sqlx::Error> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    // The stored message is `{"seq":N,…}`: its sequence number goes in front of the rest.
    let rests: Vec<String> = events
        .iter()
        .map(|event| {
            let mut message = Map::new();
            message.insert("type".into(), Value::from(event.kind));
            message.extend(event.data.clone());
            let text = Value::Object(message).to_string();
            text.strip_prefix('{').unwrap_or(&text).to_owned()
        })
        .collect();
    let now = crate::db::now();
    let seqs: Vec<(String, i64)> = match engine {
        Engine::Postgres => {
            let input: Vec<Value> = events
                .iter()
                .zip(&rests)
                .map(|(event, rest)| {
                    serde_json::json!({"company_id": event.company.to_string(),
                        "kind": event.kind,
                        "call_id": event.call_id.map(|c| c.to_string()),
                        "rest": rest})
                })
                .collect();
            sqlx::query(
                "WITH input AS (SELECT * FROM json_to_recordset($1::json) \
                     AS i(company_id text, kind text, call_id text, rest text)), \
                 s AS (INSERT INTO company_seq (company_id, seq) \
                     SELECT company_id, 1 FROM input ORDER BY company_id \
                     ON CONFLICT (company_id) DO UPDATE SET seq = company_seq.seq + 1 \
                     RETURNING company_id, seq), \
                 e AS (INSERT INTO board_events (company_id, seq, kind, call_id, payload, created_at) \
                     SELECT s.company_id, s.seq, i.kind, i.call_id, \
                            '{\"seq\":' || s.seq || ',' || i.rest, $2 \
                     FROM s JOIN input i ON i.company_id = s.company_id \
                     RETURNING company_id, seq) \
                 SELECT e.company_id, e.seq FROM e \
                 CROSS JOIN LATERAL (SELECT pg_notify($3, e.company_id || ':' || e.seq)) AS n",
            )
            .bind(Value::Array(input).to_string())
            .bind(now)
            .bind(CHANNEL)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("company_id")?, row.try_get("seq")?)))
            .collect::<Result<_, sqlx::Error>>()?
        }
        // All statements in one call (SQLite's driver runs them in one hand-over to its
        // thread): every write waits for SQLite's one writer.
        Engine::Sqlite => {
            let sql = (0..events.len())
                .map(|n| {
                    let p = |k: usize| format!("${}", 5 * n + k);
                    format!(
                        "INSERT INTO company_seq (company_id, seq) VALUES ({c}, 1) \
                           ON CONFLICT (company_id) DO UPDATE SET seq = company_seq.seq + 1; \
                         INSERT INTO board_events (company_id, seq, kind, call_id, payload, created_at) \
                           SELECT {c}, seq, {kind}, {call}, '{{\"seq\":' || seq || ',' || {rest}, {at} \
                           FROM company_seq WHERE company_id = {c} \
                           RETURNING company_id, seq;",
                        c = p(1),
                        kind = p(2),
                        call = p(3),
                        rest = p(4),
                        at = p(5)
                    )
                })
                .collect::<String>();
            let mut query = sqlx::query(&sql);
            for (event, rest) in events.iter().zip(&rests) {
                query = query
                    .bind(event.company.to_string())
                    .bind(event.kind)
                    .bind(event.call_id.map(|c| c.to_string()))
                    .bind(rest.as_str())
                    .bind(now);
            }
            // Every statement's rows (`fetch_one` would stop at the first statement).
            query
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|row| Ok((row.try_get("company_id")?, row.try_get("seq")?)))
                .collect::<Result<_, sqlx::Error>>()?
        }
    };
    let mut written = Vec::with_capacity(events.len());
    for (event, rest) in events.iter().zip(&rests) {
        let company = event.company.to_string();
        let seq = seqs
            .iter()
            .find(|(c, _)| *c == company)
            .map(|(_, seq)| *seq)
            .ok_or(sqlx::Error::RowNotFound)?;
        if seq % PRUNE_EVERY == 0 {
            sqlx::query(
                "DELETE FROM board_events WHERE company_id = $1 AND (seq <= $2 OR created_at < $3)",
            )
            .bind(&company)
            .bind(seq - KEEP_EVENTS)
            .bind(now - KEEP_SECONDS)
            .execute(&mut *conn)
            .await?;
        }
        written.push(LiveEvent::new(
            event.company,
            seq,
            format!("{{\"seq\":{seq},{rest}"),
        ));
    }
    Ok(written)
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
