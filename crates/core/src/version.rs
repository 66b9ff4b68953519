//! Optimistic concurrency for edits: a record's version is its last-change time in
//! microseconds. Forms carry it in a hidden field and the API as an `ETag`; an edit based on
//! an older version is refused instead of silently overwriting someone else's change.

use crate::error::{CoreError, CoreResult};
use crate::time_util::{Timestamp, to_micros};

/// The version token of a record last changed at `updated_at`.
pub fn version_of(updated_at: Timestamp) -> String {
    to_micros(updated_at).to_string()
}

/// Fails with `Stale` when an expected version is given and differs from the stored one.
pub fn check_version(expected: Option<&str>, updated_at: Timestamp, what: &str) -> CoreResult<()> {
    match expected.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) if v != version_of(updated_at) => Err(CoreError::Stale(format!(
            "{what} was changed by someone else since you opened it; review the current values and save again"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_different_version_is_stale() {
        let t = crate::time_util::from_micros(1_700_000_000_123_456);
        assert!(check_version(None, t, "x").is_ok());
        assert!(check_version(Some(""), t, "x").is_ok());
        assert!(check_version(Some("1700000000123456"), t, "x").is_ok());
        assert!(matches!(check_version(Some("1700000000123455"), t, "x"), Err(CoreError::Stale(_))));
    }
}
