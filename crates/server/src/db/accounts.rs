//! Companies and the people who sign in (dispatchers and technicians).

use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{now, Db};
use domain::{
    api::{CompanySummary, Role},
    locale::Locale,
};

/// A company as stored.
#[derive(Debug, Clone)]
pub struct NewCompany<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub time_zone: &'a str,
    pub currency: &'a str,
    pub service_area: &'a str,
    pub skills: &'a str,
}

/// A person who can sign in, with the password hash for checking.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: Uuid,
    pub company_id: Uuid,
    pub role: Role,
    pub name: String,
    pub email: String,
    pub password_hash: Option<String>,
}

pub(crate) fn role_str(role: Role) -> &'static str {
    match role {
        Role::Dispatcher => "dispatcher",
        Role::Technician => "technician",
    }
}

pub(crate) fn parse_role(raw: &str) -> Role {
    match raw {
        "technician" => Role::Technician,
        _ => Role::Dispatcher,
    }
}

pub(crate) fn parse_uuid(raw: &str) -> Result<Uuid, sqlx::Error> {
    Uuid::parse_str(raw).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Whether any company exists yet (the demo seed only fills an empty database).
pub async fn any_company(db: &Db) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM companies")
        .fetch_one(&db.read)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Creates a company and returns its id.
pub async fn create_company(db: &Db, company: &NewCompany<'_>) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO companies (id, name, email, time_zone, currency, service_area, skills, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(company.name)
    .bind(company.email)
    .bind(company.time_zone)
    .bind(company.currency)
    .bind(company.service_area)
    .bind(company.skills)
    .bind(now())
    .execute(&db.pool)
    .await?;
    Ok(id)
}

/// Creates a user of `company_id` and returns its id. E-mails are stored lower-case.
pub async fn create_user(
    db: &Db,
    company_id: Uuid,
    role: Role,
    name: &str,
    email: &str,
    password_hash: Option<&str>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, company_id, role, name, email, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(company_id.to_string())
    .bind(role_str(role))
    .bind(name)
    .bind(email.trim().to_lowercase())
    .bind(password_hash)
    .bind(now())
    .execute(&db.pool)
    .await?;
    Ok(id)
}

/// The technician's profile: skills and photo (verification facts).
pub async fn set_technician_profile(
    db: &Db,
    user_id: Uuid,
    skills: &[&str],
    photo_key: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO technician_profiles (user_id, skills, photo_key) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET skills = excluded.skills, photo_key = excluded.photo_key",
    )
    .bind(user_id.to_string())
    .bind(skills.join(","))
    .bind(photo_key)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Finds an active user by sign-in e-mail (case-insensitive).
pub async fn find_user_by_email(db: &Db, email: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, company_id, role, name, email, password_hash FROM users \
         WHERE email = $1 AND active = TRUE",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        Ok(UserRecord {
            id: parse_uuid(row.try_get("id")?)?,
            company_id: parse_uuid(row.try_get("company_id")?)?,
            role: parse_role(row.try_get("role")?),
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            password_hash: row.try_get("password_hash")?,
        })
    })
    .transpose()
}

/// The company summary the app's shell shows.
pub async fn company_summary(
    db: &Db,
    company_id: Uuid,
) -> Result<Option<CompanySummary>, sqlx::Error> {
    let row = sqlx::query("SELECT id, name, time_zone, currency FROM companies WHERE id = $1")
        .bind(company_id.to_string())
        .fetch_optional(&db.read)
        .await?;
    row.map(|row| {
        Ok(CompanySummary {
            id: parse_uuid(row.try_get("id")?)?,
            name: row.try_get("name")?,
            time_zone: row.try_get("time_zone")?,
            currency: row.try_get("currency")?,
        })
    })
    .transpose()
}

/// A person's locale: their own choice when it is a supported one, else their company's
/// default ([`domain::company::default_locale`], from its country).
pub fn effective_locale(chosen: Option<&str>, company_time_zone: &str) -> Locale {
    chosen
        .and_then(Locale::from_tag)
        .unwrap_or_else(|| domain::company::default_locale(None, company_time_zone))
}

/// Stores the locale `user_id` chose (the profile's and the header's switch); it follows
/// them to every device and into every e-mail they get.
pub async fn set_locale(db: &Db, user_id: Uuid, locale: Locale) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
        .bind(locale.tag())
        .bind(user_id.to_string())
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Every active dispatcher of `company` who has activated their account (an invited one
/// gets no request e-mails before), with the locale their e-mails are written in, ordered
/// by address.
pub async fn dispatcher_recipients(
    conn: &mut AnyConnection,
    company: Uuid,
) -> Result<Vec<(String, Locale)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.email, u.locale, c.time_zone FROM users u JOIN companies c ON c.id = u.company_id \
         WHERE u.company_id = $1 AND u.role = 'dispatcher' AND u.active = TRUE \
           AND u.password_hash IS NOT NULL ORDER BY u.email",
    )
    .bind(company.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let chosen: Option<String> = r.try_get("locale")?;
            let zone: String = r.try_get("time_zone")?;
            Ok((
                r.try_get("email")?,
                effective_locale(chosen.as_deref(), &zone),
            ))
        })
        .collect()
}

/// The locale of one person (a technician's push, an invitation), `None` when unknown.
pub async fn user_locale(
    conn: &mut AnyConnection,
    user_id: Uuid,
) -> Result<Option<Locale>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.locale, c.time_zone FROM users u JOIN companies c ON c.id = u.company_id \
         WHERE u.id = $1",
    )
    .bind(user_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let chosen: Option<String> = r.try_get("locale")?;
        let zone: String = r.try_get("time_zone")?;
        Ok(effective_locale(chosen.as_deref(), &zone))
    })
    .transpose()
}

/// Changes a person's own name and sign-in e-mail (an absent one stays). The e-mail's
/// unique index answers a concurrent claim of the same address.
pub async fn update_own(
    db: &Db,
    user_id: Uuid,
    name: Option<&str>,
    email: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET name = COALESCE($1, name), email = COALESCE($2, email) WHERE id = $3",
    )
    .bind(name.map(|n| n.trim().to_owned()))
    .bind(email.map(|e| e.trim().to_lowercase()))
    .bind(user_id.to_string())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The stored password hash of an active person (`None`: not activated).
pub async fn password_hash(db: &Db, user_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1 AND active = TRUE")
        .bind(user_id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    Ok(match row {
        Some(row) => row.try_get("password_hash")?,
        None => None,
    })
}

/// Sets a new password hash and revokes every other session of the person, in one
/// transaction: the session whose token hash is `kept` stays signed in.
pub async fn set_password_keeping(
    db: &Db,
    user_id: Uuid,
    hash: &str,
    kept: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE user_id = $2 AND token_hash <> $3 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(user_id.to_string())
    .bind(kept)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
