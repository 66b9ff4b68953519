//! The scheduler: jobs stored in the database (campaign reminders before and after the due
//! date, policy reviews falling due) that run exactly once per due time, however many
//! instances share the database.
//!
//! A job's id names what it is about and when (`kind:subject`), so scheduling it twice is a
//! no-op. Workers claim due jobs with a lease (`Store::claim_jobs`; `FOR UPDATE SKIP LOCKED`
//! on PostgreSQL) so instances do not take the same job at once; and `run` marks the job done
//! in the same transaction as its effects (`Writer::finish_job` succeeds once), so even a job
//! whose lease ran out while it was running takes effect once: the second commit finds it done
//! and rolls back.

use crate::access::Actor;
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::notify::TaskMail;
use crate::policies::campaigns::Campaign;
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;

/// A kind of job: what it does when it falls due. The capability that plans jobs of a kind
/// defines it and registers it in `JOBS`; nothing here names them one by one.
#[derive(Debug)]
pub struct JobKind {
    /// As stored, audited and routed to channels ("campaign.reminder").
    pub name: &'static str,
    /// The kind of record its subject is (the audit entry's entity).
    pub subject_type: &'static str,
    /// Its effects, in the job's transaction; returns what its audit entry records.
    pub run: RunJob,
    /// Needs the audit checkpoint key: an instance without it leaves the job to one that has it.
    pub needs_checkpoint_key: bool,
    /// What channels are told when it does something worth telling.
    pub event: Option<&'static crate::notify::Event>,
}

/// A job's effects, given the job's transaction and what the instance brings.
pub type RunJob = for<'a> fn(
    &'a mut dyn Writer,
    &'a JobContext,
    &'a Job,
    Timestamp,
) -> Pin<Box<dyn Future<Output = CoreResult<serde_json::Value>> + Send + 'a>>;

impl JobKind {
    pub fn as_str(&self) -> &'static str {
        self.name
    }

    /// The registered kind of this name.
    pub fn parse(name: &str) -> Option<&'static JobKind> {
        JOBS.iter().copied().find(|k| k.name == name)
    }
}

