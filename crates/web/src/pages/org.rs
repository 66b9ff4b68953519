//! Departments (lists, forms, history) and the security team as everyone sees it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::ids::DepartmentId;
use bulwark_core::list::ListPage;
use bulwark_core::organisation::areas::{self, TeamMember};
use bulwark_core::organisation::departments::{self, DEPARTMENTS, Department, DepartmentInput};
use bulwark_core::organisation::people;
use bulwark_core::records::Record;
use bulwark_core::version::version_of;
use bulwark_core::{CoreError, FieldError, Permission, Store};
use serde::Deserialize;
use std::sync::Arc;

use super::listing::{Pager, SortForm};
use super::{Chrome, Errors, HistoryItem, form_errors, history, parse_id};
use crate::AppState;
use crate::error::HtmlError;
use crate::export::{Download, Format, stream_records};

/// Turns what a person typed to name someone (an e-mail address or an id) into a person id.
async fn resolve_person(store: &dyn Store, field: &str, raw: &str) -> Result<String, CoreError> {
    let raw = raw.trim();
    if !raw.contains('@') {
        return Ok(raw.to_string());
    }
    match store.read().await?.find_person_by_email(raw).await? {
        Some(p) => Ok(p.id.to_string()),
        None => Err(CoreError::Invalid(vec![FieldError::new(field, "matches nobody in People")])),
    }
}

#[derive(Deserialize, Default)]
pub struct DepartmentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    head: String,
    #[serde(default)]
    version: Option<String>,
}

impl DepartmentForm {
    async fn input(&self, store: &dyn Store) -> Result<DepartmentInput, CoreError> {
        Ok(DepartmentInput {
            name: self.name.clone(),
            head_person_id: resolve_person(store, "head", &self.head).await?,
            version: self.version.clone(),
        })
    }
}

/// Core names the field `head_person_id`; the form calls it `head`.
fn rename_head(e: CoreError) -> CoreError {
    match e {
        CoreError::Invalid(v) => CoreError::Invalid(
            v.into_iter()
                .map(|f| if f.field == "head_person_id" { FieldError::new("head", &f.message) } else { f })
                .collect(),
        ),
        other => other,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "org/departments.html")]
struct DepartmentsPage {
    chrome: Chrome,
    departments: ListPage<Department>,
    pager: Pager,
    input: DepartmentForm,
    errors: Errors,
    can_manage: bool,
}

async fn departments_page(
    app: &AppState,
    chrome: Chrome,
    input: DepartmentForm,
    errors: Errors,
    sort: &SortForm,
) -> Result<DepartmentsPage, HtmlError> {
    let departments =
        departments::list_departments(app.store.as_ref(), &*chrome.actor()?, &sort.query(&DEPARTMENTS)?).await?;
    Ok(DepartmentsPage {
        pager: sort.pager("/departments".into(), "/departments".into(), &DEPARTMENTS, &departments),
        departments,
        can_manage: chrome.can(Permission::ManageDirectory),
        chrome: chrome.at("departments"),
        input,
        errors,
    })
}

pub async fn departments(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(sort): Query<SortForm>,
) -> Result<Response, HtmlError> {
    Ok(departments_page(&app, chrome, DepartmentForm::default(), Errors::none(), &sort).await?.into_response())
}

/// Every department, as CSV or JSON (from the path).
pub async fn departments_export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(sort): Query<SortForm>,
    format: Format,
) -> Result<Response, HtmlError> {
    let list = |store: Arc<dyn Store>, actor: Arc<bulwark_core::Actor>, q| async move {
        departments::list_departments(store.as_ref(), &actor, &q).await
    };
    let download = Download { format, stem: "departments", columns: DEPARTMENTS.columns };
    let query = sort.query(&DEPARTMENTS)?;
    Ok(stream_records((app.store.clone(), chrome.actor()?), download, query, list, Department::export_row))
}

pub async fn department_create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(form): Form<DepartmentForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let result = match form.input(app.store.as_ref()).await {
        Ok(input) => departments::create_department(app.store.as_ref(), &actor, app.now(), &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/departments?done=created").into_response()),
        Err(e) => {
            let errors = form_errors(rename_head(e))?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                departments_page(&app, chrome, form, errors, &SortForm::default()).await?,
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "org/department_edit.html")]
struct DepartmentEditPage {
    chrome: Chrome,
    id: DepartmentId,
    name: String,
    input: DepartmentForm,
    errors: Errors,
    history: Vec<HistoryItem>,
    can_see_history: bool,
}

async fn department_edit_page(
    app: &AppState,
    chrome: Chrome,
    d: Department,
    input: DepartmentForm,
    errors: Errors,
) -> Result<DepartmentEditPage, HtmlError> {
    let (history, can_see_history) = history(app, &chrome, "department", &d.id.to_string()).await?;
    Ok(DepartmentEditPage {
        history,
        can_see_history,
        chrome: chrome.at("departments"),
        id: d.id,
        name: d.name,
        input,
        errors,
    })
}

pub async fn department_edit_form(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let d = departments::get_department(app.store.as_ref(), &actor, parse_id(&id)?).await?;
    let head = match d.head_person_id {
        Some(h) => people::get(app.store.as_ref(), &actor, h).await?.email,
        None => String::new(),
    };
    let input = DepartmentForm { name: d.name.clone(), head, version: Some(version_of(d.updated_at)) };
    Ok(department_edit_page(&app, chrome, d, input, Errors::none()).await?.into_response())
}

pub async fn department_update(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(mut form): Form<DepartmentForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id: DepartmentId = parse_id(&id)?;
    let result = match form.input(app.store.as_ref()).await {
        Ok(input) => {
            departments::update_department(app.store.as_ref(), &actor, app.now(), id, &input).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/departments?done=saved").into_response()),
        Err(e) => {
            let errors = form_errors(rename_head(e))?;
            let d = departments::get_department(app.store.as_ref(), &actor, id).await?;
            form.version = Some(version_of(d.updated_at));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, department_edit_page(&app, chrome, d, form, errors).await?)
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "org/security_team.html")]
struct SecurityTeamPage {
    chrome: Chrome,
    team: Vec<(Record, Vec<TeamMember>)>,
}

/// Who the security team is and how to reach them, for everyone signed in.
pub async fn security_team(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let team = areas::security_team(app.store.as_ref(), &*chrome.actor()?).await?;
    Ok(SecurityTeamPage { chrome: chrome.at("security-team"), team }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "org/my_department.html")]
struct MyDepartmentPage {
    chrome: Chrome,
    departments: Vec<bulwark_core::organisation::my_department::DepartmentOverview>,
    can_see_people: bool,
}

/// The departments the signed-in person heads: people, their assets, campaign completion and
/// offboardings (whose assets they check off).
pub async fn my_department(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let departments = bulwark_core::organisation::my_department::mine(app.store.as_ref(), &*chrome.actor()?).await?;
    let can_see_people = chrome.can(Permission::ViewDirectory);
    Ok(MyDepartmentPage { chrome: chrome.at("my-department"), departments, can_see_people }.into_response())
}
