//! Sign-in abuse: what keeps password guessing slow and cheap for the server.
//!
//! - A token bucket (governor's GCRA) per account and one per client address for each
//!   endpoint that checks a secret (sign-in, activation, later the embed's token
//!   exchange): past the burst, `429` problem+json with `Retry-After`.
//! - A temporary lock per account after a streak of failed sign-ins. Each further lock
//!   of the same account lasts twice as long, up to a ceiling, and the streak and the
//!   doubling are forgotten once the account has been quiet for that ceiling: a lock
//!   always expires, so an attacker can slow a victim's sign-in but never shut it for
//!   good, and a correct password after the lock works.
//! - A cap on concurrent argon2 computations (each costs tens of milliseconds of a core):
//!   a request that cannot get a permit within a short wait is answered `503` with
//!   `Retry-After`, so a storm of sign-ins cannot starve the rest of the API.
//!
//! The client address is the TCP peer (`ConnectInfo`), or with `TRUST_PROXY` the last
//! `X-Forwarded-For` entry (the one our own proxy appended).

use std::{
    collections::HashMap,
    convert::Infallible,
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, FromRef, FromRequestParts},
    http::request::Parts,
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::Error;
use crate::{config::SignInLimits, AppState};

/// Which secret-checking endpoint a try is for: each has its own buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Login,
    Activation,
    /// Minting and exchanging the embed's sign-in tokens.
    EmbedToken,
}

/// Above this many remembered keys, forgotten ones are swept on the next try.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    streak: u32,
    locks: u32,
    locked_until: Option<Instant>,
    last: Instant,
}

/// The limits of this instance (kept in memory: behind several instances each enforces
/// its own, which multiplies the allowance by their number but never lifts it).
pub struct Limits {
    config: SignInLimits,
    per_account: DefaultKeyedRateLimiter<(Endpoint, String)>,
    per_address: DefaultKeyedRateLimiter<(Endpoint, IpAddr)>,
    failures: Mutex<HashMap<String, Failures>>,
    hashes: Arc<Semaphore>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("config", &self.config)
            .field("hash_permits", &self.hashes.available_permits())
            .finish_non_exhaustive()
    }
}

fn quota(per_window: u32, window: Duration) -> Quota {
    let burst = NonZeroU32::new(per_window.max(1)).expect("at least one");
    let period = (window / burst.get()).max(Duration::from_millis(1));
    Quota::with_period(period)
        .expect("a positive period")
        .allow_burst(burst)
}

impl Limits {
    pub fn new(config: &SignInLimits) -> Self {
        Self {
            per_account: RateLimiter::keyed(quota(config.per_account, config.window)),
            per_address: RateLimiter::keyed(quota(config.per_address, config.window)),
            failures: Mutex::default(),
            hashes: Arc::new(Semaphore::new(config.max_hashes.max(1))),
            config: config.clone(),
        }
    }

    /// Before a secret for `account` (a normalised e-mail, an invitation token's hash)
    /// from `addr` is checked: the address's and the account's buckets, then the
    /// account's lock. A refusal is a 429 with how long to wait.
    pub fn admit(
        &self,
        endpoint: Endpoint,
        account: &str,
        addr: Option<IpAddr>,
    ) -> Result<(), Error> {
        if let Some(addr) = addr {
            self.sweep(&self.per_address);
            if let Err(not_until) = self.per_address.check_key(&(endpoint, addr)) {
                let wait = not_until.wait_time_from(self.per_address.clock().now());
                tracing::info!(%addr, ?endpoint, "rate limit per address reached");
                return Err(Error::TooManyRequests { retry_after: wait });
            }
        }
        self.sweep(&self.per_account);
        if let Err(not_until) = self.per_account.check_key(&(endpoint, account.to_owned())) {
            let wait = not_until.wait_time_from(self.per_account.clock().now());
            tracing::info!(?endpoint, "rate limit per account reached");
            return Err(Error::TooManyRequests { retry_after: wait });
        }
        if endpoint == Endpoint::Login {
            let now = Instant::now();
            let failures = self.failures.lock().expect("limits lock");
            if let Some(until) = failures.get(account).and_then(|f| f.locked_until) {
                if until > now {
                    return Err(Error::TooManyRequests {
                        retry_after: until - now,
                    });
                }
            }
        }
        Ok(())
    }

