//! The SCIM 2.0 server at `/scim/v2`: HTTP for `bulwark_core::identity::scim`. Every route is
//! `Access::Scim` (a SCIM token and nothing else); answers are `application/scim+json`, errors
//! in the SCIM Error schema. Versions travel as weak ETags: `If-Match` on writes (412 when
//! stale), `If-None-Match` on reads (304 when unchanged).

use axum::body::to_bytes;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bulwark_core::identity::scim::listing::ListParams;
use bulwark_core::identity::scim::{Ctx, ScimError, discovery};
use serde_json::Value;

use crate::AppState;
use crate::access::{Access, CurrentActor, Routes};

pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Whether a path belongs to the SCIM server.
pub fn is_scim(path: &str) -> bool {
    path == "/scim" || path.starts_with("/scim/")
}

/// A SCIM answer: a resource or list with its status, or an error.
pub struct Scim(pub Result<(StatusCode, Value), ScimError>);

impl IntoResponse for Scim {
    fn into_response(self) -> Response {
        let (status, body) = match self.0 {
            Ok(ok) => ok,
            Err(e) => (StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST), e.body()),
        };
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_CONTENT_TYPE));
        let version = body.get("meta").and_then(|m| m.get("version")).and_then(Value::as_str);
        if let Some(v) = version.and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(header::ETAG, v);
        }
        if status == StatusCode::CREATED
            && let Some(l) = body.get("meta").and_then(|m| m.get("location")).and_then(Value::as_str)
            && let Ok(l) = HeaderValue::from_str(l)
        {
            headers.insert(header::LOCATION, l);
        }
        response
    }
}

/// An error answer outside a handler (refused token, unknown path, bad body).
pub fn error(status: u16, scim_type: Option<&'static str>, detail: &str) -> Response {
    Scim(Err(ScimError::new(status, scim_type, detail))).into_response()
}

/// A request body that must be JSON (sent as `application/scim+json` or `application/json`).
pub struct ScimBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimBody {
    type Rejection = Response;
    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| error(413, None, "the request body is larger than 1 MiB"))?;
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .filter(Value::is_object)
            .map(ScimBody)
            .ok_or_else(|| error(400, Some("invalidSyntax"), "the request body must be a JSON object"))
    }
}

fn ctx<'a>(app: &'a AppState, actor: &'a CurrentActor, base: &'a str) -> Ctx<'a> {
    Ctx { store: app.store.as_ref(), actor: actor.0.as_ref(), now: app.now(), base_url: base }
}

fn base(app: &AppState) -> String {
    format!("{}/scim/v2", app.config.public_url)
}

fn query_pairs(raw: Option<String>) -> Vec<(String, String)> {
    raw.and_then(|q| serde_urlencoded::from_str(&q).ok()).unwrap_or_default()
}

fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

/// A resource read: 304 when the client holds this version already.
fn read_answer(headers: &HeaderMap, found: Result<Value, ScimError>) -> Response {
    if let Ok(resource) = &found {
        let version = resource.get("meta").and_then(|m| m.get("version")).and_then(Value::as_str);
        let held = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
        if let (Some(v), Some(held)) = (version, held)
            && held.split(',').any(|h| h.trim() == v || h.trim() == "*")
        {
            let mut r = StatusCode::NOT_MODIFIED.into_response();
            if let Ok(v) = HeaderValue::from_str(v) {
                r.headers_mut().insert(header::ETAG, v);
            }
            return r;
        }
    }
    Scim(found.map(|v| (StatusCode::OK, v))).into_response()
}

fn params(raw: Option<String>) -> Result<ListParams, ScimError> {
    ListParams::from_query(&query_pairs(raw))
}

async fn service_provider_config(State(app): State<AppState>) -> Scim {
    Scim(Ok((StatusCode::OK, discovery::service_provider_config(&base(&app)))))
}

async fn resource_types(State(app): State<AppState>) -> Scim {
    Scim(Ok((StatusCode::OK, discovery::resource_types(&base(&app)))))
}

async fn resource_type(State(app): State<AppState>, Path(name): Path<String>) -> Scim {
    Scim(discovery::one_resource_type(&base(&app), &name).map(|v| (StatusCode::OK, v)))
}

async fn schemas(State(app): State<AppState>) -> Scim {
    Scim(Ok((StatusCode::OK, discovery::schemas(&base(&app)))))
}

async fn schema(State(app): State<AppState>, Path(id): Path<String>) -> Scim {
    Scim(discovery::one_schema(&base(&app), &id).map(|v| (StatusCode::OK, v)))
}

