//! `/api/v1/risks`: the risk register — list (filtered by owner, treatment, acceptance and
//! score), read, create, update, record a review, the heat map's counts — and
//! `/api/v1/risk-settings` (scale, acceptance threshold, review period).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bulwark_core::compliance::risks::{self, HeatMap, Risk, RiskInput, RiskSettings, RiskSettingsInput};
use bulwark_core::ids::RiskId;
use bulwark_core::list::{ListQuery, RawListQuery};
use bulwark_core::version::version_of;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::CursorPage;
use super::{IfMatch, parse_id, whole_number, with_etag};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery};
use crate::export::Format;

#[derive(Deserialize, IntoParams, Default, Clone)]
#[into_params(parameter_in = Query)]
pub struct RiskParams {
    /// Text found in the title, process, threat, vulnerability or description (any case).
    #[param(max_length = 200, pattern = r"^[^\x00-\x1f\x7f]*$")]
    pub q: Option<String>,
    #[param(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub owner_id: Option<String>,
    #[param(value_type = Option<TreatmentName>, inline)]
    pub treatment: Option<String>,
    #[param(value_type = Option<AcceptanceName>, inline)]
    pub acceptance: Option<String>,
    /// Only risks whose current score (residual once rated) is at least this.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub score_min: Option<String>,
    /// Only risks whose current score is at most this.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub score_max: Option<String>,
    /// score (default: highest first), inherent, title, review_on or created
    #[param(value_type = Option<RiskSortName>, inline)]
    pub sort: Option<String>,
    /// desc (default for the score sorts) or asc
    #[param(value_type = Option<super::people::SortDirName>, inline)]
    pub dir: Option<String>,
    /// Where the page starts: the cursor from the previous page's `next` link.
    #[param(min_length = 1, max_length = 2000)]
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum TreatmentName {
    Untreated,
    Mitigate,
    Accept,
    Transfer,
    Avoid,
}

#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum AcceptanceName {
    None,
    WithinAppetite,
    Pending,
    Approved,
    Rejected,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum RiskSortName {
    Score,
    Inherent,
    Title,
    ReviewOn,
    Created,
}

impl RiskParams {
    fn filters(&self) -> [(&'static str, &Option<String>); 5] {
        [
            ("owner_id", &self.owner_id),
            ("treatment", &self.treatment),
            ("acceptance", &self.acceptance),
            ("score_min", &self.score_min),
            ("score_max", &self.score_max),
        ]
    }

    /// Whether the list runs highest first: the score sorts do unless told otherwise.
    pub fn descending(&self) -> bool {
        let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        match given(&self.dir) {
            Some(dir) => dir == "desc",
            None => matches!(given(&self.sort).as_deref(), None | Some("score" | "inherent")),
        }
    }

    /// The raw list query, for `risks::LIST` to check (empty values from a form mean "all").
    pub fn raw(&self) -> RawListQuery {
        let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        let dir = given(&self.dir).or_else(|| self.descending().then(|| "desc".to_string()));
        RawListQuery {
            q: given(&self.q),
            filters: self.filters().into_iter().filter_map(|(k, v)| given(v).map(|v| (k.to_string(), v))).collect(),
            sort: given(&self.sort),
            dir,
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

/// A risk as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct RiskView {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    pub description: String,
    pub asset_id: Option<String>,
    pub asset_name: Option<String>,
    pub process: String,
    pub threat: String,
    pub vulnerability: String,
    pub owner_id: String,
    pub owner_name: Option<String>,
    pub probability: i64,
    pub impact: i64,
    pub inherent_score: i64,
    #[schema(value_type = TreatmentName)]
    pub treatment: String,
    pub treatment_plan: String,
    pub control_ids: Vec<String>,
    pub residual_probability: Option<i64>,
    pub residual_impact: Option<i64>,
    pub residual_score: Option<i64>,
    /// Residual once rated, inherent until then.
    pub score: i64,
    /// Whether accepting it needed management's approval, and how that stands.
    #[schema(value_type = AcceptanceName)]
    pub acceptance: String,
    pub approval_id: Option<String>,
    #[schema(format = Date)]
    pub review_on: String,
    #[schema(format = Date)]
    pub last_reviewed_on: Option<String>,
    pub version: String,
}

impl From<Risk> for RiskView {
    fn from(r: Risk) -> Self {
        Self {
            id: r.id.to_string(),
            inherent_score: r.inherent_score(),
            residual_score: r.residual_score(),
            score: r.score(),
            asset_id: r.asset_id.map(|a| a.to_string()),
            owner_id: r.owner_id.to_string(),
            treatment: r.treatment.as_str().into(),
            control_ids: r.control_ids.iter().map(ToString::to_string).collect(),
            acceptance: r.acceptance.as_str().into(),
            review_on: r.review_on.to_string(),
            last_reviewed_on: r.last_reviewed_on.map(|d| d.to_string()),
            version: version_of(r.updated_at),
            title: r.title,
            description: r.description,
            asset_name: r.asset_name,
            process: r.process,
            threat: r.threat,
            vulnerability: r.vulnerability,
            owner_name: r.owner_name,
            probability: r.probability,
            impact: r.impact,
            treatment_plan: r.treatment_plan,
            residual_probability: r.residual_probability,
            residual_impact: r.residual_impact,
            approval_id: r.approval_id,
        }
    }
}

/// A risk as a client sends it. Ratings run from 1 to the instance's scale (5 unless
/// configured, at most 10).
#[derive(Deserialize, ToSchema)]
pub struct RiskBody {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    /// The asset at risk (409 if the inventory has no such asset).
    #[serde(default)]
    #[schema(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub asset_id: Option<String>,
    /// The business process at risk.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub process: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub threat: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub vulnerability: Option<String>,
    /// The owner's id or e-mail address (409 if nobody has it).
    #[schema(
        max_length = 254,
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s.\x00-\x1f\x7f-\x9f]+(\.[^@\s.\x00-\x1f\x7f-\x9f]+)+)$"
    )]
    pub owner_id: String,
    #[schema(value_type = i64, minimum = 1, maximum = 10)]
    pub probability: f64,
    #[schema(value_type = i64, minimum = 1, maximum = 10)]
    pub impact: f64,
    /// untreated (default), mitigate, accept (which needs a treatment plan saying why),
    /// transfer or avoid
    #[serde(default)]
    #[schema(value_type = Option<TreatmentName>)]
    pub treatment: Option<String>,
    #[serde(default)]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub treatment_plan: Option<String>,
    /// The controls the treatment relies on (409 for an id naming no control).
    #[serde(default)]
    #[schema(max_items = 200)]
    pub control_ids: Option<Vec<uuid::Uuid>>,
    /// Rated together with `residual_impact`, or not at all.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 10)]
    pub residual_probability: Option<f64>,
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 10)]
    pub residual_impact: Option<f64>,
    /// The next review (the review period from today when absent on a new risk).
    #[serde(default)]
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub review_on: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

