//! The list engine: one description per record type (`ListSpec`: its filters, sort keys,
//! search and export columns) drives the page, the API, the store query and the export.
//!
//! Paging is by keyset: a page ends with a `Cursor` (the sort key and id of its last row) and
//! the next page starts after it, so page 200 costs what page 1 costs. Sort keys are ordered
//! by bytes with the id as unique tie-breaker, the same on every backend.

use crate::error::CoreResult;
use crate::validate::{Checks, MAX_SEARCH_CHARS};
use base64::Engine;
use serde::Serialize;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// What values a filter takes.
#[derive(Debug, Clone, Copy)]
pub enum FilterKind {
    /// The id of another record.
    Id,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// A whole number in this range. A filter named `*_min` keeps the rows at or above it,
    /// `*_max` those at or below it, any other name those equal to it.
    Number(i64, i64),
}

#[derive(Debug, Clone, Copy)]
pub struct FilterSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FilterKind,
}

/// Whether a sort key compares as text or as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Text,
    Int,
}

#[derive(Debug, Clone, Copy)]
pub struct SortSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub key: KeyType,
}

/// Everything a list of one record type offers. The first sort is the default.
#[derive(Debug)]
pub struct ListSpec {
    pub filters: &'static [FilterSpec],
    pub sorts: &'static [SortSpec],
    pub searchable: bool,
    /// Export columns, in order.
    pub columns: &'static [&'static str],
}

/// Where the next page starts: after the row with this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: String,
}

impl Cursor {
    /// An opaque token for URLs.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(&(&self.key, &self.id)).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(token: &str) -> Option<Self> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).ok()?;
        let (key, id): (String, String) = serde_json::from_slice(&bytes).ok()?;
        Some(Self { key, id })
    }
}

/// A checked request for one page of a list.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Search text, lower-cased as the stored search text is.
    pub q: Option<String>,
    /// (filter name, value) for each filter in use.
    pub filters: Vec<(&'static str, String)>,
    pub sort: SortSpec,
    pub desc: bool,
    pub after: Option<Cursor>,
    pub limit: u32,
}

impl ListQuery {
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.filters.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The same query for the whole list from the start, in pages of the largest size (exports).
    pub fn for_export(&self) -> Self {
        Self { after: None, limit: MAX_LIMIT, ..self.clone() }
    }
}

/// One page and where the next one starts.
#[derive(Debug, Clone, Serialize)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// Items matching the filter, on all pages.
    pub total: u64,
    #[serde(skip)]
    pub next: Option<Cursor>,
}

/// List parameters as a page's form or an API query gives them, before checking.
#[derive(Debug, Clone, Default)]
pub struct RawListQuery {
    pub q: Option<String>,
    pub filters: Vec<(String, String)>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub after: Option<String>,
    pub limit: Option<u32>,
}

impl ListSpec {
    /// The first `limit` rows in the default order.
    pub fn first_page(&self, limit: u32) -> ListQuery {
        ListQuery { q: None, filters: vec![], sort: self.sorts[0], desc: false, after: None, limit }
    }

