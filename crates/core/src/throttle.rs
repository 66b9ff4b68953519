//! Throttling of guesses and of anonymous writes. Every guarded attempt first **takes a slot**
//! under each of its limits: a row in the database, committed, then counted over the limit's
//! window. An attempt that finds more than `max` rows (its own included) gives its slot back
//! and is refused without being checked. Because every attempt counts all slots committed
//! before its count, no more than `max` are checked however many arrive at once, on however
//! many instances. Then the caller keeps the slot where the attempt should count (a wrong
//! password, a stored report) or gives it back (a right password: only failures count).
//!
//! Sign-in limits: the tight one is per account *and* address; an address guessing across
//! many accounts has its own; and a ceiling per account stops a guesser who spreads over many
//! addresses. So that such a guesser cannot lock the owner out, a browser that once signed in
//! to the account with its password holds a **device cookie** (OWASP's "device cookies"):
//! with it, the per-account ceiling does not apply, only a limit on that one device. The
//! ceiling for unknown browsers is deliberately slow (20 an hour).

use crate::error::CoreResult;
use crate::store::Store;
use crate::time_util::Timestamp;
use std::net::IpAddr;
use time::Duration;

/// At most `max` attempts under `key` within `window`.
pub struct Limit {
    pub key: String,
    pub max: i64,
    pub window: Duration,
}

/// Failed sign-ins an unknown browser may add to one account per hour, from anywhere.
pub const UNKNOWN_BROWSER_CEILING: i64 = 20;

/// Where a sign-in attempt comes from: the client's address and, if the browser holds a
/// device cookie for the account being tried, that cookie's hash.
pub struct SignInSource<'a> {
    pub addr: Option<IpAddr>,
    pub trusted_device: Option<&'a str>,
}

/// The limits a sign-in attempt for `email` is subject to.
pub fn login_limits(email: &str, from: &SignInSource<'_>) -> Vec<Limit> {
    let email = email.trim().to_lowercase();
    let mut limits = match from.trusted_device {
        // A browser that signed in before: its own limit instead of the account's ceiling.
        Some(device) => vec![Limit { key: format!("login-device:{device}"), max: 10, window: Duration::minutes(15) }],
        None => vec![Limit {
            key: format!("login-account:{email}"),
            max: UNKNOWN_BROWSER_CEILING,
            window: Duration::hours(1),
        }],
    };
    if let Some(a) = from.addr {
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

/// An attempt's place under its limits, taken before the attempt is checked. Dropping it
/// keeps it counted; [`give_back`] forgets it.
#[must_use = "keep the slot (let it drop) or give it back"]
pub struct Slot(String);

/// Takes a slot under every limit; `None` when a limit is full (the attempt must be refused,
/// and its slot is given back already).
pub async fn take(store: &dyn Store, now: Timestamp, limits: &[Limit]) -> CoreResult<Option<Slot>> {
    let slot = Slot(uuid::Uuid::now_v7().to_string());
    let keys: Vec<String> = limits.iter().map(|l| l.key.clone()).collect();
    store.take_slots(&slot.0, &keys, now).await?;
    for limit in limits {
        if store.failures_since(&limit.key, now - limit.window).await? > limit.max {
            store.release_slot(&slot.0).await?;
            return Ok(None);
        }
    }
    Ok(Some(slot))
}

/// Forgets a slot: the attempt succeeded where only failures count, or failed where only
/// successes do.
pub async fn give_back(store: &dyn Store, slot: Slot) -> CoreResult<()> {
    Ok(store.release_slot(&slot.0).await?)
}

/// Remembers the browser that just signed in as `email` with its password; returns the
/// device cookie's value (stored only as a hash).
pub async fn trust_device(store: &dyn Store, now: Timestamp, email: &str) -> CoreResult<String> {
    let secret = crate::identity::accounts::random_secret(32);
    let email = email.trim().to_lowercase();
    store.trust_device(&crate::identity::accounts::sha256_hex(&secret), &email, now).await?;
    Ok(secret)
}

/// The hash of the browser's device cookie if it signed in as `email` before; None for an
/// unknown browser (no cookie, a cookie of another account, or a made-up one).
pub async fn trusted_device(
    store: &dyn Store,
    now: Timestamp,
    email: &str,
    cookie: Option<&str>,
) -> CoreResult<Option<String>> {
    let Some(cookie) = cookie.filter(|c| !c.is_empty() && c.len() <= 100) else {
        return Ok(None);
    };
    let hash = crate::identity::accounts::sha256_hex(cookie);
    let email = email.trim().to_lowercase();
    Ok(store.device_is_trusted(&hash, &email, now).await?.then_some(hash))
}
