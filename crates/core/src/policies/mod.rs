//! Policies: Markdown documents in a hierarchy (the information security policy and its
//! sub-policies), each with numbered versions that move draft → in review → ratified →
//! published → superseded. Ratifying needs someone other than the person who sent the version
//! for review; publishing freezes the text and records its SHA-256. Everyone signed in reads
//! published versions; drafts are for the people who write, ratify or audit them.

pub mod campaigns;
pub mod checklists;

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{PersonId, PolicyId, PolicyVersionId};
use crate::list::{FilterKind, FilterSpec, KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::store::{Store, Writer};
use crate::time_util::{Timestamp, rfc3339};
use crate::validate::Checks;
use crate::version::check_version;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The longest policy text accepted, in characters.
pub const MAX_BODY_CHARS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub id: PolicyId,
    pub parent_id: Option<PolicyId>,
    pub title: String,
    pub owner_person_id: Option<PersonId>,
    /// Months between reviews.
    pub review_months: i64,
    /// Shown in the public trust center.
    pub public: bool,
    #[serde(skip)]
    pub parent_title: Option<String>,
    #[serde(skip)]
    pub owner_name: Option<String>,
    /// The number of the published version, if any.
    #[serde(skip)]
    pub published_number: Option<i64>,
    #[serde(skip)]
    pub published_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    InReview,
    Ratified,
    Published,
    Superseded,
}

impl VersionStatus {
    pub const ALL: [VersionStatus; 5] =
        [Self::Draft, Self::InReview, Self::Ratified, Self::Published, Self::Superseded];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Ratified => "ratified",
            Self::Published => "published",
            Self::Superseded => "superseded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::InReview => "In review",
            Self::Ratified => "Ratified",
            Self::Published => "Published",
            Self::Superseded => "Superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyVersion {
    pub id: PolicyVersionId,
    pub policy_id: PolicyId,
    pub number: i64,
    pub status: VersionStatus,
    /// Markdown.
    pub body: String,
    pub change_note: String,
    /// SHA-256 (hex) of the body, set when published.
    pub content_hash: Option<String>,
    pub submitted_by: Option<String>,
    pub ratified_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// What a person writes: the policy's details and its working draft.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PolicyInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub parent_id: String,
    #[serde(default)]
    pub owner_person_id: String,
    #[serde(default)]
    pub review_months: String,
    #[serde(default)]
    pub public: bool,
    /// The draft's Markdown.
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub change_note: String,
    /// The version the edit was based on; a stale edit is refused.
    #[serde(default)]
    pub version: Option<String>,
}

/// A step of a version's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// draft → in review
    Submit,
    /// in review → ratified (someone else than the submitter, with `RatifyPolicies`)
    Ratify,
    /// in review → draft
    SendBack,
    /// ratified → published; the published one before it is superseded
    Publish,
}

/// The policies list: filtered by whether a version is published, sorted by title or change.
pub const LIST: ListSpec = ListSpec {
    filters: &[
        FilterSpec { name: "published", label: "published", kind: FilterKind::Choice(&["yes", "no"]) },
        FilterSpec { name: "public", label: "public", kind: FilterKind::Choice(&["yes", "no"]) },
        FilterSpec { name: "in_review", label: "in review", kind: FilterKind::Choice(&["yes", "no"]) },
    ],
    sorts: &[
        SortSpec { name: "title", label: "Title", key: KeyType::Text },
        SortSpec { name: "updated", label: "Last changed", key: KeyType::Int },
    ],
    searchable: true,
    columns: &["id", "title", "parent", "owner", "review_months", "public", "published_version", "published_at"],
};

impl Policy {
    /// The export row, in `LIST.columns` order.
    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.title.clone(),
            self.parent_title.clone().unwrap_or_default(),
            self.owner_name.clone().unwrap_or_default(),
            self.review_months.to_string(),
            if self.public { "yes" } else { "no" }.into(),
            self.published_number.map(|n| n.to_string()).unwrap_or_default(),
            self.published_at.map(rfc3339).unwrap_or_default(),
        ]
    }
}

