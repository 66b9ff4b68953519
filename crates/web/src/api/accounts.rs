//! `/api/v1/me`, `/api/v1/accounts` and `/api/v1/tokens`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use bulwark_core::access::Via;
use bulwark_core::identity::accounts::{self, AccountUpdateInput, NewAccountInput, NewTokenInput};
use bulwark_core::ids::{AccountId, TokenId};
use bulwark_core::list::RawListQuery;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::sorted::TokenParams;
use super::{IfMatch, parse_id, with_etag};
use crate::AppState;
use crate::access::{CurrentActor, SessionInfo};
use crate::error::{ApiError, ApiJson, ApiQuery, Problem};
use axum::response::Response;

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = MeView), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(CurrentActor(actor): CurrentActor, session: Option<Extension<SessionInfo>>) -> Json<MeView> {
    Json(MeView {
        account_id: actor.account_id.map(|a| a.to_string()),
        person_id: actor.person_id.map(|p| p.to_string()),
        email: actor.label.clone(),
        roles: actor.roles.iter().map(|r| r.as_str().to_string()).collect(),
        authenticated_via: match actor.via {
            Via::Token => "token",
            _ => "session",
        }
        .into(),
        csrf_token: session.map(|s| s.session.csrf_token.clone()),
    })
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AccountParams {
    /// Text found in the name or e-mail address (any case).
    #[param(max_length = 200, pattern = r"^[^\x00-\x1f\x7f]*$")]
    pub q: Option<String>,
    /// active or disabled
    #[param(value_type = Option<super::dto::AccountStatusName>, inline)]
    pub status: Option<String>,
    /// name (default), email or last_login
    #[param(value_type = Option<AccountSortName>, inline)]
    pub sort: Option<String>,
    /// asc (default) or desc
    #[param(value_type = Option<super::people::SortDirName>, inline)]
    pub dir: Option<String>,
    /// Where the page starts: the cursor from the previous page's `next` link (404 if it is
    /// not one).
    #[param(min_length = 1, max_length = 2000)]
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

/// How to sort accounts.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum AccountSortName {
    Name,
    Email,
    LastLogin,
}

impl AccountParams {
    /// The raw list query, for `accounts::LIST` to check.
    pub fn raw(&self) -> RawListQuery {
        RawListQuery {
            q: self.q.clone(),
            filters: self.status.clone().map(|s| ("status".to_string(), s)).into_iter().collect(),
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            after: self.after.clone(),
            limit: self.per_page,
        }
    }

    /// This query as a URL query string, without the cursor (the base of `next` links).
    pub fn query_without_after(&self) -> String {
        let params = [("q", &self.q), ("status", &self.status), ("sort", &self.sort), ("dir", &self.dir)];
        super::list_query(&params, self.per_page)
    }
}

#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountParams),
    responses((status = 200, description = "A page of accounts; `next` (and the `Link` header) name the next page",
               body = CursorPage<AccountView>)))]
pub async fn list_accounts(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<AccountParams>,
) -> Result<Response, ApiError> {
    super::given_not_empty(&[("status", &p.status), ("sort", &p.sort), ("dir", &p.dir), ("after", &p.after)])?;
    let query = accounts::LIST.parse(&p.raw())?;
    let found = accounts::list_accounts(app.store.as_ref(), &actor, &query).await?;
    Ok(CursorPage::respond(found, AccountView::from, "/api/v1/accounts", &p.query_without_after()))
}

pub fn set_password_url(app: &AppState, secret: &str) -> String {
    format!("{}/set-password/{secret}", app.config.public_url)
}

