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
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// Starts the application on a fresh database of `backend`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    let db = Arc::new(TestDb::new(backend).await);
    // As `bulwark serve` does on a new instance.
    bulwark_core::org::ensure_default_areas(&db.store, bulwark_core::time_util::now()).await.expect("default areas");
    spawn_on(db).await
}

impl TestApp {
    pub fn store(&self) -> &SqlStore {
        &self.db.store
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A second instance of the application on the same database.
    pub async fn second_instance(&self) -> TestApp {
        spawn_on(self.db.clone()).await
    }

    pub fn client(&self) -> TestClient {
        TestClient::new(&self.base)
    }

    /// A client signed in through the login form as a new account with these roles.
    pub async fn signed_in(&self, email: &str, roles: &[&str]) -> TestClient {
        crate::create_account(self.store(), email, roles, crate::PASSWORD).await;
        let c = self.client();
        let res = c.login(email, crate::PASSWORD).await;
        assert_eq!(res.status(), 303, "login of {email} failed");
        c
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

async fn spawn_on(db: Arc<TestDb>) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let store: Arc<dyn bulwark_core::Store> = Arc::new(db.store.clone());
    let (router, routes) = bulwark_web::app(store, bulwark_web::WebConfig::new(&base));
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = bulwark_web::serve_router(listener, router, async {
            let _ = rx.await;
        })
        .await;
    });
    TestApp { addr, base, db, routes, shutdown: Some(tx), server: Some(server) }
}

/// An HTTP client with a cookie jar that does not follow redirects (tests look at them).
pub struct TestClient {
    pub http: reqwest::Client,
    base: String,
}

impl TestClient {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self { http, base: base.to_string() }
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
