//! Framework pages: the imported catalogs with an upload form (an OSCAL JSON file) and the
//! button that builds the catalog of the published policies; a framework's groups and
//! requirements; one requirement with its statement (parameters filled in) and guidance; the
//! catalog as OSCAL for download.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::Permission;
use bulwark_core::compliance::coverage::{self, Coverage, RequirementState};
use bulwark_core::compliance::frameworks::oscal::ControlRow;
use bulwark_core::compliance::frameworks::{self, Framework, FrameworkContent, policy_catalog, statement};
use bulwark_core::ids::FrameworkId;

use super::{Chrome, Errors, form_errors, parse_id};
use crate::AppState;
use crate::error::HtmlError;
use crate::markdown::to_safe_html;
use std::collections::HashMap;

#[derive(Template, WebTemplate)]
#[template(path = "frameworks/list.html")]
struct ListPage {
    chrome: Chrome,
    frameworks: Vec<Framework>,
    can_manage: bool,
    errors: Errors,
}

async fn list_page(app: &AppState, chrome: Chrome, errors: Errors) -> Result<ListPage, HtmlError> {
    let actor = chrome.actor()?;
    Ok(ListPage {
        frameworks: frameworks::list(app.store.as_ref(), &actor).await?,
        can_manage: chrome.can(Permission::ManageCompliance),
        chrome: chrome.at("frameworks"),
        errors,
    })
}

pub async fn list(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    Ok(list_page(&app, chrome, Errors::none()).await?.into_response())
}

/// The upload: the `catalog` file field of a multipart form.
pub async fn import(
    State(app): State<AppState>,
    chrome: Chrome,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let mut file = None;
    if let Ok(mut form) = form {
        while let Ok(Some(field)) = form.next_field().await {
            if field.name() == Some("catalog") {
                file = field.bytes().await.ok();
            }
        }
    }
    let result = match file.filter(|f| !f.is_empty()) {
        Some(bytes) => frameworks::import(app.store.as_ref(), &actor, app.now(), &bytes).await,
        None => Err(bulwark_core::CoreError::invalid("file", "choose an OSCAL catalog file (JSON) to import")),
    };
    match result {
        Ok(done) => {
            Ok(Redirect::to(&format!("/frameworks/{}?done=framework-imported", done.framework.id)).into_response())
        }
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, list_page(&app, chrome, errors).await?).into_response())
        }
    }
}

pub async fn build_policies(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let done = policy_catalog::build(app.store.as_ref(), &*chrome.actor()?, app.now()).await?;
    Ok(Redirect::to(&format!("/frameworks/{}?done=framework-imported", done.framework.id)).into_response())
}

/// A group of the framework page, with its requirements (enhancements indented).
struct Section<'a> {
    /// The group's position (the anchor the coverage table links to).
    position: Option<i64>,
    title: String,
    depth: usize,
    requirements: Vec<&'a ControlRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "frameworks/detail.html")]
struct DetailPage<'a> {
    chrome: Chrome,
    framework: &'a Framework,
    sections: Vec<Section<'a>>,
    coverage: &'a Coverage,
    states: std::collections::HashMap<&'a str, coverage::State>,
}

impl DetailPage<'_> {
    /// A requirement's coverage state (label and class).
    fn state(&self, requirement: &str) -> (&'static str, &'static str) {
        self.states.get(requirement).map_or(("", ""), |s| (s.label(), s.as_str()))
    }
}

/// The groups in document order (depth first), each with the requirements directly in it and
/// their enhancements; requirements outside any group come first.
fn sections(content: &FrameworkContent) -> Vec<Section<'_>> {
    let mut children: HashMap<&str, Vec<&ControlRow>> = HashMap::new();
    let mut tops: HashMap<Option<i64>, Vec<&ControlRow>> = HashMap::new();
    for c in &content.controls {
        match c.parent_control.as_deref() {
            Some(parent) => children.entry(parent).or_default().push(c),
            None => tops.entry(c.group_position).or_default().push(c),
        }
    }
    // The requirements directly in a group, each followed by its enhancements, in order.
    let in_group = |group: Option<i64>| -> Vec<&ControlRow> {
        let mut found = Vec::new();
        for top in tops.get(&group).into_iter().flatten() {
            let mut family = vec![*top];
            let mut stack = vec![top.control_id.as_str()];
            while let Some(id) = stack.pop() {
                for e in children.get(id).into_iter().flatten() {
                    family.push(e);
                    stack.push(&e.control_id);
                }
            }
            family.sort_by_key(|c| c.position);
            found.extend(family);
        }
        found
    };
    let mut out = Vec::new();
    let top = in_group(None);
    if !top.is_empty() {
        out.push(Section { position: None, title: String::new(), depth: 0, requirements: top });
    }
    for g in &content.groups {
        let depth = content.group_path(Some(g.position)).len();
        let title = match &g.label {
            Some(l) => format!("{l} {}", g.title),
            None => g.title.clone(),
        };
        out.push(Section { position: Some(g.position), title, depth, requirements: in_group(Some(g.position)) });
    }
    out
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id = parse_id::<FrameworkId>(&id)?;
    let coverage = coverage::coverage(app.store.as_ref(), &actor, id, app.now()).await?;
    let states = coverage.requirements.iter().map(|r| (r.requirement_id.as_str(), r.state)).collect();
    let page = DetailPage {
        chrome: chrome.at("frameworks"),
        framework: &coverage.framework,
        sections: sections(&coverage.outline),
        coverage: &coverage,
        states,
    };
    Ok(page.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "frameworks/requirement.html")]
