//! SCIM list queries (RFC 7644 §3.4.2): `filter`, `sortBy`/`sortOrder`, `startIndex`/`count`
//! and `attributes`/`excludedAttributes`, from a query string or a `.search` request body;
//! the ListResponse; and filtering, sorting and paging of resources held as JSON, for the
//! queries no index answers.

use super::{LIST_RESPONSE, MAX_RESULTS, SEARCH_REQUEST, ScimError, ScimResult, check_schemas};
use crate::identity::scim_filter::{self, AttrPath, Filter, field};
use serde_json::{Value, json};
use std::cmp::Ordering;

const DEFAULT_COUNT: i64 = 100;

/// A checked list query.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    pub filter: Option<Filter>,
    pub sort_by: Option<AttrPath>,
    pub descending: bool,
    /// 1-based.
    pub start_index: i64,
    pub count: i64,
    pub attributes: Vec<String>,
    pub excluded: Vec<String>,
}

impl ListParams {
    /// From a query string's parameters (names in any case; unknown ones are ignored).
    pub fn from_query(pairs: &[(String, String)]) -> ScimResult<Self> {
        let get = |name: &str| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let number = |name: &str| -> ScimResult<Option<i64>> {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<i64>()
                        .map_err(|_| ScimError::bad("invalidValue", format!("{name} must be a whole number")))
                })
                .transpose()
        };
        Self::build(
            get("filter"),
            get("sortBy"),
            get("sortOrder"),
            number("startIndex")?,
            number("count")?,
            get("attributes"),
            get("excludedAttributes"),
        )
    }

    /// From a `POST …/.search` body (RFC 7644 §3.4.3).
    pub fn from_search(body: &Value) -> ScimResult<Self> {
        check_schemas(body, SEARCH_REQUEST)?;
        let text = |name: &str| -> ScimResult<Option<String>> {
            match field(body, name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Array(items)) => {
                    Ok(Some(items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",")))
                }
                Some(_) => Err(ScimError::bad("invalidValue", format!("{name} must be a string"))),
            }
        };
        let number = |name: &str| -> ScimResult<Option<i64>> {
            match field(body, name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_i64()
                    .map(Some)
                    .ok_or_else(|| ScimError::bad("invalidValue", format!("{name} must be a whole number"))),
            }
        };
        Self::build(
            text("filter")?.as_deref(),
            text("sortBy")?.as_deref(),
            text("sortOrder")?.as_deref(),
            number("startIndex")?,
            number("count")?,
            text("attributes")?.as_deref(),
            text("excludedAttributes")?.as_deref(),
        )
    }

    fn build(
        filter: Option<&str>,
        sort_by: Option<&str>,
        sort_order: Option<&str>,
        start_index: Option<i64>,
        count: Option<i64>,
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> ScimResult<Self> {
        let filter = filter
            .filter(|f| !f.trim().is_empty())
            .map(|f| scim_filter::parse(f).map_err(|e| ScimError::bad("invalidFilter", e.0)))
            .transpose()?;
        let sort_by =
            sort_by
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    scim_filter::parse_patch_path(s).ok().filter(|p| p.filter.is_none()).map(|p| p.attr).ok_or_else(
                        || ScimError::bad("invalidValue", format!("sortBy \"{s}\" is not an attribute path")),
                    )
                })
                .transpose()?;
        let descending = match sort_order.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("ascending") => false,
            Some("descending") => true,
            Some(_) => return Err(ScimError::bad("invalidValue", "sortOrder must be ascending or descending")),
        };
        let list = |s: Option<&str>| -> Vec<String> {
            s.map(|s| s.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect())
                .unwrap_or_default()
        };
        Ok(Self {
            filter,
            sort_by,
            descending,
            // Below 1 counts as 1; a negative count as 0 (RFC 7644 §3.4.2.4).
            start_index: start_index.unwrap_or(1).max(1),
            count: count.unwrap_or(DEFAULT_COUNT).clamp(0, MAX_RESULTS),
            attributes: list(attributes),
            excluded: list(excluded),
        })
    }

    /// Whether the store's id order and paging answer the query as it is.
    pub fn is_plain(&self) -> bool {
        self.filter.is_none() && self.sort_by.is_none()
    }

    /// Whether the resources must carry the named attribute (for leaving out costly ones).
    pub fn wants(&self, attribute: &str) -> bool {
        let named = |list: &[String]| list.iter().any(|a| a.eq_ignore_ascii_case(attribute));
        if !self.attributes.is_empty() {
            return named(&self.attributes) || self.filter.is_some() || self.sort_by.is_some();
        }
        !named(&self.excluded) || self.filter.is_some() || self.sort_by.is_some()
    }

    /// Filters, sorts and pages resources held in memory; returns the page and the total.
    pub fn select(&self, resources: Vec<Value>) -> (Vec<Value>, i64) {
        let mut found: Vec<Value> = match &self.filter {
            Some(f) => resources.into_iter().filter(|r| f.matches(r)).collect(),
            None => resources,
        };
        if let Some(by) = &self.sort_by {
            found.sort_by(|a, b| {
                let order = compare(sort_key(a, by), sort_key(b, by));
                if self.descending { order.reverse() } else { order }
            });
        }
        let total = found.len() as i64;
        let page = found.into_iter().skip((self.start_index - 1) as usize).take(self.count as usize).collect();
        (page, total)
    }

    /// The ListResponse for a page of resources, each reduced to the requested attributes.
    pub fn response(&self, page: Vec<Value>, total: i64) -> Value {
        let resources: Vec<Value> = page.into_iter().map(|r| self.project(r)).collect();
        json!({
            "schemas": [LIST_RESPONSE],
            "totalResults": total,
            "startIndex": self.start_index,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        })
    }

    /// Keeps the requested attributes (`id` and `schemas` always), or drops the excluded ones.
    pub fn project(&self, resource: Value) -> Value {
        project(resource, &self.attributes, &self.excluded)
    }
}

