//! A person's lifecycle (SPEC §3.1): what was checked before they started (which screening
//! checks, when, by whom — never the findings), the signed terms of employment with their
//! confidentiality duty, and offboarding.
//!
//! Offboarding lists every asset assigned to the person (each checked off as returned, with who
//! received it; the asset goes back into stock) and every directory account to de-register (one
//! per SaaS or software in the inventory, and their Bulwark account). The person's department
//! head gets a task to collect the assets and the security team one to remove the accounts. It
//! cannot be closed while anything is outstanding; closing marks the person as left, disables
//! their Bulwark account and closes the tasks. Starting it twice does nothing new.

use crate::access::{Actor, Permission, Role};
use crate::assets::{AssetKind, AssetStatus};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{AssetId, PersonId};
use crate::organisation::people::PersonStatus;
use crate::policies::campaigns::Task;
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use serde::{Deserialize, Serialize};
use time::Duration;

/// The screening checks an organisation records (what was checked, never what was found).
pub const SCREENING_CHECKS: &[&str] = &[
    "Identity",
    "Right to work",
    "References",
    "Education and qualifications",
    "Criminal record (where lawful)",
    "Credit history (where lawful)",
];

/// One onboarding fact: a screening check done, or the terms of employment signed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnboardingRecord {
    pub id: String,
    pub person_id: PersonId,
    /// `screening` or `terms`.
    pub kind: String,
    /// The check, or the document signed.
    pub detail: String,
    pub done_on: time::Date,
    pub recorded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: Timestamp,
}

pub const TERMS: &str = "Terms of employment with confidentiality duty";

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OnboardingInput {
    /// `screening` or `terms`.
    #[serde(default)]
    pub kind: String,
    /// The screening check (one of `SCREENING_CHECKS`); ignored for terms.
    #[serde(default)]
    pub check: String,
    /// YYYY-MM-DD; today when empty.
    #[serde(default)]
    pub done_on: String,
}

/// Records a screening check or the signed terms.
pub async fn record_onboarding(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    person: PersonId,
    input: &OnboardingInput,
) -> CoreResult<OnboardingRecord> {
    actor.require(Permission::ManageDirectory)?;
    let mut c = Checks::new();
    let detail = match input.kind.trim() {
        "screening" => match SCREENING_CHECKS.iter().find(|k| **k == input.check.trim()) {
            Some(k) => (*k).to_string(),
            None => {
                c.fail("check", &format!("must be one of: {}", SCREENING_CHECKS.join(", ")));
                String::new()
            }
        },
        "terms" => TERMS.to_string(),
        _ => {
            c.fail("kind", "must be screening or terms");
            String::new()
        }
    };
    let done_on = c.optional_date("done_on", &input.done_on, now.date());
    c.finish()?;
    let mut tx = store.write().await?;
    tx.get_person(person).await?;
    let record = OnboardingRecord {
        id: uuid::Uuid::now_v7().to_string(),
        person_id: person,
        kind: input.kind.trim().to_string(),
        detail,
        done_on,
        recorded_by: actor.label.clone(),
        recorded_at: now,
    };
    tx.insert_onboarding_record(&record).await?;
    tx.audit(AuditRecord::new(actor, now, "person.onboarding", "person", person, None::<&()>, Some(&record)));
    tx.commit().await?;
    Ok(record)
}

/// One thing to do before someone has left: an asset to get back or an account to remove.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffboardingItem {
    pub position: i64,
    /// `asset` or `account`.
    pub kind: String,
    pub asset_id: Option<AssetId>,
    pub label: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub done_at: Option<Timestamp>,
    pub done_by: Option<String>,
    /// For an asset: who received it.
    pub received_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offboarding {
    pub id: String,
    pub person_id: PersonId,
    /// Filled in on reads, for display.
    #[serde(skip)]
    pub person_name: String,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: Timestamp,
    pub started_by: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<Timestamp>,
    pub items: Vec<OffboardingItem>,
}

impl Offboarding {
    pub fn outstanding(&self) -> usize {
        self.items.iter().filter(|i| i.done_at.is_none()).count()
    }
}

const TASK_KIND: &str = "offboard";

/// Starts a person's offboarding (or returns the open one): the checklist of their assets and
/// accounts, their status `offboarding`, and the tasks of their department head and security.
pub async fn start_offboarding(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    person: PersonId,
    reason: &str,
) -> CoreResult<Offboarding> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let (offboarding, started) = start_offboarding_in(&mut *tx, actor, now, person, reason).await?;
    if started {
        tx.commit().await?;
    }
    Ok(offboarding)
}

