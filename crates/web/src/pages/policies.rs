//! Policy pages: the list (search, filters, sort, export), a policy with its versions and the
//! steps the reader may take, one version (rendered, or compared with another), and the form
//! that writes the policy's details and its draft.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::Permission;
use bulwark_core::ids::PolicyId;
use bulwark_core::list::{ListPage, RawListQuery};
use bulwark_core::policies::{self, LIST, Policy, PolicyInput, PolicyVersion, Transition, VersionStatus};
use bulwark_core::version::version_of;
use serde::Deserialize;
use std::sync::Arc;

use super::listing::{Pager, SortForm};
use super::{Chrome, Errors, HistoryItem, Options, form_errors, history, parse_id, short_time};
use crate::AppState;
use crate::error::HtmlError;
use crate::export::{Download, Format, stream_records};
use crate::markdown::{DiffLine, line_diff, to_safe_html};

/// The list's search and filters as typed, beside its sort and position.
#[derive(Deserialize, Default)]
pub struct FilterForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    public: String,
    #[serde(flatten)]
    sort: SortForm,
}

impl FilterForm {
    fn raw(&self) -> RawListQuery {
        let some = |s: &str| Some(s.to_string());
        RawListQuery {
            q: some(&self.q),
            filters: vec![("published".into(), self.published.clone()), ("public".into(), self.public.clone())],
            sort: some(&self.sort.sort),
            dir: some(&self.sort.dir),
            after: some(&self.sort.after),
            limit: None,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "policies/list.html")]
struct ListPageView {
    chrome: Chrome,
    page: ListPage<Policy>,
    pager: Pager,
    f: FilterForm,
    errors: Errors,
    can_manage: bool,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<FilterForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let (page, errors) = match LIST.parse(&f.raw()) {
        Ok(query) => (policies::list(app.store.as_ref(), &actor, &query).await?, Errors::none()),
        Err(e) => (ListPage { items: vec![], total: 0, next: None }, form_errors(e)?),
    };
    let filters = [("q", f.q.as_str()), ("published", f.published.as_str()), ("public", f.public.as_str())];
    let pager = f.sort.filtered_pager("/policies".into(), "/policies".into(), &LIST, &page, &filters);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body = ListPageView {
        page,
        pager,
        f,
        errors,
        can_manage: chrome.can(Permission::ManagePolicies),
        chrome: chrome.at("policies"),
    };
    Ok((status, body).into_response())
}

/// Every policy the filter matches, as CSV or JSON (from the path).
pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<FilterForm>,
    format: Format,
) -> Result<Response, HtmlError> {
    let query = LIST.parse(&f.raw())?;
    let list = |store: Arc<dyn bulwark_core::Store>, actor: Arc<bulwark_core::Actor>, q| async move {
        policies::list(store.as_ref(), &actor, &q).await
    };
    let download = Download { format, stem: "policies", columns: LIST.columns };
    Ok(stream_records((app.store.clone(), chrome.actor()?), download, query, list, Policy::export_row))
}

/// A version as a page shows it.
struct VersionRow {
    number: i64,
    status: VersionStatus,
    change_note: String,
    hash: Option<String>,
    when: String,
    /// The steps the reader may take on it: (path segment, button label).
    steps: Vec<(&'static str, &'static str)>,
}

fn steps_for(chrome: &Chrome, v: &PolicyVersion) -> Vec<(&'static str, &'static str)> {
    let manage = chrome.can(Permission::ManagePolicies);
    let ratify = chrome.can(Permission::RatifyPolicies);
    match v.status {
        VersionStatus::Draft if manage => vec![("submit", "Send for review")],
        VersionStatus::InReview if ratify => vec![("ratify", "Ratify"), ("send-back", "Send back")],
        _ => vec![],
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "policies/detail.html")]
struct DetailPage {
    chrome: Chrome,
    policy: Policy,
    /// The version shown: the published one, else (for writers) the newest.
    shown: Option<(i64, VersionStatus, String)>,
    versions: Vec<VersionRow>,
    history: Vec<HistoryItem>,
    can_manage: bool,
    can_see_history: bool,
    /// A ratified version the reader may publish, and the default due date of a campaign
    /// that asks everyone to sign it again.
    publishable: Option<i64>,
    resign_due: String,
    errors: Errors,
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<PolicyId>(&id)?;
    let resign_due = (app.now() + time::Duration::days(30)).date().to_string();
    Ok(detail_page(&app, chrome, id, resign_due, Errors::none()).await?.into_response())
}

