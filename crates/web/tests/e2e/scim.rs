//! SCIM provisioning as an identity provider drives it, on every backend: people created,
//! found by userName, filtered, sorted and paged, patched through value paths, guarded by
//! ETags, deactivated and deleted into offboarding (never deleted); departments as groups;
//! SCIM errors with their scimType; SCIM tokens that open SCIM and nothing else, created and
//! revoked by an admin on the page.

use bulwark_core::identity::scim::tokens;
use bulwark_core::{Actor, Store, time_util};
use bulwark_testkit::{TestApp, backends, spawn_app};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// An identity provider's side of the conversation.
struct Provider {
    http: reqwest::Client,
    base: String,
    token: String,
}

struct Answer {
    status: u16,
    etag: Option<String>,
    location: Option<String>,
    content_type: String,
    body: Value,
}

impl Provider {
    async fn new(app: &TestApp) -> Self {
        let (_, secret) = tokens::create(app.store(), &Actor::cli(), time_util::now(), "Okta").await.unwrap();
        Self { http: reqwest::Client::new(), base: app.url("/scim/v2"), token: secret.0 }
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Answer {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method.parse().unwrap(), url).bearer_auth(&self.token);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/scim+json").body(b.to_string());
        }
        let res = req.send().await.expect("request");
        let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let (status, etag, location) = (res.status().as_u16(), header("etag"), header("location"));
        let content_type = header("content-type").unwrap_or_default();
        let text = res.text().await.unwrap_or_default();
        Answer { status, etag, location, content_type, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None, &[]).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.send("POST", path, Some(body), &[]).await
    }

    async fn patch(&self, path: &str, ops: Value) -> Answer {
        self.send("PATCH", path, Some(json!({"schemas": [PATCH], "Operations": ops})), &[]).await
    }

    /// The ids of a list's resources, in order.
    async fn ids(&self, query: &str) -> (i64, Vec<String>) {
        let a = self.get(&format!("/Users?{query}")).await;
        assert_eq!(a.status, 200, "{query}: {}", a.body);
        let ids =
            a.body["Resources"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
        (a.body["totalResults"].as_i64().unwrap(), ids)
    }
}

fn user(user_name: &str, given: &str, family: &str) -> Value {
    json!({"schemas": [USER, ENTERPRISE], "userName": user_name, "name": {"givenName": given, "familyName": family},
           "emails": [{"value": user_name, "type": "work", "primary": true}], "active": true})
}

