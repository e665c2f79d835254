//! Service calls as stored: the aggregate as a JSON document in `calls.doc`, its
//! queryable fields copied beside it, and the offers in `call_offers` for tenancy-scoped
//! board queries.
//!
//! Writes are conditional on the version the change was computed from
//! ([`update`]); accepting additionally requires the row to be unaccepted, so exactly
//! one of any number of concurrent accepts — from one process or from several sharing
//! PostgreSQL — changes the row. Functions that take an `AnyConnection` run inside the
//! caller's transaction (with SQLite's single pooled connection, a query on the pool
//! while a transaction is open would wait for itself).

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{accounts::parse_uuid, Db};
use domain::{
    call::{OfferState, ServiceCall, Status},
    partner::PartnerProfile,
};

/// The most calls one board answer holds: a 62-day window of a busy company fits, and so
/// does the week of 10,000 calls the board benchmark reads (../shared/BENCH.md); with 2,000
/// that board came back cut off.
pub const BOARD_LIMIT: i64 = 10_000;

/// The snake_case wire name of a status, as stored in `calls.status`.
pub fn status_str(status: Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The snake_case wire name of an offer state, as stored in `call_offers.state`.
pub fn offer_state_str(state: OfferState) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn decode(doc: &str) -> Result<ServiceCall, sqlx::Error> {
    let mut call: ServiceCall =
        serde_json::from_str(doc).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    call.refresh();
    Ok(call)
}

fn encode(call: &ServiceCall) -> Result<String, sqlx::Error> {
    serde_json::to_string(call).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// Inserts a new call with its offers. Returns `false`, writing nothing, when a call with
/// the same `external_id` exists already (a retried booking; also under concurrent
/// retries, which the UNIQUE index serialises).
pub async fn insert_new(conn: &mut AnyConnection, call: &ServiceCall) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO calls (id, external_id, version, status, accepted_by, slot_start, slot_end, \
         technician_id, doc, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (external_id) DO NOTHING RETURNING id",
    )
    .bind(call.id.to_string())
    .bind(&call.external_id)
    .bind(call.version)
    .bind(status_str(call.status))
    .bind(call.accepted_by.map(|c| c.to_string()))
    .bind(call.slot.map(|s| s.start.timestamp()))
    .bind(call.slot.map(|s| s.end.timestamp()))
    .bind(call.technician_id.map(|t| t.to_string()))
    .bind(encode(call)?)
    .bind(call.created_at.timestamp())
    .bind(call.updated_at.timestamp())
    .fetch_optional(&mut *conn)
    .await?;
    if row.is_none() {
        return Ok(false);
    }
    write_offers(conn, call).await?;
    Ok(true)
}

/// What else a conditional write requires besides the expected version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Only the version.
    Version,
    /// The version, and that nobody has accepted the call (the accept race).
    Unaccepted,
}

/// Writes `call` over the stored row if that row is still at `expected_version` (and
/// satisfies `guard`). Returns `false`, writing nothing, when another change came first.
pub async fn update(
    conn: &mut AnyConnection,
    call: &ServiceCall,
    expected_version: i64,
    guard: Guard,
) -> Result<bool, sqlx::Error> {
    let sql = match guard {
        Guard::Version => {
            "UPDATE calls SET version = $1, status = $2, accepted_by = $3, slot_start = $4, \
             slot_end = $5, technician_id = $6, doc = $7, updated_at = $8 \
             WHERE id = $9 AND version = $10"
        }
        Guard::Unaccepted => {
            "UPDATE calls SET version = $1, status = $2, accepted_by = $3, slot_start = $4, \
             slot_end = $5, technician_id = $6, doc = $7, updated_at = $8 \
             WHERE id = $9 AND version = $10 AND accepted_by IS NULL"
        }
    };
    let done = sqlx::query(sql)
        .bind(call.version)
        .bind(status_str(call.status))
        .bind(call.accepted_by.map(|c| c.to_string()))
        .bind(call.slot.map(|s| s.start.timestamp()))
        .bind(call.slot.map(|s| s.end.timestamp()))
        .bind(call.technician_id.map(|t| t.to_string()))
        .bind(encode(call)?)
        .bind(call.updated_at.timestamp())
        .bind(call.id.to_string())
        .bind(expected_version)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    write_offers(conn, call).await?;
    Ok(true)
}

