//! Regression tests for attacks tried against the routes: each one failed before its fix.

use bulwark_testkit::{Backend, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn a_cookie_authenticated_api_write_needs_the_csrf_header() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let me: Value = admin.get("/api/v1/me").await.json().await.unwrap();
    let reset = format!("/api/v1/accounts/{}/password-reset", me["account_id"].as_str().unwrap());
    // What another origin on the same site could send: the cookie rides along, nothing else.
    let plain = admin.without_csrf.post(app.url(&reset)).header("content-type", "text/plain").body("x").send().await;
    assert_eq!(plain.unwrap().status(), 403);
    let empty = admin.without_csrf.post(app.url(&reset)).send().await.unwrap();
    assert_eq!(empty.status(), 403);
    assert_eq!(empty.headers()["content-type"], "application/problem+json");
    let wrong = admin.without_csrf.post(app.url(&reset)).header("x-csrf-token", "guess").send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    // The page's own script sends the header and succeeds; reads never need it.
    assert_eq!(admin.http.post(app.url(&reset)).send().await.unwrap().status(), 201);
    assert_eq!(admin.without_csrf.get(app.url("/api/v1/people")).send().await.unwrap().status(), 200);
}
