//! `/api/v1/people`: list (filter, sort, paginate, CSV), read, create, update.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulwark_core::ids::PersonId;
use bulwark_core::page::{PageRequest, SortDir};
use bulwark_core::people::{self, PeopleFilter, PeopleSort, PersonInput, PersonKind, PersonStatus};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{Page, PersonBody, PersonView};
use super::{IfMatch, parse_id, with_etag};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Text found in the name or e-mail address.
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(format = Uuid)]
    pub department_id: Option<String>,
    /// employee, contractor or student
    #[param(value_type = Option<super::dto::PersonKindName>, inline)]
    pub kind: Option<String>,
    /// onboarding, active, offboarding or left
    #[param(value_type = Option<super::dto::PersonStatusName>, inline)]
    pub status: Option<String>,
    /// name (default), email, department, status or created
    #[param(value_type = Option<PeopleSortName>, inline)]
    pub sort: Option<String>,
    /// asc (default) or desc
    #[param(value_type = Option<SortDirName>, inline)]
    pub dir: Option<String>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
    /// json (default) or csv (all matching people, no paging)
    #[param(value_type = Option<ExportFormatName>, inline)]
    pub format: Option<String>,
}

/// How to sort people.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum PeopleSortName {
    Name,
    Email,
    Department,
    Status,
    Created,
}

/// Sort direction.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum SortDirName {
    Asc,
    Desc,
}

/// Answer as a JSON page, or as CSV of every match.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ExportFormatName {
    Json,
    Csv,
}

impl PeopleParams {
    /// The filter, or field errors naming each unknown value.
    pub fn filter(&self) -> Result<PeopleFilter, bulwark_core::CoreError> {
        let mut c = bulwark_core::validate::Checks::new();
        let nonempty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let department_id = nonempty(&self.department_id).and_then(|d| {
            d.parse().ok().or_else(|| {
                c.fail("department_id", "must be a department id");
                None
            })
        });
        let kind = nonempty(&self.kind).and_then(|k| {
            PersonKind::parse(&k).or_else(|| {
                c.fail("kind", &format!("must be one of {}", PersonKind::choices()));
                None
            })
        });
        let status = nonempty(&self.status).and_then(|s| {
            PersonStatus::parse(&s).or_else(|| {
                c.fail("status", &format!("must be one of {}", PersonStatus::choices()));
                None
            })
        });
        let one_of = |c: &mut bulwark_core::validate::Checks, field: &str, v: &Option<String>, allowed: &[&str]| {
            if let Some(v) = nonempty(v)
                && !allowed.contains(&v.as_str())
            {
                c.fail(field, &format!("must be one of {}", allowed.join(", ")));
            }
        };
        one_of(&mut c, "sort", &self.sort, &["name", "email", "department", "status", "created"]);
        one_of(&mut c, "dir", &self.dir, &["asc", "desc"]);
        one_of(&mut c, "format", &self.format, &["json", "csv"]);
        c.finish()?;
        Ok(PeopleFilter {
            q: nonempty(&self.q),
            department_id,
            kind,
            status,
            sort: PeopleSort::parse(self.sort.as_deref()),
            dir: SortDir::parse(self.dir.as_deref()),
        })
    }
}

/// People as CSV, for exports.
pub fn people_csv(people: Vec<bulwark_core::people::Person>) -> Response {
    let rows = people.into_iter().map(|p| {
        [
            p.id.to_string(),
            p.name,
            p.email,
            p.kind.as_str().into(),
            p.department_name.unwrap_or_default(),
            p.status.as_str().into(),
            bulwark_core::time_util::rfc3339(p.created_at),
        ]
    });
    let header = ["id", "name", "email", "kind", "department", "status", "created_at"];
    let body = crate::export::csv_bytes(&header, rows);
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"people.csv\""),
        ],
        body,
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleParams),
    responses((status = 200, description = "A page of people, or with format=csv every match as CSV",
                content((Page<PersonView> = "application/json"), (String = "text/csv"))),
              (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_people(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(params): ApiQuery<PeopleParams>,
) -> Result<Response, ApiError> {
    let p = &params;
    super::given_not_empty(&[
        ("department_id", &p.department_id),
        ("kind", &p.kind),
        ("status", &p.status),
        ("sort", &p.sort),
        ("dir", &p.dir),
        ("format", &p.format),
    ])?;
    let filter = params.filter()?;
    if params.format.as_deref() == Some("csv") {
        let all = people::list(app.store.as_ref(), &actor, &filter, PageRequest::all()).await?;
        return Ok(people_csv(all.items));
    }
    let page = PageRequest::checked(params.page, params.per_page)?;
    let found = people::list(app.store.as_ref(), &actor, &filter, page).await?;
    Ok(Json(Page::from_paged(found, PersonView::from)).into_response())
}

#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonBody,
    responses((status = 201, body = PersonView),
              (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")))]
pub async fn create_person(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<PersonBody>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    let p = people::create(app.store.as_ref(), &actor, app.now(), &body.into()).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PersonView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_person(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: PersonId = parse_id(&id)?;
    let p = people::get(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(p.updated_at, PersonView::from(p)))
}

#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)), request_body = PersonBody,
    responses((status = 200, body = PersonView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_person(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<PersonBody>,
) -> Result<Response, ApiError> {
    let id: PersonId = parse_id(&id)?;
    let mut input: PersonInput = body.into();
    input.version = if_match.or(input.version);
    people::update(app.store.as_ref(), &actor, app.now(), id, &input).await.map_err(|e| if_match.fail(e))?;
    let p = people::get(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(p.updated_at, PersonView::from(p)))
}