/// `attributes` / `excludedAttributes` on one resource. Names are top-level attributes or an
/// extension's (`urn:…:User:department`); a sub-attribute keeps or drops its whole attribute.
pub fn project(resource: Value, attributes: &[String], excluded: &[String]) -> Value {
    let Value::Object(mut map) = resource else { return resource };
    let split = |a: &str| -> (Option<String>, String) {
        match scim_filter::parse_patch_path(a) {
            Ok(p) => (p.attr.uri.filter(|u| !u.to_ascii_lowercase().contains(":core:")), p.attr.name),
            Err(_) => (None, a.to_string()),
        }
    };
    if !attributes.is_empty() {
        let wanted: Vec<(Option<String>, String)> = attributes.iter().map(|a| split(a)).collect();
        map.retain(|k, v| {
            let always = ["id", "schemas"].iter().any(|a| k.eq_ignore_ascii_case(a));
            let extension = k.to_ascii_lowercase().starts_with("urn:");
            if extension && let Value::Object(inner) = v {
                let whole = wanted.iter().any(|(u, n)| u.is_none() && n.eq_ignore_ascii_case(k));
                if !whole {
                    inner.retain(|name, _| {
                        wanted.iter().any(|(u, n)| {
                            u.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(k)) && n.eq_ignore_ascii_case(name)
                        })
                    });
                }
                return !inner.is_empty();
            }
            always || wanted.iter().any(|(u, n)| u.is_none() && n.eq_ignore_ascii_case(k))
        });
    } else {
        for a in excluded {
            let (uri, name) = split(a);
            if ["id", "schemas"].iter().any(|x| name.eq_ignore_ascii_case(x)) && uri.is_none() {
                continue;
            }
            match uri {
                None => map.retain(|k, _| !k.eq_ignore_ascii_case(&name)),
                Some(uri) => {
                    if let Some(Value::Object(inner)) =
                        map.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&uri)).map(|(_, v)| v)
                    {
                        inner.retain(|k, _| !k.eq_ignore_ascii_case(&name));
                    }
                }
            }
        }
    }
    Value::Object(map)
}