/// The handlers of one resource type of `bulwark_core::identity::scim` (`users` or `groups`, which
/// offer the same functions): list, search, create, read, replace, patch and delete.
macro_rules! resource_handlers {
    ($name:ident, $service:path) => {
        mod $name {
            use super::*;
            use $service as service;

            pub async fn list(State(app): State<AppState>, actor: CurrentActor, RawQuery(q): RawQuery) -> Scim {
                let base = base(&app);
                let found = match params(q) {
                    Ok(p) => service::list(&ctx(&app, &actor, &base), &p).await,
                    Err(e) => Err(e),
                };
                Scim(found.map(|v| (StatusCode::OK, v)))
            }

            pub async fn search(State(app): State<AppState>, actor: CurrentActor, ScimBody(body): ScimBody) -> Scim {
                let base = base(&app);
                let found = match ListParams::from_search(&body) {
                    Ok(p) => service::list(&ctx(&app, &actor, &base), &p).await,
                    Err(e) => Err(e),
                };
                Scim(found.map(|v| (StatusCode::OK, v)))
            }

            pub async fn create(State(app): State<AppState>, actor: CurrentActor, ScimBody(body): ScimBody) -> Scim {
                let base = base(&app);
                Scim(service::create(&ctx(&app, &actor, &base), &body).await.map(|v| (StatusCode::CREATED, v)))
            }

            pub async fn get(
                State(app): State<AppState>,
                actor: CurrentActor,
                Path(id): Path<String>,
                RawQuery(q): RawQuery,
                headers: HeaderMap,
            ) -> Response {
                let base = base(&app);
                let found = match params(q) {
                    Ok(p) => service::get(&ctx(&app, &actor, &base), &id, &p).await,
                    Err(e) => Err(e),
                };
                read_answer(&headers, found)
            }

            pub async fn replace(
                State(app): State<AppState>,
                actor: CurrentActor,
                Path(id): Path<String>,
                headers: HeaderMap,
                ScimBody(body): ScimBody,
            ) -> Scim {
                let base = base(&app);
                let done = service::replace(&ctx(&app, &actor, &base), &id, &body, if_match(&headers)).await;
                Scim(done.map(|v| (StatusCode::OK, v)))
            }

            pub async fn patch(
                State(app): State<AppState>,
                actor: CurrentActor,
                Path(id): Path<String>,
                headers: HeaderMap,
                ScimBody(body): ScimBody,
            ) -> Scim {
                let base = base(&app);
                let done = service::patch(&ctx(&app, &actor, &base), &id, &body, if_match(&headers)).await;
                Scim(done.map(|v| (StatusCode::OK, v)))
            }

            pub async fn delete(
                State(app): State<AppState>,
                actor: CurrentActor,
                Path(id): Path<String>,
                headers: HeaderMap,
            ) -> Response {
                let base = base(&app);
                match service::delete(&ctx(&app, &actor, &base), &id, if_match(&headers)).await {
                    Ok(()) => StatusCode::NO_CONTENT.into_response(),
                    Err(e) => Scim(Err(e)).into_response(),
                }
            }
        }
    };
}

resource_handlers!(user_handlers, bulwark_core::identity::scim::users);
resource_handlers!(group_handlers, bulwark_core::identity::scim::groups);

/// Any other path under `/scim`: a SCIM 404.
pub async fn not_found() -> Response {
    error(404, None, "no such SCIM endpoint")
}

/// The SCIM routes, each `Access::Scim`.
pub fn routes(r: Routes) -> Routes {
    const GET: &[Method] = &[Method::GET];
    const POST: &[Method] = &[Method::POST];
    const BOTH: &[Method] = &[Method::GET, Method::POST];
    const ONE: &[Method] = &[Method::GET, Method::PUT, Method::PATCH, Method::DELETE];
    use group_handlers as g;
    use user_handlers as u;
    r.page("/scim/v2/ServiceProviderConfig", Access::Scim, GET, get(service_provider_config))
        .page("/scim/v2/ResourceTypes", Access::Scim, GET, get(resource_types))
        .page("/scim/v2/ResourceTypes/{name}", Access::Scim, GET, get(resource_type))
        .page("/scim/v2/Schemas", Access::Scim, GET, get(schemas))
        .page("/scim/v2/Schemas/{id}", Access::Scim, GET, get(schema))
        .page("/scim/v2/Users", Access::Scim, BOTH, get(u::list).post(u::create))
        .page("/scim/v2/Users/.search", Access::Scim, POST, post(u::search))
        .page("/scim/v2/Users/{id}", Access::Scim, ONE, get(u::get).put(u::replace).patch(u::patch).delete(u::delete))
        .page("/scim/v2/Groups", Access::Scim, BOTH, get(g::list).post(g::create))
        .page("/scim/v2/Groups/.search", Access::Scim, POST, post(g::search))
        .page("/scim/v2/Groups/{id}", Access::Scim, ONE, get(g::get).put(g::replace).patch(g::patch).delete(g::delete))
}
