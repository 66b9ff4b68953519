//! The audit log page: filters, newest first, with what changed in each entry.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulwark_core::audit;
use bulwark_core::audit::AuditFilter;
use bulwark_core::list::{DEFAULT_LIMIT, MAX_LIMIT};
use serde::Deserialize;

use super::{Chrome, Errors, HistoryItem, form_errors};
use crate::AppState;
use crate::api::audit::{AuditParams, next_link};
use crate::error::HtmlError;
use crate::export::{Download, Format};

#[derive(Deserialize, Default)]
pub struct AuditForm {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    entity_type: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    before: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/list.html")]
struct AuditPage {
    chrome: Chrome,
    f: AuditForm,
    total: u64,
    entries: Vec<HistoryItem>,
    /// The filter without the position: the newest page.
    first: String,
    /// The filter, for the export links.
    export_query: String,
    next: Option<String>,
    errors: Errors,
}

/// The audit entries the filter matches, newest first, as CSV or JSON (from the path):
/// evidence for an auditor, with the chain links.
pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<AuditForm>,
    format: Format,
) -> Result<Response, HtmlError> {
    let filter = params_of(&f).filter()?;
    let (store, actor) = (app.store.clone(), chrome.actor()?);
    let download = Download { format, stem: "audit-log", columns: audit::EXPORT_COLUMNS };
    Ok(crate::export::stream(download, filter, move |filter: AuditFilter| {
        let (store, actor) = (store.clone(), actor.clone());
        async move {
            let page = audit::list(store.as_ref(), &actor, &filter, MAX_LIMIT).await?;
            let next =
                page.next.and_then(|c| c.key.parse().ok()).map(|seq| AuditFilter { before_seq: Some(seq), ..filter });
            Ok((page.items.iter().map(audit::AuditEntry::export_row).collect(), next))
        }
    }))
}

fn params_of(f: &AuditForm) -> AuditParams {
    AuditParams {
        actor: Some(f.actor.clone()),
        entity_type: Some(f.entity_type.clone()),
        entity_id: Some(f.entity_id.clone()),
        action: Some(f.action.clone()),
        from: Some(f.from.clone()),
        to: Some(f.to.clone()),
        before: f.before,
        per_page: None,
    }
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<AuditForm>,
) -> Result<Response, HtmlError> {
    let params = params_of(&f);
    let (filter, errors, status) = match params.filter() {
        Ok(filter) => (filter, Errors::none(), StatusCode::OK),
        Err(e) => (Default::default(), form_errors(e)?, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let found = audit::list(app.store.as_ref(), &*chrome.actor()?, &filter, DEFAULT_LIMIT).await?;
    let query = params.query_without_before();
    let body = AuditPage {
        next: next_link(&found, "/audit", &query),
        first: format!("/audit?{query}"),
        export_query: query.clone(),
        total: found.total,
        entries: found.items.into_iter().map(HistoryItem::from).collect(),
        chrome: chrome.at("audit"),
        f,
        errors,
    };
    Ok((status, body).into_response())
}
