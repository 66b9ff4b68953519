//! Acknowledgment campaigns and the tasks they give people. A campaign pins a set of published
//! policy versions (number and SHA-256) and an audience (departments and kinds of people;
//! none chosen means everyone still with the company). Creating it gives every person in the
//! audience a task in the same transaction; a person who joins while it is open gets one too.
//! Signing records who, when and the exact versions, and closes the person's task — unless a
//! pinned version has been superseded meanwhile: that needs a new campaign.

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{CampaignId, ChecklistId, DepartmentId, PersonId, PolicyId};
use crate::list::{FilterKind, FilterSpec, KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::organisation::people::{Person, PersonKind};
use crate::policies::{self, VersionStatus};
use crate::store::{Store, Writer};
use crate::time_util::{Timestamp, rfc3339};
use crate::validate::Checks;
use serde::{Deserialize, Serialize};

pub static CREATED: crate::notify::Event =
    crate::notify::Event { name: "campaign.create", summary: "A campaign opens" };

pub static REMINDED: crate::notify::Event = crate::notify::Event {
    name: "campaign.reminder",
    summary: "A campaign's due date nears and people have not completed it",
};

pub static OVERDUE: crate::notify::Event =
    crate::notify::Event { name: "campaign.overdue", summary: "A campaign is overdue for some of its people" };

pub static CLOSED: crate::notify::Event = crate::notify::Event { name: "campaign.close", summary: "A campaign closes" };

pub static CANCELLED: crate::notify::Event =
    crate::notify::Event { name: "campaign.cancel", summary: "A campaign is cancelled" };

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub title: String,
    /// Empty: every department.
    pub audience_departments: Vec<DepartmentId>,
    /// Empty: every kind of person.
    pub audience_kinds: Vec<PersonKind>,
    /// Empty: anyone; otherwise only people whose active account has one of these roles
    /// when the campaign starts.
    pub audience_roles: Vec<crate::access::Role>,
    /// Only people who join while the campaign is open (onboarding): nobody is enrolled when
    /// it starts.
    pub joiners_only: bool,
    /// A checklist campaign asks its audience to answer this checklist instead of signing
    /// policies.
    pub checklist_id: Option<ChecklistId>,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<Timestamp>,
    /// Set when it was cancelled rather than closed: its open tasks were withdrawn.
    #[serde(with = "time::serde::rfc3339::option")]
    pub cancelled_at: Option<Timestamp>,
    /// Every this many months the next round opens by itself (0: once).
    pub repeat_months: i64,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
    /// Tasks given and signatures, counted by the store as they are written.
    #[serde(skip)]
    pub assigned: i64,
    #[serde(skip)]
    pub signed: i64,
}

/// A policy version a campaign asks people to acknowledge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PinnedVersion {
    pub policy_id: PolicyId,
    pub number: i64,
    pub content_hash: String,
    #[serde(skip)]
    pub title: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CampaignInput {
    #[serde(default)]
    pub title: String,
    /// Published policies to acknowledge; none: every published policy.
    #[serde(default)]
    pub policy_ids: Vec<String>,
    #[serde(default)]
    pub department_ids: Vec<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    /// A checklist to answer instead of policies to sign.
    #[serde(default)]
    pub checklist_id: String,
    /// Only people who join from now on (an onboarding campaign).
    #[serde(default)]
    pub joiners_only: bool,
    /// YYYY-MM-DD; the campaign is due at the end of that day (UTC).
    #[serde(default)]
    pub due_date: String,
    /// The audience size the person starting it on the page saw and confirmed.
    #[serde(default)]
    pub confirmed_audience: String,
    /// Months after which the next round opens by itself (1–60); empty or 0: once.
    #[serde(default)]
    pub repeat_months: String,
}

/// The longest repetition period, in months.
pub const MAX_REPEAT_MONTHS: i64 = 60;

impl CampaignInput {
    /// Whether it reaches everyone (no department, kind or role chosen).
    pub fn is_for_everyone(&self) -> bool {
        let none = |v: &[String]| v.iter().all(|s| s.trim().is_empty());
        !self.joiners_only && none(&self.department_ids) && none(&self.kinds) && none(&self.roles)
    }
}

