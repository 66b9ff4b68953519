//! `/api/v1/checklists` (list, create, one with its items) and answering a checklist
//! campaign: `POST /api/v1/campaigns/{id}/answers`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulwark_core::ids::ChecklistId;
use bulwark_core::policies::checklists::{self, Checklist, ChecklistInput, RawAnswer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::CursorPage;
use super::parse_id;
use super::sorted::ChecklistParams;
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};

#[derive(Serialize, ToSchema)]
pub struct ChecklistItemView {
    pub position: i64,
    pub text: String,
    pub guidance: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChecklistView {
    pub id: String,
    pub title: String,
    pub description: String,
    /// Days a person has to fix an item answered "no".
    pub follow_up_days: i64,
    pub item_count: i64,
    /// The items (in a list: empty; read one checklist for them).
    pub items: Vec<ChecklistItemView>,
    pub created_at: String,
}

impl From<Checklist> for ChecklistView {
    fn from(k: Checklist) -> Self {
        Self {
            id: k.id.to_string(),
            title: k.title,
            description: k.description,
            follow_up_days: k.follow_up_days,
            item_count: k.item_count,
            items: k
                .items
                .into_iter()
                .map(|i| ChecklistItemView { position: i.position, text: i.text, guidance: i.guidance })
                .collect(),
            created_at: bulwark_core::time_util::rfc3339(k.created_at),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/checklists", tag = "checklists", params(ChecklistParams),
    responses((status = 200, description = "A page of checklists; `next` (and the `Link` header) name the next page",
               body = CursorPage<ChecklistView>)))]
pub async fn list_checklists(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<ChecklistParams>,
) -> Result<Response, ApiError> {
    let found = checklists::list(app.store.as_ref(), &actor, &p.checked(&checklists::LIST)?).await?;
    Ok(CursorPage::respond(found, ChecklistView::from, "/api/v1/checklists", &p.query_without_after()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItemBody {
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1f\x7f-\x9f|]*[^\s\x00-\x1f\x7f-\x9f|][^\x00-\x1f\x7f-\x9f|]*$")]
    pub text: String,
    /// How to check it.
    #[serde(default)]
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x1f\x7f-\x9f|]*$")]
    pub guidance: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistBody {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 4000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub description: String,
    /// Days to fix a "no" (1–365, default 14).
    #[serde(default)]
    #[schema(value_type = Option<u16>, minimum = 1, maximum = 365)]
    pub follow_up_days: Option<f64>,
    #[schema(min_items = 1, max_items = 100)]
    pub items: Vec<ChecklistItemBody>,
}

#[utoipa::path(post, path = "/api/v1/checklists", tag = "checklists", request_body = ChecklistBody,
    responses((status = 201, description = "Created; a checklist is fixed once made", body = ChecklistView),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_checklist(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<ChecklistBody>,
) -> Result<(StatusCode, Json<ChecklistView>), ApiError> {
    let input = ChecklistInput {
        title: body.title,
        description: body.description,
        // JSON has one number type: 14 and 14.0 are the same number of days.
        follow_up_days: super::whole_number(body.follow_up_days),
        items: body
            .items
            .into_iter()
            .map(|i| if i.guidance.trim().is_empty() { i.text } else { format!("{} | {}", i.text, i.guidance) })
            .collect(),
    };
    let created = checklists::create(app.store.as_ref(), &actor, app.now(), &input).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(get, path = "/api/v1/checklists/{id}", tag = "checklists", params(("id" = String, Path)),
    responses((status = 200, description = "The checklist with its items", body = ChecklistView),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_checklist(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<ChecklistView>, ApiError> {
    let found = checklists::get(app.store.as_ref(), &actor, parse_id::<ChecklistId>(&id)?).await?;
    Ok(Json(found.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AnswerName {
    Yes,
    No,
    Na,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// The item's position (1, 2, …); 409 if the checklist has no such item.
    #[schema(value_type = u16, minimum = 1, maximum = 100)]
    pub item: f64,
    pub answer: AnswerName,
    #[serde(default)]
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersBody {
    /// One answer per item of the checklist.
    #[schema(max_items = 100)]
    pub answers: Vec<AnswerBody>,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/answers", tag = "campaigns", params(("id" = String, Path)),
    request_body = AnswersBody,
    responses((status = 204, description = "Saved: the first time it completes the caller's task; a \"no\" opens a follow-up task, \
                a later yes or na closes it"),
              (status = 404, description = "No such checklist campaign, or not one for the caller", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "An item of the checklist missing, or one it does not have", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A comment too long, or the campaign is closed", body = Problem, content_type = "application/problem+json")))]
pub async fn answer(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswersBody>,
) -> Result<Response, ApiError> {
    let raw: Vec<RawAnswer> = body
        .answers
        .into_iter()
        .map(|a| RawAnswer {
            // JSON has one number type: 3 and 3.0 name the same item; anything else none.
            position: if a.item.fract() == 0.0 && (1.0..=100.0).contains(&a.item) { a.item as i64 } else { 0 },
            value: match a.answer {
                AnswerName::Yes => "yes",
                AnswerName::No => "no",
                AnswerName::Na => "na",
            }
            .into(),
            comment: a.comment,
        })
        .collect();
    checklists::answer(app.store.as_ref(), &actor, app.now(), parse_id(&id)?, &raw).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
