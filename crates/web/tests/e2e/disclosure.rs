//! Vulnerability disclosure through the pages, on every backend: security.txt, the public
//! report form (bad input kept and named, a honeypot, a limit per address), the reporter's
//! secret link, the team's triage and reply, and who may see what.

use bulwark_testkit::{backends, spawn_app};

#[tokio::test]
async fn outsiders_report_and_follow_vulnerabilities_and_the_team_answers() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let outsider = app.client();
        let sec = app.signed_in("sec@example.com", &["security"]).await;
        let emp = app.signed_in("emp@example.com", &["employee"]).await;

        let res = outsider.get("/.well-known/security.txt").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
        let text = res.text().await.unwrap();
        assert!(text.contains(&format!("Contact: {}/report-vulnerability\n", app.url(""))), "{text}");
        let expires = text.lines().find_map(|l| l.strip_prefix("Expires: ")).expect("Expires");
        let expires = time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339).unwrap();
        assert!(expires > time::OffsetDateTime::now_utc(), "never in the past");

        let refused = outsider
            .post_form(
                "/report-vulnerability",
                "/report-vulnerability",
                &[("title", "XSS in profile"), ("description", ""), ("reporter_email", "nope")],
            )
            .await;
        assert_eq!(refused.status(), 422, "{backend:?}");
        let page = refused.text().await.unwrap();
        assert!(
            page.contains("Details is required") && page.contains("Your e-mail (optional) must be an e-mail address")
        );
        assert!(page.contains("value=\"XSS in profile\""), "what was typed stays");
        let bot = outsider
            .post_form(
                "/report-vulnerability",
                "/report-vulnerability",
                &[("title", "Spam"), ("description", "Buy now"), ("website", "http://spam.example")],
            )
            .await;
        assert_eq!(bot.status(), 422);

        let fields = [
            ("title", "Stored XSS in the profile page"),
            ("description", "Put <script>alert(1)</script> in the display name."),
            ("reporter_email", "grace@example.org"),
        ];
        let res = outsider.post_form("/report-vulnerability", "/report-vulnerability", &fields).await;
        assert_eq!(res.status(), 200);
        let page = res.text().await.unwrap();
        assert!(!page.contains("<script>alert(1)"), "escaped");
        let link =
            page.split("id=\"track-link\" href=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
        let track = link.trim_start_matches(&app.url(""));

        // The team sees it; an employee does not.
        let list = sec.text("/vulnerability-reports").await;
        assert!(list.contains("Stored XSS in the profile page"), "{list}");
        assert_eq!(emp.get("/vulnerability-reports").await.status(), 403);
        let id = list
            .split("<td><a href=\"/vulnerability-reports/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let detail = sec.text(&format!("/vulnerability-reports/{id}")).await;
        assert!(detail.contains("&#60;script&#62;alert(1)") && detail.contains("grace@example.org"), "{detail}");

        // Triage with a CVSS vector; a bad one is named on the form.
        let form = format!("/vulnerability-reports/{id}");
        let res = sec
            .post_form(
                &format!("{form}/triage"),
                &form,
                &[("status", "accepted"), ("cvss_vector", "CVSS:3.1/AV:N/AC:L")],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("CVSS vector lacks the base metrics PR, UI, S, C, I, A"));
        let vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N";
        let res =
            sec.post_form(&format!("{form}/triage"), &form, &[("status", "accepted"), ("cvss_vector", vector)]).await;
        assert_eq!(res.status(), 303);
        assert!(sec.text(&form).await.contains("<strong id=\"cvss-score\">6.1</strong> Medium"));

        // The conversation, both ways.
        let res = sec.post_form(&format!("{form}/reply"), &form, &[("body", "Thanks, we can reproduce it.")]).await;
        assert_eq!(res.status(), 303);
        let followed = outsider.text(track).await;
        assert!(followed.contains("Thanks, we can reproduce it.") && followed.contains("Accepted"), "{followed}");
        assert!(followed.contains("Security team") && !followed.contains("sec@example.com"), "the team, not a member");
        // The address typed on the form got one confirmation message and no reply yet.
        let mailed = |event: &str| format!("SELECT COUNT(*) FROM outbox WHERE event = '{event}'");
        assert_eq!(app.store().count_raw(&mailed("vulnerability.confirm")).await.unwrap(), 1);
        assert_eq!(app.store().count_raw(&mailed("vulnerability.reply")).await.unwrap(), 0, "{backend:?}: unconfirmed");
        let (_, outbox) = bulwark_core::notify::status(app.store(), &bulwark_core::Actor::cli()).await.unwrap();
        let ask = outbox.iter().find(|m| m.event == "vulnerability.confirm").unwrap();
        assert!(ask.target == "grace@example.org" && !ask.body.contains("Stored XSS"), "fixed text only: {}", ask.body);
        let confirm = ask.body.split("{base}").nth(2).and_then(|r| r.split_whitespace().next()).unwrap().to_string();
        assert!(confirm.starts_with("/report-vulnerability/confirm/"), "{confirm}");
        assert_eq!(outsider.get(&confirm).await.status(), 200);
        assert_eq!(outsider.get(&confirm).await.status(), 404, "once");
        let res = sec.post_form(&format!("{form}/reply"), &form, &[("body", "Fixed next week.")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(app.store().count_raw(&mailed("vulnerability.reply")).await.unwrap(), 1, "{backend:?}: confirmed");
        let res = outsider.post_form(track, track, &[("body", "Great, a fix date?")]).await;
        assert_eq!(res.status(), 303);
        assert!(sec.text(&form).await.contains("Great, a fix date?"));
        assert_eq!(outsider.get("/report-vulnerability/track/not-the-secret").await.status(), 404);
        let fresh = reqwest::get(app.url(track)).await.unwrap();
        assert_eq!(fresh.headers()["cache-control"], "no-store", "never cached, even without cookies");

        let csv = sec.text("/vulnerability-reports/export.csv?status=accepted").await;
        assert!(csv.contains("Stored XSS in the profile page") && csv.contains(vector), "{csv}");

        // The same through the API.
        let listed: serde_json::Value =
            sec.get("/api/v1/vulnerability-reports?status=accepted").await.json().await.unwrap();
        assert_eq!(listed["items"][0]["cvss_score"].as_f64(), Some(6.1), "{listed}");
        let api = format!("/api/v1/vulnerability-reports/{id}");
        let bad = sec
            .api_put(&format!("{api}/triage"), &serde_json::json!({"cvss_vector": "CVSS:4.0/AV:N"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 422);
        let fixed =
            sec.api_put(&format!("{api}/triage"), &serde_json::json!({"status": "fixed"})).send().await.unwrap();
        let fixed: serde_json::Value = fixed.json().await.unwrap();
        assert_eq!((fixed["status"].as_str(), fixed["cvss_vector"].as_str()), (Some("fixed"), Some(vector)), "kept");
        let sent = sec.api_post(&format!("{api}/messages"), &serde_json::json!({"body": "Fixed in 2.4.1."})).await;
        assert_eq!(sent.status(), 201);
        let detail: serde_json::Value = sec.get(&api).await.json().await.unwrap();
        assert_eq!(detail["messages"].as_array().unwrap().len(), 4);
        assert_eq!(emp.get(&api).await.status(), 403);

        // One address sends at most five reports an hour.
        for n in 2..=5 {
            let title = format!("Report {n}");
            let fields = [("title", title.as_str()), ("description", "details")];
            assert_eq!(
                outsider.post_form("/report-vulnerability", "/report-vulnerability", &fields).await.status(),
                200
            );
        }
        let sixth = [("title", "Report 6"), ("description", "details")];
        let res = outsider.post_form("/report-vulnerability", "/report-vulnerability", &sixth).await;
        assert_eq!(res.status(), 429, "{backend:?}");
        assert!(res.text().await.unwrap().contains("At most 5 reports an hour"));
    }
}
