//! My profile: password change and my API tokens (created, shown once, revoked).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::identity::accounts::{self, ApiToken, NewTokenInput, TOKENS};
use bulwark_core::ids::TokenId;
use serde::Deserialize;

use super::listing::{Pager, SortForm};
use super::{Chrome, Errors, form_errors, short_time};
use crate::AppState;
use crate::error::HtmlError;
use crate::export::Format;

pub struct TokenRow {
    pub(super) id: TokenId,
    pub(super) name: String,
    pub(super) prefix: String,
    pub(super) created: String,
    pub(super) expires: String,
    pub(super) last_used: String,
    pub(super) live: bool,
    pub(super) state: &'static str,
}

impl From<ApiToken> for TokenRow {
    fn from(t: ApiToken) -> Self {
        let live = t.is_usable(bulwark_core::time_util::now());
        TokenRow {
            live,
            state: if t.revoked_at.is_some() {
                "revoked"
            } else if live {
                "active"
            } else {
                "expired"
            },
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: short_time(&t.created_at),
            expires: t.expires_at.as_ref().map(short_time).unwrap_or_else(|| "never".into()),
            last_used: t.last_used_at.as_ref().map(short_time).unwrap_or_else(|| "never".into()),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_days: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "profile/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    name: String,
    email: String,
    roles: String,
    tokens: Vec<TokenRow>,
    pager: Pager,
    /// Where a token's revoke form posts: this prefix, the token id, then `/revoke`.
    revoke_prefix: String,
    can_revoke: bool,
    new_token: Option<String>,
    token_input: TokenForm,
    token_errors: Errors,
    password_errors: Errors,
    mfa: bulwark_core::identity::mfa::MfaStatus,
    mfa_since: Option<String>,
}

async fn page(
    app: &AppState,
    chrome: Chrome,
    new_token: Option<String>,
    token_input: TokenForm,
    token_errors: Errors,
    password_errors: Errors,
    sort: &SortForm,
) -> Result<ProfilePage, HtmlError> {
    let actor = chrome.actor()?;
    let (account, tokens) = accounts::own_account(app.store.as_ref(), &actor, &sort.query(&TOKENS)?).await?;
    let mfa = bulwark_core::identity::mfa::status(app.store.as_ref(), &account, &app.config.mfa).await?;
    Ok(ProfilePage {
        mfa_since: mfa.enabled_at.as_ref().map(short_time),
        mfa,
        name: account.name,
        email: account.email,
        roles: account.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", "),
        pager: sort.pager("/profile".into(), "/profile/tokens".into(), &TOKENS, &tokens),
        tokens: tokens.items.into_iter().map(TokenRow::from).collect(),
        revoke_prefix: "/profile/tokens/".into(),
        can_revoke: true,
        chrome: chrome.at("profile"),
        new_token,
        token_input,
        token_errors,
        password_errors,
    })
}

pub async fn profile(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(sort): Query<SortForm>,
) -> Result<Response, HtmlError> {
    Ok(page(&app, chrome, None, TokenForm::default(), Errors::none(), Errors::none(), &sort).await?.into_response())
}

/// Every one of my tokens, as CSV or JSON (from the path).
pub async fn tokens_export(
    State(app): State<AppState>,
    chrome: Chrome,
    Query(sort): Query<SortForm>,
    format: Format,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let account = actor.account_id.ok_or_else(HtmlError::not_found)?;
    Ok(super::listing::export_tokens(&app, actor, account, sort.query(&TOKENS)?, format))
}

pub async fn create_token(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(form): Form<TokenForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let input = NewTokenInput { name: form.name.clone(), expires_days: Some(form.expires_days.clone()) };
    match accounts::create_token(app.store.as_ref(), &actor, app.now(), &input).await {
        Ok((_, secret)) => {
            let mut res = page(
                &app,
                chrome,
                Some(secret.0),
                TokenForm::default(),
                Errors::none(),
                Errors::none(),
                &SortForm::default(),
            )
            .await?
            .into_response();
            res.headers_mut()
                .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            Ok(res)
        }
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&app, chrome, None, form, errors, Errors::none(), &SortForm::default()).await?,
            )
                .into_response())
        }
    }
}

pub async fn revoke_token(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id: TokenId = super::parse_id(&id)?;
    accounts::revoke_token(app.store.as_ref(), &actor, app.now(), id).await?;
    Ok(Redirect::to("/profile?done=revoked").into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(form): Form<PasswordForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    match accounts::change_password(app.store.as_ref(), &actor, app.now(), &form.current, &form.password, &form.confirm)
        .await
    {
        Ok(()) => Ok(Redirect::to("/login?done=password").into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&app, chrome, None, TokenForm::default(), Errors::none(), errors, &SortForm::default()).await?,
            )
                .into_response())
        }
    }
}
