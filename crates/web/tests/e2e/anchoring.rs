//! Scheduled audit checkpoints: with a key configured, the instances sign the chain's head
//! once per period, whichever instance gets there first, and the checkpoint reaches the chat
//! channel and the mailing list over real protocols; it verifies against the public key and
//! the stored chain.

use bulwark_core::audit_anchor::{self, Checkpoint, CheckpointPlan};
use bulwark_core::clock::ManualClock;
use bulwark_core::notify::add_channel;
use bulwark_core::{Actor, Store, time_util};
use bulwark_testkit::{SmtpSink, WebhookReceiver, spawn_app_with};
use std::sync::Arc;
use std::time::Duration;

use crate::notifications::{eventually, smtp_to};

/// The checkpoint a chat message carries (after the explanation).
fn checkpoint_in(message: &serde_json::Value) -> Checkpoint {
    let text = message["text"].as_str().expect("a chat message");
    let json = &text[text.find('{').expect("the checkpoint's JSON")..];
    Checkpoint::parse(json).expect("a checkpoint")
}

#[tokio::test]
async fn two_instances_send_one_signed_checkpoint_per_day_that_verifies() {
    for backend in bulwark_testkit::backends() {
        let sink = SmtpSink::start().await;
        let hook = WebhookReceiver::start(0).await;
        let (private, public) = audit_anchor::generate_key_pair().unwrap();
        let plan = CheckpointPlan {
            key: audit_anchor::signing_key_from_pem(&private).unwrap(),
            every: time::Duration::hours(24),
        };
        let public = audit_anchor::verifying_key_from_pem(&public).unwrap();
        let clock = Arc::new(ManualClock::new(time_util::now()));
        // The channels come first (an instance without the key), then two instances that sign.
        let first = spawn_app_with(backend, |c| {
            smtp_to(&sink)(c);
            c.clock = clock.clone();
        })
        .await;
        let store: &dyn Store = first.store();
        let now = bulwark_core::clock::Clock::now(clock.as_ref());
        let events = vec![audit_anchor::CHECKPOINTED.name.to_string()];
        add_channel(store, &Actor::cli(), now, "security", "webhook", &hook.url, &events).await.unwrap();
        add_channel(store, &Actor::cli(), now, "auditors", "email", "auditors@example.com", &events).await.unwrap();
        let configure = |c: &mut bulwark_web::WebConfig| {
            smtp_to(&sink)(c);
            c.clock = clock.clone();
            c.checkpoints = Some(plan.clone());
        };
        let second = first.second_instance_with(configure).await;
        let third = first.second_instance_with(configure).await;

        eventually("the first checkpoint", || async { !hook.received().is_empty() && !sink.received().is_empty() })
            .await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!((hook.received().len(), sink.received().len()), (1, 1), "one checkpoint a day on {backend:?}");
        let first_checkpoint = checkpoint_in(&hook.received()[0]);
        first_checkpoint.verify_signature(&public).expect("signed with the configured key");
        audit_anchor::check(store, &first_checkpoint).await.unwrap().expect("the stored chain holds it");
        let mail = &sink.received()[0].data;
        assert!(mail.contains("Subject: Audit checkpoint: entry"), "{mail}");
        assert!(mail.contains(&first_checkpoint.signature[..20]), "the mail carries the checkpoint too");

        // The next day: one more, covering what was written since (the first checkpoint's own
        // audit entry at least).
        clock.advance(time::Duration::hours(24));
        eventually("the second checkpoint", || async { hook.received().len() >= 2 }).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(hook.received().len(), 2, "still one a day on {backend:?}");
        let second_checkpoint = checkpoint_in(&hook.received()[1]);
        assert!(second_checkpoint.seq > first_checkpoint.seq);
        second_checkpoint.verify_signature(&public).unwrap();
        audit_anchor::check(store, &second_checkpoint).await.unwrap().unwrap();
        assert!(first.store().verify_audit_chain().await.unwrap().is_ok());
        third.stop().await;
        second.stop().await;
        first.stop().await;
    }
}
