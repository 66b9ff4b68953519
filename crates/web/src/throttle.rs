//! Login throttling per account and per client address. Both limits answer with the same
//! generic message as a wrong password, so they reveal nothing about which accounts exist.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

pub struct LoginThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl LoginThrottle {
    pub fn new() -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self { per_account: RateLimiter::keyed(per_minute(5)), per_address: RateLimiter::keyed(per_minute(30)) }
    }

    /// Counts one attempt; false when either limit is exhausted.
    pub fn allow(&self, email: &str, addr: Option<IpAddr>) -> bool {
        let account_ok = self.per_account.check_key(&email.trim().to_lowercase()).is_ok();
        let address_ok = addr.is_none_or(|a| self.per_address.check_key(&a).is_ok());
        account_ok && address_ok
    }
}
