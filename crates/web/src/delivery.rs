//! The background workers of an instance. The delivery worker takes due messages from the outbox and sends them — chat channels as
//! Slack-compatible JSON (`{"text": …}`) to their incoming webhook, e-mail over SMTP — then
//! records the delivery, or the error and when to try again (1, 2, 4 … minutes). Messages
//! are claimed with a lease, so a crash mid-delivery only delays them, and several instances
//! never send one twice at once. The scheduler's worker runs due jobs (reminders, reviews)
//! through the core scheduler, which makes each take effect once across instances.

use bulwark_core::Store;
use bulwark_core::clock::Clock;
use bulwark_core::notify::{ChannelKind, OutboxMessage, retry_at};
use bulwark_core::webhook;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (a relay on the same host or network only).
    None,
    /// Upgrade with STARTTLS (port 587).
    StartTls,
    /// TLS from the start (port 465).
    Tls,
}

/// The SMTP server mail is sent through.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .finish()
    }
}

/// A message the demo's catcher kept instead of sending it.
#[derive(Debug, Clone)]
pub struct Caught {
    pub channel: String,
    pub kind: ChannelKind,
    /// The address, or a webhook's origin (its path is its secret).
    pub to: String,
    pub subject: String,
    pub body: String,
    pub at: bulwark_core::Timestamp,
}

/// Where `bulwark demo` delivers everything: kept in memory (the newest few hundred) and
/// readable by admins at `/notifications/mail`, so mailing lists and chat channels work
/// without an SMTP server or a chat service, and nothing leaves the machine.
#[derive(Debug, Clone, Default)]
pub struct MailCatcher(Arc<std::sync::Mutex<std::collections::VecDeque<Caught>>>);

impl MailCatcher {
    const KEPT: usize = 500;

    fn keep(&self, caught: Caught) {
        if let Ok(mut kept) = self.0.lock() {
            kept.push_front(caught);
            kept.truncate(Self::KEPT);
        }
    }

    /// The caught messages, newest first.
    pub fn messages(&self) -> Vec<Caught> {
        self.0.lock().map(|kept| kept.iter().cloned().collect()).unwrap_or_default()
    }
}

/// How long a claimed message is left to its worker before another may try it.
const LEASE: time::Duration = time::Duration::minutes(5);
/// Messages taken per round.
const BATCH: u32 = 20;

pub struct Delivery {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub smtp: Option<SmtpSettings>,
    /// Replaces `{base}` in message texts (links to this instance).
    pub public_url: String,
    /// Non-public hosts webhooks may reach anyway (see `bulwark_core::webhook`).
    pub webhook_internal_hosts: Vec<String>,
    /// The demo's catcher: every message is kept there instead of sent.
    pub catcher: Option<MailCatcher>,
}