#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccountBody,
    responses((status = 201, body = NewAccountView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_account(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<NewAccountBody>,
) -> Result<(StatusCode, Json<NewAccountView>), ApiError> {
    let input = NewAccountInput {
        person_id: String::new(),
        email: body.email,
        name: body.name,
        roles: body.roles,
        password: None,
    };
    let (account, link) = accounts::create_account(app.store.as_ref(), &actor, app.now(), &input).await?;
    let url = link.map(|s| set_password_url(&app, &s.0));
    Ok((StatusCode::CREATED, Json(NewAccountView { account: account.into(), set_password_url: url })))
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = AccountView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_account(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: AccountId = parse_id(&id)?;
    let a = accounts::get_account(app.store.as_ref(), &actor, id).await?;
    Ok(with_etag(a.updated_at, AccountView::from(a)))
}

#[utoipa::path(put, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)), request_body = AccountUpdateBody,
    responses((status = 200, body = AccountView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_account(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<AccountUpdateBody>,
) -> Result<Response, ApiError> {
    let id: AccountId = parse_id(&id)?;
    super::given_not_empty(&[("status", &body.status)])?;
    let input = AccountUpdateInput {
        roles: body.roles,
        status: body.status.unwrap_or_default(),
        version: if_match.or(body.version),
    };
    let a = accounts::update_account(app.store.as_ref(), &actor, app.now(), id, &input)
        .await
        .map_err(|e| if_match.fail(e))?;
    Ok(with_etag(a.updated_at, AccountView::from(a)))
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/password-reset", tag = "accounts", params(("id" = String, Path)),
    responses((status = 201, body = PasswordResetView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn reset_password(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<PasswordResetView>), ApiError> {
    let id: AccountId = parse_id(&id)?;
    let secret = accounts::issue_password_reset(app.store.as_ref(), &actor, app.now(), id).await?;
    Ok((StatusCode::CREATED, Json(PasswordResetView { set_password_url: set_password_url(&app, &secret.0) })))
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}/mfa", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, description = "Whether the account has a second factor", body = MfaStatusView),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_account_mfa(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<MfaStatusView>, ApiError> {
    let id: AccountId = parse_id(&id)?;
    let account = accounts::get_account(app.store.as_ref(), &actor, id).await?;
    Ok(Json(bulwark_core::identity::mfa::status(app.store.as_ref(), &account, &app.config.mfa).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/accounts/{id}/mfa", tag = "accounts", params(("id" = String, Path)),
    responses((status = 204, description = "The authenticator and recovery codes are removed and the account's sessions ended"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The account has no authenticator", body = Problem, content_type = "application/problem+json")))]
pub async fn reset_account_mfa(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: AccountId = parse_id(&id)?;
    bulwark_core::identity::mfa::reset(app.store.as_ref(), &actor, app.now(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(TokenParams),
    responses((status = 200, description = "A page of the caller's own tokens; `next` (and the `Link` header) name the next page",
               body = CursorPage<TokenView>)))]
pub async fn list_tokens(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiQuery(p): ApiQuery<TokenParams>,
) -> Result<Response, ApiError> {
    let query = p.checked(&accounts::TOKENS)?;
    let account = actor.account_id.ok_or(bulwark_core::CoreError::Unauthenticated)?;
    let found = accounts::list_tokens(app.store.as_ref(), &actor, account, &query).await?;
    Ok(CursorPage::respond(found, TokenView::from, "/api/v1/tokens", &p.query_without_after()))
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewTokenBody,
    responses((status = 201, description = "The token, shown once", body = NewTokenView),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> Result<(StatusCode, Json<NewTokenView>), ApiError> {
    // JSON has one number type: 30 and 30.0 are the same whole number of days.
    let days = body.expires_days.map(|d| super::whole_number(Some(d)));
    let input = NewTokenInput { name: body.name, expires_days: days };
    let (token, secret) = accounts::create_token(app.store.as_ref(), &actor, app.now(), &input).await?;
    Ok((StatusCode::CREATED, Json(NewTokenView { token: secret.0, details: token.into() })))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = String, Path)),
    responses((status = 200, body = TokenView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(app): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path(id): Path<String>,
) -> Result<Json<TokenView>, ApiError> {
    let id: TokenId = parse_id(&id)?;
    Ok(Json(accounts::revoke_token(app.store.as_ref(), &actor, app.now(), id).await?.into()))
}
