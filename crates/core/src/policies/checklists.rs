//! Checklists: templates of items answered yes, no or not applicable (with an optional
//! comment), and the answers people give in a checklist campaign. A template is fixed once
//! made (a campaign's answers always refer to the items people saw); a change is a new
//! template. A campaign with a checklist gives its audience the same task as an
//! acknowledgment campaign; completing the checklist closes it, and every "no" opens a
//! follow-up task for that person, which closes when they answer the item again with yes or
//! not applicable.

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{CampaignId, ChecklistId, PersonId};
use crate::list::{KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::policies::campaigns::{self, ACKNOWLEDGE, Task};
use crate::store::{Store, Writer};
use crate::time_util::{Timestamp, rfc3339};
use crate::validate::Checks;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistItem {
    /// 1, 2, … in the order shown.
    pub position: i64,
    pub text: String,
    /// How to check it, shown under the item.
    pub guidance: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checklist {
    pub id: ChecklistId,
    pub title: String,
    pub description: String,
    /// How long a person has to fix an item answered "no".
    pub follow_up_days: i64,
    pub items: Vec<ChecklistItem>,
    pub item_count: i64,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct ChecklistInput {
    pub title: String,
    pub description: String,
    /// Days to fix a "no"; empty: 14.
    pub follow_up_days: String,
    /// One item per entry: "text" or "text | guidance".
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerValue {
    Yes,
    No,
    Na,
}

impl AnswerValue {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::Na => "na",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::No => "No",
            Self::Na => "Not applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Yes, Self::No, Self::Na].into_iter().find(|v| v.as_str() == s)
    }
}

/// One person's answer to one item of a campaign's checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub position: i64,
    pub value: AnswerValue,
    pub comment: String,
    #[serde(with = "time::serde::rfc3339")]
    pub answered_at: Timestamp,
}

/// An answer as a form or the API gives it.
#[derive(Debug, Clone, Default)]
pub struct RawAnswer {
    pub position: i64,
    pub value: String,
    pub comment: String,
}

pub const LIST: ListSpec = ListSpec {
    filters: &[],
    sorts: &[
        SortSpec { name: "title", label: "Title", key: KeyType::Text },
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
    ],
    searchable: true,
    columns: &["id", "title", "items", "follow_up_days", "created_at"],
};

impl Checklist {
    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.title.clone(),
            self.item_count.to_string(),
            self.follow_up_days.to_string(),
            rfc3339(self.created_at),
        ]
    }
}

/// The kind of task a "no" opens.
pub const FOLLOW_UP: &str = "follow_up";
const MAX_ITEMS: usize = 100;

pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp, input: &ChecklistInput) -> CoreResult<Checklist> {
    actor.require(Permission::ManageCampaigns)?;
    let mut c = Checks::new();
    let title = c.text("title", &input.title, 200);
    let description = c.optional_text("description", &input.description, 4000);
    let follow_up_days = match input.follow_up_days.trim() {
        "" => 14,
        raw => match raw.parse::<i64>() {
            Ok(d) if (1..=365).contains(&d) => d,
            _ => {
                c.fail("follow_up_days", "must be a number of days from 1 to 365");
                14
            }
        },
    };
    let mut items = Vec::new();
    for line in input.items.iter().flat_map(|s| s.lines()).map(str::trim).filter(|l| !l.is_empty()) {
        if line.chars().any(char::is_control) {
            c.fail("items", "must not contain control characters");
            break;
        }
        let (text, guidance) = line.split_once('|').unwrap_or((line, ""));
        let (text, guidance) = (text.trim(), guidance.trim());
        if text.is_empty() || text.chars().count() > 300 || guidance.chars().count() > 1000 {
            c.fail("items", "each item must have a text of at most 300 characters (guidance: 1000)");
            break;
        }
        items.push(ChecklistItem { position: items.len() as i64 + 1, text: text.into(), guidance: guidance.into() });
    }
    if items.is_empty() && c.is_valid_so_far("items") {
        c.fail("items", "must list at least one item, one per line");
    }
    if items.len() > MAX_ITEMS {
        c.fail("items", &format!("must be at most {MAX_ITEMS}"));
    }
    c.finish()?;
    let checklist = Checklist {
        id: ChecklistId::new(),
        title,
        description,
        follow_up_days,
        item_count: items.len() as i64,
        items,
        created_by: actor.label.clone(),
        created_at: now,
    };
    let mut tx = store.write().await?;
    tx.insert_checklist(&checklist).await?;
    tx.audit(AuditRecord::new(
        actor,
        now,
        "checklist.create",
        "checklist",
        checklist.id,
        None::<&()>,
        Some(&checklist),
    ));
    tx.commit().await?;
    Ok(checklist)
}