/// Mirrors the document's offers into `call_offers`, in one statement.
async fn write_offers(conn: &mut AnyConnection, call: &ServiceCall) -> Result<(), sqlx::Error> {
    if call.offers.is_empty() {
        return Ok(());
    }
    let rows = super::row_placeholders(call.offers.len(), 3);
    let sql = format!(
        "INSERT INTO call_offers (call_id, company_id, state) VALUES {rows} \
         ON CONFLICT (call_id, company_id) DO UPDATE SET state = excluded.state"
    );
    let mut query = sqlx::query(&sql);
    for offer in &call.offers {
        query = query
            .bind(call.id.to_string())
            .bind(offer.company_id.to_string())
            .bind(offer_state_str(offer.state));
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// The call with this id, whoever it belongs to (callers scope it with
/// `domain::view::CallView::for_company`).
pub async fn find(db: &Db, id: Uuid) -> Result<Option<ServiceCall>, sqlx::Error> {
    let row = sqlx::query("SELECT doc FROM calls WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&db.read)
        .await?;
    row.map(|r| decode(r.try_get("doc")?)).transpose()
}

/// The call created from the marketplace booking `external_id`.
pub async fn find_by_external_id(
    db: &Db,
    external_id: &str,
) -> Result<Option<ServiceCall>, sqlx::Error> {
    let row = sqlx::query("SELECT doc FROM calls WHERE external_id = $1")
        .bind(external_id)
        .fetch_optional(&db.read)
        .await?;
    row.map(|r| decode(r.try_get("doc")?)).transpose()
}

/// The calls on `company`'s board: the calendar's calls won by it, dated and overlapping
/// `[from, to)`, and — whatever the window — what its lists below the calendar show:
/// every open offer and every accepted call still without a technician (dated or not),
/// so no request hides because the calendar shows another day. Ids and versions only,
/// unordered: the views come from `crate::board_cache` or [`for_board`].
pub async fn board(
    db: &Db,
    company: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(Uuid, i64)>, sqlx::Error> {
    // One row, `id:version,id:version,…`: a row per call costs the SQLite driver a
    // thread hand-over each, more than the query itself.
    // SQLite's planner takes the primary key's index to find each call and then reads
    // its row (mostly the stored document); `calls_board` holds every field the query
    // needs (migration 0010).
    let (concat, covering) = match db.engine {
        super::Engine::Sqlite => ("group_concat", "INDEXED BY calls_board"),
        super::Engine::Postgres => ("string_agg", ""),
    };
    // `domain::visibility::in_board_window`, as an index can answer it.
    let sql = format!(
        "SELECT {concat}(b.id || ':' || b.version, ',') AS calls FROM (\
           SELECT c.id, c.version FROM calls c {covering} JOIN call_offers o ON o.call_id = c.id \
           WHERE o.company_id = $1 AND o.state IN ('offered', 'won') \
             AND (c.slot_start IS NULL OR o.state = 'offered' \
                  OR (c.technician_id IS NULL AND c.status = 'accepted') \
                  OR (c.slot_start < $2 AND c.slot_end > $3)) \
           LIMIT $4) b"
    );
    let listed: Option<String> = sqlx::query(&sql)
        .bind(company.to_string())
        .bind(to.timestamp())
        .bind(from.timestamp())
        .bind(BOARD_LIMIT)
        .fetch_one(&db.read)
        .await?
        .try_get("calls")?;
    let listed = listed.unwrap_or_default();
    listed
        .split(',')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (id, version) = pair
                .split_once(':')
                .ok_or_else(|| sqlx::Error::Decode(format!("board row {pair:?}").into()))?;
            let version = version
                .parse()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok((parse_uuid(id)?, version))
        })
        .collect()
}

/// The calls with these ids, as a board shows them (without their history: see
/// [`board_doc`]), in no particular order; ids not stored are left out.
pub async fn for_board(db: &Db, ids: &[Uuid]) -> Result<Vec<ServiceCall>, sqlx::Error> {
    /// Ids per query, well below SQLite's 32,766 parameters.
    const CHUNK: usize = 500;
    let mut calls = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let params = super::placeholders(1, chunk.len());
        let sql = format!(
            "SELECT {} AS doc FROM calls WHERE id IN ({params})",
            board_doc(db, "doc")
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.to_string());
        }
        for row in query.fetch_all(&db.read).await? {
            calls.push(decode(row.try_get("doc")?)?);
        }
    }
    Ok(calls)
}

