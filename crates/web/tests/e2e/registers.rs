//! The registers built on the record kit, through the pages and the API on every backend:
//! authorities and special-interest contacts (forms that keep what was typed, the API's
//! checks and version guard, exports with formulas neutralised, history, access by owner, and
//! the incidents that show whom to contact and record who was notified).

use bulwark_testkit::{backends, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn authorities_are_kept_contacted_from_incidents_and_scoped_to_their_owner() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let owner = app.signed_in("olga@example.com", &["employee"]).await;
        let other = app.signed_in("eve@example.com", &["employee"]).await;

        // A form refused names each field and keeps what was typed.
        let fields = [("name", "=HYPERLINK(\"http://evil\")"), ("kind", "embassy"), ("owner", "nobody@example.com")];
        let refused = sec.post_form("/authorities/new", "/authorities/new", &fields).await;
        assert_eq!(refused.status(), 422, "{backend:?}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("Kind must be one of"), "{page}");
        assert!(page.contains("When to contact is required") && page.contains("Owner names nobody in the directory"));
        assert!(page.contains("value=\"=HYPERLINK(&#34;http://evil&#34;)\""), "what was typed stays: {page}");

        let fields = [
            ("name", "=HYPERLINK(\"http://evil\")"),
            ("kind", "law-enforcement"),
            ("contact_channel", "phone"),
            ("contact", "+49 30 0000"),
            ("when_to_contact", "Law-enforcement request for data"),
            ("incident_category", "law-enforcement-request"),
            ("owner", "olga@example.com"),
        ];
        let created = sec.post_form("/authorities/new", "/authorities/new", &fields).await;
        assert_eq!(created.status(), 303, "{backend:?}");
        let path = created.headers()["location"].to_str().unwrap().trim_end_matches("?done=created").to_string();
        let page = sec.text(&path).await;
        assert!(page.contains("Law enforcement") && page.contains("Law-enforcement request for data"), "{page}");

        // The API: typed fields, every problem named, a version guard, partial changes.
        let body = json!({"name": "DPA", "kind": "data-protection-authority", "when_to_contact": 72, "color": "red"});
        let bad = sec.api_post("/api/v1/authorities", &body).await;
        assert_eq!(bad.status(), 422);
        let problem: Value = bad.json().await.unwrap();
        let pointers: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().filter_map(|e| e["pointer"].as_str()).collect();
        assert_eq!(pointers, ["/color", "/when_to_contact"], "{problem}");
        let body = json!({"name": "Data protection authority", "kind": "data-protection-authority",
            "when_to_contact": "Personal data breach: within 72 hours", "contact_channel": "portal"});
        let res = sec.api_post("/api/v1/authorities", &body).await;
        assert_eq!(res.status(), 201);
        let dpa: Value = res.json().await.unwrap();
        let dpa_id = dpa["id"].as_str().unwrap().to_string();
        assert_eq!((dpa["owner"].clone(), dpa["owner_name"].clone()), (Value::Null, Value::Null));
        let url = format!("/api/v1/authorities/{dpa_id}");
        let stale = sec.api_patch(&url, &json!({"notes": "x"})).header("if-match", "\"1\"").send().await.unwrap();
        assert_eq!(stale.status(), 412, "{backend:?}");
        let patch = json!({"notes": "Breach form on the portal", "version": dpa["version"]});
        let changed: Value = sec.api_patch(&url, &patch).send().await.unwrap().json().await.unwrap();
        assert_eq!(
            (changed["notes"].as_str(), changed["name"].as_str()),
            (Some("Breach form on the portal"), Some("Data protection authority"))
        );
        let list: Value = sec.get("/api/v1/authorities?kind=law-enforcement").await.json().await.unwrap();
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(sec.get("/api/v1/authorities?kind=").await.status(), 422, "an empty filter is not a filter");
        assert_eq!(sec.get("/api/v1/authorities?sort=colour").await.status(), 422);

        // Exports neutralise formulas; the history shows who changed what.
        let csv = sec.text("/authorities/export.csv?sort=name").await;
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "{csv}");
        let json_export: Value = sec.get("/authorities/export.json").await.json().await.unwrap();
        assert_eq!(json_export.as_array().map(Vec::len), Some(2));
        let auditor = app.signed_in("audrey@example.com", &["auditor"]).await;
        let page = auditor.text(&format!("/authorities/{dpa_id}")).await;
        assert!(page.contains("authority.update") && page.contains("Breach form on the portal"), "{page}");
        assert!(!page.contains("/edit\""), "an auditor changes nothing");

        // The owner sees and edits their own contact only, and cannot hand it to someone else.
        let mine = owner.text("/authorities").await;
        assert!(mine.contains("Shown: those where you are the owner."), "{mine}");
        assert!(mine.contains("HYPERLINK") && !mine.contains(&dpa_id), "{mine}");
        let edit = format!("{path}/edit");
        let res = owner
            .post_form(
                &edit,
                &edit,
                &[
                    ("name", "Police cybercrime unit"),
                    ("kind", "law-enforcement"),
                    ("when_to_contact", "Data requests"),
                    ("owner", "olga@example.com"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "{backend:?}");
        let res = owner
            .post_form(
                &edit,
                &edit,
                &[
                    ("name", "Police"),
                    ("kind", "law-enforcement"),
                    ("when_to_contact", "x"),
                    ("owner", "eve@example.com"),
                ],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("would take this authority out of your hands"));
        assert_eq!(other.get(&path).await.status(), 404, "outside the scope it is not found");
        assert_eq!(other.get(&edit).await.status(), 404);
        assert_eq!(owner.get("/authorities/new").await.status(), 403, "owners edit, the directory's managers add");
        let delete = owner.post_form(&format!("{path}/delete"), &path, &[]).await;
        assert_eq!(delete.status(), 403);

        // An incident of the contact's category shows it and records which one was notified.
        let res = sec
            .api_post("/api/v1/incidents", &json!({"title": "Request from the police", "category": "law-enforcement-request", "description": "Data request"}))
            .await;
        let incident: Value = res.json().await.unwrap();
        let incident_path = format!("/incidents/{}", incident["id"].as_str().unwrap());
        let page = sec.text(&incident_path).await;
        assert!(
            page.contains("Who to contact") && page.contains("Police cybercrime unit</a>: Data requests"),
            "{page}"
        );
        let authority_id = path.trim_start_matches("/authorities/");
        let res = sec
            .post_form(&format!("{incident_path}/authority-notified"), &incident_path, &[("authority", authority_id)])
            .await;
        assert_eq!(res.status(), 303, "{backend:?}");
        let page = sec.text(&incident_path).await;
        assert!(page.contains("Police cybercrime unit was notified"), "{page}");
        let contact: Value = sec.get(&format!("/api/v1/authorities/{authority_id}")).await.json().await.unwrap();
        assert!(contact["last_contacted_on"].is_string(), "{contact}");
        let res =
            sec.post_form(&format!("{incident_path}/authority-notified"), &incident_path, &[("authority", "")]).await;
        assert_eq!(res.status(), 422, "nothing is owed: the authority must be named");

        // Deleting: the directory's managers, with the record's version.
        let res = sec.api_delete(&url).header("if-match", "\"1\"").send().await.unwrap();
        assert_eq!(res.status(), 412);
        let res = sec.api_delete(&url).send().await.unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(sec.get(&url).await.status(), 404);
        app.stop().await;
    }
}
