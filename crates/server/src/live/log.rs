//! The event log: `board_events` rows with a per-company sequence from `company_seq`,
//! written inside the transaction of the change, read back for resuming clients and by
//! the PostgreSQL listener, pruned as it grows.
//!
//! A company's sequence order must be its commit order (a client that has seen event N
//! never later finds an N − 1), so each company's counter row stays locked from the
//! moment a number is taken until commit. On SQLite (one writer) the numbers are taken
//! with the rest of the change. On PostgreSQL they are taken *at* commit: the events are
//! inserted with a provisional negative number and a deferred trigger
//! ([`install_postgres`]) numbers them, prunes and queues the `NOTIFY` as the
//! transaction commits — the counter row is then held for the commit alone, not also for
//! the round trip to the server and back with `COMMIT` (under load that round trip, on a
//! busy server, was most of every writer's wait).

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

/// Events written inside a transaction, for [`super::Hub::after_commit`] once it has
/// committed: on SQLite (one instance) the events themselves, delivered in process; on
/// PostgreSQL nothing, since the commit numbers them and its `NOTIFY` reaches every
/// instance.
#[derive(Debug, Default)]
#[must_use = "hand it to Hub::after_commit once the transaction has committed"]
pub struct Appended(pub(super) Vec<LiveEvent>);

/// Appends one event for `company` ([`append_all`] with one event).
pub async fn append(
    conn: &mut AnyConnection,
    engine: Engine,
    company: Uuid,
    kind: &str,
    call_id: Option<Uuid>,
    data: Map<String, Value>,
) -> Result<Appended, sqlx::Error> {
    let event = NewEvent {
        company,
        kind,
        call_id,
        data,
    };
    append_all(conn, engine, &[event]).await
}

