//! Policies end to end: written by the security team, ratified by management (never by the
//! person who sent the version for review), published with its hash, read by everyone, and
//! changed only through a new version.

use bulwark_testkit::{backends, spawn_app};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn json_of(res: reqwest::Response) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    serde_json::from_str(&body).unwrap()
}

const TEXT: &str = "# Cryptography\n\nKeys are rotated **yearly**.\n\n<script>alert(1)</script>\n";

#[tokio::test]
async fn a_policy_goes_from_draft_to_published_with_four_eyes_and_everyone_reads_it() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let security = app.signed_in("sec@example.com", &["security"]).await;
        let ceo = app.signed_in("ceo@example.com", &["management"]).await;
        let employee = app.signed_in("emp@example.com", &["employee"]).await;

        let body = json!({"title": "Cryptography and key management", "body": TEXT, "review_months": 12});
        let created = json_of(security.api_post("/api/v1/policies", &body).await).await;
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(created["versions"][0]["status"], "draft");
        assert_eq!(json_of(employee.get("/api/v1/policies").await).await["total"], 0, "drafts are not for everyone");
        assert_eq!(employee.get(&format!("/api/v1/policies/{id}")).await.status(), 404);

        let step = |who: &bulwark_testkit::TestClient, n: i64, s: &str| {
            let url = who.url(&format!("/api/v1/policies/{id}/versions/{n}/{s}"));
            who.http.post(url).send()
        };
        assert_eq!(step(&security, 1, "ratify").await.unwrap().status(), 403, "writers do not ratify");
        assert_eq!(step(&security, 1, "publish").await.unwrap().status(), 409, "a draft cannot be published");
        assert_eq!(step(&security, 1, "submit").await.unwrap().status(), 200);
        let admin = app.signed_in("admin@example.com", &["admin"]).await;
        assert_eq!(step(&admin, 1, "submit").await.unwrap().status(), 409, "already in review");
        // The submitter cannot ratify their own request, even as an admin who may ratify.
        let self_review = app.signed_in("both@example.com", &["admin"]).await;
        let second = json!({"title": "Second", "body": "text"});
        let second_id =
            json_of(self_review.api_post("/api/v1/policies", &second).await).await["id"].as_str().unwrap().to_string();
        let url = |s: &str| self_review.url(&format!("/api/v1/policies/{second_id}/versions/1/{s}"));
        assert_eq!(self_review.http.post(url("submit")).send().await.unwrap().status(), 200);
        let refused = self_review.http.post(url("ratify")).send().await.unwrap();
        assert_eq!(refused.status(), 409, "four eyes: a conflict with who asked");
        assert!(refused.text().await.unwrap().contains("someone other than"), "four-eyes");

        assert_eq!(step(&ceo, 1, "ratify").await.unwrap().status(), 200);
        let published = json_of(step(&security, 1, "publish").await.unwrap()).await;
        assert_eq!(published["status"], "published");
        assert_eq!(published["content_hash"], hex::encode(Sha256::digest(TEXT.as_bytes())), "{backend:?}");

        let seen = json_of(employee.get("/api/v1/policies").await).await;
        assert_eq!((seen["total"].as_u64(), seen["items"][0]["published_version"].as_i64()), (Some(1), Some(1)));
        let page = employee.text(&format!("/policies/{id}")).await;
        assert!(page.contains("<h1>Cryptography</h1>") && page.contains("<strong>yearly</strong>"), "rendered");
        assert!(!page.contains("<script>alert"), "sanitized");
        assert!(!page.contains("Send for review") && !page.contains(">Edit<"), "no writer actions for an employee");

        // Editing the published policy starts version 2; a stale If-Match is refused.
        let current = security.get(&format!("/api/v1/policies/{id}")).await;
        let etag = current.headers()["etag"].to_str().unwrap().to_string();
        let edit = json!({"title": "Cryptography and key management", "body": "# Cryptography\n\nKeys are rotated **quarterly**.\n"});
        let stale = security
            .api_put(&format!("/api/v1/policies/{id}"), &edit)
            .header("if-match", "\"1\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 412);
        let saved = json_of(
            security.api_put(&format!("/api/v1/policies/{id}"), &edit).header("if-match", &etag).send().await.unwrap(),
        )
        .await;
        let states: Vec<_> =
            saved["versions"].as_array().unwrap().iter().map(|v| v["status"].as_str().unwrap().to_string()).collect();
        assert_eq!(states, ["draft", "published"]);
        assert_eq!(step(&security, 2, "submit").await.unwrap().status(), 200);
        // Version 2 is ratified through the approvals API: the request is in the CEO's tasks.
        let pending = json_of(ceo.get("/api/v1/approvals").await).await;
        let request = pending["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == "Ratify Cryptography and key management, version 2")
            .expect("the ratification request")
            .clone();
        let rid = request["id"].as_str().unwrap();
        let dashboard = ceo.text("/").await;
        assert!(
            dashboard.contains("Waiting for a decision") && dashboard.contains(&format!("/approvals/{rid}")),
            "{dashboard}"
        );
        let tasks = json_of(ceo.get("/api/v1/me/tasks?state=open").await).await;
        assert!(tasks["items"].as_array().unwrap().iter().any(|t| t["link"] == format!("/approvals/{rid}")), "{tasks}");
        assert!(
            json_of(employee.get("/api/v1/approvals?all=true").await).await["items"].as_array().unwrap().is_empty()
        );
        assert_eq!(employee.get(&format!("/api/v1/approvals/{rid}")).await.status(), 404);
        let decide = |who: &bulwark_testkit::TestClient, body: Value| {
            who.http.post(who.url(&format!("/api/v1/approvals/{rid}/decision"))).json(&body).send()
        };
        // The ratifier sees what they ratify: the changes from the published version.
        let asked = ceo.text(&format!("/approvals/{rid}")).await;
        assert!(
            asked.contains(r#"<span class="added">+ Keys are rotated **quarterly**."#),
            "{backend:?}: {asked:.3000}"
        );
        assert!(asked.contains(r#"<span class="removed">- Keys are rotated **yearly**."#));
        let own = decide(&security, json!({"decision": "approve"})).await.unwrap();
        assert_eq!(own.status(), 409, "the requester never decides: a conflict with who asked");
        let bare = decide(&ceo, json!({"decision": "reject"})).await.unwrap();
        assert_eq!(bare.status(), 422, "a rejection says why");
        let decided =
            json_of(decide(&ceo, json!({"decision": "approve", "comment": "Quarterly is right."})).await.unwrap())
                .await;
        assert_eq!(
            (decided["state"].as_str(), decided["decisions"][0]["comment"].as_str()),
            (Some("approved"), Some("Quarterly is right."))
        );
        assert_eq!(decide(&ceo, json!({"decision": "approve"})).await.unwrap().status(), 409, "decided once");
        assert!(ceo.text(&format!("/approvals/{rid}")).await.contains("Quarterly is right."));
        assert_eq!(step(&security, 2, "publish").await.unwrap().status(), 200);
        let after = json_of(employee.get(&format!("/api/v1/policies/{id}")).await).await;
        let numbers: Vec<_> =
            after["versions"].as_array().unwrap().iter().map(|v| v["number"].as_i64().unwrap()).collect();
        assert_eq!(numbers, [2], "an employee sees the published version only");
        let all = json_of(security.get(&format!("/api/v1/policies/{id}")).await).await;
        assert_eq!(all["versions"][1]["status"], "superseded");
        let diff = security.text(&format!("/policies/{id}/versions/2?compare=1")).await;
        assert!(diff.contains(r#"<span class="removed">- Keys are rotated **yearly**."#), "{diff}");
        assert!(diff.contains(r#"<span class="added">+ Keys are rotated **quarterly**."#));
        // An employee follows the "changes" link too: what was once published stays readable.
        let theirs = employee.get(&format!("/policies/{id}/versions/2?compare=1")).await;
        assert_eq!(theirs.status(), 200, "{backend:?}");
        assert!(theirs.text().await.unwrap().contains(r#"<span class="added">+ Keys are rotated **quarterly**."#));
        assert_eq!(employee.get(&format!("/policies/{id}/versions/1")).await.status(), 200, "the version they signed");

        let csv = employee.text("/policies/export.csv").await;
        assert!(csv.lines().nth(1).unwrap().contains("Cryptography and key management"), "{csv}");
        let history = admin.text("/audit?action=policy.publish").await;
        assert!(history.contains(&id), "the audit log has the publications");
        let decisions =
            json_of(admin.get(&format!("/api/v1/audit?action=approval.approve&entity_id={id}")).await).await;
        let comments: Vec<_> =
            decisions["items"].as_array().unwrap().iter().map(|e| e["after"]["decision"]["comment"].clone()).collect();
        assert_eq!(comments, [json!("Quarterly is right."), json!("")], "the policy's history has both decisions");
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_policy_input_is_refused_field_by_field_and_the_form_keeps_what_was_typed() {
    let app = spawn_app(bulwark_testkit::Backend::Sqlite).await;
    let security = app.signed_in("sec@example.com", &["security"]).await;
    for (body, field) in [
        (json!({"title": "Empty", "body": "   \n "}), "body"),
        (json!({"title": "Huge", "body": "a".repeat(100_001)}), "body"),
        (json!({"title": "Nul", "body": "a\u{0}b"}), "body"),
        (json!({"title": "Months", "body": "x", "review_months": 0}), "review_months"),
        (json!({"title": "Parent", "body": "x", "parent_id": "0190a6a4-0000-7000-8000-000000000000"}), "parent_id"),
    ] {
        let res = security.api_post("/api/v1/policies", &body).await;
        let status = res.status().as_u16();
        let problem: Value = res.json().await.unwrap();
        assert!(status == 422 || status == 409, "{body}: {status}");
        assert_eq!(problem["errors"][0]["pointer"], format!("/{field}"), "{problem}");
    }
    assert_eq!(json_of(security.get("/api/v1/policies").await).await["total"], 0, "nothing saved");

    let res = security
        .post_form(
            "/policies/new",
            "/policies/new",
            &[("title", "Access control"), ("body", ""), ("review_months", "7")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"value="Access control""#) && page.contains(r#"value="7""#), "typed values stay");
    assert!(page.contains("Text is required"), "a message at the field");
}
