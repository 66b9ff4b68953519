//! People pages: the filtered list, CSV export, detail with history, create and edit forms.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::Permission;
use bulwark_core::ids::PersonId;
use bulwark_core::list::SortSpec;
use bulwark_core::organisation::departments;
use bulwark_core::organisation::people::{self, Person, PersonInput, PersonKind, PersonStatus};
use bulwark_core::version::version_of;
use serde::Deserialize;

use super::{Chrome, Errors, HistoryItem, Options, form_errors, history, parse_id, short_time};
use crate::AppState;
use crate::api::people::{PeopleParams, people_export};
use crate::error::HtmlError;
use crate::export::Format;

/// The filter as typed, for re-display.
#[derive(Deserialize, Default)]
pub struct FilterForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    after: String,
}

impl FilterForm {
    fn params(&self) -> PeopleParams {
        let some = |s: &str| Some(s.to_string());
        PeopleParams {
            q: some(&self.q),
            department_id: some(&self.department_id),
            kind: some(&self.kind),
            status: some(&self.status),
            sort: some(&self.sort),
            dir: some(&self.dir),
            after: some(&self.after),
            ..Default::default()
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people/list.html")]
struct ListPage {
    chrome: Chrome,
    page: bulwark_core::list::ListPage<Person>,
    /// The query without the cursor: the first page, and the base of the next one.
    query: String,
    next: Option<String>,
    f: FilterForm,
    departments: Vec<(bulwark_core::ids::DepartmentId, String)>,
    kinds: &'static [PersonKind],
    statuses: &'static [PersonStatus],
    sorts: &'static [SortSpec],
    can_manage: bool,
    errors: Errors,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<FilterForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let params = f.params();
    let (query, errors) = match people::LIST.parse(&params.raw()) {
        Ok(query) => (Some(query), Errors::none()),
        Err(e) => (None, form_errors(e)?),
    };
    let (page, departments) = people::list_with_departments(app.store.as_ref(), &actor, query.as_ref()).await?;
    let query = params.query_without_after();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body = ListPage {
        next: page.next.as_ref().map(|c| crate::api::cursor_url("/people", &query, c)),
        query,
        page,
        departments,
        kinds: PersonKind::ALL,
        statuses: PersonStatus::ALL,
        sorts: people::LIST.sorts,
        can_manage: chrome.can(Permission::ManageDirectory),
        chrome: chrome.at("people"),
        f,
        errors,
    };
    Ok((status, body).into_response())
}

/// Every person the filter matches, as CSV or JSON (from the path).
pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<FilterForm>,
    format: Format,
) -> Result<Response, HtmlError> {
    let query = people::LIST.parse(&f.params().raw())?;
    Ok(people_export(&app, chrome.actor()?, query, format))
}

#[derive(Template, WebTemplate)]
#[template(path = "people/detail.html")]
pub(super) struct DetailPage {
    chrome: Chrome,
    person: Person,
    account: Option<(bulwark_core::ids::AccountId, String)>,
    created: String,
    history: Vec<HistoryItem>,
    can_manage: bool,
    can_see_history: bool,
    onboarding: Vec<bulwark_core::organisation::lifecycle::OnboardingRecord>,
    offboardings: Vec<bulwark_core::organisation::lifecycle::Offboarding>,
    screening_checks: &'static [&'static str],
    errors: Errors,
}

/// The person's page, with `errors` of a lifecycle form.
pub(super) async fn detail_page(
    app: &AppState,
    chrome: Chrome,
    id: PersonId,
    errors: Errors,
) -> Result<DetailPage, HtmlError> {
    let actor = chrome.actor()?;
    let (person, account) = people::get_with_account(app.store.as_ref(), &actor, id).await?;
    let account = account.map(|a| {
        let roles = a.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
        (a.id, format!("{} ({})", a.status.as_str(), roles))
    });
    let (onboarding, offboardings) =
        bulwark_core::organisation::lifecycle::of_person(app.store.as_ref(), &actor, id).await?;
    let (history, can_see_history) = history(app, &chrome, "person", &person.id.to_string()).await?;
    Ok(DetailPage {
        created: short_time(&person.created_at),
        account,
        history,
        can_manage: chrome.can(Permission::ManageDirectory),
        can_see_history,
        onboarding,
        offboardings,
        screening_checks: bulwark_core::organisation::lifecycle::SCREENING_CHECKS,
        errors,
        chrome: chrome.at("people"),
        person,
    })
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    Ok(detail_page(&app, chrome, parse_id::<PersonId>(&id)?, Errors::none()).await?.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "people/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    input: PersonInput,
    errors: Errors,
    kind_options: Options,
    department_options: Options,
    status_options: Options,
}

async fn form_page(
    app: &AppState,
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    input: PersonInput,
    errors: Errors,
) -> Result<FormPage, HtmlError> {
    let departments = departments::department_names(app.store.as_ref(), &*chrome.actor()?).await?;
    Ok(FormPage {
        chrome: chrome.at("people"),
        heading,
        action,
        cancel,
        input,
        errors,
        kind_options: PersonKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label().to_string())).collect(),
        department_options: std::iter::once((String::new(), "No department".to_string()))
            .chain(departments.into_iter().map(|(id, name)| (id.to_string(), name)))
            .collect(),
        status_options: PersonStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect(),
    })
}

pub async fn new_form(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let input = PersonInput { kind: "employee".into(), status: "active".into(), ..Default::default() };
    let page =
        form_page(&app, chrome, "Add a person".into(), "/people/new".into(), "/people".into(), input, Errors::none())
            .await?;
    Ok(page.into_response())
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(input): Form<PersonInput>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    match people::create(app.store.as_ref(), &actor, app.now(), &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/people/{}?done=created", p.id)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page =
                form_page(&app, chrome, "Add a person".into(), "/people/new".into(), "/people".into(), input, errors)
                    .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let p = people::get(app.store.as_ref(), &*chrome.actor()?, parse_id::<PersonId>(&id)?).await?;
    let input = PersonInput {
        name: p.name.clone(),
        email: p.email.clone(),
        kind: p.kind.as_str().into(),
        department_id: p.department_id.map(|d| d.to_string()).unwrap_or_default(),
        status: p.status.as_str().into(),
        version: Some(version_of(p.updated_at)),
    };
    let page = form_page(
        &app,
        chrome,
        format!("Edit {}", p.name),
        format!("/people/{id}/edit"),
        format!("/people/{id}"),
        input,
        Errors::none(),
    )
    .await?;
    Ok(page.into_response())
}

pub async fn update(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(mut input): Form<PersonInput>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let pid = parse_id::<PersonId>(&id)?;
    match people::update(app.store.as_ref(), &actor, app.now(), pid, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?done=saved")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let current = people::get(app.store.as_ref(), &actor, pid).await?;
            // What was typed stays; saving again is now based on the current version.
            input.version = Some(version_of(current.updated_at));
            let heading = format!("Edit {}", current.name);
            let page =
                form_page(&app, chrome, heading, format!("/people/{id}/edit"), format!("/people/{id}"), input, errors)
                    .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
