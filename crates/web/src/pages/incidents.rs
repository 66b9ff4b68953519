//! Incident pages: everyone reports (each category with its guidance) and sees the incidents
//! they reported or were added to; the security team sees all and leads the response on the
//! incident's page — assessment (with the 72-hour clock when personal data is involved),
//! status, people, links, tasks, comments — with the response plan linked.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use bulwark_core::Permission;
use bulwark_core::ids::{IncidentId, PolicyId};
use bulwark_core::incidents::{
    self, AssessmentInput, Category, Impact, Incident, IncidentDetail, IncidentStatus, ReportInput, Severity,
};
use bulwark_core::list::ListPage;
use serde::Deserialize;

use super::{Chrome, Errors, Options, choices, form_errors, parse_id};
use crate::AppState;
use crate::error::HtmlError;

#[derive(Deserialize, Default, Clone)]
pub struct IncidentFilter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    after: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/list.html")]
struct ListView {
    chrome: Chrome,
    page: ListPage<Incident>,
    f: IncidentFilter,
    statuses: Options,
    next: Option<String>,
    /// The filter as a query string, for the export links.
    base: String,
    all: bool,
    now: bulwark_core::Timestamp,
    errors: Errors,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<IncidentFilter>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let raw = super::listing::newest_first(&f.q, &f.status, &f.after);
    let (query, errors) = match incidents::LIST.parse(&raw) {
        Ok(q) => (q, Errors::none()),
        Err(e) => (incidents::LIST.first_page(50), form_errors(e)?),
    };
    let page = incidents::list(app.store.as_ref(), &actor, &query).await?;
    let base = crate::api::list_query(&[("q", &Some(f.q.clone())), ("status", &Some(f.status.clone()))], None);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = ListView {
        next: page.next.as_ref().map(|c| crate::api::cursor_url("/incidents", &base, c)),
        base,
        page,
        statuses: choices(IncidentStatus::ALL, IncidentStatus::as_str, IncidentStatus::label),
        all: chrome.can(Permission::ViewIncidents),
        now: app.now(),
        chrome: chrome.at("incidents"),
        f,
        errors,
    };
    Ok((status, view).into_response())
}

/// Every incident the filter matches, streamed (the security team's export).
pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<IncidentFilter>,
    format: crate::export::Format,
) -> Result<Response, HtmlError> {
    let query = incidents::LIST.parse(&super::listing::newest_first(&f.q, &f.status, ""))?;
    let list = |store: std::sync::Arc<dyn bulwark_core::Store>, actor: std::sync::Arc<bulwark_core::Actor>, q| async move {
        incidents::list(store.as_ref(), &actor, &q).await
    };
    let download = crate::export::Download { format, stem: "incidents", columns: incidents::LIST.columns };
    Ok(crate::export::stream_records((app.store.clone(), chrome.actor()?), download, query, list, Incident::export_row))
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/report.html")]
struct ReportForm {
    chrome: Chrome,
    input: ReportInput,
    categories: Vec<(&'static str, &'static str, &'static str)>,
    errors: Errors,
}

impl ReportForm {
    /// Whether the form had this category chosen.
    fn chosen(&self, category: &str) -> bool {
        self.input.category == category
    }
}

fn report_form(chrome: Chrome, input: ReportInput, errors: Errors) -> ReportForm {
    let categories = Category::ALL.iter().map(|c| (c.as_str(), c.label(), c.guidance())).collect();
    ReportForm { chrome: chrome.at("incidents"), input, categories, errors }
}

pub async fn new_form(chrome: Chrome) -> Response {
    report_form(chrome, ReportInput::default(), Errors::none()).into_response()
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(input): Form<ReportInput>,
) -> Result<Response, HtmlError> {
    match incidents::report(app.store.as_ref(), &*chrome.actor()?, app.now(), &input).await {
        Ok(i) => Ok(Redirect::to(&format!("/incidents/{}?done=reported", i.id)).into_response()),
        Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, report_form(chrome, input, form_errors(e)?)).into_response()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/detail.html")]
struct DetailPage {
    chrome: Chrome,
    d: IncidentDetail,
    plan: Option<(PolicyId, String)>,
    guidance: &'static str,
    severities: Options,
    impacts: Options,
    next_statuses: Options,
    now: bulwark_core::Timestamp,
    can_respond: bool,
    errors: Errors,
    /// Adding to the timeline: the team and the people involved (an auditor reads).
    can_comment: bool,
    /// Suggestions of the response's pickers (for the team only).
    people_options: Vec<bulwark_core::pick::PickOption>,
    link_options: Vec<bulwark_core::pick::PickOption>,
}

async fn detail_page(app: &AppState, chrome: Chrome, id: IncidentId, errors: Errors) -> Result<DetailPage, HtmlError> {
    let d = incidents::get(app.store.as_ref(), &*chrome.actor()?, id).await?;
    let position = IncidentStatus::ALL.iter().position(|s| *s == d.incident.status).unwrap_or_default();
    let next_statuses =
        IncidentStatus::ALL[position + 1..].iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect();
    let actor = chrome.actor()?;
    let (people_options, link_options) = if chrome.can(Permission::HandleIncidents) {
        let store = app.store.as_ref();
        let people = bulwark_core::pick::people_options(store, &actor).await?;
        let assets = bulwark_core::pick::asset_options(store, &actor).await?;
        let risks = bulwark_core::pick::risk_options(store, &actor).await?;
        let labelled = |kind: &'static str| move |(v, d): (String, String)| (v, format!("{kind}: {d}"));
        let links = (assets.into_iter().map(labelled("Asset")))
            .chain(people.iter().cloned().map(labelled("Person")))
            .chain(risks.into_iter().map(labelled("Risk")))
            .collect();
        (people, links)
    } else {
        (vec![], vec![])
    };
    Ok(DetailPage {
        people_options,
        link_options,
        plan: incidents::response_plan(app.store.as_ref()).await?,
        guidance: d.incident.category.guidance(),
        severities: choices(Severity::ALL, Severity::as_str, Severity::label),
        impacts: choices(Impact::ALL, Impact::as_str, Impact::label),
        next_statuses,
        now: app.now(),
        can_respond: chrome.can(Permission::HandleIncidents),
        can_comment: chrome.can(Permission::HandleIncidents) || d.involves(&*chrome.actor()?),
        chrome: chrome.at("incidents"),
        d,
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

/// Every form of the incident page, by its fields (each action reads the ones it needs).
#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    lessons_learned: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_on: String,
}

/// Runs one action of the incident page and comes back to it (with the errors on failure).
async fn act<T>(
    app: &AppState,
    chrome: Chrome,
    id: IncidentId,
    done: &str,
    outcome: Result<T, bulwark_core::CoreError>,
) -> Result<Response, HtmlError> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{id}?done={done}")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, detail_page(app, chrome, id, errors).await?).into_response())
        }
    }
}

pub async fn comment(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&id)?;
    let outcome = incidents::comment(app.store.as_ref(), &*chrome.actor()?, app.now(), id, &f.text).await;
    act(&app, chrome, id, "saved", outcome).await
}

pub async fn assess(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(input): Form<AssessmentInput>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&id)?;
    let outcome = incidents::assess(app.store.as_ref(), &*chrome.actor()?, app.now(), id, &input).await;
    act(&app, chrome, id, "saved", outcome).await
}