impl Delivery {
    /// Delivers what is due now; returns how many messages were tried.
    pub async fn run_once(&self) -> usize {
        let now = self.clock.now();
        let claimed = match self.store.claim_outbox(now, now + LEASE, BATCH).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the outbox");
                return 0;
            }
        };
        for m in &claimed {
            let result = self.send(m).await;
            let done_at = self.clock.now();
            let error = result.err().map(|e| e.chars().take(500).collect::<String>());
            if let Some(e) = &error {
                tracing::warn!(channel = %m.channel, event = %m.event, attempts = m.attempts + 1, error = %e, "delivery failed");
            }
            let retry = retry_at(done_at, m.attempts);
            if let Err(e) = self.store.finish_outbox(&m.id, done_at, error.as_deref(), retry).await {
                tracing::warn!(error = %e, "cannot record a delivery");
            }
        }
        claimed.len()
    }

    async fn send(&self, m: &OutboxMessage) -> Result<(), String> {
        let body = m.body.replace("{base}", &self.public_url);
        if let Some(catcher) = &self.catcher {
            let channel = bulwark_core::notify::Channel {
                name: m.channel.clone(),
                kind: m.kind,
                target: m.target.clone(),
                events: vec![],
                created_at: m.created_at,
            };
            let (channel, kind, to) = (m.channel.clone(), m.kind, channel.shown_target());
            let at = self.clock.now();
            catcher.keep(Caught { channel, kind, to, subject: m.subject.clone(), body, at });
            return Ok(());
        }
        match m.kind {
            ChannelKind::Webhook => {
                let res = self
                    .webhook_client(&m.target)
                    .await?
                    .post(&m.target)
                    .json(&serde_json::json!({ "text": webhook::chat_text(&body) }))
                    .send()
                    .await
                    // Without the URL: a chat webhook's URL is its secret (logs and the admin's
                    // view of failures keep only what went wrong).
                    .map_err(|e| format!("webhook unreachable: {}", e.without_url()))?;
                if res.status().is_success() { Ok(()) } else { Err(format!("webhook answered {}", res.status())) }
            }
            ChannelKind::Email => {
                let smtp = self.smtp.as_ref().ok_or("no SMTP server is configured")?;
                let from: Mailbox = smtp.from.parse().map_err(|e| format!("bad sender address: {e}"))?;
                let to: Mailbox = m.target.parse().map_err(|e| format!("bad recipient address: {e}"))?;
                let email = Message::builder()
                    .from(from)
                    .to(to)
                    .subject(&m.subject)
                    .body(body)
                    .map_err(|e| format!("cannot build the message: {e}"))?;
                let mut builder = match smtp.tls {
                    SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
                    SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                        .map_err(|e| format!("SMTP: {e}"))?,
                    SmtpTls::Tls => {
                        AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host).map_err(|e| format!("SMTP: {e}"))?
                    }
                }
                .port(smtp.port)
                .timeout(Some(Duration::from_secs(20)));
                if let (Some(u), Some(p)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
                }
                builder.build().send(email).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
            }
        }
    }

    /// A client that connects only to the address checked here: the URL's own address, or
    /// the first its name resolves to, each of them public unless the host is allowed as
    /// internal. Redirects are not followed (they could lead anywhere).
    async fn webhook_client(&self, target: &str) -> Result<reqwest::Client, String> {
        let to = webhook::destination(target, &self.webhook_internal_hosts)?;
        let addr = match to.literal {
            Some(ip) => std::net::SocketAddr::new(ip, to.port),
            None => {
                let found: Vec<std::net::SocketAddr> = tokio::net::lookup_host((to.host.as_str(), to.port))
                    .await
                    .map_err(|_| format!("cannot resolve {}", to.host))?
                    .collect();
                if !to.internal_allowed && found.iter().any(|a| !webhook::is_public(a.ip())) {
                    return Err(format!("{} resolves to an address that is not public", to.host));
                }
                *found.first().ok_or_else(|| format!("cannot resolve {}", to.host))?
            }
        };
        reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .resolve(&to.host, addr)
            .build()
            .map_err(|_| "cannot prepare the webhook request".to_string())
    }

    /// Runs rounds every `interval` until the task running it is dropped.
    pub async fn run_forever(self, interval: Duration) {
        loop {
            while self.run_once().await == BATCH as usize {}
            tokio::time::sleep(interval).await;
        }
    }
}

/// The scheduler's worker: runs the jobs that have fallen due (see
/// [`bulwark_core::scheduler`]); the messages they queue go out through [`Delivery`].
pub struct Scheduler {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// What this instance brings to jobs (the audit checkpoint key).
    pub context: bulwark_core::scheduler::JobContext,
    /// The checkpoint period this worker last made sure was scheduled.
    pub checkpoint_period: std::sync::atomic::AtomicI64,
}

impl Scheduler {
    /// Runs the jobs due now; returns how many were claimed and run here.
    pub async fn run_once(&self) -> usize {
        let now = self.clock.now();
        if let Some(plan) = &self.context.checkpoints {
            // Once per period and instance, not every round: scheduling takes the write lock.
            let period = plan.period_number(now);
            if self.checkpoint_period.load(std::sync::atomic::Ordering::Relaxed) != period {
                match bulwark_core::audit_anchor::schedule_current(&*self.store, plan, now).await {
                    Ok(()) => self.checkpoint_period.store(period, std::sync::atomic::Ordering::Relaxed),
                    Err(e) => tracing::warn!(error = %e, "cannot schedule the audit checkpoint"),
                }
            }
        }
        match bulwark_core::scheduler::run_due_with(&*self.store, &self.context, now, BATCH).await {
            Ok(ran) => ran,
            Err(e) => {
                tracing::warn!(error = %e, "cannot run scheduled jobs");
                0
            }
        }
    }

    /// Runs rounds every `interval` until the task running it is dropped.
    pub async fn run_forever(self, interval: Duration) {
        loop {
            self.run_once().await;
            tokio::time::sleep(interval).await;
        }
    }
}
