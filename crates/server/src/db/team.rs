//! Technicians, dispatchers, invitations, profile pictures and the company profile as
//! stored. Every function takes the caller's company id and only ever touches rows of
//! that company, so another company's id behaves like an unknown one.
//!
//! Verification facts, which other modules rely on: *activated* is
//! `users.password_hash IS NOT NULL`, *has a photo* is
//! `technician_profiles.photo_key IS NOT NULL`, *skills* is the comma-separated
//! `technician_profiles.skills`, and a deactivated technician has `users.active = FALSE`.

use sqlx::{any::AnyRow, Any, Row, Transaction};
use uuid::Uuid;

use super::{
    accounts::{parse_role, parse_uuid, role_str},
    now, Db,
};
use domain::{
    api::{
        team::{CompanyProfile, DispatcherSummary, OutboxEntry, TechnicianSummary},
        Role,
    },
    technician::{TechnicianFacts, Verification},
};

/// The facts the domain needs to assign `technician_id`, if it is a technician of
/// `company_id` (another company's technician is `None`, like an unknown id).
pub async fn technician_facts(
    db: &Db,
    company_id: Uuid,
    technician_id: Uuid,
) -> Result<Option<(TechnicianFacts, bool)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.company_id, u.password_hash, CAST(CASE WHEN u.active THEN 1 ELSE 0 END AS BIGINT) AS active, p.photo_key, \
                COALESCE(p.skills, '') AS skills \
         FROM users u LEFT JOIN technician_profiles p ON p.user_id = u.id \
         WHERE u.id = $1 AND u.company_id = $2 AND u.role = 'technician'",
    )
    .bind(technician_id.to_string())
    .bind(company_id.to_string())
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        let skills: String = row.try_get("skills")?;
        Ok((
            TechnicianFacts {
                id: parse_uuid(row.try_get("id")?)?,
                company_id: parse_uuid(row.try_get("company_id")?)?,
                activated: row.try_get::<Option<String>, _>("password_hash")?.is_some(),
                has_photo: row.try_get::<Option<String>, _>("photo_key")?.is_some(),
                skills: skills
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            row.try_get::<i64, _>("active")? != 0,
        ))
    })
    .transpose()
}

/// Splits a comma-separated list column, dropping blanks.
pub fn split_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Joins a list for a comma-separated column (trimmed, de-duplicated, order kept).
pub fn join_list(items: &[String]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for item in items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(item)) {
            out.push(item);
        }
    }
    out.join(",")
}

/// A technician row with everything the team tab shows.
#[derive(Debug, Clone)]
pub struct TechnicianRecord {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub skills: Vec<String>,
    pub activated: bool,
    pub photo_key: Option<String>,
    pub active: bool,
    /// Filled by [`calls_per_technician`] where the list shows it.
    pub calls_this_week: u32,
}

impl TechnicianRecord {
    /// The wire form; `photo_url` carries the photo key so a new photo is a new URL.
    pub fn summary(&self) -> TechnicianSummary {
        let verification = Verification::of(self.activated, self.photo_key.is_some(), &self.skills);
        TechnicianSummary {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            skills: self.skills.clone(),
            verified: verification.verified,
            missing: verification.missing,
            active: self.active,
            photo_url: self
                .photo_key
                .as_ref()
                .map(|key| format!("/api/v1/technicians/{}/photo?v={key}", self.id)),
            calls_this_week: self.calls_this_week,
        }
    }
}

const TECHNICIAN_COLUMNS: &str =
    "SELECT u.id, u.name, u.email, u.phone, u.password_hash, CAST(CASE WHEN u.active THEN 1 ELSE 0 END AS BIGINT) AS active, \
     p.photo_key, COALESCE(p.skills, '') AS skills \
     FROM users u LEFT JOIN technician_profiles p ON p.user_id = u.id \
     WHERE u.company_id = $1 AND u.role = 'technician'";

