//! Acknowledgment campaigns end to end: the security team starts one for everyone, each
//! employee finds the task, reads and signs, completion rises, and the export lists everyone.

use bulwark_core::policies::{self, PolicyInput, Transition};
use bulwark_core::{Actor, time_util};
use bulwark_testkit::{backends, spawn_app};
use serde_json::{Value, json};

async fn json_of(res: reqwest::Response) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn published_policy(store: &dyn bulwark_core::Store) -> String {
    let (cli, now) = (Actor::cli(), time_util::now());
    let ratifier = Actor { label: "ceo".into(), roles: vec![bulwark_core::Role::Management], ..Actor::cli() };
    let input = PolicyInput {
        title: "Acceptable use policy".into(),
        body: "# Use\n\nBe careful.\n".into(),
        ..Default::default()
    };
    let p = policies::create(store, &cli, now, &input).await.unwrap();
    for (who, step) in [(&cli, Transition::Submit), (&ratifier, Transition::Ratify), (&cli, Transition::Publish)] {
        policies::transition(store, who, now, p.id, 1, step).await.unwrap();
    }
    p.id.to_string()
}

#[tokio::test]
async fn employees_sign_their_campaign_task_and_the_security_team_sees_completion_rise() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let security = app.signed_in("sec@example.com", &["security"]).await;
        let ceo = app.signed_in("ceo@example.com", &["management"]).await;
        let emp = app.signed_in("emp@example.com", &["employee"]).await;
        let policy = published_policy(app.store()).await;
        let due = (time_util::now() + time::Duration::days(30)).date().to_string();

        let past = json!({"title": "Late", "due_date": "2020-01-01"});
        let res = security.api_post("/api/v1/campaigns", &past).await;
        assert_eq!(res.status(), 409, "a well-formed date that is already past conflicts with the present");
        assert!(res.text().await.unwrap().contains("must be in the future"));

        let body = json!({"title": "Policy acknowledgment 2026", "policy_ids": [policy], "due_date": due});
        let created = json_of(security.api_post("/api/v1/campaigns", &body).await).await;
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!((created["assigned"].as_i64(), created["signed"].as_i64()), (Some(3), Some(0)), "{backend:?}");
        assert_eq!(emp.get("/api/v1/campaigns").await.status(), 403, "completion is for the security team");

        let tasks = json_of(emp.get("/api/v1/me/tasks").await).await;
        assert_eq!(tasks["total"], 1);
        let link = tasks["items"][0]["link"].as_str().unwrap().to_string();
        assert_eq!(link, format!("/campaigns/{id}/acknowledge"));
        let sheet = emp.text(&link).await;
        assert!(sheet.contains("Acceptable use policy") && sheet.contains("I have read these policies"));

        let unticked = emp.post_form(&link, &link, &[]).await;
        assert_eq!(unticked.status(), 422);
        assert!(unticked.text().await.unwrap().contains("The box must be ticked to sign"));
        let signed = emp.post_form(&link, &link, &[("accept", "yes")]).await;
        assert_eq!(
            (signed.status().as_u16(), signed.headers()["location"].to_str().unwrap()),
            (303, "/tasks?done=signed")
        );
        let open = json_of(emp.get("/api/v1/me/tasks?state=open").await).await;
        assert_eq!(open["total"], 0, "signing closes the task");
        let again = emp.http.post(emp.url(&format!("/api/v1/campaigns/{id}/acknowledge"))).send().await.unwrap();
        assert_eq!(again.status(), 409, "signed once: signing again is a conflict");

        let completion = json_of(ceo.get(&format!("/api/v1/campaigns/{id}")).await).await;
        assert_eq!((completion["assigned"].as_i64(), completion["signed"].as_i64()), (Some(3), Some(1)));
        let page = ceo.text(&format!("/campaigns/{id}")).await;
        assert!(page.contains("1 of 3 signed") && page.contains("sec@example.com"), "who is missing is listed");

        // A joiner gets the task at once.
        let joiner = json!({"name": "New Joiner", "email": "joiner@example.com"});
        assert_eq!(security.api_post("/api/v1/people", &joiner).await.status(), 201);
        let csv = ceo.text(&format!("/api/v1/campaigns/{id}/export?format=csv")).await;
        assert_eq!(csv.lines().count(), 1 + 4, "{csv}");
        assert_eq!(csv.lines().next(), Some("person_id,name,email,department,state,signed_at,versions"));
        let signed_row = csv.lines().find(|l| l.contains("emp@example.com")).unwrap();
        assert!(
            signed_row.contains(",signed,") && signed_row.contains(&policies::content_hash("# Use\n\nBe careful.\n"))
        );
        let rows: Value = ceo.get(&format!("/campaigns/{id}/export.json")).await.json().await.unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 4);
        assert_eq!(ceo.get(&format!("/api/v1/campaigns/{id}/export?format=xml")).await.status(), 422);
        // An audience by role: only the people whose account has it.
        let managers = json!({"title": "Management attestation", "roles": ["management"], "due_date": due});
        let only = json_of(security.api_post("/api/v1/campaigns", &managers).await).await;
        assert_eq!((only["assigned"].as_i64(), only["audience_roles"][0].as_str()), (Some(1), Some("management")));
        let ceo_tasks = json_of(ceo.get("/api/v1/me/tasks?state=open").await).await;
        assert!(
            ceo_tasks["items"].as_array().unwrap().iter().any(|t| t["title"] == "Acknowledge: Management attestation")
        );
        let bad = json!({"title": "x", "roles": ["wizard"], "due_date": due});
        assert_eq!(security.api_post("/api/v1/campaigns", &bad).await.status(), 422);
        let dashboard = emp.text("/").await;
        assert!(dashboard.contains("Nothing to do") || !dashboard.contains("Acknowledge:"), "the signed task is gone");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_checklist_campaign_is_answered_in_the_page_and_a_no_stays_a_task_until_fixed() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let security = app.signed_in("sec@example.com", &["security"]).await;
        let emp = app.signed_in("emp@example.com", &["employee"]).await;

        // A template from the form: a bad one comes back with what was typed.
        let items = "Disk encryption is on | System settings → FileVault\nScreen locks after 5 minutes";
        let bad = security
            .post_form(
                "/checklists/new",
                "/checklists/new",
                &[("title", " "), ("items", items), ("follow_up_days", "900")],
            )
            .await;
        assert_eq!(bad.status(), 422);
        let page = bad.text().await.unwrap();
        assert!(page.contains("Screen locks after 5 minutes") && page.contains("must be a number of days"), "{page}");
        let made = security
            .post_form(
                "/checklists/new",
                "/checklists/new",
                &[("title", "Secure configuration"), ("items", items), ("follow_up_days", "7")],
            )
            .await;
        assert_eq!(made.status(), 303);
        let list = json_of(security.get("/api/v1/checklists").await).await;
        let checklist = list["items"][0]["id"].as_str().unwrap().to_string();
        let due = (time_util::now() + time::Duration::days(30)).date().to_string();
        let body = json!({"title": "Laptop check", "checklist_id": checklist, "due_date": due});
        let campaign = json_of(security.api_post("/api/v1/campaigns", &body).await).await;
        let id = campaign["id"].as_str().unwrap().to_string();
        assert_eq!(campaign["checklist_id"], checklist.as_str());

        let tasks = json_of(emp.get("/api/v1/me/tasks?state=open").await).await;
        assert_eq!(tasks["items"][0]["title"], "Complete: Laptop check");
        let sheet = emp.text(&format!("/campaigns/{id}/acknowledge")).await;
        assert!(sheet.contains("System settings → FileVault") && sheet.contains("Not applicable"), "{sheet}");

        // One item left out: the page comes back with the other answer and the comment kept.
        let path = format!("/campaigns/{id}/acknowledge");
        let partial = emp
            .post_form(&path, &path, &[("answer_1", "no"), ("comment_1", "Old laptop"), ("comment_2", "Soon")])
            .await;
        assert_eq!(partial.status(), 422);
        let page = partial.text().await.unwrap();
        assert!(
            page.contains(r#"value="no" checked"#) && page.contains("Old laptop") && page.contains("must be answered"),
            "{page}"
        );
        let done =
            emp.post_form(&path, &path, &[("answer_1", "no"), ("comment_1", "Old laptop"), ("answer_2", "yes")]).await;
        assert_eq!(done.status(), 303);
        let tasks = json_of(emp.get("/api/v1/me/tasks?state=open").await).await;
        let titles: Vec<_> = tasks["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Fix: Disk encryption is on"], "the checklist is done, the no is a task");
        let export = security.text(&format!("/api/v1/campaigns/{id}/export?format=csv")).await;
        assert!(export.contains("1 Disk encryption is on: no — Old laptop"), "{export}");
        let detail = json_of(security.get(&format!("/api/v1/campaigns/{id}")).await).await;
        assert_eq!((detail["assigned"].as_i64(), detail["signed"].as_i64()), (Some(2), Some(1)));
        let page = security.text(&format!("/campaigns/{id}")).await;
        assert!(page.contains("1 of 2 completed") && page.contains(&format!("/checklists/{checklist}")), "{page}");

        // Fixed, through the API: the follow-up closes.
        let fixed = json!({"answers": [{"item": 1, "answer": "yes"}, {"item": 2, "answer": "yes"}]});
        assert_eq!(emp.api_post(&format!("/api/v1/campaigns/{id}/answers"), &fixed).await.status(), 204);
        let open = json_of(emp.get("/api/v1/me/tasks?state=open").await).await;
        assert_eq!(open["items"].as_array().unwrap().len(), 0, "{open}");
        let unknown = json!({"answers": [{"item": 9, "answer": "yes"}]});
        assert_eq!(emp.api_post(&format!("/api/v1/campaigns/{id}/answers"), &unknown).await.status(), 409);
        app.stop().await;
    }
}

