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
        assert!(page.contains("Owner names nobody in the directory: “nobody@example.com”"), "{page}");
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

#[tokio::test]
async fn forms_take_names_from_their_pickers_not_ids() {
    use bulwark_core::policies::{self, PolicyInput, Transition};
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let person = json!({"name": "Olive Ops", "email": "olive@example.com"});
        assert_eq!(sec.api_post("/api/v1/people", &person).await.status(), 201);
        let twin = json!({"name": "Sam Same", "email": "sam1@example.com"});
        assert_eq!(sec.api_post("/api/v1/people", &twin).await.status(), 201);
        let twin = json!({"name": "Sam Same", "email": "sam2@example.com"});
        assert_eq!(sec.api_post("/api/v1/people", &twin).await.status(), 201);
        for asset in [
            json!({"name": "File server", "identifier": "fs-01"}),
            json!({"name": "Laptop"}),
            json!({"name": "Laptop"}),
        ] {
            assert_eq!(sec.api_post("/api/v1/assets", &asset).await.status(), 201);
        }

        // The risk form: the pickers' suggestions, and names resolved on the server.
        let form = sec.text("/risks/new").await;
        assert!(
            form.contains("list=\"asset-options\"") && form.contains("<option value=\"File server\">"),
            "{form:.4000}"
        );
        assert!(form.contains("<option value=\"olive@example.com\">Olive Ops</option>"));
        let fields = |asset: &'static str, owner: &'static str| {
            [("title", "Disk failure"), ("asset_id", asset), ("owner", owner), ("probability", "2"), ("impact", "3")]
        };
        let twice = sec.post_form("/risks/new", "/risks/new", &fields("Laptop", "Sam Same")).await;
        assert_eq!(twice.status(), 422, "{backend:?}");
        let page = twice.text().await.unwrap();
        assert!(page.contains("Asset fits 2 assets called “Laptop”: give its identifier"), "{page:.5000}");
        assert!(page.contains("Owner fits 2 persons called “Sam Same”: give their e-mail address"));
        assert!(page.contains("value=\"Sam Same\""), "what was typed stays");
        let saved = sec.post_form("/risks/new", "/risks/new", &fields("file server", "Olive Ops")).await;
        assert_eq!(saved.status(), 303);
        let risk = saved.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/risks/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let edit = sec.text(&format!("/risks/{risk}/edit")).await;
        assert!(
            edit.contains("value=\"File server\"") && edit.contains("value=\"olive@example.com\""),
            "names, not ids"
        );
        let by_identifier = sec
            .post_form(
                "/risks/new",
                "/risks/new",
                &[
                    ("title", "Flood"),
                    ("asset_id", "fs-01"),
                    ("owner", "olive@example.com"),
                    ("probability", "1"),
                    ("impact", "1"),
                ],
            )
            .await;
        assert_eq!(by_identifier.status(), 303, "an identifier names the asset too");

        // The incident response: a person added by name, a risk linked by its title.
        let incident: Value = sec
            .api_post("/api/v1/incidents", &json!({"title": "Disk died", "category": "other", "description": "x"}))
            .await
            .json()
            .await
            .unwrap();
        let incident = format!("/incidents/{}", incident["id"].as_str().unwrap());
        let page = sec.text(&incident).await;
        assert!(page.contains("<datalist id=\"link-options\">") && page.contains("Risk: score 6"), "{page:.6000}");
        let added = sec.post_form(&format!("{incident}/members"), &incident, &[("person", "olive ops")]).await;
        assert_eq!(added.status(), 303);
        let linked = sec
            .post_form(&format!("{incident}/links"), &incident, &[("kind", "risk"), ("target", "Disk failure")])
            .await;
        assert_eq!(linked.status(), 303);
        let unknown =
            sec.post_form(&format!("{incident}/links"), &incident, &[("kind", "asset"), ("target", "Mainframe")]).await;
        assert_eq!(unknown.status(), 422);
        assert!(unknown.text().await.unwrap().contains("names no asset: “Mainframe”"));
        let page = sec.text(&incident).await;
        assert!(
            page.contains("Olive Ops was added to the response") && page.contains("Linked to the risk Disk failure")
        );

        // A control mapped by the label the framework's pages show; a policy owner by name.
        let (cli, now) = (bulwark_core::Actor::cli(), bulwark_core::time_util::now());
        let ceo =
            bulwark_core::Actor { label: "ceo".into(), roles: vec![bulwark_core::Role::Management], ..cli.clone() };
        let body = "## Reviews\nEvery change is reviewed.\n\n## Tests\nEvery change is tested.\n";
        let input = PolicyInput { title: "Secure engineering policy".into(), body: body.into(), ..Default::default() };
        let p = policies::create(app.store(), &cli, now, &input).await.unwrap();
        for (who, step) in [(&cli, Transition::Submit), (&ceo, Transition::Ratify), (&cli, Transition::Publish)] {
            policies::transition(app.store(), who, now, p.id, 1, step).await.unwrap();
        }
        let built = bulwark_core::compliance::frameworks::policy_catalog::build(app.store(), &cli, now).await.unwrap();
        let control: Value =
            sec.api_post("/api/v1/controls", &json!({"title": "Tests in CI"})).await.json().await.unwrap();
        let control = format!("/controls/{}", control["id"].as_str().unwrap());
        assert!(sec.text(&control).await.contains("<option value=\"SEP.2\">Tests (Our policy requirements)</option>"));
        let framework = built.framework.id.to_string();
        let mapped = sec
            .post_form(
                &format!("{control}/mappings"),
                &control,
                &[("framework_id", &framework), ("requirement_id", "sep.2")],
            )
            .await;
        assert_eq!(mapped.status(), 303, "{backend:?}");
        assert!(sec.text(&control).await.contains("secure-engineering-policy-2"));
        let new_policy = [
            ("title", "Backup policy"),
            ("owner_person_id", "Olive Ops"),
            ("review_months", "12"),
            ("body", "Back up."),
        ];
        assert_eq!(sec.post_form("/policies/new", "/policies/new", &new_policy).await.status(), 303);
        let listed: Value = sec.get("/api/v1/policies?q=backup").await.json().await.unwrap();
        assert!(
            sec.text(&format!("/policies/{}", listed["items"][0]["id"].as_str().unwrap())).await.contains("Olive Ops")
        );
        app.stop().await;
    }
}
