//! Campaign pages: the list, a new campaign, completion by department with who is missing,
//! the export of every participant, the page where a person reads and signs, and "My tasks".

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use bulwark_core::ids::CampaignId;
use bulwark_core::list::ListPage;
use bulwark_core::organisation::departments;
use bulwark_core::policies::campaigns::{
    self, Campaign, CampaignInput, DepartmentCompletion, Participant, PinnedVersion, Task,
};
use bulwark_core::{Permission, policies};
use serde::Deserialize;
use std::sync::Arc;

use super::listing::{Pager, SortForm};
use super::{Chrome, Errors, Options, form_errors, parse_id, short_time};
use crate::AppState;
use crate::error::HtmlError;
use crate::export::{Download, Format, stream_records};

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/list.html")]
struct ListView {
    chrome: Chrome,
    page: ListPage<Campaign>,
    pager: Pager,
    can_manage: bool,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(sort): Query<SortForm>,
) -> Result<Response, HtmlError> {
    let page = campaigns::list(app.store.as_ref(), &*chrome.actor()?, &sort.query(&campaigns::LIST)?).await?;
    Ok(ListView {
        pager: sort.pager("/campaigns".into(), "/campaigns".into(), &campaigns::LIST, &page),
        page,
        can_manage: chrome.can(Permission::ManageCampaigns),
        chrome: chrome.at("campaigns"),
    }
    .into_response())
}

/// Every campaign, as CSV or JSON (from the path).
pub async fn export_list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(sort): Query<SortForm>,
    format: Format,
) -> Result<Response, HtmlError> {
    let list = |store: Arc<dyn bulwark_core::Store>, actor: Arc<bulwark_core::Actor>, q| async move {
        campaigns::list(store.as_ref(), &actor, &q).await
    };
    let download = Download { format, stem: "campaigns", columns: campaigns::LIST.columns };
    let query = sort.query(&campaigns::LIST)?;
    Ok(stream_records((app.store.clone(), chrome.actor()?), download, query, list, Campaign::export_row))
}

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/new.html")]
struct NewView {
    chrome: Chrome,
    input: CampaignInput,
    errors: Errors,
    policies: Options,
    departments: Options,
    kinds: Options,
    roles: Options,
    checklists: Options,
    /// The audience size to confirm before the campaign starts.
    to_confirm: Option<i64>,
}

async fn new_view(app: &AppState, chrome: Chrome, input: CampaignInput, errors: Errors) -> Result<NewView, HtmlError> {
    let actor = chrome.actor()?;
    let mut q = policies::LIST.first_page(bulwark_core::list::MAX_LIMIT);
    q.filters.push(("published", "yes".into()));
    let published = policies::list(app.store.as_ref(), &actor, &q).await?.items;
    let departments = departments::department_names(app.store.as_ref(), &actor).await?;
    let checklist_page = bulwark_core::policies::checklists::LIST.first_page(bulwark_core::list::MAX_LIMIT);
    let checklists = bulwark_core::policies::checklists::list(app.store.as_ref(), &actor, &checklist_page).await?.items;
    Ok(NewView {
        to_confirm: None,
        checklists: checklists.into_iter().map(|k| (k.id.to_string(), k.title)).collect(),
        chrome: chrome.at("campaigns"),
        input,
        errors,
        policies: published.into_iter().map(|p| (p.id.to_string(), p.title)).collect(),
        departments: departments.into_iter().map(|(id, n)| (id.to_string(), n)).collect(),
        kinds: bulwark_core::organisation::people::PersonKind::ALL
            .iter()
            .map(|k| (k.as_str().into(), k.label().into()))
            .collect(),
        roles: bulwark_core::Role::ALL.iter().map(|r| (r.as_str().into(), r.label().into())).collect(),
    })
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    /// Preselects a checklist (the checklist page's "Start a campaign").
    #[serde(default)]
    checklist_id: String,
}