    /// Checks every parameter, naming each bad one. Empty values mean "not given". A cursor
    /// that is not one of this list's is `NotFound`: it names no place in the list.
    pub fn parse(&self, raw: &RawListQuery) -> CoreResult<ListQuery> {
        let mut c = Checks::new();
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let q = given(&raw.q).filter(|_| self.searchable).map(|q| q.to_lowercase());
        if q.as_ref().is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
            c.fail("q", &format!("must be at most {MAX_SEARCH_CHARS} characters"));
        } else if raw.q.as_deref().is_some_and(|q| q.chars().any(|ch| ch < ' ' || ch == '\u{7f}')) {
            // As typed, before trimming, whether or not the list searches (a NUL would also
            // cut the search short inside SQLite).
            c.fail("q", "must not contain control characters");
        }
        let mut filters = Vec::new();
        for spec in self.filters {
            let Some(value) = raw.filters.iter().rev().find(|(k, _)| k == spec.name).map(|(_, v)| v.trim()) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            match spec.kind {
                FilterKind::Id if uuid::Uuid::parse_str(value).is_err() => {
                    c.fail(spec.name, &format!("must be the id of {}", crate::validate::with_article(spec.label)))
                }
                FilterKind::Choice(choices) if !choices.contains(&value) => {
                    c.fail(spec.name, &format!("must be one of {}", choices.join(", ")))
                }
                FilterKind::Number(lo, hi) if !value.parse::<i64>().is_ok_and(|n| (lo..=hi).contains(&n)) => {
                    c.fail(spec.name, &format!("must be a whole number from {lo} to {hi}"))
                }
                _ => filters.push((spec.name, value.to_string())),
            }
        }
        let sort = match given(&raw.sort) {
            None => self.sorts[0],
            Some(s) => self.sorts.iter().copied().find(|k| k.name == s).unwrap_or_else(|| {
                let names: Vec<_> = self.sorts.iter().map(|k| k.name).collect();
                c.fail("sort", &format!("must be one of {}", names.join(", ")));
                self.sorts[0]
            }),
        };
        let desc = match given(&raw.dir).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                c.fail("dir", "must be asc or desc");
                false
            }
        };
        let after = match raw.after.clone().filter(|a| !a.is_empty()) {
            None => None,
            Some(token) => Some(
                Cursor::decode(&token)
                    .filter(|cur| sort.key == KeyType::Text || cur.key.parse::<i64>().is_ok())
                    .ok_or(crate::CoreError::NotFound)?,
            ),
        };
        let limit = match raw.limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
            Some(_) => {
                c.fail("per_page", &format!("must be from 1 to {MAX_LIMIT}"));
                DEFAULT_LIMIT
            }
        };
        c.finish()?;
        Ok(ListQuery { q, filters, sort, desc, after, limit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;

    const SPEC: ListSpec = ListSpec {
        filters: &[
            FilterSpec { name: "department_id", label: "department", kind: FilterKind::Id },
            FilterSpec { name: "status", label: "status", kind: FilterKind::Choice(&["active", "left"]) },
        ],
        sorts: &[
            SortSpec { name: "name", label: "Name", key: KeyType::Text },
            SortSpec { name: "created", label: "Newest", key: KeyType::Int },
        ],
        searchable: true,
        columns: &["id", "name"],
    };

    #[test]
    fn parameters_are_checked_against_the_description() {
        let raw = RawListQuery {
            q: Some("  ZOË ".into()),
            filters: vec![("status".into(), "left".into()), ("department_id".into(), "".into())],
            sort: Some("created".into()),
            dir: Some("desc".into()),
            ..Default::default()
        };
        let q = SPEC.parse(&raw).unwrap();
        assert_eq!(q.q.as_deref(), Some("zoë"));
        assert_eq!(q.filters, vec![("status", "left".to_string())]);
        assert_eq!((q.sort.name, q.desc, q.limit), ("created", true, DEFAULT_LIMIT));

        let bad = RawListQuery {
            filters: vec![("status".into(), "gone".into()), ("department_id".into(), "x".into())],
            sort: Some("height".into()),
            dir: Some("up".into()),
            limit: Some(501),
            ..Default::default()
        };
        match SPEC.parse(&bad) {
            Err(CoreError::Invalid(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["department_id", "status", "sort", "dir", "per_page"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cursors_round_trip_and_must_fit_the_sort() {
        let c = Cursor { key: "Zoë \"Ø\"".into(), id: "0190".into() };
        assert_eq!(Cursor::decode(&c.encode()), Some(c.clone()));
        let raw = RawListQuery { sort: Some("created".into()), after: Some(c.encode()), ..Default::default() };
        assert!(matches!(SPEC.parse(&raw), Err(CoreError::NotFound)), "a text key cannot continue a numeric sort");
        let garbage = RawListQuery { after: Some("garbage".into()), ..Default::default() };
        assert!(matches!(SPEC.parse(&garbage), Err(CoreError::NotFound)));
    }
}
