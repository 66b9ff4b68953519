//! CSRF protection for every cookie-authenticated write.
//!
//! Forms (url-encoded, or multipart with a file): the `csrf` field must equal the session's token (or, before sign-in, the value of
//! the pre-session cookie). API: a POST, PUT, PATCH or DELETE authenticated by the session
//! cookie (no bearer token) must carry the session's token in the `X-CSRF-Token` header,
//! which another origin can neither read nor send; `/api/v1/me` tells a signed-in page its
//! token. Calls with a bearer token need none: a browser never adds one by itself; nor does
//! `/scim`, which accepts nothing but a SCIM bearer token.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use subtle::ConstantTimeEq;

use crate::access::{SessionInfo, is_api};
use crate::error::{ApiError, HtmlError};

pub const PRE_SESSION_COOKIE: &str = "bulwark_csrf";
const MAX_FORM_BYTES: usize = 1024 * 1024;
/// A form with a file (`multipart/form-data`), such as a catalog upload.
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;

pub const CSRF_HEADER: &str = "x-csrf-token";

pub async fn verify(req: Request, next: Next) -> Response {
    // SCIM takes a SCIM bearer token and nothing else (no cookie), so it cannot be forged.
    if crate::scim::is_scim(req.uri().path()) {
        return next.run(req).await;
    }
    if is_api(req.uri().path()) {
        return verify_api(req, next).await;
    }
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let expected = match req.extensions().get::<SessionInfo>() {
        Some(s) => Some(s.session.csrf_token.clone()),
        None => CookieJar::from_headers(req.headers()).get(PRE_SESSION_COOKIE).map(|c| c.value().to_string()),
    };
    let (parts, body) = req.into_parts();
    let boundary = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    let limit = if boundary.is_some() { MAX_UPLOAD_BYTES } else { MAX_FORM_BYTES };
    let Ok(bytes) = to_bytes(body, limit).await else {
        return HtmlError::Page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Too large".into(),
            format!("A form may send at most {} MiB.", limit / (1024 * 1024)),
        )
        .into_response();
    };
    let given = match &boundary {
        Some(b) => multipart_field(bytes.clone(), b, "csrf").await,
        None => {
            if !crate::hygiene::urlencoded_is_utf8(&bytes) {
                return crate::hygiene::malformed(parts.uri.path(), "the form is not valid UTF-8");
            }
            form_urlencoded_field(&bytes, "csrf")
        }
    };
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

async fn verify_api(req: Request, next: Next) -> Response {
    let writes = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let by_cookie = req.extensions().get::<SessionInfo>().map(|s| s.session.csrf_token.clone());
    if let (true, Some(expected)) = (writes, by_cookie) {
        let given = req.headers().get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
        if expected.is_empty() || !bool::from(expected.as_bytes().ct_eq(given)) {
            let path = req.uri().path().to_string();
            return ApiError::status(StatusCode::FORBIDDEN)
                .with_detail("a write authenticated by the session cookie needs the X-CSRF-Token header")
                .with_instance(&path)
                .into_response();
        }
    }
    next.run(req).await
}

/// A text field of a `multipart/form-data` body (the CSRF field comes first in our forms).
async fn multipart_field(body: axum::body::Bytes, boundary: &str, name: &str) -> Option<String> {
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}
