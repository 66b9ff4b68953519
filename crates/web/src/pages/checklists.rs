//! Checklist pages: the templates (list, new, one with its items) for the security team, and
//! the page where a person answers a checklist campaign — reached through the campaign's
//! task, at the same address as signing an acknowledgment campaign.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use bulwark_core::Permission;
use bulwark_core::ids::{CampaignId, ChecklistId};
use bulwark_core::list::ListPage;
use bulwark_core::policies::checklists::{self, AnswerSheet, AnswerValue, Checklist, ChecklistInput, RawAnswer};
use serde::Deserialize;

use super::listing::{Pager, SortForm};
use super::{Chrome, Errors, form_errors, parse_id};
use crate::AppState;
use crate::error::HtmlError;
use crate::export::{Download, Format, stream_records};
use std::sync::Arc;

#[derive(Template, WebTemplate)]
#[template(path = "checklists/list.html")]
struct ListView {
    chrome: Chrome,
    page: ListPage<Checklist>,
    pager: Pager,
    can_manage: bool,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(sort): Query<SortForm>,
) -> Result<Response, HtmlError> {
    let page = checklists::list(app.store.as_ref(), &*chrome.actor()?, &sort.query(&checklists::LIST)?).await?;
    Ok(ListView {
        pager: sort.pager("/checklists".into(), "/checklists".into(), &checklists::LIST, &page),
        page,
        can_manage: chrome.can(Permission::ManageCampaigns),
        chrome: chrome.at("campaigns"),
    }
    .into_response())
}

/// Every checklist, as CSV or JSON (from the path).
pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(sort): Query<SortForm>,
    format: Format,
) -> Result<Response, HtmlError> {
    let list = |store: Arc<dyn bulwark_core::Store>, actor: Arc<bulwark_core::Actor>, q| async move {
        checklists::list(store.as_ref(), &actor, &q).await
    };
    let download = Download { format, stem: "checklists", columns: checklists::LIST.columns };
    let query = sort.query(&checklists::LIST)?;
    Ok(stream_records((app.store.clone(), chrome.actor()?), download, query, list, Checklist::export_row))
}

/// The new-checklist form as typed.
#[derive(Deserialize, Default)]
pub struct ChecklistForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    follow_up_days: String,
    /// One item per line; "text | guidance".
    #[serde(default)]
    items: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "checklists/new.html")]
struct NewView {
    chrome: Chrome,
    input: ChecklistForm,
    errors: Errors,
}

pub async fn new_form(chrome: Chrome) -> Result<Response, HtmlError> {
    let input = ChecklistForm { follow_up_days: "14".into(), ..Default::default() };
    Ok(NewView { chrome: chrome.at("campaigns"), input, errors: Errors::none() }.into_response())
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(f): Form<ChecklistForm>,
) -> Result<Response, HtmlError> {
    let input = ChecklistInput {
        title: f.title.clone(),
        description: f.description.clone(),
        follow_up_days: f.follow_up_days.clone(),
        items: vec![f.items.clone()],
    };
    match checklists::create(app.store.as_ref(), &*chrome.actor()?, app.now(), &input).await {
        Ok(k) => Ok(Redirect::to(&format!("/checklists/{}?done=created", k.id)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = NewView { chrome: chrome.at("campaigns"), input: f, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "checklists/detail.html")]
struct DetailView {
    chrome: Chrome,
    checklist: Checklist,
    can_manage: bool,
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let checklist = checklists::get(app.store.as_ref(), &*chrome.actor()?, parse_id::<ChecklistId>(&id)?).await?;
    let can_manage = chrome.can(Permission::ManageCampaigns);
    Ok(DetailView { chrome: chrome.at("campaigns"), checklist, can_manage }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "checklists/answer.html")]
pub(super) struct AnswerView {
    chrome: Chrome,
    sheet: AnswerSheet,
    /// What the form shows per item: (answer, comment) — the stored answers, or what was typed.
    shown: Vec<(String, String)>,
    completed: bool,
    errors: Errors,
    choices: [AnswerValue; 3],
}

/// The checklist of a campaign as the signed-in person answers it; `typed` replaces the
/// stored answers when a submission is shown again.
pub(super) async fn answer_view(
    app: &AppState,
    chrome: Chrome,
    id: CampaignId,
    typed: Option<Vec<RawAnswer>>,
    errors: Errors,
) -> Result<AnswerView, HtmlError> {
    let sheet = checklists::sheet(app.store.as_ref(), &*chrome.actor()?, id).await?;
    let shown = sheet
        .checklist
        .items
        .iter()
        .map(|item| match &typed {
            Some(raw) => raw
                .iter()
                .find(|r| r.position == item.position)
                .map(|r| (r.value.clone(), r.comment.clone()))
                .unwrap_or_default(),
            None => sheet
                .answers
                .iter()
                .find(|a| a.position == item.position)
                .map(|a| (a.value.as_str().to_string(), a.comment.clone()))
                .unwrap_or_default(),
        })
        .collect();
    let completed = !sheet.answers.is_empty();
    Ok(AnswerView {
        chrome: chrome.at("tasks"),
        sheet,
        shown,
        completed,
        errors,
        choices: [AnswerValue::Yes, AnswerValue::No, AnswerValue::Na],
    })
}

/// Reads `answer_N` / `comment_N` pairs of the answer form.
pub(super) fn raw_answers(fields: &[(String, String)]) -> Vec<RawAnswer> {
    let mut raw: Vec<RawAnswer> = Vec::new();
    for (name, value) in fields {
        let (kind, position) = match name.split_once('_') {
            Some((kind @ ("answer" | "comment"), n)) => match n.parse::<i64>() {
                Ok(p) if (1..=1000).contains(&p) => (kind, p),
                _ => continue,
            },
            _ => continue,
        };
        let index = match raw.iter().position(|r| r.position == position) {
            Some(i) => i,
            None => {
                raw.push(RawAnswer { position, ..Default::default() });
                raw.len() - 1
            }
        };
        if kind == "answer" {
            raw[index].value = value.clone();
        } else {
            raw[index].comment = value.clone();
        }
    }
    raw
}

/// Saves the signed-in person's answers; shows the form again with what was typed on error.
pub(super) async fn answer(
    app: &AppState,
    chrome: Chrome,
    id: CampaignId,
    fields: &[(String, String)],
) -> Result<Response, HtmlError> {
    let raw = raw_answers(fields);
    match checklists::answer(app.store.as_ref(), &*chrome.actor()?, app.now(), id, &raw).await {
        Ok(()) => Ok(Redirect::to("/tasks?done=answered").into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = answer_view(app, chrome, id, Some(raw), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
