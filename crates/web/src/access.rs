//! The one authorization mechanism. Every route is registered through `Routes`, which
//! records the access it needs in `RouteTable`; the `authorize` middleware resolves the
//! caller (session cookie or bearer token) and checks that entry before any handler runs. A
//! matched route with no entry is refused (fail closed). The route-by-route authorization
//! test walks the same table.

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{Method, StatusCode, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use axum_extra::extract::CookieJar;
use bulwark_core::identity::accounts::{self, Session};
use bulwark_core::identity::mfa::{self, SessionStage};
use bulwark_core::{Actor, Permission};
use std::collections::BTreeMap;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::AppState;
use crate::error::{ApiError, HtmlError};

pub const SESSION_COOKIE: &str = "bulwark_session";

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// A signed-in account holding the permission.
    Needs(Permission),
    /// A monitoring scraper presenting the configured metrics token, or an admin.
    Scraper,
    /// A signed-in account, or a browser whose sign-in still owes its second factor (the
    /// pages that complete it). Such a session reaches nothing else, and acts without roles.
    SecondFactor,
    /// Like `SignedIn` (or `Needs`, with a permission), and a session must have proven its
    /// holder within `mfa::REAUTH_WINDOW`: sensitive actions. API tokens are unaffected on
    /// the API and refused on pages (which are a browser session's).
    Recent(Option<Permission>),
    /// A SCIM token (`/scim/v2`), and nothing else: no session, no API token.
    Scim,
}

/// Every registered route and its access, keyed by method and path pattern.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(BTreeMap<(String, String), Access>);

impl RouteTable {
    pub fn get(&self, method: &Method, path: &str) -> Option<Access> {
        self.0.get(&(method.as_str().to_string(), path.to_string())).copied()
    }

    /// Whether any method is registered for the path pattern.
    pub fn has_path(&self, path: &str) -> bool {
        self.0.keys().any(|(_, p)| p == path)
    }

    /// (method, path pattern, access) for every route, in a stable order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, Access)> {
        self.0.iter().map(|((m, p), a)| (m.as_str(), p.as_str(), *a))
    }

    fn insert(&mut self, method: &str, path: &str, access: Access) {
        let previous = self.0.insert((method.to_string(), path.to_string()), access);
        assert!(previous.is_none(), "route {method} {path} registered twice");
    }
}

/// Builds the router and its route table together, so no route lacks an access rule.
pub struct Routes {
    router: OpenApiRouter<AppState>,
    table: RouteTable,
}

impl Routes {
    pub fn new(openapi: utoipa::openapi::OpenApi) -> Self {
        Self { router: OpenApiRouter::with_openapi(openapi), table: RouteTable::default() }
    }

    /// An API route documented by `#[utoipa::path]`, added with `utoipa_axum::routes!`.
    pub fn api(mut self, access: Access, route: UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in &route.1.paths {
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (m, present) in methods {
                if present {
                    self.table.insert(m, path, access);
                }
            }
        }
        self.router = self.router.routes(route);
        self
    }

    /// A page or other undocumented route. `methods` lists the methods `handler` answers.
    pub fn page(mut self, path: &str, access: Access, methods: &[Method], handler: MethodRouter<AppState>) -> Self {
        for m in methods {
            self.table.insert(m.as_str(), path, access);
        }
        self.router = self.router.route(path, handler);
        self
    }

    /// Declares routes that a merged-in router (API docs) serves, with their access.
    pub fn declare(mut self, path: &str, access: Access, methods: &[Method]) -> Self {
        for m in methods {
            self.table.insert(m.as_str(), path, access);
        }
        self
    }

    /// Continues a table after the router is finished (for routers merged in whole).
    pub fn with_table(table: RouteTable) -> Self {
        Self { router: OpenApiRouter::new(), table }
    }

    pub fn into_table(self) -> RouteTable {
        self.table
    }

    pub fn finish(self) -> (OpenApiRouter<AppState>, RouteTable) {
        (self.router, self.table)
    }
}

/// The signed-in browser session behind a request, for CSRF checks and logout. As an
/// extractor it refuses a request without one (an API token on a page made for a browser)
/// with a 403, never a 500.
#[derive(Clone)]
pub struct SessionInfo {
    pub session: Session,
    pub secret: String,
}

