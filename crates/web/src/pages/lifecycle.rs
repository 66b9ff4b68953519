//! Lifecycle pages: onboarding facts recorded on a person's page, and the offboarding
//! checklist (assets returned, accounts de-registered, closed when nothing is outstanding).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::Permission;
use bulwark_core::ids::PersonId;
use bulwark_core::organisation::lifecycle::{self, ItemInput, Offboarding, OnboardingInput};
use serde::Deserialize;

use super::{Chrome, Errors, form_errors, parse_id};
use crate::AppState;
use crate::error::HtmlError;

/// `POST /people/{id}/onboarding`: a screening check done, or the terms signed.
pub async fn record(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(input): Form<OnboardingInput>,
) -> Result<Response, HtmlError> {
    let person: PersonId = parse_id(&id)?;
    match lifecycle::record_onboarding(app.store.as_ref(), &*chrome.actor()?, app.now(), person, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{person}?done=saved#lifecycle")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = super::people::detail_page(&app, chrome, person, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub struct StartForm {
    #[serde(default)]
    reason: String,
}

/// `POST /people/{id}/offboarding`: starts it (or opens the one running).
pub async fn start(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<StartForm>,
) -> Result<Response, HtmlError> {
    let person: PersonId = parse_id(&id)?;
    let o =
        lifecycle::start_offboarding(app.store.as_ref(), &*chrome.actor()?, app.now(), person, &form.reason).await?;
    Ok(Redirect::to(&format!("/offboardings/{}", o.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "people/offboarding.html")]
struct OffboardingPage {
    chrome: Chrome,
    o: Offboarding,
    can_manage: bool,
    /// The head of the leaver's department: checks off the assets.
    collects_assets: bool,
    can_see_people: bool,
    can_see_assets: bool,
    errors: Errors,
}

async fn page(app: &AppState, chrome: Chrome, id: &str, errors: Errors) -> Result<OffboardingPage, HtmlError> {
    let actor = chrome.actor()?;
    let o = lifecycle::get(app.store.as_ref(), &actor, id).await?;
    // A manager checks off everything anyway: only anyone else is asked whether they head the
    // leaver's department.
    let can_manage = chrome.can(Permission::ManageDirectory);
    let collects_assets = !can_manage && lifecycle::collects_assets(app.store.as_ref(), &actor, &o).await?;
    Ok(OffboardingPage {
        can_manage,
        collects_assets,
        can_see_people: chrome.can(Permission::ViewDirectory),
        can_see_assets: chrome.can(Permission::ViewAssets),
        chrome: chrome.at("people"),
        o,
        errors,
    })
}

pub async fn show(State(app): State<AppState>, chrome: Chrome, Path(id): Path<String>) -> Result<Response, HtmlError> {
    Ok(page(&app, chrome, &id, Errors::none()).await?.into_response())
}

/// `POST /offboardings/{id}/items/{position}`: an asset returned or an account removed.
pub async fn check_off(
    State(app): State<AppState>,
    chrome: Chrome,
    Path((id, position)): Path<(String, String)>,
    Form(input): Form<ItemInput>,
) -> Result<Response, HtmlError> {
    let position: i64 = parse_id(&position)?;
    match lifecycle::check_off(app.store.as_ref(), &*chrome.actor()?, app.now(), &id, position, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/offboardings/{id}?done=saved")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&app, chrome, &id, errors).await?).into_response())
        }
    }
}

/// `POST /offboardings/{id}/close`: refused while anything is outstanding.
pub async fn close(State(app): State<AppState>, chrome: Chrome, Path(id): Path<String>) -> Result<Response, HtmlError> {
    match lifecycle::close(app.store.as_ref(), &*chrome.actor()?, app.now(), &id).await {
        Ok(o) => Ok(Redirect::to(&format!("/people/{}?done=saved", o.person_id)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::CONFLICT, page(&app, chrome, &id, errors).await?).into_response())
        }
    }
}
