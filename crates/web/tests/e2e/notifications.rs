//! Notifications over real protocols: a published policy reaches the announcements chat
//! channel (an incoming webhook on loopback) and the compliance mailing list (a real SMTP
//! exchange with a loopback sink) exactly once; a channel that fails is retried after its
//! backoff, taken from the injected clock, and the failure is visible meanwhile.

use bulwark_core::clock::ManualClock;
use bulwark_core::notify::add_channel;
use bulwark_core::policies::{self, PolicyInput, Transition};
use bulwark_core::{Actor, Store, time_util};
use bulwark_testkit::{Backend, SmtpSink, WebhookReceiver, spawn_app_with};
use bulwark_web::delivery::{SmtpSettings, SmtpTls};
use std::sync::Arc;
use std::time::Duration;

/// Waits (real time, generously) until `done` holds.
pub(crate) async fn eventually<F, Fut>(what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..600 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn a_published_policy_reaches_chat_and_mail_once_and_a_failing_channel_is_retried() {
    for backend in bulwark_testkit::backends() {
        let sink = SmtpSink::start().await;
        let hook = WebhookReceiver::start(1).await; // the first delivery attempt fails
        let clock = Arc::new(ManualClock::new(time_util::now()));
        let app = spawn_app_with(backend, |c| {
            c.smtp = Some(SmtpSettings {
                host: "127.0.0.1".into(),
                port: sink.port,
                tls: SmtpTls::None,
                username: None,
                password: None,
                from: "Bulwark <bulwark@example.com>".into(),
            });
            c.delivery_interval = Duration::from_millis(50);
            c.clock = clock.clone();
        })
        .await;
        let store: &dyn Store = app.store();
        let (cli, now) = (Actor::cli(), bulwark_core::clock::Clock::now(clock.as_ref()));
        let events = |e: &[&str]| e.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        add_channel(store, &cli, now, "announcements", "webhook", &hook.url, &events(&["policy.publish"]))
            .await
            .unwrap();
        add_channel(store, &cli, now, "compliance", "email", "compliance@example.com", &events(&["policy.publish"]))
            .await
            .unwrap();
        let bad = add_channel(store, &cli, now, "x", "webhook", "ftp://nowhere", &events(&["policy.publish"])).await;
        assert!(bad.is_err(), "a webhook is an http(s) URL");

        let ratifier = Actor { label: "ceo".into(), roles: vec![bulwark_core::Role::Management], ..Actor::cli() };
        let input =
            PolicyInput { title: "Clean desk policy".into(), body: "Lock your screen.".into(), ..Default::default() };
        let p = policies::create(store, &cli, now, &input).await.unwrap();
        for (who, step) in [(&cli, Transition::Submit), (&ratifier, Transition::Ratify), (&cli, Transition::Publish)] {
            policies::transition(store, who, now, p.id, 1, step).await.unwrap();
        }

        eventually("the e-mail", || async { !sink.received().is_empty() }).await;
        let mail = &sink.received()[0];
        assert_eq!(
            (mail.from.as_str(), mail.to.as_slice()),
            ("bulwark@example.com", &["compliance@example.com".to_string()][..])
        );
        assert!(mail.data.contains("Subject: Policy published: Clean desk policy"), "{}", mail.data);
        // The body is quoted-printable: join its soft line breaks before reading it.
        let body = mail.data.replace("=\r\n", "").replace("=\n", "");
        assert!(body.contains(&format!("{}/policies/{}", app.base, p.id)), "a link to the policy: {}", mail.data);

        // The webhook failed once: the failure is visible and the retry waits for its time.
        eventually("the failed attempt", || async {
            let waiting = store.read().await.unwrap().list_undelivered(10).await.unwrap();
            waiting.first().is_some_and(|m| {
                m.attempts == 1 && m.last_error.as_deref() == Some("webhook answered 503 Service Unavailable")
            })
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(hook.received().is_empty(), "not retried before its time");
        let admin = app.signed_in("admin@example.com", &["admin"]).await;
        let page = admin.text("/notifications").await;
        assert!(page.contains("webhook answered 503 Service Unavailable"), "admins see the failure: {page}");
        assert!(page.contains("compliance@example.com") && page.contains("policy.publish"));
        // Channels are set in the page too; a bad one is refused field by field.
        let bad = admin
            .post_form(
                "/notifications",
                "/notifications",
                &[("name", "security"), ("kind", "webhook"), ("target", "ftp://x")],
            )
            .await;
        assert_eq!(bad.status(), 422);
        let text = bad.text().await.unwrap();
        assert!(text.contains("must be an http(s) URL") && text.contains("must be one or more of"), "{text}");
        let saved = admin
            .post_form(
                "/notifications",
                "/notifications",
                &[
                    ("name", "security"),
                    ("kind", "email"),
                    ("target", "security@example.com"),
                    ("events", "campaign.create"),
                ],
            )
            .await;
        assert_eq!(saved.status(), 303);
        assert!(admin.text("/notifications").await.contains("security@example.com"));
        clock.advance(time::Duration::minutes(2));
        eventually("the chat message", || async { !hook.received().is_empty() }).await;
        assert!(
            hook.received()[0]["text"].as_str().unwrap().contains("Policy published: Clean desk policy, version 1")
        );

        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!((hook.received().len(), sink.received().len()), (1, 1), "each delivered once on {backend:?}");
        assert!(store.read().await.unwrap().list_undelivered(10).await.unwrap().is_empty());
        app.stop().await;
    }
    let _ = Backend::Sqlite;
}

pub(crate) fn smtp_to(sink: &SmtpSink) -> impl FnOnce(&mut bulwark_web::WebConfig) + '_ {
    move |c| {
        c.smtp = Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port: sink.port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "bulwark@example.com".into(),
        });
        c.delivery_interval = Duration::from_millis(50);
    }
}