impl<S: Send + Sync> FromRequestParts<S> for SessionInfo {
    type Rejection = HtmlError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<SessionInfo>().cloned().ok_or_else(HtmlError::browser_only)
    }
}

/// Whether a path is part of the JSON API (errors as problem+json, no redirects).
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Resolves the caller and enforces the route table.
pub async fn authorize(State(app): State<AppState>, jar: CookieJar, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some(pattern) = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()) else {
        return next.run(req).await; // unmatched: the fallback answers 404
    };
    // HEAD is answered like GET.
    let method = if req.method() == Method::HEAD { Method::GET } else { req.method().clone() };
    let Some(access) = app.routes.get(&method, &pattern) else {
        if app.routes.has_path(&pattern) {
            // A method this route does not answer (made-up ones included): a quiet 405.
            return method_not_allowed(&app.routes, &pattern);
        }
        tracing::error!(method = %req.method(), route = %pattern, "route has no declared access; refusing");
        return deny(is_api(&path), StatusCode::FORBIDDEN, &path);
    };
    let api = is_api(&path) || access == Access::Scraper;
    let now = app.now();
    let mut actor: Option<Actor> = None;
    // A session too long past its last proof of identity for a sensitive action.
    let mut stale_proof = false;
    let bearer = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    if access == Access::Scraper
        && let (Some(given), Some(expected)) = (&bearer, &app.config.metrics_token)
        && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
    {
        return next.run(req).await;
    }
    if access == Access::Scim {
        return scim_caller(&app, bearer.as_deref(), req, next).await;
    }
    if let Some(token) = bearer {
        match accounts::token_actor(app.store.as_ref(), now, &token).await {
            Ok(Some(_)) if !api && matches!(access, Access::SecondFactor | Access::Recent(_)) => {
                // Signing in and account security are a browser session's: a token proves no factor.
                return HtmlError::browser_only().into_response();
            }
            Ok(Some((a, stale_use))) => {
                actor = Some(a);
                // Last use is recorded at most once a minute, off the request path.
                if let Some(id) = stale_use {
                    let store = app.store.clone();
                    tokio::spawn(async move {
                        if let Err(e) = store.touch_token(id, now).await {
                            tracing::warn!(error = %e, "could not record a token's last use");
                        }
                    });
                }
            }
            Ok(None) => return deny(api, StatusCode::UNAUTHORIZED, &path),
            Err(e) => return ApiError::from(e).with_instance(&path).into_response(),
        }
    } else if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let secret = cookie.value().to_string();
        match accounts::session_actor(app.store.as_ref(), now, &secret).await {
            Ok(Some((a, session))) if session.stage != SessionStage::Full => {
                // Password right, second factor owed: only its own pages, and without roles.
                if access == Access::SecondFactor {
                    actor = Some(Actor { roles: vec![], ..a });
                    req.extensions_mut().insert(SessionInfo { session, secret });
                } else if access != Access::Public {
                    return owe_second_factor(api, session.stage, &path);
                }
            }
            Ok(Some((a, session))) => {
                stale_proof = matches!(access, Access::Recent(_)) && !mfa::is_recent(&session, now);
                actor = Some(a);
                // Last use is recorded at most once a minute, off the request path.
                if session.use_to_record(now) {
                    let (store, id_hash) = (app.store.clone(), session.id_hash.clone());
                    tokio::spawn(async move {
                        if let Err(e) = store.touch_session(&id_hash, now).await {
                            tracing::warn!(error = %e, "could not record a session's last use");
                        }
                    });
                }
                req.extensions_mut().insert(SessionInfo { session, secret });
            }
            Ok(None) => {}
            Err(e) => return ApiError::from(e).with_instance(&path).into_response(),
        }
    }
    let allowed = match (access, &actor) {
        (Access::Public, _) => true,
        (_, None) => return deny(api, StatusCode::UNAUTHORIZED, &path),
        (Access::SignedIn | Access::SecondFactor | Access::Recent(None), Some(_)) => true,
        (Access::Needs(p) | Access::Recent(Some(p)), Some(a)) => a.can(p),
        (Access::Scraper, Some(a)) => a.can(Permission::ViewMetrics),
        (Access::Scim, Some(a)) => a.can(Permission::ProvisionIdentities),
    };
    if !allowed {
        return deny(api, StatusCode::FORBIDDEN, &path);
    }
    if stale_proof {
        return reauthenticate_first(api, &req, &app.config.public_url, &path);
    }
    if let Some(a) = actor {
        tracing::Span::current().record("user", tracing::field::display(a.label.as_str()));
        req.extensions_mut().insert(Arc::new(a));
    }
    next.run(req).await
}

