//! The risk register through the pages and the API, on every backend: a form that keeps what
//! was typed and names each bad field, the list highest score first with its filters, the
//! heat map drawn as SVG, exports with formulas neutralised, accepting a risk above the
//! threshold approved by management, the owner's view and review, stale edits, and settings.

use bulwark_testkit::{backends, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn risks_are_registered_accepted_with_approval_and_reviewed() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let ceo = app.signed_in("ceo@example.com", &["management"]).await;
        let ops = app.signed_in("ops@example.com", &["employee"]).await;
        let eve = app.signed_in("eve@example.com", &["employee"]).await;
        let admin = app.signed_in("admin@example.com", &["admin"]).await;

        let refused = sec
            .post_form(
                "/risks/new",
                "/risks/new",
                &[
                    ("title", "Ransomware"),
                    ("owner", "nobody@example.com"),
                    ("probability", "9"),
                    ("residual_impact", "2"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 422, "{backend:?}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("Owner (e-mail) names nobody in the directory"), "{page}");
        assert!(page.contains("Probability must be a whole number from 1 to 5"));
        assert!(page.contains("Impact is required"));
        assert!(page.contains("Residual probability is required with the other residual rating"));
        assert!(page.contains("value=\"Ransomware\""), "what was typed stays");

        let control: Value =
            sec.api_post("/api/v1/controls", &json!({"title": "Offline backups"})).await.json().await.unwrap();
        let res = sec
            .post_form(
                "/risks/new",
                "/risks/new",
                &[
                    ("title", "Ransomware on the file server"),
                    ("owner", "ops@example.com"),
                    ("threat", "Ransomware"),
                    ("probability", "4"),
                    ("impact", "5"),
                    ("treatment", "mitigate"),
                    ("control_ids", control["id"].as_str().unwrap()),
                    ("residual_probability", "2"),
                    ("residual_impact", "3"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "{backend:?}");
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let id = location.trim_start_matches("/risks/").split('?').next().unwrap().to_string();
        let detail = sec.text(&location).await;
        assert!(
            detail.contains("Offline backups") && detail.contains(">20</span>") && detail.contains(">6</span>"),
            "{detail}"
        );

        for (title, owner, p, i) in
            [("=HYPERLINK(\"http://x\")", "sec@example.com", 3, 3), ("Phishing", "ops@example.com", 5, 4)]
        {
            let res = sec
                .api_post("/api/v1/risks", &json!({"title": title, "owner_id": owner, "probability": p, "impact": i}))
                .await;
            assert_eq!(res.status(), 201);
        }
        let bad = sec
            .api_post(
                "/api/v1/risks",
                &json!({"title": "x", "owner_id": "ops@example.com", "probability": 7, "impact": 1}),
            )
            .await;
        assert_eq!(bad.status(), 422);
        let problem: Value = bad.json().await.unwrap();
        assert_eq!(problem["errors"][0]["pointer"], "/probability", "{problem}");

        // Highest current score first; filters by owner, treatment and score.
        let titles = |v: &Value| {
            v["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        };
        let all: Value = sec.get("/api/v1/risks").await.json().await.unwrap();
        assert_eq!(titles(&all), ["Phishing", "=HYPERLINK(\"http://x\")", "Ransomware on the file server"]);
        let ops_person = all["items"][0]["owner_id"].as_str().unwrap().to_string();
        let owned: Value =
            sec.get(&format!("/api/v1/risks?owner_id={ops_person}&sort=title&dir=asc")).await.json().await.unwrap();
        assert_eq!(titles(&owned), ["Phishing", "Ransomware on the file server"]);
        let middle: Value = sec.get("/api/v1/risks?score_min=7&score_max=19").await.json().await.unwrap();
        assert_eq!(titles(&middle), ["=HYPERLINK(\"http://x\")"]);
        assert_eq!(sec.get("/api/v1/risks?score_min=0").await.status(), 422);
        let list = sec.text("/risks?treatment=mitigate").await;
        assert!(list.contains("Ransomware on the file server") && !list.contains("Phishing"), "{list}");
        let map = sec.text("/risks/heat-map").await;
        assert!(map.contains("<svg") && map.contains("Probability 4 × impact 5 = 20: 1 risks"), "{map}");
        let counts: Value = sec.get("/api/v1/risks/heat-map").await.json().await.unwrap();
        assert_eq!(counts["residual"].as_array().unwrap().len(), 3, "{counts}");
        let csv = sec.text("/risks/export.csv").await;
        assert!(csv.contains("'=HYPERLINK") && !csv.contains(",=HYPERLINK"), "{csv}");

        // Accepting phishing (20, above the threshold of 8) waits for management.
        let phishing = all["items"][0]["id"].as_str().unwrap().to_string();
        let accept = json!({"title": "Phishing", "owner_id": "ops@example.com", "probability": 5, "impact": 4,
            "treatment": "accept", "treatment_plan": "Training covers it"});
        let res = sec.api_put(&format!("/api/v1/risks/{phishing}"), &accept).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let pending: Value = res.json().await.unwrap();
        assert_eq!(pending["acceptance"], "pending", "{pending}");
        let approval = pending["approval_id"].as_str().unwrap();
        let mine =
            sec.api_post(&format!("/api/v1/approvals/{approval}/decision"), &json!({"decision": "approve"})).await;
        assert_eq!(mine.status(), 409, "whoever asked does not decide");
        assert!(mine.text().await.unwrap().contains("four eyes"));
        let approvals = ceo.text("/approvals").await;
        assert!(approvals.contains("Accept the risk “Phishing” (score 20"), "{approvals}");
        let decided = ceo
            .api_post(
                &format!("/api/v1/approvals/{approval}/decision"),
                &json!({"decision": "approve", "comment": "For this year"}),
            )
            .await;
        assert_eq!(decided.status(), 200);
        let accepted: Value = sec.get(&format!("/api/v1/risks/{phishing}")).await.json().await.unwrap();
        assert_eq!(accepted["acceptance"], "approved", "{backend:?}");
        assert!(
            admin.text(&format!("/risks/{phishing}")).await.contains("risk.accept"),
            "the history shows the decision"
        );

        // A stale edit is refused.
        let etag = sec.get(&format!("/api/v1/risks/{id}")).await.headers()["etag"].to_str().unwrap().to_string();
        let edit = json!({"title": "Ransomware", "owner_id": "ops@example.com", "probability": 4, "impact": 5});
        assert_eq!(
            sec.api_put(&format!("/api/v1/risks/{id}"), &edit).header("if-match", &etag).send().await.unwrap().status(),
            200
        );
        assert_eq!(
            sec.api_put(&format!("/api/v1/risks/{id}"), &edit).header("if-match", &etag).send().await.unwrap().status(),
            412
        );

        // The owner sees and reviews her risk; another employee finds nothing.
        assert_eq!(ops.get(&format!("/api/v1/risks/{id}")).await.status(), 200);
        assert_eq!(eve.get(&format!("/api/v1/risks/{id}")).await.status(), 404);
        assert_eq!(eve.api_post(&format!("/api/v1/risks/{id}/review"), &json!({})).await.status(), 404);
        assert_eq!(ops.get("/risks").await.status(), 403, "the register is for the security team and management");
        let tasks: Value = ops.get("/api/v1/me/tasks?state=open").await.json().await.unwrap();
        let review = tasks["items"].as_array().unwrap().iter().find(|t| t["link"] == format!("/risks/{id}")).cloned();
        assert!(review.is_some_and(|t| t["title"] == "Review the risk “Ransomware on the file server”"), "{tasks}");
        let res = ops.post_form(&format!("/risks/{id}/review"), &format!("/risks/{id}"), &[]).await;
        assert_eq!(res.headers()["location"], format!("/risks/{id}?done=reviewed"));
        let reviewed: Value = ops.get(&format!("/api/v1/risks/{id}")).await.json().await.unwrap();
        assert!(reviewed["last_reviewed_on"].is_string(), "{reviewed}");

        // Settings: admins only; the scale cannot shrink below a rating in use.
        assert_eq!(
            sec.api_put("/api/v1/risk-settings", &json!({"acceptance_threshold": 20})).send().await.unwrap().status(),
            403
        );
        let shrink = admin.api_put("/api/v1/risk-settings", &json!({"scale": 3})).send().await.unwrap();
        assert_eq!(shrink.status(), 409, "{backend:?}");
        let res = admin
            .post_form("/risks/settings", "/risks/settings", &[("scale", "5"), ("acceptance_threshold", "30")])
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Acceptance threshold must be a whole number from 1 to 25"));
        let saved = admin
            .api_put("/api/v1/risk-settings", &json!({"acceptance_threshold": 12, "review_days": 180}))
            .send()
            .await
            .unwrap();
        let saved: Value = saved.json().await.unwrap();
        assert_eq!((saved["acceptance_threshold"].as_i64(), saved["review_days"].as_i64()), (Some(12), Some(180)));
    }
}
