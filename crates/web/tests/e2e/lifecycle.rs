//! Joining and leaving through the pages and the API, on every backend: screening checks and
//! signed terms recorded on a person's page; offboarding lists their assets and accounts,
//! gives their department head a task, refuses to close while anything is outstanding, and
//! once closed the person has left and can no longer sign in.

use bulwark_testkit::{PASSWORD, backends, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn a_leaver_returns_everything_before_the_offboarding_closes() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let lee = app.signed_in("lee@example.com", &["employee"]).await;
        let people: Value = sec.get("/api/v1/people?q=lee").await.json().await.unwrap();
        let lee_id = people["items"][0]["id"].as_str().unwrap().to_string();
        sec.api_post("/api/v1/assets", &json!({"name": "Laptop of Lee", "assigned_to": "lee@example.com"})).await;
        sec.api_post("/api/v1/assets", &json!({"name": "GitHub", "kind": "saas"})).await;

        // Onboarding facts: which checks, never the findings.
        let res = sec
            .post_form(
                &format!("/people/{lee_id}/onboarding"),
                &format!("/people/{lee_id}"),
                &[("kind", "screening"), ("check", "Identity"), ("done_on", "2026-01-05")],
            )
            .await;
        assert_eq!(res.status(), 303, "{backend:?}");
        let res = sec
            .post_form(
                &format!("/people/{lee_id}/onboarding"),
                &format!("/people/{lee_id}"),
                &[("kind", "screening"), ("check", "Looked trustworthy")],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("check must be one of"));
        let res = sec.api_post(&format!("/api/v1/people/{lee_id}/onboarding"), &json!({"kind": "terms"})).await;
        assert_eq!(res.status(), 201);
        let page = sec.text(&format!("/people/{lee_id}")).await;
        assert!(
            page.contains("Identity checked on 2026-01-05")
                && page.contains("Terms of employment with confidentiality duty signed")
        );

        // Offboarding: the checklist, and no closing while anything is outstanding.
        let res = sec
            .post_form(
                &format!("/people/{lee_id}/offboarding"),
                &format!("/people/{lee_id}"),
                &[("reason", "moves abroad")],
            )
            .await;
        let to = res.headers()["location"].to_str().unwrap().to_string();
        let id = to.trim_start_matches("/offboardings/").to_string();
        let page = sec.text(&to).await;
        assert!(
            page.contains("Laptop of Lee") && page.contains("GitHub account") && page.contains("Bulwark account"),
            "{page}"
        );
        let res = sec.post_form(&format!("/offboardings/{id}/close"), &to, &[]).await;
        assert_eq!(res.status(), 409);
        assert!(
            res.text().await.unwrap().contains("still outstanding: Laptop of Lee, GitHub account, Bulwark account")
        );
        let api = sec.api_post(&format!("/api/v1/offboardings/{id}/close"), &json!({})).await;
        assert_eq!(api.status(), 409);
        let res = sec.post_form(&format!("/offboardings/{id}/items/1"), &to, &[("received_by", "IT desk")]).await;
        assert_eq!(res.status(), 303);
        let asset: Value = sec.get("/api/v1/assets?q=laptop").await.json().await.unwrap();
        assert_eq!(
            (asset["items"][0]["status"].as_str(), asset["items"][0]["assigned_to"].as_str()),
            (Some("in-stock"), None)
        );
        for position in [2, 3] {
            let res = sec.api_post(&format!("/api/v1/offboardings/{id}/items/{position}"), &json!({})).await;
            assert_eq!(res.status(), 200, "{backend:?}");
        }
        let closed = sec.api_post(&format!("/api/v1/offboardings/{id}/close"), &json!({})).await;
        assert_eq!(closed.status(), 200);
        let lifecycle: Value = sec.get(&format!("/api/v1/people/{lee_id}/lifecycle")).await.json().await.unwrap();
        assert_eq!(lifecycle["offboardings"][0]["items"][0]["received_by"], "IT desk");
        assert_eq!(lifecycle["onboarding"].as_array().map(Vec::len), Some(2));
        let person: Value = sec.get(&format!("/api/v1/people/{lee_id}")).await.json().await.unwrap();
        assert_eq!(person["status"], "left");
        assert!(lee.get("/").await.headers()["location"].to_str().unwrap().starts_with("/login"), "signed out");
        assert_eq!(app.client().login("lee@example.com", PASSWORD).await.status(), 422, "the account is disabled");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_department_head_sees_their_department_and_checks_off_its_leavers_assets() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let head = app.signed_in("hana@example.com", &["department-head"]).await;
        let other = app.signed_in("otto@example.com", &["department-head"]).await;
        let emp = app.signed_in("lee@example.com", &["employee"]).await;
        let id_of = |people: &Value, email: &str| {
            people["items"].as_array().unwrap().iter().find(|p| p["email"] == email).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let people: Value = sec.get("/api/v1/people").await.json().await.unwrap();
        let (hana, lee) = (id_of(&people, "hana@example.com"), id_of(&people, "lee@example.com"));
        let sales: Value = sec
            .api_post("/api/v1/departments", &json!({"name": "Sales", "head_person_id": hana}))
            .await
            .json()
            .await
            .unwrap();
        let sales = sales["id"].as_str().unwrap().to_string();
        let edit = json!({"name": "Lee", "email": "lee@example.com", "department_id": sales});
        assert_eq!(sec.api_put(&format!("/api/v1/people/{lee}"), &edit).send().await.unwrap().status(), 200);
        sec.api_post("/api/v1/assets", &json!({"name": "Laptop of Lee", "assigned_to": "lee@example.com"})).await;
        sec.api_post("/api/v1/assets", &json!({"name": "Laptop of Sam"})).await;
        sec.api_post("/api/v1/assets", &json!({"name": "GitHub", "kind": "saas"})).await;

        // A campaign for everyone: the department's completion, not the whole organisation's.
        let (cli, now) = (bulwark_core::Actor::cli(), bulwark_core::time_util::now());
        let ratifier = bulwark_core::Actor {
            label: "ceo".into(),
            roles: vec![bulwark_core::Role::Management],
            ..bulwark_core::Actor::cli()
        };
        let input = bulwark_core::policies::PolicyInput {
            title: "Use".into(),
            body: "Be careful.".into(),
            ..Default::default()
        };
        let p = bulwark_core::policies::create(app.store(), &cli, now, &input).await.unwrap();
        use bulwark_core::policies::Transition::*;
        for (who, step) in [(&cli, Submit), (&ratifier, Ratify), (&cli, Publish)] {
            bulwark_core::policies::transition(app.store(), who, now, p.id, 1, step).await.unwrap();
        }
        let due = (now + time::Duration::days(30)).date().to_string();
        let yearly = json!({"title": "Yearly acknowledgment", "due_date": due});
        assert_eq!(sec.api_post("/api/v1/campaigns", &yearly).await.status(), 201);

        // The overview: the department's people and their assets, nobody else's.
        let page = head.text("/my-department").await;
        assert!(
            page.contains("Sales") && page.contains("lee@example.com") && page.contains("Laptop of Lee"),
            "{page:.3000}"
        );
        assert!(!page.contains("Laptop of Sam") && !page.contains("sec@example.com"), "only the department's");
        assert!(head.text("/").await.contains("href=\"/my-department\""), "in the navigation");
        assert!(other.text("/my-department").await.contains("You do not head a department"));
        let api: Value = head.get("/api/v1/me/department").await.json().await.unwrap();
        assert_eq!((api[0]["department"]["name"].as_str(), api[0]["assets_total"].as_u64()), (Some("Sales"), Some(1)));
        let campaign = &api[0]["campaigns"][0];
        assert_eq!(
            (campaign["title"].as_str(), campaign["assigned"].as_i64()),
            (Some("Yearly acknowledgment"), Some(1))
        );
        assert!(page.contains("Yearly acknowledgment") && page.contains("0 of 1"), "Lee, the one person in Sales");
        assert_eq!(emp.get("/api/v1/me/department").await.json::<Value>().await.unwrap(), json!([]));

        // Lee leaves: the head's task links to the offboarding, where they check off the laptop.
        let started = sec.api_post(&format!("/api/v1/people/{lee}/offboarding"), &json!({"reason": "moves on"})).await;
        let o: Value = started.json().await.unwrap();
        let o = o["id"].as_str().unwrap().to_string();
        let tasks: Value = head.get("/api/v1/me/tasks?state=open").await.json().await.unwrap();
        assert_eq!(tasks["items"][0]["link"], format!("/offboardings/{o}"));
        let sheet = head.text(&format!("/offboardings/{o}")).await;
        assert!(sheet.contains("Returned") && !sheet.contains("De-registered"), "assets only: {sheet:.3000}");
        assert!(head.text("/my-department").await.contains(&format!("/offboardings/{o}")));
        let laptop = head.post_form(&format!("/offboardings/{o}/items/1"), &format!("/offboardings/{o}"), &[]).await;
        assert_eq!(laptop.status(), 303, "{backend:?}");
        let account = head.api_post(&format!("/api/v1/offboardings/{o}/items/2"), &json!({})).await;
        assert_eq!(account.status(), 403, "accounts are the directory managers' to check off");
        assert_eq!(emp.get(&format!("/api/v1/offboardings/{o}")).await.status(), 404, "not theirs to see");
        assert_eq!(emp.api_post(&format!("/api/v1/offboardings/{o}/items/2"), &json!({})).await.status(), 404);
        // Another department's head reads the directory, but checks off nothing of Sales.
        assert_eq!(other.get(&format!("/api/v1/offboardings/{o}")).await.status(), 200);
        assert_eq!(other.api_post(&format!("/api/v1/offboardings/{o}/items/2"), &json!({})).await.status(), 403);
        let after: Value = sec.get(&format!("/api/v1/offboardings/{o}")).await.json().await.unwrap();
        assert!(after["items"][0]["done_at"].is_string() && after["items"][1]["done_at"].is_null());
        app.stop().await;
    }
}
