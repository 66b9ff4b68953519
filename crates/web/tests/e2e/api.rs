//! The JSON API: problem documents for bad input, pagination, tokens, audit, and two
//! instances sharing one PostgreSQL database.

use bulwark_testkit::{Backend, backends, spawn_app};
use serde_json::{Value, json};

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.expect("json body")
}

#[tokio::test]
async fn people_api_validates_pages_and_audits_on_every_backend() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let admin = app.signed_in("admin@example.com", &["admin"]).await;
        let http = &admin.http;

        let created = http
            .post(app.url("/api/v1/people"))
            .json(&json!({"name": "Grace Hopper", "email": "Grace@Example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201, "{backend:?}");
        let grace = json_of(created).await;
        assert_eq!(grace["email"], "grace@example.com");
        assert_eq!(grace["status"], "active");

        let bad = http
            .post(app.url("/api/v1/people"))
            .json(&json!({"name": "", "email": "not-an-email", "kind": "wizard"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 422);
        assert_eq!(bad.headers()["content-type"], "application/problem+json");
        let problem = json_of(bad).await;
        let pointers: Vec<_> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap().to_string()).collect();
        assert_eq!(pointers, ["/name", "/email", "/kind"]);

        let dup = http
            .post(app.url("/api/v1/people"))
            .json(&json!({"name": "G", "email": "grace@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(dup.status(), 409, "a taken e-mail clashes with a stored record");
        assert!(json_of(dup).await["errors"][0]["detail"].as_str().unwrap().contains("already"));

        let malformed = http
            .post(app.url("/api/v1/people"))
            .header("content-type", "application/json")
            .body("{\"name\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(malformed.status(), 400);
        assert_eq!(json_of(malformed).await["type"], "/problems/malformed-json");

        let missing = http
            .post(app.url("/api/v1/people"))
            .header("content-type", "application/json")
            .body("{\"name\": \"x\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 422);
        assert_eq!(json_of(missing).await["errors"][0]["pointer"], "/");

        let wrong_type = http
            .post(app.url("/api/v1/people"))
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_type.status(), 415);

        let huge = format!("{{\"name\": \"{}\", \"email\": \"a@b.co\"}}", "x".repeat(2 * 1024 * 1024));
        let too_large = http
            .post(app.url("/api/v1/people"))
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap();
        assert_eq!(too_large.status(), 413);

        let bad_query = http.get(app.url("/api/v1/people?per_page=lots")).send().await.unwrap();
        assert_eq!(bad_query.status(), 400);
        let bad_filter = http.get(app.url("/api/v1/people?status=retired")).send().await.unwrap();
        assert_eq!(bad_filter.status(), 422);
        let unknown = http.get(app.url("/api/v1/people/not-a-uuid")).send().await.unwrap();
        assert_eq!(unknown.status(), 404);

        for i in 0..4 {
            let r = http
                .post(app.url("/api/v1/people"))
                .json(&json!({"name": format!("Person {i}"), "email": format!("p{i}@example.com")}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
        }
        // admin (created by the test kit) + Grace + 4, in pages of two that follow `next`.
        let first = http.get(app.url("/api/v1/people?per_page=2&sort=name")).send().await.unwrap();
        let link = first.headers()["link"].to_str().unwrap().to_string();
        let first = json_of(first).await;
        assert_eq!((first["total"].as_u64(), first["items"].as_array().unwrap().len()), (Some(6), 2), "{backend:?}");
        let next = first["next"].as_str().unwrap();
        assert_eq!(link, format!("<{next}>; rel=\"next\""));
        let second = json_of(http.get(app.url(next)).send().await.unwrap()).await;
        let names =
            |p: &Value| p["items"].as_array().unwrap().iter().map(|i| i["name"].to_string()).collect::<Vec<_>>();
        assert_eq!(names(&second).len(), 2);
        assert!(names(&second).iter().all(|n| !names(&first).contains(n)), "the next page continues the first");
        let third = json_of(http.get(app.url(second["next"].as_str().unwrap())).send().await.unwrap()).await;
        assert_eq!((names(&third).len(), third["next"].is_null()), (2, true), "the last page has no next");
        let bad_cursor = http.get(app.url("/api/v1/people?after=not-a-cursor")).send().await.unwrap();
        assert_eq!(bad_cursor.status(), 404, "a cursor names a place in the list, and this one none");

        let id = grace["id"].as_str().unwrap();
        let updated = http
            .put(app.url(&format!("/api/v1/people/{id}")))
            .json(&json!({"name": "Grace Brewster Hopper", "email": "grace@example.com", "status": "offboarding"}))
            .send()
            .await
            .unwrap();
        assert_eq!(updated.status(), 200);
        let audit = json_of(
            http.get(app.url(&format!("/api/v1/audit?entity_type=person&entity_id={id}"))).send().await.unwrap(),
        )
        .await;
        let actions: Vec<_> =
            audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["person.update", "person.create"]);
        assert_eq!(audit["items"][0]["actor"], "admin@example.com");
        assert_eq!(audit["items"][0]["before"]["name"], "Grace Hopper");
        assert_eq!(audit["items"][0]["after"]["status"], "offboarding");

        let today =
            json_of(http.get(app.url(&format!("/api/v1/audit?entity_id={id}&from=2000-01-01"))).send().await.unwrap())
                .await;
        assert_eq!(today["total"], 2);
        let long_ago =
            json_of(http.get(app.url(&format!("/api/v1/audit?entity_id={id}&to=2000-01-01"))).send().await.unwrap())
                .await;
        assert_eq!(long_ago["total"], 0);
        let by_actor = json_of(
            http.get(app.url("/api/v1/audit?actor=admin@example.com&action=person.update")).send().await.unwrap(),
        )
        .await;
        assert_eq!(by_actor["total"], 1);
        let bad_time = http.get(app.url("/api/v1/audit?from=last-tuesday")).send().await.unwrap();
        assert_eq!(bad_time.status(), 422);
        assert_eq!(json_of(bad_time).await["errors"][0]["pointer"], "/from");

        let csv = http.get(app.url("/api/v1/people?format=csv&q=hopper")).send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let body = csv.text().await.unwrap();
        assert_eq!(body.lines().count(), 2, "{body}");
        assert!(body.contains("Grace Brewster Hopper,grace@example.com,employee,,offboarding"));
    }
}

#[tokio::test]
async fn api_tokens_are_shown_once_work_as_bearer_and_stop_when_revoked() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let user = app.signed_in("ada@example.com", &["employee"]).await;
        let created = user
            .http
            .post(app.url("/api/v1/tokens"))
            .json(&json!({"name": "laptop", "expires_days": 30}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let body = json_of(created).await;
        let token = body["token"].as_str().unwrap().to_string();
        let id = body["details"]["id"].as_str().unwrap().to_string();

        let bare = reqwest::Client::new();
        let me = bare.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(me.status(), 200);
        let me = json_of(me).await;
        assert_eq!((me["email"].as_str(), me["authenticated_via"].as_str()), (Some("ada@example.com"), Some("token")));

        // The use is recorded off the request path: wait until it has landed.
        let mut listed = Value::Null;
        for _ in 0..500 {
            listed = json_of(user.http.get(app.url("/api/v1/tokens")).send().await.unwrap()).await;
            if listed["items"][0]["last_used_at"].is_string() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(listed.to_string().find(&token).is_none(), "the list never shows the secret");
        assert_eq!(listed["total"], 1, "{listed}");
        assert!(listed["items"][0]["last_used_at"].is_string(), "the use is recorded: {listed}");

        let forged = bare.get(app.url("/api/v1/me")).bearer_auth(format!("{token}x")).send().await.unwrap();
        assert_eq!(forged.status(), 401);
        assert_eq!(forged.headers()["content-type"], "application/problem+json");

        let revoked = bare.delete(app.url(&format!("/api/v1/tokens/{id}"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(revoked.status(), 200);
        assert_eq!(
            bare.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().status(),
            401,
            "{backend:?}"
        );

        // Someone else's token is not even visible.
        let other = app.signed_in("bob@example.com", &["employee"]).await;
        let theirs =
            json_of(other.http.post(app.url("/api/v1/tokens")).json(&json!({"name": "x"})).send().await.unwrap()).await;
        let their_id = theirs["details"]["id"].as_str().unwrap();
        let r = user.http.delete(app.url(&format!("/api/v1/tokens/{their_id}"))).send().await.unwrap();
        assert_eq!(r.status(), 404);
    }
}

#[tokio::test]
async fn accounts_api_creates_with_a_set_password_link_and_guards_the_last_admin() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let r = admin
        .http
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"email": "new@example.com", "name": "New Person", "roles": ["auditor", "employee"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body = json_of(r).await;
    assert_eq!(body["account"]["roles"], json!(["auditor", "employee"]));
    let link = body["set_password_url"].as_str().unwrap();
    assert!(link.starts_with(&app.url("/set-password/")));

    let bad_role = admin
        .http
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"email": "x@example.com", "name": "X", "roles": ["wizard"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_role.status(), 422);
    assert!(json_of(bad_role).await["errors"][0]["detail"].as_str().unwrap().contains("wizard"));

    let me = json_of(admin.http.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    let my_id = me["account_id"].as_str().unwrap();
    let demote = admin
        .http
        .put(app.url(&format!("/api/v1/accounts/{my_id}")))
        .json(&json!({"roles": ["employee"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(demote.status(), 422, "an admin cannot remove their own admin role");
}

#[tokio::test]
async fn errors_and_pages_carry_the_security_headers() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in ["/login", "/api/v1/me", "/no-such-page", "/healthz"] {
        let res = app.client().get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
    }
    let ready = app.client().get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let metrics = admin.text("/metrics").await;
    assert!(
        metrics.contains("bulwark_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("bulwark_http_request_duration_seconds_bucket"));
    let spec: Value = app.client().get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/api/v1/people", "/api/v1/tokens/{id}", "/api/v1/audit", "/api/v1/me"] {
        assert!(spec["paths"][path].is_object(), "{path} documented");
    }
    let docs = app.client().get("/api/docs/").await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn a_session_from_one_instance_works_on_another_sharing_postgres() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let first = spawn_app(Backend::Postgres).await;
    let second = first.second_instance().await;
    let client = first.signed_in("ada@example.com", &["security"]).await;
    let cookie = client.http.get(first.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(cookie.status(), 200);
    // The same cookie jar, now talking to the other instance.
    let on_second = client.http.get(second.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(on_second.status(), 200);
    assert_eq!(json_of(on_second).await["email"], "ada@example.com");
    let created = client
        .http
        .post(second.url("/api/v1/people"))
        .json(&json!({"name": "Via Second", "email": "second@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let listed = json_of(client.http.get(first.url("/api/v1/people?q=second")).send().await.unwrap()).await;
    assert_eq!(listed["total"], 1);
    second.stop().await;
    first.stop().await;
}

#[tokio::test]
async fn exports_stream_every_match_across_pages_as_csv_and_json() {
    use bulwark_core::organisation::people::{Person, PersonKind, PersonStatus};
    for backend in backends() {
        let app = spawn_app(backend).await;
        let admin = app.signed_in("admin@example.com", &["admin"]).await;
        // More people than one export page (500) holds, written at once as an import would.
        let now = bulwark_core::time_util::now();
        let people: Vec<Person> = (0..1234)
            .map(|i| Person {
                id: bulwark_core::ids::PersonId::new(),
                name: format!("Zoë Export {i:04}"),
                email: format!("export{i}@example.com"),
                kind: PersonKind::Employee,
                department_id: None,
                department_name: None,
                status: if i % 2 == 0 { PersonStatus::Active } else { PersonStatus::Left },
                created_at: now,
                updated_at: now,
            })
            .collect();
        let store: &dyn bulwark_core::Store = app.store();
        let mut tx = store.write().await.unwrap();
        tx.import_directory(&[], &people).await.unwrap();
        tx.audit(bulwark_core::audit::AuditRecord::new(
            &bulwark_core::Actor::cli(),
            now,
            "directory.import",
            "directory",
            "test",
            None::<&()>,
            None::<&()>,
        ));
        tx.commit().await.unwrap();

        let csv = admin.text("/people/export.csv?q=export").await;
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows[0], "id,name,email,kind,department,status,created_at");
        assert_eq!(rows.len(), 1 + 1234, "every match, across three pages, on {backend:?}");
        let left = admin.text("/api/v1/people?format=csv&status=left&q=export").await;
        assert_eq!(left.lines().count(), 1 + 617, "filters apply to exports on {backend:?}");

        let json: Value = admin.get("/people/export.json?q=export&sort=name&dir=desc").await.json().await.unwrap();
        let items = json.as_array().unwrap();
        assert_eq!(items.len(), 1234, "{backend:?}");
        assert_eq!(items[0]["name"], "Zoë Export 1233", "sorted as asked on {backend:?}");
        assert_eq!(items[0]["status"], "left");
    }
}

#[tokio::test]
async fn accounts_page_by_cursor_and_search_in_any_case() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    for (name, email) in
        [("Zoë Ørsted", "zoe@example.com"), ("Łukasz Nowak", "lukasz@example.com"), ("李雷", "li@example.com")]
    {
        let body = json!({"email": email, "name": name, "roles": ["employee"]});
        assert_eq!(admin.api_post("/api/v1/accounts", &body).await.status(), 201);
    }
    let first = json_of(admin.get("/api/v1/accounts?per_page=2&sort=email").await).await;
    assert_eq!((first["total"].as_u64(), first["items"].as_array().unwrap().len()), (Some(4), 2));
    let second = json_of(admin.get(first["next"].as_str().unwrap()).await).await;
    let emails = |p: &Value| p["items"].as_array().unwrap().iter().map(|a| a["email"].to_string()).collect::<Vec<_>>();
    assert_eq!(emails(&second), ["\"lukasz@example.com\"", "\"zoe@example.com\""], "byte order by e-mail");
    assert!(second["next"].is_null());
    let found = json_of(admin.get("/api/v1/accounts?q=%C3%98RSTED").await).await;
    assert_eq!(emails(&found), ["\"zoe@example.com\""], "Ø finds ø");
    let page = admin.text("/accounts?q=%C5%81UKASZ").await;
    assert!(page.contains("Łukasz Nowak") && !page.contains("Zoë Ørsted"));
    let csv = admin.text("/accounts/export.csv?q=example").await;
    assert_eq!(csv.lines().count(), 1 + 4, "{csv}");
    assert!(csv.contains("Zoë Ørsted,zoe@example.com,employee,active,"));
    let json: Value = admin.get("/accounts/export.json?q=%C5%81ukasz").await.json().await.unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["email"], "lukasz@example.com");
}

#[tokio::test]
async fn the_audit_log_exports_every_matching_entry_as_evidence() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let auditor = app.signed_in("auditor@example.com", &["auditor"]).await;
        let store: &dyn bulwark_core::Store = app.store();
        let mut tx = store.write().await.unwrap();
        for i in 0..612 {
            tx.audit(bulwark_core::audit::AuditRecord::new(
                &bulwark_core::Actor::cli(),
                bulwark_core::time_util::now(),
                "test.bulk",
                "test",
                format!("=cmd|{i}"),
                None::<&()>,
                Some(&json!({"i": i})),
            ));
        }
        tx.commit().await.unwrap();
        let csv = auditor.text("/audit/export.csv?action=test.bulk").await;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "seq,at,actor_id,actor,action,entity_type,entity_id,before,after,prev_hash,hash");
        assert_eq!(lines.len(), 1 + 612, "every entry, across pages, on {backend:?}");
        assert!(lines[1].contains(",'=cmd|611,"), "newest first, formulas neutralised: {}", lines[1]);
        let json: Value = auditor.get("/audit/export.json?action=test.bulk").await.json().await.unwrap();
        let entries = json.as_array().unwrap();
        assert_eq!(entries.len(), 612, "{backend:?}");
        assert_eq!(entries[611]["entity_id"], "=cmd|0");
        assert_eq!(entries[0]["prev_hash"], entries[1]["hash"], "the chain links are exported");
    }
}

#[tokio::test]
async fn departments_areas_and_tokens_page_sort_and_export_through_the_list_engine() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let admin = app.signed_in("admin@example.com", &["admin"]).await;
        for name in ["Zoë's team", "=SUM(A1)", "Ärzte"] {
            assert_eq!(admin.api_post("/api/v1/departments", &json!({"name": name})).await.status(), 201);
        }
        let dept = json_of(admin.get("/api/v1/departments?sort=name&dir=desc&per_page=1").await).await;
        assert_eq!(dept["items"][0]["name"], "Ärzte", "byte order, descending, on {backend:?}");
        let res = admin.get("/api/v1/departments?sort=name&per_page=2").await;
        let link = res.headers()["link"].to_str().unwrap().to_string();
        let first = json_of(res).await;
        assert_eq!((first["total"].as_u64(), first["items"].as_array().unwrap().len()), (Some(3), 2));
        assert!(link.contains("rel=\"next\"") && link.contains(first["next"].as_str().unwrap()));
        let second = json_of(admin.get(first["next"].as_str().unwrap()).await).await;
        assert_eq!(second["items"][0]["name"], "Ärzte");
        assert!(second["next"].is_null());
        let bad = admin.get("/api/v1/departments?sort=height").await;
        assert_eq!(
            (bad.status().as_u16(), bad.headers()["content-type"].to_str().unwrap()),
            (422, "application/problem+json")
        );
        assert_eq!(admin.get("/api/v1/departments?after=garbage").await.status(), 404);

        let page = admin.text("/departments?sort=name&dir=desc").await;
        assert!(page.find("Ärzte").unwrap() < page.find("Zoë&#39;s team").unwrap(), "descending byte order");
        let csv = admin.text("/departments/export.csv?sort=name").await;
        assert_eq!(csv.lines().next(), Some("id,name,head,people,created_at"));
        assert!(csv.contains(",'=SUM(A1),"), "formulas are neutralised: {csv}");
        let json: Value = admin.get("/departments/export.json").await.json().await.unwrap();
        assert_eq!(json.as_array().unwrap().len(), 3);

        let areas = json_of(admin.get("/api/v1/areas?sort=members&per_page=10").await).await;
        assert_eq!(areas["total"].as_u64(), Some(4), "the default areas");
        assert_eq!(areas["items"][0]["members"], 0, "{areas}");
        let empty = admin.get("/api/v1/areas?per_page=&q=").await;
        assert_eq!(empty.status(), 422, "a page size given empty is named, as its schema says (a whole number)");
        assert!(empty.text().await.unwrap().contains("per_page"));
        let csv = admin.text("/areas/export.csv").await;
        assert!(csv.contains("Offensive security,"), "{csv}");

        for name in ["ci", "backup"] {
            assert_eq!(admin.api_post("/api/v1/tokens", &json!({"name": name})).await.status(), 201);
        }
        let tokens = json_of(admin.get("/api/v1/tokens?per_page=1").await).await;
        assert_eq!((tokens["total"].as_u64(), tokens["items"][0]["name"].as_str()), (Some(2), Some("backup")));
        let mine = admin.text("/profile/tokens/export.csv").await;
        assert_eq!(mine.lines().count(), 1 + 2, "{mine}");
        let other = app.signed_in("other@example.com", &["employee"]).await;
        assert_eq!(other.text("/profile/tokens/export.csv").await.lines().count(), 1, "only one's own tokens");
        let me = json_of(admin.get("/api/v1/me").await).await;
        let by_admin = admin.text(&format!("/accounts/{}/tokens/export.csv", me["account_id"].as_str().unwrap())).await;
        assert!(by_admin.contains(",ci,") && by_admin.contains(",backup,"), "{by_admin}");
        app.stop().await;
    }
}
