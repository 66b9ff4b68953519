//! Approvals: a request for a decision on any record, with its rule as data — `needed`
//! distinct people among the holders of a role and the people named, never the people
//! excluded (those a relation names: the auditee, the change's implementer; by person id) —
//! and four-eyes always: whoever asked can
//! never decide their own request. Approvers are given a task each; approving or rejecting
//! (with a comment) is recorded per person and in the record's history, and closes the tasks
//! once the request is decided. The record's own service reacts to the outcome in the same
//! transaction: each kind of record decided on registers a `Subject` in `SUBJECTS` (a policy
//! version becomes ratified or goes back to draft; a risk's acceptance holds or not).

use crate::access::{Actor, Role};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;

/// A record's reaction to the outcome of a request about it, in the deciding transaction.
pub type OnDecision = for<'a> fn(
    &'a mut dyn Writer,
    &'a Actor,
    Timestamp,
    &'a Approval,
) -> Pin<Box<dyn Future<Output = CoreResult<()>> + Send + 'a>>;

pub static REQUESTED: crate::notify::Event =
    crate::notify::Event { name: "approval.request", summary: "A decision is asked for" };

/// A kind of record that requests decisions.
#[derive(Debug)]
pub struct Subject {
    /// `Approval::subject_type` of its requests.
    pub kind: &'static str,
    /// The kind of record whose history shows them (the part of the subject id before any
    /// `/` names that record: "policy/3" is the policy's).
    pub history_of: &'static str,
    pub on_decision: OnDecision,
}

/// Every kind of record that requests decisions.
pub static SUBJECTS: &[&Subject] = &[&crate::policies::RATIFICATIONS, &crate::compliance::risks::ACCEPTANCES];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalState {
    Pending,
    Approved,
    Rejected,
}

impl ApprovalState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Rejected].into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approval {
    pub id: String,
    /// What is to be decided on: a record type ("policy_version") and its id ("policy/number").
    pub subject_type: String,
    pub subject_id: String,
    pub title: String,
    /// The page of the record.
    pub link: String,
    /// Who may decide: people holding this role (admins only if they hold it too)…
    pub role: Option<Role>,
    /// …and these people.
    pub people: Vec<PersonId>,
    /// Who never decides, besides the requester.
    pub excluded: Vec<PersonId>,
    /// How many distinct people must approve.
    pub needed: i64,
    pub state: ApprovalState,
    pub requested_by: String,
    #[serde(skip)]
    pub requested_by_person: Option<crate::ids::PersonId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<Timestamp>,
}

/// One person's decision on a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub approval_id: String,
    pub decided_by: String,
    pub approve: bool,
    pub comment: String,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: Timestamp,
    /// The person who decided: "distinct people" counts these, never labels.
    pub decided_by_person: Option<crate::ids::PersonId>,
}

/// The kind of task an approver is given.
pub const APPROVE: &str = "approve";

impl Approval {
    /// The record whose history shows the request and its decisions.
    pub fn audit_subject(&self) -> (&str, &str) {
        let subject = SUBJECTS.iter().find(|s| s.kind == self.subject_type);
        let kind = subject.map_or(self.subject_type.as_str(), |s| s.history_of);
        (kind, self.subject_id.split('/').next().unwrap_or_default())
    }

    fn requested_by_actor(&self, actor: &Actor) -> bool {
        actor.label == self.requested_by || (actor.person_id.is_some() && actor.person_id == self.requested_by_person)
    }

    /// Whether the rule names the actor a decider: a holder of its role or one of its people,
    /// and not excluded (nobody bypasses it, admins included).
    pub fn names_decider(&self, actor: &Actor) -> bool {
        let me = actor.person_id;
        let named = self.role.is_some_and(|r| actor.roles.contains(&r)) || me.is_some_and(|p| self.people.contains(&p));
        // Someone not known as a person cannot be told apart from those excluded.
        let excluded = match me {
            Some(p) => self.excluded.contains(&p),
            None => !self.excluded.is_empty(),
        };
        named && !excluded
    }

