//! The company's own settings (branding, default language), its allowed embed origins,
//! its partner API key, and the embed's single-use tokens (sign-in tokens minted by the
//! partner's server, WebSocket tickets of bearer sessions). Keys and tokens are kept as
//! SHA-256 only, like sessions, so a leaked database leaks nothing usable.

use sqlx::Row;
use uuid::Uuid;

use super::{accounts::parse_uuid, now, sessions::token_hash, Db};
use domain::api::company::{CompanySettings, EmbedConfig, EmbedOrigin, PartnerKeyInfo};

/// The company's settings.
pub async fn settings(db: &Db, company_id: Uuid) -> Result<Option<CompanySettings>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, name, address, brand_colour, logo_url, default_language, \
                (SELECT COUNT(*) FROM call_offers WHERE company_id = $1) AS calls \
         FROM companies WHERE id = $1",
    )
    .bind(company_id.to_string())
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        Ok(CompanySettings {
            id: parse_uuid(row.try_get("id")?)?,
            name: row.try_get("name")?,
            address: row.try_get("address")?,
            brand_colour: row.try_get("brand_colour")?,
            logo_url: row.try_get("logo_url")?,
            default_language: row.try_get("default_language")?,
            currency_locked: row.try_get::<i64, _>("calls")? > 0,
        })
    })
    .transpose()
}

/// Writes the settings as given (the caller merged and validated them).
pub async fn save_settings(db: &Db, s: &CompanySettings) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE companies SET name = $1, address = $2, brand_colour = $3, logo_url = $4, \
         default_language = $5 WHERE id = $6",
    )
    .bind(s.name.trim())
    .bind(s.address.trim())
    .bind(s.brand_colour.trim().to_ascii_lowercase())
    .bind(s.logo_url.trim())
    .bind(&s.default_language)
    .bind(s.id.to_string())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Whether the company has any call, offered or accepted (its currency is then fixed).
pub async fn has_calls(db: &Db, company_id: Uuid) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM call_offers WHERE company_id = $1")
        .bind(company_id.to_string())
        .fetch_one(&db.read)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// The company's allowed embed origins, oldest first.
