//! `/api/v1/controls/{id}/…`: a control's mappings to framework requirements and its
//! evidence — links and the results automated checks post (the controls themselves are a
//! record kit type, served by `records::api`). `/api/v1/frameworks/{id}/coverage` and `…/soa` give a
//! framework's coverage and its Statement of Applicability.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulwark_core::compliance::controls::{self, Evidence, EvidenceInput, Mapping};
use bulwark_core::compliance::coverage::{self, Coverage, RequirementState};
use bulwark_core::ids::FrameworkId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::parse_id;
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery};

#[derive(Serialize, ToSchema)]
pub struct MappingView {
    #[schema(format = Uuid)]
    pub framework_id: String,
    pub framework: String,
    pub requirement_id: String,
    pub requirement: String,
}

impl From<Mapping> for MappingView {
    fn from(m: Mapping) -> Self {
        Self {
            framework_id: m.framework_id.to_string(),
            framework: m.framework_title,
            requirement_id: m.requirement_id,
            requirement: m.requirement_title,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceView {
    #[schema(format = Uuid)]
    pub id: String,
    /// file, link or check
    pub kind: String,
    pub title: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    /// A check's result: passed or failed.
    pub outcome: Option<String>,
    pub detail: String,
    #[schema(format = DateTime)]
    pub collected_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    pub created_by: String,
}

impl From<Evidence> for EvidenceView {
    fn from(e: Evidence) -> Self {
        Self {
            id: e.id.to_string(),
            kind: e.kind.as_str().into(),
            collected_at: bulwark_core::time_util::rfc3339(e.collected_at),
            expires_at: bulwark_core::time_util::rfc3339(e.expires_at),
            title: e.title,
            url: e.url,
            file_name: e.file_name,
            content_type: e.content_type,
            size_bytes: e.size_bytes,
            sha256: e.sha256,
            outcome: e.outcome,
            detail: e.detail,
            created_by: e.created_by,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/controls/{id}/mappings", tag = "compliance",
    params(("id" = String, Path, format = Uuid)), responses((status = 200, body = Vec<MappingView>)))]
pub async fn list_mappings(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<MappingView>>, ApiError> {
    let (mappings, _) = controls::mappings_and_evidence(app.store.as_ref(), &actor, parse_id(&id)?).await?;
    Ok(Json(mappings.into_iter().map(MappingView::from).collect()))
}

/// Newest first.
#[utoipa::path(get, path = "/api/v1/controls/{id}/evidence", tag = "compliance",
    params(("id" = String, Path, format = Uuid)), responses((status = 200, body = Vec<EvidenceView>)))]
pub async fn list_evidence(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<EvidenceView>>, ApiError> {
    let (_, evidence) = controls::mappings_and_evidence(app.store.as_ref(), &actor, parse_id(&id)?).await?;
    Ok(Json(evidence.into_iter().map(EvidenceView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct MappingBody {
    #[schema(format = Uuid)]
    pub framework_id: String,
    /// The requirement's id in the framework's catalog (e.g. `ac-2.1`).
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub requirement_id: String,
}

#[utoipa::path(post, path = "/api/v1/controls/{id}/mappings", tag = "compliance", request_body = MappingBody,
    params(("id" = String, Path, format = Uuid)), responses((status = 201, body = MappingView)))]
pub async fn map_control(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MappingBody>,
) -> Result<(StatusCode, Json<MappingView>), ApiError> {
    let m =
        controls::map(app.store.as_ref(), &actor, app.now(), parse_id(&id)?, &body.framework_id, &body.requirement_id)
            .await?;
    Ok((StatusCode::CREATED, Json(MappingView::from(m))))
}

#[utoipa::path(delete, path = "/api/v1/controls/{id}/mappings/{framework_id}/{requirement_id}", tag = "compliance",
    params(("id" = String, Path, format = Uuid), ("framework_id" = String, Path, format = Uuid),
           ("requirement_id" = String, Path, max_length = 200)),
    responses((status = 204, description = "The mapping is gone")))]
pub async fn unmap_control(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, framework_id, requirement_id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, framework) = (parse_id(&id)?, parse_id::<FrameworkId>(&framework_id)?);
    controls::unmap(app.store.as_ref(), &actor, app.now(), id, framework, &requirement_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum OutcomeName {
    Passed,
    Failed,
}

/// Evidence through the API: a link, or an automated check's result (files are uploaded on
/// the control's page).
#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EvidenceBody {
    Link {
        #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
        title: String,
        /// An http:// or https:// address.
        #[schema(max_length = 2000, pattern = r"^https?://[^\s\x00-\x1f\x7f-\x9f]+$")]
        url: String,
        #[serde(default)]
        #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
        detail: Option<String>,
        /// Days until it is stale (default 365).
        #[serde(default)]
        #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650)]
        valid_days: Option<f64>,
    },
    Check {
        #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
        title: String,
        #[schema(value_type = OutcomeName)]
        outcome: String,
        /// What the check found.
        #[serde(default)]
        #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
        detail: Option<String>,
        /// Days until it is stale (default 30).
        #[serde(default)]
        #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650)]
        valid_days: Option<f64>,
    },
}

#[utoipa::path(post, path = "/api/v1/controls/{id}/evidence", tag = "compliance", request_body = EvidenceBody,
    params(("id" = String, Path, format = Uuid)), responses((status = 201, body = EvidenceView)))]
pub async fn add_evidence(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EvidenceBody>,
) -> Result<(StatusCode, Json<EvidenceView>), ApiError> {
    let input = match body {
        EvidenceBody::Link { title, url, detail, valid_days } => EvidenceInput {
            kind: "link".into(),
            title,
            url,
            detail: detail.unwrap_or_default(),
            valid_days: super::whole_number(valid_days),
            ..Default::default()
        },
        EvidenceBody::Check { title, outcome, detail, valid_days } => EvidenceInput {
            kind: "check".into(),
            title,
            outcome,
            detail: detail.unwrap_or_default(),
            valid_days: super::whole_number(valid_days),
            ..Default::default()
        },
    };
    let e = controls::add_evidence(app.store.as_ref(), &actor, app.now(), parse_id(&id)?, input).await?;
    Ok((StatusCode::CREATED, Json(EvidenceView::from(e))))
}

#[derive(Serialize, ToSchema)]
pub struct GroupCoverageView {
    pub title: String,
    pub applicable: usize,
    pub covered: usize,
}

#[derive(Serialize, ToSchema)]
pub struct CoverageView {
    #[schema(format = Uuid)]
    pub framework_id: String,
    /// Requirements that apply.
    pub applicable: usize,
    /// Of those, the ones with an implemented control that has fresh evidence.
    pub covered: usize,
    pub percent: usize,
    pub groups: Vec<GroupCoverageView>,
}

impl From<&Coverage> for CoverageView {
    fn from(c: &Coverage) -> Self {
        Self {
            framework_id: c.framework.id.to_string(),
            applicable: c.applicable,
            covered: c.covered,
            percent: c.percent(),
            groups: c
                .groups
                .iter()
                .map(|g| GroupCoverageView { title: g.title.clone(), applicable: g.applicable, covered: g.covered })
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/frameworks/{id}/coverage", tag = "compliance",
    params(("id" = String, Path, format = Uuid)), responses((status = 200, body = CoverageView)))]
pub async fn get_coverage(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<CoverageView>, ApiError> {
    let c = coverage::coverage(app.store.as_ref(), &actor, parse_id(&id)?, app.now()).await?;
    Ok(Json(CoverageView::from(&c)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SoaParams {
    /// json (default) or csv
    #[param(value_type = Option<super::people::ExportFormatName>, inline)]
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SoaLine {
    pub requirement_id: String,
    pub label: Option<String>,
    pub title: String,
    pub group: Option<String>,
    pub applicable: bool,
    pub justification: String,
    /// The controls mapped to it.
    pub controls: Vec<String>,
    /// covered, evidence-missing, planned, gap or not-applicable
    pub state: String,
}

impl From<&RequirementState> for SoaLine {
    fn from(r: &RequirementState) -> Self {
        Self {
            requirement_id: r.requirement_id.clone(),
            label: r.label.clone(),
            title: r.title.clone(),
            group: r.group.clone(),
            applicable: r.applicable,
            justification: r.justification.clone(),
            controls: r.controls.iter().map(|c| c.title.clone()).collect(),
            state: r.state.as_str().into(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/frameworks/{id}/soa", tag = "compliance",
    params(("id" = String, Path, format = Uuid), SoaParams),
    responses((status = 200, description = "The Statement of Applicability (JSON, or CSV with format=csv)",
               content((Vec<SoaLine> = "application/json"), (String = "text/csv")))))]
pub async fn get_soa(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<SoaParams>,
) -> Result<Response, ApiError> {
    let c = coverage::coverage(app.store.as_ref(), &actor, parse_id(&id)?, app.now()).await?;
    match params.format.as_deref() {
        None | Some("json") => Ok(Json(c.requirements.iter().map(SoaLine::from).collect::<Vec<_>>()).into_response()),
        Some("csv") => {
            let bytes = crate::export::csv_bytes(
                coverage::SOA_COLUMNS,
                c.requirements.iter().map(RequirementState::export_row),
            );
            let disposition = "attachment; filename=\"statement-of-applicability.csv\"";
            let headers = [
                (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (axum::http::header::CONTENT_DISPOSITION, disposition),
            ];
            Ok((headers, bytes).into_response())
        }
        Some(_) => Err(bulwark_core::CoreError::invalid("format", "must be json or csv").into()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ApplicabilityBody {
    pub applicable: bool,
    /// Why it does not apply (required then).
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub justification: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/frameworks/{id}/requirements/{control_id}/applicability", tag = "compliance",
    request_body = ApplicabilityBody,
    params(("id" = String, Path, format = Uuid), ("control_id" = String, Path, max_length = 200)),
    responses((status = 204, description = "Recorded")))]
pub async fn set_applicability(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, control_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ApplicabilityBody>,
) -> Result<StatusCode, ApiError> {
    let justification = body.justification.unwrap_or_default();
    coverage::set_applicability(
        app.store.as_ref(),
        &actor,
        app.now(),
        parse_id(&id)?,
        &control_id,
        body.applicable,
        &justification,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/frameworks/{id}/assessment-results", tag = "compliance",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "The current state as an OSCAL assessment-results document", body = Object)))]
pub async fn get_assessment_results(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let base = app.config.public_url.clone();
    Ok(Json(coverage::assessment_results(app.store.as_ref(), &actor, parse_id(&id)?, app.now(), &base).await?))
}
