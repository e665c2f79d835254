//! Server-side sessions. The cookie holds a random token; only its SHA-256 is stored, so
//! a leaked database does not leak live sessions.

use sqlx::Row;
use uuid::Uuid;

use super::{
    accounts::{parse_role, parse_uuid},
    now, Db,
};
use domain::api::{CompanySummary, Me};

/// Hex SHA-256 of a session token.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new unguessable session token (244 random bits from the OS generator).
pub fn new_token() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// Stores a session for `user_id` valid for `ttl_secs`.
pub async fn create(db: &Db, token: &str, user_id: Uuid, ttl_secs: i64) -> Result<(), sqlx::Error> {
    let now = now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(token))
    .bind(user_id.to_string())
    .bind(now)
    .bind(now + ttl_secs)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The signed-in person behind a live (not expired, not revoked) session token.
pub async fn lookup(db: &Db, token: &str) -> Result<Option<Me>, sqlx::Error> {
    Ok(lookup_live(db, token).await?.map(|(me, _)| me))
}

/// [`lookup`] with the session's expiry (Unix seconds): a live socket closes then.
pub async fn lookup_live(db: &Db, token: &str) -> Result<Option<(Me, i64)>, sqlx::Error> {
    lookup_live_by_hash(db, &token_hash(token)).await
}

/// [`lookup_live`] by the token's hash (a WebSocket ticket knows only that).
pub async fn lookup_live_by_hash(db: &Db, hash: &str) -> Result<Option<(Me, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.name, u.email, u.role, u.locale, c.id AS company_id, c.name AS company_name, \
                c.time_zone, c.currency, s.expires_at \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN companies c ON c.id = u.company_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.active = TRUE",
    )
    .bind(hash)
    .bind(now())
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        let time_zone: String = row.try_get("time_zone")?;
        let chosen: Option<String> = row.try_get("locale")?;
        let me = Me {
            locale: chosen.as_deref().and_then(domain::locale::Locale::from_tag),
            company_locale: domain::company::default_locale(None, &time_zone),
            user_id: parse_uuid(row.try_get("id")?)?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            role: parse_role(row.try_get("role")?),
            company: CompanySummary {
                id: parse_uuid(row.try_get("company_id")?)?,
                name: row.try_get("company_name")?,
                time_zone,
                currency: row.try_get("currency")?,
            },
        };
        Ok((me, row.try_get("expires_at")?))
    })
    .transpose()
}

/// Revokes a session; later look-ups of the token find nothing. Returns whose session
/// it was (user and company), so their live sockets can be closed.
pub async fn revoke(db: &Db, token: &str) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    let hash = token_hash(token);
    let owner = sqlx::query(
        "SELECT u.id, u.company_id FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL",
    )
    .bind(&hash)
    .fetch_optional(&db.pool)
    .await?
    .map(|row| -> Result<(Uuid, Uuid), sqlx::Error> {
        Ok((
            parse_uuid(row.try_get("id")?)?,
            parse_uuid(row.try_get("company_id")?)?,
        ))
    })
    .transpose()?;
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(&hash)
        .execute(&db.pool)
        .await?;
    Ok(owner)
}
