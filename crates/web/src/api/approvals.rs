//! `/api/v1/approvals`: requests for a decision the caller may see, one request with its
//! decisions, and deciding one (approve or reject, with a comment).

use axum::Json;
use axum::extract::{Path, State};
use bulwark_core::approvals::{self, Approval, Decision};
use bulwark_core::time_util::rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};

#[derive(Serialize, ToSchema)]
pub struct ApprovalView {
    pub id: String,
    pub title: String,
    /// The record decided on: its type and id.
    pub subject_type: String,
    pub subject_id: String,
    /// The record's page.
    pub link: String,
    /// Who decides: `needed` distinct people among the holders of this role (none: only the
    /// people named) and the `people` named, never the requester nor the `excluded`.
    pub role: Option<String>,
    pub people: Vec<String>,
    pub excluded: Vec<String>,
    pub needed: i64,
    #[schema(example = "pending")]
    pub state: String,
    pub requested_by: String,
    pub created_at: String,
    pub decided_at: Option<String>,
}

impl From<Approval> for ApprovalView {
    fn from(a: Approval) -> Self {
        Self {
            id: a.id,
            title: a.title,
            subject_type: a.subject_type,
            subject_id: a.subject_id,
            link: a.link,
            role: a.role.map(|r| r.as_str().into()),
            people: a.people.iter().map(ToString::to_string).collect(),
            excluded: a.excluded.iter().map(ToString::to_string).collect(),
            needed: a.needed,
            state: a.state.as_str().into(),
            requested_by: a.requested_by,
            created_at: rfc3339(a.created_at),
            decided_at: a.decided_at.map(rfc3339),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DecisionView {
    pub decided_by: String,
    pub approve: bool,
    pub comment: String,
    pub decided_at: String,
}

impl From<Decision> for DecisionView {
    fn from(d: Decision) -> Self {
        Self { decided_by: d.decided_by, approve: d.approve, comment: d.comment, decided_at: rfc3339(d.decided_at) }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApprovalDetailView {
    #[serde(flatten)]
    pub approval: ApprovalView,
    pub decisions: Vec<DecisionView>,
}

#[derive(Serialize, ToSchema)]
pub struct ApprovalList {
    pub items: Vec<ApprovalView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApprovalListParams {
    /// Every request, decided ones too (default: only pending ones).
    pub all: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/approvals", tag = "approvals", params(ApprovalListParams),
    responses((status = 200, description = "Requests the caller may decide, asked for or (auditors) see; newest first, at most 200",
               body = ApprovalList)))]
pub async fn list_approvals(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<ApprovalListParams>,
) -> Result<Json<ApprovalList>, ApiError> {
    let items = approvals::list(app.store.as_ref(), &actor, p.all.unwrap_or(false), 200).await?;
    Ok(Json(ApprovalList { items: items.into_iter().map(Into::into).collect() }))
}

async fn detail(app: &AppState, actor: &bulwark_core::Actor, id: &str) -> Result<ApprovalDetailView, ApiError> {
    let (approval, decisions) = approvals::get(app.store.as_ref(), actor, id).await?;
    Ok(ApprovalDetailView { approval: approval.into(), decisions: decisions.into_iter().map(Into::into).collect() })
}

#[utoipa::path(get, path = "/api/v1/approvals/{id}", tag = "approvals", params(("id" = String, Path)),
    responses((status = 200, description = "The request with its decisions so far", body = ApprovalDetailView),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_approval(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<ApprovalDetailView>, ApiError> {
    Ok(Json(detail(&app, &actor, &id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DecisionChoice {
    Approve,
    Reject,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub decision: DecisionChoice,
    /// Why; required to reject.
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub comment: String,
}

#[utoipa::path(post, path = "/api/v1/approvals/{id}/decision", tag = "approvals", params(("id" = String, Path)),
    request_body = DecisionBody,
    responses((status = 200, description = "Recorded; the request as it now stands", body = ApprovalDetailView),
              (status = 403, description = "The caller does not hold the role that decides", body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Already decided, already decided by the caller, or asked for by the caller (four eyes)", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A rejection without a comment", body = Problem, content_type = "application/problem+json")))]
pub async fn decide(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<ApprovalDetailView>, ApiError> {
    let approve = matches!(body.decision, DecisionChoice::Approve);
    approvals::decide(app.store.as_ref(), &actor, app.now(), &id, approve, &body.comment).await?;
    Ok(Json(detail(&app, &actor, &id).await?))
}