fn technician_from(row: &AnyRow) -> Result<TechnicianRecord, sqlx::Error> {
    Ok(TechnicianRecord {
        id: parse_uuid(row.try_get("id")?)?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        skills: split_list(row.try_get("skills")?),
        activated: row.try_get::<Option<String>, _>("password_hash")?.is_some(),
        photo_key: row.try_get("photo_key")?,
        // BOOLEAN columns do not decode through the Any driver on SQLite: read 0/1.
        active: row.try_get::<i64, _>("active")? != 0,
        calls_this_week: 0,
    })
}

/// Every technician of the company, by name.
pub async fn list_technicians(
    db: &Db,
    company_id: Uuid,
) -> Result<Vec<TechnicianRecord>, sqlx::Error> {
    let rows = sqlx::query(&format!("{TECHNICIAN_COLUMNS} ORDER BY u.id"))
        .bind(company_id.to_string())
        .fetch_all(&db.read)
        .await?;
    // Ordered here, not by the database: SQLite and PostgreSQL collate names differently,
    // and people expect "Team 2" before "Team 10".
    let mut technicians = rows
        .iter()
        .map(technician_from)
        .collect::<Result<Vec<_>, _>>()?;
    technicians.sort_by(|a, b| domain::technician::name_order(&a.name, &b.name));
    Ok(technicians)
}

/// One technician of the company (`None` for an unknown id or another company's).
pub async fn technician(
    db: &Db,
    company_id: Uuid,
    id: Uuid,
) -> Result<Option<TechnicianRecord>, sqlx::Error> {
    let row = sqlx::query(&format!("{TECHNICIAN_COLUMNS} AND u.id = $2"))
        .bind(company_id.to_string())
        .bind(id.to_string())
        .fetch_optional(&db.read)
        .await?;
    row.as_ref().map(technician_from).transpose()
}

/// Whether a sign-in e-mail is already used by anyone (e-mails are unique across
/// companies, since they sign in).
pub async fn email_taken(
    db: &Db,
    email: &str,
    except_user: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE email = $1 AND id <> $2")
        .bind(email.trim().to_lowercase())
        .bind(except_user.map(|u| u.to_string()).unwrap_or_default())
        .fetch_one(&db.read)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// A person to create with an invitation.
#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    pub company_id: Uuid,
    pub role: Role,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    /// Technicians only.
    pub skills: &'a [String],
}

/// Creates the user (no password yet) inside `tx` and returns its id.
pub async fn create_member(
    tx: &mut Transaction<'static, Any>,
    member: &NewMember<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, company_id, role, name, email, phone, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
    )
    .bind(id.to_string())
    .bind(member.company_id.to_string())
    .bind(role_str(member.role))
    .bind(member.name.trim())
    .bind(member.email.trim().to_lowercase())
    .bind(member.phone.trim())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    if member.role == Role::Technician {
        sqlx::query(
            "INSERT INTO technician_profiles (user_id, skills, photo_key) VALUES ($1, $2, NULL)",
        )
        .bind(id.to_string())
        .bind(join_list(member.skills))
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// Revokes every open invitation of `user_id` and stores a new one (by token hash).
pub async fn replace_invitation(
    tx: &mut Transaction<'static, Any>,
    user_id: Uuid,
    token_hash: &str,
    ttl_secs: i64,
) -> Result<(), sqlx::Error> {
    let now = now();
    sqlx::query(
        "UPDATE invitations SET revoked_at = $1 \
         WHERE user_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id.to_string())
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO invitations (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id.to_string())
    .bind(now)
    .bind(now + ttl_secs)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The person an invitation token is for, while it is open (not used, revoked or
/// expired, and the person still active): `(user id, role, e-mail)`.
pub async fn open_invitation(
    db: &Db,
    token_hash: &str,
) -> Result<Option<(Uuid, Role, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.role, u.email FROM invitations i JOIN users u ON u.id = i.user_id \
         WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.revoked_at IS NULL \
           AND i.expires_at > $2 AND u.active = TRUE",
    )
    .bind(token_hash)
    .bind(now())
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        Ok((
            parse_uuid(row.try_get("id")?)?,
            parse_role(row.try_get("role")?),
            row.try_get("email")?,
        ))
    })
    .transpose()
}

/// Uses the invitation and sets the password, atomically: of two concurrent uses of one
/// token only one succeeds. Returns the user id, or `None` when the token was no longer
/// open.
pub async fn consume_invitation(
    db: &Db,
    token_hash: &str,
    password_hash: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    let now = now();
    let mut tx = db.pool.begin().await?;
    let row = sqlx::query(
        "UPDATE invitations SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 \
         RETURNING user_id",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        return Ok(None);
    };
    let user_id = parse_uuid(row.try_get("user_id")?)?;
    let updated =
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND active = TRUE")
            .bind(password_hash)
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(user_id))
}

