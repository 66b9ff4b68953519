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

/// Parses a plain `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Parses an RFC 3339 time or a plain `YYYY-MM-DD` date (taken as midnight UTC).
pub fn parse_time(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    parse_date(s).map(|d| d.midnight().assume_utc())
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

/// `t` moved on by whole calendar months; a day that the target month lacks becomes its last
/// day (31 January + 1 month = 28 or 29 February).
pub fn add_months(t: Timestamp, months: i64) -> Timestamp {
    let date = t.date();
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + months;
    let (year, month0) = (index.div_euclid(12) as i32, index.rem_euclid(12) as u8);
    let month = time::Month::try_from(month0 + 1).unwrap_or(time::Month::December);
    let last = time::util::days_in_month(month, year);
    match time::Date::from_calendar_date(year, month, date.day().min(last)) {
        Ok(d) => t.replace_date(d),
        Err(_) => t,
    }
}

#[cfg(test)]
mod month_tests {
    use super::*;

    #[test]
    fn months_are_added_on_the_calendar() {
        let t = time::macros::datetime!(2026-01-31 10:00 UTC);
        assert_eq!(add_months(t, 1), time::macros::datetime!(2026-02-28 10:00 UTC));
        assert_eq!(add_months(t, 12), time::macros::datetime!(2027-01-31 10:00 UTC));
        assert_eq!(
            add_months(time::macros::datetime!(2028-01-31 0:00 UTC), 1),
            time::macros::datetime!(2028-02-29 0:00 UTC)
        );
        assert_eq!(
            add_months(time::macros::datetime!(2026-11-15 0:00 UTC), 3),
            time::macros::datetime!(2027-02-15 0:00 UTC)
        );
    }
}
