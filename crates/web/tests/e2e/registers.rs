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
        let nul = json!({"name": "X", "kind": "cert", "when_to_contact": "y", "owner": "ada\u{0}@example.com"});
        assert_eq!(sec.api_post("/api/v1/authorities", &nul).await.status(), 422, "a NUL names nobody: {backend:?}");
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

        // The API takes the response further: triage, the next step, the notification.
        let api_path = format!("/api/v1{incident_path}");
        let res =
            sec.api_post(&format!("{api_path}/assessment"), &json!({"severity": "high", "personal_data": true})).await;
        assert_eq!(res.status(), 200, "{backend:?}");
        let triaged: Value = res.json().await.unwrap();
        assert!(triaged["authority_due"].is_string() && triaged["severity"] == "high", "{triaged}");
        let res = sec.api_post(&format!("{api_path}/status"), &json!({"status": "closed"})).await;
        assert_eq!(res.status(), 422, "closing needs the lessons learned");
        let res = sec.api_post(&format!("{api_path}/status"), &json!({"status": "contained"})).await;
        assert_eq!(res.json::<Value>().await.unwrap()["status"], "contained");
        let body = json!({"authority": "data protection authority"});
        let res = owner.api_post(&format!("{api_path}/authority-notification"), &body).await;
        assert_eq!(res.status(), 403, "the responders record it");
        let notified: Value =
            sec.api_post(&format!("{api_path}/authority-notification"), &body).await.json().await.unwrap();
        assert!(notified["authority_due"].is_null(), "the clock stopped: {notified}");
        assert!(sec.text(&incident_path).await.contains("Data protection authority was notified"));

        // Deleting: the directory's managers, with the record's version.
        let res = sec.api_delete(&url).header("if-match", "\"1\"").send().await.unwrap();
        assert_eq!(res.status(), 412);
        let res = sec.api_delete(&url).send().await.unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(sec.get(&url).await.status(), 404);
        app.stop().await;
    }
}

