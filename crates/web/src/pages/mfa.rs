//! Two-factor pages: the code asked for at sign-in, setting up an authenticator (QR code
//! rendered here, recovery codes shown once), new recovery codes, turning it off, an admin's
//! reset of someone's authenticator, and re-authentication before sensitive actions.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use base64::Engine;
use bulwark_core::identity::mfa::{self, SessionStage};
use bulwark_core::ids::AccountId;
use bulwark_core::throttle::{self, Limit, SignInSource};
use serde::Deserialize;

use super::auth::{ClientAddr, safe_next, with_session_cookie};
use super::{Chrome, Errors, form_errors, parse_id};
use crate::AppState;
use crate::access::SessionInfo;
use crate::error::HtmlError;

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Wrong codes are limited per account (the password was right, so the guesser knows it).
fn code_limits(session: &SessionInfo) -> Vec<Limit> {
    vec![Limit { key: format!("mfa:{}", session.session.account_id), max: 10, window: time::Duration::minutes(15) }]
}

fn code_error(message: &str) -> Errors {
    vec![bulwark_core::FieldError::new("code", message)].into()
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/code.html")]
struct CodePage {
    chrome: Chrome,
    next: String,
    errors: Errors,
}

pub async fn code_form(chrome: Chrome, session: SessionInfo, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(&q.next);
    if session.session.stage != SessionStage::Code {
        return Redirect::to(&next).into_response();
    }
    CodePage { chrome, next, errors: Errors::none() }.into_response()
}

pub async fn code_submit(
    State(app): State<AppState>,
    jar: CookieJar,
    chrome: Chrome,
    session: SessionInfo,
    Form(form): Form<CodeForm>,
) -> Result<Response, HtmlError> {
    let next = safe_next(&form.next);
    let limits = code_limits(&session);
    let Some(slot) = throttle::take(app.store.as_ref(), app.now(), &limits).await? else {
        tracing::warn!("second-factor codes throttled");
        let errors = code_error("has been wrong too often; wait a few minutes");
        return Ok((StatusCode::TOO_MANY_REQUESTS, CodePage { chrome, next, errors }).into_response());
    };
    let actor = chrome.actor()?;
    match mfa::complete_sign_in(app.store.as_ref(), &actor, app.now(), &session.session, &form.code).await {
        Ok(secret) => {
            throttle::give_back(app.store.as_ref(), slot).await?;
            Ok((with_session_cookie(&app, jar, secret), Redirect::to(&next)).into_response())
        }
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, CodePage { chrome, next, errors }).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/mfa_setup.html")]
struct SetupPage {
    chrome: Chrome,
    next: String,
    /// Whether the account's roles require this (the sign-in waits for it).
    required: bool,
    /// The QR code as a data URI, and the secret for typing, once set-up has begun.
    qr: Option<String>,
    secret: String,
    errors: Errors,
}

async fn setup_page(
    app: &AppState,
    chrome: Chrome,
    session: &SessionInfo,
    next: String,
    errors: Errors,
) -> Result<SetupPage, HtmlError> {
    let actor = chrome.actor()?;
    let pending = mfa::pending_enrollment(app.store.as_ref(), &actor).await?;
    let (qr, secret) = match pending {
        Some(p) => (Some(qr_data_uri(&p.uri)?), p.secret_display),
        None => (None, String::new()),
    };
    Ok(SetupPage { chrome, next, required: session.session.stage == SessionStage::Enroll, qr, secret, errors })
}

/// The `otpauth://` URI as a QR code: an SVG image in a data URI (the CSP allows `data:`
/// images; no script, nothing fetched).
fn qr_data_uri(uri: &str) -> Result<String, HtmlError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| HtmlError::from(bulwark_core::CoreError::Internal(anyhow::anyhow!("QR code: {e}"))))?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(220, 220)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Ok(format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(image)))
}

pub async fn setup(
    State(app): State<AppState>,
    chrome: Chrome,
    session: SessionInfo,
    Query(q): Query<NextQuery>,
) -> Result<Response, HtmlError> {
    if mfa::is_enrolled(app.store.as_ref(), session.session.account_id).await? {
        // Set up meanwhile (another tab): a waiting sign-in starts again and asks for a code.
        let to = if session.session.stage == SessionStage::Full { "/profile" } else { "/login" };
        return Ok(Redirect::to(to).into_response());
    }
    Ok(setup_page(&app, chrome, &session, safe_next(&q.next), Errors::none()).await?.into_response())
}

