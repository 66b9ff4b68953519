//! Timestamps: stored as microseconds since the Unix epoch, shown as RFC 3339.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub type Timestamp = OffsetDateTime;

pub fn now() -> Timestamp {
    OffsetDateTime::now_utc()
}

pub fn to_micros(t: Timestamp) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

pub fn from_micros(us: i64) -> Timestamp {
    OffsetDateTime::from_unix_timestamp_nanos(us as i128 * 1_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn rfc3339(t: Timestamp) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Parses an RFC 3339 time or a plain `YYYY-MM-DD` date (taken as midnight UTC).
pub fn parse_time(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt).ok().map(|d| d.midnight().assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_round_trip_keeps_microsecond_precision() {
        let t = from_micros(1_764_000_000_123_456);
        assert_eq!(to_micros(t), 1_764_000_000_123_456);
    }

    #[test]
    fn dates_and_rfc3339_both_parse() {
        assert_eq!(to_micros(parse_time("2026-01-02").unwrap()), 1_767_312_000_000_000);
        assert!(parse_time("2026-01-02T03:04:05Z").is_some());
        assert!(parse_time("yesterday").is_none());
    }
}
