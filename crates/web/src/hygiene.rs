//! Request and response hygiene for every route: a query string must be valid UTF-8 once
//! decoded and of bounded length (else 400, never a silently altered value); what a signed-in
//! person or an API client receives (by cookie or bearer token) is never cached (`Cache-Control: no-store`: token
//! secrets and set-password links are on such pages); and behind https the browser is told to
//! stay on https (HSTS).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode;

use crate::AppState;
use crate::access::is_api;
use crate::error::{ApiError, HtmlError};

/// Longer query strings are refused: no list needs more.
pub const MAX_QUERY_BYTES: usize = 4096;

/// Whether url-encoded text (a query string or a form body) decodes to valid UTF-8.
pub fn urlencoded_is_utf8(encoded: &[u8]) -> bool {
    encoded.split(|b| *b == b'&' || *b == b'=').all(|part| percent_decode(part).decode_utf8().is_ok())
}

/// A 400 for a request that is malformed before any handler could look at it.
pub fn malformed(path: &str, detail: &str) -> Response {
    if crate::scim::is_scim(path) {
        return crate::scim::error(400, Some("invalidValue"), detail);
    }
    if is_api(path) {
        ApiError::status(StatusCode::BAD_REQUEST).with_detail(detail).with_instance(path).into_response()
    } else {
        HtmlError::Page(StatusCode::BAD_REQUEST, "Bad request".into(), detail.into()).into_response()
    }
}

pub async fn hygiene(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if let Some(q) = req.uri().query() {
        if q.len() > MAX_QUERY_BYTES {
            return malformed(&path, "the query string is too long");
        }
        if !urlencoded_is_utf8(q.as_bytes()) {
            return malformed(&path, "the query string is not valid UTF-8");
        }
    }
    let personal = is_api(&path)
        || crate::scim::is_scim(&path)
        || req.headers().contains_key(header::COOKIE)
        || req.headers().contains_key(header::AUTHORIZATION);
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if personal && !path.starts_with("/static/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if app.config.secure_cookies {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_found_in_any_part() {
        assert!(urlencoded_is_utf8(b"q=Zo%C3%AB&page=2"));
        assert!(urlencoded_is_utf8(b"q=%E6%9D%8E%E9%9B%B7"));
        assert!(!urlencoded_is_utf8(b"q=%FF"));
        assert!(!urlencoded_is_utf8(b"%C3=x"));
        assert!(urlencoded_is_utf8(b""));
    }
}