/// `start_offboarding` inside the caller's transaction (SCIM deactivation uses it too); the
/// flag says whether it was started now (false: the open one, nothing written).
pub async fn start_offboarding_in(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    person_id: PersonId,
    reason: &str,
) -> CoreResult<(Offboarding, bool)> {
    let mut c = Checks::new();
    let reason = c.optional_line("reason", reason, 500);
    c.finish()?;
    let person = tx.get_person(person_id).await?;
    if let Some(open) = tx.open_offboarding(person_id).await? {
        return Ok((open, false));
    }
    if person.status == PersonStatus::Left {
        return Err(CoreError::Conflict(format!("{} has left already", person.name)));
    }
    let mut items = Vec::new();
    let mut add = |kind: &str, asset_id: Option<AssetId>, label: String| {
        let position = items.len() as i64 + 1;
        items.push(OffboardingItem {
            position,
            kind: kind.into(),
            asset_id,
            label,
            done_at: None,
            done_by: None,
            received_by: None,
        });
    };
    for asset in tx.assets_assigned_to(person_id).await? {
        add("asset", Some(asset.id), asset.name);
    }
    for (name, kind) in tx.directory_services().await? {
        if matches!(kind, AssetKind::Saas | AssetKind::Software) {
            let label = if name.to_lowercase().ends_with("account") { name } else { format!("{name} account") };
            add("account", None, label);
        }
    }
    if tx.find_account_for_person(person_id).await?.is_some() {
        add("account", None, "Bulwark account".into());
    }
    let offboarding = Offboarding {
        id: uuid::Uuid::now_v7().to_string(),
        person_id,
        person_name: person.name.clone(),
        reason,
        started_at: now,
        started_by: actor.label.clone(),
        closed_at: None,
        items,
    };
    tx.insert_offboarding(&offboarding).await?;
    let after =
        crate::organisation::people::Person { status: PersonStatus::Offboarding, updated_at: now, ..person.clone() };
    if person.status != PersonStatus::Offboarding {
        tx.update_person(&person, &after).await?;
        tx.audit(AuditRecord::new(actor, now, "person.update", "person", person_id, Some(&person), Some(&after)));
    }
    let due = now + Duration::days(7);
    let head = match person.department_id {
        Some(d) => tx.find_department(d).await?.and_then(|d| d.head_person_id),
        None => None,
    };
    if let Some(head) = head {
        tx.insert_task(&Task {
            id: format!("{TASK_KIND}:{}:{head}", offboarding.id),
            kind: TASK_KIND.into(),
            assignee_person_id: head,
            subject_type: "offboarding".into(),
            subject_id: offboarding.id.clone(),
            title: format!("Collect the assets of {} (leaving)", person.name),
            due_at: due,
            state: "open".into(),
            done_at: None,
            created_at: now,
        })
        .await?;
    }
    let title = format!("Remove the accounts of {} (leaving)", person.name);
    tx.give_role_task(Role::Security, TASK_KIND, "offboarding", &offboarding.id, &title, due, now).await?;
    tx.audit(AuditRecord::new(actor, now, "offboarding.start", "person", person_id, None::<&()>, Some(&offboarding)));
    Ok((offboarding, true))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemInput {
    /// For an asset: who received it (defaults to the person recording it).
    #[serde(default)]
    pub received_by: String,
}

/// Checks off one item: an asset returned (it goes back into stock, assigned to nobody) or an
/// account de-registered.
pub async fn check_off(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: &str,
    position: i64,
    input: &ItemInput,
) -> CoreResult<Offboarding> {
    let mut c = Checks::new();
    let received_by = c.optional_line("received_by", &input.received_by, 200);
    c.finish()?;
    let mut tx = store.write().await?;
    let before = tx.get_offboarding(id).await?;
    // The directory's managers check off anything; the head of the leaver's department the
    // assets (their "collect the assets" task).
    if !actor.can(Permission::ManageDirectory) {
        let head = is_leavers_head(&mut *tx, actor, &before).await?;
        let item = before.items.iter().find(|i| i.position == position);
        if !head || item.is_some_and(|i| i.kind != "asset") {
            return Err(if head || actor.can(Permission::ViewDirectory) {
                CoreError::Forbidden("the head of the leaver's department checks off assets; everything else is for the directory's managers".into())
            } else {
                CoreError::NotFound
            });
        }
    }
    if before.closed_at.is_some() {
        return Err(CoreError::Conflict("this offboarding is closed".into()));
    }
    let Some(item) = before.items.iter().find(|i| i.position == position).cloned() else {
        return Err(CoreError::NotFound);
    };
    if item.done_at.is_some() {
        return Err(CoreError::Conflict(format!("{} is checked off already", item.label)));
    }
    let received_by =
        (item.kind == "asset").then(|| if received_by.is_empty() { actor.label.clone() } else { received_by });
    let done = OffboardingItem { done_at: Some(now), done_by: Some(actor.label.clone()), received_by, ..item.clone() };
    tx.update_offboarding_item(id, &done).await?;
    if let Some(asset_id) = item.asset_id
        && let Some(asset) = tx.find_asset(asset_id).await?
        && asset.assigned_to == Some(before.person_id)
    {
        let back =
            crate::assets::Asset { assigned_to: None, status: AssetStatus::InStock, updated_at: now, ..asset.clone() };
        tx.update_asset(&asset, &back).await?;
        tx.audit(AuditRecord::new(actor, now, "asset.update", "asset", asset_id, Some(&asset), Some(&back)));
    }
    let action = if item.kind == "asset" { "offboarding.asset_returned" } else { "offboarding.account_removed" };
    tx.audit(AuditRecord::new(actor, now, action, "person", before.person_id, Some(&item), Some(&done)));
    let after = tx.get_offboarding(id).await?;
    tx.commit().await?;
    Ok(after)
}

/// Closes the offboarding once nothing is outstanding: the person has left, their Bulwark
/// account is disabled and the tasks are closed.
pub async fn close(store: &dyn Store, actor: &Actor, now: Timestamp, id: &str) -> CoreResult<Offboarding> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let before = tx.get_offboarding(id).await?;
    if before.closed_at.is_some() {
        return Err(CoreError::Conflict("this offboarding is closed already".into()));
    }
    let open: Vec<&str> = before.items.iter().filter(|i| i.done_at.is_none()).map(|i| i.label.as_str()).collect();
    if !open.is_empty() {
        return Err(CoreError::Conflict(format!("still outstanding: {}", open.join(", "))));
    }
    tx.close_offboarding(id, now).await?;
    let person = tx.get_person(before.person_id).await?;
    let left = crate::organisation::people::Person { status: PersonStatus::Left, updated_at: now, ..person.clone() };
    tx.update_person(&person, &left).await?;
    tx.audit(AuditRecord::new(actor, now, "person.update", "person", person.id, Some(&person), Some(&left)));
    crate::identity::accounts::end_access_in(&mut *tx, actor, now, person.id).await?;
    tx.close_subject_tasks(TASK_KIND, "offboarding", id, now).await?;
    let after = tx.get_offboarding(id).await?;
    tx.audit(AuditRecord::new(actor, now, "offboarding.close", "person", person.id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// The person is back (the identity provider reactivated them): their open offboarding, if
/// any, is closed as cancelled with its tasks, they are active again and their account signs
/// in again. Items already checked off stay as recorded.
pub async fn reactivate_in(tx: &mut dyn Writer, actor: &Actor, now: Timestamp, person_id: PersonId) -> CoreResult<()> {
    if let Some(open) = tx.open_offboarding(person_id).await? {
        tx.close_offboarding(&open.id, now).await?;
        tx.close_subject_tasks(TASK_KIND, "offboarding", &open.id, now).await?;
        let after = tx.get_offboarding(&open.id).await?;
        tx.audit(AuditRecord::new(actor, now, "offboarding.cancel", "person", person_id, Some(&open), Some(&after)));
    }
    let person = tx.get_person(person_id).await?;
    if person.status != PersonStatus::Active {
        let back =
            crate::organisation::people::Person { status: PersonStatus::Active, updated_at: now, ..person.clone() };
        tx.update_person(&person, &back).await?;
        tx.audit(AuditRecord::new(actor, now, "person.update", "person", person_id, Some(&person), Some(&back)));
    }
    crate::identity::accounts::restore_access_in(tx, actor, now, person_id).await
}

/// A person's onboarding records and offboardings, newest first.
pub async fn of_person(
    store: &dyn Store,
    actor: &Actor,
    person: PersonId,
) -> CoreResult<(Vec<OnboardingRecord>, Vec<Offboarding>)> {
    actor.require(Permission::ViewDirectory)?;
    let mut r = store.read().await?;
    Ok((r.onboarding_records(person).await?, r.offboardings_of(person).await?))
}

/// Whether the actor heads the department of the person leaving.
async fn is_leavers_head(r: &mut dyn crate::store::Reader, actor: &Actor, o: &Offboarding) -> CoreResult<bool> {
    let Some(me) = actor.person_id else { return Ok(false) };
    let leaver = r.get_person(o.person_id).await?;
    crate::organisation::my_department::heads_department_of(r, me, &leaver).await
}

/// Whether the actor is the head of the leaver's department (who checks off its assets).
pub async fn collects_assets(store: &dyn Store, actor: &Actor, o: &Offboarding) -> CoreResult<bool> {
    is_leavers_head(&mut *store.read().await?, actor, o).await
}

/// An offboarding, for the directory's readers and the head of the leaver's department.
pub async fn get(store: &dyn Store, actor: &Actor, id: &str) -> CoreResult<Offboarding> {
    if !actor.can(Permission::ViewDirectory) {
        let mut r = store.read().await?;
        let found = r.get_offboarding(id).await?;
        return match is_leavers_head(&mut *r, actor, &found).await? {
            true => Ok(found),
            false => Err(CoreError::NotFound),
        };
    }
    Ok(store.read().await?.get_offboarding(id).await?)
}
