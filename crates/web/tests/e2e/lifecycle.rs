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