pub async fn setup_begin(
    State(app): State<AppState>,
    chrome: Chrome,
    Form(form): Form<CodeForm>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    mfa::begin_enrollment(app.store.as_ref(), &actor, app.now()).await?;
    let next = safe_next(&form.next);
    Ok(Redirect::to(&format!("/mfa/setup?next={}", crate::access::urlencode(&next))).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/recovery_codes.html")]
struct RecoveryCodesPage {
    chrome: Chrome,
    codes: Vec<String>,
    next: String,
}

pub async fn setup_confirm(
    State(app): State<AppState>,
    jar: CookieJar,
    chrome: Chrome,
    session: SessionInfo,
    Form(form): Form<CodeForm>,
) -> Result<Response, HtmlError> {
    let next = safe_next(&form.next);
    let limits = code_limits(&session);
    let actor = chrome.actor()?;
    let Some(slot) = throttle::take(app.store.as_ref(), app.now(), &limits).await? else {
        let errors = code_error("has been wrong too often; wait a few minutes");
        let page = setup_page(&app, chrome, &session, next, errors).await?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    };
    match mfa::confirm_enrollment(app.store.as_ref(), &actor, app.now(), Some(&session.session), &form.code).await {
        Ok(done) => {
            throttle::give_back(app.store.as_ref(), slot).await?;
            let (jar, chrome) = match done.new_session {
                // The page after a completed sign-in carries the new session's form token.
                Some((secret, new)) => {
                    (with_session_cookie(&app, jar, secret), Chrome { csrf: new.csrf_token, ..chrome })
                }
                None => (jar, chrome),
            };
            Ok((jar, RecoveryCodesPage { chrome, codes: done.recovery_codes, next }).into_response())
        }
        Err(e) => {
            let errors = form_errors(e)?;
            let page = setup_page(&app, chrome, &session, next, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn recovery_codes(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let codes = mfa::regenerate_recovery_codes(app.store.as_ref(), &actor, app.now()).await?;
    Ok(RecoveryCodesPage { chrome, codes, next: "/profile".into() }.into_response())
}

pub async fn disable(State(app): State<AppState>, chrome: Chrome) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    mfa::disable(app.store.as_ref(), &actor, app.now(), &app.config.mfa).await?;
    Ok(Redirect::to("/profile?done=mfa-off").into_response())
}

pub async fn reset_for_account(
    State(app): State<AppState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = chrome.actor()?;
    let id: AccountId = parse_id(&id)?;
    mfa::reset(app.store.as_ref(), &actor, app.now(), id).await?;
    Ok(Redirect::to(&format!("/accounts/{id}?done=mfa-reset")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/reauth.html")]
struct ReauthPage {
    chrome: Chrome,
    next: String,
    /// Whether a code is asked for too.
    enrolled: bool,
    errors: Errors,
}

pub async fn reauth_form(
    State(app): State<AppState>,
    chrome: Chrome,
    session: SessionInfo,
    Query(q): Query<NextQuery>,
) -> Result<Response, HtmlError> {
    let enrolled = mfa::is_enrolled(app.store.as_ref(), session.session.account_id).await?;
    Ok(ReauthPage { chrome, next: safe_next(&q.next), enrolled, errors: Errors::none() }.into_response())
}

pub async fn reauth(
    State(app): State<AppState>,
    chrome: Chrome,
    ClientAddr(addr): ClientAddr,
    session: SessionInfo,
    Form(form): Form<CodeForm>,
) -> Result<Response, HtmlError> {
    let next = safe_next(&form.next);
    let actor = chrome.actor()?;
    let enrolled = mfa::is_enrolled(app.store.as_ref(), session.session.account_id).await?;
    let mut limits = code_limits(&session);
    // Signed in already: this browser is the account's own, not a guesser spreading out.
    let own = session.session.id_hash.clone();
    limits.extend(throttle::login_limits(&actor.label, &SignInSource { addr, trusted_device: Some(&own) }));
    let Some(slot) = throttle::take(app.store.as_ref(), app.now(), &limits).await? else {
        let errors = vec![bulwark_core::FieldError::new("password", "was wrong too often; wait a few minutes")].into();
        return Ok((StatusCode::TOO_MANY_REQUESTS, ReauthPage { chrome, next, enrolled, errors }).into_response());
    };
    let store = app.store.as_ref();
    match mfa::reauthenticate(store, &actor, app.now(), &session.session, &form.password, &form.code).await {
        Ok(()) => {
            throttle::give_back(store, slot).await?;
            Ok(Redirect::to(&next).into_response())
        }
        Err(e) => {
            let errors = form_errors(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, ReauthPage { chrome, next, enrolled, errors }).into_response())
        }
    }
}
