//! `/api/v1/campaigns` (list, create, completion, export of every participant, signing) and
//! `/api/v1/me/tasks`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulwark_core::ids::CampaignId;
use bulwark_core::policies::campaigns::{self, Campaign, CampaignInput, DepartmentCompletion, PinnedVersion, Task};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::CursorPage;
use super::parse_id;
use super::sorted::{CampaignParams, TaskParams};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};
use crate::export::Format;

#[derive(Serialize, ToSchema)]
pub struct CampaignView {
    pub id: String,
    pub title: String,
    pub due_at: String,
    pub closed_at: Option<String>,
    /// People given the task.
    pub assigned: i64,
    /// People who signed.
    pub signed: i64,
    /// Department ids of the audience; empty: every department.
    pub audience_departments: Vec<String>,
    /// Kinds of people in the audience; empty: every kind.
    pub audience_kinds: Vec<String>,
    /// Roles of the audience; empty: anyone.
    pub audience_roles: Vec<String>,
    /// Only people who join while it is open (onboarding).
    pub joiners_only: bool,
    /// The checklist of a checklist campaign.
    pub checklist_id: Option<String>,
    /// Set when it was cancelled (its open tasks withdrawn) rather than closed.
    pub cancelled_at: Option<String>,
    /// Every this many months its next round opens by itself; 0: once.
    pub repeat_months: i64,
}

