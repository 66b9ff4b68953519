//! The asset inventory through the pages and the API, on every backend: a form that keeps what
//! was typed and names each bad field, a CSV import that takes every row or none (the page and
//! the API name each broken row), exports with spreadsheet formulas neutralised, and edits
//! based on a version.

use bulwark_testkit::{backends, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn the_security_team_keeps_the_asset_inventory() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let ada = app.signed_in("ada@example.com", &["employee"]).await;
        assert_eq!(ada.get("/assets").await.status(), 403, "employees do not see the inventory");

        // A bad form comes back with what was typed and a message per field.
        let bad = sec
            .post_form(
                "/assets/new",
                "/assets/new",
                &[("name", ""), ("kind", "spaceship"), ("owner_id", "ghost@example.com"), ("identifier", "SN-1")],
            )
            .await;
        assert_eq!(bad.status(), 422, "{backend:?}");
        let page = bad.text().await.unwrap();
        assert!(page.contains("Kind must be one of"), "{page}");
        assert!(page.contains("names nobody in the directory"));
        assert!(page.contains("value=\"SN-1\""), "what was typed stays");
        let ok = sec
            .post_form(
                "/assets/new",
                "/assets/new",
                &[
                    ("name", "=HYPERLINK(\"http://evil\")"),
                    ("kind", "device"),
                    ("classification", "confidential"),
                    ("status", "in-use"),
                    ("owner_id", "sec@example.com"),
                    ("assigned_to", "ada@example.com"),
                    ("identifier", "SN-1"),
                ],
            )
            .await;
        assert_eq!(ok.status(), 303);
        let detail = sec.text(ok.headers()["location"].to_str().unwrap()).await;
        assert!(detail.contains("Assigned to") && detail.contains("ada@example.com"), "the assignee shown: {detail}");

        // The CSV import: one broken row and nothing is imported; the page names the rows.
        let broken = "name,kind,assigned_to_email\nLaptop A,device,ada@example.com\nLaptop B,toaster,\nLaptop C,device,who@example.com\n";
        let res = sec.post_form("/assets/import", "/assets/import", &[("csv", broken)]).await;
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("Nothing was imported") && page.contains("row 3: kind must be one of"), "{page}");
        assert!(page.contains("row 4: assigned_to_email names nobody in the directory"));
        assert!(page.contains("Laptop B,toaster"), "the pasted text stays");
        let list: Value = sec.get("/api/v1/assets").await.json().await.unwrap();
        assert_eq!(list["total"], 1, "{backend:?}");
        let good = "name,kind,classification,assigned_to_email\nLaptop A,device,internal,ada@example.com\nCRM,saas,confidential,\n";
        let res = sec.post_form("/assets/import", "/assets/import", &[("csv", good)]).await;
        assert_eq!(res.status(), 303);
        let res = sec
            .http
            .post(sec.url("/api/v1/assets/import"))
            .header("content-type", "text/csv")
            .body("name\nBadge reader\n")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        assert_eq!(res.json::<Value>().await.unwrap()["imported"], 1);
        let res = sec
            .http
            .post(sec.url("/api/v1/assets/import"))
            .header("content-type", "text/csv")
            .body("name,kind\nX,toaster\n")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        assert!(res.text().await.unwrap().contains("row 2: kind"));
        let res = sec.http.post(sec.url("/api/v1/assets/import")).json(&json!({"name": "x"})).send().await.unwrap();
        assert_eq!(res.status(), 415);

        // Filters, search and exports; formulas neutralised.
        let mine: Value = sec.get("/api/v1/assets?q=laptop").await.json().await.unwrap();
        assert_eq!(mine["total"], 1);
        assert_eq!(mine["items"][0]["assigned_to_name"], "ada");
        let csv = sec.text("/assets/export.csv?sort=name").await;
        assert!(csv.starts_with("id,name,kind"), "{csv}");
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "a formula is neutralised: {csv}");
        let json_export: Value = sec.get("/assets/export.json?kind=saas").await.json().await.unwrap();
        assert_eq!(json_export.as_array().map(Vec::len), Some(1));
        let list = sec.text("/assets?classification=confidential").await;
        assert!(list.contains("CRM") && !list.contains("Badge reader"), "{backend:?}");

        // Edits carry their version: a stale one is refused and overwrites nothing.
        let id = mine["items"][0]["id"].as_str().unwrap().to_string();
        let read = sec.get(&format!("/api/v1/assets/{id}")).await;
        let etag = read.headers()["etag"].to_str().unwrap().to_string();
        let body = json!({"name": "Laptop A", "kind": "device", "status": "lost", "assigned_to": "ada@example.com"});
        let first = sec.api_put(&format!("/api/v1/assets/{id}"), &body).header("if-match", &etag).send().await.unwrap();
        assert_eq!(first.status(), 200);
        assert_eq!(first.json::<Value>().await.unwrap()["status"], "lost");
        let stale = sec.api_put(&format!("/api/v1/assets/{id}"), &body).header("if-match", &etag).send().await.unwrap();
        assert_eq!(stale.status(), 412, "{backend:?}");
        let form = sec.text(&format!("/assets/{id}/edit")).await;
        assert!(form.contains("value=\"ada@example.com\""), "people by e-mail in the form");
        assert!(app.db.store.verify_audit_chain().await.unwrap().is_ok());
        app.stop().await;
    }
}