/// One person's state in a campaign (completion pages and exports).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    pub person_id: PersonId,
    pub name: String,
    pub email: String,
    pub department: Option<String>,
    pub signed_at: Option<Timestamp>,
    /// The versions signed: "policy id:number:sha256", one per line.
    pub versions: String,
    /// Their task's state: open, done, missed (the campaign closed before they did it) or
    /// cancelled (withdrawn with the campaign).
    pub task_state: String,
}

/// Completion of one department.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentCompletion {
    pub department: Option<String>,
    pub assigned: i64,
    pub signed: i64,
}

/// An obligation of one person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: String,
    pub kind: String,
    pub assignee_person_id: PersonId,
    pub subject_type: String,
    pub subject_id: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: Timestamp,
    /// open, done, or missed (its campaign closed before it was done)
    pub state: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub done_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

impl Task {
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.state == "open" && self.due_at < now
    }

    /// The page where the task is done.
    pub fn link(&self) -> String {
        match self.subject_type.as_str() {
            "campaign" | "checklist" => format!("/campaigns/{}/acknowledge", self.subject_id),
            "policy" => format!("/policies/{}", self.subject_id),
            "approval" => format!("/approvals/{}", self.subject_id),
            "risk" => format!("/risks/{}", self.subject_id),
            "incident" => format!("/incidents/{}", self.subject_id),
            "offboarding" => format!("/offboardings/{}", self.subject_id),
            kind => crate::records::registry::link(kind, &self.subject_id).unwrap_or_else(|| "/tasks".into()),
        }
    }
}

pub const LIST: ListSpec = ListSpec {
    filters: &[FilterSpec { name: "state", label: "state", kind: FilterKind::Choice(&["open", "closed"]) }],
    sorts: &[
        SortSpec { name: "due", label: "Due", key: KeyType::Int },
        SortSpec { name: "title", label: "Title", key: KeyType::Text },
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
    ],
    searchable: true,
    columns: &["id", "title", "due_at", "assigned", "signed", "closed_at"],
};

impl Campaign {
    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.title.clone(),
            rfc3339(self.due_at),
            self.assigned.to_string(),
            self.signed.to_string(),
            self.closed_at.map(rfc3339).unwrap_or_default(),
        ]
    }

    /// The title of the task it gives each person.
    pub fn task_title(&self) -> String {
        let verb = if self.checklist_id.is_some() { "Complete" } else { "Acknowledge" };
        format!("{verb}: {}", self.title)
    }

    /// What doing the task is called: signing the policies, or completing the checklist.
    pub fn done_word(&self) -> &'static str {
        if self.checklist_id.is_some() { "completed" } else { "signed" }
    }

    /// Signed tasks in whole percent.
    pub fn percent(&self) -> i64 {
        if self.assigned == 0 { 0 } else { self.signed * 100 / self.assigned }
    }
}

/// The columns of a campaign's export: one row per person in the audience.
pub const PARTICIPANT_COLUMNS: &[&str] =
    &["person_id", "name", "email", "department", "state", "signed_at", "versions"];

impl Participant {
    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.person_id.to_string(),
            self.name.clone(),
            self.email.clone(),
            self.department.clone().unwrap_or_default(),
            match (self.signed_at.is_some(), self.task_state.as_str()) {
                (true, _) => "signed",
                (false, "missed") => "missed",
                (false, "cancelled") => "cancelled",
                (false, _) => "open",
            }
            .into(),
            self.signed_at.map(rfc3339).unwrap_or_default(),
            self.versions.clone(),
        ]
    }
}

/// My tasks: open ones by due date first.
pub const TASKS: ListSpec = ListSpec {
    filters: &[FilterSpec { name: "state", label: "state", kind: FilterKind::Choice(&["open", "done", "missed"]) }],
    sorts: &[
        SortSpec { name: "due", label: "Due", key: KeyType::Int },
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
    ],
    searchable: false,
    columns: &["id", "title", "due_at", "state", "done_at"],
};

/// The kind of task a campaign gives each person in its audience: signing its policies, or
/// completing its checklist.
pub const ACKNOWLEDGE: &str = "acknowledge";

