//! Field validation helpers that collect every problem at once, so a form shows them all.

use crate::error::{CoreError, FieldError};

#[derive(Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, field: &str, message: &str) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A well-formed value that clashes with stored records (taken, or names no record).
    pub fn clash(&mut self, field: &str, message: &str) {
        self.errors.push(FieldError::conflict(field, message));
    }

    /// A required single-line text of at most `max` characters; returns it trimmed.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, "is required");
        } else if v.chars().count() > max {
            self.fail(field, &format!("must be at most {max} characters"));
        } else if value.chars().any(char::is_control) {
            self.fail(field, "must not contain control characters");
        }
        v.to_string()
    }

    /// Optional free text (may be multi-line) of at most `max` characters; line endings are
    /// stored as `\n` whatever the browser sent.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let normalised = unix_line_endings(value);
        let v = normalised.trim();
        if v.chars().count() > max {
            self.fail(field, &format!("must be at most {max} characters"));
        } else if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            self.fail(field, "must not contain control characters other than line breaks and tabs");
        }
        v.to_string()
    }

    /// An optional single line of at most `max` characters (no control characters at all).
    pub fn optional_line(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.chars().count() > max {
            self.fail(field, &format!("must be at most {max} characters"));
        } else if value.chars().any(char::is_control) {
            self.fail(field, "must be one line without control characters");
        }
        v.to_string()
    }

    /// A required document text (Markdown) of at most `max` characters, kept as typed but
    /// for its line endings (`\n`, so a browser's CRLF does not make every line differ from
    /// the last version): line breaks and tabs are allowed, the other C0 controls are not.
    pub fn document(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = unix_line_endings(value);
        let value = value.as_str();
        if value.trim().is_empty() {
            self.fail(field, "is required");
        } else if value.chars().count() > max {
            self.fail(field, &format!("must be at most {max} characters"));
        } else if value.chars().any(|c| c < ' ' && !matches!(c, '\n' | '\r' | '\t')) {
            self.fail(field, "must not contain control characters other than line breaks and tabs");
        }
        value.to_string()
    }

    /// An e-mail address, lower-cased.
    pub fn email(&mut self, field: &str, value: &str) -> String {
        let v = value.trim().to_lowercase();
        if v.is_empty() {
            self.fail(field, "is required");
        } else if !is_email(&v) {
            self.fail(field, "must be an e-mail address such as ada@example.com");
        }
        v
    }

    /// One of a fixed set of values (`parse`), or `default` when empty.
    pub fn choice<T>(&mut self, field: &str, raw: &str, default: T, parse: fn(&str) -> Option<T>, all: &str) -> T {
        match raw.trim() {
            "" => default,
            v => parse(v).unwrap_or_else(|| {
                self.fail(field, &format!("must be one of {all}"));
                default
            }),
        }
    }

    /// An optional `YYYY-MM-DD` date, `default` when empty.
    pub fn optional_date(&mut self, field: &str, raw: &str, default: time::Date) -> time::Date {
        match raw.trim() {
            "" => default,
            v => crate::time_util::parse_date(v).unwrap_or_else(|| {
                self.fail(field, "must be a date such as 2026-01-31");
                default
            }),
        }
    }

    /// An optional whole number within `range`.
    pub fn optional_number(&mut self, field: &str, raw: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        match raw.trim() {
            "" => None,
            v => match v.parse::<i64>() {
                Ok(n) if range.contains(&n) => Some(n),
                _ => {
                    self.fail(field, &format!("must be a whole number from {} to {}", range.start(), range.end()));
                    None
                }
            },
        }
    }

    /// No error has been recorded for `field` yet.
    pub fn is_valid_so_far(&self, field: &str) -> bool {
        !self.errors.iter().any(|e| e.field == field)
    }

    pub fn finish(self) -> Result<(), CoreError> {
        if self.errors.is_empty() { Ok(()) } else { Err(CoreError::Invalid(self.errors)) }
    }
}

/// The longest search text a list accepts.
pub const MAX_SEARCH_CHARS: usize = 200;

/// "a risk", "an assignee": the indefinite article a label takes.
pub fn with_article(label: &str) -> String {
    let vowel = label.chars().next().is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {label}", if vowel { "an" } else { "a" })
}

/// The text with every CRLF and lone CR as LF.
pub fn unix_line_endings(text: &str) -> String {
    if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_string() }
}

pub fn is_email(v: &str) -> bool {
    if v.chars().count() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match v.split_once('@') {
        Some((local, domain)) => {
            (1..=64).contains(&local.chars().count())
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|label| !label.is_empty())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_character_is_refused_wherever_it_stands_even_where_trimming_would_drop_it() {
        let mut c = Checks::new();
        c.text("name", "Red team\u{85}", 100);
        c.optional_text("description", "a\u{85}", 100);
        c.optional_line("affected", "\u{9a}x", 100);
        let Err(CoreError::Invalid(errors)) = c.finish() else { panic!("refused") };
        assert_eq!(errors.len(), 3, "{errors:?}");
    }

    #[test]
    fn line_endings_are_stored_as_lf_whatever_the_browser_sent() {
        let mut c = Checks::new();
        assert_eq!(c.document("body", "# Title\r\n\r\nText\rmore\n", 100), "# Title\n\nText\nmore\n");
        assert_eq!(c.optional_text("notes", "a\r\nb", 100), "a\nb");
        assert!(c.finish().is_ok());
    }

    #[test]
    fn email_rules() {
        assert!(is_email("ada@example.com"));
        assert!(!is_email("ada@example"));
        assert!(!is_email("ada example@x.org"));
        assert!(!is_email("@x.org"));
        assert!(!is_email("a@@x.org"));
    }

    #[test]
    fn checks_collect_every_field() {
        let mut c = Checks::new();
        c.text("name", "  ", 10);
        c.email("email", "nope");
        match c.finish() {
            Err(CoreError::Invalid(errs)) => {
                let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["name", "email"]);
            }
            other => panic!("expected invalid, got {other:?}"),
        }
    }
}
