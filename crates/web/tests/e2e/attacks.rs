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

#[tokio::test]
async fn login_never_redirects_to_another_origin_and_never_fails_on_its_next() {
    let app = spawn_app(Backend::Sqlite).await;
    let signed_in = app.signed_in("ada@example.com", &["employee"]).await;
    for next in ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "https://evil.example", "/%0d%0aX:%20y"] {
        let res = signed_in.get(&format!("/login?next={next}")).await;
        assert_eq!(res.status(), 303, "{next}");
        assert_eq!(res.headers()["location"], "/", "{next}");
    }
    let local = signed_in.get("/login?next=/people%3Fq%3DZo%C3%AB").await;
    assert_eq!(local.headers()["location"], "/people?q=Zo%C3%AB");
    // Signing in with a hostile destination lands on the dashboard.
    let c = app.client();
    let res = c
        .post_form(
            "/login",
            "/login",
            &[("email", "ada@example.com"), ("password", bulwark_testkit::PASSWORD), ("next", "/\t/evil.example")],
        )
        .await;
    assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (303, "/"));
}

#[tokio::test]
async fn exports_neutralize_spreadsheet_formulas() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let hostile =
        serde_json::json!({"name": "=HYPERLINK(\"http://evil.example\")", "email": "=cmd|'/Ccalc'!A0@example.com"});
    assert_eq!(admin.api_post("/api/v1/people", &hostile).await.status(), 201);
    for path in ["/people/export.csv", "/api/v1/people?format=csv"] {
        let csv = admin.text(path).await;
        let row = csv.lines().find(|l| l.contains("HYPERLINK")).expect("the row");
        assert!(row.contains("'=HYPERLINK") && row.contains("'=cmd|"), "{path}: {row}");
        assert!(!row.split(',').any(|cell| cell.trim_matches('"').starts_with('=')), "{path}: {row}");
    }
}

#[tokio::test]
async fn oversized_or_malformed_input_is_a_4xx_never_a_5xx() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let long = "a".repeat(1000);
    let res = admin.get(&format!("/api/v1/people?q={long}")).await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(admin.get(&format!("/people?q={long}")).await.status(), 422);
    let huge = "a".repeat(50_000);
    assert_eq!(admin.get(&format!("/api/v1/people?q={huge}")).await.status(), 400);
    // Invalid UTF-8 is refused, not silently replaced.
    assert_eq!(admin.get("/api/v1/people?q=%FF").await.status(), 400);
    assert_eq!(admin.get("/people?q=%C3").await.status(), 400);
    let csrf = admin.csrf("/people/new").await;
    let body = format!("csrf={csrf}&name=%FF%FE&email=x%40example.com");
    let res = admin
        .http
        .post(app.url("/people/new"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn personal_responses_are_never_cached() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    for path in ["/", "/profile", "/api/v1/me", "/api/v1/tokens"] {
        let res = admin.get(path).await;
        assert_eq!(res.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{path}");
    }
    let anonymous = app.client().get("/static/app.css").await;
    assert!(anonymous.headers().get("cache-control").is_none_or(|v| v != "no-store"));
    // A script with an API token reads pages and exports too: never cached either.
    let created: Value =
        admin.api_post("/api/v1/tokens", &serde_json::json!({"name": "script"})).await.json().await.unwrap();
    let token = created["token"].as_str().unwrap();
    let bare = reqwest::Client::new();
    for path in ["/people", "/people/export.csv", "/api/v1/me"] {
        let res = bare.get(app.url(path)).bearer_auth(token).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{path}");
    }
}

#[tokio::test]
async fn an_unknown_api_path_is_a_problem_document() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    for path in ["/api/v1/no-such-thing", "/api/v1/people/x/y/z", "/api/v2/people"] {
        let res = admin.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{path}");
    }
    assert!(admin.get("/no-such-page").await.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn behind_https_browsers_are_told_to_stay_on_https() {
    use tower::ServiceExt;
    let db = bulwark_testkit::TestDb::new(Backend::Sqlite).await;
    let (router, _) = bulwark_web::app(
        std::sync::Arc::new(db.store.clone()),
        bulwark_web::WebConfig::new("https://isms.example.com"),
    );
    let req = axum::http::Request::get("/login").body(axum::body::Body::empty()).unwrap();
    let res = router.oneshot(req).await.unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000");
}

#[tokio::test]
async fn metrics_are_for_the_scraper_and_made_up_methods_do_not_grow_them() {
    let app =
        bulwark_testkit::spawn_app_with(Backend::Sqlite, |c| c.metrics_token = Some("scrape-secret".into())).await;
    let anonymous = app.client();
    assert_eq!(anonymous.get("/metrics").await.status(), 401);
    let employee = app.signed_in("e@example.com", &["employee"]).await;
    assert_eq!(employee.get("/metrics").await.status(), 403);
    let wrong = anonymous.http.get(app.url("/metrics")).bearer_auth("guess").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let scrape =
        || async { anonymous.http.get(app.url("/metrics")).bearer_auth("scrape-secret").send().await.unwrap() };
    let first = scrape().await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "application/openmetrics-text; version=1.0.0; charset=utf-8");
    let before = first.text().await.unwrap().len();

    for i in 0..30 {
        let method = reqwest::Method::from_bytes(format!("MADEUP{}", "X".repeat(200 + i)).as_bytes()).unwrap();
        let res = anonymous.http.request(method, app.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 405);
        assert!(res.headers()["allow"].to_str().unwrap().contains("GET"));
    }
    let head = anonymous.http.head(app.url("/healthz")).send().await.unwrap();
    assert_eq!(head.status(), 200, "HEAD is answered like GET");
    let after = scrape().await.text().await.unwrap();
    assert!(!after.contains("MADEUP"), "no label from a made-up method");
    assert!(after.len() < before + 4096, "bounded growth: {before} -> {}", after.len());
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    assert_eq!(admin.get("/metrics").await.status(), 200);
}

#[tokio::test]
async fn a_search_with_control_characters_is_refused_not_a_server_error() {
    for backend in bulwark_testkit::backends() {
        let app = spawn_app(backend).await;
        let admin = app.signed_in("admin@example.com", &["admin"]).await;
        for path in [
            "/api/v1/people?q=ab%00cd",
            "/api/v1/accounts?q=%00%00%00",
            "/api/v1/policies?q=x%1Fyz",
            "/people?q=abc%00",
        ] {
            let res = admin.get(path).await;
            assert_eq!(res.status(), 422, "{path} on {backend:?}");
        }
        app.stop().await;
    }
}