#[tokio::test]
async fn two_instances_send_each_campaign_reminder_exactly_once() {
    use bulwark_core::organisation::people::{self, PersonInput};
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    for backend in bulwark_testkit::backends() {
        let sink = SmtpSink::start().await;
        let hook = WebhookReceiver::start(0).await;
        let clock = Arc::new(ManualClock::new(time_util::now()));
        let first = spawn_app_with(backend, |c| {
            smtp_to(&sink)(c);
            c.clock = clock.clone();
        })
        .await;
        let second = first
            .second_instance_with(|c| {
                smtp_to(&sink)(c);
                c.clock = clock.clone();
            })
            .await;
        let store: &dyn Store = first.store();
        let (cli, now) = (Actor::cli(), bulwark_core::clock::Clock::now(clock.as_ref()));
        let events = vec!["campaign.reminder".to_string(), "campaign.overdue".to_string()];
        add_channel(store, &cli, now, "security", "webhook", &hook.url, &events).await.unwrap();
        let ratifier = Actor { label: "ceo".into(), roles: vec![bulwark_core::Role::Management], ..Actor::cli() };
        let input = PolicyInput { title: "Acceptable use".into(), body: "Be kind.".into(), ..Default::default() };
        let p = policies::create(store, &cli, now, &input).await.unwrap();
        for (who, step) in [(&cli, Transition::Submit), (&ratifier, Transition::Ratify), (&cli, Transition::Publish)] {
            policies::transition(store, who, now, p.id, 1, step).await.unwrap();
        }
        let mut people_ids = Vec::new();
        for i in 0..12 {
            let input = PersonInput {
                name: format!("Person {i}"),
                email: format!("person{i}@example.com"),
                ..Default::default()
            };
            people_ids.push(people::create(store, &cli, now, &input).await.unwrap().id);
        }
        let due = (now + time::Duration::days(7)).date().to_string();
        let input = CampaignInput { title: "Yearly acknowledgment".into(), due_date: due, ..Default::default() };
        let campaign = campaigns::create(store, &cli, now, &input).await.unwrap();
        let signer = Actor { person_id: Some(people_ids[0]), roles: vec![], ..Actor::cli() };
        campaigns::acknowledge(store, &signer, now, campaign.id).await.unwrap();

        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(sink.received().is_empty(), "nothing is due yet");
        let admin = second.signed_in("admin@example.com", &["admin"]).await;
        let page = admin.text("/notifications").await;
        assert_eq!(
            page.matches(&format!("<code>{}</code>", campaign.id)).count(),
            3,
            "two reminders and the closing planned: {page}"
        );
        // The reminder falls due three days before the due date (the due date ends a day, so
        // how far that is from now depends on the time of day: advance to it, not by a fixed
        // span); both instances' schedulers are looking.
        let remind_at = campaign.due_at - bulwark_core::scheduler::REMINDER_LEAD;
        clock.advance(remind_at - now + time::Duration::minutes(1));
        eventually("the reminders", || async { sink.received().len() >= 11 }).await;
        eventually("the channel's summary", || async { !hook.received().is_empty() }).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut to: Vec<String> = sink.received().iter().flat_map(|m| m.to.clone()).collect();
        to.sort();
        let mut expected: Vec<String> = (1..12).map(|i| format!("person{i}@example.com")).collect();
        expected.sort();
        assert_eq!(to, expected, "each person who has not signed, once, on {backend:?}");
        assert!(sink.received()[0].data.contains("Subject: Reminder: Yearly acknowledgment is due on"));
        assert_eq!(hook.received().len(), 1, "one summary");
        // The admin joined after the start: enrolled, but with two weeks of their own, so not
        // reminded yet — and counted among those who have not completed it.
        let summary = hook.received()[0]["text"].as_str().unwrap().to_string();
        assert!(summary.contains("12 of 13 people have not completed it yet"), "{summary}");

        // Past the due date, the overdue notice: once more each, once.
        clock.advance(time::Duration::days(4));
        eventually("the overdue notices", || async { sink.received().len() >= 22 }).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!((sink.received().len(), hook.received().len()), (22, 2), "on {backend:?}");
        // A month after the due date the campaign closes: the last of its jobs.
        clock.advance(time::Duration::days(30));
        // A month later the first session has timed out: sign in afresh.
        let admin = second.signed_in("admin2@example.com", &["admin"]).await;
        eventually("the campaign closed", || async {
            let c = store.read().await.unwrap().find_campaign(campaign.id).await.unwrap().unwrap();
            c.closed_at.is_some()
        })
        .await;
        let page = admin.text("/notifications").await;
        assert!(page.contains("No job is waiting."), "reminders and closing ran: {page}");
        second.stop().await;
        first.stop().await;
    }
}

