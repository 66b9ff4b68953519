//! Lost updates: an edit carries the version it was based on, and a stale edit is refused —
//! 412 for a failed `If-Match`, 409 for a stale `version` in the body, and the form shown
//! again with what was typed — on every backend. Nothing is overwritten silently.

use bulwark_testkit::{backends, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn a_stale_api_edit_is_refused_with_412_or_409() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let admin = app.signed_in("admin@example.com", &["admin"]).await;
        let created: Value = admin
            .api_post("/api/v1/people", &json!({"name": "Zoë Ørsted", "email": "zoe@example.com"}))
            .await
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap();
        let read = admin.get(&format!("/api/v1/people/{id}")).await;
        let etag = read.headers()["etag"].to_str().unwrap().to_string();
        assert_eq!(etag, format!("\"{}\"", created["version"].as_str().unwrap()), "{backend:?}");

        let first = admin
            .api_put(&format!("/api/v1/people/{id}"), &json!({"name": "Zoë Ørsted-Berg", "email": "zoe@example.com"}))
            .header("if-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), 200, "{backend:?}");
        let new_etag = first.headers()["etag"].to_str().unwrap().to_string();
        assert_ne!(new_etag, etag);

        let stale = admin
            .api_put(&format!("/api/v1/people/{id}"), &json!({"name": "Mallory", "email": "zoe@example.com"}))
            .header("if-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 412, "{backend:?}");
        assert_eq!(stale.headers()["content-type"], "application/problem+json");

        let old_version = created["version"].as_str().unwrap();
        let stale_body = admin
            .api_put(
                &format!("/api/v1/people/{id}"),
                &json!({"name": "Mallory", "email": "zoe@example.com", "version": old_version}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(stale_body.status(), 409, "{backend:?}");

        let now: Value = admin.get(&format!("/api/v1/people/{id}")).await.json().await.unwrap();
        assert_eq!(now["name"], "Zoë Ørsted-Berg", "nothing overwritten on {backend:?}");
    }
}

#[tokio::test]
async fn a_stale_form_is_shown_again_with_what_was_typed() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let admin = app.signed_in("admin@example.com", &["admin"]).await;
        let created: Value = admin
            .api_post("/api/v1/people", &json!({"name": "Łukasz Nowak", "email": "lukasz@example.com"}))
            .await
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap();
        let edit = format!("/people/{id}/edit");
        let form = admin.text(&edit).await;
        let version = created["version"].as_str().unwrap();
        assert!(form.contains(&format!("name=\"version\" value=\"{version}\"")), "the form carries its version");

        // Someone else saves in between.
        let other = admin
            .api_put(&format!("/api/v1/people/{id}"), &json!({"name": "Łukasz N.", "email": "lukasz@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200);

        let fields = [("name", "李雷"), ("email", "lukasz@example.com"), ("version", version)];
        let res = admin.post_form(&edit, &edit, &fields).await;
        assert_eq!(res.status(), 422, "{backend:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains("changed by someone else"), "{backend:?}");
        assert!(page.contains("value=\"李雷\""), "what was typed is kept on {backend:?}");
        let now: Value = admin.get(&format!("/api/v1/people/{id}")).await.json().await.unwrap();
        assert_eq!(now["name"], "Łukasz N.");
    }
}
