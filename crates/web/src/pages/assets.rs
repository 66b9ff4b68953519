//! Asset pages: the filtered list with exports, detail with history, create and edit forms,
//! and the CSV import (pasted text; every row or none).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::Permission;
use bulwark_core::assets::{self, Asset, AssetInput, AssetKind, AssetStatus, Classification};
use bulwark_core::ids::AssetId;
use bulwark_core::version::version_of;
use serde::Deserialize;

use super::{Chrome, Errors, HistoryItem, Options, choices, form_errors, history, parse_id};
use crate::AppState;
use crate::api::assets::{AssetParams, assets_export};
use crate::error::HtmlError;
use crate::export::Format;

#[derive(Template, WebTemplate)]
#[template(path = "assets/list.html")]
struct ListPage {
    chrome: Chrome,
    page: bulwark_core::list::ListPage<Asset>,
    query: String,
    next: Option<String>,
    f: AssetParams,
    kinds: Options,
    classifications: Options,
    statuses: Options,
    sorts: &'static [bulwark_core::list::SortSpec],
    can_manage: bool,
    errors: Errors,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<AssetParams>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let (page, errors) = match assets::LIST.parse(&f.raw()) {
        Ok(query) => (assets::list(app.store.as_ref(), &actor, &query).await?, Errors::none()),
        Err(e) => {
            let first = assets::list(app.store.as_ref(), &actor, &assets::LIST.first_page(50)).await?;
            (first, form_errors(e)?)
        }
    };
    let query = f.query_without_after();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body = ListPage {
        next: page.next.as_ref().map(|c| crate::api::cursor_url("/assets", &query, c)),
        query,
        page,
        kinds: choices(AssetKind::ALL, AssetKind::as_str, AssetKind::label),
        classifications: choices(Classification::ALL, Classification::as_str, Classification::label),
        statuses: choices(AssetStatus::ALL, AssetStatus::as_str, AssetStatus::label),
        sorts: assets::LIST.sorts,
        can_manage: chrome.can(Permission::ManageAssets),
        chrome: chrome.at("assets"),
        f,
        errors,
    };
    Ok((status, body).into_response())
}

/// Every asset the filter matches, as CSV or JSON (from the path).
pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<AssetParams>,
    format: Format,
) -> Result<Response, HtmlError> {
    let query = assets::LIST.parse(&f.raw())?;
    Ok(assets_export(&app, chrome.actor()?, query, format))
}

#[derive(Template, WebTemplate)]
#[template(path = "assets/detail.html")]
struct DetailPage {
    chrome: Chrome,
    asset: Asset,
    history: Vec<HistoryItem>,
    can_manage: bool,
    can_see_history: bool,
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let asset = assets::get(app.store.as_ref(), &*chrome.actor()?, parse_id::<AssetId>(&id)?).await?;
    let (history, can_see_history) = history(&app, &chrome, "asset", &asset.id.to_string()).await?;
    Ok(DetailPage {
        history,
        can_see_history,
        can_manage: chrome.can(Permission::ManageAssets),
        chrome: chrome.at("assets"),
        asset,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "assets/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    input: AssetInput,
    errors: Errors,
    kinds: Options,
    classifications: Options,
    statuses: Options,
}

fn form_page(
    chrome: Chrome,
    (heading, action, cancel): (String, String, String),
    input: AssetInput,
    errors: Errors,
) -> FormPage {
    FormPage {
        chrome: chrome.at("assets"),
        heading,
        action,
        cancel,
        input,
        errors,
        kinds: choices(AssetKind::ALL, AssetKind::as_str, AssetKind::label),
        classifications: choices(Classification::ALL, Classification::as_str, Classification::label),
        statuses: choices(AssetStatus::ALL, AssetStatus::as_str, AssetStatus::label),
    }
}

fn new_labels() -> (String, String, String) {
    ("Add an asset".into(), "/assets/new".into(), "/assets".into())
}

pub async fn new_form(chrome: Chrome) -> Result<Response, HtmlError> {
    let input = AssetInput {
        kind: "device".into(),
        classification: "internal".into(),
        status: "in-use".into(),
        ..Default::default()
    };
    Ok(form_page(chrome, new_labels(), input, Errors::none()).into_response())
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(input): Form<AssetInput>,
) -> Result<Response, HtmlError> {
    match assets::create(app.store.as_ref(), &*chrome.actor()?, app.now(), &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/assets/{}?done=created", a.id)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = form_page(chrome, new_labels(), input, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn edit_labels(a: &Asset) -> (String, String, String) {
    (format!("Edit {}", a.name), format!("/assets/{}/edit", a.id), format!("/assets/{}", a.id))
}

pub async fn edit_form(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let a = assets::get(app.store.as_ref(), &*chrome.actor()?, parse_id::<AssetId>(&id)?).await?;
    let person = |p: &Option<bulwark_core::assets::PersonRef>| p.as_ref().map(|p| p.email.clone()).unwrap_or_default();
    let input = AssetInput {
        name: a.name.clone(),
        kind: a.kind.as_str().into(),
        classification: a.classification.as_str().into(),
        status: a.status.as_str().into(),
        owner_id: person(&a.names.owner),
        custodian_id: person(&a.names.custodian),
        assigned_to: person(&a.names.assignee),
        identifier: a.identifier.clone(),
        description: a.description.clone(),
        version: Some(version_of(a.updated_at)),
    };
    Ok(form_page(chrome, edit_labels(&a), input, Errors::none()).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(input): Form<AssetInput>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id = parse_id::<AssetId>(&id)?;
    match assets::update(app.store.as_ref(), &actor, app.now(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/assets/{id}?done=saved")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let current = assets::get(app.store.as_ref(), &actor, id).await?;
            // What was typed stays, with the version it was based on: a stale edit is refused
            // again until the person reloads and sees what changed.
            let page = form_page(chrome, edit_labels(&current), input, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "assets/import.html")]
struct ImportPage {
    chrome: Chrome,
    csv: String,
    errors: Errors,
    columns: String,
}

#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default)]
    csv: String,
}

fn import_page(chrome: Chrome, csv: String, errors: Errors) -> ImportPage {
    ImportPage { chrome: chrome.at("assets"), csv, errors, columns: assets::IMPORT_COLUMNS.join(",") }
}

pub async fn import_form(chrome: Chrome) -> Response {
    import_page(chrome, String::new(), Errors::none()).into_response()
}

pub async fn import(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(form): Form<ImportForm>,
) -> Result<Response, HtmlError> {
    match assets::import_csv(app.store.as_ref(), &*chrome.actor()?, app.now(), &form.csv).await {
        Ok(n) => Ok(Redirect::to(&format!("/assets?done=imported&sort=created&dir=desc&n={n}")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, import_page(chrome, form.csv, errors)).into_response())
        }
    }
}