pub async fn new_form(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(p): Query<NewParams>,
) -> Result<Response, HtmlError> {
    let input = CampaignInput { checklist_id: p.checklist_id, ..Default::default() };
    Ok(new_view(&app, chrome, input, Errors::none()).await?.into_response())
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(mut input): Form<CampaignInput>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    if !input.joiners_only {
        // Start shows how many people get a task first; the second Start confirms that number.
        match campaigns::audience_size(app.store.as_ref(), &actor, app.now(), &input).await {
            Ok(n) if input.confirmed_audience.trim() != n.to_string() => {
                input.confirmed_audience = n.to_string();
                let view = NewView { to_confirm: Some(n), ..new_view(&app, chrome, input, Errors::none()).await? };
                return Ok(view.into_response());
            }
            Ok(_) => {}
            Err(e) => {
                let errors = form_errors(e)?;
                let view = new_view(&app, chrome, input, errors).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
            }
        }
    }
    match campaigns::create(app.store.as_ref(), &actor, app.now(), &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/campaigns/{}?done=created", c.id)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, new_view(&app, chrome, input, errors).await?).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/detail.html")]
struct DetailView {
    chrome: Chrome,
    campaign: Campaign,
    versions: Vec<PinnedVersion>,
    departments: Vec<DepartmentCompletion>,
    missing: Vec<Participant>,
    more_missing: bool,
    can_manage: bool,
    /// The due date field of the form that moves it (what was typed, after an error).
    due_date: String,
    errors: Errors,
}

/// How many missing people the completion page lists (the export has all).
const MISSING_SHOWN: u32 = 50;

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<CampaignId>(&id)?;
    Ok(detail_view(&app, chrome, id).await?.into_response())
}

async fn detail_view(app: &AppState, chrome: Chrome, id: CampaignId) -> Result<DetailView, HtmlError> {
    let actor = chrome.actor()?;
    let found = campaigns::completion(app.store.as_ref(), &actor, id, MISSING_SHOWN + 1).await?;
    let (campaign, versions, departments, mut missing) =
        (found.campaign, found.versions, found.by_department, found.missing);
    let more_missing = missing.len() > MISSING_SHOWN as usize;
    missing.truncate(MISSING_SHOWN as usize);
    let can_manage = chrome.can(bulwark_core::Permission::ManageCampaigns);
    Ok(DetailView {
        chrome: chrome.at("campaigns"),
        due_date: campaign.due_at.date().to_string(),
        errors: Errors::default(),
        campaign,
        versions,
        departments,
        missing,
        more_missing,
        can_manage,
    })
}

/// Closes the campaign now.
pub async fn close(State(app): State<AppState>, chrome: Chrome, Path(id): Path<String>) -> Result<Response, HtmlError> {
    let id = parse_id::<CampaignId>(&id)?;
    campaigns::close(app.store.as_ref(), &*chrome.actor()?, app.now(), id).await?;
    Ok(axum::response::Redirect::to(&format!("/campaigns/{id}?done=saved")).into_response())
}

