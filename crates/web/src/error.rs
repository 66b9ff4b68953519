//! Errors as the caller sees them: RFC 9457 problem documents for the API, an error page for
//! browsers. 5xx bodies say only "internal error" and a request id; the cause is logged once.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_core::{CoreError, FieldError, StoreError};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A `problem+json` response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Present on 422: one entry per invalid field, with a JSON pointer to it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub pointer: String,
    pub detail: String,
}

#[derive(Debug)]
pub struct ApiError(pub Box<Problem>);

impl ApiError {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: Option<String>) -> Self {
        Self(Box::new(Problem {
            kind: format!("/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            instance: None,
            errors: vec![],
        }))
    }

    pub fn status(status: StatusCode) -> Self {
        let (slug, title) = match status {
            StatusCode::UNAUTHORIZED => ("unauthenticated", "Authentication required"),
            StatusCode::FORBIDDEN => ("forbidden", "You do not have permission for this"),
            StatusCode::NOT_FOUND => ("not-found", "Not found"),
            StatusCode::CONFLICT => ("conflict", "Conflict"),
            StatusCode::PRECONDITION_FAILED => ("precondition-failed", "The record changed since the version you sent"),
            StatusCode::PAYLOAD_TOO_LARGE => ("too-large", "Request body too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Expected Content-Type: application/json"),
            StatusCode::TOO_MANY_REQUESTS => ("rate-limited", "Too many attempts; wait a minute"),
            s if s.is_server_error() => ("internal", "Internal error"),
            _ => ("bad-request", "Bad request"),
        };
        Self::new(status, slug, title, None)
    }

    /// 422 for invalid fields; 409 when every field only clashes with stored records.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let mut e = if errors.iter().all(|f| f.conflict) {
            Self::new(StatusCode::CONFLICT, "conflict", "Conflicts with stored records", None)
        } else {
            Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input", None)
        };
        e.0.detail = Some(errors.iter().map(|f| format!("{} {}", f.field, f.message)).collect::<Vec<_>>().join("; "));
        e.0.errors =
            errors.into_iter().map(|f| ProblemField { pointer: format!("/{}", f.field), detail: f.message }).collect();
        e
    }

    pub fn with_detail(mut self, detail: &str) -> Self {
        self.0.detail = Some(detail.to_string());
        self
    }

    pub fn with_instance(mut self, path: &str) -> Self {
        self.0.instance = Some(path.to_string());
        self
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Unauthenticated => Self::status(StatusCode::UNAUTHORIZED),
            CoreError::Forbidden(_) => Self::status(StatusCode::FORBIDDEN),
            CoreError::NotFound => Self::status(StatusCode::NOT_FOUND),
            CoreError::Invalid(errors) => Self::invalid(errors),
            CoreError::Conflict(what) => Self::new(StatusCode::CONFLICT, "conflict", "Conflict", Some(what)),
            CoreError::Stale(what) => Self::new(StatusCode::CONFLICT, "stale", "Changed meanwhile", Some(what)),
            CoreError::Store(StoreError::Unavailable(cause)) => {
                tracing::error!(%cause, "database unavailable");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Database unavailable", None)
            }
            other => {
                tracing::error!(error = ?other, "internal error");
                Self::status(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        CoreError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.0).unwrap_or_default();
        (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response()
    }
}

/// The answer to a request whose handler panicked — a bug, never bad input: a 500 problem
/// document and one error line, instead of a connection closed without an answer. The panic's
/// own message (which may quote the request) goes to standard error only, as every panic's does.
pub fn panicked(_cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request's handler panicked");
    ApiError::status(StatusCode::INTERNAL_SERVER_ERROR).into_response()
}

/// A JSON body whose every rejection is a problem document naming what is wrong.
pub struct ApiJson<T>(pub T);

/// A body that may be left out: nothing sent, or JSON `null`, is `None`.
impl<S: Send + Sync, T: DeserializeOwned> axum::extract::OptionalFromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let typed = req.headers().contains_key(axum::http::header::CONTENT_TYPE);
        let (parts, body) = req.into_parts();
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|_| ApiError::status(StatusCode::PAYLOAD_TOO_LARGE))?;
        let text = bytes.trim_ascii();
        if text.is_empty() || (typed && text == b"null") {
            return Ok(None);
        }
        let again = Request::from_parts(parts, axum::body::Body::from(bytes));
        <Self as FromRequest<S>>::from_request(again, state).await.map(Some)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application" && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        if !json_type {
            return Err(ApiError::status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::status(StatusCode::PAYLOAD_TOO_LARGE)
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", Some(r.body_text()))
            }
        })?;
        // Every body of this API is an object (serde would take a struct from an array too);
        // a JSON text is an object exactly when it starts with `{` (malformed text is left to
        // the parser below, which says where).
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() {
            let detail = "the body must be a JSON object".to_string();
            let mut e =
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input", Some(detail.clone()));
            e.0.errors = vec![ProblemField { pointer: String::new(), detail }];
            return Err(e);
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let status = r.status();
    let detail = r.body_text();
    match r {
        JsonRejection::JsonDataError(_) => {
            let mut e =
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input", Some(detail.clone()));
            e.0.errors = vec![ProblemField { pointer: field_pointer(&detail), detail }];
            e
        }
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON", Some(detail))
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::status(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => ApiError::status(StatusCode::PAYLOAD_TOO_LARGE),
        _ => ApiError::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", Some(detail)),
    }
}

/// serde names the path of a bad field as `roles[0]: ...` or `name: ...`; turn it into a pointer.
fn field_pointer(detail: &str) -> String {
    let body = detail.trim_start_matches("Failed to deserialize the JSON body into the target type: ");
    match body.split_once(": ") {
        Some((path, _)) if !path.contains(' ') => format!("/{}", path.replace(['.', '['], "/").replace(']', "")),
        _ => "/".into(),
    }
}

/// A query string whose rejection is a 400 problem.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(query_rejection(r)),
        }
    }
}

