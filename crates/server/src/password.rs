//! Password hashing with argon2id (OWASP's default parameters), off the async runtime.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};

use crate::http::error::Error;

/// Hashes a password into a PHC string.
pub fn hash_blocking(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing failed: {e}")))
}

/// Hashes a password on the blocking pool.
pub async fn hash(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
}

/// Checks a password against a stored PHC hash on the blocking pool.
pub async fn verify(password: String, hash: String) -> Result<bool, Error> {
    tokio::task::spawn_blocking(move || {
        let parsed =
            PasswordHash::new(&hash).map_err(|e| Error::Internal(format!("bad hash: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}