impl From<Campaign> for CampaignView {
    fn from(c: Campaign) -> Self {
        Self {
            id: c.id.to_string(),
            title: c.title,
            due_at: bulwark_core::time_util::rfc3339(c.due_at),
            closed_at: c.closed_at.map(bulwark_core::time_util::rfc3339),
            assigned: c.assigned,
            signed: c.signed,
            audience_departments: c.audience_departments.iter().map(|d| d.to_string()).collect(),
            audience_kinds: c.audience_kinds.iter().map(|k| k.as_str().to_string()).collect(),
            audience_roles: c.audience_roles.iter().map(|r| r.as_str().to_string()).collect(),
            joiners_only: c.joiners_only,
            checklist_id: c.checklist_id.map(|k| k.to_string()),
            cancelled_at: c.cancelled_at.map(bulwark_core::time_util::rfc3339),
            repeat_months: c.repeat_months,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PinnedVersionView {
    pub policy_id: String,
    pub title: String,
    pub number: i64,
    pub content_hash: String,
}

impl From<PinnedVersion> for PinnedVersionView {
    fn from(v: PinnedVersion) -> Self {
        Self { policy_id: v.policy_id.to_string(), title: v.title, number: v.number, content_hash: v.content_hash }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentCompletionView {
    pub department: Option<String>,
    pub assigned: i64,
    pub signed: i64,
}

impl From<DepartmentCompletion> for DepartmentCompletionView {
    fn from(d: DepartmentCompletion) -> Self {
        Self { department: d.department, assigned: d.assigned, signed: d.signed }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDetailView {
    #[serde(flatten)]
    pub campaign: CampaignView,
    pub versions: Vec<PinnedVersionView>,
    pub by_department: Vec<DepartmentCompletionView>,
}

#[derive(Deserialize, ToSchema)]
pub struct CampaignBody {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    /// Published policies to acknowledge; empty or absent: every published policy.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub policy_ids: Vec<String>,
    /// Departments of the audience; empty or absent: every department.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub department_ids: Vec<String>,
    /// employee, contractor, student; empty or absent: every kind.
    #[serde(default)]
    #[schema(value_type = Vec<super::dto::PersonKindName>)]
    pub kinds: Vec<String>,
    /// Only people whose account has one of these roles; empty or absent: anyone.
    #[serde(default)]
    #[schema(value_type = Vec<super::dto::RoleName>)]
    pub roles: Vec<String>,
    /// A checklist the audience answers instead of signing policies (then `policy_ids` stays
    /// empty; 409 if there is no such checklist).
    #[serde(default)]
    #[schema(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub checklist_id: Option<String>,
    /// Only people who join from now on get the task (an onboarding campaign); nobody is
    /// enrolled when it starts.
    #[serde(default)]
    pub joiners_only: bool,
    /// The due date (YYYY-MM-DD, end of day UTC), in the future.
    #[schema(format = Date)]
    pub due_date: String,
    /// Every this many months (1–60) the next round opens by itself, with the same audience,
    /// the versions published then and a due date as much later; left out: once.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 60)]
    pub repeat_months: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct TaskView {
    pub id: String,
    pub title: String,
    /// open or done
    pub state: String,
    pub due_at: String,
    pub done_at: Option<String>,
    pub overdue: bool,
    /// Where the task is done.
    pub link: String,
}

pub(crate) fn task_view(t: Task, now: bulwark_core::Timestamp) -> TaskView {
    TaskView {
        overdue: t.is_overdue(now),
        link: t.link(),
        id: t.id,
        title: t.title,
        state: t.state,
        due_at: bulwark_core::time_util::rfc3339(t.due_at),
        done_at: t.done_at.map(bulwark_core::time_util::rfc3339),
    }
}

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", params(CampaignParams),
    responses((status = 200, description = "A page of campaigns; `next` (and the `Link` header) name the next page",
               body = CursorPage<CampaignView>)))]
pub async fn list_campaigns(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<CampaignParams>,
) -> Result<Response, ApiError> {
    let found = campaigns::list(app.store.as_ref(), &actor, &p.checked(&campaigns::LIST)?).await?;
    Ok(CursorPage::respond(found, CampaignView::from, "/api/v1/campaigns", &p.query_without_after()))
}

async fn detail(app: &AppState, actor: &bulwark_core::Actor, id: CampaignId) -> Result<CampaignDetailView, ApiError> {
    let found = campaigns::completion(app.store.as_ref(), actor, id, 0).await?;
    Ok(CampaignDetailView {
        campaign: found.campaign.into(),
        versions: found.versions.into_iter().map(Into::into).collect(),
        by_department: found.by_department.into_iter().map(Into::into).collect(),
    })
}

#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignBody,
    responses((status = 201, description = "Started; everyone in the audience has a task", body = CampaignDetailView),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_campaign(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<CampaignBody>,
) -> Result<(StatusCode, Json<CampaignDetailView>), ApiError> {
    super::given_not_empty(&[("checklist_id", &body.checklist_id)])?;
    let input = CampaignInput {
        checklist_id: body.checklist_id.unwrap_or_default(),
        joiners_only: body.joiners_only,
        title: body.title,
        policy_ids: body.policy_ids,
        department_ids: body.department_ids,
        kinds: body.kinds,
        roles: body.roles,
        due_date: body.due_date,
        confirmed_audience: String::new(),
        repeat_months: super::whole_number(body.repeat_months),
    };
    let c = campaigns::create(app.store.as_ref(), &actor, app.now(), &input).await?;
    Ok((StatusCode::CREATED, Json(detail(&app, &actor, c.id).await?)))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 200, description = "The campaign with its completion by department", body = CampaignDetailView),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_campaign(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<CampaignDetailView>, ApiError> {
    Ok(Json(detail(&app, &actor, parse_id(&id)?).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// csv (default) or json
    #[param(value_type = Option<super::people::ExportFormatName>, inline)]
    pub format: Option<String>,
}

/// One person of a campaign's JSON export: every value as text, as in the CSV (an empty
/// text where there is nothing: no department, not signed).
#[derive(Serialize, ToSchema)]
pub struct ParticipantRow {
    pub person_id: String,
    pub name: String,
    pub email: String,
    pub department: String,
    /// signed, open, missed or cancelled
    pub state: String,
    /// RFC 3339, or empty
    pub signed_at: String,
    /// The versions signed: "policy id:number:SHA-256", one per line
    pub versions: String,
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/export", tag = "campaigns", params(("id" = String, Path), ExportParams),
    responses((status = 200, description = "One row per person in the audience: person, e-mail, department, state, signed at, \
                the versions signed (policy id:number:SHA-256, one per line)",
               content((String = "text/csv"), (Vec<ParticipantRow> = "application/json"))),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn export_campaign(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let format = match p.format.as_deref() {
        None | Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some(_) => return Err(bulwark_core::CoreError::invalid("format", "must be csv or json").into()),
    };
    Ok(crate::pages::export_participants(&app, actor, parse_id(&id)?, format).await?)
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/acknowledge", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 204, description = "Signed: the caller acknowledged the campaign's policy versions"),
              (status = 404, description = "No such campaign, or not one for the caller", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Already signed, the campaign is closed, or it is a checklist to answer", body = Problem, content_type = "application/problem+json")))]
pub async fn acknowledge(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    campaigns::acknowledge(app.store.as_ref(), &actor, app.now(), parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/close", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 204, description = "Closed: open tasks are missed, the channels are told"),
              (status = 404, description = "No such campaign", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The campaign is closed already", body = Problem, content_type = "application/problem+json")))]
pub async fn close_campaign(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    campaigns::close(app.store.as_ref(), &actor, app.now(), parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/cancel", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 204, description = "Cancelled: open tasks are withdrawn, no further round opens, the channels are told"),
              (status = 404, description = "No such campaign", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The campaign is closed already", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel_campaign(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    campaigns::cancel(app.store.as_ref(), &actor, app.now(), parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// What may change on a running campaign.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignChange {
    /// YYYY-MM-DD, in the future: the new due date (open tasks and reminders move with it).
    #[schema(format = Date)]
    pub due_date: String,
}

#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = String, Path)),
    request_body = CampaignChange,
    responses((status = 200, description = "The due date moved", body = CampaignDetailView),
              (status = 404, description = "No such campaign", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The campaign is closed, or the date is past", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_campaign(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CampaignChange>,
) -> Result<Json<CampaignDetailView>, ApiError> {
    let id = parse_id(&id)?;
    campaigns::change_due_date(app.store.as_ref(), &actor, app.now(), id, &body.due_date).await?;
    Ok(Json(detail(&app, &actor, id).await?))
}

#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "tasks", params(TaskParams),
    responses((status = 200, description = "The caller's tasks, by due date; `next` (and the `Link` header) name the next page",
               body = CursorPage<TaskView>)))]
pub async fn my_tasks(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<TaskParams>,
) -> Result<Response, ApiError> {
    let found = campaigns::my_tasks(app.store.as_ref(), &actor, &p.checked(&campaigns::TASKS)?).await?;
    let now = app.now();
    Ok(CursorPage::respond(found, |t| task_view(t, now), "/api/v1/me/tasks", &p.query_without_after()))
}
