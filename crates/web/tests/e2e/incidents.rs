//! Incidents through the pages and the API, on every backend: reporting with the category's
//! guidance, restricted visibility (the team, the reporter, the people added — nobody else),
//! the 72-hour clock shown, the forward-only workflow with lessons learned to close, the
//! response plan linked, and a bot reporting through the API.

use bulwark_testkit::{backends, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn incidents_are_reported_responded_to_and_seen_only_by_those_involved() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let ada = app.signed_in("ada@example.com", &["employee"]).await;
        let eve = app.signed_in("eve@example.com", &["employee"]).await;
        let ceo = app.signed_in("ceo@example.com", &["management"]).await;

        let form = ada.text("/incidents/new").await;
        assert!(
            form.contains("Lost or stolen device") && form.contains("whether it was locked and encrypted"),
            "guidance"
        );
        let refused = ada.post_form("/incidents/new", "/incidents/new", &[("title", "Laptop gone")]).await;
        assert_eq!(refused.status(), 422, "{backend:?}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("Category is required") && page.contains("value=\"Laptop gone\""));
        let fields = [
            ("title", "Laptop stolen from my car"),
            ("category", "lost-device"),
            ("description", "Asset tag L-1042."),
            ("personal_data", "on"),
        ];
        let res = ada.post_form("/incidents/new", "/incidents/new", &fields).await;
        assert_eq!(res.status(), 303);
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let path = location.split('?').next().unwrap().to_string();
        let page = ada.text(&path).await;
        assert!(page.contains("Personal data is involved: 72 hours left") || page.contains("71 hours left"), "{page}");
        assert!(!page.contains("Save assessment"), "the reporter does not lead the response");

        // Nobody else sees it: not another employee, not management.
        assert_eq!(eve.get(&path).await.status(), 404);
        assert_eq!(ceo.get(&path).await.status(), 404);
        assert!(!eve.text("/incidents").await.contains("Laptop stolen"));
        let id = path.trim_start_matches("/incidents/");
        assert_eq!(eve.get(&format!("/api/v1/incidents/{id}")).await.status(), 404);
        assert!(sec.text("/incidents").await.contains("Laptop stolen from my car"));
        let dashboard = sec.text("/").await;
        assert!(
            dashboard.contains("Authority notifications owed") && dashboard.contains("Laptop stolen"),
            "{dashboard}"
        );
        assert!(!ada.text("/").await.contains("Authority notifications owed"), "only for the security team");

        // The team responds: Eve is added and then sees it; closing needs lessons learned.
        let res = sec.post_form(&format!("{path}/members"), &path, &[("person", "eve@example.com")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(eve.get(&path).await.status(), 200);
        let res =
            sec.post_form(&format!("{path}/status"), &path, &[("status", "closed"), ("lessons_learned", "")]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("lessons_learned are required to close an incident"));
        let res = sec.post_form(&format!("{path}/status"), &path, &[("status", "contained")]).await;
        assert_eq!(res.status(), 303);
        let res =
            eve.post_form(&format!("{path}/comments"), &path, &[("text", "The car was parked at the office.")]).await;
        assert_eq!(res.status(), 303);
        let page = sec.text(&path).await;
        assert!(page.contains("Reported → Contained") && page.contains("The car was parked at the office."), "{page}");
        assert!(page.contains("none chosen yet"), "no response plan chosen yet");

        // A bot reports through the API with a token.
        let res = sec
            .api_post(
                "/api/v1/incidents",
                &json!({"title": "Malware alert on build server", "category": "malware", "description": "EDR alert 4711"}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let created: Value = res.json().await.unwrap();
        assert_eq!((created["status"].as_str(), created["personal_data"].as_bool()), (Some("reported"), Some(false)));
        let bad = sec
            .api_post("/api/v1/incidents", &json!({"title": "x", "category": "earthquake", "description": "y"}))
            .await;
        assert_eq!(bad.status(), 422);
        let csv = sec.text("/incidents/export.csv").await;
        assert!(csv.starts_with("id,title,category") && csv.contains("Laptop stolen from my car"), "{csv}");
        assert_eq!(ada.get("/incidents/export.csv").await.status(), 403);
        let mine: Value = ada.get("/api/v1/incidents").await.json().await.unwrap();
        assert_eq!(mine["items"].as_array().unwrap().len(), 1, "Ada sees only hers: {mine}");
    }
}

#[tokio::test]
async fn auditors_read_every_incident_and_vulnerability_report_and_change_nothing() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let ada = app.signed_in("ada@example.com", &["employee"]).await;
        let auditor = app.signed_in("audrey@example.com", &["auditor"]).await;
        let fields = [("title", "Phishing mail clicked"), ("category", "other"), ("description", "Clicked a link.")];
        let res = ada.post_form("/incidents/new", "/incidents/new", &fields).await;
        assert_eq!(res.status(), 303, "{backend:?}");
        let path = res.headers()["location"].to_str().unwrap().split(['?', '#']).next().unwrap().to_string();
        let risk = bulwark_core::compliance::risks::create(
            app.store(),
            &bulwark_core::Actor::cli(),
            bulwark_core::time_util::now(),
            &bulwark_core::compliance::risks::RiskInput {
                title: "Phishing".into(),
                owner: "ada@example.com".into(),
                probability: "3".into(),
                impact: "3".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let id: bulwark_core::ids::IncidentId = path.trim_start_matches("/incidents/").parse().unwrap();
        let (cli, now) = (bulwark_core::Actor::cli(), bulwark_core::time_util::now());
        bulwark_core::incidents::link(app.store(), &cli, now, id, "risk", &risk.id.to_string()).await.unwrap();

        assert!(auditor.text("/incidents").await.contains("Phishing mail clicked"), "{backend:?}: listed");
        let page = auditor.text(&path).await;
        assert!(page.contains("Phishing mail clicked") && !page.contains("Add to the timeline"), "reads only");
        let comment = auditor.post_form(&format!("{path}/comments"), &path, &[("text", "Seen.")]).await;
        assert_eq!(comment.status(), 403, "{backend:?}: an auditor changes nothing");
        assert_eq!(auditor.get(&format!("/api/v1{path}")).await.status(), 200);
        // The reporter sees the linked risk by name, not as a link they cannot open.
        let own = ada.text(&path).await;
        assert!(own.contains("Phishing") && !own.contains(&format!("/risks/{}", risk.id)), "{backend:?}");

        let outsider = app.client();
        let report = [("title", "SQL injection in search"), ("description", "details")];
        outsider.post_form("/report-vulnerability", "/report-vulnerability", &report).await;
        let list = auditor.text("/vulnerability-reports").await;
        assert!(list.contains("SQL injection in search"), "{backend:?}: {list:.500}");
        let rid = list.split("<td><a href=\"/vulnerability-reports/").nth(1).and_then(|r| r.split('"').next()).unwrap();
        let detail = auditor.text(&format!("/vulnerability-reports/{rid}")).await;
        assert!(detail.contains("SQL injection in search") && !detail.contains("Save triage"), "reads only");
        let triage = format!("/vulnerability-reports/{rid}/triage");
        let res = auditor.post_form(&triage, &format!("/vulnerability-reports/{rid}"), &[("status", "accepted")]).await;
        assert_eq!(res.status(), 403);
        app.stop().await;
    }
}

#[tokio::test]
async fn the_assignee_of_an_incident_task_marks_it_done_with_a_note() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let ada = app.signed_in("ada@example.com", &["employee"]).await;
        let eve = app.signed_in("eve@example.com", &["employee"]).await;
        let fields = [("title", "Laptop stolen"), ("category", "lost-device"), ("description", "Tag L-7.")];
        let res = sec.post_form("/incidents/new", "/incidents/new", &fields).await;
        let path = res.headers()["location"].to_str().unwrap().split(['?', '#']).next().unwrap().to_string();
        let task = [("person", "ada@example.com"), ("title", "Wipe the laptop remotely"), ("due_on", "")];
        assert_eq!(sec.post_form(&format!("{path}/tasks"), &path, &task).await.status(), 303, "{backend:?}");

        let page = ada.text("/tasks").await;
        assert!(page.contains("Wipe the laptop remotely") && page.contains("Mark done"), "{page}");
        let id = page.split("name=\"task\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
        let id = id.replace("&#58;", ":").replace("&#47;", "/").replace("&#x2f;", "/").replace("&#x3a;", ":");
        // Someone else cannot close it; the assignee can, once.
        let other = eve.post_form("/tasks/done", "/tasks", &[("task", &id), ("note", "x")]).await;
        assert_eq!(other.status(), 404, "{backend:?}");
        let done = ada.post_form("/tasks/done", "/tasks", &[("task", &id), ("note", "Wiped at 14:02.")]).await;
        assert_eq!(done.status(), 303, "{backend:?}: {}", done.text().await.unwrap_or_default());
        assert!(ada.text("/tasks?state=done").await.contains("Wipe the laptop remotely"));
        let again = ada.post_form("/tasks/done", "/tasks", &[("task", &id), ("note", "")]).await;
        assert_eq!(again.status(), 422);
        assert!(again.text().await.unwrap().contains("is done already"), "once");
        let timeline = sec.text(&path).await;
        assert!(
            timeline.contains("Done: Wipe the laptop remotely") && timeline.contains("Wiped at 14:02."),
            "{backend:?}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn the_whole_response_runs_through_the_api_as_on_the_page() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let ada = app.signed_in("ada@example.com", &["employee"]).await;
        let eve = app.signed_in("eve@example.com", &["employee"]).await;
        let mallory = app.signed_in("mallory@example.com", &["employee"]).await;
        let body = json!({"title": "Phishing wave", "category": "suspicious-login", "description": "Three reports."});
        let created: Value = sec.api_post("/api/v1/incidents", &body).await.json().await.unwrap();
        let base = format!("/api/v1/incidents/{}", created["id"].as_str().unwrap());
        let other: Value = sec
            .api_post("/api/v1/incidents", &json!({"title": "Other", "category": "other", "description": "x"}))
            .await
            .json()
            .await
            .unwrap();

        // Triage, people, links and tasks, each refusing what names nothing.
        let triaged = sec.api_post(&format!("{base}/assessment"), &json!({"severity": "high"})).await;
        assert_eq!(triaged.status(), 200, "{backend:?}");
        let empty = sec.api_post(&format!("{base}/assessment"), &json!({"severity": ""})).await;
        assert_eq!(empty.status(), 422, "an empty severity is none of its values");
        assert_eq!(eve.get(&format!("{base}/timeline")).await.status(), 404, "not involved yet");
        let nobody = sec.api_post(&format!("{base}/members"), &json!({"person": "nobody@example.com"})).await;
        assert_eq!(nobody.status(), 409, "names nobody: {backend:?}");
        assert_eq!(sec.api_post(&format!("{base}/members"), &json!({"person": "eve@example.com"})).await.status(), 204);
        let planet = sec.api_post(&format!("{base}/links"), &json!({"kind": "planet", "target": "Mars"})).await;
        assert_eq!(planet.status(), 422);
        let linked =
            sec.api_post(&format!("{base}/links"), &json!({"kind": "person", "target": "ada@example.com"})).await;
        assert_eq!(linked.status(), 201, "{backend:?}");
        let link: Value = linked.json().await.unwrap();
        assert_eq!((link["kind"].as_str(), link["label"].as_str()), (Some("person"), Some("ada")), "{link}");
        let task = json!({"assignee": "ada@example.com", "title": "Reset the password", "due_on": "2030-01-31"});
        let added = sec.api_post(&format!("{base}/tasks"), &task).await;
        assert_eq!(added.status(), 201, "{backend:?}");
        let task: Value = added.json().await.unwrap();
        assert_eq!(task["due_at"].as_str().map(|d| &d[..10]), Some("2030-01-31"));
        let forbidden =
            ada.api_post(&format!("{base}/tasks"), &json!({"assignee": "ada@example.com", "title": "x"})).await;
        assert_eq!(forbidden.status(), 403, "only the responders give tasks");

        // The assignee finds the task in their own tasks and marks it done, once, on its incident only.
        let mine: Value = ada.get("/api/v1/me/tasks").await.json().await.unwrap();
        let id = mine["items"].as_array().unwrap().iter().find(|t| t["title"].as_str().unwrap().starts_with("Reset"));
        let id = id.expect("the assignee's task")["id"].as_str().unwrap().to_string();
        assert_eq!(task["id"], id.as_str());
        let done = json!({"task": id, "note": "Reset at 09:10."});
        assert_eq!(eve.api_post(&format!("{base}/tasks/done"), &done).await.status(), 404, "not theirs");
        let elsewhere = format!("/api/v1/incidents/{}/tasks/done", other["id"].as_str().unwrap());
        assert_eq!(ada.api_post(&elsewhere, &done).await.status(), 404, "not that incident's task");
        let res = ada.api_post(&format!("{base}/tasks/done"), &done).await;
        assert_eq!(res.status(), 200, "{backend:?}");
        assert_eq!(res.json::<Value>().await.unwrap()["state"], "done");
        assert_eq!(ada.api_post(&format!("{base}/tasks/done"), &done).await.status(), 409, "once");

        // Those involved comment; an outsider finds no incident.
        let said = eve.api_post(&format!("{base}/comments"), &json!({"text": "I clicked the link too."})).await;
        assert_eq!(said.status(), 201, "{backend:?}");
        assert_eq!(said.json::<Value>().await.unwrap()["author"], "eve@example.com");
        let outsider = mallory.api_post(&format!("{base}/comments"), &json!({"text": "hi"})).await;
        assert_eq!(outsider.status(), 404);
        assert_eq!(eve.api_post(&format!("{base}/comments"), &json!({"text": " "})).await.status(), 422);

        // The timeline holds it all, oldest first, for whoever sees the incident.
        let timeline: Value = eve.get(&format!("{base}/timeline")).await.json().await.unwrap();
        let kinds: Vec<&str> =
            timeline["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.first(), Some(&"reported"), "{timeline}");
        for kind in ["member", "link", "task", "comment"] {
            assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
        }
        let texts = timeline["events"].to_string();
        assert!(texts.contains("Reset at 09:10.") && texts.contains("I clicked the link too."), "{texts}");
        let members: Vec<&str> =
            timeline["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
        assert!(members.contains(&"eve") && members.contains(&"ada"), "{members:?}");
        assert_eq!(timeline["links"][0]["target_id"], link["target_id"]);

        // And it closes through the API, with the lessons learned.
        let close = json!({"status": "closed", "lessons_learned": "Report phishing within the hour."});
        let closed = sec.api_post(&format!("{base}/status"), &close).await;
        assert_eq!(closed.status(), 200, "{backend:?}");
        assert_eq!(closed.json::<Value>().await.unwrap()["status"], "closed");
        app.stop().await;
    }
}
