//! The risk register (SPEC §3.4): risks with the asset or process they threaten, the threat
//! and the vulnerability, an owner, probability and impact on the instance's scale (1 to
//! `scale`, default 5), the inherent score (probability × impact), a treatment with the
//! controls it relies on, the residual rating once treated, and a review date.
//!
//! Accepting a risk whose current score is above the acceptance threshold (the risk appetite,
//! in `RiskSettings`) needs management's approval: saving it asks for one through the
//! approvals mechanism, and the decision comes back through `on_decision` in the approver's
//! transaction. An approval covers the score it was given for; a higher score asks again.
//! The owner holds a review task due on the review date, and the scheduler reminds them.

use crate::access::{Actor, Permission, Role};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{AssetId, ControlId, PersonId, RiskId};
use crate::list::{FilterKind, FilterSpec, KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::organisation::people::{person_field, string_enum};
use crate::policies::campaigns::Task;
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use crate::version::check_version;
use serde::{Deserialize, Serialize};

string_enum!(Treatment {
    Untreated = "untreated" / "Not decided",
    Mitigate = "mitigate" / "Mitigate",
    Accept = "accept" / "Accept",
    Transfer = "transfer" / "Transfer",
    Avoid = "avoid" / "Avoid",
});

string_enum!(Acceptance {
    NotAsked = "none" / "—",
    WithinAppetite = "within-appetite" / "Within the acceptance threshold",
    Pending = "pending" / "Awaiting management approval",
    Approved = "approved" / "Approved by management",
    Rejected = "rejected" / "Rejected by management",
});

/// The largest scale an instance may configure (10 × 10 cells).
pub const MAX_SCALE: i64 = 10;
/// The kind of the owner's task and of the approval subject.
const REVIEW: &str = "review";
const SUBJECT: &str = "risk";

/// A risk's review falls due: its owner is reminded (if that review is still open), and the
/// channels.
pub static REVIEW_DUE: crate::scheduler::JobKind = crate::scheduler::JobKind {
    name: "risk.review_due",
    subject_type: SUBJECT,
    run: |tx, _, job, now| Box::pin(remind_review(tx, job, now)),
    needs_checkpoint_key: false,
    event: Some(&REVIEW_FALLS_DUE),
};

pub static REVIEW_FALLS_DUE: crate::notify::Event =
    crate::notify::Event { name: "risk.review_due", summary: "A risk's review falls due" };

async fn remind_review(
    tx: &mut dyn Writer,
    job: &crate::scheduler::Job,
    now: Timestamp,
) -> CoreResult<serde_json::Value> {
    let risk_id = job.subject_id.split('/').next().unwrap_or_default();
    let risk = tx.get_risk(risk_id.parse().map_err(|_| CoreError::NotFound)?).await?;
    let body = format!("The review of the risk {} is due. {{base}}/risks/{}", risk.title, risk.id);
    crate::scheduler::remind_owner(tx, job, now, (SUBJECT, risk_id), &risk.title, &body).await
}

/// Acceptance requests: management's decision on accepting a risk.
pub static ACCEPTANCES: crate::approvals::Subject = crate::approvals::Subject {
    kind: SUBJECT,
    history_of: SUBJECT,
    on_decision: |tx, actor, now, request| Box::pin(on_decision(tx, actor, now, request)),
};

/// The instance's rating scale, risk appetite and review rhythm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskSettings {
    /// Probability and impact are rated 1 to `scale`.
    pub scale: i64,
    /// The highest score accepted without management's approval.
    pub acceptance_threshold: i64,
    /// How long after a review the next is due (the default review date of a new risk).
    pub review_days: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

impl RiskSettings {
    pub fn max_score(&self) -> i64 {
        self.scale * self.scale
    }

    /// The levels of the scale, each with its name (named levels for the default 1–5 scale).
    pub fn levels(&self, impact: bool) -> Vec<(i64, String)> {
        const PROBABILITY: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
        const IMPACT: [&str; 5] = ["Negligible", "Minor", "Moderate", "Major", "Severe"];
        let names = if impact { IMPACT } else { PROBABILITY };
        (1..=self.scale)
            .map(|n| {
                let name = if self.scale == 5 { format!("{n} {}", names[(n - 1) as usize]) } else { n.to_string() };
                (n, name)
            })
            .collect()
    }

    /// How a score stands against the appetite: `low` (accepted without approval), `medium`
    /// (above it), `high` (in the upper half of the range above it).
    pub fn band(&self, score: i64) -> &'static str {
        let threshold = self.acceptance_threshold;
        if score <= threshold {
            "low"
        } else if score * 2 > threshold + self.max_score() {
            "high"
        } else {
            "medium"
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    pub id: RiskId,
    pub title: String,
    /// What could happen and why it matters.
    pub description: String,
    /// The asset at risk, from the inventory.
    pub asset_id: Option<AssetId>,
    #[serde(skip)]
    pub asset_name: Option<String>,
    /// The business process at risk, in words.
    pub process: String,
    pub threat: String,
    pub vulnerability: String,
    pub owner_id: PersonId,
    #[serde(skip)]
    pub owner_name: Option<String>,
    pub probability: i64,
    pub impact: i64,
    pub treatment: Treatment,
    /// What is done about it (the mitigation, the insurer, why it is accepted …).
    pub treatment_plan: String,
    /// The controls the treatment relies on, by id.
    pub control_ids: Vec<ControlId>,
    pub residual_probability: Option<i64>,
    pub residual_impact: Option<i64>,
    pub acceptance: Acceptance,
    /// The score management approved accepting.
    pub accepted_score: Option<i64>,
    /// The approval asked for the acceptance, if one was.
    pub approval_id: Option<String>,
    pub review_on: time::Date,
    pub last_reviewed_on: Option<time::Date>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

impl Risk {
    pub fn inherent_score(&self) -> i64 {
        self.probability * self.impact
    }

    /// Probability × impact after treatment, once rated.
    pub fn residual_score(&self) -> Option<i64> {
        Some(self.residual_probability? * self.residual_impact?)
    }

    /// The score the risk stands at now: residual once rated, inherent until then.
    pub fn score(&self) -> i64 {
        self.residual_score().unwrap_or_else(|| self.inherent_score())
    }

    pub fn review_overdue(&self, today: &time::Date) -> bool {
        self.review_on < *today
    }

    /// The export row, in `LIST.columns` order.
    pub fn export_row(&self) -> Vec<String> {
        let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        vec![
            self.id.to_string(),
            self.title.clone(),
            self.asset_name.clone().unwrap_or_default(),
            self.process.clone(),
            self.threat.clone(),
            self.vulnerability.clone(),
            self.owner_name.clone().unwrap_or_default(),
            self.probability.to_string(),
            self.impact.to_string(),
            self.inherent_score().to_string(),
            self.treatment.as_str().into(),
            self.treatment_plan.clone(),
            self.control_ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
            opt(self.residual_probability),
            opt(self.residual_impact),
            opt(self.residual_score()),
            self.acceptance.as_str().into(),
            self.review_on.to_string(),
            self.last_reviewed_on.map(|d| d.to_string()).unwrap_or_default(),
        ]
    }
}

/// What a form or an API request says about a risk, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RiskInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The asset's id (empty: none).
    #[serde(default)]
    pub asset_id: String,
    #[serde(default)]
    pub process: String,
    #[serde(default)]
    pub threat: String,
    #[serde(default)]
    pub vulnerability: String,
    /// The owner's e-mail address or id.
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub probability: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub treatment: String,
    #[serde(default)]
    pub treatment_plan: String,
    /// Ids of the controls the treatment relies on.
    #[serde(default)]
    pub control_ids: Vec<String>,
    #[serde(default)]
    pub residual_probability: String,
    #[serde(default)]
    pub residual_impact: String,
    /// YYYY-MM-DD; `review_days` from today when empty on a new risk.
    #[serde(default)]
    pub review_on: String,
    #[serde(default)]
    pub version: Option<String>,
}

impl From<&Risk> for RiskInput {
    /// The form of a stored risk, for editing.
    fn from(r: &Risk) -> Self {
        let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        Self {
            title: r.title.clone(),
            description: r.description.clone(),
            asset_id: r.asset_id.map(|a| a.to_string()).unwrap_or_default(),
            process: r.process.clone(),
            threat: r.threat.clone(),
            vulnerability: r.vulnerability.clone(),
            owner: r.owner_id.to_string(),
            probability: r.probability.to_string(),
            impact: r.impact.to_string(),
            treatment: r.treatment.as_str().into(),
            treatment_plan: r.treatment_plan.clone(),
            control_ids: r.control_ids.iter().map(ToString::to_string).collect(),
            residual_probability: opt(r.residual_probability),
            residual_impact: opt(r.residual_impact),
            review_on: r.review_on.to_string(),
            version: Some(crate::version::version_of(r.updated_at)),
        }
    }
}

/// The settings as a form or API request gives them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RiskSettingsInput {
    #[serde(default)]
    pub scale: String,
    #[serde(default)]
    pub acceptance_threshold: String,
    #[serde(default)]
    pub review_days: String,
    #[serde(default)]
    pub version: Option<String>,
}

/// Scores are filtered on the current score (residual once rated); `score_min` and
/// `score_max` bound it (the list engine compares `_min`/`_max` filters as numbers).
pub const LIST: ListSpec = ListSpec {
    filters: &[
        FilterSpec { name: "owner_id", label: "owner", kind: FilterKind::Id },
        FilterSpec {
            name: "treatment",
            label: "treatment",
            kind: FilterKind::Choice(&["untreated", "mitigate", "accept", "transfer", "avoid"]),
        },
        FilterSpec {
            name: "acceptance",
            label: "acceptance",
            kind: FilterKind::Choice(&["none", "within-appetite", "pending", "approved", "rejected"]),
        },
        FilterSpec { name: "score_min", label: "lowest score", kind: FilterKind::Number(1, MAX_SCALE * MAX_SCALE) },
        FilterSpec { name: "score_max", label: "highest score", kind: FilterKind::Number(1, MAX_SCALE * MAX_SCALE) },
    ],
    sorts: &[
        SortSpec { name: "score", label: "Score", key: KeyType::Int },
        SortSpec { name: "inherent", label: "Inherent score", key: KeyType::Int },
        SortSpec { name: "title", label: "Title", key: KeyType::Text },
        SortSpec { name: "review_on", label: "Review date", key: KeyType::Text },
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
    ],
    searchable: true,
    columns: &[
        "id",
        "title",
        "asset",
        "process",
        "threat",
        "vulnerability",
        "owner",
        "probability",
        "impact",
        "inherent_score",
        "treatment",
        "treatment_plan",
        "control_ids",
        "residual_probability",
        "residual_impact",
        "residual_score",
        "acceptance",
        "review_on",
        "last_reviewed_on",
    ],
};

/// What a risk is found by, lower-cased for the search index.
pub fn search_text(r: &Risk) -> String {
    format!("{} {} {} {} {}", r.title, r.process, r.threat, r.vulnerability, r.description).to_lowercase()
}

/// How many risks sit in one cell of the heat map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeatCell {
    pub probability: i64,
    pub impact: i64,
    pub count: i64,
}

