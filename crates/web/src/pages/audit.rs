//! The audit log page: filters, newest first, with what changed in each entry.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulwark_core::audit;
use bulwark_core::page::PageRequest;
use serde::Deserialize;

use super::{Chrome, Errors, HistoryItem, Pager, form_errors};
use crate::AppState;
use crate::api::audit::AuditParams;
use crate::error::HtmlError;

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
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/list.html")]
struct AuditPage {
    chrome: Chrome,
    f: AuditForm,
    page: bulwark_core::page::Paged<()>,
    entries: Vec<HistoryItem>,
    pager: Pager,
    pager_base: String,
    errors: Errors,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<AuditForm>,
) -> Result<Response, HtmlError> {
    let params = AuditParams {
        actor: Some(f.actor.clone()),
        entity_type: Some(f.entity_type.clone()),
        entity_id: Some(f.entity_id.clone()),
        action: Some(f.action.clone()),
        from: Some(f.from.clone()),
        to: Some(f.to.clone()),
        page: f.page,
        per_page: None,
    };
    let query = serde_urlencoded::to_string([
        ("actor", &f.actor),
        ("entity_type", &f.entity_type),
        ("entity_id", &f.entity_id),
        ("action", &f.action),
        ("from", &f.from),
        ("to", &f.to),
    ])
    .unwrap_or_default();
    let (filter, errors, status) = match params.filter() {
        Ok(filter) => (filter, Errors::none(), StatusCode::OK),
        Err(e) => (Default::default(), form_errors(e)?, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let found = audit::list(app.store.as_ref(), &*chrome.actor()?, &filter, PageRequest::new(f.page, None)).await?;
    let pager = Pager::from(&found);
    let page =
        bulwark_core::page::Paged { items: vec![], total: found.total, page: found.page, per_page: found.per_page };
    let entries = found.items.into_iter().map(HistoryItem::from).collect();
    let body = AuditPage {
        chrome: chrome.at("audit"),
        f,
        page,
        entries,
        pager,
        pager_base: format!("/audit?{query}&"),
        errors,
    };
    Ok((status, body).into_response())
}