#[tokio::test]
async fn an_onboarding_campaign_from_the_form_reaches_only_people_who_join_afterwards() {
    let app = spawn_app(bulwark_testkit::Backend::Sqlite).await;
    let security = app.signed_in("sec@example.com", &["security"]).await;
    published_policy(app.store()).await;
    let due = (time_util::now() + time::Duration::days(60)).date().to_string();
    let started = security
        .post_form(
            "/campaigns/new",
            "/campaigns/new",
            &[("title", "Onboarding"), ("due_date", &due), ("joiners_only", "true")],
        )
        .await;
    assert_eq!(started.status(), 303, "{}", started.text().await.unwrap());
    let list = json_of(security.get("/api/v1/campaigns").await).await;
    assert_eq!(
        (list["items"][0]["joiners_only"].as_bool(), list["items"][0]["assigned"].as_i64()),
        (Some(true), Some(0))
    );
    let mine = json_of(security.get("/api/v1/me/tasks").await).await;
    assert!(mine["items"].as_array().unwrap().is_empty(), "the security team was there before");
    let newcomer = app.signed_in("new@example.com", &["employee"]).await;
    let tasks = json_of(newcomer.get("/api/v1/me/tasks").await).await;
    assert_eq!(tasks["items"][0]["title"], "Acknowledge: Onboarding");
    app.stop().await;
}