/// The policy page; `resign_due` and `errors` are what the publish form shows.
async fn detail_page(
    app: &AppState,
    chrome: Chrome,
    id: PolicyId,
    resign_due: String,
    errors: Errors,
) -> Result<DetailPage, HtmlError> {
    let actor = chrome.actor()?;
    let (policy, versions) = policies::get(app.store.as_ref(), &actor, id).await?;
    let shown = versions
        .iter()
        .find(|v| v.status == VersionStatus::Published)
        .or(versions.first())
        .map(|v| (v.number, v.status, to_safe_html(&v.body)));
    let rows = versions
        .iter()
        .map(|v| VersionRow {
            number: v.number,
            status: v.status,
            change_note: v.change_note.clone(),
            hash: v.content_hash.clone(),
            when: short_time(&v.published_at.unwrap_or(v.updated_at)),
            steps: steps_for(&chrome, v),
        })
        .collect();
    let (history, can_see_history) = history(app, &chrome, "policy", &policy.id.to_string()).await?;
    let publishable = versions
        .iter()
        .find(|v| v.status == VersionStatus::Ratified && chrome.can(Permission::ManagePolicies))
        .map(|v| v.number);
    Ok(DetailPage {
        shown,
        publishable,
        resign_due,
        errors,
        versions: rows,
        history,
        can_see_history,
        can_manage: chrome.can(Permission::ManagePolicies),
        chrome: chrome.at("policies"),
        policy,
    })
}

#[derive(Deserialize, Default)]
pub struct CompareForm {
    /// Another version number to compare with.
    #[serde(default)]
    compare: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "policies/version.html")]
struct VersionPage {
    chrome: Chrome,
    policy_id: PolicyId,
    version: PolicyVersion,
    html: String,
    diff: Option<(i64, Vec<DiffLine>)>,
}

pub async fn version(
    State(app): State<AppState>,
    chrome: Chrome,
    Path((id, number)): Path<(String, String)>,
    Query(cmp): Query<CompareForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let (id, number) = (parse_id::<PolicyId>(&id)?, parse_id::<i64>(&number)?);
    let version = policies::get_version(app.store.as_ref(), &actor, id, number).await?;
    let diff = match cmp.compare.trim() {
        "" => None,
        other => {
            let other = parse_id::<i64>(other)?;
            let old = policies::get_version(app.store.as_ref(), &actor, id, other).await?;
            Some((other, line_diff(&old.body, &version.body)))
        }
    };
    let html = to_safe_html(&version.body);
    Ok(VersionPage { chrome: chrome.at("policies"), policy_id: id, version, html, diff }.into_response())
}

/// Takes one step of a version's life (the route says which).
pub async fn step(
    app: AppState,
    chrome: Chrome,
    id: String,
    number: String,
    step: Transition,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let (id, number) = (parse_id::<PolicyId>(&id)?, parse_id::<i64>(&number)?);
    // A step that does not fit the version's state answers 422 with the reason.
    policies::transition(app.store.as_ref(), &actor, app.now(), id, number, step).await?;
    Ok(Redirect::to(&format!("/policies/{id}?done=saved")).into_response())
}

macro_rules! step_handler {
    ($name:ident, $step:expr) => {
        pub async fn $name(
            State(app): State<AppState>,
            chrome: Chrome,
            Path((id, number)): Path<(String, String)>,
        ) -> Result<Response, HtmlError> {
            step(app, chrome, id, number, $step).await
        }
    };
}
step_handler!(submit, Transition::Submit);
step_handler!(ratify, Transition::Ratify);
step_handler!(send_back, Transition::SendBack);