#[tokio::test]
async fn an_identity_provider_provisions_people_and_deactivation_starts_offboarding() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let idp = Provider::new(&app).await;
        let store: &dyn Store = app.store();

        let boss = idp.post("/Users", user("grace@example.com", "Grace", "Hopper")).await;
        assert_eq!(boss.status, 201, "{backend:?}: {}", boss.body);
        assert_eq!(boss.content_type, "application/scim+json");
        let boss_id = boss.body["id"].as_str().unwrap().to_string();
        assert_eq!(boss.location.as_deref(), boss.body["meta"]["location"].as_str());
        assert!(boss.location.unwrap().ends_with(&format!("/scim/v2/Users/{boss_id}")));

        let mut ada = user("Ada@Example.com", "Ada", "Lovelace");
        ada[ENTERPRISE] = json!({"department": "Research", "manager": {"value": boss_id}});
        ada["externalId"] = json!("00u-ada");
        let created = idp.post("/Users", ada.clone()).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_string();
        assert_eq!(created.body["displayName"], "Ada Lovelace");
        assert_eq!(created.body[ENTERPRISE]["manager"]["displayName"], "Grace Hopper");
        assert_eq!(created.body["groups"][0]["display"], "Research");
        // The person is in the directory, in the department the provider named (created).
        let person = store.read().await.unwrap().get_person(id.parse().unwrap()).await.unwrap();
        assert_eq!((person.email.as_str(), person.department_name.as_deref()), ("ada@example.com", Some("Research")));

        let again = idp.post("/Users", ada).await;
        assert_eq!((again.status, again.body["scimType"].as_str()), (409, Some("uniqueness")));

        // Looked up as providers do: userName in any case, from the index.
        let (total, found) = idp.ids("filter=userName%20eq%20%22ADA%40example.com%22").await;
        assert_eq!((total, found), (1, vec![id.clone()]));
        let (total, _) = idp.ids("filter=userName%20eq%20%22nobody%40example.com%22").await;
        assert_eq!(total, 0);
        for (filter, expected) in [
            (r#"name.familyName co "love" and active eq true"#, vec![id.clone()]),
            (r#"externalId eq "00u-ada""#, vec![id.clone()]),
            (r#"emails[type eq "work" and value ew "example.com"] and not (userName sw "grace")"#, vec![id.clone()]),
            (&format!(r#"{ENTERPRISE}:manager.value eq "{boss_id}""#), vec![id.clone()]),
            (
                r#"meta.created gt "2000-01-01T00:00:00Z" and (userName sw "g" or userName sw "zz")"#,
                vec![boss_id.clone()],
            ),
        ] {
            let q: String = url_encode(filter);
            assert_eq!(idp.ids(&format!("filter={q}")).await.1, expected, "{filter}");
        }
        // Sorted and paged.
        for n in 0..3 {
            assert_eq!(
                idp.post("/Users", user(&format!("z{n}@example.com"), "Zed", &format!("{n}"))).await.status,
                201
            );
        }
        let (total, page) = idp.ids("sortBy=userName&sortOrder=descending&startIndex=2&count=2").await;
        assert_eq!(total, 5);
        let names: Vec<String> = {
            let mut v = Vec::new();
            for p in &page {
                v.push(idp.get(&format!("/Users/{p}")).await.body["userName"].as_str().unwrap().to_string());
            }
            v
        };
        assert_eq!(names, ["z1@example.com", "z0@example.com"]);
        let only = idp.get("/Users?count=1&attributes=userName").await.body;
        assert_eq!((only["itemsPerPage"].as_i64(), only["totalResults"].as_i64()), (Some(1), Some(5)));
        let keys: Vec<&String> = only["Resources"][0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "schemas", "userName"]);
        let bad = idp.get("/Users?filter=userName%20zz%20%22a%22").await;
        assert_eq!((bad.status, bad.body["scimType"].as_str()), (400, Some("invalidFilter")));
        assert_eq!(bad.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");

        // ETags: a stale If-Match is refused, the current one accepted, If-None-Match saves a read.
        let current = idp.get(&format!("/Users/{id}")).await;
        let etag = current.etag.clone().expect("an ETag");
        assert_eq!(Some(etag.as_str()), current.body["meta"]["version"].as_str());
        let unchanged = idp.send("GET", &format!("/Users/{id}"), None, &[("if-none-match", &etag)]).await;
        assert_eq!(unchanged.status, 304);
        let ops = json!({"schemas": [PATCH], "Operations": [
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada.lovelace@example.com"},
            {"op": "add", "path": "name.familyName", "value": "King"},
            {"op": "replace", "path": "displayName", "value": "Ada King"}]});
        let stale = idp.send("PATCH", &format!("/Users/{id}"), Some(ops.clone()), &[("if-match", "W/\"1\"")]).await;
        assert_eq!(stale.status, 412);
        let patched = idp.send("PATCH", &format!("/Users/{id}"), Some(ops), &[("if-match", &etag)]).await;
        assert_eq!(patched.status, 200, "{}", patched.body);
        assert_ne!(patched.etag, Some(etag), "a change is a new version");
        let person = store.read().await.unwrap().get_person(id.parse().unwrap()).await.unwrap();
        assert_eq!((person.name.as_str(), person.email.as_str()), ("Ada King", "ada.lovelace@example.com"));
        let refused =
            idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "groups", "value": []}])).await;
        assert_eq!((refused.status, refused.body["scimType"].as_str()), (400, Some("mutability")));
        let bad_manager = idp
            .patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": format!("{ENTERPRISE}:manager"), "value": "nobody"}]),
            )
            .await;
        assert_eq!((bad_manager.status, bad_manager.body["scimType"].as_str()), (400, Some("invalidValue")));

        // Deactivation starts the offboarding; nothing is deleted.
        let off =
            idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "active", "value": "False"}])).await;
        assert_eq!((off.status, &off.body["active"]), (200, &json!(false)));
        let offboardings =
            bulwark_core::organisation::lifecycle::of_person(store, &Actor::cli(), id.parse().unwrap()).await.unwrap();
        assert_eq!(offboardings.1.len(), 1, "{backend:?}: one offboarding started");
        let back =
            idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "active", "value": true}])).await;
        assert_eq!((back.status, &back.body["active"]), (200, &json!(true)), "reactivated: {}", back.body);
        let offboardings =
            bulwark_core::organisation::lifecycle::of_person(store, &Actor::cli(), id.parse().unwrap()).await.unwrap();
        assert!(offboardings.1[0].closed_at.is_some(), "{backend:?}: the offboarding is cancelled");

        // DELETE: gone from SCIM (404), the person stays, offboarding.
        let z0 = &page[1];
        let deleted = idp.send("DELETE", &format!("/Users/{z0}"), None, &[]).await;
        assert_eq!(deleted.status, 204);
        assert_eq!(idp.get(&format!("/Users/{z0}")).await.status, 404);
        assert_eq!(idp.send("DELETE", &format!("/Users/{z0}"), None, &[]).await.status, 404);
        assert_eq!(idp.ids("").await.0, 4, "deleted Users are not listed");
        assert_eq!(idp.ids("filter=userName%20eq%20%22z0%40example.com%22").await.0, 0);
        let kept = store.read().await.unwrap().get_person(z0.parse().unwrap()).await.unwrap();
        assert_eq!(kept.status.as_str(), "offboarding", "the person and their history stay");

        // Errors in the SCIM schema, 4xx, never 5xx.
        for (body, scim_type) in [
            (json!({"not": "a user"}), "invalidValue"),
            (json!({"schemas": [USER]}), "invalidValue"),
            (
                json!({"schemas": [USER], "userName": "x".repeat(300), "emails": [{"value": "x@example.com"}]}),
                "invalidValue",
            ),
            (json!({"schemas": [USER], "userName": "jdoe"}), "invalidValue"),
            (json!({"schemas": [USER], "userName": "j@example.com", "userType": "Robot"}), "invalidValue"),
            (json!({"schemas": [USER], "userName": "j@example.com", "active": 3}), "invalidValue"),
        ] {
            let a = idp.post("/Users", body.clone()).await;
            assert_eq!((a.status, a.body["scimType"].as_str()), (400, Some(scim_type)), "{body}: {}", a.body);
        }
        let garbage =
            idp.http.post(format!("{}/Users", idp.base)).bearer_auth(&idp.token).body("{nope").send().await.unwrap();
        assert_eq!(garbage.status(), 400);
        assert_eq!(garbage.json::<Value>().await.unwrap()["scimType"], "invalidSyntax");
        assert_eq!(idp.get("/Users/not-an-id").await.status, 404);
        assert_eq!(idp.get("/Nope").await.body["status"], "404");

        assert!(app.db.store.verify_audit_chain().await.unwrap().is_ok(), "{backend:?}");
    }
}