#[tokio::test]
async fn the_security_team_closes_a_campaign_early_and_what_was_open_is_missed() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let security = app.signed_in("sec@example.com", &["security"]).await;
        let emp = app.signed_in("emp@example.com", &["employee"]).await;
        let policy = published_policy(app.store()).await;
        let due = (time_util::now() + time::Duration::days(30)).date().to_string();
        let body = json!({"title": "Started by mistake", "policy_ids": [policy], "due_date": due});
        let id = json_of(security.api_post("/api/v1/campaigns", &body).await).await["id"].as_str().unwrap().to_string();
        let page = format!("/campaigns/{id}");
        assert!(security.text(&page).await.contains("Close now"), "{backend:?}");
        assert_eq!(
            emp.http.post(emp.url(&format!("/api/v1/campaigns/{id}/close"))).send().await.unwrap().status(),
            403
        );
        let res = security.post_form(&format!("{page}/close"), &page, &[]).await;
        assert_eq!(res.status(), 303, "{backend:?}");
        assert!(!security.text(&page).await.contains("Close now"), "closed");
        let again = security.http.post(security.url(&format!("/api/v1/campaigns/{id}/close"))).send().await.unwrap();
        assert_eq!(again.status(), 409);
        assert!(
            emp.text("/tasks?state=missed").await.contains("Started by mistake"),
            "{backend:?}: the task was missed"
        );
        let sign = emp.http.post(emp.url(&format!("/api/v1/campaigns/{id}/acknowledge"))).send().await.unwrap();
        assert_eq!(sign.status(), 409, "a closed campaign is not signed");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_form_shows_how_many_people_get_a_task_before_the_campaign_starts() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let security = app.signed_in("sec@example.com", &["security"]).await;
        app.signed_in("emp@example.com", &["employee"]).await;
        published_policy(app.store()).await;
        let due = (time_util::now() + time::Duration::days(30)).date().to_string();
        let fields = [("title", "Everyone signs"), ("due_date", due.as_str())];
        let first = security.post_form("/campaigns/new", "/campaigns/new", &fields).await;
        assert_eq!(first.status(), 200, "{backend:?}: nothing starts yet");
        let page = first.text().await.unwrap();
        assert!(page.contains("2 people get a task — everyone in the organisation"), "{page:.3000}");
        assert!(page.contains("value=\"Everyone signs\""), "what was typed stays");
        let none = json_of(security.get("/api/v1/campaigns").await).await;
        assert_eq!(none["total"], 0, "{backend:?}: nothing was written");
        let confirmed = [("title", "Everyone signs"), ("due_date", due.as_str()), ("confirmed_audience", "2")];
        let started = security.post_form("/campaigns/new", "/campaigns/new", &confirmed).await;
        assert_eq!(started.status(), 303, "{backend:?}");
        // A confirmation of another number (the audience changed meanwhile) asks again.
        let stale = [("title", "Again"), ("due_date", due.as_str()), ("confirmed_audience", "7")];
        assert_eq!(security.post_form("/campaigns/new", "/campaigns/new", &stale).await.status(), 200);
        app.stop().await;
    }
}