/// Publishes a ratified version, with the publisher's choice whether everyone signs it again.
pub async fn publish(
    State(app): State<AppState>,
    chrome: Chrome,
    Path((id, number)): Path<(String, String)>,
    Form(input): Form<policies::PublishInput>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let (id, number) = (parse_id::<PolicyId>(&id)?, parse_id::<i64>(&number)?);
    match policies::publish(app.store.as_ref(), &actor, app.now(), id, number, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/policies/{id}?done=saved")).into_response()),
        Err(e) => {
            // The form again, with the date typed and why it was refused.
            let errors = form_errors(e)?;
            let page = detail_page(&app, chrome, id, input.due_date, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "policies/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    input: PolicyInput,
    errors: Errors,
    parent_options: Options,
    people_options: Vec<bulwark_core::pick::PickOption>,
}

async fn form_page(
    app: &AppState,
    chrome: Chrome,
    (heading, action, cancel): (String, String, String),
    input: PolicyInput,
    errors: Errors,
) -> Result<FormPage, HtmlError> {
    let actor = chrome.actor()?;
    let all = policies::list(app.store.as_ref(), &actor, &LIST.first_page(bulwark_core::list::MAX_LIMIT)).await?;
    let people_options = bulwark_core::pick::people_options(app.store.as_ref(), &actor).await?;
    let parent_options = std::iter::once((String::new(), "None (a top-level policy)".to_string()))
        .chain(all.items.into_iter().map(|p| (p.id.to_string(), p.title)))
        .collect();
    Ok(FormPage {
        chrome: chrome.at("policies"),
        heading,
        action,
        cancel,
        input,
        errors,
        parent_options,
        people_options,
    })
}

pub async fn new_form(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let input = PolicyInput { review_months: "12".into(), ..Default::default() };
    let labels = ("New policy".into(), "/policies/new".into(), "/policies".into());
    Ok(form_page(&app, chrome, labels, input, Errors::none()).await?.into_response())
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(input): Form<PolicyInput>,
) -> Result<Response, HtmlError> {
    match policies::create(app.store.as_ref(), &*chrome.actor()?, app.now(), &input).await {
        Ok(p) => Ok(Redirect::to(&format!("/policies/{}?done=created", p.id)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let labels = ("New policy".into(), "/policies/new".into(), "/policies".into());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(&app, chrome, labels, input, errors).await?)
                .into_response())
        }
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<PolicyId>(&id)?;
    let (policy, versions) = policies::get(app.store.as_ref(), &*chrome.actor()?, id).await?;
    let newest = versions.first();
    let input = PolicyInput {
        title: policy.title.clone(),
        parent_id: policy.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        owner_person_id: match policy.owner_person_id {
            Some(owner) => bulwark_core::pick::person_label(app.store.as_ref(), owner).await?,
            None => String::new(),
        },
        review_months: policy.review_months.to_string(),
        public: policy.public,
        body: newest.map(|v| v.body.clone()).unwrap_or_default(),
        change_note: newest
            .filter(|v| v.status == VersionStatus::Draft)
            .map(|v| v.change_note.clone())
            .unwrap_or_default(),
        version: Some(version_of(policy.updated_at)),
    };
    let labels = (format!("Edit {}", policy.title), format!("/policies/{id}/edit"), format!("/policies/{id}"));
    Ok(form_page(&app, chrome, labels, input, Errors::none()).await?.into_response())
}

pub async fn update(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(mut input): Form<PolicyInput>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<PolicyId>(&id)?;
    let actor = chrome.actor()?;
    match policies::update(app.store.as_ref(), &actor, app.now(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/policies/{id}?done=saved")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            // What was typed stays; saving again is now based on the current version.
            let (current, _) = policies::get(app.store.as_ref(), &actor, id).await?;
            input.version = Some(version_of(current.updated_at));
            let labels = ("Edit policy".into(), format!("/policies/{id}/edit"), format!("/policies/{id}"));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(&app, chrome, labels, input, errors).await?)
                .into_response())
        }
    }
}
