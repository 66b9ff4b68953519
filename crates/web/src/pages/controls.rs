//! The hand-written sections of a control's page — the requirements it meets (map one,
//! remove one), the risks it treats, its evidence (add a link, a file or a check result) —
//! their forms, and evidence file downloads. The control itself is a record kit type.

use askama::Template;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::Permission;
use bulwark_core::compliance::controls::{self, CONTROL, Evidence, EvidenceInput, Mapping};
use bulwark_core::compliance::frameworks::{self, Framework};
use bulwark_core::ids::{ControlId, EvidenceId};
use bulwark_core::records::Record;
use serde::Deserialize;

use super::{Chrome, Errors, form_errors, parse_id};
use crate::AppState;
use crate::error::HtmlError;

#[derive(Template)]
#[template(path = "controls/sections.html")]
struct Sections<'a> {
    csrf: &'a str,
    control: &'a Record,
    mappings: Vec<Mapping>,
    evidence: Vec<Evidence>,
    /// The risks whose treatment relies on it (for those who see the register).
    risks: Vec<bulwark_core::compliance::risks::Risk>,
    frameworks: Vec<Framework>,
    /// Suggestions of the requirement picker (for those who map).
    requirement_options: Vec<bulwark_core::pick::PickOption>,
    now: bulwark_core::Timestamp,
    can_manage: bool,
    can_add_evidence: bool,
    errors: &'a Errors,
}

/// The control's mappings, risks and evidence, with the forms that add to them.
pub async fn sections(app: &AppState, chrome: &Chrome, control: &Record, errors: &Errors) -> Result<String, HtmlError> {
    let actor = chrome.actor()?;
    let id: ControlId = parse_id(&control.id)?;
    let (mappings, evidence) = controls::mappings_and_evidence(app.store.as_ref(), &actor, id).await?;
    let can_manage = chrome.can(Permission::ManageCompliance);
    let can_add_evidence = can_manage || controls::owned_by(&actor, control);
    let (frameworks, requirement_options) = if can_manage {
        (
            frameworks::list(app.store.as_ref(), &actor).await?,
            bulwark_core::pick::requirement_options(app.store.as_ref(), &actor).await?,
        )
    } else {
        (vec![], vec![])
    };
    let page = Sections {
        csrf: &chrome.csrf,
        control,
        risks: controls::risks_of(app.store.as_ref(), &actor, id).await?,
        mappings,
        evidence,
        frameworks,
        requirement_options,
        now: app.now(),
        can_manage,
        can_add_evidence,
        errors,
    };
    page.render().map_err(|e| HtmlError::from(bulwark_core::CoreError::Internal(e.into())))
}

/// The control's page again, its sections showing why a form was refused.
async fn refused(app: AppState, chrome: Chrome, id: String, e: bulwark_core::CoreError) -> Result<Response, HtmlError> {
    crate::records::section_refused(&CONTROL, app, chrome, id, form_errors(e)?).await
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
        Err(e) => refused(app, chrome, id, e).await,
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
        Err(e) => refused(app, chrome, id, e).await,
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
        Err(e) => refused(app, chrome, id, e).await,
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
