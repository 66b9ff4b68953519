//! `/api/v1/frameworks`: OSCAL catalogs — import (a new framework, or the known one
//! updated), list, read with the requirements, one requirement with its statement rendered,
//! export as OSCAL again, and the built-in catalog of the published policies' requirements.

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulwark_core::compliance::frameworks::oscal::ControlRow;
use bulwark_core::compliance::frameworks::{self, Framework, FrameworkContent, Imported, policy_catalog, statement};
use bulwark_core::ids::FrameworkId;
use serde::Serialize;
use utoipa::ToSchema;

use super::parse_id;
use crate::AppState;
use crate::access::CurrentActor;
use crate::error::{ApiError, Problem};

/// The largest catalog an import takes.
pub const MAX_CATALOG_BYTES: usize = 32 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct FrameworkView {
    #[schema(format = Uuid)]
    pub id: String,
    /// The OSCAL catalog's uuid: importing it again updates this framework.
    #[schema(format = Uuid)]
    pub catalog_uuid: String,
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    /// Controls, enhancements included.
    pub control_count: i64,
    pub group_count: i64,
    /// Built by Bulwark from the published policies.
    pub built_in: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&Framework> for FrameworkView {
    fn from(f: &Framework) -> Self {
        Self {
            id: f.id.to_string(),
            catalog_uuid: f.catalog_uuid.clone(),
            title: f.title.clone(),
            version: f.version.clone(),
            oscal_version: f.oscal_version.clone(),
            control_count: f.control_count,
            group_count: f.group_count,
            built_in: f.built_in,
            created_at: bulwark_core::time_util::rfc3339(f.created_at),
            updated_at: bulwark_core::time_util::rfc3339(f.updated_at),
        }
    }
}

/// A requirement (a control or enhancement of the catalog).
#[derive(Serialize, ToSchema)]
pub struct RequirementView {
    /// The control's id in the catalog (e.g. `ac-2.1`).
    pub id: String,
    pub label: Option<String>,
    pub title: String,
    /// The groups it sits in, from the top.
    pub groups: Vec<String>,
    /// The control it enhances.
    pub parent: Option<String>,
}

impl RequirementView {
    fn of(content: &FrameworkContent, c: &ControlRow) -> Self {
        Self {
            id: c.control_id.clone(),
            label: c.label.clone(),
            title: c.title.clone(),
            groups: content.groups_of(c).iter().map(|g| g.title.clone()).collect(),
            parent: c.parent_control.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FrameworkDetail {
    pub framework: FrameworkView,
    /// Every requirement, in the catalog's order.
    pub requirements: Vec<RequirementView>,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementDetail {
    #[serde(flatten)]
    pub requirement: RequirementView,
    /// The statement as Markdown, parameters filled in or shown as placeholders.
    pub statement: Option<String>,
    /// The guidance as Markdown.
    pub guidance: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportedView {
    pub framework: FrameworkView,
    /// False when the catalog was known and its framework updated.
    pub created: bool,
}

fn imported(i: Imported) -> (StatusCode, Json<ImportedView>) {
    let status = if i.created { StatusCode::CREATED } else { StatusCode::OK };
    (status, Json(ImportedView { framework: FrameworkView::from(&i.framework), created: i.created }))
}

#[utoipa::path(get, path = "/api/v1/frameworks", tag = "compliance",
    responses((status = 200, body = Vec<FrameworkView>)))]
pub async fn list_frameworks(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<Vec<FrameworkView>>, ApiError> {
    let all = frameworks::list(app.store.as_ref(), &actor).await?;
    Ok(Json(all.iter().map(FrameworkView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/frameworks", tag = "compliance",
    request_body(content = Object, content_type = "application/json",
        description = "An OSCAL 1.x catalog in JSON (at most 32 MiB)"),
    responses((status = 201, description = "A new framework", body = ImportedView),
              (status = 200, description = "The catalog was known: its framework is updated", body = ImportedView),
              (status = 422, description = "Nothing imported: the problem and its place in the catalog",
               body = Problem, content_type = "application/problem+json")))]
pub async fn import_framework(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    body: Body,
) -> Result<(StatusCode, Json<ImportedView>), ApiError> {
    let bytes = to_bytes(body, MAX_CATALOG_BYTES).await.map_err(|_| ApiError::status(StatusCode::PAYLOAD_TOO_LARGE))?;
    Ok(imported(frameworks::import(app.store.as_ref(), &actor, app.now(), &bytes).await?))
}

#[utoipa::path(post, path = "/api/v1/frameworks/policy-catalog", tag = "compliance",
    responses((status = 201, description = "Built for the first time", body = ImportedView),
              (status = 200, description = "Rebuilt from the policies published now", body = ImportedView)))]
pub async fn build_policy_catalog(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<(StatusCode, Json<ImportedView>), ApiError> {
    Ok(imported(policy_catalog::build(app.store.as_ref(), &actor, app.now()).await?))
}

#[utoipa::path(get, path = "/api/v1/frameworks/{id}", tag = "compliance",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = FrameworkDetail)))]
pub async fn get_framework(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<FrameworkDetail>, ApiError> {
    let content = frameworks::get(app.store.as_ref(), &actor, parse_id::<FrameworkId>(&id)?).await?;
    let requirements = content.controls.iter().map(|c| RequirementView::of(&content, c)).collect();
    Ok(Json(FrameworkDetail { framework: FrameworkView::from(&content.framework), requirements }))
}

#[utoipa::path(get, path = "/api/v1/frameworks/{id}/catalog", tag = "compliance",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, description = "The framework as an OSCAL catalog", body = Object)))]
pub async fn export_framework(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let catalog = frameworks::export(app.store.as_ref(), &actor, parse_id::<FrameworkId>(&id)?).await?;
    Ok(Json(catalog).into_response())
}

#[utoipa::path(get, path = "/api/v1/frameworks/{id}/requirements/{control_id}", tag = "compliance",
    params(("id" = String, Path, format = Uuid),
           ("control_id" = String, Path, max_length = 200, description = "The control's id in the catalog")),
    responses((status = 200, body = RequirementDetail)))]
pub async fn get_requirement(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((id, control_id)): Path<(String, String)>,
) -> Result<Json<RequirementDetail>, ApiError> {
    let content = frameworks::get(app.store.as_ref(), &actor, parse_id::<FrameworkId>(&id)?).await?;
    let c = content.control(&control_id).ok_or_else(|| ApiError::status(StatusCode::NOT_FOUND))?;
    Ok(Json(RequirementDetail {
        requirement: RequirementView::of(&content, c),
        statement: statement::render(&content, c),
        guidance: statement::prose_of(&content, c, "guidance"),
    }))
}