/// The SHA-256 of a policy text, as recorded when it is published.
pub fn content_hash(body: &str) -> String {
    hex::encode(Sha256::digest(body.as_bytes()))
}

/// Whether the actor sees versions that are not (or no longer) published.
pub fn sees_drafts(actor: &Actor) -> bool {
    [Permission::ManagePolicies, Permission::RatifyPolicies, Permission::ViewAudit].into_iter().any(|p| actor.can(p))
}

struct ValidPolicy {
    title: String,
    parent_id: Option<PolicyId>,
    owner: Option<PersonId>,
    review_months: i64,
    body: String,
    change_note: String,
}

async fn check(tx: &mut dyn Writer, input: &PolicyInput, this: Option<PolicyId>) -> CoreResult<ValidPolicy> {
    let mut c = Checks::new();
    let title = c.text("title", &input.title, 200);
    let parent_id = match input.parent_id.trim() {
        "" => None,
        raw => match raw.parse::<PolicyId>() {
            Ok(id) if Some(id) == this => {
                c.fail("parent_id", "cannot be the policy itself");
                None
            }
            Ok(id) if tx.find_policy(id).await?.is_some() => Some(id),
            _ => {
                c.clash("parent_id", "must be an existing policy");
                None
            }
        },
    };
    let owner = crate::pick::person(tx, &mut c, "owner_person_id", &input.owner_person_id).await?;
    let review_months = match input.review_months.trim() {
        "" => 12,
        raw => match raw.parse::<i64>() {
            Ok(n) if (1..=60).contains(&n) => n,
            _ => {
                c.fail("review_months", "must be a whole number of months from 1 to 60");
                12
            }
        },
    };
    let body = c.document("body", &input.body, MAX_BODY_CHARS);
    let change_note = c.optional_text("change_note", &input.change_note, 500);
    c.finish()?;
    Ok(ValidPolicy { title, parent_id, owner, review_months, body, change_note })
}

fn title_taken(e: CoreError) -> CoreError {
    match e {
        CoreError::Conflict(_) => CoreError::clash("title", "is already used"),
        other => other,
    }
}