/// The task id of an obligation: what it is about, so that it is given once.
pub fn task_id(kind: &str, subject_id: &str, person: PersonId) -> String {
    format!("{kind}:{subject_id}:{person}")
}

/// Whether a person belongs to a campaign's audience.
pub fn in_audience(c: &Campaign, p: &Person) -> bool {
    // People leaving or gone never get a new obligation.
    let active = !matches!(
        p.status,
        crate::organisation::people::PersonStatus::Left | crate::organisation::people::PersonStatus::Offboarding
    );
    let department =
        c.audience_departments.is_empty() || p.department_id.is_some_and(|d| c.audience_departments.contains(&d));
    let kind = c.audience_kinds.is_empty() || c.audience_kinds.contains(&p.kind);
    // A person just created has no account yet, so no role.
    active && department && kind && c.audience_roles.is_empty()
}

fn parse_due(c: &mut Checks, raw: &str, now: Timestamp) -> Timestamp {
    match crate::time_util::parse_date(raw) {
        Some(date) => {
            let due = date.with_time(time::macros::time!(23:59:59)).assume_utc();
            // Schema-valid but past: a conflict with the present, not malformed input.
            if due <= now {
                c.clash("due_date", "must be in the future");
            }
            due
        }
        None => {
            c.fail("due_date", "must be a date (YYYY-MM-DD)");
            now
        }
    }
}

/// Starts a campaign and gives everyone in its audience a task, in one transaction.
pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp, input: &CampaignInput) -> CoreResult<Campaign> {
    start(store, actor, now, input).await
}

/// How many people the campaign would give a task to, checked like `create` and written
/// nowhere (its transaction is rolled back): what the form shows before Start.
pub async fn audience_size(store: &dyn Store, actor: &Actor, now: Timestamp, input: &CampaignInput) -> CoreResult<i64> {
    let mut tx = store.write().await?;
    Ok(open_in(&mut *tx, actor, now, input, Enrol::Everyone).await?.campaign.assigned)
    // dropping `tx` rolls back
}

async fn start(store: &dyn Store, actor: &Actor, now: Timestamp, input: &CampaignInput) -> CoreResult<Campaign> {
    let mut tx = store.write().await?;
    let campaign = start_in(&mut *tx, actor, now, input, Enrol::Everyone).await?;
    tx.commit().await?;
    Ok(campaign)
}

/// Whom starting a campaign gives a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrol {
    /// Everyone in the audience.
    Everyone,
    /// Everyone in the audience but whoever holds an open task of another campaign that pins
    /// every version this one pins (a version everyone signs again: who has not signed the
    /// old one signs the new one where they were asked).
    SparingThoseAsked,
}

/// A campaign written with its audience's tasks, before its jobs, message and audit entry.
struct Opened {
    campaign: Campaign,
    pins: Vec<PinnedVersion>,
    checklist_title: Option<String>,
}

/// Starts a campaign in the caller's transaction (creating one, or publishing a version that
/// everyone signs again): the checks, the audience's tasks, its reminders, the channels and
/// the audit entry.
pub(crate) async fn start_in(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    input: &CampaignInput,
    enrol: Enrol,
) -> CoreResult<Campaign> {
    let Opened { campaign, pins, checklist_title } = open_in(tx, actor, now, input, enrol).await?;
    crate::scheduler::schedule_campaign(&mut *tx, now, &campaign).await?;
    let titles: Vec<&str> = pins.iter().map(|p| p.title.as_str()).collect();
    let what = match &checklist_title {
        Some(title) => format!("complete the checklist {title}"),
        None => format!("acknowledge {}", titles.join(", ")),
    };
    let assigned = campaign.assigned;
    let text =
        format!("{} started: {} people are asked to {what} by {}.", campaign.title, assigned, campaign.due_at.date());
    crate::notify::enqueue(&mut *tx, now, &CREATED, &campaign.title, &text).await?;
    let summary = serde_json::json!({ "campaign": &campaign, "versions": &pins, "assigned": assigned });
    tx.audit(AuditRecord::new(actor, now, "campaign.create", "campaign", campaign.id, None::<&()>, Some(&summary)));
    Ok(campaign)
}