#[tokio::test]
async fn information_systems_are_owned_and_reviewed_by_the_head_of_their_department() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let head = app.signed_in("hana@example.com", &["department-head"]).await;
        let other = app.signed_in("otto@example.com", &["department-head"]).await;
        let people: Value = sec.get("/api/v1/people").await.json().await.unwrap();
        let id_of = |email: &str| {
            let all = people["items"].as_array().unwrap();
            all.iter().find(|p| p["email"] == email).unwrap()["id"].as_str().unwrap().to_string()
        };
        for (name, head) in [("Engineering", id_of("hana@example.com")), ("Sales", id_of("otto@example.com"))] {
            let res = sec.api_post("/api/v1/departments", &json!({"name": name, "head_person_id": head})).await;
            assert_eq!(res.status(), 201);
        }
        for asset in ["Payments database", "Build server"] {
            assert_eq!(sec.api_post("/api/v1/assets", &json!({"name": asset})).await.status(), 201);
        }
        let risk =
            json!({"title": "Data loss in payments", "probability": 2, "impact": 4, "owner_id": "sec@example.com"});
        assert_eq!(sec.api_post("/api/v1/risks", &risk).await.status(), 201, "{backend:?}");

        // Links are typed by name, one per line; a name that names nothing is refused and kept.
        let mut fields = vec![
            ("name", "Payments"),
            ("department", "Engineering"),
            ("classification", "restricted"),
            ("assets", "Payments database\nNo such server"),
            ("risks", "Data loss in payments"),
            ("review_every_months", "6"),
        ];
        let refused = sec.post_form("/information-systems/new", "/information-systems/new", &fields).await;
        assert_eq!(refused.status(), 422, "{backend:?}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("Assets names no asset: “No such server”"), "{page}");
        assert!(page.contains("Payments database\nNo such server</textarea>"), "what was typed stays");
        fields[3] = ("assets", "payments database\nBuild server\nBuild server");
        let created = sec.post_form("/information-systems/new", "/information-systems/new", &fields).await;
        assert_eq!(created.status(), 303, "{backend:?}");
        let path = created.headers()["location"].to_str().unwrap().trim_end_matches("?done=created").to_string();
        let id = path.trim_start_matches("/information-systems/").to_string();
        let api: Value = sec.get(&format!("/api/v1/information-systems/{id}")).await.json().await.unwrap();
        let assets: Vec<&str> = api["assets"].as_array().unwrap().iter().filter_map(|a| a["name"].as_str()).collect();
        assert_eq!(assets, ["Build server", "Payments database"], "each once, by name: {api}");
        assert_eq!(api["department_name"], "Engineering");
        let page = sec.text(&path).await;
        assert!(page.contains("<a href=\"/assets/") && page.contains("Data loss in payments"), "{page}");

        // The head of the department owns it: their systems, their review task, their edits.
        let mine = head.text("/information-systems").await;
        assert!(mine.contains("Payments") && mine.contains("the head of the department"), "{mine}");
        let page = head.text(&path).await;
        assert!(
            page.contains("Payments database") && !page.contains("<a href=\"/assets/"),
            "names, no links they cannot open"
        );
        assert!(head.text("/my-department").await.contains(&format!("/information-systems/{id}")));
        let tasks: Value = head.get("/api/v1/me/tasks?state=open").await.json().await.unwrap();
        let review: Vec<&Value> = tasks["items"].as_array().unwrap().iter().filter(|t| t["link"] == path).collect();
        assert_eq!(review.len(), 1, "{tasks}");
        let edit = format!("{path}/edit");
        let res = head.post_form(&edit, &edit, &[("description", "Card payments for the shop")]).await;
        assert_eq!(res.status(), 303);
        let res = head.post_form(&edit, &edit, &[("department", "Sales")]).await;
        assert_eq!(res.status(), 422, "not out of their hands");
        let res = head.post_form(&format!("{path}/review"), &path, &[]).await;
        assert_eq!(res.status(), 303);
        let tasks: Value = head.get("/api/v1/me/tasks?state=open").await.json().await.unwrap();
        let open: Vec<&Value> = tasks["items"].as_array().unwrap().iter().filter(|t| t["link"] == path).collect();
        assert_eq!(open.len(), 1, "the next review: {tasks}");
        assert_ne!(open[0]["id"], review[0]["id"]);
        let reviewed: Value =
            head.api_post(&format!("/api/v1/information-systems/{id}/review"), &json!({})).await.json().await.unwrap();
        assert!(reviewed["last_reviewed_on"].is_string(), "{reviewed}");

        // Another department's head, and anyone else, find nothing; only asset managers add.
        assert_eq!(other.get(&path).await.status(), 404);
        assert_eq!(other.api_post(&format!("/api/v1/information-systems/{id}/review"), &json!({})).await.status(), 404);
        let list: Value = other.get("/api/v1/information-systems").await.json().await.unwrap();
        assert_eq!(list["total"], 0, "{list}");
        assert_eq!(head.get("/information-systems/new").await.status(), 403);

        // When the department changes hands, its systems and their review task go with it.
        let department = api["department"].as_str().unwrap();
        let handover = json!({"name": "Engineering", "head_person_id": id_of("otto@example.com")});
        let res = sec.api_put(&format!("/api/v1/departments/{department}"), &handover).send().await.unwrap();
        assert_eq!(res.status(), 200, "{backend:?}");
        let open_reviews =
            |tasks: Value| tasks["items"].as_array().unwrap().iter().filter(|t| t["link"] == path).count();
        let theirs: Value = other.get("/api/v1/me/tasks?state=open").await.json().await.unwrap();
        assert_eq!(open_reviews(theirs), 1, "the new head reviews it");
        let former: Value = head.get("/api/v1/me/tasks?state=open").await.json().await.unwrap();
        assert_eq!(open_reviews(former), 0, "the former head no longer does");
        assert_eq!(other.get(&path).await.status(), 200);
        assert_eq!(head.get(&path).await.status(), 404);
        let handback = json!({"name": "Engineering", "head_person_id": id_of("hana@example.com")});
        let res = sec.api_put(&format!("/api/v1/departments/{department}"), &handback).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let back: Value = head.get("/api/v1/me/tasks?state=open").await.json().await.unwrap();
        assert_eq!(open_reviews(back), 1, "handed back, the review task is theirs again: {backend:?}");
        let res = sec.api_put(&format!("/api/v1/departments/{department}"), &handover).send().await.unwrap();
        assert_eq!(res.status(), 200);

        // Exports and the API list filter like the page.
        let csv = sec.text("/information-systems/export.csv?classification=restricted").await;
        assert!(csv.lines().count() == 2 && csv.contains("Payments"), "{csv}");
        let bad = sec.api_post("/api/v1/information-systems", &json!({"name": "X", "department": "Engineering", "classification": "secret", "assets": "Build server"})).await;
        let problem: Value = bad.json().await.unwrap();
        let pointers: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().filter_map(|e| e["pointer"].as_str()).collect();
        assert_eq!(pointers, ["/assets"], "a list, not text: {problem}");
        app.stop().await;
    }
}