impl TryFrom<RiskBody> for RiskInput {
    type Error = ApiError;
    /// Optional fields may be absent or null, but not empty where the schema gives their form.
    fn try_from(b: RiskBody) -> Result<Self, ApiError> {
        super::given_not_empty(&[("asset_id", &b.asset_id), ("treatment", &b.treatment), ("review_on", &b.review_on)])?;
        Ok(RiskInput {
            title: b.title,
            description: b.description.unwrap_or_default(),
            asset_id: b.asset_id.unwrap_or_default(),
            process: b.process.unwrap_or_default(),
            threat: b.threat.unwrap_or_default(),
            vulnerability: b.vulnerability.unwrap_or_default(),
            owner: b.owner_id,
            probability: whole_number(Some(b.probability)),
            impact: whole_number(Some(b.impact)),
            treatment: b.treatment.unwrap_or_default(),
            treatment_plan: b.treatment_plan.unwrap_or_default(),
            control_ids: b.control_ids.unwrap_or_default().iter().map(ToString::to_string).collect(),
            residual_probability: whole_number(b.residual_probability),
            residual_impact: whole_number(b.residual_impact),
            review_on: b.review_on.unwrap_or_default(),
            version: b.version,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/risks", tag = "risks", params(RiskParams),
    responses((status = 200, description = "A page of risks, highest score first unless sorted otherwise; `next` \
               (and the `Link` header) name the next page", body = CursorPage<RiskView>)))]
pub async fn list_risks(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<RiskParams>,
) -> Result<Response, ApiError> {
    let mut given = params.filters().to_vec();
    given.extend([("sort", &params.sort), ("dir", &params.dir), ("after", &params.after)]);
    super::given_not_empty(&given)?;
    let query = risks::LIST.parse(&params.raw())?;
    let found = risks::list(app.store.as_ref(), &actor, &query).await?;
    Ok(CursorPage::respond(found, RiskView::from, "/api/v1/risks", &params.query_without_after()))
}

/// Every risk the query matches, streamed page by page.
pub fn risks_export(
    app: &AppState,
    actor: std::sync::Arc<bulwark_core::Actor>,
    query: ListQuery,
    format: Format,
) -> Response {
    let list = |store: std::sync::Arc<dyn bulwark_core::Store>, actor: std::sync::Arc<bulwark_core::Actor>, q| async move {
        risks::list(store.as_ref(), &actor, &q).await
    };
    let download = crate::export::Download { format, stem: "risks", columns: risks::LIST.columns };
    crate::export::stream_records((app.store.clone(), actor), download, query, list, Risk::export_row)
}

#[utoipa::path(post, path = "/api/v1/risks", tag = "risks", request_body = RiskBody,
    responses((status = 201, description = "Recorded; accepting it above the threshold asked management for \
               approval (`acceptance` is `pending`)", body = RiskView)))]