impl PartialEq for JobKind {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Serialize for JobKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

/// Every kind of job, each defined by the capability that plans it.
pub static JOBS: &[&JobKind] = &[
    &CAMPAIGN_REMINDER,
    &CAMPAIGN_OVERDUE,
    &CAMPAIGN_CLOSE,
    &CAMPAIGN_NEXT_ROUND,
    &crate::policies::REVIEW_DUE,
    &crate::compliance::risks::REVIEW_DUE,
    &crate::incidents::disclosure::DEADLINE,
    &crate::incidents::AUTHORITY_DUE,
    &crate::audit_anchor::CHECKPOINT,
];

/// A few days before a campaign is due: remind everyone who has not done it yet.
pub static CAMPAIGN_REMINDER: JobKind = JobKind {
    name: "campaign.reminder",
    subject_type: "campaign",
    run: |tx, _, job, now| Box::pin(remind_campaign(tx, job, now)),
    needs_checkpoint_key: false,
    event: Some(&crate::policies::campaigns::REMINDED),
};

/// The day after a campaign was due: tell those still missing, and the channels.
pub static CAMPAIGN_OVERDUE: JobKind =
    JobKind { name: "campaign.overdue", event: Some(&crate::policies::campaigns::OVERDUE), ..CAMPAIGN_REMINDER };

/// A month after its due date a campaign closes: no more signatures or answers, and the tasks
/// still open are marked missed (the export keeps who never did it).
pub static CAMPAIGN_CLOSE: JobKind = JobKind {
    name: "campaign.close",
    run: |tx, _, job, now| Box::pin(close_campaign(tx, job, now)),
    event: Some(&crate::policies::campaigns::CLOSED),
    ..CAMPAIGN_REMINDER
};

/// A recurring campaign's period has passed: its next round opens.
pub static CAMPAIGN_NEXT_ROUND: JobKind = JobKind {
    name: "campaign.next_round",
    run: |tx, _, job, now| Box::pin(open_next_round(tx, job, now)),
    event: None,
    ..CAMPAIGN_REMINDER
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: String,
    pub kind: &'static JobKind,
    /// The record the job is about (a campaign id; a policy id and version "id/number").
    pub subject_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: Timestamp,
    pub attempts: i64,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub done_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

/// How long before a campaign's due date its reminder goes out.
pub const REMINDER_LEAD: time::Duration = time::Duration::days(3);
/// How long after the due date the overdue notice goes out.
pub const OVERDUE_AFTER: time::Duration = time::Duration::days(1);
/// How long after the due date a campaign closes.
pub const CLOSE_AFTER: time::Duration = time::Duration::days(30);
/// How long a claimed job is left to its worker before another may try it.
pub const LEASE: time::Duration = time::Duration::minutes(10);

/// Adds a job in the caller's transaction (a no-op if that job exists).
pub async fn schedule(
    tx: &mut dyn Writer,
    now: Timestamp,
    kind: &'static JobKind,
    subject_id: &str,
    due_at: Timestamp,
) -> CoreResult<()> {
    schedule_once(tx, now, kind, subject_id, due_at).await.map(|_| ())
}

/// Adds a job in the caller's transaction; false if that job existed already.
pub async fn schedule_once(
    tx: &mut dyn Writer,
    now: Timestamp,
    kind: &'static JobKind,
    subject_id: &str,
    due_at: Timestamp,
) -> CoreResult<bool> {
    Ok(tx.insert_job(&new_job(now, kind, subject_id, due_at)).await?)
}

/// A job not yet run, its id naming what and about which record.
fn new_job(now: Timestamp, kind: &'static JobKind, subject_id: &str, due_at: Timestamp) -> Job {
    Job {
        id: format!("{}:{subject_id}", kind.as_str()),
        kind,
        subject_id: subject_id.into(),
        due_at,
        attempts: 0,
        last_error: None,
        done_at: None,
        created_at: now,
    }
}

/// The jobs of a new campaign: its reminders before its due date (when there is still time)
/// and after, and its closing.
pub(crate) async fn schedule_campaign(tx: &mut dyn Writer, now: Timestamp, c: &Campaign) -> CoreResult<()> {
    let id = c.id.to_string();
    if c.due_at - REMINDER_LEAD > now {
        schedule(tx, now, &CAMPAIGN_REMINDER, &id, c.due_at - REMINDER_LEAD).await?;
    }
    schedule(tx, now, &CAMPAIGN_OVERDUE, &id, c.due_at + OVERDUE_AFTER).await?;
    if c.repeat_months > 0 {
        let next = crate::time_util::add_months(c.created_at, c.repeat_months);
        schedule(tx, now, &CAMPAIGN_NEXT_ROUND, &id, next).await?;
    }
    schedule(tx, now, &CAMPAIGN_CLOSE, &id, c.due_at + CLOSE_AFTER).await
}

/// A campaign's jobs planned again after its due date moved: those already done are re-armed
/// (a reminder goes out again before the new date); one whose time has passed runs at once.
pub(crate) async fn replan_campaign(tx: &mut dyn Writer, now: Timestamp, c: &Campaign) -> CoreResult<()> {
    let id = c.id.to_string();
    let plan = [
        (&CAMPAIGN_REMINDER, (c.due_at - REMINDER_LEAD).max(now)),
        (&CAMPAIGN_OVERDUE, c.due_at + OVERDUE_AFTER),
        (&CAMPAIGN_CLOSE, c.due_at + CLOSE_AFTER),
    ];
    for (kind, due_at) in plan {
        tx.replan_job(&new_job(now, kind, &id, due_at)).await?;
    }
    Ok(())
}

/// What an instance brings to the jobs it runs besides the database.
#[derive(Debug, Clone, Default)]
pub struct JobContext {
    /// The key and period of scheduled audit checkpoints, if this instance signs them.
    pub checkpoints: Option<crate::audit_anchor::CheckpointPlan>,
}

/// Claims the jobs due at `now` and runs each; returns how many took effect here.
pub async fn run_due(store: &dyn Store, now: Timestamp, limit: u32) -> CoreResult<usize> {
    run_due_with(store, &JobContext::default(), now, limit).await
}

/// `run_due` with what this instance brings (the audit checkpoint key).
pub async fn run_due_with(store: &dyn Store, context: &JobContext, now: Timestamp, limit: u32) -> CoreResult<usize> {
    let mut ran = 0;
    // An instance without the checkpoint key leaves checkpoints to one that has it.
    let skipped: Vec<&'static JobKind> =
        JOBS.iter().copied().filter(|k| k.needs_checkpoint_key && context.checkpoints.is_none()).collect();
    for job in store.claim_jobs(now, now + LEASE, limit, &skipped).await? {
        match run_with(store, context, &job, now).await {
            Ok(true) => ran += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(job = %job.id, error = %e, "scheduled job failed; it is tried again after its lease");
                let message: String = e.to_string().chars().take(500).collect();
                store.fail_job(&job.id, &message).await?;
            }
        }
    }
    Ok(ran)
}

/// Runs one job: its effects and its completion commit together, once. Returns false when
/// the job had already run (another instance was first).
pub async fn run(store: &dyn Store, job: &Job, now: Timestamp) -> CoreResult<bool> {
    run_with(store, &JobContext::default(), job, now).await
}

/// `run` with what this instance brings.
pub async fn run_with(store: &dyn Store, context: &JobContext, job: &Job, now: Timestamp) -> CoreResult<bool> {
    let mut tx = store.write().await?;
    if !tx.finish_job(&job.id, now).await? {
        return Ok(false);
    }
    let actor = Actor::system("scheduler");
    let outcome = (job.kind.run)(&mut *tx, context, job, now).await?;
    let entity = job.subject_id.split('/').next().unwrap_or_default();
    let subject_type = job.kind.subject_type;
    tx.audit(AuditRecord::new(&actor, now, job.kind.as_str(), subject_type, entity, None::<&()>, Some(&outcome)));
    tx.commit().await?;
    Ok(true)
}

/// E-mails everyone whose campaign task is still open, and tells the channels how many.
async fn remind_campaign(tx: &mut dyn Writer, job: &Job, now: Timestamp) -> CoreResult<serde_json::Value> {
    let id = job.subject_id.parse().map_err(|_| CoreError::NotFound)?;
    let Some(c) = tx.find_campaign(id).await? else {
        return Ok(serde_json::json!({ "skipped": "the campaign no longer exists" }));
    };
    if c.closed_at.is_some() {
        return Ok(serde_json::json!({ "skipped": "the campaign is closed" }));
    }
    let due = c.due_at.date();
    let link = format!("{{base}}/campaigns/{}/acknowledge", c.id);
    let (subject, body) = if *job.kind == CAMPAIGN_REMINDER {
        (format!("Reminder: {} is due on {due}", c.title), format!("Please complete {} by {due}: {link}", c.title))
    } else {
        (
            format!("Overdue: {} was due on {due}", c.title),
            format!("{} was due on {due} and is still open for you: {link}", c.title),
        )
    };
    // The reminder goes to those due by the campaign's date (a late joiner has longer); the
    // overdue notice to those whose own due time has passed.
    let due_by = if *job.kind == CAMPAIGN_REMINDER { c.due_at } else { now };
    let campaign_id = c.id.to_string();
    let mail = TaskMail {
        key: &job.id,
        event: job.kind.as_str(),
        subject: &subject,
        body: &body,
        task_kind: crate::policies::campaigns::ACKNOWLEDGE,
        subject_type: "campaign",
        subject_id: &campaign_id,
        due_by,
    };
    let reminded = tx.mail_open_tasks(&mail, now).await?;
    let summary = format!(
        "{}: {} of {} people have not completed it yet (due {due}). {{base}}/campaigns/{}",
        c.title,
        c.assigned - c.signed,
        c.assigned,
        c.id
    );
    tell(tx, now, job, &subject, &summary).await?;
    Ok(serde_json::json!({ "reminded": reminded }))
}

/// Closes a campaign: it takes no more signatures or answers, and its open tasks are missed.
async fn close_campaign(tx: &mut dyn Writer, job: &Job, now: Timestamp) -> CoreResult<serde_json::Value> {
    let id = job.subject_id.parse().map_err(|_| CoreError::NotFound)?;
    let Some(c) = tx.find_campaign(id).await? else {
        return Ok(serde_json::json!({ "skipped": "the campaign no longer exists" }));
    };
    if c.closed_at.is_some() {
        return Ok(serde_json::json!({ "skipped": "the campaign is closed already" }));
    }
    let missed = tx.close_campaign(&c, now).await?;
    let text = format!(
        "{} is closed: {} of {} people completed it; {missed} did not. {{base}}/campaigns/{}",
        c.title, c.signed, c.assigned, c.id
    );
    tell(tx, now, job, &format!("Closed: {}", c.title), &text).await?;
    Ok(serde_json::json!({ "closed_at": crate::time_util::rfc3339(now), "missed": missed }))
}

/// Opens a recurring campaign's next round.
async fn open_next_round(tx: &mut dyn Writer, job: &Job, now: Timestamp) -> CoreResult<serde_json::Value> {
    match tx.find_campaign(job.subject_id.parse().map_err(|_| CoreError::NotFound)?).await? {
        Some(previous) => {
            crate::policies::campaigns::open_next_round(tx, &Actor::system("scheduler"), now, &previous).await
        }
        None => Ok(serde_json::json!({ "skipped": "the campaign no longer exists" })),
    }
}

/// Tells the channels routed the job's event, if its kind has one.
async fn tell(tx: &mut dyn Writer, now: Timestamp, job: &Job, subject: &str, body: &str) -> CoreResult<()> {
    match job.kind.event {
        Some(event) => crate::notify::enqueue(tx, now, event, subject, body).await,
        None => Ok(()),
    }
}

/// Mails the open review task of one record that this job is about (a later review, planned
/// since, is not due yet), and tells the channels when there was one.
pub(crate) async fn remind_owner(
    tx: &mut dyn Writer,
    job: &Job,
    now: Timestamp,
    (subject_type, subject_id): (&str, &str),
    title: &str,
    body: &str,
) -> CoreResult<serde_json::Value> {
    let subject = format!("Review due: {title}");
    let mail = TaskMail {
        key: &job.id,
        event: job.kind.as_str(),
        subject: &subject,
        body,
        task_kind: "review",
        subject_type,
        subject_id,
        due_by: now,
    };
    let reminded = tx.mail_open_tasks(&mail, now).await?;
    if reminded > 0 {
        tell(tx, now, job, &subject, body).await?;
    }
    Ok(serde_json::json!({ "reminded": reminded }))
}

/// Jobs not run yet, soonest first (admins see what is planned and what failed).
pub async fn pending(store: &dyn Store, actor: &Actor, limit: u32) -> CoreResult<Vec<Job>> {
    actor.require(crate::access::Permission::ManageSettings)?;
    Ok(store.read().await?.list_pending_jobs(limit).await?)
}