#[tokio::test]
async fn webhooks_reach_no_internal_address_and_carry_no_chat_markup() {
    for backend in bulwark_testkit::backends() {
        let hook = WebhookReceiver::start(0).await;
        // An instance whose operator named no internal chat server.
        let strict = spawn_app_with(backend, |c| {
            c.webhook_internal_hosts = vec![];
            c.delivery_interval = Duration::from_millis(50);
        })
        .await;
        let admin = strict.signed_in("admin@example.com", &["admin"]).await;
        let port = hook.url.split(':').nth(2).and_then(|p| p.split('/').next()).unwrap().to_string();
        for target in [
            format!("http://0x7f000001:{port}/hooks/channel"),
            format!("http://2130706433:{port}/hooks/channel"),
            "http://169.254.169.254/latest/meta-data".to_string(),
            "http://10.1.2.3/hooks/x".to_string(),
            "http://[::1]/hooks/x".to_string(),
            "http://localhost:8065/hooks/x".to_string(),
        ] {
            let fields =
                [("name", "chat"), ("kind", "webhook"), ("target", &target), ("events", "vulnerability.report")];
            let res = admin.post_form("/notifications", "/notifications", &fields).await;
            assert_eq!(res.status(), 422, "{backend:?}: {target}");
            let page = res.text().await.unwrap();
            assert!(
                page.contains("is not a public address") && page.contains(&target),
                "{target}: the typed URL is kept"
            );
        }
        // A channel that points inside anyway (written straight into the database) is never called.
        let events = vec!["vulnerability.report".to_string()];
        add_channel(strict.store(), &Actor::cli(), time_util::now(), "chat", "webhook", &hook.url, &events)
            .await
            .unwrap();
        let outsider = strict.client();
        let fields = [("title", "Open redirect"), ("description", "details")];
        assert_eq!(outsider.post_form("/report-vulnerability", "/report-vulnerability", &fields).await.status(), 200);
        let refused = "SELECT COUNT(*) FROM outbox WHERE last_error LIKE '%not a public address%'";
        eventually("the refused delivery", || async { strict.store().count_raw(refused).await.unwrap() > 0 }).await;
        assert!(hook.received().is_empty(), "{backend:?}: nothing reached the internal address");
        strict.stop().await;

        // Allowed as internal (the receiver on loopback): titles arrive without markup effect.
        let app = spawn_app_with(backend, |c| c.delivery_interval = Duration::from_millis(50)).await;
        add_channel(app.store(), &Actor::cli(), time_util::now(), "chat", "webhook", &hook.url, &events).await.unwrap();
        let title = "<!channel> @here see [Reset your password](https://evil.example) <https://evil.example|docs>";
        let fields = [("title", title), ("description", "details")];
        assert_eq!(
            app.client().post_form("/report-vulnerability", "/report-vulnerability", &fields).await.status(),
            200
        );
        eventually("the chat message", || async { !hook.received().is_empty() }).await;
        let text = hook.received()[0]["text"].as_str().unwrap().to_string();
        assert!(text.contains("&lt;!channel&gt;") && !text.contains("<!channel>"), "{text}");
        assert!(text.contains("@\u{200b}here") && text.contains("]\u{200b}("), "{text}");
        assert!(text.contains("&lt;https://evil.example|docs&gt;"), "{text}");
        app.stop().await;
    }
}

