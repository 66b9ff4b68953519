//! A real server on a free loopback port, and HTTP clients that act like a browser.

use bulwark_core::store::Backend;
use bulwark_store::SqlStore;
use bulwark_web::RouteTable;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

use crate::db::TestDb;

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub db: Arc<TestDb>,
    pub routes: Arc<RouteTable>,
    /// The instance's settings for second factors, and its clock (codes depend on the time).
    pub mfa: bulwark_core::identity::mfa::MfaPolicy,
    pub clock: Arc<dyn bulwark_core::clock::Clock>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// Starts the application on a fresh database of `backend`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Starts the application with settings changed by `configure`.
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut bulwark_web::WebConfig)) -> TestApp {
    let db = Arc::new(TestDb::new(backend).await);
    // As `bulwark serve` does on a new instance.
    bulwark_core::organisation::areas::ensure_default_areas(&db.store, bulwark_core::time_util::now())
        .await
        .expect("default areas");
    spawn_on(db, configure).await
}

impl TestApp {
    pub fn store(&self) -> &SqlStore {
        &self.db.store
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A second instance of the application on the same database, with its own connections.
    pub async fn second_instance(&self) -> TestApp {
        self.second_instance_with(|_| {}).await
    }

    /// A second instance with its own connections and settings changed by `configure`.
    pub async fn second_instance_with(&self, configure: impl FnOnce(&mut bulwark_web::WebConfig)) -> TestApp {
        let store = self.db.second_store().await;
        spawn_on_store(self.db.clone(), store, configure).await
    }

    pub fn client(&self) -> TestClient {
        TestClient::new(&self.base)
    }

    /// A client signed in through the login form as a new account with these roles. Like a
    /// page's script, it sends the session's CSRF token with every API write.
    /// When the roles require a second factor, the account gets an authenticator first and
    /// the sign-in gives its code, as a person would.
    pub async fn signed_in(&self, email: &str, roles: &[&str]) -> TestClient {
        let account = crate::create_account(self.store(), email, roles, crate::PASSWORD).await;
        if self.mfa.requires(&account.roles) {
            let actor = account.actor(bulwark_core::access::Via::Session);
            bulwark_core::identity::mfa::enroll_now(self.store(), &actor, self.clock.now()).await.expect("enroll");
        }
        let c = self.client();
        self.sign_in(&c, email, crate::PASSWORD).await;
        c.with_api_csrf().await
    }

    /// Signs `c` in with the password and, if the account has an authenticator, its next code.
    pub async fn sign_in(&self, c: &TestClient, email: &str, password: &str) {
        let res = c.login(email, password).await;
        assert_eq!(res.status(), 303, "login of {email} failed");
        let to = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        if to.starts_with("/login/code") {
            let found = bulwark_core::Store::read(self.store()).await.unwrap().find_account_by_email(email).await;
            let account = found.unwrap().expect("account").0;
            let code = bulwark_core::identity::mfa::next_unused_code(self.store(), account.id, self.clock.now())
                .await
                .unwrap();
            let res = c.post_form("/login/code", &to, &[("code", &code), ("next", "/")]).await;
            assert_eq!(res.status(), 303, "second factor of {email} refused");
        }
    }

    /// Stops the server, letting in-flight requests finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }
}

async fn spawn_on(db: Arc<TestDb>, configure: impl FnOnce(&mut bulwark_web::WebConfig)) -> TestApp {
    let store = db.store.clone();
    spawn_on_store(db, store, configure).await
}

async fn spawn_on_store(
    db: Arc<TestDb>,
    store: SqlStore,
    configure: impl FnOnce(&mut bulwark_web::WebConfig),
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let store: Arc<dyn bulwark_core::Store> = Arc::new(store);
    let mut config = bulwark_web::WebConfig::new(&base);
    // The tests' chat receivers listen on loopback, as an internal chat server would.
    config.webhook_internal_hosts = vec!["127.0.0.1".into()];
    configure(&mut config);
    let (mfa, clock) = (config.mfa.clone(), config.clock.clone());
    let worker = bulwark_web::start_workers(store.clone(), &config);
    let (router, routes) = bulwark_web::app(store, config);
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = bulwark_web::serve_router(listener, router, async {
            let _ = rx.await;
        })
        .await;
        worker.abort();
    });
    TestApp { addr, base, db, routes, mfa, clock, shutdown: Some(tx), server: Some(server) }
}

/// An HTTP client with a cookie jar that does not follow redirects (tests look at them).
pub struct TestClient {
    pub http: reqwest::Client,
    /// The same cookie jar without the CSRF header, for checking that writes need it.
    pub without_csrf: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    base: String,
}

fn build_client(jar: &Arc<reqwest::cookie::Jar>, headers: reqwest::header::HeaderMap) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestClient {
    pub fn new(base: &str) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = build_client(&jar, Default::default());
        Self { without_csrf: http.clone(), http, jar, base: base.to_string() }
    }

    /// This client, sending the signed-in session's CSRF token (from `/api/v1/me`) in the
    /// `X-CSRF-Token` header of every request.
    pub async fn with_api_csrf(self) -> Self {
        let me: serde_json::Value = self.get("/api/v1/me").await.json().await.expect("me");
        let token = me["csrf_token"].as_str().expect("a session has a CSRF token");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-csrf-token", token.parse().expect("header value"));
        Self { http: build_client(&self.jar, headers), ..self }
    }

    /// This client, sending `Authorization: Bearer <token>` with every request.
    pub fn with_bearer(self, token: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().expect("header value"));
        Self { http: build_client(&self.jar, headers), ..self }
    }

    /// The value of a cookie this client holds for the server.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().ok()?;
        let header = self.jar.cookies(&url)?;
        let prefix = format!("{name}=");
        header.to_str().ok()?.split("; ").find_map(|c| c.strip_prefix(&prefix).map(str::to_string))
    }

    /// Sends a JSON POST.
    pub async fn api_post(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http.post(self.url(path)).json(body).send().await.expect("POST")
    }

    /// A JSON PUT, to add headers to before sending.
    pub fn api_put(&self, path: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.http.put(self.url(path)).json(body)
    }

    /// A JSON PATCH, to add headers to before sending.
    pub fn api_patch(&self, path: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.http.patch(self.url(path)).json(body)
    }

    /// A DELETE, to add headers to before sending.
    pub fn api_delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.delete(self.url(path))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The CSRF token the page at `path` embeds in its forms.
    pub async fn csrf(&self, path: &str) -> String {
        let page = self.text(path).await;
        extract_csrf(&page).unwrap_or_default()
    }

    /// Posts a form the way a browser does, with the page's CSRF token.
    pub async fn post_form(&self, path: &str, csrf_from: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf(csrf_from).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.http.post(self.url(path)).form(&all).send().await.expect("POST")
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/login", "/login", &[("email", email), ("password", password), ("next", "/")]).await
    }
}

/// The whole `Set-Cookie` line a response sets for `name`, if any.
pub fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&prefix))
        .map(str::to_string)
}

pub fn extract_csrf(page: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker)? + marker.len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_string())
}
