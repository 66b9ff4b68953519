//! The information systems register (SPEC §3.3): what each department runs, its
//! classification, the assets it runs on, the risks and controls that concern it. The head of
//! the running department owns it — sees and edits it, and gets a review task every
//! `review_every_months` months; recording the review closes the task and plans the next.

use crate::access::Permission;
use crate::error::CoreResult;
use crate::policies::campaigns::Task;
use crate::records::access::{RecordAccess, Scope};
use crate::records::{ASSET, Action, CONTROL, DEPARTMENT, Field, FieldKind, RISK, Record, RecordType, Step, Value};
use crate::store::Writer;
use crate::time_util::{Timestamp, add_months, to_micros};

pub static INFORMATION_SYSTEM: RecordType = RecordType {
    kind: "information_system",
    table: "information_systems",
    path: "information-systems",
    singular: "information system",
    title: "Information systems",
    intro: "What each department runs and what it rests on; the head of the department owns it and reviews it.",
    name_field: "name",
    fields: &[
        Field::line("name", "Name", 200).required().listed().sorted().searched(),
        Field::text("description", "Description", 5000).searched(),
        Field::new("department", "Department", FieldKind::Ref(&DEPARTMENT))
            .required()
            .listed()
            .filtered()
            .sorted()
            .hint("The department running it: its head owns it."),
        Field::new("classification", "Classification", FieldKind::Choice(crate::assets::Classification::PAIRS))
            .required()
            .listed()
            .filtered()
            .sorted(),
        Field::new("assets", "Assets", FieldKind::Links(&ASSET)),
        Field::new("risks", "Risks", FieldKind::Links(&RISK)),
        Field::new("controls", "Controls", FieldKind::Links(&CONTROL)),
        Field::new("review_every_months", "Review every (months)", FieldKind::Number { min: 1, max: 60 })
            .listed()
            .hint("The owner gets a review task when the period ends."),
        Field::new("last_reviewed_on", "Last reviewed on", FieldKind::Date).listed().sorted(),
    ],
    parent: None,
    access: RecordAccess {
        view: Permission::ViewAssets,
        manage: Permission::ManageAssets,
        scope: Some(Scope::HeadOf("department")),
        scope_edits: true,
    },
    actions: &[Action::new(
        "review",
        ("Review", "Reviewed today"),
        "The system was reviewed today: its review task closes and the next one is planned.",
        reviewed,
    )],
    rules: None,
    panel: None,
    derive: None,
    after_save: Some(|tx, record, now| Box::pin(plan_review(tx, record, now))),
};

fn reviewed(record: &mut Record, step: &Step) -> CoreResult<()> {
    record.set("last_reviewed_on", Value::Date(step.now.date()));
    Ok(())
}

/// Replaces the open review task by the one the system now calls for: its department head's,
/// due a period after the last review (or after it was added).
async fn plan_review(tx: &mut dyn Writer, system: &Record, now: Timestamp) -> CoreResult<()> {
    tx.close_subject_tasks("review", INFORMATION_SYSTEM.kind, &system.id, now).await?;
    let (Some(months), Some(department)) =
        (system.value("review_every_months").as_int(), system.value("department").as_id())
    else {
        return Ok(());
    };
    let head = match department.parse() {
        Ok(id) => tx.find_department(id).await?.and_then(|d| d.head_person_id),
        Err(_) => None,
    };
    let Some(head) = head else { return Ok(()) };
    let since = system.value("last_reviewed_on").as_date().map_or(system.created_at, |d| d.midnight().assume_utc());
    let due = add_months(since, months);
    tx.insert_task(&Task {
        // Each change plans afresh: the id names it (a review on the day it was added included,
        // and a department handed back to its former head).
        id: format!("review:information_system/{}/{}/{}:{head}", system.id, due.date(), to_micros(now)),
        kind: "review".into(),
        assignee_person_id: head,
        subject_type: INFORMATION_SYSTEM.kind.into(),
        subject_id: system.id.clone(),
        title: format!("Review the information system “{}”", system.name()),
        due_at: due,
        state: "open".into(),
        done_at: None,
        created_at: now,
    })
    .await?;
    Ok(())
}