#[tokio::test]
async fn an_admin_repoints_retries_discards_and_deletes_what_waits() {
    for backend in bulwark_testkit::backends() {
        let hook = WebhookReceiver::start(0).await;
        let clock = Arc::new(ManualClock::new(time_util::now()));
        let app = spawn_app_with(backend, |c| {
            c.delivery_interval = Duration::from_millis(50);
            c.clock = clock.clone();
        })
        .await;
        let admin = app.signed_in("admin@example.com", &["admin"]).await;
        let (cli, now) = (Actor::cli(), bulwark_core::clock::Clock::now(clock.as_ref()));
        let events = vec!["vulnerability.report".to_string()];
        // A channel pointing nowhere (a closed port): its messages fail and wait.
        let dead = "http://127.0.0.1:9/hooks/gone";
        add_channel(app.store(), &cli, now, "chat", "webhook", dead, &events).await.unwrap();
        for title in ["First", "Second"] {
            let fields = [("title", title), ("description", "details")];
            let outsider = app.client();
            let res = outsider.http.post(outsider.url("/report-vulnerability"));
            let csrf = outsider.csrf("/report-vulnerability").await;
            let mut all = vec![("csrf", csrf.as_str())];
            all.extend_from_slice(&fields);
            assert_eq!(res.form(&all).send().await.unwrap().status(), 200);
        }
        let failed = "SELECT COUNT(*) FROM outbox WHERE last_error IS NOT NULL AND delivered_at IS NULL";
        eventually("two failed deliveries", || async { app.store().count_raw(failed).await.unwrap() == 2 }).await;
        let page = admin.text("/notifications").await;
        assert!(page.contains("Retry now") && page.contains("Discard"), "{backend:?}");
        let (_, waiting) = bulwark_core::notify::status(app.store(), &cli).await.unwrap();
        let second = waiting.iter().find(|m| m.subject.contains("Second")).unwrap().id.clone();

        // Discard one; repoint the channel: the other reaches the new destination at once.
        let res = admin.post_form("/notifications/messages/discard", "/notifications", &[("id", &second)]).await;
        assert_eq!(res.status(), 303, "{backend:?}");
        let fields =
            [("name", "chat"), ("kind", "webhook"), ("target", hook.url.as_str()), ("events", "vulnerability.report")];
        assert_eq!(admin.post_form("/notifications", "/notifications", &fields).await.status(), 303);
        eventually("the rescued message", || async { !hook.received().is_empty() }).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let texts: Vec<String> = hook.received().iter().map(|b| b["text"].as_str().unwrap_or("").to_string()).collect();
        assert!(texts.len() == 1 && texts[0].contains("First"), "{backend:?}: {texts:?}");
        let again = admin.post_form("/notifications/messages/retry", "/notifications", &[("id", &second)]).await;
        assert_eq!(again.status(), 404, "a discarded message is gone");

        // Delete the channel: nothing more is routed to it.
        let res = admin.post_form("/notifications/channels/delete", "/notifications", &[("name", "chat")]).await;
        assert_eq!(res.status(), 303);
        assert!(!admin.text("/notifications").await.contains("<td>chat</td>"), "{backend:?}: the channel is gone");
        let history = admin.text("/audit?action=channel.delete").await;
        assert!(history.contains("admin@example.com"), "audited");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_demo_keeps_every_message_for_admins_to_read_and_sends_none() {
    let hook = WebhookReceiver::start(0).await;
    let catcher = bulwark_web::delivery::MailCatcher::default();
    let shared = catcher.clone();
    let app = spawn_app_with(Backend::Sqlite, move |c| {
        c.mail_catcher = Some(shared);
        c.delivery_interval = Duration::from_millis(50);
    })
    .await;
    let events = vec!["vulnerability.report".to_string()];
    let (cli, now) = (Actor::cli(), time_util::now());
    add_channel(app.store(), &cli, now, "team list", "email", "team@example.com", &events).await.unwrap();
    add_channel(app.store(), &cli, now, "chat", "webhook", &hook.url, &events).await.unwrap();
    let fields = [("title", "Open redirect on /login"), ("description", "details")];
    assert_eq!(app.client().post_form("/report-vulnerability", "/report-vulnerability", &fields).await.status(), 200);
    eventually("both messages caught", || async { catcher.messages().len() == 2 }).await;
    let admin = app.signed_in("admin@example.com", &["admin"]).await;
    assert!(admin.text("/notifications").await.contains("href=\"/notifications/mail\""));
    let page = admin.text("/notifications/mail").await;
    assert!(
        page.contains("Vulnerability reported: Open redirect on /login") && page.contains("team@example.com"),
        "{page}"
    );
    assert!(!page.contains("/hooks/channel"), "a webhook shows by its origin only");
    assert!(hook.received().is_empty(), "nothing left the instance");
    let waiting = "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL";
    assert_eq!(app.store().count_raw(waiting).await.unwrap(), 0, "all delivered to the catcher");
    let employee = app.signed_in("emp@example.com", &["employee"]).await;
    assert_eq!(employee.get("/notifications/mail").await.status(), 403);
    app.stop().await;
    // An instance that sends for real keeps nothing, and says so.
    let real = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let admin = real.signed_in("admin@example.com", &["admin"]).await;
    assert!(admin.text("/notifications/mail").await.contains("This instance sends its messages"));
    assert!(!admin.text("/notifications").await.contains("href=\"/notifications/mail\""));
    real.stop().await;
}