/// The checks, the campaign row and its audience's tasks.
async fn open_in(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    input: &CampaignInput,
    enrol: Enrol,
) -> CoreResult<Opened> {
    actor.require(Permission::ManageCampaigns)?;
    let mut c = Checks::new();
    let title = c.text("title", &input.title, 200);
    let due_at = parse_due(&mut c, &input.due_date, now);
    let repeat_months = match input.repeat_months.trim() {
        "" => 0,
        raw => match raw.parse::<i64>() {
            Ok(n) if (0..=MAX_REPEAT_MONTHS).contains(&n) => n,
            _ => {
                c.fail("repeat_months", &format!("must be a number of months from 1 to {MAX_REPEAT_MONTHS}, or empty"));
                0
            }
        },
    };
    let mut departments = Vec::new();
    for raw in input.department_ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match raw.parse::<DepartmentId>() {
            Ok(id) if tx.find_department(id).await?.is_some() => departments.push(id),
            _ => c.clash("department_ids", "must name existing departments"),
        }
    }
    let mut kinds = Vec::new();
    for raw in input.kinds.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match PersonKind::parse(raw) {
            Some(k) => kinds.push(k),
            None => c.fail("kinds", "must be employee, contractor or student"),
        }
    }
    let mut roles = Vec::new();
    for raw in input.roles.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match raw.parse::<crate::access::Role>() {
            Ok(r) if !roles.contains(&r) => roles.push(r),
            Ok(_) => {}
            Err(e) => c.fail("roles", &e),
        }
    }
    let checklist = match input.checklist_id.trim() {
        "" => None,
        raw => match raw.parse::<ChecklistId>() {
            Ok(id) => match tx.find_checklist(id).await? {
                Some(found) => Some(found),
                None => {
                    c.clash("checklist_id", "must name an existing checklist");
                    None
                }
            },
            Err(_) => {
                c.fail("checklist_id", "must be a checklist id");
                None
            }
        },
    };
    let pins = if checklist.is_some() || !c.is_valid_so_far("checklist_id") {
        if input.policy_ids.iter().any(|p| !p.trim().is_empty()) {
            c.clash("policy_ids", "must be empty for a checklist campaign");
        }
        Vec::new()
    } else {
        pin_versions(tx, &mut c, &input.policy_ids).await?
    };
    c.finish()?;
    departments.dedup();
    kinds.dedup();
    let campaign = Campaign {
        id: CampaignId::new(),
        title,
        audience_departments: departments,
        audience_kinds: kinds,
        audience_roles: roles,
        joiners_only: input.joiners_only,
        checklist_id: checklist.as_ref().map(|k| k.id),
        due_at,
        closed_at: None,
        cancelled_at: None,
        repeat_months,
        created_by: actor.label.clone(),
        created_at: now,
        updated_at: now,
        assigned: 0,
        signed: 0,
    };
    tx.insert_campaign(&campaign, &pins).await?;
    let assigned = if campaign.joiners_only { 0 } else { tx.enroll_campaign_audience(&campaign, now, enrol).await? };
    if assigned == 0 && !campaign.joiners_only {
        return Err(CoreError::clash("audience", "has no one in it: choose other departments or kinds"));
    }
    let checklist_title = checklist.map(|k| k.title);
    Ok(Opened { campaign: Campaign { assigned: assigned as i64, ..campaign }, pins, checklist_title })
}

/// The published version of each named policy (every published policy when none is named).
async fn pin_versions(tx: &mut dyn Writer, c: &mut Checks, raw_ids: &[String]) -> CoreResult<Vec<PinnedVersion>> {
    let mut ids = Vec::new();
    for raw in raw_ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match raw.parse::<PolicyId>() {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(_) => c.fail("policy_ids", "must be policy ids"),
        }
    }
    if raw_ids.iter().all(|s| s.trim().is_empty()) {
        let mut q = policies::LIST.first_page(crate::list::MAX_LIMIT);
        q.filters.push(("published", "yes".into()));
        ids = tx.list_policies(&q).await?.items.into_iter().map(|p| p.id).collect();
    }
    let mut pins = Vec::new();
    for id in ids {
        let Some(policy) = tx.find_policy(id).await? else {
            c.clash("policy_ids", "must name existing policies");
            continue;
        };
        let published = tx.list_policy_versions(id).await?.into_iter().find(|v| v.status == VersionStatus::Published);
        match published {
            Some(v) => pins.push(PinnedVersion {
                policy_id: id,
                number: v.number,
                content_hash: v.content_hash.unwrap_or_default(),
                title: policy.title,
            }),
            None => c.clash("policy_ids", &format!("{} has no published version", policy.title)),
        }
    }
    if pins.is_empty() && c.is_valid_so_far("policy_ids") {
        c.clash("policy_ids", "must name at least one published policy");
    }
    Ok(pins)
}