/// The register on the probability × impact grid, before and after treatment (risks without
/// a residual rating are counted at their inherent rating in the residual map).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatMap {
    pub inherent: Vec<HeatCell>,
    pub residual: Vec<HeatCell>,
}

impl HeatMap {
    /// The highest probability or impact any risk is rated at (a smaller scale would lose it).
    pub fn highest_level(&self) -> i64 {
        self.inherent.iter().chain(&self.residual).map(|c| c.probability.max(c.impact)).max().unwrap_or(0)
    }
}

async fn controls_field(tx: &mut dyn Writer, c: &mut Checks, raw: &[String]) -> CoreResult<Vec<ControlId>> {
    let mut ids = Vec::new();
    for value in raw.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match value.parse::<ControlId>() {
            Ok(id) if tx.find_record(&crate::compliance::controls::CONTROL, value).await?.is_some() => ids.push(id),
            Ok(_) => c.clash("control_ids", &format!("{value} names no control")),
            Err(_) => c.fail("control_ids", &format!("{value} is not a control id")),
        }
    }
    ids.sort_by_key(ToString::to_string);
    ids.dedup();
    if ids.len() > 200 {
        c.fail("control_ids", "may name at most 200 controls");
    }
    Ok(ids)
}

async fn asset_field(tx: &mut dyn Writer, c: &mut Checks, raw: &str) -> CoreResult<Option<AssetId>> {
    crate::pick::asset(tx, c, "asset_id", raw).await
}

