//! `/api/v1/departments` and `/api/v1/areas` (with members).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bulwark_core::ids::{AreaId, DepartmentId, PersonId};
use bulwark_core::org::{self, AreaInput, AreaMemberInput, DepartmentInput};

use super::dto::{
    AreaBody, AreaMemberBody, AreaMemberView, AreaView, CursorPage, DepartmentBody, DepartmentView, Page, PageParams,
};
use super::sorted::{AreaParams, DepartmentParams};
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
    let found = org::list_departments(app.store.as_ref(), &actor, &p.checked(&org::DEPARTMENTS)?).await?;
    Ok(CursorPage::respond(found, DepartmentView::from, "/api/v1/departments", &p.query_without_after()))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "organisation", request_body = DepartmentBody,
    responses((status = 201, body = DepartmentView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_department(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> Result<(StatusCode, Json<DepartmentView>), ApiError> {
    let d = org::create_department(app.store.as_ref(), &actor, app.now(), &department_input(body)?).await?;
    Ok((StatusCode::CREATED, Json(org::get_department(app.store.as_ref(), &actor, d.id).await?.into())))
}

#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = String, Path)),
    responses((status = 200, body = DepartmentView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_department(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: DepartmentId = parse_id(&id)?;
    let d = org::get_department(app.store.as_ref(), &actor, id).await?;
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
    org::update_department(app.store.as_ref(), &actor, app.now(), id, &input).await.map_err(|e| if_match.fail(e))?;
    let d = org::get_department(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(d.updated_at, DepartmentView::from(d)))
}

#[utoipa::path(get, path = "/api/v1/areas", tag = "organisation", params(AreaParams),
    responses((status = 200, description = "A page of areas; `next` (and the `Link` header) name the next page",
               body = CursorPage<AreaView>)))]
pub async fn list_areas(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<AreaParams>,
) -> Result<Response, ApiError> {
    let found = org::list_areas(app.store.as_ref(), &actor, &p.checked(&org::AREAS)?).await?;
    Ok(CursorPage::respond(found, AreaView::from, "/api/v1/areas", &p.query_without_after()))
}

#[utoipa::path(post, path = "/api/v1/areas", tag = "organisation", request_body = AreaBody,
    responses((status = 201, body = AreaView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_area(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<AreaBody>,
) -> Result<(StatusCode, Json<AreaView>), ApiError> {
    let input = AreaInput { name: body.name, description: body.description, version: None };
    let a = org::create_area(app.store.as_ref(), &actor, app.now(), &input).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[utoipa::path(get, path = "/api/v1/areas/{id}", tag = "organisation", params(("id" = String, Path)),
    responses((status = 200, body = AreaView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_area(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: AreaId = parse_id(&id)?;
    let (a, _) = org::get_area(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(a.updated_at, AreaView::from(a)))
}

#[utoipa::path(put, path = "/api/v1/areas/{id}", tag = "organisation", params(("id" = String, Path)), request_body = AreaBody,
    responses((status = 200, body = AreaView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_area(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<AreaBody>,
) -> Result<Response, ApiError> {
    let id: AreaId = parse_id(&id)?;
    let input = AreaInput { name: body.name, description: body.description, version: if_match.or(body.version) };
    org::update_area(app.store.as_ref(), &actor, app.now(), id, &input).await.map_err(|e| if_match.fail(e))?;
    let (a, _) = org::get_area(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(a.updated_at, AreaView::from(a)))
}

#[utoipa::path(get, path = "/api/v1/areas/{id}/members", tag = "organisation", params(("id" = String, Path), PageParams),
    responses((status = 200, body = Page<AreaMemberView>)))]
pub async fn list_area_members(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<Page<AreaMemberView>>, ApiError> {
    let id: AreaId = parse_id(&id)?;
    let (_, members) = org::get_area(app.store.as_ref(), &actor, id).await?;
    Ok(Json(Page::from_all(members, &p, AreaMemberView::from)?))
}

#[utoipa::path(post, path = "/api/v1/areas/{id}/members", tag = "organisation", params(("id" = String, Path)), request_body = AreaMemberBody,
    responses((status = 201, body = AreaMemberView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_area_member(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AreaMemberBody>,
) -> Result<(StatusCode, Json<AreaMemberView>), ApiError> {
    let id: AreaId = parse_id(&id)?;
    let input = AreaMemberInput { person_id: body.person_id, specialty: body.specialty };
    let m = org::add_area_member(app.store.as_ref(), &actor, app.now(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

#[utoipa::path(delete, path = "/api/v1/areas/{id}/members/{person_id}", tag = "organisation",
    params(("id" = String, Path), ("person_id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_area_member(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, person_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id: AreaId = parse_id(&id)?;
    let person_id: PersonId = parse_id(&person_id)?;
    org::remove_area_member(app.store.as_ref(), &actor, app.now(), id, person_id).await?;
    Ok(StatusCode::NO_CONTENT)
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
    let found = bulwark_core::my_department::mine(app.store.as_ref(), &actor).await?;
    let view = |d: bulwark_core::my_department::DepartmentOverview| MyDepartmentView {
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
