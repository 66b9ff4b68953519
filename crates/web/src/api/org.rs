//! `/api/v1/departments` and the caller's own departments (the areas are kit records).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bulwark_core::ids::DepartmentId;
use bulwark_core::organisation::departments::{self, DepartmentInput};

use super::dto::{CursorPage, DepartmentBody, DepartmentView};
use super::sorted::DepartmentParams;
use super::{IfMatch, parse_id, with_etag};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};
use axum::response::Response;

fn department_input(b: DepartmentBody) -> Result<DepartmentInput, ApiError> {
    super::given_not_empty(&[("head_person_id", &b.head_person_id)])?;
    Ok(DepartmentInput { name: b.name, head_person_id: b.head_person_id.unwrap_or_default(), version: b.version })
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation", params(DepartmentParams),
    responses((status = 200, description = "A page of departments; `next` (and the `Link` header) name the next page",
               body = CursorPage<DepartmentView>)))]
pub async fn list_departments(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<DepartmentParams>,
) -> Result<Response, ApiError> {
    let found =
        departments::list_departments(app.store.as_ref(), &actor, &p.checked(&departments::DEPARTMENTS)?).await?;
    Ok(CursorPage::respond(found, DepartmentView::from, "/api/v1/departments", &p.query_without_after()))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "organisation", request_body = DepartmentBody,
    responses((status = 201, body = DepartmentView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_department(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> Result<(StatusCode, Json<DepartmentView>), ApiError> {
    let d = departments::create_department(app.store.as_ref(), &actor, app.now(), &department_input(body)?).await?;
    Ok((StatusCode::CREATED, Json(departments::get_department(app.store.as_ref(), &actor, d.id).await?.into())))
}

#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = String, Path)),
    responses((status = 200, body = DepartmentView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_department(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: DepartmentId = parse_id(&id)?;
    let d = departments::get_department(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(d.updated_at, DepartmentView::from(d)))
}

#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = String, Path)), request_body = DepartmentBody,
    responses((status = 200, body = DepartmentView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_department(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> Result<Response, ApiError> {
    let id: DepartmentId = parse_id(&id)?;
    let mut input = department_input(body)?;
    input.version = if_match.or(input.version);
    departments::update_department(app.store.as_ref(), &actor, app.now(), id, &input)
        .await
        .map_err(|e| if_match.fail(e))?;
    let d = departments::get_department(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(d.updated_at, DepartmentView::from(d)))
}

/// One open campaign's completion in a department.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DepartmentCampaignView {
    pub id: String,
    pub title: String,
    pub due_at: String,
    /// People of the department given the task.
    pub assigned: i64,
    /// Of them, those who did it.
    pub done: i64,
}

/// A department as its head sees it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MyDepartmentView {
    pub department: DepartmentView,
    /// Its people by name (the first 200; `people_total` counts all).
    pub people: Vec<super::dto::PersonView>,
    pub people_total: u64,
    /// Assets assigned to its people (the first 200; `assets_total` counts all).
    pub assets: Vec<super::assets::AssetView>,
    pub assets_total: u64,
    /// Open campaigns that gave its people tasks.
    pub campaigns: Vec<DepartmentCampaignView>,
    /// Its people's offboardings in progress (the head checks off their assets).
    pub offboardings: Vec<super::lifecycle::OffboardingView>,
}

#[utoipa::path(get, path = "/api/v1/me/department", tag = "organisation",
    responses((status = 200, description = "The departments the caller heads (none for anyone else), each with its people, \
               their assets, open campaigns' completion and offboardings in progress", body = Vec<MyDepartmentView>)))]
pub async fn my_department(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<Vec<MyDepartmentView>>, ApiError> {
    let found = bulwark_core::organisation::my_department::mine(app.store.as_ref(), &actor).await?;
    let view = |d: bulwark_core::organisation::my_department::DepartmentOverview| MyDepartmentView {
        department: d.department.into(),
        people_total: d.people.total,
        people: d.people.items.into_iter().map(Into::into).collect(),
        assets_total: d.assets.total,
        assets: d.assets.items.into_iter().map(Into::into).collect(),
        campaigns: d
            .campaigns
            .into_iter()
            .map(|(c, assigned, done)| DepartmentCampaignView {
                id: c.id.to_string(),
                title: c.title,
                due_at: bulwark_core::time_util::rfc3339(c.due_at),
                assigned,
                done,
            })
            .collect(),
        offboardings: d.offboardings.into_iter().map(Into::into).collect(),
    };
    Ok(Json(found.into_iter().map(view).collect()))
}