/// A rating on the scale: required, or optional (`None` when empty).
fn level(c: &mut Checks, field: &str, raw: &str, scale: i64, required: bool) -> Option<i64> {
    if required && raw.trim().is_empty() {
        c.fail(field, &format!("is required: a whole number from 1 to {scale}"));
        return None;
    }
    c.optional_number(field, raw, 1..=scale)
}

async fn validate(tx: &mut dyn Writer, input: &RiskInput, settings: &RiskSettings, base: Risk) -> CoreResult<Risk> {
    let mut c = Checks::new();
    let scale = settings.scale;
    let title = c.text("title", &input.title, 200);
    let description = c.optional_text("description", &input.description, 10_000);
    let asset_id = asset_field(tx, &mut c, &input.asset_id).await?;
    let process = c.optional_line("process", &input.process, 200);
    let threat = c.optional_text("threat", &input.threat, 2_000);
    let vulnerability = c.optional_text("vulnerability", &input.vulnerability, 2_000);
    let owner_id = person_field(tx, &mut c, "owner", &input.owner).await?;
    if input.owner.trim().is_empty() {
        c.fail("owner", "is required: the person answerable for the risk (e-mail address or id)");
    }
    let probability = level(&mut c, "probability", &input.probability, scale, true);
    let impact = level(&mut c, "impact", &input.impact, scale, true);
    let treatment =
        c.choice("treatment", &input.treatment, Treatment::Untreated, Treatment::parse, &Treatment::choices());
    let treatment_plan = c.optional_text("treatment_plan", &input.treatment_plan, 10_000);
    let control_ids = controls_field(tx, &mut c, &input.control_ids).await?;
    let residual_probability = level(&mut c, "residual_probability", &input.residual_probability, scale, false);
    let residual_impact = level(&mut c, "residual_impact", &input.residual_impact, scale, false);
    if residual_probability.is_some() != residual_impact.is_some()
        && c.is_valid_so_far("residual_probability")
        && c.is_valid_so_far("residual_impact")
    {
        let missing = if residual_probability.is_none() { "residual_probability" } else { "residual_impact" };
        c.fail(missing, "is required with the other residual rating (rate both or neither)");
    }
    let review_on = c.optional_date("review_on", &input.review_on, base.review_on);
    if review_on < base.created_at.date() && review_on != base.review_on {
        c.fail("review_on", "must not be before the risk was recorded");
    }
    if treatment == Treatment::Accept && treatment_plan.is_empty() {
        c.fail("treatment_plan", "must say why the risk is accepted");
    }
    c.finish()?;
    let (Some(owner_id), Some(probability), Some(impact)) = (owner_id, probability, impact) else {
        return Err(CoreError::invalid("owner", "is required"));
    };
    Ok(Risk {
        title,
        description,
        asset_id,
        asset_name: None,
        process,
        threat,
        vulnerability,
        owner_id,
        owner_name: None,
        probability,
        impact,
        treatment,
        treatment_plan,
        control_ids,
        residual_probability,
        residual_impact,
        review_on,
        ..base
    })
}

