//! Bulwark's web layer: the router with its single authorization mechanism, the JSON API
//! under `/api/v1` with its OpenAPI document, the server-rendered pages, embedded assets,
//! security headers and operational endpoints.

pub mod access;
pub mod api;
mod assets;
mod csrf;
pub mod delivery;
pub mod error;
pub mod export;
mod hygiene;
pub mod markdown;
mod ops;
pub mod pages;
mod records;
pub mod scim;
pub mod sso;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use bulwark_core::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use access::{Access, RouteTable};

/// Settings the web layer needs.
#[derive(Clone)]
pub struct WebConfig {
    /// The address people use to reach this instance, for links in e-mails and the CLI.
    pub public_url: String,
    /// Mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// The bearer token a Prometheus scraper sends for `/metrics` (admins may read it too).
    pub metrics_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the real client address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Where the time comes from (tests set it).
    pub clock: Arc<dyn bulwark_core::clock::Clock>,
    /// The SMTP server e-mail notifications go through (none: e-mail deliveries fail and
    /// wait, visible to admins).
    pub smtp: Option<delivery::SmtpSettings>,
    /// How often the delivery worker looks for due messages and the scheduler for due jobs.
    pub delivery_interval: std::time::Duration,
    /// Which roles must sign in with a second factor.
    pub mfa: bulwark_core::identity::mfa::MfaPolicy,
    /// Single sign-on through an OpenID Connect provider, if configured.
    pub sso: Option<sso::SsoSettings>,
    /// Signed audit checkpoints taken on a schedule and sent to the channels, if configured.
    pub checkpoints: Option<bulwark_core::audit_anchor::CheckpointPlan>,
    /// Hosts chat webhooks may reach although they are not public (an internal chat server);
    /// every other non-public destination is refused (`bulwark_core::webhook`).
    pub webhook_internal_hosts: Vec<String>,
    /// The demo's catcher: messages are kept for admins to read instead of sent.
    pub mail_catcher: Option<delivery::MailCatcher>,
}

impl WebConfig {
    pub fn new(public_url: &str) -> Self {
        let public_url = public_url.trim_end_matches('/').to_string();
        Self {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            metrics_token: None,
            trusted_proxies: Vec::new(),
            clock: Arc::new(bulwark_core::clock::SystemClock),
            smtp: None,
            delivery_interval: std::time::Duration::from_secs(5),
            mfa: bulwark_core::identity::mfa::MfaPolicy::default(),
            sso: None,
            checkpoints: None,
            webhook_internal_hosts: Vec::new(),
            mail_catcher: None,
        }
    }
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("public_url", &self.public_url)
            .field("secure_cookies", &self.secure_cookies)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("trusted_proxies", &self.trusted_proxies)
            .field("mfa", &self.mfa)
            .field("sso", &self.sso)
            .finish()
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub routes: Arc<RouteTable>,
    pub config: Arc<WebConfig>,
    /// The single sign-on provider, if configured.
    pub sso: Option<Arc<sso::Provider>>,
    metrics: Arc<ops::Metrics>,
}

impl AppState {
    /// The current time, from the configured clock.
    pub fn now(&self) -> bulwark_core::Timestamp {
        self.config.clock.now()
    }
}

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The document, the router and the route table of every page and API route.
fn app_routes() -> (utoipa::openapi::OpenApi, Router<AppState>, access::RouteTable) {
    let routes = records::routes(pages::routes(api::routes(access::Routes::new(api::openapi()))));
    let (router, table) = scim::routes(routes).finish();
    let (router, mut openapi) = router.split_for_parts();
    utoipa::Modify::modify(&api::contract::ContractResponses, &mut openapi);
    (openapi, router, table)
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    app_routes().0
}

/// Builds the whole application: routes, authorization, and the middleware stack.
pub fn app(store: Arc<dyn Store>, config: WebConfig) -> (Router, Arc<RouteTable>) {
    let (openapi, router, table) = app_routes();
    let docs: Router<AppState> = Router::from(api::swagger(openapi)).layer(SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    ));
    let table = Arc::new(api::declare_docs(table));
    let sso = config.sso.clone().map(|s| Arc::new(sso::Provider::new(s, &config.public_url)));
    let state = AppState {
        store,
        sso,
        routes: table.clone(),
        config: Arc::new(config),
        metrics: Arc::new(ops::Metrics::new()),
    };
    let router = router
        .merge(docs)
        // A handler's panic (a bug) answers 500 here, inside the metrics and the trace; the
        // outer layer catches one in the middleware itself.
        .route_layer(CatchPanicLayer::custom(error::panicked))
        .route_layer(axum::middleware::from_fn(csrf::verify))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), access::authorize))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), ops::track))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), hygiene::hygiene))
        .layer(CatchPanicLayer::custom(error::panicked))
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(TraceLayer::new_for_http().make_span_with(ops::request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state);
    (router, table)
}

/// Serves until `shutdown` resolves; in-flight requests finish first.
pub async fn serve(
    listener: TcpListener,
    store: Arc<dyn Store>,
    config: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let worker = start_workers(store.clone(), &config);
    let (router, _) = app(store, config);
    let served = serve_router(listener, router, shutdown).await;
    worker.abort();
    served
}

/// Starts the background work of an instance: the scheduler, which runs due jobs, and the
/// notification delivery worker (see [`delivery`]). Aborting the handle stops both.
pub fn start_workers(store: Arc<dyn Store>, config: &WebConfig) -> tokio::task::JoinHandle<()> {
    let worker = delivery::Delivery {
        store: store.clone(),
        clock: config.clock.clone(),
        smtp: config.smtp.clone(),
        public_url: config.public_url.clone(),
        webhook_internal_hosts: config.webhook_internal_hosts.clone(),
        catcher: config.mail_catcher.clone(),
    };
    let scheduler = delivery::Scheduler {
        store,
        clock: config.clock.clone(),
        context: bulwark_core::scheduler::JobContext { checkpoints: config.checkpoints.clone() },
        checkpoint_period: std::sync::atomic::AtomicI64::new(i64::MIN),
    };
    let interval = config.delivery_interval;
    tokio::spawn(async move {
        tokio::join!(worker.run_forever(interval), scheduler.run_forever(interval));
    })
}

/// Serves an already built application (see [`app`]).
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