/// Gives a newly created person the tasks of the open campaigns whose audience they are in.
pub(crate) async fn enroll_new_person(tx: &mut dyn Writer, person: &Person, now: Timestamp) -> CoreResult<()> {
    for campaign in tx.list_open_campaigns().await? {
        if in_audience(&campaign, person) {
            tx.insert_task(&Task {
                id: task_id(ACKNOWLEDGE, &campaign.id.to_string(), person.id),
                kind: ACKNOWLEDGE.into(),
                assignee_person_id: person.id,
                subject_type: "campaign".into(),
                subject_id: campaign.id.to_string(),
                title: campaign.task_title(),
                due_at: campaign.due_at.max(now + time::Duration::days(14)),
                state: "open".into(),
                done_at: None,
                created_at: now,
            })
            .await?;
        }
    }
    Ok(())
}

/// What a person is asked to sign, and whether they have.
pub struct SignSheet {
    pub campaign: Campaign,
    pub versions: Vec<PinnedVersion>,
    pub task: Task,
    pub signed_at: Option<Timestamp>,
}

/// The campaign as the signed-in person sees it: only someone it gave a task.
pub async fn sheet(store: &dyn Store, actor: &Actor, id: CampaignId) -> CoreResult<SignSheet> {
    let person = actor.person_id.ok_or(CoreError::NotFound)?;
    let mut r = store.read().await?;
    let campaign = r.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    let task = r.find_task(&task_id(ACKNOWLEDGE, &id.to_string(), person)).await?.ok_or(CoreError::NotFound)?;
    let versions = r.list_campaign_versions(id).await?;
    let signed_at = r.find_acknowledgment(id, person).await?;
    Ok(SignSheet { campaign, versions, task, signed_at })
}

