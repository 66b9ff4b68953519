//! Key inventory pages: the list with weak keys and rotation dates, detail with history,
//! create and edit forms, recording a rotation, and revoking with a reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::Permission;
use bulwark_core::ids::KeyId;
use bulwark_core::keys::{self, CryptoKey, KeyInput, KeyStatus};
use bulwark_core::version::version_of;
use serde::Deserialize;

use super::{Chrome, Errors, HistoryItem, Options, choices, form_errors, history, parse_id};
use crate::AppState;
use crate::api::keys::{KeyParams, keys_export};
use crate::error::HtmlError;
use crate::export::Format;

#[derive(Template, WebTemplate)]
#[template(path = "keys/list.html")]
struct ListPage {
    chrome: Chrome,
    page: bulwark_core::list::ListPage<CryptoKey>,
    query: String,
    next: Option<String>,
    f: KeyParams,
    statuses: Options,
    sorts: &'static [bulwark_core::list::SortSpec],
    today: time::Date,
    can_manage: bool,
    errors: Errors,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<KeyParams>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let (page, errors) = match keys::LIST.parse(&f.raw()) {
        Ok(query) => (keys::list(app.store.as_ref(), &actor, &query).await?, Errors::none()),
        Err(e) => (keys::list(app.store.as_ref(), &actor, &keys::LIST.first_page(50)).await?, form_errors(e)?),
    };
    let query = f.query_without_after();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body = ListPage {
        next: page.next.as_ref().map(|c| crate::api::cursor_url("/keys", &query, c)),
        query,
        page,
        statuses: choices(KeyStatus::ALL, KeyStatus::as_str, KeyStatus::label),
        sorts: keys::LIST.sorts,
        today: app.now().date(),
        can_manage: chrome.can(Permission::ManageAssets),
        chrome: chrome.at("keys"),
        f,
        errors,
    };
    Ok((status, body).into_response())
}

pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(f): Query<KeyParams>,
    format: Format,
) -> Result<Response, HtmlError> {
    let query = keys::LIST.parse(&f.raw())?;
    Ok(keys_export(&app, chrome.actor()?, query, format))
}

#[derive(Template, WebTemplate)]
#[template(path = "keys/detail.html")]
struct DetailPage {
    chrome: Chrome,
    key: CryptoKey,
    today: time::Date,
    history: Vec<HistoryItem>,
    can_manage: bool,
    /// The owner records rotations (their task) without managing the inventory.
    can_rotate: bool,
    can_see_people: bool,
    can_see_history: bool,
    reason: String,
    errors: Errors,
}

async fn detail_page(
    app: &AppState,
    chrome: Chrome,
    id: KeyId,
    reason: String,
    errors: Errors,
) -> Result<DetailPage, HtmlError> {
    let actor = chrome.actor()?;
    let key = keys::get(app.store.as_ref(), &actor, id).await?;
    let (history, can_see_history) = history(app, &chrome, "key", &key.id.to_string()).await?;
    Ok(DetailPage {
        history,
        can_see_history,
        today: app.now().date(),
        can_manage: chrome.can(Permission::ManageAssets),
        can_rotate: chrome.can(Permission::ManageAssets) || keys::owns(&actor, &key),
        can_see_people: chrome.can(Permission::ViewDirectory),
        chrome: chrome.at("keys"),
        key,
        reason,
        errors,
    })
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    Ok(detail_page(&app, chrome, parse_id(&id)?, String::new(), Errors::none()).await?.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "keys/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    input: KeyInput,
    errors: Errors,
}

fn form_page(
    chrome: Chrome,
    (heading, action, cancel): (String, String, String),
    input: KeyInput,
    errors: Errors,
) -> FormPage {
    FormPage { chrome: chrome.at("keys"), heading, action, cancel, input, errors }
}

fn new_labels() -> (String, String, String) {
    ("Add a key".into(), "/keys/new".into(), "/keys".into())
}

pub async fn new_form(chrome: Chrome) -> Response {
    form_page(chrome, new_labels(), KeyInput { status: "active".into(), ..Default::default() }, Errors::none())
        .into_response()
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(input): Form<KeyInput>,
) -> Result<Response, HtmlError> {
    match keys::create(app.store.as_ref(), &*chrome.actor()?, app.now(), &input).await {
        Ok(k) => Ok(Redirect::to(&format!("/keys/{}?done=created", k.id)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(chrome, new_labels(), input, errors)).into_response())
        }
    }
}

fn edit_labels(k: &CryptoKey) -> (String, String, String) {
    (format!("Edit {}", k.name), format!("/keys/{}/edit", k.id), format!("/keys/{}", k.id))
}

pub async fn edit_form(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let k = keys::get(app.store.as_ref(), &*chrome.actor()?, parse_id::<KeyId>(&id)?).await?;
    let input = KeyInput {
        name: k.name.clone(),
        purpose: k.purpose.clone(),
        algorithm: k.algorithm.clone(),
        size_bits: k.size_bits.map(|s| s.to_string()).unwrap_or_default(),
        owner_id: k.owner_id.map(|p| p.to_string()).unwrap_or_default(),
        location: k.location.clone(),
        fingerprint: k.fingerprint.clone(),
        created_on: k.created_on.to_string(),
        rotation_days: k.rotation_days.map(|d| d.to_string()).unwrap_or_default(),
        status: k.status.as_str().into(),
        version: Some(version_of(k.updated_at)),
    };
    Ok(form_page(chrome, edit_labels(&k), input, Errors::none()).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(input): Form<KeyInput>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id = parse_id::<KeyId>(&id)?;
    match keys::update(app.store.as_ref(), &actor, app.now(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/keys/{id}?done=saved")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let current = keys::get(app.store.as_ref(), &actor, id).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(chrome, edit_labels(&current), input, errors))
                .into_response())
        }
    }
}

pub async fn rotated(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<KeyId>(&id)?;
    keys::record_rotation(app.store.as_ref(), &*chrome.actor()?, app.now(), id).await?;
    Ok(Redirect::to(&format!("/keys/{id}?done=rotated")).into_response())
}

#[derive(Deserialize, Default)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
}

pub async fn revoke(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, HtmlError> {
    let id = parse_id::<KeyId>(&id)?;
    match keys::revoke(app.store.as_ref(), &*chrome.actor()?, app.now(), id, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/keys/{id}?done=key-revoked")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let page = detail_page(&app, chrome, id, form.reason, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
