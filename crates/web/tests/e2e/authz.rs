//! The route-by-route authorization test: every route of the router, for anonymous and for
//! every role, gets the answer this table expects. The expectations are written here, apart
//! from the router's own declarations, and a route missing from this table fails the test.

use bulwark_testkit::{Backend, TestClient, spawn_app};
use std::collections::BTreeSet;

/// Who may use a route.
#[derive(Clone, Copy, Debug)]
enum Rule {
    Public,
    SignedIn,
    /// Only these roles.
    Roles(&'static [&'static str]),
}

const DIRECTORY_READERS: &[&str] = &["admin", "security", "management", "auditor", "department-head"];
const DIRECTORY_EDITORS: &[&str] = &["admin", "security"];
const ACCOUNT_READERS: &[&str] = &["admin", "auditor"];
const ADMINS: &[&str] = &["admin"];
const AUDIT_READERS: &[&str] = &["admin", "auditor"];

use Rule::*;

const EXPECTED: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Public),
    ("GET", "/readyz", Public),
    ("GET", "/metrics", Public),
    ("GET", "/static/{*file}", Public),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("GET", "/set-password/{token}", Public),
    ("POST", "/set-password/{token}", Public),
    ("GET", "/api/v1/openapi.json", Public),
    ("GET", "/api/docs", Public),
    ("GET", "/api/docs/", Public),
    ("GET", "/api/docs/{*rest}", Public),
    ("POST", "/logout", SignedIn),
    ("GET", "/", SignedIn),
    ("GET", "/profile", SignedIn),
    ("POST", "/profile/password", SignedIn),
    ("POST", "/profile/tokens", SignedIn),
    ("POST", "/profile/tokens/{id}/revoke", SignedIn),
    ("GET", "/api/v1/me", SignedIn),
    ("GET", "/api/v1/tokens", SignedIn),
    ("POST", "/api/v1/tokens", SignedIn),
    ("DELETE", "/api/v1/tokens/{id}", SignedIn),
    ("GET", "/people", Roles(DIRECTORY_READERS)),
    ("GET", "/people/export.csv", Roles(DIRECTORY_READERS)),
    ("GET", "/people/{id}", Roles(DIRECTORY_READERS)),
    ("GET", "/people/new", Roles(DIRECTORY_EDITORS)),
    ("POST", "/people/new", Roles(DIRECTORY_EDITORS)),
    ("GET", "/people/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("POST", "/people/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("GET", "/departments", Roles(DIRECTORY_READERS)),
    ("POST", "/departments", Roles(DIRECTORY_EDITORS)),
    ("GET", "/departments/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("POST", "/departments/{id}/edit", Roles(DIRECTORY_EDITORS)),
    ("GET", "/areas", Roles(DIRECTORY_READERS)),
    ("POST", "/areas", Roles(DIRECTORY_EDITORS)),
    ("GET", "/areas/{id}", Roles(DIRECTORY_READERS)),
    ("POST", "/areas/{id}", Roles(DIRECTORY_EDITORS)),
    ("POST", "/areas/{id}/members", Roles(DIRECTORY_EDITORS)),
    ("POST", "/areas/{id}/members/{person_id}/remove", Roles(DIRECTORY_EDITORS)),
    ("GET", "/accounts", Roles(ACCOUNT_READERS)),
    ("GET", "/accounts/new", Roles(ADMINS)),
    ("POST", "/accounts/new", Roles(ADMINS)),
    ("GET", "/accounts/{id}", Roles(ACCOUNT_READERS)),
    ("POST", "/accounts/{id}", Roles(ADMINS)),
    ("POST", "/accounts/{id}/reset", Roles(ADMINS)),
    ("POST", "/accounts/{id}/tokens/{token_id}/revoke", Roles(ADMINS)),
    ("GET", "/audit", Roles(AUDIT_READERS)),
    ("GET", "/api/v1/people", Roles(DIRECTORY_READERS)),
    ("POST", "/api/v1/people", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/people/{id}", Roles(DIRECTORY_READERS)),
    ("PUT", "/api/v1/people/{id}", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/departments", Roles(DIRECTORY_READERS)),
    ("POST", "/api/v1/departments", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/departments/{id}", Roles(DIRECTORY_READERS)),
    ("PUT", "/api/v1/departments/{id}", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/areas", Roles(DIRECTORY_READERS)),
    ("POST", "/api/v1/areas", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/areas/{id}", Roles(DIRECTORY_READERS)),
    ("PUT", "/api/v1/areas/{id}", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/areas/{id}/members", Roles(DIRECTORY_READERS)),
    ("POST", "/api/v1/areas/{id}/members", Roles(DIRECTORY_EDITORS)),
    ("DELETE", "/api/v1/areas/{id}/members/{person_id}", Roles(DIRECTORY_EDITORS)),
    ("GET", "/api/v1/accounts", Roles(ACCOUNT_READERS)),
    ("POST", "/api/v1/accounts", Roles(ADMINS)),
    ("GET", "/api/v1/accounts/{id}", Roles(ACCOUNT_READERS)),
    ("PUT", "/api/v1/accounts/{id}", Roles(ADMINS)),
    ("POST", "/api/v1/accounts/{id}/password-reset", Roles(ADMINS)),
    ("GET", "/api/v1/audit", Roles(AUDIT_READERS)),
];

const ROLES: [&str; 6] = ["admin", "security", "management", "auditor", "department-head", "employee"];

/// A concrete path for a route pattern.
fn concrete(pattern: &str) -> String {
    let any_id = "0190a0a0-0000-7000-8000-000000000000";
    pattern
        .replace("{*file}", "app.css")
        .replace("{*rest}", "index.html")
        .replace("{token}", "no-such-link")
        .replace("{person_id}", any_id)
        .replace("{token_id}", any_id)
        .replace("{id}", any_id)
}

async fn call(client: &TestClient, csrf: &str, method: &str, path: &str) -> (u16, String, String) {
    let url = client.url(path);
    let req = match method {
        "GET" => client.http.get(&url),
        "DELETE" => client.http.delete(&url),
        "PUT" => client.http.put(&url).header("content-type", "application/json").body("{}"),
        "POST" if path.starts_with("/api/") => {
            client.http.post(&url).header("content-type", "application/json").body("{}")
        }
        "POST" => client.http.post(&url).form(&[("csrf", csrf)]),
        other => panic!("unexpected method {other}"),
    };
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = res.text().await.unwrap_or_default();
    (status, location, body)
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let app = spawn_app(Backend::Sqlite).await;

    let declared: BTreeSet<(String, String)> =
        app.routes.entries().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let expected: BTreeSet<(String, String)> =
        EXPECTED.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let unexpected: Vec<_> = declared.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&declared).collect();
    assert!(unexpected.is_empty(), "routes without an expectation in this test: {unexpected:?}");
    assert!(missing.is_empty(), "expected routes the router does not have: {missing:?}");

    let anonymous = app.client();
    let anon_csrf = anonymous.csrf("/login").await;
    let mut signed = Vec::new();
    for role in ROLES {
        let c = app.signed_in(&format!("{role}@example.com"), &[role]).await;
        let csrf = c.csrf("/profile").await;
        signed.push((role, c, csrf));
    }

    // Logging out ends the session, so it goes last.
    let mut order: Vec<_> = EXPECTED.iter().collect();
    order.sort_by_key(|(_, p, _)| *p == "/logout");
    for (method, pattern, rule) in order {
        let path = concrete(pattern);
        let api = path.starts_with("/api/v1/") && !path.ends_with("openapi.json");

        let (status, location, _) = call(&anonymous, &anon_csrf, method, &path).await;
        match rule {
            Public => assert!(
                status != 401 && status != 403 && !location.starts_with("/login?next="),
                "anonymous {method} {path}: {status}"
            ),
            _ if api => assert_eq!(status, 401, "anonymous {method} {path}"),
            _ => assert!(
                status == 303 && location.starts_with("/login?next="),
                "anonymous {method} {path}: {status} {location}"
            ),
        }

        for (role, client, csrf) in &signed {
            let allowed = match rule {
                Public | SignedIn => true,
                Roles(roles) => roles.contains(role),
            };
            let (status, location, body) = call(client, csrf, method, &path).await;
            if allowed {
                assert!(
                    status != 401 && status != 403 && !location.starts_with("/login?next="),
                    "{role} {method} {path} should be allowed: {status} {body:.200}"
                );
            } else if api {
                assert_eq!(status, 403, "{role} {method} {path} should be forbidden");
                assert!(body.contains("/problems/forbidden"), "{role} {method} {path}: {body}");
            } else {
                assert_eq!(status, 403, "{role} {method} {path} should be forbidden");
                assert!(body.contains("Not allowed"), "{role} {method} {path}");
            }
        }
    }
}
