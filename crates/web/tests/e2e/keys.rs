//! The key inventory through the pages and the API, on every backend: weak algorithms
//! flagged, key material refused, the owner's rotation task shown in their tasks and closed by
//! recording the rotation, and a revocation that needs a reason and names who revoked.

use bulwark_testkit::{backends, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn keys_are_inventoried_rotated_and_revoked() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let ops = app.signed_in("ops@example.com", &["employee"]).await;

        let refused = sec
            .post_form(
                "/keys/new",
                "/keys/new",
                &[
                    ("name", "Deploy key"),
                    ("algorithm", "Ed25519"),
                    ("fingerprint", "-----BEGIN OPENSSH PRIVATE KEY-----"),
                    ("size_bits", "lots"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 422, "{backend:?}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("looks like secret key material"), "{page}");
        assert!(page.contains("Size (bits) must be a whole number"));
        assert!(page.contains("value=\"Deploy key\""), "what was typed stays");

        let created = sec
            .api_post(
                "/api/v1/keys",
                &json!({"name": "Payments signing", "algorithm": "RSA", "size_bits": 1024,
                "owner": "ops@example.com", "location": "AWS KMS", "rotation_days": 30}),
            )
            .await;
        assert_eq!(created.status(), 201);
        let key: Value = created.json().await.unwrap();
        let id = key["id"].as_str().unwrap().to_string();
        assert_eq!(key["weaknesses"], "RSA, DSA and Diffie-Hellman keys need at least 2048 bits");
        assert_eq!((key["weak"].as_str(), key["status"].as_str()), (Some("yes"), Some("active")), "{key}");
        let strong = json!({"name": "Backups", "algorithm": "AES-256-GCM", "size_bits": 256});
        assert_eq!(sec.api_post("/api/v1/keys", &strong).await.status(), 201);
        let dashboard = sec.text("/").await;
        assert!(dashboard.contains("Keys needing attention") && dashboard.contains("Payments signing"), "{dashboard}");
        assert!(
            dashboard.contains("href=\"/keys?weak=yes&#38;status=active\""),
            "the panel links its list: {dashboard}"
        );
        let list = sec.text("/keys?weak=yes&status=active").await;
        assert!(list.contains("Payments signing") && !list.contains("Backups"), "{list}");

        // The owner has a rotation task; recording the rotation closes it and plans the next.
        let tasks: Value = ops.get("/api/v1/me/tasks").await.json().await.unwrap();
        let is_rotation = |t: &&Value| t["title"].as_str().is_some_and(|t| t.starts_with("Rotate the key"));
        let rotate: Vec<&Value> = tasks["items"].as_array().unwrap().iter().filter(is_rotation).collect();
        assert_eq!(rotate.len(), 1, "{tasks}");
        assert_eq!(rotate[0]["link"], format!("/keys/{id}"));
        let res = sec.post_form(&format!("/keys/{id}/rotate"), &format!("/keys/{id}"), &[]).await;
        assert_eq!(res.headers()["location"], format!("/keys/{id}?done=saved"));
        let tasks: Value = ops.get("/api/v1/me/tasks?state=open").await.json().await.unwrap();
        let open: Vec<&Value> = tasks["items"].as_array().unwrap().iter().filter(is_rotation).collect();
        assert_eq!(open.len(), 1, "the next rotation, not the done one: {tasks}");
        // The owner, an employee, opens their task's key and records the next rotation; another
        // employee finds no such key.
        let page = ops.text(&format!("/keys/{id}")).await;
        assert!(page.contains("Payments signing") && page.contains("Rotated today") && !page.contains("Revoke key"));
        assert!(!page.contains("href=\"/people/") && !page.contains("/edit\""), "no links the owner cannot open");
        let rotated = ops.post_form(&format!("/keys/{id}/rotate"), &format!("/keys/{id}"), &[]).await;
        assert_eq!(rotated.status(), 303, "{backend:?}");
        let other = app.signed_in("eve@example.com", &["employee"]).await;
        assert_eq!(other.get(&format!("/keys/{id}")).await.status(), 404);
        assert_eq!(other.api_post(&format!("/api/v1/keys/{id}/rotate"), &json!({})).await.status(), 404);
        let edit = ops.api_patch(&format!("/api/v1/keys/{id}"), &json!({"name": "mine"})).send().await.unwrap();
        assert_eq!(edit.status(), 403, "the owner rotates, the asset managers edit");
        let revoke = ops.api_post(&format!("/api/v1/keys/{id}/revoke"), &json!({"reason": "mine"})).await;
        assert_eq!(revoke.status(), 403, "the owner rotates, the asset managers revoke");
        // The owner's list holds their keys; another employee's holds none.
        let mine = ops.text("/keys").await;
        assert!(mine.contains("Payments signing") && !mine.contains("Backups"), "{mine}");
        assert!(!other.text("/keys").await.contains("Payments signing"));

        let versioned = sec.api_post(&format!("/api/v1/keys/{id}/rotate"), &json!({"version": "1"})).await;
        assert_eq!(versioned.status(), 422, "a step takes no version: {backend:?}");

        // Revoking needs a reason, names who revoked, and is final.
        let res = sec.post_form(&format!("/keys/{id}/revoke"), &format!("/keys/{id}"), &[("reason", "")]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Reason is required"));
        let res =
            sec.api_post(&format!("/api/v1/keys/{id}/revoke"), &json!({"reason": "laptop with access stolen"})).await;
        assert_eq!(res.status(), 200);
        let revoked: Value = res.json().await.unwrap();
        assert_eq!(
            (revoked["status"].as_str(), revoked["revoked_by"].as_str()),
            (Some("revoked"), Some("sec@example.com"))
        );
        let again = sec.api_post(&format!("/api/v1/keys/{id}/revoke"), &json!({"reason": "again"})).await;
        assert_eq!(again.status(), 409, "{backend:?}");
        let detail = sec.text(&format!("/keys/{id}")).await;
        assert!(detail.contains("laptop with access stolen") && !detail.contains("Rotated today"));
        let csv = sec.text("/keys/export.csv").await;
        assert!(csv.contains("Payments signing") && csv.contains("revoked"), "{csv}");
        // A revoked key's page keeps its status when another field is edited.
        let edit = format!("/keys/{id}/edit");
        let form = sec.text(&edit).await;
        assert!(form.contains("value=\"revoked\""), "its status is offered as it is");
        let fields =
            [("name", "Payments signing"), ("algorithm", "RSA"), ("status", "revoked"), ("purpose", "Old HSM")];
        assert_eq!(sec.post_form(&edit, &edit, &fields).await.status(), 303, "{backend:?}");
        let unrevoke = sec.api_patch(&format!("/api/v1/keys/{id}"), &json!({"status": "active"})).send().await.unwrap();
        assert_eq!(unrevoke.status(), 409, "a revoked key stays revoked");
        app.stop().await;
    }
}
