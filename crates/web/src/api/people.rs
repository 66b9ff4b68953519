//! `/api/v1/people`: list (filter, sort, paginate, CSV), read, create, update.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bulwark_core::ids::PersonId;
use bulwark_core::list::{ListQuery, RawListQuery};
use bulwark_core::organisation::people::{self, Person, PersonInput};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{CursorPage, PersonBody, PersonView};
use super::{IfMatch, parse_id, with_etag};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};
use crate::export::Format;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Text found in the name or e-mail address (any case).
    #[param(max_length = 200, pattern = r"^[^\x00-\x1f\x7f]*$")]
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
    /// Where the page starts: the cursor from the previous page's `next` link (404 if it is
    /// not one).
    #[param(min_length = 1, max_length = 2000)]
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
    /// json (a page, default) or csv (every match, streamed)
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
    /// The raw list query, for `people::LIST` to check.
    pub fn raw(&self) -> RawListQuery {
        let filters = [("department_id", &self.department_id), ("kind", &self.kind), ("status", &self.status)]
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
            .collect();
        RawListQuery {
            q: self.q.clone(),
            filters,
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            after: self.after.clone(),
            limit: self.per_page,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleParams),
    responses((status = 200, description = "A page of people (the `Link` header and `next` name the next page), \
                or with format=csv every match as CSV",
                content((CursorPage<PersonView> = "application/json"), (String = "text/csv"))),
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
        ("after", &p.after),
        ("format", &p.format),
    ])?;
    let query = people::LIST.parse(&params.raw())?;
    match params.format.as_deref() {
        None | Some("json") => {}
        Some("csv") => return Ok(people_export(&app, actor, query, Format::Csv)),
        Some(_) => return Err(bulwark_core::CoreError::invalid("format", "must be json or csv").into()),
    }
    let found = people::list(app.store.as_ref(), &actor, &query).await?;
    Ok(CursorPage::respond(found, PersonView::from, "/api/v1/people", &params.query_without_after()))
}

impl PeopleParams {
    /// This query as a URL query string, without the cursor (the base of `next` links).
    pub fn query_without_after(&self) -> String {
        let params = [
            ("q", &self.q),
            ("department_id", &self.department_id),
            ("kind", &self.kind),
            ("status", &self.status),
            ("sort", &self.sort),
            ("dir", &self.dir),
        ];
        super::list_query(&params, self.per_page)
    }
}

/// Every person the query matches, streamed page by page.
pub fn people_export(
    app: &AppState,
    actor: std::sync::Arc<bulwark_core::Actor>,
    query: ListQuery,
    format: Format,
) -> Response {
    let list = |store: std::sync::Arc<dyn bulwark_core::Store>, actor: std::sync::Arc<bulwark_core::Actor>, q| async move {
        people::list(store.as_ref(), &actor, &q).await
    };
    let download = crate::export::Download { format, stem: "people", columns: people::LIST.columns };
    crate::export::stream_records((app.store.clone(), actor), download, query, list, Person::export_row)
}

#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonBody,
    responses((status = 201, body = PersonView),
              (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")))]
pub async fn create_person(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<PersonBody>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    let p = people::create(app.store.as_ref(), &actor, app.now(), &body.try_into()?).await?;
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
    let mut input: PersonInput = body.try_into()?;
    input.version = if_match.or(input.version);
    people::update(app.store.as_ref(), &actor, app.now(), id, &input).await.map_err(|e| if_match.fail(e))?;
    let p = people::get(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(p.updated_at, PersonView::from(p)))
}