/// The calls of `company`'s board assigned to `technician` (their board: no offers,
/// no colleague's calls; `domain::visibility` is the rule, this the index behind it),
/// dated and overlapping `[from, to)` or undated.
pub async fn technician_board(
    db: &Db,
    company: Uuid,
    technician: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ServiceCall>, sqlx::Error> {
    let sql = format!(
        "SELECT {} AS doc FROM calls WHERE accepted_by = $1 AND technician_id = $2 \
           AND (slot_start IS NULL OR (slot_start < $3 AND slot_end > $4)) \
         LIMIT $5",
        board_doc(db, "doc")
    );
    let rows = sqlx::query(&sql)
        .bind(company.to_string())
        .bind(technician.to_string())
        .bind(to.timestamp())
        .bind(from.timestamp())
        .bind(BOARD_LIMIT)
        .fetch_all(&db.read)
        .await?;
    board_order(&rows)
}

/// The select expression of a board's call documents: on SQLite without their history
/// (`json_set`, which costs the database next to nothing), on PostgreSQL whole.
///
/// A board read builds views only (`CallView`), which never show the history; it is
/// more than half of a document, so reading 10,000 calls decoded 31 MB of JSON where
/// 14 MB do. A call read this way is for showing only: every change is computed from
/// the call read whole ([`find`]), so an emptied history is never written back. On PostgreSQL the same edit needs a cast to `jsonb` and back, which parses the
/// whole document in the database: there the document is read as it is.
fn board_doc(db: &Db, column: &str) -> String {
    if db.engine == super::Engine::Postgres {
        column.to_owned()
    } else {
        format!("json_set({column}, '$.history', json('[]'))")
    }
}

/// A board's rows decoded in board order: undated first, then by start.
fn board_order(rows: &[sqlx::any::AnyRow]) -> Result<Vec<ServiceCall>, sqlx::Error> {
    let mut calls = rows
        .iter()
        .map(|r| decode(r.try_get("doc")?))
        .collect::<Result<Vec<_>, _>>()?;
    calls.sort_by_key(crate::board_cache::board_order);
    Ok(calls)
}

/// The ids of the calls of `company` now assigned to `technician`.
pub async fn assigned_to(
    db: &Db,
    company: Uuid,
    technician: Uuid,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query("SELECT id FROM calls WHERE accepted_by = $1 AND technician_id = $2")
        .bind(company.to_string())
        .bind(technician.to_string())
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| super::accounts::parse_uuid(r.try_get("id")?))
        .collect()
}

/// Every company as a partner profile, for choosing whom to offer a booking.
pub async fn partners(db: &Db) -> Result<Vec<PartnerProfile>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, service_area, skills FROM companies ORDER BY created_at, id")
            .fetch_all(&db.read)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(PartnerProfile {
                id: parse_uuid(r.try_get("id")?)?,
                service_area: r.try_get("service_area")?,
                skills: r.try_get("skills")?,
            })
        })
        .collect()
}

/// A company's name, own e-mail address and time zone.
#[derive(Debug, Clone)]
pub struct CompanyContact {
    pub name: String,
    pub email: String,
    pub time_zone: String,
}

/// The contact details of `company`, for e-mails about its calls.
pub async fn company_contact(
    conn: &mut AnyConnection,
    company: Uuid,
) -> Result<Option<CompanyContact>, sqlx::Error> {
    let row = sqlx::query("SELECT name, email, time_zone FROM companies WHERE id = $1")
        .bind(company.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(CompanyContact {
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            time_zone: r.try_get("time_zone")?,
        })
    })
    .transpose()
}

/// How many calls are stored (the demo seed only fills an empty table).
pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM calls")
        .fetch_one(&db.read)
        .await?;
    row.try_get("n")
}

/// The names of `company`'s people (dispatchers and technicians, also deactivated ones:
/// a call's history keeps naming who made each change).
pub async fn people_names(
    db: &Db,
    company: Uuid,
) -> Result<std::collections::HashMap<Uuid, String>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name FROM users WHERE company_id = $1")
        .bind(company.to_string())
        .fetch_all(&db.read)
        .await?;
    rows.iter()
        .map(|r| Ok((parse_uuid(r.try_get("id")?)?, r.try_get("name")?)))
        .collect()
}
