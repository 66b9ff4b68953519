//! What every sorted list page shares: the sort and position read from its query string, and
//! the `Pager` its template shows (sort form, first/next links, export links).

use bulwark_core::error::CoreResult;
use bulwark_core::list::{ListPage, ListQuery, ListSpec, RawListQuery, SortSpec};
use serde::Deserialize;

/// A newest-first list filtered by a search and a status, as the incident and vulnerability
/// report pages (and their exports) ask for it.
pub fn newest_first(q: &str, status: &str, after: &str) -> RawListQuery {
    RawListQuery {
        q: Some(q.to_string()),
        filters: vec![("status".into(), status.to_string())],
        dir: Some("desc".into()),
        after: Some(after.to_string()),
        ..Default::default()
    }
}

/// A list page's sort and position as its query string gives them.
#[derive(Deserialize, Default, Clone)]
pub struct SortForm {
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub after: String,
}

impl SortForm {
    /// Checks the form against the list's description.
    pub fn query(&self, spec: &ListSpec) -> CoreResult<ListQuery> {
        let some = |s: &str| Some(s.to_string());
        let raw = RawListQuery {
            sort: some(&self.sort),
            dir: some(&self.dir),
            after: some(&self.after),
            ..Default::default()
        };
        spec.parse(&raw)
    }

    /// The sort form, links and export links for `page` of the list shown at `path`, whose
    /// exports are at `{export}/export.csv` and `.json`.
    pub fn pager<T>(&self, path: String, export: String, spec: &ListSpec, page: &ListPage<T>) -> Pager {
        self.filtered_pager(path, export, spec, page, &[])
    }

    /// The same, for a list that also has a search or filters (as typed): every link keeps them.
    pub fn filtered_pager<T>(
        &self,
        path: String,
        export: String,
        spec: &ListSpec,
        page: &ListPage<T>,
        filters: &[(&str, &str)],
    ) -> Pager {
        let given = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        let mut pairs: Vec<(&str, Option<String>)> = filters.iter().map(|(k, v)| (*k, given(v))).collect();
        pairs.extend([("sort", given(&self.sort)), ("dir", given(&self.dir))]);
        let refs: Vec<(&str, &Option<String>)> = pairs.iter().map(|(k, v)| (*k, v)).collect();
        let base = crate::api::list_query(&refs, None);
        Pager {
            first: (!self.after.is_empty()).then(|| format!("{path}?{base}")),
            next: page.next.as_ref().map(|c| crate::api::cursor_url(&path, &base, c)),
            path,
            export,
            base,
            sorts: spec.sorts,
            sort: self.sort.clone(),
            desc: self.dir == "desc",
        }
    }
}

/// Everything a list page shows around its rows.
pub struct Pager {
    pub path: String,
    pub export: String,
    /// The query without the position: the base of the export links.
    pub base: String,
    /// The first page, when this is not it.
    pub first: Option<String>,
    pub next: Option<String>,
    pub sorts: &'static [SortSpec],
    pub sort: String,
    pub desc: bool,
}

/// Every token of `account` the query matches, streamed (the profile's and an account's export).
pub fn export_tokens(
    app: &crate::AppState,
    actor: std::sync::Arc<bulwark_core::Actor>,
    account: bulwark_core::ids::AccountId,
    query: ListQuery,
    format: crate::export::Format,
) -> axum::response::Response {
    use bulwark_core::identity::accounts::{self, ApiToken, TOKENS};
    let list = move |store: std::sync::Arc<dyn bulwark_core::Store>, actor: std::sync::Arc<bulwark_core::Actor>, q| async move {
        accounts::list_tokens(store.as_ref(), &actor, account, &q).await
    };
    let download = crate::export::Download { format, stem: "tokens", columns: TOKENS.columns };
    crate::export::stream_records((app.store.clone(), actor), download, query, list, ApiToken::export_row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_core::list::Cursor;

    #[test]
    fn every_link_keeps_the_filters_and_the_sort() {
        let form = SortForm { sort: "created".into(), dir: "desc".into(), after: "x".into() };
        let page: ListPage<()> =
            ListPage { items: vec![], total: 9, next: Some(Cursor { key: "1".into(), id: "a".into() }) };
        let spec = bulwark_core::policies::campaigns::TASKS;
        let pager =
            form.filtered_pager("/tasks".into(), "/tasks".into(), &spec, &page, &[("state", "done"), ("q", "")]);
        assert_eq!(pager.first.as_deref(), Some("/tasks?state=done&sort=created&dir=desc"));
        assert!(pager.next.as_deref().is_some_and(|n| n.starts_with("/tasks?state=done&sort=created&dir=desc&after=")));
        assert_eq!(pager.base, "state=done&sort=created&dir=desc");
    }
}