/// Settles whether accepting the risk needs management's approval: within the threshold it
/// does not; above it an approval is asked for, unless one is pending or covers the score.
async fn settle_acceptance(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    settings: &RiskSettings,
    risk: Risk,
) -> CoreResult<Risk> {
    if risk.treatment != Treatment::Accept {
        return Ok(Risk { acceptance: Acceptance::NotAsked, accepted_score: None, ..risk });
    }
    let score = risk.score();
    if score <= settings.acceptance_threshold {
        return Ok(Risk { acceptance: Acceptance::WithinAppetite, accepted_score: Some(score), ..risk });
    }
    let covered = risk.acceptance == Acceptance::Approved && risk.accepted_score.is_some_and(|s| s >= score);
    if covered || risk.acceptance == Acceptance::Pending {
        return Ok(risk);
    }
    let title = format!(
        "Accept the risk “{}” (score {score}, above the threshold of {})",
        risk.title, settings.acceptance_threshold
    );
    let request = crate::approvals::NewApproval {
        subject_type: SUBJECT,
        subject_id: &risk.id.to_string(),
        title: &title,
        link: &format!("/risks/{}", risk.id),
        role: Some(Role::Management),
        people: &[],
        excluded: &[],
        needed: 1,
    };
    let approval = crate::approvals::request(tx, actor, now, request).await?;
    Ok(Risk { acceptance: Acceptance::Pending, accepted_score: None, approval_id: Some(approval.id), ..risk })
}

