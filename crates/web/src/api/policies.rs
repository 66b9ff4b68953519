//! `/api/v1/policies`: list (search, filter, sort, cursor pages), read with versions, create,
//! update (details and draft text), and the steps of a version's life.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bulwark_core::ids::PolicyId;
use bulwark_core::list::RawListQuery;
use bulwark_core::policies::{self, LIST, Policy, PolicyInput, PolicyVersion, Transition};
use bulwark_core::version::version_of;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::CursorPage;
use super::{IfMatch, parse_id, with_etag};
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PolicyParams {
    /// Text found in the title (any case).
    #[param(max_length = 200, pattern = r"^[^\x00-\x1f\x7f]*$")]
    pub q: Option<String>,
    /// yes: only policies with a published version; no: only those without (people who may
    /// see drafts; everyone else always sees published policies only)
    #[param(value_type = Option<YesNo>, inline)]
    pub published: Option<String>,
    /// yes: shown in the public trust center
    #[param(value_type = Option<YesNo>, inline)]
    pub public: Option<String>,
    /// title (default) or updated
    #[param(value_type = Option<PolicySortName>, inline)]
    pub sort: Option<String>,
    /// asc (default) or desc
    #[param(value_type = Option<super::people::SortDirName>, inline)]
    pub dir: Option<String>,
    /// Where the page starts: the cursor from the previous page's `next` link (404 if it is
    /// not one).
    #[param(min_length = 1, max_length = 2000)]
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum YesNo {
    Yes,
    No,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum PolicySortName {
    Title,
    Updated,
}

impl PolicyParams {
    fn raw(&self) -> RawListQuery {
        let filters = [("published", &self.published), ("public", &self.public)]
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

    fn query_without_after(&self) -> String {
        let params = [
            ("q", &self.q),
            ("published", &self.published),
            ("public", &self.public),
            ("sort", &self.sort),
            ("dir", &self.dir),
        ];
        super::list_query(&params, self.per_page)
    }
}

#[derive(Serialize, ToSchema)]
pub struct PolicyView {
    pub id: String,
    pub title: String,
    pub parent_id: Option<String>,
    pub parent_title: Option<String>,
    pub owner_person_id: Option<String>,
    pub owner_name: Option<String>,
    pub review_months: i64,
    pub public: bool,
    /// The number of the published version, if any.
    pub published_version: Option<i64>,
    pub version: String,
}

impl From<Policy> for PolicyView {
    fn from(p: Policy) -> Self {
        Self {
            id: p.id.to_string(),
            title: p.title,
            parent_id: p.parent_id.map(|x| x.to_string()),
            parent_title: p.parent_title,
            owner_person_id: p.owner_person_id.map(|x| x.to_string()),
            owner_name: p.owner_name,
            review_months: p.review_months,
            public: p.public,
            published_version: p.published_number,
            version: version_of(p.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PolicyVersionView {
    pub number: i64,
    /// draft, in_review, ratified, published or superseded
    pub status: String,
    /// Markdown.
    pub body: String,
    pub change_note: String,
    /// SHA-256 (hex) of the body, once published.
    pub content_hash: Option<String>,
    pub submitted_by: Option<String>,
    pub ratified_by: Option<String>,
    pub published_at: Option<String>,
}

impl From<PolicyVersion> for PolicyVersionView {
    fn from(v: PolicyVersion) -> Self {
        Self {
            number: v.number,
            status: v.status.as_str().into(),
            body: v.body,
            change_note: v.change_note,
            content_hash: v.content_hash,
            submitted_by: v.submitted_by,
            ratified_by: v.ratified_by,
            published_at: v.published_at.map(bulwark_core::time_util::rfc3339),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PolicyDetailView {
    #[serde(flatten)]
    pub policy: PolicyView,
    /// The versions the caller may see, newest first.
    pub versions: Vec<PolicyVersionView>,
}

#[derive(Deserialize, ToSchema)]
pub struct PolicyBody {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    /// An existing policy this one is part of (409 if there is none).
    #[serde(default)]
    #[schema(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub parent_id: Option<String>,
    /// An existing person (409 if there is none).
    #[serde(default)]
    #[schema(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub owner_person_id: Option<String>,
    /// Months between reviews (default 12).
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 60)]
    pub review_months: Option<f64>,
    #[serde(default)]
    pub public: bool,
    /// The draft's Markdown.
    #[schema(
        max_length = 100000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*[^\s\x00-\x1f][^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
    )]
    pub body: String,
    #[serde(default)]
    #[schema(max_length = 500, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub change_note: String,
    /// The version the edit is based on; a stale edit answers 409.
    #[serde(default)]
    pub version: Option<String>,
}

impl TryFrom<PolicyBody> for PolicyInput {
    type Error = ApiError;
    /// The ids may be absent or null (none), but not empty: the schema gives their format.
    fn try_from(b: PolicyBody) -> Result<Self, ApiError> {
        super::given_not_empty(&[("parent_id", &b.parent_id), ("owner_person_id", &b.owner_person_id)])?;
        Ok(Self {
            title: b.title,
            parent_id: b.parent_id.unwrap_or_default(),
            owner_person_id: b.owner_person_id.unwrap_or_default(),
            // JSON has one number type: 8 and 8.0 are the same whole number of months.
            review_months: super::whole_number(b.review_months),
            public: b.public,
            body: b.body,
            change_note: b.change_note,
            version: b.version,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(PolicyParams),
    responses((status = 200, description = "A page of policies; `next` (and the `Link` header) name the next page",
               body = CursorPage<PolicyView>)))]
pub async fn list_policies(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<PolicyParams>,
) -> Result<Response, ApiError> {
    let given =
        [("published", &p.published), ("public", &p.public), ("sort", &p.sort), ("dir", &p.dir), ("after", &p.after)];
    super::given_not_empty(&given)?;
    let found = policies::list(app.store.as_ref(), &actor, &LIST.parse(&p.raw())?).await?;
    Ok(CursorPage::respond(found, PolicyView::from, "/api/v1/policies", &p.query_without_after()))
}

async fn detail(app: &AppState, actor: &bulwark_core::Actor, id: PolicyId) -> Result<Response, ApiError> {
    let (policy, versions) = policies::get(app.store.as_ref(), actor, id).await?;
    let updated_at = policy.updated_at;
    let view = PolicyDetailView { policy: policy.into(), versions: versions.into_iter().map(Into::into).collect() };
    Ok(with_etag(updated_at, view))
}

#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", request_body = PolicyBody,
    responses((status = 201, body = PolicyDetailView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_policy(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<(StatusCode, Response), ApiError> {
    let p = policies::create(app.store.as_ref(), &actor, app.now(), &body.try_into()?).await?;
    Ok((StatusCode::CREATED, detail(&app, &actor, p.id).await?))
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies", params(("id" = String, Path)),
    responses((status = 200, body = PolicyDetailView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_policy(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    detail(&app, &actor, parse_id(&id)?).await
}

#[utoipa::path(put, path = "/api/v1/policies/{id}", tag = "policies", params(("id" = String, Path)), request_body = PolicyBody,
    responses((status = 200, description = "Saved; the text went to the open draft, or started a new one", body = PolicyDetailView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_policy(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<Response, ApiError> {
    let id: PolicyId = parse_id(&id)?;
    let mut input = PolicyInput::try_from(body)?;
    input.version = if_match.or(input.version);
    policies::update(app.store.as_ref(), &actor, app.now(), id, &input).await.map_err(|e| if_match.fail(e))?;
    detail(&app, &actor, id).await
}

async fn step(
    app: AppState,
    actor: &bulwark_core::Actor,
    id: String,
    number: String,
    step: Transition,
) -> Result<Json<PolicyVersionView>, ApiError> {
    let (id, number): (PolicyId, i64) = (parse_id(&id)?, parse_id(&number)?);
    Ok(Json(policies::transition(app.store.as_ref(), actor, app.now(), id, number, step).await?.into()))
}

macro_rules! step_operation {
    ($name:ident, $path:literal, $step:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "policies",
            params(("id" = String, Path), ("number" = String, Path)),
            responses((status = 200, body = PolicyVersionView),
                      (status = 404, body = Problem, content_type = "application/problem+json"),
                      (status = 409, description = "The step does not fit the version's state, or ratifies one's own version (four eyes)", body = Problem, content_type = "application/problem+json")))]
        pub async fn $name(
            State(app): State<AppState>,
            CurrentActor(actor): CurrentActor,
            Path((id, number)): Path<(String, String)>,
        ) -> Result<Json<PolicyVersionView>, ApiError> {
            step(app, &actor, id, number, $step).await
        }
    };
}
step_operation!(
    submit_version,
    "/api/v1/policies/{id}/versions/{number}/submit",
    Transition::Submit,
    "Sends a draft for review."
);
step_operation!(
    ratify_version,
    "/api/v1/policies/{id}/versions/{number}/ratify",
    Transition::Ratify,
    "Ratifies a version in review (someone other than who sent it)."
);
step_operation!(
    send_back_version,
    "/api/v1/policies/{id}/versions/{number}/send-back",
    Transition::SendBack,
    "Sends a version in review back to draft."
);
/// How a version is published (the body may be left out: signatures of earlier versions stay).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// Everyone signs this version again, those who signed an earlier one included: a
    /// campaign for everyone still with the company starts with the publication.
    #[serde(default)]
    pub everyone_signs_again: bool,
    /// YYYY-MM-DD: when that campaign is due (30 days from now when left out).
    #[serde(default)]
    pub due_date: Option<String>,
}

/// Publishes a ratified version; the one published before is superseded, and open campaigns
/// ask whoever has not signed to sign this one.
#[utoipa::path(post, path = "/api/v1/policies/{id}/versions/{number}/publish", tag = "policies",
    params(("id" = String, Path), ("number" = String, Path)), request_body(content = Option<PublishBody>),
    responses((status = 200, body = PolicyVersionView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The version is not ratified", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn publish_version(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, number)): Path<(String, String)>,
    body: Option<ApiJson<PublishBody>>,
) -> Result<Json<PolicyVersionView>, ApiError> {
    let (id, number): (PolicyId, i64) = (parse_id(&id)?, parse_id(&number)?);
    let body = body.map(|b| b.0).unwrap_or_default();
    let input = policies::PublishInput {
        everyone_signs_again: body.everyone_signs_again,
        due_date: body.due_date.unwrap_or_default(),
    };
    Ok(Json(policies::publish(app.store.as_ref(), &actor, app.now(), id, number, &input).await?.into()))
}
