//! `/api/v1/controls`: the organisation's controls — list, read (with mappings and evidence),
//! create, update — their mappings to framework requirements, and evidence: links and the
//! results automated checks post. `/api/v1/frameworks/{id}/coverage` and `…/soa` give a
//! framework's coverage and its Statement of Applicability.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulwark_core::controls::{self, Control, ControlInput, Evidence, EvidenceInput, Mapping};
use bulwark_core::coverage::{self, Coverage, RequirementState};
use bulwark_core::ids::{ControlId, FrameworkId};
use bulwark_core::list::RawListQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::CursorPage;
use super::{IfMatch, parse_id, with_etag};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};

#[derive(Deserialize, IntoParams, Default, Clone)]
#[into_params(parameter_in = Query)]
pub struct ControlParams {
    /// Text found in the title or description (any case).
    #[param(max_length = 200, pattern = r"^[^\x00-\x1f\x7f]*$")]
    pub q: Option<String>,
    #[param(value_type = Option<ControlStatusName>, inline)]
    pub status: Option<String>,
    #[param(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub owner_id: Option<String>,
    /// title (default), status or created
    #[param(value_type = Option<ControlSortName>, inline)]
    pub sort: Option<String>,
    /// asc (default) or desc
    #[param(value_type = Option<super::people::SortDirName>, inline)]
    pub dir: Option<String>,
    #[param(min_length = 1, max_length = 2000)]
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum ControlStatusName {
    Planned,
    Implemented,
    NotApplicable,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ControlSortName {
    Title,
    Status,
    Created,
}

impl ControlParams {
    fn filters(&self) -> [(&'static str, &Option<String>); 2] {
        [("status", &self.status), ("owner_id", &self.owner_id)]
    }

    pub fn raw(&self) -> RawListQuery {
        let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        RawListQuery {
            q: given(&self.q),
            filters: self.filters().into_iter().filter_map(|(k, v)| given(v).map(|v| (k.to_string(), v))).collect(),
            sort: given(&self.sort),
            dir: given(&self.dir),
            after: given(&self.after),
            limit: self.per_page,
        }
    }

    pub fn query_without_after(&self) -> String {
        let mut params: Vec<(&str, &Option<String>)> = vec![("q", &self.q)];
        params.extend(self.filters());
        params.extend([("sort", &self.sort), ("dir", &self.dir)]);
        super::list_query(&params, self.per_page)
    }
}

#[derive(Serialize, ToSchema)]
pub struct ControlView {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    pub description: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    #[schema(value_type = ControlStatusName)]
    pub status: String,
    pub justification: String,
    pub version: String,
}

impl From<Control> for ControlView {
    fn from(c: Control) -> Self {
        Self {
            id: c.id.to_string(),
            owner_id: c.owner_id.map(|p| p.to_string()),
            status: c.status.as_str().into(),
            version: bulwark_core::version::version_of(c.updated_at),
            title: c.title,
            description: c.description,
            owner_name: c.owner_name,
            justification: c.justification,
        }
    }
}

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

#[derive(Serialize, ToSchema)]
pub struct ControlDetail {
    #[serde(flatten)]
    pub control: ControlView,
    pub mappings: Vec<MappingView>,
    /// Newest first.
    pub evidence: Vec<EvidenceView>,
}

#[derive(Deserialize, ToSchema)]
pub struct ControlBody {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    /// The owner's id or e-mail address (409 if nobody has it).
    #[serde(default)]
    #[schema(
        max_length = 254,
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s.\x00-\x1f\x7f-\x9f]+(\.[^@\s.\x00-\x1f\x7f-\x9f]+)+)$"
    )]
    pub owner_id: Option<String>,
    /// planned (default), implemented or not-applicable (which needs a justification)
    #[serde(default)]
    #[schema(value_type = Option<ControlStatusName>)]
    pub status: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub justification: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

impl TryFrom<ControlBody> for ControlInput {
    type Error = ApiError;
    fn try_from(b: ControlBody) -> Result<Self, ApiError> {
        super::given_not_empty(&[("owner_id", &b.owner_id), ("status", &b.status)])?;
        Ok(ControlInput {
            title: b.title,
            description: b.description.unwrap_or_default(),
            owner: b.owner_id.unwrap_or_default(),
            status: b.status.unwrap_or_default(),
            justification: b.justification.unwrap_or_default(),
            version: b.version,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/controls", tag = "compliance", params(ControlParams),
    responses((status = 200, body = CursorPage<ControlView>),
              (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_controls(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<ControlParams>,
) -> Result<Response, ApiError> {
    let mut given = params.filters().to_vec();
    given.extend([("sort", &params.sort), ("dir", &params.dir), ("after", &params.after)]);
    super::given_not_empty(&given)?;
    let query = controls::LIST.parse(&params.raw())?;
    let found = controls::list(app.store.as_ref(), &actor, &query).await?;
    Ok(CursorPage::respond(found, ControlView::from, "/api/v1/controls", &params.query_without_after()))
}

#[utoipa::path(post, path = "/api/v1/controls", tag = "compliance", request_body = ControlBody,
    responses((status = 201, body = ControlView)))]
pub async fn create_control(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<ControlBody>,
) -> Result<(StatusCode, Response), ApiError> {
    let c = controls::create(app.store.as_ref(), &actor, app.now(), &body.try_into()?).await?;
    Ok((StatusCode::CREATED, with_etag(c.updated_at, ControlView::from(c))))
}

#[utoipa::path(get, path = "/api/v1/controls/{id}", tag = "compliance",
    params(("id" = String, Path, format = Uuid)), responses((status = 200, body = ControlDetail)))]
pub async fn get_control(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (c, mappings, evidence) = controls::get(app.store.as_ref(), &actor, parse_id::<ControlId>(&id)?).await?;
    let at = c.updated_at;
    let detail = ControlDetail {
        control: ControlView::from(c),
        mappings: mappings.into_iter().map(MappingView::from).collect(),
        evidence: evidence.into_iter().map(EvidenceView::from).collect(),
    };
    Ok(with_etag(at, detail))
}

#[utoipa::path(put, path = "/api/v1/controls/{id}", tag = "compliance", request_body = ControlBody,
    params(("id" = String, Path, format = Uuid)), responses((status = 200, body = ControlView)))]
pub async fn update_control(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<ControlBody>,
) -> Result<Response, ApiError> {
    let mut input: ControlInput = body.try_into()?;
    input.version = if_match.or(input.version);
    let c = controls::update(app.store.as_ref(), &actor, app.now(), parse_id(&id)?, &input)
        .await
        .map_err(|e| if_match.fail(e))?;
    Ok(with_etag(c.updated_at, ControlView::from(c)))
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