    fn sweep<K: Clone + std::hash::Hash + Eq>(&self, limiter: &DefaultKeyedRateLimiter<K>) {
        if limiter.len() > SWEEP_ABOVE {
            limiter.retain_recent();
        }
    }

    /// A permit to run one password hash, waited for at most the configured time.
    pub async fn hash_permit(&self) -> Result<OwnedSemaphorePermit, Error> {
        match tokio::time::timeout(self.config.hash_wait, self.hashes.clone().acquire_owned()).await
        {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                tracing::warn!("password hashing saturated; refusing a sign-in");
                Err(Error::Busy {
                    retry_after: Duration::from_secs(1),
                })
            }
        }
    }

    /// A wrong password for `account`: the streak grows, and at its limit the account
    /// is locked for the next, longer, period.
    pub fn failed(&self, account: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("limits lock");
        if failures.len() > SWEEP_ABOVE {
            let forget = self.config.lock_max;
            failures.retain(|_, f| now.duration_since(f.last) < forget);
        }
        let entry = failures.entry(account.to_owned()).or_insert(Failures {
            streak: 0,
            locks: 0,
            locked_until: None,
            last: now,
        });
        // Quiet for the ceiling: start afresh.
        if now.duration_since(entry.last) >= self.config.lock_max {
            *entry = Failures {
                streak: 0,
                locks: 0,
                locked_until: None,
                last: now,
            };
        }
        entry.last = now;
        entry.streak += 1;
        if entry.streak >= self.config.lock_after.max(1) {
            entry.streak = 0;
            entry.locks = entry.locks.saturating_add(1);
            let lock = self
                .config
                .lock_for
                .saturating_mul(1 << (entry.locks - 1).min(16))
                .min(self.config.lock_max);
            entry.locked_until = Some(now + lock);
            tracing::info!(
                locks = entry.locks,
                seconds = lock.as_secs(),
                "account locked after failed sign-ins"
            );
        }
    }

    /// A correct password: the account's failures are forgotten.
    pub fn succeeded(&self, account: &str) {
        self.failures.lock().expect("limits lock").remove(account);
    }
}

/// The client's address, for the per-address limit (`None` when unknown, e.g. a
/// router driven without a socket in a unit test).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S> FromRequestParts<S> for ClientAddr
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        if state.config.trust_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if forwarded.is_some() {
                return Ok(Self(forwarded));
            }
        }
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        ))
    }
}

/// The key of an account: the e-mail as typed, trimmed and lower-cased, so `Anna@X`
/// and `anna@x ` share one bucket.
pub fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(lock_after: u32) -> Limits {
        Limits::new(&SignInLimits {
            per_account: 100,
            per_address: 100,
            window: Duration::from_secs(60),
            lock_after,
            lock_for: Duration::from_secs(10),
            lock_max: Duration::from_secs(25),
            max_hashes: 1,
            hash_wait: Duration::from_millis(10),
        })
    }

    fn locked_for(l: &Limits, account: &str) -> Option<Duration> {
        match l.admit(Endpoint::Login, account, None) {
            Err(Error::TooManyRequests { retry_after }) => Some(retry_after),
            _ => None,
        }
    }

    #[test]
    fn a_streak_locks_each_lock_longer_up_to_the_ceiling() {
        let l = limits(2);
        l.failed("a");
        assert!(locked_for(&l, "a").is_none());
        l.failed("a");
        let first = locked_for(&l, "a").expect("locked");
        assert!(first <= Duration::from_secs(10) && first > Duration::from_secs(9));
        l.failed("a");
        l.failed("a");
        let second = locked_for(&l, "a").expect("locked");
        assert!(second > Duration::from_secs(19));
        l.failed("a");
        l.failed("a");
        assert!(locked_for(&l, "a").expect("locked") <= Duration::from_secs(25));
        assert!(
            locked_for(&l, "b").is_none(),
            "other accounts are not locked"
        );
        l.succeeded("a");
        assert!(locked_for(&l, "a").is_none());
    }

    #[tokio::test]
    async fn hash_permits_are_capped() {
        let l = limits(5);
        let held = l.hash_permit().await.expect("first permit");
        assert!(matches!(l.hash_permit().await, Err(Error::Busy { .. })));
        drop(held);
        assert!(l.hash_permit().await.is_ok());
    }

    #[test]
    fn account_keys_ignore_case_and_spaces() {
        assert_eq!(account_key(" Anna@Alpen.Example "), "anna@alpen.example");
    }
}
