//! Approval requests: the list of those the signed-in person may see (pending first, or all),
//! and one request with its decisions and, for someone who may decide it, the approve /
//! reject form with a comment.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use bulwark_core::approvals::{self, Approval, Decision};
use bulwark_core::{CoreError, FieldError};
use serde::Deserialize;

use super::{Chrome, Errors, form_errors};
use crate::AppState;
use crate::error::HtmlError;

#[derive(Template, WebTemplate)]
#[template(path = "approvals/list.html")]
struct ListView {
    chrome: Chrome,
    items: Vec<Approval>,
    all: bool,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    all: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(params): Query<ListParams>,
) -> Result<Response, HtmlError> {
    let all = params.all.is_some_and(|v| v == "yes");
    let items = approvals::list(app.store.as_ref(), &*chrome.actor()?, all, 200).await?;
    Ok(ListView { chrome: chrome.at("approvals"), items, all }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "approvals/detail.html")]
struct DetailView {
    chrome: Chrome,
    approval: Approval,
    decisions: Vec<Decision>,
    can_decide: bool,
    comment: String,
    errors: Errors,
    /// For a policy version: its number and text, and the changes from the published one.
    policy: Option<PolicyUnderDecision>,
}

/// The record a ratifier decides on, shown beside the decision.
struct PolicyUnderDecision {
    number: i64,
    html: String,
    /// (published version, lines) when a version is published already.
    diff: Option<(i64, Vec<crate::markdown::DiffLine>)>,
}

async fn view(
    app: &AppState,
    chrome: Chrome,
    id: &str,
    comment: String,
    errors: Errors,
) -> Result<DetailView, HtmlError> {
    let actor = chrome.actor()?;
    let (approval, decisions) = approvals::get(app.store.as_ref(), &actor, id).await?;
    let decided_already = decisions.iter().any(|d| match (d.decided_by_person, actor.person_id) {
        (Some(theirs), Some(me)) => theirs == me,
        _ => d.decided_by == actor.label,
    });
    let can_decide = approval.can_decide(&actor) && !decided_already;
    let policy = if approval.subject_type == bulwark_core::policies::RATIFICATION {
        let (asked, published) =
            bulwark_core::policies::under_ratification(app.store.as_ref(), &actor, &approval.subject_id).await?;
        Some(PolicyUnderDecision {
            number: asked.number,
            html: crate::markdown::to_safe_html(&asked.body),
            diff: published.map(|p| (p.number, crate::markdown::line_diff(&p.body, &asked.body))),
        })
    } else {
        None
    };
    Ok(DetailView { chrome: chrome.at("approvals"), approval, decisions, can_decide, comment, errors, policy })
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    Ok(view(&app, chrome, &id, String::new(), Errors::none()).await?.into_response())
}

#[derive(Deserialize)]
pub struct DecisionForm {
    /// "approve" or "reject" (the button pressed).
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn decide(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, HtmlError> {
    let result = match form.decision.as_str() {
        "approve" | "reject" => {
            let approve = form.decision == "approve";
            approvals::decide(app.store.as_ref(), &*chrome.actor()?, app.now(), &id, approve, &form.comment).await
        }
        _ => Err(CoreError::invalid("decision", "must be approve or reject")),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/approvals/{id}?done=decided")).into_response()),
        Err(e) => {
            // What is wrong with the request itself (already decided, four eyes) heads the form.
            let errors = match e {
                CoreError::Invalid(fields) => Errors::from(
                    fields
                        .into_iter()
                        .map(|f| match f.field.as_str() {
                            "comment" => f,
                            _ => FieldError::new("form", format!("This request {}.", f.message)),
                        })
                        .collect::<Vec<_>>(),
                ),
                other => form_errors(other)?,
            };
            let page = view(&app, chrome, &id, form.comment, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
