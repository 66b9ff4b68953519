//! Notifications: channels (a chat webhook or an e-mail address) with the events routed to
//! them, and the outbox. An event's messages are queued with `enqueue` inside the operation's
//! own transaction, so they exist exactly when the event does; a delivery worker sends them
//! afterwards with retries and backoff (`retry_at`), and failures stay visible to admins.

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::CoreResult;
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): `{"text": …}`.
    Webhook,
    /// An e-mail address (a person or a mailing list), over SMTP.
    Email,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "webhook" => Some(Self::Webhook),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// Something that happened which channels may be told about. The capability that raises it
/// declares it as a static next to the code that raises it and registers it in `EVENTS`;
/// `enqueue` takes the description, so a channel subscribes to exactly what is raised.
#[derive(Debug, PartialEq, Eq)]
pub struct Event {
    /// As channels subscribe to it and messages carry it ("policy.publish").
    pub name: &'static str,
    /// When it is raised, as the notifications page explains it.
    pub summary: &'static str,
}

/// The events a channel can receive, each declared by its capability.
pub static EVENTS: &[&Event] = &[
    &crate::policies::PUBLISHED,
    &crate::policies::REVIEW_FALLS_DUE,
    &crate::policies::campaigns::CREATED,
    &crate::policies::campaigns::REMINDED,
    &crate::policies::campaigns::OVERDUE,
    &crate::policies::campaigns::CLOSED,
    &crate::policies::campaigns::CANCELLED,
    &crate::approvals::REQUESTED,
    &crate::compliance::risks::REVIEW_FALLS_DUE,
    &crate::incidents::disclosure::REPORTED,
    &crate::incidents::disclosure::MESSAGE_RECEIVED,
    &crate::incidents::disclosure::DEADLINE_NEAR,
    &crate::incidents::REPORTED,
    &crate::incidents::AUTHORITY_NOTICE_DUE,
    &crate::audit_anchor::CHECKPOINTED,
];

/// The registered event of this name.
pub fn event_named(name: &str) -> Option<&'static Event> {
    EVENTS.iter().copied().find(|e| e.name == name)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    pub name: String,
    pub kind: ChannelKind,
    /// The webhook URL or the e-mail address.
    #[serde(skip)]
    pub target: String,
    pub events: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

