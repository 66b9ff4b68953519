//! `/api/v1/incidents/{id}/…`: the response to an incident through the API, as on its page —
//! its timeline with the people added and the records linked, a comment by anyone involved,
//! and for the responders adding people, links and tasks; the assignee of a task of the
//! response (or a responder) marks it done.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use bulwark_core::ids::IncidentId;
use bulwark_core::incidents::{self, Event, Link};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::campaigns::{TaskView, task_view};
use super::parse_id;
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, ApiJson};

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    pub at: String,
    pub author: String,
    /// reported, comment, status, update, member, link, task or authority
    pub kind: String,
    pub text: String,
}

impl From<Event> for EventView {
    fn from(e: Event) -> Self {
        Self { id: e.id, at: bulwark_core::time_util::rfc3339(e.at), author: e.author, kind: e.kind, text: e.text }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberView {
    #[schema(format = Uuid)]
    pub person_id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct LinkView {
    /// asset, person or risk
    pub kind: String,
    pub target_id: String,
    /// The record's name when it was linked.
    pub label: String,
}

impl From<Link> for LinkView {
    fn from(l: Link) -> Self {
        Self { kind: l.kind, target_id: l.target_id, label: l.label }
    }
}

/// The response so far: the timeline (oldest first), the people added, the records linked.
#[derive(Serialize, ToSchema)]
pub struct TimelineView {
    pub events: Vec<EventView>,
    pub members: Vec<MemberView>,
    pub links: Vec<LinkView>,
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/timeline", tag = "incidents",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "To whoever sees the incident", body = TimelineView)))]
pub async fn get_timeline(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<axum::Json<TimelineView>, ApiError> {
    let d = incidents::get(app.store.as_ref(), &actor, parse_id::<IncidentId>(&id)?).await?;
    Ok(axum::Json(TimelineView {
        events: d.events.into_iter().map(EventView::from).collect(),
        members: d.members.into_iter().map(|(p, name)| MemberView { person_id: p.to_string(), name }).collect(),
        links: d.links.into_iter().map(LinkView::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    #[schema(
        max_length = 20000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
    )]
    pub text: String,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/comments", tag = "incidents",
    params(("id" = String, Path, format = Uuid)), request_body = CommentBody,
    responses((status = 201, description = "On the timeline (its reporter, the people added and the responders)",
               body = EventView)))]
pub async fn add_comment(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, axum::Json<EventView>), ApiError> {
    let id = parse_id::<IncidentId>(&id)?;
    let e = incidents::comment(app.store.as_ref(), &actor, app.now(), id, &body.text).await?;
    Ok((StatusCode::CREATED, axum::Json(e.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    /// The person's e-mail address, id or exact name.
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub person: String,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/members", tag = "incidents",
    params(("id" = String, Path, format = Uuid)), request_body = MemberBody,
    responses((status = 204, description = "Added: they see the incident from now on")))]
pub async fn add_member(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MemberBody>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id::<IncidentId>(&id)?;
    incidents::add_member(app.store.as_ref(), &actor, app.now(), id, &body.person).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum LinkKind {
    Asset,
    Person,
    Risk,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    #[schema(value_type = LinkKind)]
    pub kind: String,
    /// The record's id or exact name (a person's e-mail address too).
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub target: String,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/links", tag = "incidents",
    params(("id" = String, Path, format = Uuid)), request_body = LinkBody,
    responses((status = 201, description = "Linked, and on the timeline", body = LinkView)))]
pub async fn add_link(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<(StatusCode, axum::Json<LinkView>), ApiError> {
    let id = parse_id::<IncidentId>(&id)?;
    let link = incidents::link(app.store.as_ref(), &actor, app.now(), id, &body.kind, &body.target).await?;
    Ok((StatusCode::CREATED, axum::Json(link.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    /// The assignee's e-mail address, id or exact name: they see the incident from now on.
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub assignee: String,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    /// YYYY-MM-DD; tomorrow when left out.
    #[serde(default)]
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub due_on: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/tasks", tag = "incidents",
    params(("id" = String, Path, format = Uuid)), request_body = TaskBody,
    responses((status = 201, description = "In the assignee's tasks, and on the timeline", body = TaskView)))]
pub async fn add_task(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TaskBody>,
) -> Result<(StatusCode, axum::Json<TaskView>), ApiError> {
    let id = parse_id::<IncidentId>(&id)?;
    let (now, due) = (app.now(), body.due_on.unwrap_or_default());
    let task = incidents::add_task(app.store.as_ref(), &actor, now, id, &body.assignee, &body.title, &due).await?;
    Ok((StatusCode::CREATED, axum::Json(task_view(task, now))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDoneBody {
    /// The task's id (from its view, or the assignee's `/api/v1/me/tasks`).
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub task: String,
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/tasks/done", tag = "incidents",
    params(("id" = String, Path, format = Uuid)), request_body = TaskDoneBody,
    responses((status = 200, description = "Done, with the note on the timeline", body = TaskView)))]
pub async fn complete_task(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TaskDoneBody>,
) -> Result<axum::Json<TaskView>, ApiError> {
    let id = parse_id::<IncidentId>(&id)?;
    let (now, note) = (app.now(), body.note.unwrap_or_default());
    let task = incidents::complete_task(app.store.as_ref(), &actor, now, (&body.task, Some(id)), &note).await?;
    Ok(axum::Json(task_view(task, now)))
}