#[tokio::test]
async fn the_publisher_chooses_whether_everyone_signs_a_new_version_again() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let security = app.signed_in("sec@example.com", &["security"]).await;
        let ceo = app.signed_in("ceo@example.com", &["management"]).await;
        let emp = app.signed_in("emp@example.com", &["employee"]).await;
        let policy = published_policy(app.store()).await;
        let due = (time_util::now() + time::Duration::days(30)).date().to_string();
        let body = json!({"title": "Policy acknowledgment", "policy_ids": [policy], "due_date": due});
        let first = json_of(security.api_post("/api/v1/campaigns", &body).await).await;
        let link = format!("/campaigns/{}/acknowledge", first["id"].as_str().unwrap());
        assert_eq!(emp.post_form(&link, &link, &[("accept", "yes")]).await.status(), 303);

        // Version 2, ratified; the policy page offers the choice before publishing.
        let draft = json!({"title": "Acceptable use policy", "body": "# Use\n\nBe very careful.\n"});
        assert_eq!(security.api_put(&format!("/api/v1/policies/{policy}"), &draft).send().await.unwrap().status(), 200);
        let versions = format!("/api/v1/policies/{policy}/versions/2");
        assert_eq!(security.api_post(&format!("{versions}/submit"), &json!({})).await.status(), 200);
        assert_eq!(ceo.api_post(&format!("{versions}/ratify"), &json!({})).await.status(), 200);
        let page = security.text(&format!("/policies/{policy}")).await;
        assert!(page.contains("Publish version 2") && page.contains("Everyone signs this version again"), "{page}");
        let action = format!("/policies/{policy}/versions/2/publish");
        let fields = [("everyone_signs_again", "true"), ("due_date", "2020-01-01")];
        let late = security.post_form(&action, &format!("/policies/{policy}"), &fields).await;
        assert_eq!(late.status(), 422, "a past due date is refused and nothing is published");
        let page = late.text().await.unwrap();
        assert!(
            page.contains("The due date must be in the future") && page.contains("value=\"2020-01-01\""),
            "{page:.3000}"
        );
        assert!(security.text(&format!("/policies/{policy}")).await.contains("Publish version 2"), "still ratified");
        let fields = [("everyone_signs_again", "true"), ("due_date", due.as_str())];
        let published = security.post_form(&action, &format!("/policies/{policy}"), &fields).await;
        assert_eq!(published.status(), 303);

        let open = json_of(emp.get("/api/v1/me/tasks?state=open").await).await;
        assert_eq!(open["total"], 1, "who signed version 1 signs version 2 again: {open}");
        let title = open["items"][0]["title"].as_str().unwrap();
        assert_eq!(title, "Acknowledge: Acceptable use policy, version 2: everyone signs again");
        let sheet = emp.text(open["items"][0]["link"].as_str().unwrap()).await;
        let changes = format!("/policies/{policy}/versions/2?compare=1");
        assert!(sheet.contains(&changes) && sheet.contains("what changed since version 1"), "{sheet}");
        assert!(emp.text(&changes).await.contains("Be very careful"), "the employee reads what changed");

        // Through the API: without a body the signatures stay; a bad body is a 4xx.
        let draft = json!({"title": "Acceptable use policy", "body": "# Use\n\nCareful.\n"});
        assert_eq!(security.api_put(&format!("/api/v1/policies/{policy}"), &draft).send().await.unwrap().status(), 200);
        let versions = format!("/api/v1/policies/{policy}/versions/3");
        assert_eq!(security.api_post(&format!("{versions}/submit"), &json!({})).await.status(), 200);
        assert_eq!(ceo.api_post(&format!("{versions}/ratify"), &json!({})).await.status(), 200);
        let wrong = json!({"everyone_signs_again": "maybe"});
        assert_eq!(security.api_post(&format!("{versions}/publish"), &wrong).await.status(), 422);
        let plain = security.http.post(security.url(&format!("{versions}/publish"))).send().await.unwrap();
        assert_eq!(plain.status(), 200, "{}", plain.text().await.unwrap());
        let campaigns = json_of(security.get("/api/v1/campaigns").await).await;
        assert_eq!(campaigns["total"], 2, "publishing with signatures kept starts no campaign");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_security_team_moves_the_due_date_repeats_and_cancels_a_campaign_from_the_page_and_the_api() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let security = app.signed_in("sec@example.com", &["security"]).await;
        let emp = app.signed_in("emp@example.com", &["employee"]).await;
        published_policy(app.store()).await;
        let due = (time_util::now() + time::Duration::days(30)).date().to_string();

        // A yearly campaign from the form (after confirming its audience).
        let fields =
            [("title", "Yearly"), ("due_date", due.as_str()), ("repeat_months", "12"), ("confirmed_audience", "2")];
        let started = security.post_form("/campaigns/new", "/campaigns/new", &fields).await;
        assert_eq!(started.status(), 303, "{backend:?}");
        let listed = json_of(security.get("/api/v1/campaigns").await).await;
        let id = listed["items"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(listed["items"][0]["repeat_months"], 12);
        let page = security.text(&format!("/campaigns/{id}")).await;
        assert!(
            page.contains("every 12 months")
                && page.contains("Change the due date")
                && page.contains("Cancel campaign")
        );

        // The due date: a bad one shows the page again with what was typed and why.
        let action = format!("/campaigns/{id}/due-date");
        let bad = security.post_form(&action, &format!("/campaigns/{id}"), &[("due_date", "2020-02-30")]).await;
        assert_eq!(bad.status(), 422);
        let body = bad.text().await.unwrap();
        assert!(body.contains("value=\"2020-02-30\"") && body.contains("The due date must be a date"), "{body:.2000}");
        let later = (time_util::now() + time::Duration::days(45)).date().to_string();
        let moved = security.post_form(&action, &format!("/campaigns/{id}"), &[("due_date", later.as_str())]).await;
        assert_eq!(moved.status(), 303);
        let task = json_of(emp.get("/api/v1/me/tasks?state=open").await).await;
        assert!(task["items"][0]["due_at"].as_str().unwrap().starts_with(&later), "{task}");
        let patch =
            |body: Value| security.http.patch(security.url(&format!("/api/v1/campaigns/{id}"))).json(&body).send();
        let past = patch(json!({"due_date": "2020-01-01"})).await.unwrap();
        assert_eq!(past.status(), 409, "a date already past conflicts with the present");
        assert_eq!(patch(json!({"due_at": later})).await.unwrap().status(), 422, "unknown field");
        let even_later = (time_util::now() + time::Duration::days(50)).date().to_string();
        let patched = json_of(patch(json!({"due_date": even_later})).await.unwrap()).await;
        assert!(patched["due_at"].as_str().unwrap().starts_with(&even_later));

        // Cancelled from the page: the employee's task is withdrawn, not missed; a channel can
        // be told (every event a campaign raises can be routed).
        let told = vec!["campaign.cancel".to_string()];
        let (cli, now) = (bulwark_core::Actor::cli(), time_util::now());
        let to = "security-team@example.com";
        bulwark_core::notify::add_channel(app.store(), &cli, now, "security", "email", to, &told).await.unwrap();
        let cancel = security.post_form(&format!("/campaigns/{id}/cancel"), &format!("/campaigns/{id}"), &[]).await;
        assert_eq!(cancel.status(), 303);
        assert_eq!(json_of(emp.get("/api/v1/me/tasks?state=open").await).await["total"], 0);
        assert_eq!(json_of(emp.get("/api/v1/me/tasks?state=missed").await).await["total"], 0, "withdrawn, not missed");
        assert!(security.text("/campaigns").await.contains("cancelled"));
        let again = security.api_post(&format!("/api/v1/campaigns/{id}/cancel"), &json!({})).await;
        assert_eq!(again.status(), 409, "cancelled once");
        assert_eq!(patch(json!({"due_date": even_later})).await.unwrap().status(), 409, "closed: no due date to move");
        app.stop().await;
    }
}
