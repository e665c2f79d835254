//! Technicians (and, later, dispatchers and the company profile) as stored.
//!
//! Verification facts, which other modules rely on: *activated* is
//! `users.password_hash IS NOT NULL`, *has a photo* is
//! `technician_profiles.photo_key IS NOT NULL`, *skills* is the comma-separated
//! `technician_profiles.skills`, and a deactivated technician has `users.active = FALSE`.

use sqlx::Row;
use uuid::Uuid;

use super::{accounts::parse_uuid, Db};
use domain::technician::TechnicianFacts;

/// The facts the domain needs to assign `technician_id`, if it is a technician of
/// `company_id` (another company's technician is `None`, like an unknown id).
pub async fn technician_facts(
    db: &Db,
    company_id: Uuid,
    technician_id: Uuid,
) -> Result<Option<(TechnicianFacts, bool)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.company_id, u.password_hash, u.active, p.photo_key, \
                COALESCE(p.skills, '') AS skills \
         FROM users u LEFT JOIN technician_profiles p ON p.user_id = u.id \
         WHERE u.id = $1 AND u.company_id = $2 AND u.role = 'technician'",
    )
    .bind(technician_id.to_string())
    .bind(company_id.to_string())
    .fetch_optional(&db.pool)
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
            row.try_get::<bool, _>("active")?,
        ))
    })
    .transpose()
}