    /// The rule in words, for its page: "1 distinct person with the Management role; never
    /// the requester".
    pub fn rule_text(&self) -> String {
        let who = match (self.role, self.people.len()) {
            (Some(r), 0) => format!("with the {} role", r.label()),
            (Some(r), n) => format!("with the {} role or among the {n} named", r.label()),
            (None, n) => format!("among the {n} named"),
        };
        let person = if self.needed == 1 { "person" } else { "people" };
        let excluded = match self.excluded.len() {
            0 => String::new(),
            n => format!(" nor the {n} excluded"),
        };
        format!("{} distinct {person} {who}; never the requester{excluded}", self.needed)
    }

    /// Whether the actor may decide: named by the rule (nobody bypasses it, admins
    /// included) and did not ask.
    pub fn can_decide(&self, actor: &Actor) -> bool {
        self.state == ApprovalState::Pending && self.names_decider(actor) && !self.requested_by_actor(actor)
    }
}

/// What the request is about and who must decide it.
pub struct NewApproval<'a> {
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub title: &'a str,
    pub link: &'a str,
    pub role: Option<Role>,
    pub people: &'a [PersonId],
    pub excluded: &'a [PersonId],
    pub needed: i64,
}

/// Opens a request in the caller's transaction, gives each holder of the role (the requester
/// excepted) a task, and tells the channels routed `approval.request`.
pub async fn request(tx: &mut dyn Writer, actor: &Actor, now: Timestamp, new: NewApproval<'_>) -> CoreResult<Approval> {
    let approval = Approval {
        id: uuid::Uuid::now_v7().to_string(),
        subject_type: new.subject_type.into(),
        subject_id: new.subject_id.into(),
        title: new.title.into(),
        link: new.link.into(),
        role: new.role,
        people: new.people.to_vec(),
        excluded: new.excluded.to_vec(),
        needed: new.needed.max(1),
        state: ApprovalState::Pending,
        requested_by: actor.label.clone(),
        requested_by_person: actor.person_id,
        created_at: now,
        decided_at: None,
    };
    tx.insert_approval(&approval).await?;
    tx.assign_approvers(&approval, now).await?;
    let text =
        format!("Decision needed: {} (asked by {}). {{base}}/approvals/{}", approval.title, actor.label, approval.id);
    crate::notify::enqueue(tx, now, &REQUESTED, &format!("Decision needed: {}", approval.title), &text).await?;
    let (entity_type, entity_id) = approval.audit_subject();
    tx.audit(AuditRecord::new(actor, now, "approval.request", entity_type, entity_id, None::<&()>, Some(&approval)));
    Ok(approval)
}

/// Records the actor's decision in the caller's transaction; returns the request as it now
/// stands (approved once `needed` people approved, rejected by the first rejection).
pub async fn decide_in(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    before: &Approval,
    approve: bool,
    comment: &str,
) -> CoreResult<Approval> {
    if before.state != ApprovalState::Pending {
        return Err(CoreError::clash("approval", &format!("is already {}", before.state.as_str())));
    }
    if before.requested_by_actor(actor) {
        return Err(CoreError::clash(
            "approval",
            "was requested by you: someone other than the requester must decide it (four eyes)",
        ));
    }
    if !before.can_decide(actor) {
        return Err(CoreError::Forbidden(format!("the rule names others: {}", before.rule_text())));
    }
    let mut c = crate::validate::Checks::new();
    let comment = c.optional_text("comment", comment, 2000);
    if !approve && comment.is_empty() {
        c.fail("comment", "must say why the request is rejected");
    }
    c.finish()?;
    // Deciders of one request decide one after the other: each counts the others' decisions.
    tx.lock_row("approvals", &before.id).await?;
    let decisions = tx.list_decisions(&before.id).await?;
    let mine = |d: &Decision| match (d.decided_by_person, actor.person_id) {
        (Some(theirs), Some(me)) => theirs == me,
        _ => d.decided_by == actor.label,
    };
    if decisions.iter().any(mine) {
        return Err(CoreError::clash("approval", "has your decision already"));
    }
    let decision = Decision {
        approval_id: before.id.clone(),
        decided_by: actor.label.clone(),
        approve,
        comment,
        decided_at: now,
        decided_by_person: actor.person_id,
    };
    tx.insert_decision(&decision).await?;
    let approvals = decisions.iter().filter(|d| d.approve).count() as i64 + i64::from(approve);
    let state = match (approve, approvals >= before.needed) {
        (false, _) => ApprovalState::Rejected,
        (true, true) => ApprovalState::Approved,
        (true, false) => ApprovalState::Pending,
    };
    let after = Approval { state, decided_at: (state != ApprovalState::Pending).then_some(now), ..before.clone() };
    if state == ApprovalState::Pending {
        // Only this approver's part is done.
        if let Some(person) = actor.person_id {
            let task_id = crate::policies::campaigns::task_id(APPROVE, &before.id, person);
            if let Some(task) = tx.find_task(&task_id).await? {
                let done =
                    crate::policies::campaigns::Task { state: "done".into(), done_at: Some(now), ..task.clone() };
                tx.update_task(&task, &done).await?;
            }
        }
    } else {
        tx.update_approval(before, &after).await?;
        tx.close_subject_tasks(APPROVE, "approval", &before.id, now).await?;
    }
    let action = if approve { "approval.approve" } else { "approval.reject" };
    let (entity_type, entity_id) = before.audit_subject();
    let record = serde_json::json!({ "approval": &after, "decision": &decision });
    tx.audit(AuditRecord::new(actor, now, action, entity_type, entity_id, None::<&()>, Some(&record)));
    Ok(after)
}