/// The first value an attribute path names, for sorting.
fn sort_key<'a>(resource: &'a Value, by: &AttrPath) -> Option<&'a Value> {
    let base = match &by.uri {
        Some(uri) if !uri.to_ascii_lowercase().contains(":core:") => field(resource, uri)?,
        _ => resource,
    };
    let found = field(base, &by.name)?;
    let found = match found {
        Value::Array(items) => {
            items.iter().find(|i| field(i, "primary") == Some(&Value::Bool(true))).or_else(|| items.first())?
        }
        one => one,
    };
    match &by.sub {
        Some(sub) => field(found, sub),
        None if found.is_object() => field(found, "value"),
        None => Some(found),
    }
}

/// Strings in any case, then numbers and booleans; a missing value sorts last.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(Value::String(x)), Some(Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &[(&str, &str)]) -> ScimResult<ListParams> {
        ListParams::from_query(&q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())
    }

    fn users() -> Vec<Value> {
        ["carol", "Alice", "bob"]
            .iter()
            .enumerate()
            .map(|(i, n)| json!({"id": i.to_string(), "schemas": ["s"], "userName": n, "name": {"givenName": n}, "active": i != 1}))
            .collect()
    }

    #[test]
    fn filters_sorts_and_pages() {
        let p = params(&[("filter", "active eq true"), ("sortBy", "userName")]).unwrap();
        let (page, total) = p.select(users());
        assert_eq!(total, 2);
        assert_eq!(page.iter().map(|u| u["userName"].as_str().unwrap()).collect::<Vec<_>>(), ["bob", "carol"]);
        let p =
            params(&[("sortBy", "name.givenName"), ("sortOrder", "descending"), ("startIndex", "2"), ("count", "1")])
                .unwrap();
        let (page, total) = p.select(users());
        assert_eq!((total, page[0]["userName"].as_str()), (3, Some("bob")));
        let response = p.response(page, total);
        assert_eq!((response["startIndex"].as_i64(), response["itemsPerPage"].as_i64()), (Some(2), Some(1)));
        let p = params(&[("count", "0")]).unwrap();
        assert_eq!(p.select(users()).0.len(), 0);
        let p = params(&[("startIndex", "-4"), ("count", "100000")]).unwrap();
        assert_eq!((p.start_index, p.count), (1, MAX_RESULTS));
    }

    #[test]
    fn bad_parameters_name_the_problem() {
        assert_eq!(params(&[("filter", "userName zz \"a\"")]).unwrap_err().scim_type, Some("invalidFilter"));
        assert_eq!(params(&[("count", "ten")]).unwrap_err().scim_type, Some("invalidValue"));
        assert_eq!(params(&[("sortOrder", "up")]).unwrap_err().scim_type, Some("invalidValue"));
        assert_eq!(params(&[("sortBy", "emails[type eq \"work\"]")]).unwrap_err().scim_type, Some("invalidValue"));
    }

    #[test]
    fn attributes_keep_and_excluded_attributes_drop() {
        let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let user = json!({"id": "1", "schemas": ["s"], "userName": "a", "name": {"givenName": "A"},
            ext: {"department": "R&D", "manager": {"value": "2"}}});
        let kept = project(user.clone(), &["userName".into(), format!("{ext}:department")], &[]);
        assert_eq!(kept, json!({"id": "1", "schemas": ["s"], "userName": "a", ext: {"department": "R&D"}}));
        let dropped = project(user, &[], &["name".into(), "id".into(), format!("{ext}:manager")]);
        assert_eq!(dropped, json!({"id": "1", "schemas": ["s"], "userName": "a", ext: {"department": "R&D"}}));
    }

    #[test]
    fn a_search_body_reads_like_a_query() {
        let body = json!({"schemas": [SEARCH_REQUEST], "filter": "userName sw \"b\"", "attributes": ["userName"],
            "startIndex": 1, "count": 10});
        let p = ListParams::from_search(&body).unwrap();
        let (page, total) = p.select(users());
        assert_eq!(total, 1);
        assert_eq!(p.response(page, total)["Resources"][0], json!({"id": "2", "schemas": ["s"], "userName": "bob"}));
        assert!(ListParams::from_search(&json!({"filter": "x pr"})).is_err(), "schemas required");
    }
}