/// Changes contact data and skills of a technician of the company; absent values stay.
pub async fn update_technician(
    db: &Db,
    company_id: Uuid,
    id: Uuid,
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
    skills: Option<&[String]>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE users SET name = COALESCE($1, name), email = COALESCE($2, email), \
         phone = COALESCE($3, phone) \
         WHERE id = $4 AND company_id = $5 AND role = 'technician'",
    )
    .bind(name.map(str::trim))
    .bind(email.map(|e| e.trim().to_lowercase()))
    .bind(phone.map(str::trim))
    .bind(id.to_string())
    .bind(company_id.to_string())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if let Some(skills) = skills {
        sqlx::query(
            "INSERT INTO technician_profiles (user_id, skills, photo_key) VALUES ($1, $2, NULL) \
             ON CONFLICT (user_id) DO UPDATE SET skills = excluded.skills",
        )
        .bind(id.to_string())
        .bind(join_list(skills))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Stores a technician's new thumbnail and points the profile at it.
pub async fn store_photo(
    db: &Db,
    company_id: Uuid,
    id: Uuid,
    photo_key: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<bool, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    let owner = sqlx::query(
        "SELECT id FROM users WHERE id = $1 AND company_id = $2 AND role = 'technician'",
    )
    .bind(id.to_string())
    .bind(company_id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    if owner.is_none() {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO photos (user_id, photo_key, content_type, bytes, updated_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id) DO UPDATE SET photo_key = excluded.photo_key, \
         content_type = excluded.content_type, bytes = excluded.bytes, updated_at = excluded.updated_at",
    )
    .bind(id.to_string())
    .bind(photo_key)
    .bind(content_type)
    .bind(bytes.to_vec())
    .bind(now())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO technician_profiles (user_id, skills, photo_key) VALUES ($1, '', $2) \
         ON CONFLICT (user_id) DO UPDATE SET photo_key = excluded.photo_key",
    )
    .bind(id.to_string())
    .bind(photo_key)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A stored thumbnail: key (ETag), media type, bytes.
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    pub photo_key: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The thumbnail of a technician of the company, if one was uploaded.
pub async fn photo(
    db: &Db,
    company_id: Uuid,
    id: Uuid,
) -> Result<Option<StoredPhoto>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT ph.photo_key, ph.content_type, ph.bytes FROM photos ph \
         JOIN users u ON u.id = ph.user_id WHERE ph.user_id = $1 AND u.company_id = $2",
    )
    .bind(id.to_string())
    .bind(company_id.to_string())
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        Ok(StoredPhoto {
            photo_key: row.try_get("photo_key")?,
            content_type: row.try_get("content_type")?,
            bytes: row.try_get("bytes")?,
        })
    })
    .transpose()
}

/// Deactivates a technician of the company and ends their sessions. `false` when no such
/// technician.
pub async fn deactivate_technician(
    db: &Db,
    company_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE users SET active = FALSE WHERE id = $1 AND company_id = $2 AND role = 'technician'",
    )
    .bind(id.to_string())
    .bind(company_id.to_string())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    revoke_sessions(&mut tx, id).await?;
    tx.commit().await?;
    Ok(true)
}