/// Appends one event for each of `events`' companies (each company at most once), in
/// one call to the database, and numbers them in each company's sequence: on SQLite now,
/// on PostgreSQL at commit (see the module). Either way the counter rows are taken in
/// ascending company order (one lock order for every writer: no deadlocks) and stay
/// locked until commit, so on SQLite call this last, and once.
pub async fn append_all(
    conn: &mut AnyConnection,
    engine: Engine,
    events: &[NewEvent<'_>],
) -> Result<Appended, sqlx::Error> {
    if events.is_empty() {
        return Ok(Appended::default());
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
    match engine {
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
            // Inserted in company order, so the deferred trigger numbers (and locks) them
            // in that order too.
            sqlx::query(
                "INSERT INTO board_events (company_id, seq, kind, call_id, payload, created_at) \
                 SELECT company_id, -nextval('board_events_provisional'), kind, call_id, rest, $2 \
                 FROM json_to_recordset($1::json) \
                     AS i(company_id text, kind text, call_id text, rest text) \
                 ORDER BY company_id",
            )
            .bind(Value::Array(input).to_string())
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(Appended::default())
        }
        // All statements in one call (SQLite's driver runs them in one hand-over to its
        // thread): every write waits for SQLite's one writer.
        Engine::Sqlite => {
            let mut order: Vec<usize> = (0..events.len()).collect();
            order.sort_by_key(|&n| events[n].company);
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
            for &n in &order {
                query = query
                    .bind(events[n].company.to_string())
                    .bind(events[n].kind)
                    .bind(events[n].call_id.map(|c| c.to_string()))
                    .bind(rests[n].as_str())
                    .bind(now);
            }
            // Every statement's rows (`fetch_one` would stop at the first statement).
            let rows = query.fetch_all(&mut *conn).await?;
            let mut written = Vec::with_capacity(events.len());
            for (&n, row) in order.iter().zip(&rows) {
                let seq: i64 = row.try_get("seq")?;
                if seq % PRUNE_EVERY == 0 {
                    sqlx::query(
                        "DELETE FROM board_events WHERE company_id = $1 AND (seq <= $2 OR created_at < $3)",
                    )
                    .bind(events[n].company.to_string())
                    .bind(seq - KEEP_EVENTS)
                    .bind(now - KEEP_SECONDS)
                    .execute(&mut *conn)
                    .await?;
                }
                written.push(LiveEvent::new(
                    events[n].company,
                    seq,
                    format!("{{\"seq\":{seq},{}", rests[n]),
                ));
            }
            if written.len() != events.len() {
                return Err(sqlx::Error::RowNotFound);
            }
            Ok(Appended(written))
        }
    }
}

/// Creates (or brings up to date) PostgreSQL's numbering of the log: the sequence of
/// provisional numbers and the deferred trigger that, as a transaction commits, takes
/// each of its events' company counter, gives the event its number and its message the
/// `{"seq":N,` prefix, prunes the company's log every [`PRUNE_EVERY`]th event and queues
/// the `NOTIFY` on [`CHANNEL`]. Run after the migrations, by every instance at start;
/// an advisory lock keeps two starting instances from replacing it at once.
pub async fn install_postgres(pool: &sqlx::AnyPool) -> Result<(), sqlx::Error> {
    let function = format!(
        r#"CREATE OR REPLACE FUNCTION board_events_number() RETURNS trigger
        LANGUAGE plpgsql AS $body$
        DECLARE
            next_seq BIGINT;
        BEGIN
            -- Numbered already (written by an instance of an older version during a
            -- rolling upgrade): left as it is.
            IF NEW.seq > 0 THEN
                RETURN NULL;
            END IF;
            INSERT INTO company_seq (company_id, seq) VALUES (NEW.company_id, 1)
                ON CONFLICT (company_id) DO UPDATE SET seq = company_seq.seq + 1
                RETURNING seq INTO next_seq;
            UPDATE board_events
                SET seq = next_seq, payload = '{{"seq":' || next_seq || ',' || payload
                WHERE company_id = NEW.company_id AND seq = NEW.seq;
            IF next_seq % {PRUNE_EVERY} = 0 THEN
                DELETE FROM board_events WHERE company_id = NEW.company_id AND seq > 0
                    AND (seq <= next_seq - {KEEP_EVENTS} OR created_at < NEW.created_at - {KEEP_SECONDS});
            END IF;
            PERFORM pg_notify('{CHANNEL}', NEW.company_id || ':' || next_seq);
            RETURN NULL;
        END
        $body$"#
    );
    let mut tx = pool.begin().await?;
    // A key of this project's own: instances starting together install one at a time.
    sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(7420291855)) AS l")
        .execute(&mut *tx)
        .await?;
    sqlx::query("CREATE SEQUENCE IF NOT EXISTS board_events_provisional")
        .execute(&mut *tx)
        .await?;
    // Replacing the function takes no lock on the table: running instances go on.
    sqlx::query(&function).execute(&mut *tx).await?;
    let installed = sqlx::query(
        "SELECT 1 AS found FROM pg_trigger \
         WHERE tgname = 'board_events_number' AND tgrelid = 'board_events'::regclass",
    )
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if !installed {
        sqlx::query(
            "CREATE CONSTRAINT TRIGGER board_events_number AFTER INSERT ON board_events \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION board_events_number()",
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The last sequence number `company` has used (0 before its first event).
pub async fn head(db: &Db, company: Uuid) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT seq FROM company_seq WHERE company_id = $1")
        .bind(company.to_string())
        .fetch_optional(&db.read)
        .await?;
    row.map_or(Ok(0), |r| r.try_get("seq"))
}

/// The company's head, and when `since` is given the calls that its events
/// `(since, head]` are about, each once — in one statement, so both are of one moment.
/// The calls are `None` when the log no longer holds every one of those events (pruned,
/// or a database reset), when they are more than [`PAGE`], or when `since` is ahead.
pub async fn head_and_changes(
    db: &Db,
    company: Uuid,
    since: Option<i64>,
) -> Result<(i64, Option<Vec<Uuid>>), sqlx::Error> {
    let Some(since) = since else {
        return Ok((head(db, company).await?, None));
    };
    let concat = match db.engine {
        Engine::Sqlite => "group_concat(DISTINCT e.call_id)",
        Engine::Postgres => "string_agg(DISTINCT e.call_id, ',')",
    };
    let row = sqlx::query(&format!(
        "SELECT h.seq AS head, count(e.seq) AS events, {concat} AS calls \
         FROM (SELECT coalesce((SELECT seq FROM company_seq WHERE company_id = $1), 0) AS seq) h \
         LEFT JOIN board_events e ON e.company_id = $1 AND e.seq > $2 AND e.seq <= h.seq \
             AND e.seq <= $3 \
         GROUP BY h.seq"
    ))
    .bind(company.to_string())
    .bind(since)
    .bind(since.saturating_add(PAGE))
    .fetch_one(&db.read)
    .await?;
    let head: i64 = row.try_get("head")?;
    let events: i64 = row.try_get("events")?;
    if head < since || head - since > PAGE || events != head - since {
        return Ok((head, None));
    }
    let calls: Option<String> = row.try_get("calls")?;
    let calls = calls
        .unwrap_or_default()
        .split(',')
        .filter(|id| !id.is_empty())
        .map(|id| Uuid::parse_str(id).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect::<Result<_, _>>()?;
    Ok((head, Some(calls)))
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