/// Gives the owner the review task of the risk's review date, closing the previous one, and
/// schedules its reminder. Only a new date or a new owner plans afresh.
async fn plan_review(tx: &mut dyn Writer, now: Timestamp, before: Option<&Risk>, risk: &Risk) -> CoreResult<()> {
    if before.is_some_and(|b| b.review_on == risk.review_on && b.owner_id == risk.owner_id) {
        return Ok(());
    }
    let id = risk.id.to_string();
    tx.close_subject_tasks(REVIEW, SUBJECT, &id, now).await?;
    let key = format!("{id}/{}", risk.review_on);
    let due = risk.review_on.midnight().assume_utc();
    crate::scheduler::schedule(tx, now, &REVIEW_DUE, &key, due).await?;
    tx.insert_task(&Task {
        id: crate::policies::campaigns::task_id(REVIEW, &key, risk.owner_id),
        kind: REVIEW.into(),
        assignee_person_id: risk.owner_id,
        subject_type: SUBJECT.into(),
        subject_id: id,
        title: format!("Review the risk “{}”", risk.title),
        due_at: due,
        state: "open".into(),
        done_at: None,
        created_at: now,
    })
    .await?;
    Ok(())
}

pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp, input: &RiskInput) -> CoreResult<Risk> {
    actor.require(Permission::ManageRisks)?;
    let mut tx = store.write().await?;
    let settings = tx.risk_settings().await?;
    let base = Risk {
        id: RiskId::new(),
        title: String::new(),
        description: String::new(),
        asset_id: None,
        asset_name: None,
        process: String::new(),
        threat: String::new(),
        vulnerability: String::new(),
        owner_id: PersonId::new(),
        owner_name: None,
        probability: 1,
        impact: 1,
        treatment: Treatment::Untreated,
        treatment_plan: String::new(),
        control_ids: vec![],
        residual_probability: None,
        residual_impact: None,
        acceptance: Acceptance::NotAsked,
        accepted_score: None,
        approval_id: None,
        review_on: now.date() + time::Duration::days(settings.review_days),
        last_reviewed_on: None,
        created_at: now,
        updated_at: now,
    };
    let risk = validate(&mut *tx, input, &settings, base).await?;
    let risk = settle_acceptance(&mut *tx, actor, now, &settings, risk).await?;
    tx.insert_risk(&risk).await?;
    plan_review(&mut *tx, now, None, &risk).await?;
    tx.audit(AuditRecord::new(actor, now, "risk.create", SUBJECT, risk.id, None::<&()>, Some(&risk)));
    tx.commit().await?;
    Ok(risk)
}

pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: RiskId,
    input: &RiskInput,
) -> CoreResult<Risk> {
    actor.require(Permission::ManageRisks)?;
    let mut tx = store.write().await?;
    let settings = tx.risk_settings().await?;
    let before = tx.get_risk(id).await?;
    let after = validate(&mut *tx, input, &settings, Risk { updated_at: now, ..before.clone() }).await?;
    check_version(input.version.as_deref(), before.updated_at, "this risk")?;
    let after = settle_acceptance(&mut *tx, actor, now, &settings, after).await?;
    tx.update_risk(&before, &after).await?;
    plan_review(&mut *tx, now, Some(&before), &after).await?;
    tx.audit(AuditRecord::new(actor, now, "risk.update", SUBJECT, id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// Records that the risk was reviewed today: its review task closes and the next review is
/// due `review_days` from today. The owner may record it as well as the risk managers.
pub async fn record_review(store: &dyn Store, actor: &Actor, now: Timestamp, id: RiskId) -> CoreResult<Risk> {
    let mut tx = store.write().await?;
    let before = tx.get_risk(id).await?;
    if !may_review(actor, &before) {
        return Err(if may_see(actor, &before) { forbidden() } else { CoreError::NotFound });
    }
    let settings = tx.risk_settings().await?;
    let today = now.date();
    let after = Risk {
        last_reviewed_on: Some(today),
        review_on: today + time::Duration::days(settings.review_days),
        updated_at: now,
        ..before.clone()
    };
    tx.update_risk(&before, &after).await?;
    plan_review(&mut *tx, now, Some(&before), &after).await?;
    tx.audit(AuditRecord::new(actor, now, "risk.review", SUBJECT, id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

fn forbidden() -> CoreError {
    CoreError::Forbidden("managing risks needs the security role".into())
}

/// Who sees a risk: holders of `ViewRisks`, and its owner.
fn may_see(actor: &Actor, risk: &Risk) -> bool {
    actor.can(Permission::ViewRisks) || actor.person_id == Some(risk.owner_id)
}

/// Whether the actor may record a review of the risk: risk managers and its owner.
pub fn may_review(actor: &Actor, risk: &Risk) -> bool {
    actor.can(Permission::ManageRisks) || actor.person_id == Some(risk.owner_id)
}

/// Management's decision on accepting a risk, in the approver's transaction: approved, the
/// acceptance covers the risk's current score; rejected, the risk needs another treatment.
/// A decision on a request the risk no longer waits for (edited since) changes nothing.
async fn on_decision(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    request: &crate::approvals::Approval,
) -> CoreResult<()> {
    let id: RiskId = request.subject_id.parse().map_err(|_| CoreError::NotFound)?;
    let before = tx.get_risk(id).await?;
    if before.acceptance != Acceptance::Pending || before.approval_id.as_deref() != Some(request.id.as_str()) {
        return Ok(());
    }
    let approved = request.state == crate::approvals::ApprovalState::Approved;
    let after = if approved {
        Risk { acceptance: Acceptance::Approved, accepted_score: Some(before.score()), ..before.clone() }
    } else {
        Risk { acceptance: Acceptance::Rejected, accepted_score: None, ..before.clone() }
    };
    let after = Risk { updated_at: now, ..after };
    tx.update_risk(&before, &after).await?;
    let action = if approved { "risk.accept" } else { "risk.acceptance_rejected" };
    tx.audit(AuditRecord::new(actor, now, action, SUBJECT, id, Some(&before), Some(&after)));
    Ok(())
}

pub async fn get(store: &dyn Store, actor: &Actor, id: RiskId) -> CoreResult<Risk> {
    let risk = store.read().await?.get_risk(id).await?;
    if !may_see(actor, &risk) {
        return Err(CoreError::NotFound);
    }
    Ok(risk)
}

/// A risk with the controls it relies on and the scale it is rated on (for its page).
pub async fn detail(
    store: &dyn Store,
    actor: &Actor,
    id: RiskId,
) -> CoreResult<(Risk, Vec<crate::compliance::controls::ControlSummary>, RiskSettings)> {
    let mut r = store.read().await?;
    let risk = r.get_risk(id).await?;
    if !may_see(actor, &risk) {
        return Err(CoreError::NotFound);
    }
    Ok((risk, r.risk_controls(id).await?, r.risk_settings().await?))
}

pub async fn list(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Risk>> {
    actor.require(Permission::ViewRisks)?;
    Ok(store.read().await?.list_risks(query).await?)
}

/// A page of the register with the settings it is rated on, read on one connection (the
/// list page shows both).
pub async fn page_with_settings(
    store: &dyn Store,
    actor: &Actor,
    query: &ListQuery,
) -> CoreResult<(ListPage<Risk>, RiskSettings)> {
    actor.require(Permission::ViewRisks)?;
    let mut r = store.read().await?;
    let page = r.list_risks(query).await?;
    Ok((page, r.risk_settings().await?))
}

pub async fn heat_map(store: &dyn Store, actor: &Actor) -> CoreResult<HeatMap> {
    actor.require(Permission::ViewRisks)?;
    Ok(store.read().await?.risk_heat_map().await?)
}

pub async fn settings(store: &dyn Store, actor: &Actor) -> CoreResult<RiskSettings> {
    actor.require(Permission::ViewRisks)?;
    Ok(store.read().await?.risk_settings().await?)
}

/// Changes the scale, threshold or review period. The scale cannot shrink below a rating
/// in use; the threshold applies to acceptances asked for from now on.
pub async fn update_settings(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    input: &RiskSettingsInput,
) -> CoreResult<RiskSettings> {
    actor.require(Permission::ManageSettings)?;
    let mut tx = store.write().await?;
    let before = tx.risk_settings().await?;
    let mut c = Checks::new();
    let scale = c.optional_number("scale", &input.scale, 3..=MAX_SCALE).unwrap_or(before.scale);
    let threshold_range = 1..=scale * scale;
    let threshold = c
        .optional_number("acceptance_threshold", &input.acceptance_threshold, threshold_range)
        .unwrap_or(before.acceptance_threshold);
    if threshold > scale * scale && c.is_valid_so_far("acceptance_threshold") {
        c.fail("acceptance_threshold", &format!("must be at most {} on a scale of {scale}", scale * scale));
    }
    let review_days = c.optional_number("review_days", &input.review_days, 1..=3650).unwrap_or(before.review_days);
    if c.is_valid_so_far("scale") {
        let highest = tx.risk_heat_map().await?.highest_level();
        if scale < highest {
            c.clash("scale", &format!("must be at least {highest}: risks are rated that high (re-rate them first)"));
        }
    }
    c.finish()?;
    check_version(input.version.as_deref(), before.updated_at, "the risk settings")?;
    let after = RiskSettings { scale, acceptance_threshold: threshold, review_days, updated_at: now };
    tx.update_risk_settings(&before, &after).await?;
    tx.audit(AuditRecord::new(actor, now, "risk.settings", "settings", "risk", Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(scale: i64, threshold: i64) -> RiskSettings {
        RiskSettings { scale, acceptance_threshold: threshold, review_days: 365, updated_at: crate::time_util::now() }
    }

    #[test]
    fn bands_follow_the_threshold() {
        let s = settings(5, 8);
        assert_eq!(s.band(8), "low");
        assert_eq!(s.band(9), "medium");
        // Above the middle of 8..=25.
        assert_eq!(s.band(16), "medium");
        assert_eq!(s.band(17), "high");
        assert_eq!(s.band(25), "high");
    }

    #[test]
    fn the_default_scale_names_its_levels() {
        let s = settings(5, 8);
        assert_eq!(s.levels(false)[0].1, "1 Rare");
        assert_eq!(s.levels(true)[4].1, "5 Severe");
        assert_eq!(
            settings(4, 6).levels(true),
            vec![(1, "1".into()), (2, "2".into()), (3, "3".into()), (4, "4".into())]
        );
    }

    #[test]
    fn the_current_score_is_residual_once_rated() {
        let now = crate::time_util::now();
        let mut r = Risk {
            id: RiskId::new(),
            title: "t".into(),
            description: String::new(),
            asset_id: None,
            asset_name: None,
            process: String::new(),
            threat: String::new(),
            vulnerability: String::new(),
            owner_id: PersonId::new(),
            owner_name: None,
            probability: 4,
            impact: 5,
            treatment: Treatment::Mitigate,
            treatment_plan: String::new(),
            control_ids: vec![],
            residual_probability: None,
            residual_impact: None,
            acceptance: Acceptance::NotAsked,
            accepted_score: None,
            approval_id: None,
            review_on: now.date(),
            last_reviewed_on: None,
            created_at: now,
            updated_at: now,
        };
        assert_eq!((r.inherent_score(), r.residual_score(), r.score()), (20, None, 20));
        r.residual_probability = Some(2);
        r.residual_impact = Some(3);
        assert_eq!((r.inherent_score(), r.residual_score(), r.score()), (20, Some(6), 6));
    }
}