async fn revoke_sessions(
    tx: &mut Transaction<'static, Any>,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(user_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The company's offered skills.
pub async fn offered_skills(db: &Db, company_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    let row = sqlx::query("SELECT skills FROM companies WHERE id = $1")
        .bind(company_id.to_string())
        .fetch_optional(&db.read)
        .await?;
    Ok(row
        .map(|r| r.try_get::<String, _>("skills"))
        .transpose()?
        .map(|s| split_list(&s))
        .unwrap_or_default())
}

/// The active dispatchers of the company, by name.
pub async fn list_dispatchers(
    db: &Db,
    company_id: Uuid,
) -> Result<Vec<DispatcherSummary>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, email, phone, password_hash FROM users \
         WHERE company_id = $1 AND role = 'dispatcher' AND active = TRUE ORDER BY name, id",
    )
    .bind(company_id.to_string())
    .fetch_all(&db.read)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DispatcherSummary {
                id: parse_uuid(row.try_get("id")?)?,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                phone: row.try_get("phone")?,
                activated: row.try_get::<Option<String>, _>("password_hash")?.is_some(),
            })
        })
        .collect()
}

/// Why a dispatcher could not be removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveDispatcher {
    Removed,
    NotFound,
    /// The company would be left without an activated dispatcher.
    LastOne,
}

/// Removes (deactivates) a dispatcher of the company unless no other activated, active
/// dispatcher would remain. The check and the change are one statement, so two
/// dispatchers removing each other at once cannot both succeed on SQLite; on PostgreSQL
/// the company's dispatcher rows are locked first.
pub async fn remove_dispatcher(
    db: &Db,
    company_id: Uuid,
    id: Uuid,
) -> Result<RemoveDispatcher, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    if db.engine == super::Engine::Postgres {
        sqlx::query(
            "SELECT id FROM users WHERE company_id = $1 AND role = 'dispatcher' FOR UPDATE",
        )
        .bind(company_id.to_string())
        .execute(&mut *tx)
        .await?;
    }
    let exists = sqlx::query(
        "SELECT id FROM users WHERE id = $1 AND company_id = $2 AND role = 'dispatcher' AND active = TRUE",
    )
    .bind(id.to_string())
    .bind(company_id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    if exists.is_none() {
        tx.rollback().await?;
        return Ok(RemoveDispatcher::NotFound);
    }
    let updated = sqlx::query(
        "UPDATE users SET active = FALSE WHERE id = $1 AND company_id = $2 AND role = 'dispatcher' \
         AND active = TRUE AND (SELECT COUNT(*) FROM users o WHERE o.company_id = $2 \
         AND o.role = 'dispatcher' AND o.active = TRUE AND o.password_hash IS NOT NULL \
         AND o.id <> $1) > 0",
    )
    .bind(id.to_string())
    .bind(company_id.to_string())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(RemoveDispatcher::LastOne);
    }
    revoke_sessions(&mut tx, id).await?;
    tx.commit().await?;
    Ok(RemoveDispatcher::Removed)
}

/// Whether `id` is a dispatcher of the company who has not set a password yet.
pub async fn pending_member(
    db: &Db,
    company_id: Uuid,
    id: Uuid,
    role: Role,
) -> Result<Option<(String, String, bool)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT name, email, password_hash FROM users \
         WHERE id = $1 AND company_id = $2 AND role = $3 AND active = TRUE",
    )
    .bind(id.to_string())
    .bind(company_id.to_string())
    .bind(role_str(role))
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        Ok((
            row.try_get("name")?,
            row.try_get("email")?,
            row.try_get::<Option<String>, _>("password_hash")?.is_some(),
        ))
    })
    .transpose()
}

