//! The SCIM provisioning page for admins: the endpoint to give the identity provider, the
//! SCIM tokens (never their secrets), creating one (its secret shown once) and revoking one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use bulwark_core::identity::scim::{ScimToken, tokens};
use bulwark_core::ids::TokenId;
use serde::Deserialize;

use super::{Chrome, Errors, form_errors};
use crate::AppState;
use crate::error::HtmlError;

#[derive(Template, WebTemplate)]
#[template(path = "scim/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    base_url: String,
    tokens: Vec<ScimToken>,
    new_token: Option<String>,
    token_name: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
pub struct NewToken {
    #[serde(default)]
    name: String,
}

async fn view(
    app: &AppState,
    chrome: Chrome,
    new_token: Option<String>,
    name: String,
    errors: Errors,
) -> Result<TokensPage, HtmlError> {
    let tokens = tokens::list(app.store.as_ref(), &*chrome.actor()?).await?;
    Ok(TokensPage {
        chrome: chrome.at("scim"),
        base_url: format!("{}/scim/v2", app.config.public_url),
        tokens,
        new_token,
        token_name: name,
        errors,
    })
}

pub async fn page(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    Ok(view(&app, chrome, None, String::new(), Errors::none()).await?.into_response())
}

/// Creates a token and shows its secret on this answer only (never stored in clear).
pub async fn create(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(f): Form<NewToken>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    match tokens::create(app.store.as_ref(), &actor, app.now(), &f.name).await {
        Ok((_, secret)) => Ok(view(&app, chrome, Some(secret.0), String::new(), Errors::none()).await?.into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, view(&app, chrome, None, f.name, errors).await?).into_response())
        }
    }
}

pub async fn revoke(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let id: TokenId = id.parse().map_err(|_| HtmlError::not_found())?;
    tokens::revoke(app.store.as_ref(), &*chrome.actor()?, app.now(), id).await?;
    Ok(Redirect::to("/scim-tokens?done=revoked").into_response())
}