/// A SCIM route: the caller is the SCIM token's actor, or the request is refused in the SCIM
/// Error schema.
async fn scim_caller(app: &AppState, bearer: Option<&str>, mut req: Request, next: Next) -> Response {
    let now = app.now();
    let Some(token) = bearer else {
        return crate::scim::error(401, None, "a SCIM token is required (Authorization: Bearer …)");
    };
    match bulwark_core::identity::scim::tokens::token_actor(app.store.as_ref(), token, now).await {
        Ok(Some((actor, stale_use))) => {
            if let Some(id) = stale_use {
                let store = app.store.clone();
                tokio::spawn(async move {
                    if let Err(e) = store.touch_scim_token(id, now).await {
                        tracing::warn!(error = %e, "could not record a SCIM token's last use");
                    }
                });
            }
            tracing::Span::current().record("user", tracing::field::display(actor.label.as_str()));
            req.extensions_mut().insert(Arc::new(actor));
            next.run(req).await
        }
        Ok(None) => crate::scim::error(401, None, "the SCIM token is unknown or revoked"),
        Err(e) => {
            tracing::error!(error = %e, "could not check a SCIM token");
            crate::scim::error(503, None, "the SCIM token could not be checked; try again")
        }
    }
}

/// A request from a session that still owes its second factor: pages go to the page that
/// completes it, the API answers 401.
fn owe_second_factor(api: bool, stage: SessionStage, path: &str) -> Response {
    if api {
        return ApiError::status(StatusCode::UNAUTHORIZED)
            .with_detail("finish signing in with your second factor first")
            .with_instance(path)
            .into_response();
    }
    Redirect::to(&format!("{}?next={}", stage.page(), urlencode(path))).into_response()
}

/// A sensitive action from a session whose last proof of identity is too old: pages go to
/// the re-authentication page and come back to the page the form was on; the API answers 403.
fn reauthenticate_first(api: bool, req: &Request, public_url: &str, path: &str) -> Response {
    if api {
        let detail = "this action needs a recent sign-in: confirm your password at /reauth, then try again";
        return ApiError::new(StatusCode::FORBIDDEN, "reauthentication-required", "A recent sign-in is required", None)
            .with_detail(detail)
            .with_instance(path)
            .into_response();
    }
    let referer = req.headers().get(axum::http::header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("");
    let back = referer.strip_prefix(public_url).filter(|p| p.starts_with('/')).unwrap_or("/");
    Redirect::to(&format!("/reauth?next={}", urlencode(back))).into_response()
}

fn method_not_allowed(routes: &RouteTable, pattern: &str) -> Response {
    let mut allow: Vec<&str> = routes.entries().filter(|(_, p, _)| *p == pattern).map(|(m, _, _)| m).collect();
    if allow.contains(&"GET") {
        allow.push("HEAD");
    }
    (StatusCode::METHOD_NOT_ALLOWED, [(axum::http::header::ALLOW, allow.join(", "))]).into_response()
}

fn deny(api: bool, status: StatusCode, path: &str) -> Response {
    match (api, status) {
        (true, _) => ApiError::status(status).with_instance(path).into_response(),
        (false, StatusCode::UNAUTHORIZED) => {
            let next = urlencode(path);
            Redirect::to(&format!("/login?next={next}")).into_response()
        }
        (false, _) => HtmlError::forbidden().into_response(),
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The authenticated caller; only present on routes that are not `Public`.
pub struct CurrentActor(pub Arc<Actor>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentActor {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Arc<Actor>>()
            .cloned()
            .map(CurrentActor)
            .ok_or_else(|| ApiError::status(StatusCode::UNAUTHORIZED))
    }
}

/// The caller if signed in, on any route.
pub struct MaybeActor(pub Option<Arc<Actor>>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeActor {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeActor(parts.extensions.get::<Arc<Actor>>().cloned()))
    }
}