/// The company profile.
pub async fn company_profile(
    db: &Db,
    company_id: Uuid,
) -> Result<Option<CompanyProfile>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, name, email, phone, time_zone, currency, service_area, skills \
         FROM companies WHERE id = $1",
    )
    .bind(company_id.to_string())
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        Ok(CompanyProfile {
            id: parse_uuid(row.try_get("id")?)?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            phone: row.try_get("phone")?,
            time_zone: row.try_get("time_zone")?,
            currency: row.try_get("currency")?,
            service_area: split_list(row.try_get("service_area")?),
            skills: split_list(row.try_get("skills")?),
        })
    })
    .transpose()
}

/// Writes the company profile as given (the caller merged and validated it).
pub async fn save_company_profile(db: &Db, profile: &CompanyProfile) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE companies SET email = $1, phone = $2, time_zone = $3, currency = $4, \
         service_area = $5, skills = $6 WHERE id = $7",
    )
    .bind(profile.email.trim())
    .bind(profile.phone.trim())
    .bind(&profile.time_zone)
    .bind(&profile.currency)
    .bind(join_list(&profile.service_area))
    .bind(join_list(&profile.skills))
    .bind(profile.id.to_string())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The newest outbox messages of the company (demo mode only, for trying invitations
/// without a mail server).
pub async fn outbox_of(
    db: &Db,
    company_id: Uuid,
    limit: i64,
) -> Result<Vec<OutboxEntry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, call_id, kind, recipient, subject, body, created_at, hold_key, cancelled_at \
         FROM outbox \
         WHERE company_id = $1 ORDER BY created_at DESC, id LIMIT $2",
    )
    .bind(company_id.to_string())
    .bind(limit)
    .fetch_all(&db.read)
    .await?;
    rows.iter()
        .map(|row| {
            let call_id: Option<String> = row.try_get("call_id")?;
            let hold_key: Option<String> = row.try_get("hold_key")?;
            let cancelled_at: Option<i64> = row.try_get("cancelled_at")?;
            Ok(OutboxEntry {
                id: parse_uuid(row.try_get("id")?)?,
                call_id: call_id.as_deref().map(parse_uuid).transpose()?,
                kind: row.try_get("kind")?,
                recipient: row.try_get("recipient")?,
                subject: row.try_get("subject")?,
                body: row.try_get("body")?,
                created_at: row.try_get("created_at")?,
                held: hold_key.is_some(),
                cancelled: cancelled_at.is_some(),
            })
        })
        .collect()
}

/// How many calls of the company each technician has with a slot starting in
/// `[from, to)` (Unix seconds), cancelled calls left out.
pub async fn calls_per_technician(
    db: &Db,
    company_id: Uuid,
    from: i64,
    to: i64,
) -> Result<Vec<(Uuid, u32)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT technician_id, COUNT(*) AS n FROM calls \
         WHERE accepted_by = $1 AND technician_id IS NOT NULL AND status <> 'cancelled' \
           AND slot_start >= $2 AND slot_start < $3 \
         GROUP BY technician_id",
    )
    .bind(company_id.to_string())
    .bind(from)
    .bind(to)
    .fetch_all(&db.read)
    .await?;
    rows.iter()
        .map(|row| {
            let n: i64 = row.try_get("n")?;
            Ok((
                parse_uuid(row.try_get("technician_id")?)?,
                u32::try_from(n).unwrap_or(u32::MAX),
            ))
        })
        .collect()
}

/// The ids of the company's calls assigned to `technician_id` that are still open and not
/// over: accepted or in progress, with no slot yet or a slot ending after `now`.
pub async fn open_calls_of(
    db: &Db,
    company_id: Uuid,
    technician_id: Uuid,
    now: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id FROM calls \
         WHERE accepted_by = $1 AND technician_id = $2 \
           AND status IN ('accepted', 'in_progress') \
           AND (slot_end IS NULL OR slot_end > $3) \
         ORDER BY slot_start, id",
    )
    .bind(company_id.to_string())
    .bind(technician_id.to_string())
    .bind(now)
    .fetch_all(&db.read)
    .await?;
    rows.iter()
        .map(|row| parse_uuid(row.try_get("id")?))
        .collect()
}