pub async fn advance(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&id)?;
    let actor = chrome.actor()?;
    let outcome = incidents::advance(app.store.as_ref(), &actor, app.now(), id, &f.status, &f.lessons_learned).await;
    act(&app, chrome, id, "saved", outcome).await
}

pub async fn add_member(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&id)?;
    let outcome = incidents::add_member(app.store.as_ref(), &*chrome.actor()?, app.now(), id, &f.person).await;
    act(&app, chrome, id, "saved", outcome).await
}

pub async fn link(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&id)?;
    let outcome = incidents::link(app.store.as_ref(), &*chrome.actor()?, app.now(), id, &f.kind, &f.target).await;
    act(&app, chrome, id, "saved", outcome).await
}

pub async fn add_task(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&id)?;
    let actor = chrome.actor()?;
    let outcome = incidents::add_task(app.store.as_ref(), &actor, app.now(), id, &f.person, &f.title, &f.due_on).await;
    act(&app, chrome, id, "saved", outcome).await
}

#[derive(Deserialize, Default)]
pub struct AuthorityForm {
    #[serde(default)]
    authority: String,
}

pub async fn authority_notified(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(f): Form<AuthorityForm>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&id)?;
    let actor = chrome.actor()?;
    let outcome = incidents::record_authority_notified(app.store.as_ref(), &actor, app.now(), id, &f.authority).await;
    act(&app, chrome, id, "saved", outcome).await
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    policies: Options,
    current: String,
    errors: Errors,
}

async fn settings_page(app: &AppState, chrome: Chrome, errors: Errors) -> Result<SettingsPage, HtmlError> {
    let actor = chrome.actor()?;
    let query = bulwark_core::policies::LIST.first_page(bulwark_core::list::MAX_LIMIT);
    let found = bulwark_core::policies::list(app.store.as_ref(), &actor, &query).await?;
    let policies = found.items.iter().map(|p| (p.id.to_string(), p.title.clone())).collect();
    let current = incidents::response_plan(app.store.as_ref()).await?.map(|(id, _)| id.to_string()).unwrap_or_default();
    Ok(SettingsPage { chrome: chrome.at("incidents"), policies, current, errors })
}

pub async fn settings_form(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    Ok(settings_page(&app, chrome, Errors::none()).await?.into_response())
}

#[derive(Deserialize, Default)]
pub struct PlanForm {
    #[serde(default)]
    policy_id: String,
}

pub async fn save_settings(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(f): Form<PlanForm>,
) -> Result<Response, HtmlError> {
    match incidents::set_response_plan(app.store.as_ref(), &*chrome.actor()?, app.now(), &f.policy_id).await {
        Ok(()) => Ok(Redirect::to("/incidents?done=saved").into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, settings_page(&app, chrome, errors).await?).into_response())
        }
    }
}