/// Cancels the campaign (started by mistake): its open tasks are withdrawn.
pub async fn cancel(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<CampaignId>(&id)?;
    campaigns::cancel(app.store.as_ref(), &*chrome.actor()?, app.now(), id).await?;
    Ok(axum::response::Redirect::to(&format!("/campaigns/{id}")).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct DueDateForm {
    #[serde(default)]
    due_date: String,
}

/// Moves the campaign's due date; a bad date shows the page again with the date typed.
pub async fn change_due_date(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<DueDateForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id = parse_id::<CampaignId>(&id)?;
    match campaigns::change_due_date(app.store.as_ref(), &actor, app.now(), id, &f.due_date).await {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("/campaigns/{id}?done=saved")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let mut page = detail_view(&app, chrome, id).await?;
            page.due_date = f.due_date;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Every person in the audience with their state, as CSV or JSON (from the path).
pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    format: Format,
) -> Result<Response, HtmlError> {
    let id = parse_id::<CampaignId>(&id)?;
    Ok(export_participants(&app, chrome.actor()?, id, format).await?)
}

/// Streams every participant of a campaign, page by page (API and pages).
pub async fn export_participants(
    app: &AppState,
    actor: Arc<bulwark_core::Actor>,
    id: CampaignId,
    format: Format,
) -> Result<Response, bulwark_core::CoreError> {
    // Refuse up front (403/404) rather than in the middle of a stream.
    campaigns::completion(app.store.as_ref(), &actor, id, 0).await?;
    let store = app.store.clone();
    let download = Download { format, stem: "campaign", columns: campaigns::PARTICIPANT_COLUMNS };
    Ok(crate::export::stream(download, None, move |after: Option<(String, bulwark_core::ids::PersonId)>| {
        let (store, actor) = (store.clone(), actor.clone());
        async move {
            let page = campaigns::participants(store.as_ref(), &actor, id, false, after, 500).await?;
            let next = if page.len() == 500 { page.last().map(|p| Some((p.name.clone(), p.person_id))) } else { None };
            Ok((page.iter().map(Participant::export_row).collect(), next))
        }
    }))
}

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/acknowledge.html")]
struct SignView {
    chrome: Chrome,
    sheet: campaigns::SignSheet,
    signed: Option<String>,
    errors: Errors,
}

async fn sign_view(app: &AppState, chrome: Chrome, id: CampaignId, errors: Errors) -> Result<SignView, HtmlError> {
    let sheet = campaigns::sheet(app.store.as_ref(), &*chrome.actor()?, id).await?;
    Ok(SignView { signed: sheet.signed_at.as_ref().map(short_time), sheet, chrome: chrome.at("tasks"), errors })
}

pub async fn sign_form(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<CampaignId>(&id)?;
    let view = sign_view(&app, chrome, id, Errors::none()).await?;
    if view.sheet.campaign.checklist_id.is_some() {
        let chrome = view.chrome;
        return Ok(super::checklists::answer_view(&app, chrome, id, None, Errors::none()).await?.into_response());
    }
    Ok(view.into_response())
}

/// Signs an acknowledgment campaign (the box "I have read and accept these policies" ticked),
/// or answers a checklist campaign (`answer_N` / `comment_N` per item).
pub async fn sign(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<CampaignId>(&id)?;
    let actor = chrome.actor()?;
    let campaign = campaigns::sheet(app.store.as_ref(), &actor, id).await?.campaign;
    if campaign.checklist_id.is_some() {
        return super::checklists::answer(&app, chrome, id, &fields).await;
    }
    let result = if !fields.iter().any(|(name, _)| name == "accept") {
        Err(bulwark_core::CoreError::invalid("accept", "must be ticked to sign"))
    } else {
        campaigns::acknowledge(app.store.as_ref(), &actor, app.now(), id).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/tasks?done=signed").into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, sign_view(&app, chrome, id, errors).await?).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/tasks.html")]
struct TasksView {
    chrome: Chrome,
    page: ListPage<Task>,
    pager: Pager,
    now: bulwark_core::Timestamp,
}

#[derive(Deserialize, Default)]
pub struct TaskFilter {
    #[serde(default)]
    state: String,
    #[serde(flatten)]
    sort: SortForm,
}

#[derive(Deserialize, Default)]
pub struct TaskDoneForm {
    #[serde(default)]
    task: String,
    #[serde(default)]
    note: String,
}

/// Marks one of the signed-in person's incident tasks done, with a note for the timeline.
pub async fn task_done(
    State(app): State<AppState>,
    chrome: Chrome,
    axum::Form(f): axum::Form<TaskDoneForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    bulwark_core::incidents::complete_task(app.store.as_ref(), &actor, app.now(), (&f.task, None), &f.note).await?;
    Ok(axum::response::Redirect::to("/tasks?state=done").into_response())
}

pub async fn tasks(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<TaskFilter>,
) -> Result<Response, HtmlError> {
    let mut query = f.sort.query(&campaigns::TASKS)?;
    let state = if f.state.is_empty() { "open" } else { f.state.as_str() };
    if !["open", "done", "missed"].contains(&state) {
        return Err(bulwark_core::CoreError::invalid("state", "must be open, done or missed").into());
    }
    query.filters.push(("state", state.to_string()));
    let page = campaigns::my_tasks(app.store.as_ref(), &*chrome.actor()?, &query).await?;
    Ok(TasksView {
        pager: f.sort.filtered_pager(
            "/tasks".into(),
            "/tasks".into(),
            &campaigns::TASKS,
            &page,
            &[("state", &f.state)],
        ),
        page,
        now: app.now(),
        chrome: chrome.at("tasks"),
    }
    .into_response())
}
