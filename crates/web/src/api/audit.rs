//! `/api/v1/audit`: the audit log, filtered and paginated.

use axum::Json;
use axum::extract::State;
use bulwark_core::audit::{self, AuditFilter};
use bulwark_core::page::PageRequest;
use bulwark_core::time_util::parse_time;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{AuditEntryView, CursorPage};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiQuery};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bulwark_core::list::ListPage;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Actor e-mail (label) or account id.
    pub actor: Option<String>,
    /// e.g. person, department, area, account, token
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// e.g. person.create
    pub action: Option<String>,
    /// From this day on (YYYY-MM-DD; an RFC 3339 time is accepted too).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Before this day (YYYY-MM-DD; an RFC 3339 time is accepted too).
    #[param(format = Date)]
    pub to: Option<String>,
    /// Only entries older than this sequence number: the `next` link of the previous page.
    #[param(minimum = 1)]
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

impl AuditParams {
    pub fn filter(&self) -> Result<AuditFilter, bulwark_core::CoreError> {
        let mut c = bulwark_core::validate::Checks::new();
        let nonempty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let mut time = |field: &str, v: &Option<String>| {
            nonempty(v).and_then(|s| {
                parse_time(&s).or_else(|| {
                    c.fail(field, "must be a date (YYYY-MM-DD) or an RFC 3339 time");
                    None
                })
            })
        };
        let from = time("from", &self.from);
        let to = time("to", &self.to);
        if self.before.is_some_and(|b| b < 1) {
            c.fail("before", "must be a sequence number (1 or more)");
        }
        c.finish()?;
        Ok(AuditFilter {
            actor: nonempty(&self.actor),
            entity_type: nonempty(&self.entity_type),
            entity_id: nonempty(&self.entity_id),
            action: nonempty(&self.action),
            from,
            to,
            before_seq: self.before,
        })
    }
}

impl AuditParams {
    /// This query as a URL query string, without `before` (the base of `next` links).
    pub fn query_without_before(&self) -> String {
        let params = [
            ("actor", &self.actor),
            ("entity_type", &self.entity_type),
            ("entity_id", &self.entity_id),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ];
        super::list_query(&params, self.per_page)
    }

    /// The page size asked for, checked.
    pub fn limit(&self) -> Result<u32, bulwark_core::CoreError> {
        Ok(PageRequest::checked(None, self.per_page)?.per_page)
    }
}

/// The link to the page after `page`, if there is one: `path?query&before=N`.
pub fn next_link<T>(page: &ListPage<T>, path: &str, query: &str) -> Option<String> {
    page.next.as_ref().map(|c| format!("{path}?{query}{}before={}", if query.is_empty() { "" } else { "&" }, c.key))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, description = "Newest first; `next` (and the `Link` header) name the next page",
               body = CursorPage<AuditEntryView>)))]
pub async fn list_audit(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Response, ApiError> {
    super::given_not_empty(&[("from", &p.from), ("to", &p.to)])?;
    let filter = p.filter()?;
    let found = audit::list(app.store.as_ref(), &actor, &filter, p.limit()?).await?;
    let next = next_link(&found, "/api/v1/audit", &p.query_without_before());
    let body =
        CursorPage { items: found.items.into_iter().map(AuditEntryView::from).collect(), total: found.total, next };
    Ok(match &body.next {
        Some(n) => ([(header::LINK, format!("<{n}>; rel=\"next\""))], Json(body)).into_response(),
        None => Json(body).into_response(),
    })
}