pub async fn create_risk(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<RiskBody>,
) -> Result<(StatusCode, Response), ApiError> {
    let created = risks::create(app.store.as_ref(), &actor, app.now(), &body.try_into()?).await?;
    let r = risks::get(app.store.as_ref(), &actor, created.id).await?;
    Ok((StatusCode::CREATED, with_etag(r.updated_at, RiskView::from(r))))
}

#[utoipa::path(get, path = "/api/v1/risks/{id}", tag = "risks", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "The risk (its owner sees it too)", body = RiskView)))]
pub async fn get_risk(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let r = risks::get(app.store.as_ref(), &actor, parse_id::<RiskId>(&id)?).await?;
    Ok(with_etag(r.updated_at, RiskView::from(r)))
}

#[utoipa::path(put, path = "/api/v1/risks/{id}", tag = "risks", params(("id" = String, Path, format = Uuid)),
    request_body = RiskBody, responses((status = 200, body = RiskView)))]
pub async fn update_risk(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<RiskBody>,
) -> Result<Response, ApiError> {
    let id: RiskId = parse_id(&id)?;
    let mut input: RiskInput = body.try_into()?;
    input.version = if_match.or(input.version);
    risks::update(app.store.as_ref(), &actor, app.now(), id, &input).await.map_err(|e| if_match.fail(e))?;
    let r = risks::get(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(r.updated_at, RiskView::from(r)))
}

#[utoipa::path(post, path = "/api/v1/risks/{id}/review", tag = "risks", params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "Reviewed today; the next review is planned and its task given to the owner",
               body = RiskView)))]
