//! What every sorted list page shares: the sort and position read from its query string, and
//! the `Pager` its template shows (sort form, first/next links, export links).

use bulwark_core::error::CoreResult;
use bulwark_core::list::{ListPage, ListQuery, ListSpec, RawListQuery, SortSpec};
use serde::Deserialize;

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
        let given = |s: &String| Some(s.clone()).filter(|s| !s.is_empty());
        let base = crate::api::list_query(&[("sort", &given(&self.sort)), ("dir", &given(&self.dir))], None);
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
    use bulwark_core::accounts::{self, ApiToken, TOKENS};
    let list = move |store: std::sync::Arc<dyn bulwark_core::Store>, actor: std::sync::Arc<bulwark_core::Actor>, q| async move {
        accounts::list_tokens(store.as_ref(), &actor, account, &q).await
    };
    let download = crate::export::Download { format, stem: "tokens", columns: TOKENS.columns };
    crate::export::stream_records((app.store.clone(), actor), download, query, list, ApiToken::export_row)
}
