//! Control pages: the list, a control with its mappings and evidence (map to a requirement,
//! add a link, a file or a check result), the create and edit forms, and evidence file
//! downloads.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::Permission;
use bulwark_core::controls::{self, Control, ControlInput, ControlStatus, Evidence, EvidenceInput, Mapping};
use bulwark_core::frameworks::{self, Framework};
use bulwark_core::ids::{ControlId, EvidenceId};
use serde::Deserialize;

use super::{Chrome, Errors, form_errors, parse_id};
use crate::AppState;
use crate::api::controls::ControlParams;
use crate::error::HtmlError;

#[derive(Template, WebTemplate)]
#[template(path = "controls/list.html")]
struct ListPage {
    chrome: Chrome,
    page: bulwark_core::list::ListPage<Control>,
    q: String,
    can_manage: bool,
    errors: Errors,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<ControlParams>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let (query, errors) = match controls::LIST.parse(&f.raw()) {
        Ok(query) => (query, Errors::none()),
        Err(e) => (controls::LIST.first_page(100), form_errors(e)?),
    };
    let page = controls::list(app.store.as_ref(), &actor, &query).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let can_manage = chrome.can(Permission::ManageCompliance);
    let body = ListPage { q: f.q.unwrap_or_default(), page, can_manage, chrome: chrome.at("controls"), errors };
    Ok((status, body).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "controls/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    input: ControlInput,
    statuses: Vec<(String, String)>,
    errors: Errors,
}

fn form(chrome: Chrome, heading: &str, action: String, input: ControlInput, errors: Errors) -> FormPage {
    let statuses = ControlStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect();
    FormPage { chrome: chrome.at("controls"), heading: heading.into(), action, input, statuses, errors }
}

pub async fn new_form(chrome: Chrome) -> Response {
    form(chrome, "New control", "/controls/new".into(), ControlInput::default(), Errors::none()).into_response()
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(input): Form<ControlInput>,
) -> Result<Response, HtmlError> {
    match controls::create(app.store.as_ref(), &*chrome.actor()?, app.now(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/controls/{}", c.id)).into_response()),
        Err(e) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form(chrome, "New control", "/controls/new".into(), input, form_errors(e)?),
        )
            .into_response()),
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let (c, _, _) = controls::get(app.store.as_ref(), &*chrome.actor()?, parse_id(&id)?).await?;
    let input = ControlInput {
        owner: c.owner_id.map(|p| p.to_string()).unwrap_or_default(),
        status: c.status.as_str().into(),
        version: Some(bulwark_core::version::version_of(c.updated_at)),
        title: c.title,
        description: c.description,
        justification: c.justification,
    };
    Ok(form(chrome, "Edit control", format!("/controls/{id}/edit"), input, Errors::none()).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(input): Form<ControlInput>,
) -> Result<Response, HtmlError> {
    let cid: ControlId = parse_id(&id)?;
    match controls::update(app.store.as_ref(), &*chrome.actor()?, app.now(), cid, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/controls/{id}")).into_response()),
        Err(e) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form(chrome, "Edit control", format!("/controls/{id}/edit"), input, form_errors(e)?),
        )
            .into_response()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "controls/detail.html")]
struct DetailPage {
    chrome: Chrome,
    control: Control,
    mappings: Vec<Mapping>,
    evidence: Vec<Evidence>,
    /// The risks whose treatment relies on it (for those who see the register).
    risks: Vec<bulwark_core::risks::Risk>,
    frameworks: Vec<Framework>,
    /// Suggestions of the requirement picker (for those who map).
    requirement_options: Vec<bulwark_core::pick::PickOption>,
    now: bulwark_core::Timestamp,
    can_manage: bool,
    errors: Errors,
}

async fn detail_page(app: &AppState, chrome: Chrome, id: ControlId, errors: Errors) -> Result<DetailPage, HtmlError> {
    let actor = chrome.actor()?;
    let (control, mappings, evidence) = controls::get(app.store.as_ref(), &actor, id).await?;
    Ok(DetailPage {
        frameworks: frameworks::list(app.store.as_ref(), &actor).await?,
        requirement_options: bulwark_core::pick::requirement_options(app.store.as_ref(), &actor).await?,
        risks: controls::risks_of(app.store.as_ref(), &actor, id).await?,
        now: app.now(),
        can_manage: chrome.can(Permission::ManageCompliance),
        chrome: chrome.at("controls"),
        control,
        mappings,
        evidence,
        errors,
    })
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    Ok(detail_page(&app, chrome, parse_id(&id)?, Errors::none()).await?.into_response())
}

#[derive(Deserialize, Default)]
pub struct MappingForm {
    #[serde(default)]
    framework_id: String,
    #[serde(default)]
    requirement_id: String,
}

pub async fn map(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(f): Form<MappingForm>,
) -> Result<Response, HtmlError> {
    let cid: ControlId = parse_id(&id)?;
    match controls::map(app.store.as_ref(), &*chrome.actor()?, app.now(), cid, &f.framework_id, &f.requirement_id).await
    {
        Ok(_) => Ok(Redirect::to(&format!("/controls/{id}")).into_response()),
        Err(e) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, detail_page(&app, chrome, cid, form_errors(e)?).await?)
                .into_response())
        }
    }
}

