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
async fn eventually<F, Fut>(what: &str, done: F)
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

        let ratifier = Actor { label: "ceo".into(), ..Actor::cli() };
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