pub async fn origins(db: &Db, company_id: Uuid) -> Result<Vec<EmbedOrigin>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, origin, created_at FROM embed_origins WHERE company_id = $1 \
         ORDER BY created_at, origin",
    )
    .bind(company_id.to_string())
    .fetch_all(&db.read)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(EmbedOrigin {
                id: parse_uuid(row.try_get("id")?)?,
                origin: row.try_get("origin")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// Just the origin texts (for `frame-ancestors` and the cross-origin rule).
pub async fn origin_list(db: &Db, company_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    Ok(origins(db, company_id)
        .await?
        .into_iter()
        .map(|o| o.origin)
        .collect())
}

/// Adds an already normalised origin; `None` when the company has it already.
pub async fn add_origin(
    db: &Db,
    company_id: Uuid,
    origin: &str,
) -> Result<Option<EmbedOrigin>, sqlx::Error> {
    let id = Uuid::new_v4();
    let created_at = now();
    let inserted = sqlx::query(
        "INSERT INTO embed_origins (id, company_id, origin, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (company_id, origin) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(company_id.to_string())
    .bind(origin)
    .bind(created_at)
    .execute(&db.pool)
    .await?;
    Ok((inserted.rows_affected() == 1).then(|| EmbedOrigin {
        id,
        origin: origin.to_owned(),
        created_at,
    }))
}

/// Removes one of the company's origins; false when it has no such one.
pub async fn remove_origin(db: &Db, company_id: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM embed_origins WHERE id = $1 AND company_id = $2")
        .bind(id.to_string())
        .bind(company_id.to_string())
        .execute(&db.pool)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// What the framed app needs before sign-in; `None` for an unknown company.
pub async fn embed_config(db: &Db, company_id: Uuid) -> Result<Option<EmbedConfig>, sqlx::Error> {
    let Some(s) = settings(db, company_id).await? else {
        return Ok(None);
    };
    Ok(Some(EmbedConfig {
        company_id,
        name: s.name,
        brand_colour: s.brand_colour,
        logo_url: s.logo_url,
        default_language: s.default_language,
        origins: origin_list(db, company_id).await?,
    }))
}

/// The company's partner key, if it has one.
pub async fn partner_key(db: &Db, company_id: Uuid) -> Result<Option<PartnerKeyInfo>, sqlx::Error> {
    let row = sqlx::query("SELECT prefix, created_at FROM partner_keys WHERE company_id = $1")
        .bind(company_id.to_string())
        .fetch_optional(&db.read)
        .await?;
    row.map(|row| {
        Ok(PartnerKeyInfo {
            prefix: row.try_get("prefix")?,
            created_at: row.try_get("created_at")?,
        })
    })
    .transpose()
}

/// Stores `key` as the company's partner key, replacing (so revoking) any older one.
pub async fn set_partner_key(
    db: &Db,
    company_id: Uuid,
    key: &str,
    prefix: &str,
) -> Result<i64, sqlx::Error> {
    let created_at = now();
    let mut tx = db.pool.begin().await?;
    sqlx::query("DELETE FROM partner_keys WHERE company_id = $1")
        .bind(company_id.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO partner_keys (company_id, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(company_id.to_string())
    .bind(token_hash(key))
    .bind(prefix)
    .bind(created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(created_at)
}

/// Revokes the company's partner key; false when it had none.
pub async fn revoke_partner_key(db: &Db, company_id: Uuid) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM partner_keys WHERE company_id = $1")
        .bind(company_id.to_string())
        .execute(&db.pool)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// The company whose partner key `key` is.
pub async fn company_of_partner_key(db: &Db, key: &str) -> Result<Option<Uuid>, sqlx::Error> {
    let row = sqlx::query("SELECT company_id FROM partner_keys WHERE key_hash = $1")
        .bind(token_hash(key))
        .fetch_optional(&db.read)
        .await?;
    row.map(|row| parse_uuid(row.try_get("company_id")?))
        .transpose()
}

/// The active dispatcher of the company with sign-in `email` (another company's
/// dispatcher is as unknown as nobody).
pub async fn dispatcher_by_email(
    db: &Db,
    company_id: Uuid,
    email: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id FROM users WHERE email = $1 AND company_id = $2 AND role = 'dispatcher' \
         AND active = TRUE",
    )
    .bind(email.trim().to_lowercase())
    .bind(company_id.to_string())
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| parse_uuid(row.try_get("id")?)).transpose()
}

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// The embed's sign-in, minted by the partner's server.
    SignIn,
    /// A WebSocket ticket of a bearer session.
    Ticket,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "signin",
            Self::Ticket => "ticket",
        }
    }
}

/// A new single-use token.
pub struct NewToken<'a> {
    pub kind: TokenKind,
    pub company_id: Uuid,
    pub user_id: Uuid,
    pub origin: &'a str,
    /// A ticket's session (its token hash), which must still be live when it is used.
    pub session_hash: Option<&'a str>,
    pub ttl_secs: i64,
}

/// Stores the token `token` (only its hash).
pub async fn create_token(db: &Db, token: &str, t: &NewToken<'_>) -> Result<(), sqlx::Error> {
    let now = now();
    sqlx::query(
        "INSERT INTO embed_tokens (token_hash, kind, company_id, user_id, origin, session_hash, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token_hash(token))
    .bind(t.kind.as_str())
    .bind(t.company_id.to_string())
    .bind(t.user_id.to_string())
    .bind(t.origin)
    .bind(t.session_hash)
    .bind(now)
    .bind(now + t.ttl_secs)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// A used token: whose it was and what it was bound to.
#[derive(Debug, Clone)]
pub struct UsedToken {
    pub company_id: Uuid,
    pub user_id: Uuid,
    pub origin: String,
    pub session_hash: Option<String>,
}

/// Uses the token once: marks it used in the same statement that checks it is unused
/// and unexpired, so two concurrent uses cannot both succeed. `None` when it is
/// unknown, used, expired or of another kind.
pub async fn consume_token(
    db: &Db,
    token: &str,
    kind: TokenKind,
) -> Result<Option<UsedToken>, sqlx::Error> {
    let hash = token_hash(token);
    let now = now();
    let updated = sqlx::query(
        "UPDATE embed_tokens SET used_at = $1 WHERE token_hash = $2 AND kind = $3 \
         AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(&hash)
    .bind(kind.as_str())
    .execute(&db.pool)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT company_id, user_id, origin, session_hash FROM embed_tokens WHERE token_hash = $1",
    )
    .bind(&hash)
    .fetch_one(&db.pool)
    .await?;
    Ok(Some(UsedToken {
        company_id: parse_uuid(row.try_get("company_id")?)?,
        user_id: parse_uuid(row.try_get("user_id")?)?,
        origin: row.try_get("origin")?,
        session_hash: row.try_get("session_hash")?,
    }))
}

/// Forgets tokens that expired more than an hour ago.
pub async fn sweep_tokens(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM embed_tokens WHERE expires_at < $1")
        .bind(now() - 3600)
        .execute(&db.pool)
        .await?;
    Ok(())
}