/// Creates a policy with its first draft.
pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp, input: &PolicyInput) -> CoreResult<Policy> {
    actor.require(Permission::ManagePolicies)?;
    let mut tx = store.write().await?;
    let v = check(&mut *tx, input, None).await?;
    let policy = Policy {
        id: PolicyId::new(),
        parent_id: v.parent_id,
        title: v.title,
        owner_person_id: v.owner,
        review_months: v.review_months,
        public: input.public,
        parent_title: None,
        owner_name: None,
        published_number: None,
        published_at: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_policy(&policy).await.map_err(|e| title_taken(e.into()))?;
    let draft = new_version(policy.id, 1, v.body, v.change_note, now);
    tx.insert_policy_version(&draft).await?;
    tx.audit(AuditRecord::new(actor, now, "policy.create", "policy", policy.id, None::<&()>, Some(&policy)));
    tx.audit(AuditRecord::new(actor, now, "policy.draft", "policy", policy.id, None::<&()>, Some(&draft)));
    tx.commit().await?;
    Ok(policy)
}

fn new_version(policy_id: PolicyId, number: i64, body: String, note: String, now: Timestamp) -> PolicyVersion {
    PolicyVersion {
        id: PolicyVersionId::new(),
        policy_id,
        number,
        status: VersionStatus::Draft,
        body,
        change_note: note,
        content_hash: None,
        submitted_by: None,
        ratified_by: None,
        published_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Saves the policy's details and its working text: the open draft is changed, or a new draft
/// is started after the newest version when none is open. Versions in review or later never change.
pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: PolicyId,
    input: &PolicyInput,
) -> CoreResult<Policy> {
    actor.require(Permission::ManagePolicies)?;
    let mut tx = store.write().await?;
    let before = tx.get_policy(id).await?;
    let v = check(&mut *tx, input, Some(id)).await?;
    check_version(input.version.as_deref(), before.updated_at, "this policy")?;
    if let Some(parent) = v.parent_id
        && descends_from(&mut *tx, parent, id).await?
    {
        return Err(CoreError::invalid("parent_id", "cannot be one of the policy's own sub-policies"));
    }
    let after = Policy {
        parent_id: v.parent_id,
        title: v.title,
        owner_person_id: v.owner,
        review_months: v.review_months,
        public: input.public,
        updated_at: now,
        ..before.clone()
    };
    tx.update_policy(&before, &after).await.map_err(|e| title_taken(e.into()))?;
    tx.audit(AuditRecord::new(actor, now, "policy.update", "policy", id, Some(&before), Some(&after)));
    let versions = tx.list_policy_versions(id).await?;
    match versions.iter().find(|x| x.status == VersionStatus::Draft) {
        Some(draft) if draft.body != v.body || draft.change_note != v.change_note => {
            let changed = PolicyVersion { body: v.body, change_note: v.change_note, updated_at: now, ..draft.clone() };
            tx.update_policy_version(draft, &changed).await?;
            tx.audit(AuditRecord::new(actor, now, "policy.draft", "policy", id, Some(draft), Some(&changed)));
        }
        Some(_) => {}
        None => {
            let newest = versions.iter().map(|x| x.number).max().unwrap_or(0);
            let unchanged = versions.iter().find(|x| x.number == newest).is_some_and(|x| x.body == v.body);
            if !unchanged {
                let draft = new_version(id, newest + 1, v.body, v.change_note, now);
                tx.insert_policy_version(&draft).await?;
                tx.audit(AuditRecord::new(actor, now, "policy.draft", "policy", id, None::<&()>, Some(&draft)));
            }
        }
    }
    tx.commit().await?;
    Ok(after)
}

/// Whether `candidate` is `ancestor` or lies below it.
async fn descends_from(tx: &mut dyn Writer, candidate: PolicyId, ancestor: PolicyId) -> CoreResult<bool> {
    let mut at = Some(candidate);
    for _ in 0..64 {
        match at {
            Some(id) if id == ancestor => return Ok(true),
            Some(id) => at = tx.get_policy(id).await?.parent_id,
            None => return Ok(false),
        }
    }
    Ok(true)
}

/// How a version is published: whether the change is one everyone must acknowledge again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PublishInput {
    /// Everyone signs this version again, including those who signed an earlier one: a
    /// campaign for everyone still with the company starts with the publication.
    #[serde(default)]
    pub everyone_signs_again: bool,
    /// YYYY-MM-DD: when that campaign is due (30 days from now when left empty).
    #[serde(default)]
    pub due_date: String,
}

/// Moves version `number` of a policy one step on; see `Transition`. Publishing this way keeps
/// the signatures of earlier versions (see `publish` for the other choice).
pub async fn transition(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: PolicyId,
    number: i64,
    step: Transition,
) -> CoreResult<PolicyVersion> {
    step_with(store, actor, now, id, number, step, &PublishInput::default()).await
}

/// Publishes a ratified version. Open campaigns move to it either way (whoever has not signed
/// signs the new version); with `everyone_signs_again` the publication also starts a campaign
/// asking everyone to acknowledge it, those who signed an earlier version included.
pub async fn publish(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: PolicyId,
    number: i64,
    input: &PublishInput,
) -> CoreResult<PolicyVersion> {
    step_with(store, actor, now, id, number, Transition::Publish, input).await
}

async fn step_with(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: PolicyId,
    number: i64,
    step: Transition,
    publishing: &PublishInput,
) -> CoreResult<PolicyVersion> {
    let needed = if matches!(step, Transition::Ratify | Transition::SendBack) {
        Permission::RatifyPolicies
    } else {
        Permission::ManagePolicies
    };
    actor.require(needed)?;
    if matches!(step, Transition::Ratify | Transition::SendBack) {
        // A decision on the version's approval request; the request's outcome moves it.
        let subject = format!("{id}/{number}");
        let pending = store.read().await?.find_pending_approval(RATIFICATION, &subject).await?;
        let Some(request) = pending else {
            return Err(CoreError::clash("status", "only a version in review can be ratified or sent back"));
        };
        let comment = if step == Transition::SendBack { "Sent back for changes." } else { "" };
        crate::approvals::decide(store, actor, now, &request.id, step == Transition::Ratify, comment).await?;
        return store.read().await?.find_policy_version(id, number).await?.ok_or(CoreError::NotFound);
    }
    let mut tx = store.write().await?;
    let before = tx.find_policy_version(id, number).await?.ok_or(CoreError::NotFound)?;
    use VersionStatus::*;
    let wrong = |what: &str| {
        Err(CoreError::clash("status", &format!("{what} (this version is {})", before.status.label().to_lowercase())))
    };
    let after = match (step, before.status) {
        (Transition::Submit, Draft) => {
            PolicyVersion { status: InReview, submitted_by: Some(actor.label.clone()), ..before.clone() }
        }
        (Transition::Submit, _) => return wrong("only a draft can be sent for review"),
        (Transition::Ratify | Transition::SendBack, _) => {
            return Err(CoreError::Internal(anyhow::anyhow!("ratifying is a decision on the approval request")));
        }
        (Transition::Publish, Ratified) => PolicyVersion {
            status: Published,
            content_hash: Some(content_hash(&before.body)),
            published_at: Some(now),
            ..before.clone()
        },
        (Transition::Publish, _) => return wrong("only a ratified version can be published"),
    };
    let after = PolicyVersion { updated_at: now, ..after };
    if step == Transition::Submit {
        let policy = tx.get_policy(id).await?;
        let request = crate::approvals::NewApproval {
            subject_type: RATIFICATION,
            subject_id: &format!("{id}/{number}"),
            title: &format!("Ratify {}, version {number}", policy.title),
            link: &format!("/policies/{id}"),
            role: Some(crate::access::Role::Management),
            people: &[],
            excluded: &[],
            needed: 1,
        };
        crate::approvals::request(&mut *tx, actor, now, request).await?;
    }
    if step == Transition::Publish {
        for old in tx.list_policy_versions(id).await?.into_iter().filter(|x| x.status == Published) {
            let superseded = PolicyVersion { status: Superseded, updated_at: now, ..old.clone() };
            tx.update_policy_version(&old, &superseded).await?;
            tx.audit(AuditRecord::new(actor, now, "policy.supersede", "policy", id, Some(&old), Some(&superseded)));
        }
        // Open campaigns follow the new version: whoever has not signed signs it; signatures
        // given stay as they were, with the version they named.
        let hash = after.content_hash.clone().unwrap_or_default();
        for campaign in tx.repin_open_campaigns(id, number, &hash).await? {
            let detail = serde_json::json!({ "policy_id": id, "version": number, "content_hash": hash });
            tx.audit(AuditRecord::new(
                actor,
                now,
                "campaign.follow_version",
                "campaign",
                campaign,
                None::<&()>,
                Some(&detail),
            ));
        }
        let policy = tx.get_policy(id).await?;
        schedule_review(&mut *tx, now, &policy, number).await?;
        let title = &policy.title;
        let text = format!("Policy published: {title}, version {number}. Please read it: {{base}}/policies/{id}");
        crate::notify::enqueue(&mut *tx, now, &PUBLISHED, &format!("Policy published: {title}"), &text).await?;
    }
    tx.update_policy_version(&before, &after).await?;
    if step == Transition::Publish && publishing.everyone_signs_again {
        let policy = tx.get_policy(id).await?;
        let due_date = match publishing.due_date.trim() {
            "" => (now + time::Duration::days(30)).date().to_string(),
            typed => typed.to_string(),
        };
        let input = crate::policies::campaigns::CampaignInput {
            title: format!("{}, version {number}: everyone signs again", policy.title),
            policy_ids: vec![id.to_string()],
            due_date,
            ..Default::default()
        };
        crate::policies::campaigns::start_in(
            &mut *tx,
            actor,
            now,
            &input,
            crate::policies::campaigns::Enrol::SparingThoseAsked,
        )
        .await?;
    }
    let action = match step {
        Transition::Submit => "policy.submit",
        Transition::Ratify => "policy.ratify",
        Transition::SendBack => "policy.send_back",
        Transition::Publish => "policy.publish",
    };
    tx.audit(AuditRecord::new(actor, now, action, "policy", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// What a policy version's ratification request is about (its subject id: "policy/number").
pub const RATIFICATION: &str = "policy_version";

/// A policy's review falls due: its owner is reminded (if the review is still open), and the
/// channels.
pub static REVIEW_DUE: crate::scheduler::JobKind = crate::scheduler::JobKind {
    name: "policy.review_due",
    subject_type: "policy",
    run: |tx, _, job, now| Box::pin(remind_review(tx, job, now)),
    needs_checkpoint_key: false,
    event: Some(&REVIEW_FALLS_DUE),
};

pub static PUBLISHED: crate::notify::Event =
    crate::notify::Event { name: "policy.publish", summary: "A policy version is published" };

pub static REVIEW_FALLS_DUE: crate::notify::Event =
    crate::notify::Event { name: "policy.review_due", summary: "A policy's review falls due" };

async fn remind_review(
    tx: &mut dyn Writer,
    job: &crate::scheduler::Job,
    now: Timestamp,
) -> CoreResult<serde_json::Value> {
    let policy_id = job.subject_id.split('/').next().unwrap_or_default();
    let Some(policy) = tx.find_policy(policy_id.parse().map_err(|_| CoreError::NotFound)?).await? else {
        return Ok(serde_json::json!({ "skipped": "the policy no longer exists" }));
    };
    let body = format!("The yearly review of {} is due. {{base}}/policies/{}", policy.title, policy.id);
    crate::scheduler::remind_owner(tx, job, now, ("policy", policy_id), &policy.title, &body).await
}

/// Ratification requests: a policy version's, shown in the policy's history.
pub static RATIFICATIONS: crate::approvals::Subject = crate::approvals::Subject {
    kind: RATIFICATION,
    history_of: "policy",
    on_decision: |tx, actor, now, request| Box::pin(on_decision(tx, actor, now, request)),
};

/// Moves a version in review when its ratification request is decided: approved, it is
/// ratified; rejected, it goes back to draft. In the decision's transaction.
async fn on_decision(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    request: &crate::approvals::Approval,
) -> CoreResult<()> {
    let (policy, number) = request.subject_id.split_once('/').ok_or(CoreError::NotFound)?;
    let id: PolicyId = policy.parse().map_err(|_| CoreError::NotFound)?;
    let number: i64 = number.parse().map_err(|_| CoreError::NotFound)?;
    let before = tx.find_policy_version(id, number).await?.ok_or(CoreError::NotFound)?;
    if before.status != VersionStatus::InReview {
        return Err(CoreError::clash("status", "the version is no longer in review"));
    }
    let approved = request.state == crate::approvals::ApprovalState::Approved;
    let after = if approved {
        PolicyVersion { status: VersionStatus::Ratified, ratified_by: Some(actor.label.clone()), ..before.clone() }
    } else {
        PolicyVersion { status: VersionStatus::Draft, submitted_by: None, ..before.clone() }
    };
    let after = PolicyVersion { updated_at: now, ..after };
    tx.update_policy_version(&before, &after).await?;
    let action = if approved { "policy.ratify" } else { "policy.send_back" };
    tx.audit(AuditRecord::new(actor, now, action, "policy", id, Some(&before), Some(&after)));
    Ok(())
}

/// Publishing is the review: it closes the open review task of the policy and gives its owner
/// (if it has one) the next, due `review_months` after publication.
async fn schedule_review(tx: &mut dyn Writer, now: Timestamp, policy: &Policy, number: i64) -> CoreResult<()> {
    let id = policy.id;
    tx.close_subject_tasks("review", "policy", &id.to_string(), now).await?;
    if let Some(owner) = policy.owner_person_id {
        let key = format!("{id}/{number}");
        let review_due = crate::time_util::add_months(now, policy.review_months);
        crate::scheduler::schedule(tx, now, &REVIEW_DUE, &key, review_due).await?;
        tx.insert_task(&crate::policies::campaigns::Task {
            id: crate::policies::campaigns::task_id("review", &key, owner),
            kind: "review".into(),
            assignee_person_id: owner,
            subject_type: "policy".into(),
            subject_id: id.to_string(),
            title: format!("Review: {}", policy.title),
            due_at: review_due,
            state: "open".into(),
            done_at: None,
            created_at: now,
        })
        .await?;
    }
    Ok(())
}

/// Policies by the query. Everyone reads the published ones (the policy set applies to all);
/// only those who see drafts also find the policies never published.
pub async fn list(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Policy>> {
    let mut query = query.clone();
    if !sees_drafts(actor) {
        query.filters.retain(|(name, _)| !matches!(*name, "published" | "in_review"));
        query.filters.push(("published", "yes".into()));
    }
    Ok(store.read().await?.list_policies(&query).await?)
}

/// A policy and the versions the actor may see, newest first.
pub async fn get(store: &dyn Store, actor: &Actor, id: PolicyId) -> CoreResult<(Policy, Vec<PolicyVersion>)> {
    let mut r = store.read().await?;
    let policy = r.get_policy(id).await?;
    let mut versions = r.list_policy_versions(id).await?;
    if !sees_drafts(actor) {
        versions.retain(|v| v.status == VersionStatus::Published);
        if versions.is_empty() {
            return Err(CoreError::NotFound);
        }
    }
    versions.sort_by_key(|v| std::cmp::Reverse(v.number));
    Ok((policy, versions))
}

/// One version of a policy, if the actor may see it.
/// What a ratifier looks at: the version asked for and the policy's published version (to
/// compare with), if there is one.
pub async fn under_ratification(
    store: &dyn Store,
    actor: &Actor,
    subject_id: &str,
) -> CoreResult<(PolicyVersion, Option<PolicyVersion>)> {
    let (id, number) = subject_id.split_once('/').ok_or(CoreError::NotFound)?;
    let (id, number): (PolicyId, i64) =
        (id.parse().map_err(|_| CoreError::NotFound)?, number.parse().map_err(|_| CoreError::NotFound)?);
    let asked = get_version(store, actor, id, number).await?;
    let versions = store.read().await?.list_policy_versions(id).await?;
    let published = versions.into_iter().find(|v| v.status == VersionStatus::Published && v.number != number);
    Ok((asked, published))
}

pub async fn get_version(store: &dyn Store, actor: &Actor, id: PolicyId, number: i64) -> CoreResult<PolicyVersion> {
    let v = store.read().await?.find_policy_version(id, number).await?.ok_or(CoreError::NotFound)?;
    // What was once published stays readable by everyone (what they signed, what changed).
    let was_published = matches!(v.status, VersionStatus::Published | VersionStatus::Superseded);
    if !was_published && !sees_drafts(actor) {
        return Err(CoreError::NotFound);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_hash_is_the_sha256_of_the_text() {
        assert_eq!(content_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