pub async fn list(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Checklist>> {
    actor.require(Permission::ViewCampaigns)?;
    Ok(store.read().await?.list_checklists(query).await?)
}

pub async fn get(store: &dyn Store, actor: &Actor, id: ChecklistId) -> CoreResult<Checklist> {
    actor.require(Permission::ViewCampaigns)?;
    store.read().await?.find_checklist(id).await?.ok_or(CoreError::NotFound)
}

/// The export line of one person's answers: "1 text: yes — comment", one per line.
fn summary(items: &[ChecklistItem], answers: &[Answer]) -> String {
    let line = |a: &Answer| {
        let text = items.iter().find(|i| i.position == a.position).map(|i| i.text.as_str()).unwrap_or("?");
        let comment = if a.comment.is_empty() { String::new() } else { format!(" — {}", a.comment) };
        format!("{} {text}: {}{comment}", a.position, a.value.as_str())
    };
    answers.iter().map(line).collect::<Vec<_>>().join("\n")
}

/// Checks a complete set of answers against the items: every item once, a known answer,
/// comments of at most 1000 characters.
fn check_answers(items: &[ChecklistItem], raw: &[RawAnswer], now: Timestamp) -> CoreResult<Vec<Answer>> {
    let mut c = Checks::new();
    let mut answers = Vec::new();
    for item in items {
        let field = format!("answer_{}", item.position);
        let given: Vec<&RawAnswer> = raw.iter().filter(|r| r.position == item.position).collect();
        // An item left unanswered may still come with a comment.
        // A missing item does not fit the stored checklist: a conflict, not malformed input.
        let Some(r) = given.first().filter(|r| !r.value.trim().is_empty()) else {
            c.clash(&field, "must be answered");
            continue;
        };
        let Some(value) = AnswerValue::parse(r.value.trim()) else {
            c.fail(&field, "must be yes, no or not applicable");
            continue;
        };
        let comment = c.optional_text(&format!("comment_{}", item.position), &r.comment, 1000);
        answers.push(Answer { position: item.position, value, comment, answered_at: now });
    }
    if raw.iter().any(|r| !items.iter().any(|i| i.position == r.position)) {
        c.clash("answers", "name items the checklist does not have");
    }
    c.finish()?;
    Ok(answers)
}

/// Records a person's answers to a checklist campaign in the caller's transaction: the first
/// time, it completes their task; any time, a "no" opens (or reopens) the item's follow-up
/// task and a "yes" or "not applicable" closes it.
async fn answer_in(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    campaign: &campaigns::Campaign,
    checklist: &Checklist,
    person: PersonId,
    raw: &[RawAnswer],
) -> CoreResult<()> {
    let task = tx.find_task(&campaigns::task_id(ACKNOWLEDGE, &campaign.id.to_string(), person)).await?;
    let task = task.ok_or(CoreError::NotFound)?;
    let answers = check_answers(&checklist.items, raw, now)?;
    let summary = summary(&checklist.items, &answers);
    let first = tx.find_acknowledgment(campaign.id, person).await?.is_none();
    if first {
        tx.insert_acknowledgment(campaign.id, person, now, &actor.label, &summary).await?;
        tx.update_task(&task, &Task { state: "done".into(), done_at: Some(now), ..task.clone() }).await?;
    }
    tx.save_answers(campaign.id, person, &answers, &summary).await?;
    for (a, item) in answers.iter().zip(&checklist.items) {
        let id = campaigns::task_id(FOLLOW_UP, &format!("{}/{}", campaign.id, a.position), person);
        let existing = tx.find_task(&id).await?;
        match (a.value, existing) {
            (AnswerValue::No, None) => {
                tx.insert_task(&Task {
                    id,
                    kind: FOLLOW_UP.into(),
                    assignee_person_id: person,
                    subject_type: "checklist".into(),
                    subject_id: campaign.id.to_string(),
                    title: format!("Fix: {}", item.text),
                    due_at: now + time::Duration::days(checklist.follow_up_days),
                    state: "open".into(),
                    done_at: None,
                    created_at: now,
                })
                .await?
            }
            (AnswerValue::No, Some(t)) if t.state != "open" => {
                tx.update_task(&t, &Task { state: "open".into(), done_at: None, ..t.clone() }).await?
            }
            (AnswerValue::Yes | AnswerValue::Na, Some(t)) if t.state == "open" => {
                tx.update_task(&t, &Task { state: "done".into(), done_at: Some(now), ..t.clone() }).await?
            }
            _ => {}
        }
    }
    let record = serde_json::json!({ "person_id": person, "answers": &answers });
    let action = if first { "campaign.complete" } else { "campaign.answer" };
    tx.audit(AuditRecord::new(actor, now, action, "campaign", campaign.id, None::<&()>, Some(&record)));
    Ok(())
}

/// The checklist campaign as the signed-in person sees it: the items and their answers.
pub struct AnswerSheet {
    pub campaign: campaigns::Campaign,
    pub checklist: Checklist,
    pub answers: Vec<Answer>,
    pub task: Task,
}

pub async fn sheet(store: &dyn Store, actor: &Actor, id: CampaignId) -> CoreResult<AnswerSheet> {
    let person = actor.person_id.ok_or(CoreError::NotFound)?;
    let mut r = store.read().await?;
    let campaign = r.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    let checklist_id = campaign.checklist_id.ok_or(CoreError::NotFound)?;
    let task =
        r.find_task(&campaigns::task_id(ACKNOWLEDGE, &id.to_string(), person)).await?.ok_or(CoreError::NotFound)?;
    let checklist = r.find_checklist(checklist_id).await?.ok_or(CoreError::NotFound)?;
    let answers = r.list_answers(id, person).await?;
    Ok(AnswerSheet { campaign, checklist, answers, task })
}

/// Records the signed-in person's answers to a checklist campaign.
pub async fn answer(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: CampaignId,
    raw: &[RawAnswer],
) -> CoreResult<()> {
    let person = actor.person_id.ok_or(CoreError::NotFound)?;
    let mut tx = store.write().await?;
    let campaign = tx.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    let checklist_id = campaign.checklist_id.ok_or(CoreError::NotFound)?;
    if campaign.closed_at.is_some() {
        return Err(CoreError::clash("campaign", "is closed"));
    }
    let checklist = tx.find_checklist(checklist_id).await?.ok_or(CoreError::NotFound)?;
    answer_in(&mut *tx, actor, now, &campaign, &checklist, person, raw).await?;
    tx.commit().await?;
    Ok(())
}

/// Records the answers of many people at once (seeding; answers collected elsewhere), each
/// audited, in one transaction. People without the campaign's task are skipped.
pub async fn answer_many(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: CampaignId,
    answers: &[(PersonId, Vec<RawAnswer>)],
) -> CoreResult<usize> {
    actor.require(Permission::ManageCampaigns)?;
    let mut tx = store.write().await?;
    let campaign = tx.find_campaign(id).await?.ok_or(CoreError::NotFound)?;
    let checklist = tx.find_checklist(campaign.checklist_id.ok_or(CoreError::NotFound)?).await?;
    let checklist = checklist.ok_or(CoreError::NotFound)?;
    let mut done = 0;
    for (person, raw) in answers {
        match answer_in(&mut *tx, actor, now, &campaign, &checklist, *person, raw).await {
            Ok(()) => done += 1,
            Err(CoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    tx.commit().await?;
    Ok(done)
}