fn query_rejection(r: QueryRejection) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad-query", "Invalid query parameters", Some(r.body_text()))
}

/// The error page.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: String,
    pub message: String,
}

/// An error for a browser: a page, or a redirect to the login form.
#[derive(Debug)]
pub enum HtmlError {
    Page(StatusCode, String, String),
    Login,
}

impl HtmlError {
    /// A page that only a signed-in browser session may use, reached otherwise (an API token).
    pub fn browser_only() -> Self {
        Self::Page(
            StatusCode::FORBIDDEN,
            "Not allowed".into(),
            "This page is for a signed-in browser session; an API token cannot use it.".into(),
        )
    }

    pub fn forbidden() -> Self {
        Self::Page(
            StatusCode::FORBIDDEN,
            "Not allowed".into(),
            "Your roles do not allow this page. Ask an admin if you need it.".into(),
        )
    }
    pub fn not_found() -> Self {
        Self::Page(StatusCode::NOT_FOUND, "Not found".into(), "There is nothing at this address.".into())
    }
}

impl From<CoreError> for HtmlError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Unauthenticated => Self::Login,
            CoreError::Forbidden(_) => Self::forbidden(),
            CoreError::NotFound => Self::not_found(),
            CoreError::Conflict(what) | CoreError::Stale(what) => {
                Self::Page(StatusCode::CONFLICT, "Conflict".into(), what)
            }
            CoreError::Invalid(errs) => Self::Page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid input".into(),
                errs.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "),
            ),
            other => {
                tracing::error!(error = ?other, "internal error");
                Self::Page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error".into(),
                    "Something went wrong on our side; it has been logged.".into(),
                )
            }
        }
    }
}

impl From<StoreError> for HtmlError {
    fn from(e: StoreError) -> Self {
        CoreError::from(e).into()
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        match self {
            HtmlError::Login => Redirect::to("/login").into_response(),
            HtmlError::Page(status, title, message) => {
                (status, ErrorPage { status: status.as_u16(), title, message }).into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    use tower_http::catch_panic::CatchPanicLayer;

    async fn boom() -> &'static str {
        panic!("secret-ish detail")
    }

    #[tokio::test]
    async fn a_handler_that_panics_answers_500_as_a_problem_without_its_message() {
        let app: Router = Router::new().route("/boom", get(boom)).layer(CatchPanicLayer::custom(panicked));
        let res = app.oneshot(Request::get("/boom").body(axum::body::Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("\"status\":500"), "{body}");
        assert!(!body.contains("secret-ish"), "{body}");
    }
}