#[tokio::test]
async fn groups_are_departments_and_members_move_between_them() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let idp = Provider::new(&app).await;
        let store: &dyn Store = app.store();
        let mut ids = Vec::new();
        for name in ["ann", "bob", "cy"] {
            ids.push(
                idp.post("/Users", user(&format!("{name}@example.com"), name, "X")).await.body["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        let dept_of = |id: String| async move {
            store.read().await.unwrap().get_person(id.parse().unwrap()).await.unwrap().department_name
        };

        let g = idp
            .post(
                "/Groups",
                json!({"schemas": [GROUP], "displayName": "Sales",
                "members": [{"value": ids[0]}, {"value": ids[1]}, {"value": "not-a-user"}]}),
            )
            .await;
        assert_eq!(g.status, 201, "{backend:?}: {}", g.body);
        let gid = g.body["id"].as_str().unwrap().to_string();
        assert_eq!(g.body["members"].as_array().unwrap().len(), 2, "unknown members are ignored");
        assert_eq!(dept_of(ids[0].clone()).await.as_deref(), Some("Sales"));
        let taken = idp.post("/Groups", json!({"schemas": [GROUP], "displayName": "sales"})).await;
        assert_eq!((taken.status, taken.body["scimType"].as_str()), (409, Some("uniqueness")));

        let path = format!("/Groups/{gid}");
        let removed =
            idp.patch(&path, json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", ids[0])}])).await;
        assert_eq!(removed.status, 200, "{}", removed.body);
        assert_eq!(dept_of(ids[0].clone()).await, None);
        let added = idp
            .patch(
                &path,
                json!([{"op": "Add", "path": "members", "value": [{"value": ids[2]}]},
            {"op": "replace", "path": "displayName", "value": "Sales EMEA"}]),
            )
            .await;
        assert_eq!(added.body["displayName"], "Sales EMEA");
        assert_eq!(dept_of(ids[2].clone()).await.as_deref(), Some("Sales EMEA"));
        let listed = idp.get("/Groups?filter=displayName%20eq%20%22sales%20emea%22&excludedAttributes=members").await;
        assert_eq!(listed.body["totalResults"], 1);
        assert!(listed.body["Resources"][0].get("members").is_none());
        let user_view = idp.get(&format!("/Users/{}", ids[2])).await;
        assert_eq!(user_view.body["groups"][0]["value"], gid.as_str());

        // PUT states the whole group: members left out leave.
        let put = idp
            .send(
                "PUT",
                &path,
                Some(json!({"schemas": [GROUP], "displayName": "Sales", "members": [{"value": ids[1]}]})),
                &[],
            )
            .await;
        assert_eq!(put.status, 200, "{}", put.body);
        assert_eq!(dept_of(ids[2].clone()).await, None);
        assert_eq!(dept_of(ids[1].clone()).await.as_deref(), Some("Sales"));

        // DELETE: the people leave it, it is gone from SCIM, its name is free again.
        assert_eq!(idp.send("DELETE", &path, None, &[]).await.status, 204);
        assert_eq!(idp.get(&path).await.status, 404);
        assert_eq!(dept_of(ids[1].clone()).await, None);
        let department = store.read().await.unwrap().get_department(gid.parse().unwrap()).await.unwrap();
        assert!(department.name.starts_with("Sales (removed "), "the department stays: {}", department.name);
        let again = idp.post("/Groups", json!({"schemas": [GROUP], "displayName": "Sales"})).await;
        assert_eq!(again.status, 201);
        assert_ne!(again.body["id"], gid.as_str());
        assert!(app.db.store.verify_audit_chain().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn scim_tokens_open_scim_only_and_an_admin_creates_and_revokes_them_on_the_page() {
    let app = spawn_app(bulwark_testkit::Backend::Sqlite).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    let page = admin.text("/scim-tokens").await;
    assert!(page.contains(&app.url("/scim/v2")), "the page names the endpoint");
    let blank = admin.post_form("/scim-tokens", "/scim-tokens", &[("name", "")]).await;
    assert_eq!(blank.status(), 422);
    let created = admin.post_form("/scim-tokens", "/scim-tokens", &[("name", "Entra ID")]).await;
    assert_eq!(created.status(), 200);
    let shown = created.text().await.unwrap();
    let token = shown.split("id=\"new-token-value\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
    assert!(token.starts_with("bws_"));
    assert!(!admin.text("/scim-tokens").await.contains(&token), "shown once");

    let http = reqwest::Client::new();
    let scim = |t: &str| http.get(app.url("/scim/v2/Users")).bearer_auth(t.to_string()).send();
    assert_eq!(scim(&token).await.unwrap().status(), 200);
    // Not the API, not the pages.
    let api = http.get(app.url("/api/v1/people")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(api.status(), 401);
    // An API token, even an admin's, does not open SCIM; nor does a signed-in session.
    let account =
        app.store().read().await.unwrap().find_account_by_email("admin@example.com").await.unwrap().unwrap().0;
    let input = bulwark_core::identity::accounts::NewTokenInput { name: "x".into(), expires_days: None };
    let owner = account.actor(bulwark_core::access::Via::Session);
    let (_, api_token) =
        bulwark_core::identity::accounts::create_token(app.store(), &owner, time_util::now(), &input).await.unwrap();
    assert_eq!(scim(&api_token.0).await.unwrap().status(), 401);
    let by_session = admin.get("/scim/v2/Users").await;
    assert_eq!(by_session.status(), 401);
    assert_eq!(by_session.headers()["content-type"], "application/scim+json");

    let listed = tokens::list(app.store(), &Actor::cli()).await.unwrap();
    let id = listed.iter().find(|t| t.name == "Entra ID").unwrap().id;
    let revoked = admin.post_form(&format!("/scim-tokens/{id}/revoke"), "/scim-tokens", &[]).await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(scim(&token).await.unwrap().status(), 401, "a revoked token is refused");
    let employee = app.signed_in("emp@example.com", &["employee"]).await;
    assert_eq!(employee.get("/scim-tokens").await.status(), 403);
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn hostile_scim_requests_get_a_scim_error_never_a_server_error() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let idp = Provider::new(&app).await;
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let members: Vec<Value> = (0..20_001).map(|i| json!({"value": format!("m{i}")})).collect();
        // An attribute path whose "]" comes before its "[" (the fuzz test found it panicking).
        let backwards_path = format!("{USER}:userName]{USER}:userName[");
        let backwards = url_encode(&backwards_path);
        let cases: Vec<(&str, String, Option<String>)> = vec![
            ("GET", format!("/Users?sortBy={backwards}"), None),
            ("GET", format!("/Users?attributes={backwards}"), None),
            ("GET", "/Users?filter=userName%20eq%20%22a%5Cu0000b%22".into(), None),
            ("GET", "/Users?filter=displayName%20eq%20%22a%5Cu0000b%22".into(), None),
            ("GET", format!("/Users?filter={}", "(".repeat(100)), None),
            ("GET", "/Users?startIndex=99999999999999999999".into(), None),
            ("GET", "/Users?count=-5&startIndex=-5".into(), None),
            ("GET", "/Groups?sortBy=members.value&attributes=%5B".into(), None),
            ("POST", "/Users".into(), Some(deep)),
            ("POST", "/Users".into(), Some("[]".into())),
            ("POST", "/Users".into(), Some(json!({"schemas": [USER], "userName": "a\u{0}b@example.com"}).to_string())),
            (
                "POST",
                "/Users".into(),
                Some(json!({"schemas": [USER], "userName": "n@example.com", "displayName": "x\u{0}"}).to_string()),
            ),
            (
                "POST",
                "/Users".into(),
                Some(
                    json!({"schemas": [USER], "userName": "e@example.com", "externalId": "x".repeat(5000)}).to_string(),
                ),
            ),
            (
                "POST",
                "/Users".into(),
                Some(
                    json!({"schemas": [USER], "userName": "d@example.com", ENTERPRISE: {"department": "\u{0}"}})
                        .to_string(),
                ),
            ),
            (
                "POST",
                "/Groups".into(),
                Some(json!({"schemas": [GROUP], "displayName": "Big", "members": members}).to_string()),
            ),
            ("POST", "/Groups".into(), Some(json!({"schemas": [GROUP], "displayName": "x".repeat(500)}).to_string())),
            (
                "POST",
                "/Users/.search".into(),
                Some(
                    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": "x"})
                        .to_string(),
                ),
            ),
            (
                "POST",
                "/Users".into(),
                Some(format!("{{\"schemas\":[\"{USER}\"],\"userName\":\"{}\"}}", "x".repeat(2 * 1024 * 1024))),
            ),
        ];
        for (method, path, body) in cases {
            let url = format!("{}{path}", idp.base);
            let mut req = idp.http.request(method.parse().unwrap(), url).bearer_auth(&idp.token);
            if let Some(b) = body {
                req = req.header("content-type", "application/scim+json").body(b);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert!((200..500).contains(&status), "{backend:?} {method} {path:.80}: {status} {body}");
            if status >= 400 {
                assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{method} {path:.80}");
            }
        }
        let created = idp.post("/Users", user("brackets@example.com", "Bra", "Ckets")).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["id"].as_str().unwrap();
        let patch = json!([{"op": "replace", "path": backwards_path, "value": "x"}]);
        let refused = idp.patch(&format!("/Users/{id}"), patch).await;
        assert_eq!((refused.status, refused.body["scimType"].as_str()), (400, Some("invalidPath")), "{}", refused.body);
    }
}

/// What a deprovisioned person can still do: nothing, from the request on.
async fn locked_out(app: &TestApp, session: &bulwark_testkit::TestClient, token: &str, email: &str) {
    assert_eq!(session.get("/api/v1/me").await.status(), 401, "{email}: the session ended");
    let bare = reqwest::Client::new();
    let by_token = bare.get(app.url("/api/v1/me")).bearer_auth(token).send().await.unwrap();
    assert_eq!(by_token.status(), 401, "{email}: the token stopped working");
    let login = app.client().login(email, bulwark_testkit::PASSWORD).await;
    assert_ne!(login.status(), 303, "{email}: the password is refused");
}

#[tokio::test]
async fn deprovisioning_ends_access_at_once_and_reactivation_gives_sign_in_back() {
    for backend in backends() {
        let start = time::OffsetDateTime::from_unix_timestamp(1_795_000_020).unwrap();
        let clock = std::sync::Arc::new(bulwark_core::clock::ManualClock::new(start));
        let app = bulwark_testkit::spawn_app_with(backend, |c| c.clock = clock.clone()).await;
        let idp = Provider::new(&app).await;
        let admin = app.signed_in("root@example.com", &["admin"]).await;
        let mut people = Vec::new();
        for email in
            ["patch@example.com", "put@example.com", "delete@example.com", "disabled@example.com", "left@example.com"]
        {
            let session = app.signed_in(email, &["security"]).await;
            let created: Value = session.api_post("/api/v1/tokens", &json!({"name": "ci"})).await.json().await.unwrap();
            let token = created["token"].as_str().unwrap().to_string();
            let me: Value = session.get("/api/v1/me").await.json().await.unwrap();
            assert_eq!(
                reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().status(),
                200
            );
            people.push((email, session, token, me));
        }
        let person = |i: usize| people[i].3["person_id"].as_str().unwrap().to_string();

        // SCIM PATCH active: false.
        let off = idp
            .patch(&format!("/Users/{}", person(0)), json!([{"op": "replace", "path": "active", "value": false}]))
            .await;
        assert_eq!(off.status, 200, "{}", off.body);
        locked_out(&app, &people[0].1, &people[0].2, people[0].0).await;
        // SCIM PUT with active: false.
        let mut user_json = idp.get(&format!("/Users/{}", person(1))).await.body;
        user_json["active"] = json!(false);
        let put = idp.send("PUT", &format!("/Users/{}", person(1)), Some(user_json), &[]).await;
        assert_eq!(put.status, 200, "{}", put.body);
        locked_out(&app, &people[1].1, &people[1].2, people[1].0).await;
        // SCIM DELETE.
        assert_eq!(idp.send("DELETE", &format!("/Users/{}", person(2)), None, &[]).await.status, 204);
        locked_out(&app, &people[2].1, &people[2].2, people[2].0).await;
        // An admin disables the account.
        let account = people[3].3["account_id"].as_str().unwrap();
        let roles = json!(["security"]);
        let res = admin
            .api_put(&format!("/api/v1/accounts/{account}"), &json!({"roles": roles, "status": "disabled"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        locked_out(&app, &people[3].1, &people[3].2, people[3].0).await;
        let res = admin
            .api_put(&format!("/api/v1/accounts/{account}"), &json!({"roles": roles, "status": "active"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let revived = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&people[3].2).send().await.unwrap();
        assert_eq!(revived.status(), 401, "re-enabling the account does not revive its tokens");
        // An admin marks the person as left.
        let mut p: Value = admin.get(&format!("/api/v1/people/{}", person(4))).await.json().await.unwrap();
        p["status"] = json!("left");
        let res = admin.api_put(&format!("/api/v1/people/{}", person(4)), &p).send().await.unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        locked_out(&app, &people[4].1, &people[4].2, people[4].0).await;

        // The identity provider brings the first one back: password sign-in works, the token not.
        let back = idp
            .patch(&format!("/Users/{}", person(0)), json!([{"op": "replace", "path": "active", "value": true}]))
            .await;
        assert_eq!((back.status, &back.body["active"]), (200, &json!(true)), "{}", back.body);
        clock.advance(time::Duration::minutes(1)); // the authenticator shows its next code
        let again = app.client();
        app.sign_in(&again, people[0].0, bulwark_testkit::PASSWORD).await;
        assert_eq!(again.get("/api/v1/me").await.status(), 200);
        let old = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&people[0].2).send().await.unwrap();
        assert_eq!(old.status(), 401, "{backend:?}: revoked tokens stay revoked");
        assert!(app.db.store.verify_audit_chain().await.unwrap().is_ok(), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_directory_sync_cannot_repoint_a_privileged_sign_in_email() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let idp = Provider::new(&app).await;
        let admin = app.signed_in("root@example.com", &["admin"]).await;
        let security = app.signed_in("sec@example.com", &["security"]).await;
        let me: Value = admin.get("/api/v1/me").await.json().await.unwrap();
        let id = me["person_id"].as_str().unwrap();
        let moved = idp.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "emails", "value": [{"value": "attacker@example.net", "primary": true}]}])).await;
        assert_eq!((moved.status, moved.body["scimType"].as_str()), (400, Some("mutability")), "{}", moved.body);
        // Neither can someone who edits the directory without being an admin.
        let mut p: Value = security.get(&format!("/api/v1/people/{id}")).await.json().await.unwrap();
        p["email"] = json!("attacker@example.net");
        let res = security.api_put(&format!("/api/v1/people/{id}"), &p).send().await.unwrap();
        assert_eq!(res.status(), 422, "{backend:?}");
        let after = store_email(&app, "root@example.com").await;
        assert!(after, "{backend:?}: the admin still signs in with their own address");
        // An admin may change it; an employee's address follows the directory.
        let res = admin
            .api_put(
                &format!("/api/v1/people/{id}"),
                &json!({"name": "root", "email": "root2@example.com", "status": "active"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let employee = app.signed_in("emp@example.com", &["employee"]).await;
        let me: Value = employee.get("/api/v1/me").await.json().await.unwrap();
        let eid = me["person_id"].as_str().unwrap();
        let moved = idp
            .patch(
                &format!("/Users/{eid}"),
                json!([{"op": "replace", "path": "emails", "value": [{"value": "emp2@example.com", "primary": true}]}]),
            )
            .await;
        assert_eq!(moved.status, 200, "{}", moved.body);
        assert!(store_email(&app, "emp2@example.com").await);
        app.stop().await;
    }
}

async fn store_email(app: &TestApp, email: &str) -> bool {
    app.store().read().await.unwrap().find_account_by_email(email).await.unwrap().is_some()
}