struct RequirementPage<'a> {
    chrome: Chrome,
    framework: &'a Framework,
    requirement: &'a ControlRow,
    groups: Vec<String>,
    statement: Option<String>,
    guidance: Vec<String>,
    enhancements: Vec<&'a ControlRow>,
    state: Option<RequirementState>,
    can_manage: bool,
    errors: Errors,
}

pub async fn requirement(
    State(app): State<AppState>,
    chrome: Chrome,
    Path((id, control_id)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    requirement_page(&app, chrome, &id, &control_id, Errors::none()).await
}

async fn requirement_page(
    app: &AppState,
    chrome: Chrome,
    id: &str,
    control_id: &str,
    errors: Errors,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let fid = parse_id::<FrameworkId>(id)?;
    let content = frameworks::get(app.store.as_ref(), &actor, fid).await?;
    let c = content.control(control_id).ok_or_else(HtmlError::not_found)?;
    let coverage = coverage::coverage(app.store.as_ref(), &actor, fid, app.now()).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RequirementPage {
        framework: &content.framework,
        requirement: c,
        groups: content.groups_of(c).iter().map(|g| g.title.clone()).collect(),
        statement: statement::render(&content, c).map(|md| to_safe_html(&md)),
        guidance: statement::prose_of(&content, c, "guidance").iter().map(|md| to_safe_html(md)).collect(),
        enhancements: content.controls.iter().filter(|e| e.parent_control.as_deref() == Some(&c.control_id)).collect(),
        state: coverage.requirements.into_iter().find(|r| r.requirement_id == c.control_id),
        can_manage: chrome.can(Permission::ManageCompliance),
        chrome: chrome.at("frameworks"),
        errors,
    };
    Ok((status, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct ApplicabilityForm {
    #[serde(default)]
    applicable: String,
    #[serde(default)]
    justification: String,
}

pub async fn set_applicability(
    State(app): State<AppState>,
    chrome: Chrome,
    Path((id, control_id)): Path<(String, String)>,
    axum::Form(f): axum::Form<ApplicabilityForm>,
) -> Result<Response, HtmlError> {
    let fid = parse_id::<FrameworkId>(&id)?;
    let applicable = f.applicable != "no";
    let done = coverage::set_applicability(
        app.store.as_ref(),
        &*chrome.actor()?,
        app.now(),
        fid,
        &control_id,
        applicable,
        &f.justification,
    )
    .await;
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/frameworks/{id}/requirements/{control_id}")).into_response()),
        Err(e) => requirement_page(&app, chrome, &id, &control_id, form_errors(e)?).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "frameworks/soa.html")]
struct SoaPage {
    chrome: Chrome,
    coverage: Coverage,
}

/// The Statement of Applicability of a framework.
pub async fn soa(State(app): State<AppState>, chrome: Chrome, Path(id): Path<String>) -> Result<Response, HtmlError> {
    let coverage = coverage::coverage(app.store.as_ref(), &*chrome.actor()?, parse_id(&id)?, app.now()).await?;
    Ok(SoaPage { chrome: chrome.at("frameworks"), coverage }.into_response())
}

/// The framework as an OSCAL catalog file.
pub async fn catalog(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<FrameworkId>(&id)?;
    let catalog = frameworks::export(app.store.as_ref(), &*chrome.actor()?, id).await?;
    let disposition = format!("attachment; filename=\"framework-{id}.json\"");
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(catalog)).into_response())
}
