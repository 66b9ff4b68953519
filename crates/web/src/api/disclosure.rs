//! `/api/v1/vulnerability-reports`: the security team's side of vulnerability disclosure —
//! the reports with their conversations, triage, and replies to the reporter.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bulwark_core::ids::ReportId;
use bulwark_core::incidents::disclosure::{self, ReportMessage, TriageInput, VulnReport};
use bulwark_core::list::RawListQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::CursorPage;
use super::{IfMatch, parse_id, with_etag};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery};

#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum ReportStatusName {
    New,
    Triaged,
    Accepted,
    Duplicate,
    NotApplicable,
    Fixed,
    Disclosed,
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    pub description: String,
    pub affected: String,
    pub reporter_name: String,
    pub reporter_email: String,
    #[schema(value_type = ReportStatusName)]
    pub status: String,
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    pub severity: Option<String>,
    #[schema(format = Date)]
    pub deadline_on: String,
    pub cve_id: String,
    pub advisory: String,
    pub credit: String,
    pub created_at: String,
    pub version: String,
}

impl From<VulnReport> for ReportView {
    fn from(r: VulnReport) -> Self {
        Self {
            id: r.id.to_string(),
            status: r.status.as_str().into(),
            deadline_on: r.deadline_on.to_string(),
            created_at: bulwark_core::time_util::rfc3339(r.created_at),
            version: bulwark_core::version::version_of(r.updated_at),
            title: r.title,
            description: r.description,
            affected: r.affected,
            reporter_name: r.reporter_name,
            reporter_email: r.reporter_email,
            cvss_vector: r.cvss_vector,
            cvss_score: r.cvss_score,
            severity: r.severity,
            cve_id: r.cve_id,
            advisory: r.advisory,
            credit: r.credit,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    pub from_reporter: bool,
    pub author: String,
    pub body: String,
    pub created_at: String,
}

impl From<ReportMessage> for MessageView {
    fn from(m: ReportMessage) -> Self {
        Self {
            from_reporter: m.from_reporter,
            author: m.author,
            body: m.body,
            created_at: bulwark_core::time_util::rfc3339(m.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: ReportView,
    /// Oldest first.
    pub messages: Vec<MessageView>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    #[param(value_type = Option<ReportStatusName>, inline)]
    pub status: Option<String>,
    /// Where the page starts: the cursor from the previous page's `next` link.
    #[param(min_length = 1, max_length = 2000)]
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/vulnerability-reports", tag = "vulnerabilities", params(ReportParams),
    responses((status = 200, description = "Reports, newest first", body = CursorPage<ReportView>)))]
pub async fn list_reports(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<ReportParams>,
) -> Result<Response, ApiError> {
    super::given_not_empty(&[("status", &params.status), ("after", &params.after)])?;
    let filters = params.status.clone().map(|s| vec![("status".to_string(), s)]).unwrap_or_default();
    let raw = RawListQuery {
        filters,
        dir: Some("desc".into()),
        after: params.after.clone(),
        limit: params.per_page,
        ..Default::default()
    };
    let query = disclosure::LIST.parse(&raw)?;
    let found = disclosure::list(app.store.as_ref(), &actor, &query).await?;
    let base = super::list_query(&[("status", &params.status)], params.per_page);
    Ok(CursorPage::respond(found, ReportView::from, "/api/v1/vulnerability-reports", &base))
}

#[utoipa::path(get, path = "/api/v1/vulnerability-reports/{id}", tag = "vulnerabilities",
    params(("id" = String, Path, format = Uuid)), responses((status = 200, body = ReportDetail)))]
pub async fn get_report(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (report, messages) = disclosure::get(app.store.as_ref(), &actor, parse_id::<ReportId>(&id)?).await?;
    let updated_at = report.updated_at;
    let detail = ReportDetail { report: report.into(), messages: messages.into_iter().map(Into::into).collect() };
    Ok(with_etag(updated_at, detail))
}

/// The team's triage; fields left out keep their value.
#[derive(Deserialize, ToSchema)]
pub struct TriageBody {
    #[serde(default)]
    #[schema(value_type = Option<ReportStatusName>)]
    pub status: Option<String>,
    /// A CVSS v3.0, v3.1 or v4.0 vector (422 naming its problem when invalid); empty clears it.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub cvss_vector: Option<String>,
    #[serde(default)]
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub deadline_on: Option<String>,
    /// CVE-YYYY-NNNN…; empty clears it.
    #[serde(default)]
    #[schema(max_length = 40, pattern = r"^([Cc][Vv][Ee]-[0-9]{4}-[0-9]{4,})?$")]
    pub cve_id: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub advisory: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub credit: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/vulnerability-reports/{id}/triage", tag = "vulnerabilities",
    params(("id" = String, Path, format = Uuid)), request_body = TriageBody,
    responses((status = 200, body = ReportView)))]
pub async fn triage_report(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<TriageBody>,
) -> Result<Response, ApiError> {
    let id: ReportId = parse_id(&id)?;
    super::given_not_empty(&[("status", &body.status), ("deadline_on", &body.deadline_on)])?;
    let (current, _) = disclosure::get(app.store.as_ref(), &actor, id).await?;
    let input = TriageInput {
        status: body.status.unwrap_or_default(),
        cvss_vector: body.cvss_vector.unwrap_or_else(|| current.cvss_vector.clone().unwrap_or_default()),
        deadline_on: body.deadline_on.unwrap_or_default(),
        cve_id: body.cve_id.unwrap_or_else(|| current.cve_id.clone()),
        advisory: body.advisory.unwrap_or_else(|| current.advisory.clone()),
        credit: body.credit.unwrap_or_else(|| current.credit.clone()),
        // Fields left out keep what was read here: without If-Match, the edit is checked
        // against that read, so a change made meanwhile is refused rather than overwritten.
        version: if_match.0.clone().or_else(|| Some(bulwark_core::version::version_of(current.updated_at))),
    };
    let r =
        disclosure::triage(app.store.as_ref(), &actor, app.now(), id, &input).await.map_err(|e| if_match.fail(e))?;
    Ok(with_etag(r.updated_at, ReportView::from(r)))
}

/// A reply to the reporter.
#[derive(Deserialize, ToSchema)]
pub struct MessageBody {
    #[schema(
        max_length = 20000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*[^\s\x00-\x1f][^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
    )]
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/vulnerability-reports/{id}/messages", tag = "vulnerabilities",
    params(("id" = String, Path, format = Uuid)), request_body = MessageBody,
    responses((status = 201, description = "Sent; the reporter is e-mailed when they gave an address", body = MessageView)))]
pub async fn reply_to_reporter(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<(StatusCode, axum::Json<MessageView>), ApiError> {
    let id: ReportId = parse_id(&id)?;
    let m = disclosure::team_message(app.store.as_ref(), &actor, app.now(), id, &body.body).await?;
    Ok((StatusCode::CREATED, axum::Json(m.into())))
}