/// Closes a running campaign before its due date (its work is done, or it was started by
/// mistake): open tasks become missed, later reminders do nothing, the channels are told.
pub async fn close(store: &dyn Store, actor: &Actor, now: Timestamp, id: CampaignId) -> CoreResult<Campaign> {
    actor.require(Permission::ManageCampaigns)?;
    let mut tx = store.write().await?;
    let before = tx.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    if before.closed_at.is_some() {
        return Err(CoreError::clash("campaign", "is closed already"));
    }
    let missed = tx.close_campaign(&before, now).await?;
    let after = tx.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    let text = format!(
        "{} was closed by {}: {} of {} people completed it; {missed} did not. {{base}}/campaigns/{}",
        before.title, actor.label, before.signed, before.assigned, before.id
    );
    crate::notify::enqueue(&mut *tx, now, &CLOSED, &format!("Closed: {}", before.title), &text).await?;
    tx.audit(AuditRecord::new(actor, now, "campaign.close", "campaign", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// Cancels a running campaign started by mistake: its open tasks are withdrawn (not missed),
/// its reminders do nothing and no further round opens; signatures given stay on record.
pub async fn cancel(store: &dyn Store, actor: &Actor, now: Timestamp, id: CampaignId) -> CoreResult<Campaign> {
    actor.require(Permission::ManageCampaigns)?;
    let mut tx = store.write().await?;
    let before = tx.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    if before.closed_at.is_some() {
        return Err(CoreError::clash("campaign", "is closed already"));
    }
    let withdrawn = tx.cancel_campaign(&before, now).await?;
    let after = tx.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    let text = format!(
        "{} was cancelled by {}: the {withdrawn} open tasks were withdrawn. {{base}}/campaigns/{}",
        before.title, actor.label, before.id
    );
    crate::notify::enqueue(&mut *tx, now, &CANCELLED, &format!("Cancelled: {}", before.title), &text).await?;
    tx.audit(AuditRecord::new(actor, now, "campaign.cancel", "campaign", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// Moves a running campaign's due date (YYYY-MM-DD, in the future): its open tasks and its
/// reminders, overdue notice and closing move with it.
pub async fn change_due_date(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: CampaignId,
    due_date: &str,
) -> CoreResult<Campaign> {
    actor.require(Permission::ManageCampaigns)?;
    let mut c = Checks::new();
    let due = parse_due(&mut c, due_date, now);
    c.finish()?;
    let mut tx = store.write().await?;
    let before = tx.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    if before.closed_at.is_some() {
        return Err(CoreError::clash("campaign", "is closed: its due date no longer matters"));
    }
    tx.move_campaign_due(&before, due, now).await?;
    let after = tx.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    crate::scheduler::replan_campaign(&mut *tx, now, &after).await?;
    tx.audit(AuditRecord::new(actor, now, "campaign.due_date", "campaign", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// Opens the next round of a recurring campaign (the scheduler's job, `repeat_months` after
/// the round it follows started): the same audience and title, the policies' versions
/// published now (or the same checklist), due as much later; the round before is closed if
/// still open. A cancelled campaign has no next round.
pub(crate) async fn open_next_round(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    previous: &Campaign,
) -> CoreResult<serde_json::Value> {
    if previous.cancelled_at.is_some() || previous.repeat_months == 0 {
        return Ok(serde_json::json!({ "skipped": "the campaign was cancelled" }));
    }
    if previous.closed_at.is_none() {
        tx.close_campaign(previous, now).await?;
        let closed = tx.find_campaign(previous.id).await?;
        tx.audit(AuditRecord::new(
            actor,
            now,
            "campaign.close",
            "campaign",
            previous.id,
            Some(previous),
            closed.as_ref(),
        ));
    }
    let policy_ids = tx.list_campaign_versions(previous.id).await?.iter().map(|v| v.policy_id.to_string()).collect();
    let months = previous.repeat_months;
    let due = crate::time_util::add_months(previous.due_at, months).max(now + time::Duration::days(1));
    let input = CampaignInput {
        title: previous.title.clone(),
        policy_ids,
        department_ids: previous.audience_departments.iter().map(|d| d.to_string()).collect(),
        kinds: previous.audience_kinds.iter().map(|k| k.as_str().to_string()).collect(),
        roles: previous.audience_roles.iter().map(|r| r.as_str().to_string()).collect(),
        checklist_id: previous.checklist_id.map(|k| k.to_string()).unwrap_or_default(),
        joiners_only: previous.joiners_only,
        due_date: due.date().to_string(),
        repeat_months: months.to_string(),
        confirmed_audience: String::new(),
    };
    let next = start_in(tx, actor, now, &input, Enrol::Everyone).await?;
    Ok(serde_json::json!({ "previous": previous.id, "next": next.id, "assigned": next.assigned }))
}

/// Signs the campaign's versions as the signed-in person and closes their task.
pub async fn acknowledge(store: &dyn Store, actor: &Actor, now: Timestamp, id: CampaignId) -> CoreResult<()> {
    let person = actor.person_id.ok_or(CoreError::NotFound)?;
    let mut tx = store.write().await?;
    let campaign = tx.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    let before = tx.find_task(&task_id(ACKNOWLEDGE, &id.to_string(), person)).await?.ok_or(CoreError::NotFound)?;
    if tx.find_acknowledgment(id, person).await?.is_some() {
        return Err(CoreError::clash("campaign", "is already signed"));
    }
    if campaign.closed_at.is_some() {
        return Err(CoreError::clash("campaign", "is closed"));
    }
    if campaign.checklist_id.is_some() {
        return Err(CoreError::clash("campaign", "is a checklist: answer its items"));
    }
    let versions = tx.list_campaign_versions(id).await?;
    for v in &versions {
        let current = tx.find_policy_version(v.policy_id, v.number).await?;
        if current.is_none_or(|c| c.status != VersionStatus::Published) {
            // Publishing moves open campaigns to the new version in its transaction, so this
            // is a version withdrawn some other way: nothing valid to sign.
            let message = format!("asks for version {} of {}, which is no longer published", v.number, v.title);
            return Err(CoreError::clash("campaign", &message));
        }
    }
    sign_in(&mut *tx, actor, now, id, &before, &version_lines(&versions)).await?;
    tx.commit().await?;
    Ok(())
}

/// "policy id:number:sha256" of each pinned version, as a signature records them.
fn version_lines(versions: &[PinnedVersion]) -> Vec<String> {
    versions.iter().map(|v| format!("{}:{}:{}", v.policy_id, v.number, v.content_hash)).collect()
}

/// Records one signature in the caller's transaction: the versions, the task done, the audit entry.
async fn sign_in(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    id: CampaignId,
    task: &Task,
    lines: &[String],
) -> CoreResult<()> {
    let person = task.assignee_person_id;
    tx.insert_acknowledgment(id, person, now, &actor.label, &lines.join("\n")).await?;
    tx.update_task(task, &Task { state: "done".into(), done_at: Some(now), ..task.clone() }).await?;
    let record = serde_json::json!({ "person_id": person, "versions": lines });
    tx.audit(AuditRecord::new(actor, now, "campaign.acknowledge", "campaign", id, None::<&()>, Some(&record)));
    Ok(())
}

/// Records signatures of many people at once (seeding and imports of signatures collected
/// elsewhere), each audited, in one transaction. People without an open task are skipped.
pub async fn acknowledge_many(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: CampaignId,
    people: &[PersonId],
) -> CoreResult<usize> {
    actor.require(Permission::ManageCampaigns)?;
    let mut tx = store.write().await?;
    let lines = version_lines(&tx.list_campaign_versions(id).await?);
    let mut signed = 0;
    for &person in people {
        match tx.find_task(&task_id(ACKNOWLEDGE, &id.to_string(), person)).await? {
            Some(task) if task.state == "open" => {
                sign_in(&mut *tx, actor, now, id, &task, &lines).await?;
                signed += 1;
            }
            _ => {}
        }
    }
    tx.commit().await?;
    Ok(signed)
}

fn require_view(actor: &Actor) -> CoreResult<()> {
    actor.require(Permission::ViewCampaigns)
}

pub async fn list(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Campaign>> {
    require_view(actor)?;
    Ok(store.read().await?.list_campaigns(query).await?)
}

/// A campaign's completion page: the campaign, its versions, completion by department, and
/// the first `missing` people who have not done it (by name), read on one connection.
pub struct Completion {
    pub campaign: Campaign,
    pub versions: Vec<PinnedVersion>,
    pub by_department: Vec<DepartmentCompletion>,
    pub missing: Vec<Participant>,
}

/// A campaign with its versions, completion by department and (up to `missing`) who is missing.
pub async fn completion(store: &dyn Store, actor: &Actor, id: CampaignId, missing: u32) -> CoreResult<Completion> {
    require_view(actor)?;
    let mut r = store.read().await?;
    let campaign = r.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    let versions = r.list_campaign_versions(id).await?;
    let by_department = r.campaign_completion(id).await?;
    let missing = if missing == 0 { vec![] } else { r.list_participants(id, true, None, missing).await? };
    Ok(Completion { campaign, versions, by_department, missing })
}

/// Everyone in the campaign's audience, by name after `after` (a person id), `limit` at most;
/// with `missing`, only those who have not signed.
pub async fn participants(
    store: &dyn Store,
    actor: &Actor,
    id: CampaignId,
    missing: bool,
    after: Option<(String, PersonId)>,
    limit: u32,
) -> CoreResult<Vec<Participant>> {
    require_view(actor)?;
    let mut r = store.read().await?;
    r.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    Ok(r.list_participants(id, missing, after, limit).await?)
}

/// The signed-in person's tasks.
pub async fn my_tasks(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Task>> {
    let Some(person) = actor.person_id else {
        return Ok(ListPage { items: vec![], total: 0, next: None });
    };
    Ok(store.read().await?.list_tasks(person, query).await?)
}
