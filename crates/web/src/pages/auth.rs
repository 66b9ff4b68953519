//! Sign-in, sign-out and the one-time set-password page.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use bulwark_core::identity::accounts;
use bulwark_core::identity::mfa::SessionStage;
use bulwark_core::throttle::{self, SignInSource};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

use super::{Chrome, Errors, form_errors};
use crate::AppState;
use crate::access::{SESSION_COOKIE, SessionInfo};
use crate::csrf::PRE_SESSION_COOKIE;
use crate::error::HtmlError;

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    errors: Errors,
    /// Whether single sign-on is offered.
    sso: bool,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

/// Makes sure a browser without a session has a pre-session CSRF cookie for the form.
pub(crate) fn with_pre_session_token(app: &AppState, jar: CookieJar, chrome: &mut Chrome) -> CookieJar {
    if !chrome.csrf.is_empty() {
        return jar;
    }
    chrome.csrf = accounts::random_secret(24);
    let cookie = Cookie::build((PRE_SESSION_COOKIE, chrome.csrf.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(app.config.secure_cookies)
        .path("/");
    jar.add(cookie)
}

/// Only a path on this site may be a post-login destination: one `/` followed by neither
/// `/` nor `\\`, and no control character, as given or once decoded. Anything else is `/`.
pub fn safe_next(next: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(next).decode_utf8_lossy();
    let is_local = |p: &str| {
        let mut chars = p.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && !p.chars().any(|c| c.is_control() || c == '\\')
    };
    if is_local(next) && is_local(&decoded) {
        // Non-ASCII is sent percent-encoded, as a Location header must be.
        percent_encoding::utf8_percent_encode(next, percent_encoding::CONTROLS).to_string()
    } else {
        "/".into()
    }
}

pub async fn login_form(
    State(app): State<AppState>,
    jar: CookieJar,
    mut chrome: Chrome,
    Query(q): Query<LoginQuery>,
) -> Response {
    if chrome.actor.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    let jar = with_pre_session_token(&app, jar, &mut chrome);
    let page = LoginPage {
        chrome,
        email: String::new(),
        next: safe_next(&q.next),
        errors: Errors::none(),
        sso: app.sso.is_some(),
    };
    (jar, page).into_response()
}

/// The sign-in page with a message about a single sign-on that did not work.
pub(crate) fn login_page_with_error(
    app: &AppState,
    jar: CookieJar,
    mut chrome: Chrome,
    status: StatusCode,
    message: &str,
) -> Response {
    let jar = with_pre_session_token(app, jar, &mut chrome);
    let errors = vec![bulwark_core::FieldError::new("sso", message)].into();
    let page = LoginPage { chrome, email: String::new(), next: "/".into(), errors, sso: app.sso.is_some() };
    (status, jar, page).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(app): State<AppState>,
    jar: CookieJar,
    chrome: Chrome,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Result<Response, HtmlError> {
    let generic = || Errors::from(vec![bulwark_core::FieldError::new("email", "E-mail address or password is wrong.")]);
    let sso = app.sso.is_some();
    let retry = |chrome: Chrome, status: StatusCode, form: LoginForm| {
        (status, LoginPage { chrome, email: form.email, next: form.next, errors: generic(), sso }).into_response()
    };
    if !bulwark_core::validate::is_email(form.email.trim()) {
        // No account can have this name: nothing to guess, nothing to count.
        return Ok(retry(chrome, StatusCode::UNPROCESSABLE_ENTITY, form));
    }
    let device =
        throttle::trusted_device(app.store.as_ref(), app.now(), &form.email, jar.get(DEVICE_COOKIE).map(|c| c.value()))
            .await?;
    let limits = throttle::login_limits(&form.email, &SignInSource { addr, trusted_device: device.as_deref() });
    let Some(slot) = throttle::take(app.store.as_ref(), app.now(), &limits).await? else {
        tracing::warn!("login throttled");
        return Ok(retry(chrome, StatusCode::TOO_MANY_REQUESTS, form));
    };
    let rules = accounts::SignInRules {
        mfa: app.config.mfa.clone(),
        sso_accounts_use_sso_only: app.config.sso.as_ref().is_some_and(|s| s.sso_only),
    };
    match accounts::login(app.store.as_ref(), app.now(), &form.email, &form.password, &rules).await {
        Ok((secret, session, account)) => {
            throttle::give_back(app.store.as_ref(), slot).await?;
            tracing::info!(account = %account.id, stage = session.stage.as_str(), "password accepted");
            end_previous_session(&app, &chrome, &jar).await?;
            let jar = with_session_cookie(&app, jar, secret);
            let jar = match device {
                Some(_) => jar,
                None => with_device_cookie(
                    &app,
                    jar,
                    throttle::trust_device(app.store.as_ref(), app.now(), &account.email).await?,
                ),
            };
            let next = safe_next(&form.next);
            let to = match session.stage {
                SessionStage::Full => next,
                owed => format!("{}?next={}", owed.page(), crate::access::urlencode(&next)),
            };
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(e) => {
            form_errors(e)?; // the slot stays: a failure counts
            Ok(retry(chrome, StatusCode::UNPROCESSABLE_ENTITY, form))
        }
    }
}

/// The browser's device cookie: it signed in to an account with its password, so guessers
/// elsewhere never lock it out (see `throttle`). Kept a year, sent only to sign-in.
pub const DEVICE_COOKIE: &str = "bulwark_device";

fn with_device_cookie(app: &AppState, jar: CookieJar, secret: String) -> CookieJar {
    let cookie = Cookie::build((DEVICE_COOKIE, secret))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(app.config.secure_cookies)
        .path("/login")
        .max_age(time::Duration::days(365));
    jar.add(cookie)
}

/// Ends the session this browser was signed in with before a new sign-in: a sign-in always
/// leaves one live session behind its cookie, never two.
pub(crate) async fn end_previous_session(app: &AppState, chrome: &Chrome, jar: &CookieJar) -> Result<(), HtmlError> {
    if let (Some(actor), Some(cookie)) = (chrome.actor.as_ref(), jar.get(SESSION_COOKIE)) {
        accounts::logout(app.store.as_ref(), actor, app.now(), cookie.value()).await?;
    }
    Ok(())
}

/// Sets the session cookie (a new one replaces the old) and drops the pre-session one.
pub(crate) fn with_session_cookie(app: &AppState, jar: CookieJar, secret: accounts::Secret) -> CookieJar {
    let cookie = Cookie::build((SESSION_COOKIE, secret.0))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(app.config.secure_cookies)
        .path("/");
    jar.add(cookie).remove(Cookie::build(PRE_SESSION_COOKIE).path("/"))
}

pub async fn logout(
    State(app): State<AppState>,
    jar: CookieJar,
    chrome: Chrome,
    session: Option<axum::Extension<SessionInfo>>,
) -> Result<Response, HtmlError> {
    if let (Some(actor), Some(s)) = (chrome.actor.as_ref(), session) {
        accounts::logout(app.store.as_ref(), actor, app.now(), &s.secret).await?;
    }
    Ok((jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/login")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/set_password.html")]
struct SetPasswordPage {
    chrome: Chrome,
    token: String,
    errors: Errors,
}

pub async fn set_password_form(
    State(app): State<AppState>,
    jar: CookieJar,
    mut chrome: Chrome,
    Path(token): Path<String>,
) -> Response {
    let jar = with_pre_session_token(&app, jar, &mut chrome);
    let errors = match accounts::password_reset_is_live(app.store.as_ref(), app.now(), &token).await {
        Ok(true) => Errors::none(),
        _ => vec![bulwark_core::FieldError::new("token", accounts::DEAD_LINK)].into(),
    };
    (jar, SetPasswordPage { chrome, token, errors }).into_response()
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn set_password(
    State(app): State<AppState>,
    chrome: Chrome,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, HtmlError> {
    let limits = throttle::reset_link_limits(addr);
    let Some(slot) = throttle::take(app.store.as_ref(), app.now(), &limits).await? else {
        tracing::warn!("set-password throttled");
        let errors = vec![bulwark_core::FieldError::new("token", accounts::DEAD_LINK)].into();
        return Ok((StatusCode::TOO_MANY_REQUESTS, SetPasswordPage { chrome, token, errors }).into_response());
    };
    match accounts::complete_password_reset(app.store.as_ref(), app.now(), &token, &form.password, &form.confirm).await
    {
        Ok(_) => {
            throttle::give_back(app.store.as_ref(), slot).await?;
            Ok(Redirect::to("/login?done=password").into_response())
        }
        Err(e) => {
            let errors = form_errors(e)?;
            if !errors.has("token") {
                throttle::give_back(app.store.as_ref(), slot).await?; // only dead links count
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, SetPasswordPage { chrome, token, errors }).into_response())
        }
    }
}

/// The client's address, when the server knows it: the connection's peer, or, when that is
/// a trusted reverse proxy, the last address in `X-Forwarded-For` that is not one.
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        Ok(ClientAddr(client_addr(peer, forwarded, &app.config.trusted_proxies)))
    }
}

fn client_addr<'a>(
    peer: Option<IpAddr>,
    forwarded: impl Iterator<Item = &'a str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(a) if trusted.contains(&a) => client = a,
            Ok(a) => return Some(a),
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::{client_addr, safe_next};

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let proxy = [ip("10.0.0.1")];
        let hdr = ["203.0.113.9, 198.51.100.7"];
        assert_eq!(client_addr(Some(ip("192.0.2.5")), hdr.into_iter(), &proxy), Some(ip("192.0.2.5")));
        assert_eq!(client_addr(Some(ip("10.0.0.1")), hdr.into_iter(), &proxy), Some(ip("198.51.100.7")));
        let chain = [ip("10.0.0.1"), ip("10.0.0.2")];
        let via_two = ["203.0.113.9, 10.0.0.2"];
        assert_eq!(client_addr(Some(ip("10.0.0.1")), via_two.into_iter(), &chain), Some(ip("203.0.113.9")));
        assert_eq!(client_addr(Some(ip("10.0.0.1")), ["garbage"].into_iter(), &proxy), Some(ip("10.0.0.1")));
    }

    #[test]
    fn only_local_paths_are_destinations() {
        for ok in ["/", "/people?q=a%20b", "/people/0190", "/audit?from=2026-01-01"] {
            assert_eq!(safe_next(ok), ok);
        }
        assert_eq!(safe_next("/people?q=Zoë"), "/people?q=Zo%C3%AB");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/%2F/evil.example",
            "/%5Cevil.example",
            "https://evil.example",
            "evil.example",
            "/a\r\nSet-Cookie: x=y",
            "/a%0d%0aSet-Cookie:%20x=y",
            "",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
