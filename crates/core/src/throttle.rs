//! Throttling of guesses: failed sign-ins and dead set-password links are recorded in the
//! database (so every instance counts the same and a restart forgets nothing) and counted per
//! key over a window. Only failures count, so a person who knows their password is never
//! locked out by someone else's guessing from another address: the tight limit is per account
//! *and* address; an address guessing across many accounts has its own limit; and a slower
//! ceiling per account stops a guesser who spreads over many addresses.

use crate::error::CoreResult;
use crate::store::Store;
use crate::time_util::Timestamp;
use std::net::IpAddr;
use time::Duration;

/// At most `max` failures under `key` within `window`.
pub struct Limit {
    pub key: String,
    pub max: i64,
    pub window: Duration,
}

/// The limits a sign-in attempt for `email` from `addr` is subject to.
pub fn login_limits(email: &str, addr: Option<IpAddr>) -> Vec<Limit> {
    let email = email.trim().to_lowercase();
    let mut limits = vec![Limit { key: format!("login-account:{email}"), max: 100, window: Duration::hours(1) }];
    if let Some(a) = addr {
        limits.push(Limit { key: format!("login-pair:{email}|{a}"), max: 5, window: Duration::minutes(15) });
        limits.push(Limit { key: format!("login-address:{a}"), max: 30, window: Duration::minutes(10) });
    }
    limits
}

/// The limit on dead set-password links tried from `addr`.
pub fn reset_link_limits(addr: Option<IpAddr>) -> Vec<Limit> {
    let key = format!("reset-link:{}", addr.map(|a| a.to_string()).unwrap_or_default());
    vec![Limit { key, max: 20, window: Duration::minutes(10) }]
}

/// Whether another attempt is allowed: no limit has reached its maximum of failures.
pub async fn allowed(store: &dyn Store, now: Timestamp, limits: &[Limit]) -> CoreResult<bool> {
    for limit in limits {
        if store.failures_since(&limit.key, now - limit.window).await? >= limit.max {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Counts one failure against every limit.
pub async fn record_failure(store: &dyn Store, now: Timestamp, limits: &[Limit]) -> CoreResult<()> {
    let keys: Vec<String> = limits.iter().map(|l| l.key.clone()).collect();
    Ok(store.record_failures(&keys, now).await?)
}
