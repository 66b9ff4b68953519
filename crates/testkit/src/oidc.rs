//! A real OpenID Connect provider on loopback for single sign-on tests: PyPI's
//! `oidc-provider-mock` (installed by `scripts/test`), run as a child process with nonces
//! required. Its users and their claims are set over its HTTP API; its authorization form is
//! answered like a person would, by posting a subject.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct OidcProvider {
    pub issuer: String,
    child: Child,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OidcProvider {
    /// Starts the provider, or None when it is not installed and `BULWARK_TEST_REQUIRE_OIDC`
    /// is not set (the test is then skipped, and says so).
    pub async fn start() -> Option<Self> {
        let installed = Command::new("python3")
            .args(["-c", "import oidc_provider_mock"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            assert!(
                std::env::var("BULWARK_TEST_REQUIRE_OIDC").is_err(),
                "BULWARK_TEST_REQUIRE_OIDC is set but the Python module oidc_provider_mock is missing"
            );
            eprintln!("skipped: single sign-on test (pip install oidc-provider-mock)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
        let child = Command::new("python3")
            .args(["-m", "oidc_provider_mock", "--port", &port.to_string(), "--require-nonce"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start oidc_provider_mock");
        let provider = Self { issuer: format!("http://127.0.0.1:{port}"), child };
        let discovery = format!("{}/.well-known/openid-configuration", provider.issuer);
        for _ in 0..150 {
            if reqwest::get(&discovery).await.is_ok_and(|r| r.status().is_success()) {
                return Some(provider);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the OpenID Connect provider did not start");
    }

    /// Sets the claims the provider gives for `subject`.
    pub async fn put_user(&self, subject: &str, claims: serde_json::Value) {
        let url = format!("{}/users/{}", self.issuer, subject);
        let res = reqwest::Client::new().put(url).json(&claims).send().await.expect("put user");
        assert!(res.status().is_success(), "the provider refused the user: {}", res.status());
    }

    /// Answers the provider's authorization form at `authorize_url` as `subject` (or denies
    /// it); returns where the provider sends the browser back.
    pub async fn authorize(&self, authorize_url: &str, subject: Option<&str>) -> String {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let form: Vec<(&str, &str)> = match subject {
            Some(s) => vec![("sub", s)],
            None => vec![("action", "deny")],
        };
        let res = http.post(authorize_url).form(&form).send().await.expect("authorize");
        let to = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(!to.is_empty(), "the provider did not redirect back: {}", res.status());
        to
    }
}
