//! CSRF protection for every form post: the form's `csrf` field must equal the session's
//! token (or, before sign-in, the value of the pre-session cookie). JSON API calls need no
//! token: they require `Content-Type: application/json` or a bearer token, which a
//! cross-site form cannot send.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use subtle::ConstantTimeEq;

use crate::access::{SessionInfo, is_api};
use crate::error::HtmlError;

pub const PRE_SESSION_COOKIE: &str = "bulwark_csrf";
const MAX_FORM_BYTES: usize = 1024 * 1024;

pub async fn verify(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || is_api(req.uri().path()) {
        return next.run(req).await;
    }
    let expected = match req.extensions().get::<SessionInfo>() {
        Some(s) => Some(s.session.csrf_token.clone()),
        None => CookieJar::from_headers(req.headers()).get(PRE_SESSION_COOKIE).map(|c| c.value().to_string()),
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
    };
    let given = form_urlencoded_field(&bytes, "csrf");
    let ok = match (expected, given) {
        (Some(e), Some(g)) => !e.is_empty() && bool::from(e.as_bytes().ct_eq(g.as_bytes())),
        _ => false,
    };
    if !ok {
        return HtmlError::Page(
            StatusCode::FORBIDDEN,
            "Form expired".into(),
            "This form was opened in another session or has expired. Go back, reload the page and submit again.".into(),
        )
        .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}
