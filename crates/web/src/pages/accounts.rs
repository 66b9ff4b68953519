//! Account pages: list, create (with a one-time set-password link), roles and status, resets.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use bulwark_core::identity::accounts::{self, Account, AccountUpdateInput, NewAccountInput, TOKENS};
use bulwark_core::ids::AccountId;
use bulwark_core::version::version_of;
use bulwark_core::{Permission, Role};
use serde::Deserialize;

use super::listing::{Pager, SortForm};
use super::{Chrome, Errors, HistoryItem, Options, form_errors, history, parse_id};
use crate::AppState;
use crate::api::accounts::{AccountParams, set_password_url};
use crate::error::HtmlError;
use crate::export::{Download, Format, stream_records};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/list.html")]
struct ListPage {
    chrome: Chrome,
    page: bulwark_core::list::ListPage<Account>,
    q: String,
    /// The query without the cursor: the first page.
    first: String,
    /// The search, for the export links.
    export_query: String,
    next: Option<String>,
    after: String,
    can_manage: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
}

pub async fn list(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(lq): Query<ListQuery>,
) -> Result<Response, HtmlError> {
    let params = AccountParams { q: Some(lq.q.clone()), after: Some(lq.after.clone()), ..Default::default() };
    let query = accounts::LIST.parse(&params.raw())?;
    let page = accounts::list_accounts(app.store.as_ref(), &*chrome.actor()?, &query).await?;
    let base = params.query_without_after();
    Ok(ListPage {
        next: page.next.as_ref().map(|c| crate::api::cursor_url("/accounts", &base, c)),
        first: format!("/accounts?{base}"),
        export_query: base.clone(),
        page,
        q: lq.q,
        after: lq.after,
        can_manage: chrome.can(Permission::ManageAccounts),
        chrome: chrome.at("accounts"),
    }
    .into_response())
}

/// Every account the search matches, as CSV or JSON (from the path).
pub async fn export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(lq): Query<ListQuery>,
    format: Format,
) -> Result<Response, HtmlError> {
    let params = AccountParams { q: Some(lq.q), ..Default::default() };
    let query = accounts::LIST.parse(&params.raw())?;
    let list = |store: std::sync::Arc<dyn bulwark_core::Store>, actor: std::sync::Arc<bulwark_core::Actor>, q| async move {
        accounts::list_accounts(store.as_ref(), &actor, &q).await
    };
    let download = Download { format, stem: "accounts", columns: accounts::LIST.columns };
    Ok(stream_records((app.store.clone(), chrome.actor()?), download, query, list, Account::export_row))
}

fn role_choices(selected: &[String]) -> Vec<(Role, bool)> {
    Role::ALL.iter().map(|r| (*r, selected.iter().any(|s| s == r.as_str()))).collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/new.html")]
struct NewPage {
    chrome: Chrome,
    email: String,
    person_name: String,
    role_choices: Vec<(Role, bool)>,
    errors: Errors,
}

#[derive(Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    roles: Vec<String>,
}

pub async fn new_form(chrome: Chrome) -> Response {
    NewPage {
        chrome: chrome.at("accounts"),
        email: String::new(),
        person_name: String::new(),
        role_choices: role_choices(&["employee".into()]),
        errors: Errors::none(),
    }
    .into_response()
}

pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(form): Form<NewForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let input = NewAccountInput {
        email: form.email.clone(),
        name: form.name.clone(),
        roles: form.roles.clone(),
        ..Default::default()
    };
    match accounts::create_account(app.store.as_ref(), &actor, app.now(), &input).await {
        Ok((account, link)) => {
            let link = link.map(|s| set_password_url(&app, &s.0));
            Ok(detail_page(&app, chrome, account, link, None, Errors::none(), &SortForm::default())
                .await?
                .into_response())
        }
        Err(e) => {
            let errors = form_errors(e)?;
            let page = NewPage {
                chrome: chrome.at("accounts"),
                role_choices: role_choices(&form.roles),
                email: form.email,
                person_name: form.name,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/detail.html")]
struct DetailPage {
    chrome: Chrome,
    account: Account,
    reset_link: Option<String>,
    role_choices: Vec<(Role, bool)>,
    status: String,
    status_options: Options,
    errors: Errors,
    history: Vec<HistoryItem>,
    tokens: Vec<super::profile::TokenRow>,
    pager: Pager,
    revoke_prefix: String,
    can_revoke: bool,
    can_manage: bool,
    can_see_history: bool,
    /// The version the update form is based on.
    version: String,
    mfa: bulwark_core::identity::mfa::MfaStatus,
}

async fn detail_page(
    app: &AppState,
    chrome: Chrome,
    account: Account,
    reset_link: Option<String>,
    typed: Option<UpdateForm>,
    errors: Errors,
    sort: &SortForm,
) -> Result<DetailPage, HtmlError> {
    let (roles, status) = match typed {
        Some(f) => (f.roles, f.status),
        None => (account.roles.iter().map(|r| r.as_str().to_string()).collect(), account.status.as_str().to_string()),
    };
    let (history, can_see_history) = history(app, &chrome, "account", &account.id.to_string()).await?;
    let tokens =
        accounts::list_tokens(app.store.as_ref(), &*chrome.actor()?, account.id, &sort.query(&TOKENS)?).await?;
    let path = format!("/accounts/{}", account.id);
    let mfa = bulwark_core::identity::mfa::status(app.store.as_ref(), &account, &app.config.mfa).await?;
    Ok(DetailPage {
        mfa,
        history,
        version: version_of(account.updated_at),
        pager: sort.pager(path.clone(), format!("{path}/tokens"), &TOKENS, &tokens),
        tokens: tokens.items.into_iter().map(Into::into).collect(),
        revoke_prefix: format!("/accounts/{}/tokens/", account.id),
        can_revoke: chrome.can(Permission::ManageAccounts),
        role_choices: role_choices(&roles),
        status,
        status_options: vec![
            ("active".into(), "Active".into()),
            ("disabled".into(), "Disabled (cannot sign in)".into()),
        ],
        can_manage: chrome.can(Permission::ManageAccounts),
        can_see_history,
        chrome: chrome.at("accounts"),
        account,
        reset_link,
        errors,
    })
}

pub async fn detail(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Query(sort): Query<SortForm>,
) -> Result<Response, HtmlError> {
    let account = accounts::get_account(app.store.as_ref(), &*chrome.actor()?, parse_id::<AccountId>(&id)?).await?;
    Ok(detail_page(&app, chrome, account, None, None, Errors::none(), &sort).await?.into_response())
}

/// Every token of the account, as CSV or JSON (from the path).
pub async fn tokens_export(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Query(sort): Query<SortForm>,
    format: Format,
) -> Result<Response, HtmlError> {
    let account = parse_id::<AccountId>(&id)?;
    Ok(super::listing::export_tokens(&app, chrome.actor()?, account, sort.query(&TOKENS)?, format))
}

#[derive(Deserialize, Default)]
pub struct UpdateForm {
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    version: Option<String>,
}

pub async fn update(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<UpdateForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id = parse_id::<AccountId>(&id)?;
    let input =
        AccountUpdateInput { roles: form.roles.clone(), status: form.status.clone(), version: form.version.clone() };
    match accounts::update_account(app.store.as_ref(), &actor, app.now(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{id}?done=saved")).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            let account = accounts::get_account(app.store.as_ref(), &actor, id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                detail_page(&app, chrome, account, None, Some(form), errors, &SortForm::default()).await?,
            )
                .into_response())
        }
    }
}

pub async fn reset(State(app): State<AppState>, chrome: Chrome, Path(id): Path<String>) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id = parse_id::<AccountId>(&id)?;
    let secret = accounts::issue_password_reset(app.store.as_ref(), &actor, app.now(), id).await?;
    let account = accounts::get_account(app.store.as_ref(), &actor, id).await?;
    let link = Some(set_password_url(&app, &secret.0));
    Ok(detail_page(&app, chrome, account, link, None, Errors::none(), &SortForm::default()).await?.into_response())
}

/// Revokes one of the account's API tokens (e.g. one that leaked).
pub async fn revoke_token(
    State(app): State<AppState>,
    chrome: Chrome,
    Path((id, token_id)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id = parse_id::<AccountId>(&id)?;
    let token_id = parse_id(&token_id)?;
    accounts::revoke_token_of(app.store.as_ref(), &actor, app.now(), Some(id), token_id).await?;
    Ok(Redirect::to(&format!("/accounts/{id}?done=revoked")).into_response())
}