/// Decides a request and lets its record react, in one transaction.
pub async fn decide(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: &str,
    approve: bool,
    comment: &str,
) -> CoreResult<Approval> {
    uuid::Uuid::parse_str(id).map_err(|_| CoreError::NotFound)?;
    let mut tx = store.write().await?;
    let before = tx.find_approval(id).await?.ok_or(CoreError::NotFound)?;
    if !may_see(actor, &before) {
        return Err(CoreError::NotFound);
    }
    let after = decide_in(&mut *tx, actor, now, &before, approve, comment).await?;
    if after.state != ApprovalState::Pending {
        let Some(subject) = SUBJECTS.iter().find(|s| s.kind == after.subject_type) else {
            let kind = &after.subject_type;
            return Err(CoreError::Internal(anyhow::anyhow!("no record type reacts to approvals of {kind}")));
        };
        (subject.on_decision)(&mut *tx, actor, now, &after).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Who sees a request: those who may decide it, who asked, and auditors and admins.
fn may_see(actor: &Actor, a: &Approval) -> bool {
    a.names_decider(actor) || a.requested_by_actor(actor) || actor.can(crate::access::Permission::ViewAudit)
}

/// A request with its decisions so far.
pub async fn get(store: &dyn Store, actor: &Actor, id: &str) -> CoreResult<(Approval, Vec<Decision>)> {
    uuid::Uuid::parse_str(id).map_err(|_| CoreError::NotFound)?;
    let mut r = store.read().await?;
    let approval = r.find_approval(id).await?.ok_or(CoreError::NotFound)?;
    if !may_see(actor, &approval) {
        return Err(CoreError::NotFound);
    }
    let decisions = r.list_decisions(&approval.id).await?;
    Ok((approval, decisions))
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct ApprovalFilter {
    pub state: Option<ApprovalState>,
    /// Only requests for one of these roles, naming `person` or asked by `requested_by`;
    /// None: all.
    pub visible_to_roles: Option<Vec<Role>>,
    pub person: Option<PersonId>,
    pub requested_by: String,
}

/// Requests the actor may see, newest first: pending ones, or all with `all`.
pub async fn list(store: &dyn Store, actor: &Actor, all: bool, limit: u32) -> CoreResult<Vec<Approval>> {
    let filter = ApprovalFilter {
        state: (!all).then_some(ApprovalState::Pending),
        visible_to_roles: (!actor.can(crate::access::Permission::ViewAudit)).then(|| actor.roles.clone()),
        person: actor.person_id,
        requested_by: actor.label.clone(),
    };
    Ok(store.read().await?.list_approvals(&filter, limit).await?)
}
