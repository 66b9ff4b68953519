//! `/api/v1/audit`: the audit log, filtered and paginated.

use axum::Json;
use axum::extract::State;
use bulwark_core::audit::{self, AuditFilter};
use bulwark_core::page::PageRequest;
use bulwark_core::time_util::parse_time;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{AuditEntryView, Page};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiQuery};

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
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
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
        c.finish()?;
        Ok(AuditFilter {
            actor: nonempty(&self.actor),
            entity_type: nonempty(&self.entity_type),
            entity_id: nonempty(&self.entity_id),
            action: nonempty(&self.action),
            from,
            to,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, description = "Newest first", body = Page<AuditEntryView>)))]
pub async fn list_audit(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<Page<AuditEntryView>>, ApiError> {
    super::given_not_empty(&[("from", &p.from), ("to", &p.to)])?;
    let filter = p.filter()?;
    let found = audit::list(app.store.as_ref(), &actor, &filter, PageRequest::checked(p.page, p.per_page)?).await?;
    Ok(Json(Page::from_paged(found, AuditEntryView::from)))
}