impl Channel {
    /// The target as pages show it: an e-mail address in full, a webhook only by its origin
    /// (a chat webhook's path is its secret: whoever has it can post to the channel).
    pub fn shown_target(&self) -> String {
        match self.kind {
            ChannelKind::Email => self.target.clone(),
            ChannelKind::Webhook => {
                let after_scheme = self.target.find("://").map(|i| i + 3).unwrap_or(0);
                let origin_end = self.target[after_scheme..]
                    .find(['/', '?', '#'])
                    .map(|i| after_scheme + i)
                    .unwrap_or(self.target.len());
                let origin = &self.target[..origin_end];
                let origin = match origin.rfind('@') {
                    Some(at) => format!("{}{}", &origin[..after_scheme], &origin[at + 1..]),
                    None => origin.to_string(),
                };
                if origin_end < self.target.len() { format!("{origin}/…") } else { origin }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: String,
    pub kind: ChannelKind,
    pub target: String,
    pub event: String,
    pub subject: String,
    /// Plain text; `{base}` stands for the instance's public URL.
    pub body: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
}

/// E-mails to the assignees of open tasks, one message each (reminders). The tasks are those
/// of `task_kind` about one record that are due by `due_by`.
pub struct TaskMail<'a> {
    /// Makes the messages' ids with the task's: the job that sends them, so a message exists
    /// once per task and job.
    pub key: &'a str,
    pub event: &'a str,
    pub subject: &'a str,
    /// Plain text; `{base}` stands for the instance's public URL.
    pub body: &'a str,
    pub task_kind: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub due_by: Timestamp,
}

/// The channel name of messages to one person (reminders), on the admins' delivery list.
pub const PERSONAL: &str = "(personal e-mail)";

/// When a message that failed `attempts` times is tried again: 1, 2, 4, … minutes, at most
/// an hour apart.
pub fn retry_at(now: Timestamp, attempts: i64) -> Timestamp {
    let minutes = 1i64 << attempts.clamp(0, 6);
    now + time::Duration::minutes(minutes.min(60))
}

/// Queues the messages of one event for every channel it is routed to, in the caller's
/// transaction.
pub async fn enqueue(
    tx: &mut dyn Writer,
    now: Timestamp,
    event: &'static Event,
    subject: &str,
    body: &str,
) -> CoreResult<()> {
    debug_assert!(event_named(event.name) == Some(event), "{} is raised but not registered in EVENTS", event.name);
    for channel in tx.list_channels().await?.into_iter().filter(|c| c.events.iter().any(|e| e == event.name)) {
        tx.insert_outbox(&OutboxMessage {
            id: uuid::Uuid::now_v7().to_string(),
            channel: channel.name,
            kind: channel.kind,
            target: channel.target,
            event: event.name.into(),
            subject: subject.into(),
            body: body.into(),
            attempts: 0,
            next_attempt_at: now,
            delivered_at: None,
            last_error: None,
            created_at: now,
        })
        .await?;
    }
    Ok(())
}

/// An e-mail to one person (not a channel), due now: `id` names what it is about, so the
/// same message is never queued twice.
pub fn personal_email(
    id: String,
    to: &str,
    event: &str,
    subject: String,
    body: String,
    now: Timestamp,
) -> OutboxMessage {
    OutboxMessage {
        id,
        channel: PERSONAL.into(),
        kind: ChannelKind::Email,
        target: to.into(),
        event: event.into(),
        subject,
        body,
        attempts: 0,
        next_attempt_at: now,
        delivered_at: None,
        last_error: None,
        created_at: now,
    }
}

/// Adds a channel (or replaces the one of that name), as the operator does: any webhook host.
pub async fn add_channel(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    name: &str,
    kind: &str,
    target: &str,
    events: &[String],
) -> CoreResult<Channel> {
    add_channel_reaching(store, actor, now, (name, kind, target), events, None).await
}

/// Adds a channel whose webhook must reach a public address or one of `internal_hosts`
/// (None: any host, for the operator). Deliveries check it again (`webhook`).
pub async fn add_channel_reaching(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    (name, kind, target): (&str, &str, &str),
    events: &[String],
    internal_hosts: Option<&[String]>,
) -> CoreResult<Channel> {
    actor.require(Permission::ManageSettings)?;
    let mut c = Checks::new();
    let name = c.text("name", name, 80);
    let kind = ChannelKind::parse(kind).unwrap_or_else(|| {
        c.fail("kind", "must be webhook or email");
        ChannelKind::Webhook
    });
    let target = c.text("target", target, 2000);
    match kind {
        ChannelKind::Webhook => {
            let own_host = [crate::webhook::host_of(&target).unwrap_or_default()];
            if let Err(e) = crate::webhook::destination(&target, internal_hosts.unwrap_or(&own_host)) {
                c.fail("target", &e)
            }
        }
        ChannelKind::Email if !crate::validate::is_email(&target) => c.fail("target", "must be an e-mail address"),
        _ => {}
    }
    let events: Vec<String> = events.iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect();
    if events.is_empty() || events.iter().any(|e| event_named(e).is_none()) {
        let names: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
        c.fail("events", &format!("must be one or more of {}", names.join(", ")));
    }
    c.finish()?;
    let channel = Channel { name, kind, target, events, created_at: now };
    let mut tx = store.write().await?;
    tx.upsert_channel(&channel).await?;
    // Repointing a channel rescues its backlog: what waits goes to the new destination now.
    let moved = tx.retarget_outbox(&channel, now).await?;
    let detail = serde_json::json!({ "channel": &channel, "waiting_messages_moved": moved });
    tx.audit(AuditRecord::new(actor, now, "channel.set", "channel", &channel.name, None::<&()>, Some(&detail)));
    tx.commit().await?;
    Ok(channel)
}

/// What an admin does with a message that was not delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backlog {
    /// Try it again now (after fixing the channel, say).
    Retry,
    /// Give it up.
    Discard,
}

/// Retries or discards one undelivered message, audited.
pub async fn handle_undelivered(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: &str,
    what: Backlog,
) -> CoreResult<()> {
    actor.require(Permission::ManageSettings)?;
    if id.trim().is_empty() {
        return Err(crate::error::CoreError::invalid("message", "is required"));
    }
    let mut tx = store.write().await?;
    let (found, action) = match what {
        Backlog::Retry => (tx.retry_outbox(id, now).await?, "notification.retry"),
        Backlog::Discard => (tx.discard_outbox(id).await?, "notification.discard"),
    };
    if !found {
        return Err(crate::error::CoreError::NotFound);
    }
    tx.audit(AuditRecord::new(actor, now, action, "notification", id, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// Deletes a channel with its undelivered messages, audited.
pub async fn delete_channel(store: &dyn Store, actor: &Actor, now: Timestamp, name: &str) -> CoreResult<()> {
    actor.require(Permission::ManageSettings)?;
    if name.trim().is_empty() {
        return Err(crate::error::CoreError::invalid("name", "is required"));
    }
    let mut tx = store.write().await?;
    let before = tx.list_channels().await?.into_iter().find(|c| c.name == name);
    let Some(before) = before else { return Err(crate::error::CoreError::NotFound) };
    tx.delete_channel(name).await?;
    tx.audit(AuditRecord::new(actor, now, "channel.delete", "channel", name, Some(&before), None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// The channels and the messages not delivered yet (failures first), for admins.
pub async fn status(store: &dyn Store, actor: &Actor) -> CoreResult<(Vec<Channel>, Vec<OutboxMessage>)> {
    actor.require(Permission::ManageSettings)?;
    let mut r = store.read().await?;
    Ok((r.list_channels().await?, r.list_undelivered(100).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(kind: ChannelKind, target: &str) -> Channel {
        Channel { name: "c".into(), kind, target: target.into(), events: vec![], created_at: crate::time_util::now() }
    }

    #[test]
    fn pages_show_a_webhook_by_its_origin_only() {
        let hook = channel(ChannelKind::Webhook, "https://hooks.slack.com/services/T0/B0/secret");
        assert_eq!(hook.shown_target(), "https://hooks.slack.com/…");
        let with_user = channel(ChannelKind::Webhook, "https://user:pass@chat.example.com:8443/hooks/x?token=y");
        assert_eq!(with_user.shown_target(), "https://chat.example.com:8443/…");
        assert_eq!(channel(ChannelKind::Webhook, "http://127.0.0.1:9").shown_target(), "http://127.0.0.1:9");
        assert_eq!(channel(ChannelKind::Email, "team@example.com").shown_target(), "team@example.com");
    }

    #[test]
    fn every_event_is_registered_once_and_jobs_raise_registered_ones() {
        let mut names: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EVENTS.len(), "an event is registered twice");
        for job in crate::scheduler::JOBS {
            if let Some(event) = job.event {
                assert_eq!(event_named(event.name), Some(event), "{} raises an unregistered event", job.name);
            }
        }
        assert_eq!(event_named("campaign.cancel").map(|e| e.summary), Some("A campaign is cancelled"));
        assert_eq!(event_named("campaign.cancelled"), None);
    }
}
