//! `/api/v1/incidents`: chat bots, mail gateways and people report incidents; each caller
//! lists and reads the incidents they may see (all of them for the security team).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bulwark_core::ids::IncidentId;
use bulwark_core::incidents::{self, Incident, ReportInput};
use bulwark_core::list::RawListQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::CursorPage;
use super::{parse_id, with_etag};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery};

#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum CategoryName {
    LostDevice,
    SuspiciousLogin,
    Malware,
    Ransomware,
    MisdirectedData,
    LawEnforcementRequest,
    PolicyViolation,
    Other,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum IncidentStatusName {
    Reported,
    Triaged,
    Contained,
    Eradicated,
    Recovered,
    Closed,
}

/// A new incident.
#[derive(Deserialize, ToSchema)]
pub struct IncidentBody {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[schema(value_type = CategoryName)]
    pub category: String,
    #[schema(
        max_length = 20000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*[^\s\x00-\x1f][^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
    )]
    pub description: String,
    /// Whether personal data may be involved (starts the 72-hour clock).
    #[serde(default)]
    pub personal_data: bool,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    #[schema(value_type = CategoryName)]
    pub category: String,
    pub description: String,
    pub reporter: String,
    pub severity: String,
    #[schema(value_type = IncidentStatusName)]
    pub status: String,
    pub personal_data: bool,
    /// When the data protection authority must have been notified, while that is owed.
    pub authority_due: Option<String>,
    pub link: String,
    pub created_at: String,
}

impl From<Incident> for IncidentView {
    fn from(i: Incident) -> Self {
        Self {
            id: i.id.to_string(),
            link: format!("/incidents/{}", i.id),
            authority_due: i.authority_due().map(bulwark_core::time_util::rfc3339),
            category: i.category.as_str().into(),
            severity: i.severity.as_str().into(),
            status: i.status.as_str().into(),
            created_at: bulwark_core::time_util::rfc3339(i.created_at),
            title: i.title,
            description: i.description,
            reporter: i.reporter_label,
            personal_data: i.personal_data,
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct IncidentParams {
    /// Where the page starts: the cursor from the previous page's `next` link.
    #[param(min_length = 1, max_length = 2000)]
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = IncidentBody,
    responses((status = 201, description = "Reported; the security channels are told", body = IncidentView)))]
pub async fn report_incident(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<IncidentBody>,
) -> Result<(StatusCode, Response), ApiError> {
    let input = ReportInput {
        title: body.title,
        category: body.category,
        description: body.description,
        personal_data: if body.personal_data { "on".into() } else { String::new() },
    };
    let i = incidents::report(app.store.as_ref(), &actor, app.now(), &input).await?;
    Ok((StatusCode::CREATED, with_etag(i.updated_at, IncidentView::from(i))))
}

#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(IncidentParams),
    responses((status = 200, description = "The incidents the caller may see, newest first",
               body = CursorPage<IncidentView>)))]
pub async fn list_incidents(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<IncidentParams>,
) -> Result<Response, ApiError> {
    super::given_not_empty(&[("after", &params.after)])?;
    let raw = RawListQuery {
        dir: Some("desc".into()),
        after: params.after.clone(),
        limit: params.per_page,
        ..Default::default()
    };
    let query = incidents::LIST.parse(&raw)?;
    let found = incidents::list(app.store.as_ref(), &actor, &query).await?;
    let base = super::list_query(&[], params.per_page);
    Ok(CursorPage::respond(found, IncidentView::from, "/api/v1/incidents", &base))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "The incident, to its reporter, the people added and the security team",
               body = IncidentView)))]
pub async fn get_incident(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let d = incidents::get(app.store.as_ref(), &actor, parse_id::<IncidentId>(&id)?).await?;
    Ok(with_etag(d.incident.updated_at, IncidentView::from(d.incident)))
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum SeverityName {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ImpactName {
    None,
    Low,
    High,
}

/// The team's assessment: any field left out keeps its value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentBody {
    #[serde(default)]
    #[schema(value_type = Option<SeverityName>)]
    pub severity: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<ImpactName>)]
    pub confidentiality: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<ImpactName>)]
    pub integrity: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<ImpactName>)]
    pub availability: Option<String>,
    /// Whether personal data is involved (starts the 72-hour clock; false stops it).
    #[serde(default)]
    pub personal_data: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/assessment", tag = "incidents",
    params(("id" = String, Path, format = Uuid)), request_body = AssessmentBody,
    responses((status = 200, description = "Triaged: severity, impact and personal data", body = IncidentView)))]
pub async fn assess_incident(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssessmentBody>,
) -> Result<axum::Json<IncidentView>, ApiError> {
    let id = parse_id::<IncidentId>(&id)?;
    // Left out keeps a value; an empty one is none of the values the schema names.
    let given = [
        ("severity", &body.severity),
        ("confidentiality", &body.confidentiality),
        ("integrity", &body.integrity),
        ("availability", &body.availability),
    ];
    let empty: Vec<_> = given
        .iter()
        .filter(|(_, v)| v.as_deref().is_some_and(|v| v.trim().is_empty()))
        .map(|(name, _)| bulwark_core::error::FieldError::new(*name, "must be one of the listed values, or left out"))
        .collect();
    if !empty.is_empty() {
        return Err(ApiError::invalid(empty));
    }
    let current = incidents::get(app.store.as_ref(), &actor, id).await?.incident;
    let yes = |b: bool| if b { "on".to_string() } else { String::new() };
    let input = incidents::AssessmentInput {
        severity: body.severity.unwrap_or_default(),
        confidentiality: body.confidentiality.unwrap_or_default(),
        integrity: body.integrity.unwrap_or_default(),
        availability: body.availability.unwrap_or_default(),
        personal_data: yes(body.personal_data.unwrap_or(current.personal_data)),
    };
    Ok(axum::Json(incidents::assess(app.store.as_ref(), &actor, app.now(), id, &input).await?.into()))
}

/// The next step of the response.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// Later than the current one; never back.
    #[schema(value_type = IncidentStatusName)]
    pub status: String,
    /// Required to close.
    #[serde(default)]
    #[schema(max_length = 20000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$")]
    pub lessons_learned: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/status", tag = "incidents",
    params(("id" = String, Path, format = Uuid)), request_body = StatusBody,
    responses((status = 200, description = "Moved on (closing needs the lessons learned)", body = IncidentView)))]
pub async fn advance_incident(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<axum::Json<IncidentView>, ApiError> {
    let id = parse_id::<IncidentId>(&id)?;
    let lessons = body.lessons_learned.unwrap_or_default();
    Ok(axum::Json(incidents::advance(app.store.as_ref(), &actor, app.now(), id, &body.status, &lessons).await?.into()))
}

/// Which authority was notified.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationBody {
    /// The authority's id or exact name in the register; may be left out only while a
    /// personal-data notification is owed (the data protection authority, not in the register).
    #[serde(default)]
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub authority: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/authority-notification", tag = "incidents",
    params(("id" = String, Path, format = Uuid)), request_body = NotificationBody,
    responses((status = 200, description = "Recorded on the timeline; the authority was contacted today", body = IncidentView)))]
pub async fn record_notification(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NotificationBody>,
) -> Result<axum::Json<IncidentView>, ApiError> {
    let id = parse_id::<IncidentId>(&id)?;
    let authority = body.authority.unwrap_or_default();
    let notified = incidents::record_authority_notified(app.store.as_ref(), &actor, app.now(), id, &authority).await?;
    Ok(axum::Json(notified.into()))
}