pub async fn unmap(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(f): Form<MappingForm>,
) -> Result<Response, HtmlError> {
    let cid: ControlId = parse_id(&id)?;
    let done = match f.framework_id.parse() {
        Ok(framework) => {
            controls::unmap(app.store.as_ref(), &*chrome.actor()?, app.now(), cid, framework, &f.requirement_id).await
        }
        Err(_) => Err(bulwark_core::CoreError::invalid("framework_id", "must be a framework id")),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/controls/{id}")).into_response()),
        Err(e) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, detail_page(&app, chrome, cid, form_errors(e)?).await?)
                .into_response())
        }
    }
}

/// Evidence from the page: a multipart form (a file may come with it).
pub async fn add_evidence(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, HtmlError> {
    let cid: ControlId = parse_id(&id)?;
    let mut input = EvidenceInput::default();
    if let Ok(mut form) = form {
        while let Ok(Some(field)) = form.next_field().await {
            let name = field.name().unwrap_or_default().to_string();
            if name == "file" {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let declared = field.content_type().unwrap_or_default().to_string();
                let bytes = field.bytes().await.unwrap_or_default();
                if !bytes.is_empty() {
                    input.file = Some((file_name, declared, bytes.to_vec()));
                }
                continue;
            }
            let value = field.text().await.unwrap_or_default();
            match name.as_str() {
                "kind" => input.kind = value,
                "title" => input.title = value,
                "url" => input.url = value,
                "outcome" => input.outcome = value,
                "detail" => input.detail = value,
                "valid_days" => input.valid_days = value,
                _ => {}
            }
        }
    }
    match controls::add_evidence(app.store.as_ref(), &*chrome.actor()?, app.now(), cid, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/controls/{id}")).into_response()),
        Err(e) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, detail_page(&app, chrome, cid, form_errors(e)?).await?)
                .into_response())
        }
    }
}

/// An evidence file, as it was uploaded (never shown inline).
pub async fn evidence_file(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id: EvidenceId = parse_id(&id)?;
    let (e, bytes) = controls::evidence_file(app.store.as_ref(), &*chrome.actor()?, id).await?;
    let name: String =
        e.file_name.unwrap_or_default().chars().filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c)).collect();
    let headers = [
        (header::CONTENT_TYPE, e.content_type.unwrap_or_else(|| "application/octet-stream".into())),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", if name.is_empty() { "evidence" } else { &name }),
        ),
    ];
    Ok((headers, bytes).into_response())
}