pub async fn review_risk(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<RiskView>, ApiError> {
    let id: RiskId = parse_id(&id)?;
    let r = risks::record_review(app.store.as_ref(), &actor, app.now(), id).await?;
    Ok(Json(risks::get(app.store.as_ref(), &actor, r.id).await?.into()))
}

/// How many risks sit in each cell of the probability × impact grid.
#[derive(Serialize, ToSchema)]
pub struct HeatMapView {
    pub scale: i64,
    pub acceptance_threshold: i64,
    /// Cells with at least one risk, at their inherent rating.
    pub inherent: Vec<HeatCellView>,
    /// Cells with at least one risk, at their residual rating (inherent until rated).
    pub residual: Vec<HeatCellView>,
}

#[derive(Serialize, ToSchema)]
pub struct HeatCellView {
    pub probability: i64,
    pub impact: i64,
    pub count: i64,
}

impl HeatMapView {
    fn new(map: HeatMap, settings: &RiskSettings) -> Self {
        let cells = |cells: Vec<risks::HeatCell>| {
            cells
                .into_iter()
                .map(|c| HeatCellView { probability: c.probability, impact: c.impact, count: c.count })
                .collect()
        };
        Self {
            scale: settings.scale,
            acceptance_threshold: settings.acceptance_threshold,
            inherent: cells(map.inherent),
            residual: cells(map.residual),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/risks/heat-map", tag = "risks",
    responses((status = 200, description = "The register on the probability × impact grid", body = HeatMapView)))]
pub async fn get_heat_map(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<HeatMapView>, ApiError> {
    let map = risks::heat_map(app.store.as_ref(), &actor).await?;
    let settings = risks::settings(app.store.as_ref(), &actor).await?;
    Ok(Json(HeatMapView::new(map, &settings)))
}

/// The rating scale, the risk appetite and the review period.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RiskSettingsView {
    /// Probability and impact are rated 1 to `scale` (3 to 10).
    #[schema(minimum = 3, maximum = 10)]
    pub scale: i64,
    /// The highest score (probability × impact) accepted without management's approval.
    #[schema(minimum = 1, maximum = 100)]
    pub acceptance_threshold: i64,
    /// Days from one review to the next.
    #[schema(minimum = 1, maximum = 3650)]
    pub review_days: i64,
    pub version: String,
}

/// New settings: each field may be left out to keep it.
#[derive(Deserialize, ToSchema)]
pub struct RiskSettingsBody {
    /// 3 to 10; cannot shrink below a rating in use (409).
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 3, maximum = 10)]
    pub scale: Option<f64>,
    /// 1 to scale × scale.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub acceptance_threshold: Option<f64>,
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650)]
    pub review_days: Option<f64>,
    #[serde(default)]
    pub version: Option<String>,
}

impl From<RiskSettings> for RiskSettingsView {
    fn from(s: RiskSettings) -> Self {
        Self {
            scale: s.scale,
            acceptance_threshold: s.acceptance_threshold,
            review_days: s.review_days,
            version: version_of(s.updated_at),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/risk-settings", tag = "risks",
    responses((status = 200, body = RiskSettingsView)))]
pub async fn get_risk_settings(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Response, ApiError> {
    let s = risks::settings(app.store.as_ref(), &actor).await?;
    Ok(with_etag(s.updated_at, RiskSettingsView::from(s)))
}

#[utoipa::path(put, path = "/api/v1/risk-settings", tag = "risks", request_body = RiskSettingsBody,
    responses((status = 200, body = RiskSettingsView)))]
pub async fn update_risk_settings(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    if_match: IfMatch,
    ApiJson(body): ApiJson<RiskSettingsBody>,
) -> Result<Response, ApiError> {
    let input = RiskSettingsInput {
        scale: whole_number(body.scale),
        acceptance_threshold: whole_number(body.acceptance_threshold),
        review_days: whole_number(body.review_days),
        version: if_match.or(body.version),
    };
    let s =
        risks::update_settings(app.store.as_ref(), &actor, app.now(), &input).await.map_err(|e| if_match.fail(e))?;
    Ok(with_etag(s.updated_at, RiskSettingsView::from(s)))
}
