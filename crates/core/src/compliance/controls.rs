//! Controls: the organisation's own measures, with an owner and a status (planned,
//! implemented, or not applicable with a justification), mapped many-to-many to the
//! requirements of any framework, and the evidence that they work — files (kept with their
//! SHA-256), links, or results posted by automated checks — each valid until its expiry. The
//! owner of an implemented control holds a task to renew its evidence, due when the newest
//! evidence expires.
//!
//! A control is a record kit type (`CONTROL`); its mappings and evidence are behaviour of
//! their own, written here and shown on the control's page by the web crate.

use crate::access::Permission;
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{ControlId, EvidenceId, FrameworkId};
use crate::organisation::people::string_enum;
use crate::policies::campaigns::Task;
use crate::records::access::{RecordAccess, Scope};
use crate::records::{Field, FieldKind, Record, RecordType};
use crate::store::Writer;
use crate::time_util::Timestamp;
use crate::validate::Checks;
use crate::{Actor, Store};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use time::Duration;

string_enum!(ControlStatus {
    Planned = "planned" / "Planned",
    Implemented = "implemented" / "Implemented",
    NotApplicable = "not-applicable" / "Not applicable",
});
string_enum!(EvidenceKind { File = "file" / "File", Link = "link" / "Link", Check = "check" / "Automated check" });

pub static CONTROL: RecordType = RecordType {
    kind: "control",
    table: "controls",
    path: "controls",
    singular: "control",
    title: "Controls",
    intro: "The organisation's own measures, the requirements each meets and the evidence that it works.",
    name_field: "title",
    fields: &[
        Field::line("title", "Title", 200).required().listed().sorted().searched(),
        Field::text("description", "Description", 10_000).searched(),
        Field::new("owner", "Owner", FieldKind::Person)
            .listed()
            .filtered()
            .sorted()
            .hint("Renews its evidence when it expires."),
        Field::new("status", "Status", FieldKind::Choice(ControlStatus::PAIRS))
            .required()
            .listed()
            .filtered()
            .sorted()
            .default("planned"),
        Field::text("justification", "Justification", 2_000).hint("Why it does not apply, when it does not."),
        Field::count("requirements", "Requirements met", ("control_mappings", "control_id")).listed().sorted(),
    ],
    parent: None,
    // Its owner sees it, renews its evidence and follows their task to it.
    access: RecordAccess {
        view: Permission::ViewCompliance,
        manage: Permission::ManageCompliance,
        scope: Some(Scope::Owner("owner")),
        scope_edits: false,
    },
    actions: &[],
    rules: Some(|_, control, c| {
        if control.value("status").plain() == "not-applicable" && control.value("justification").plain().is_empty() {
            c.fail("justification", "is required when the control is not applicable");
        }
    }),
    panel: None,
    derive: None,
    after_save: Some(|tx, control, now| Box::pin(plan_renewal(tx, control, now))),
};

/// A control as another record's page names it (a risk's treatment).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlSummary {
    pub id: ControlId,
    pub title: String,
    pub status: ControlStatus,
}

impl ControlSummary {
    fn of(control: &Record) -> Option<Self> {
        Some(Self {
            id: control.id.parse().ok()?,
            title: control.name(),
            status: ControlStatus::parse(&control.value("status").plain())?,
        })
    }
}

/// The first 500 controls by title (the choices of a risk's form).
pub async fn by_title(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<ControlSummary>> {
    let query = CONTROL.list_spec().first_page(crate::list::MAX_LIMIT);
    let page = crate::records::service::list(store, actor, &CONTROL, &query).await?;
    Ok(page.items.iter().filter_map(ControlSummary::of).collect())
}

/// The control a mapping or evidence is for, as it is stored now.
async fn find(tx: &mut dyn Writer, id: ControlId) -> CoreResult<Record> {
    tx.find_record(&CONTROL, &id.to_string()).await?.ok_or(CoreError::NotFound)
}

/// The risks relying on a control, highest score first (for its page).
pub async fn risks_of(
    store: &dyn Store,
    actor: &Actor,
    id: ControlId,
) -> CoreResult<Vec<crate::compliance::risks::Risk>> {
    if !actor.can(Permission::ViewRisks) {
        return Ok(vec![]);
    }
    Ok(store.read().await?.control_risks(id).await?)
}

/// A control's mappings and evidence (newest first), for its page and the API.
pub async fn mappings_and_evidence(
    store: &dyn Store,
    actor: &Actor,
    id: ControlId,
) -> CoreResult<(Vec<Mapping>, Vec<Evidence>)> {
    crate::records::service::get(store, actor, &CONTROL, &id.to_string()).await?;
    let mut r = store.read().await?;
    Ok((r.control_mappings(id).await?, r.control_evidence(id).await?))
}

/// Whether the control names the actor as its owner.
pub fn owned_by(actor: &Actor, control: &Record) -> bool {
    actor.person_id.is_some_and(|me| control.value("owner").as_id() == Some(me.to_string().as_str()))
}

/// Who adds evidence: those who manage compliance, and the control's owner, who renews it.
/// Someone who does not see the control is told it does not exist.
fn may_add_evidence(actor: &Actor, control: &Record) -> CoreResult<()> {
    if actor.can(Permission::ManageCompliance) || owned_by(actor, control) {
        Ok(())
    } else if actor.can(Permission::ViewCompliance) {
        Err(CoreError::Forbidden("adding evidence needs the compliance role or owning the control".into()))
    } else {
        Err(CoreError::NotFound)
    }
}

/// A control's link to one requirement of a framework.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    pub control_id: ControlId,
    pub framework_id: FrameworkId,
    pub requirement_id: String,
    #[serde(skip)]
    pub framework_title: String,
    #[serde(skip)]
    pub requirement_title: String,
}

/// Evidence that a control works (a file's content is read on its own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub id: EvidenceId,
    pub control_id: ControlId,
    pub kind: EvidenceKind,
    pub title: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    /// A check's result: `passed` or `failed`.
    pub outcome: Option<String>,
    pub detail: String,
    #[serde(with = "time::serde::rfc3339")]
    pub collected_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: Timestamp,
    pub created_by: String,
}

impl Evidence {
    /// Evidence counts while it has not expired (and a check only when it passed).
    pub fn is_fresh(&self, now: Timestamp) -> bool {
        self.expires_at > now && self.outcome.as_deref() != Some("failed")
    }
}

/// What a form or API request gives as evidence.
#[derive(Debug, Clone, Default)]
pub struct EvidenceInput {
    pub kind: String,
    pub title: String,
    pub url: String,
    /// (file name, declared content type, content) of an uploaded file.
    pub file: Option<(String, String, Vec<u8>)>,
    pub outcome: String,
    pub detail: String,
    /// Days until it expires; empty for the default of its kind.
    pub valid_days: String,
}

/// The largest evidence file.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// File types accepted as evidence, and how their content is recognised.
const FILE_TYPES: &[(&str, &[&[u8]])] = &[
    ("application/pdf", &[b"%PDF-"]),
    ("image/png", &[b"\x89PNG\r\n\x1a\n"]),
    ("image/jpeg", &[b"\xff\xd8\xff"]),
    ("text/plain", &[]),
    ("text/csv", &[]),
    ("application/json", &[]),
];
/// Maps a control to a requirement of a framework (mapping it twice changes nothing).
pub async fn map(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: ControlId,
    framework: &str,
    requirement: &str,
) -> CoreResult<Mapping> {
    actor.require(Permission::ManageCompliance)?;
    let mut tx = store.write().await?;
    find(&mut *tx, id).await?;
    let mut c = Checks::new();
    let framework_id = match framework.trim().parse::<FrameworkId>() {
        Ok(f) => Some(f),
        Err(_) => {
            c.fail("framework_id", "must be a framework id");
            None
        }
    };
    let requirement = c.text("requirement_id", requirement, 200);
    c.finish()?;
    let framework_id = framework_id.ok_or(CoreError::NotFound)?;
    let Some(outline) = tx.framework_outline(framework_id).await? else {
        return Err(CoreError::clash("framework_id", "names no framework"));
    };
    let Some(req) = outline.requirement_named(&requirement) else {
        return Err(CoreError::clash(
            "requirement_id",
            &format!("{requirement} is not a requirement of {}", outline.framework.title),
        ));
    };
    let mapping = Mapping {
        control_id: id,
        framework_id,
        requirement_id: req.control_id.clone(),
        framework_title: outline.framework.title.clone(),
        requirement_title: req.title.clone(),
    };
    if tx.insert_mapping(&mapping, now).await? {
        tx.audit(AuditRecord::new(actor, now, "control.map", "control", id, None::<&()>, Some(&mapping)));
        tx.commit().await?;
    }
    Ok(mapping)
}

pub async fn unmap(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: ControlId,
    framework_id: FrameworkId,
    requirement: &str,
) -> CoreResult<()> {
    actor.require(Permission::ManageCompliance)?;
    let mut tx = store.write().await?;
    let existing = tx.control_mappings(id).await?;
    let Some(m) = existing.into_iter().find(|m| m.framework_id == framework_id && m.requirement_id == requirement)
    else {
        return Err(CoreError::NotFound);
    };
    tx.delete_mapping(&m).await?;
    tx.audit(AuditRecord::new(actor, now, "control.unmap", "control", id, Some(&m), None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// Adds evidence to a control; the owner's renewal task moves to its expiry.
pub async fn add_evidence(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: ControlId,
    input: EvidenceInput,
) -> CoreResult<Evidence> {
    let control = store.read().await?.find_record(&CONTROL, &id.to_string()).await?.ok_or(CoreError::NotFound)?;
    may_add_evidence(actor, &control)?;
    let mut c = Checks::new();
    let kind = c.choice("kind", &input.kind, EvidenceKind::Link, EvidenceKind::parse, &EvidenceKind::choices());
    let title = c.text("title", &input.title, 200);
    let detail = c.optional_text("detail", &input.detail, 10_000);
    let default_days = if kind == EvidenceKind::Check { 30 } else { 365 };
    let days = c.optional_number("valid_days", &input.valid_days, 1..=3650).unwrap_or(default_days);
    let mut evidence = Evidence {
        id: EvidenceId::new(),
        control_id: id,
        kind,
        title,
        url: None,
        file_name: None,
        content_type: None,
        size_bytes: None,
        sha256: None,
        outcome: None,
        detail,
        collected_at: now,
        expires_at: now + Duration::days(days),
        created_by: actor.label.clone(),
    };
    let mut content = None;
    match kind {
        EvidenceKind::Link => {
            let url = input.url.trim();
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= 2000
                && !url.chars().any(|ch| ch.is_whitespace() || ch.is_control());
            if !ok {
                c.fail("url", "must be an http:// or https:// address");
            }
            evidence.url = Some(url.to_string());
        }
        EvidenceKind::Check => match input.outcome.trim() {
            o @ ("passed" | "failed") => evidence.outcome = Some(o.into()),
            _ => c.fail("outcome", "must be passed or failed"),
        },
        EvidenceKind::File => match input.file {
            None => c.fail("file", "choose a file"),
            Some((name, declared, bytes)) => {
                let name = c.optional_line("file", &name, 200);
                match checked_file_type(&declared, &bytes) {
                    Ok(t) => evidence.content_type = Some(t.into()),
                    Err(problem) => c.fail("file", &problem),
                }
                evidence.file_name = Some(if name.is_empty() { "evidence".into() } else { name });
                evidence.size_bytes = Some(bytes.len() as i64);
                evidence.sha256 = Some(hex::encode(sha2::Sha256::digest(&bytes)));
                content = Some(bytes);
            }
        },
    }
    c.finish()?;
    let mut tx = store.write().await?;
    let control = find(&mut *tx, id).await?;
    may_add_evidence(actor, &control)?;
    tx.insert_evidence(&evidence, content.as_deref()).await?;
    tx.audit(AuditRecord::new(actor, now, "evidence.add", "control", id, None::<&()>, Some(&evidence)));
    plan_renewal(&mut *tx, &control, now).await?;
    tx.commit().await?;
    Ok(evidence)
}

/// The declared content type, if allowed and matching the content; else what is wrong.
fn checked_file_type(declared: &str, bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(format!("the file is larger than {} MiB", MAX_EVIDENCE_BYTES / (1024 * 1024)));
    }
    let declared = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some((t, magic)) = FILE_TYPES.iter().find(|(t, _)| *t == declared) else {
        let allowed: Vec<&str> = FILE_TYPES.iter().map(|(t, _)| *t).collect();
        return Err(format!("{declared} files are not accepted; send one of {}", allowed.join(", ")));
    };
    let matches =
        if magic.is_empty() { std::str::from_utf8(bytes).is_ok() } else { magic.iter().any(|m| bytes.starts_with(m)) };
    if !matches {
        return Err(format!("the content is not {t}"));
    }
    Ok(t)
}

/// An evidence file's record and content.
pub async fn evidence_file(store: &dyn Store, actor: &Actor, id: EvidenceId) -> CoreResult<(Evidence, Vec<u8>)> {
    let mut r = store.read().await?;
    let (evidence, bytes) = r.evidence_content(id).await?.ok_or(CoreError::NotFound)?;
    if !actor.can(Permission::ViewCompliance) {
        let control = r.find_record(&CONTROL, &evidence.control_id.to_string()).await?;
        if !control.is_some_and(|c| owned_by(actor, &c)) {
            return Err(CoreError::NotFound);
        }
    }
    Ok((evidence, bytes))
}

/// The owner's task to renew the control's evidence, due when its newest evidence expires.
async fn plan_renewal(tx: &mut dyn Writer, control: &Record, now: Timestamp) -> CoreResult<()> {
    let subject = control.id.clone();
    tx.close_subject_tasks("evidence", CONTROL.kind, &subject, now).await?;
    let Ok(id) = subject.parse::<ControlId>() else { return Ok(()) };
    let newest = tx.control_evidence(id).await?.into_iter().map(|e| e.expires_at).max();
    let owner = control.value("owner").as_id().and_then(|o| o.parse().ok());
    let implemented = control.value("status").plain() == ControlStatus::Implemented.as_str();
    if let (Some(owner), Some(due), true) = (owner, newest, implemented) {
        tx.insert_task(&Task {
            id: format!("evidence:control/{subject}/{}:{owner}", crate::time_util::to_micros(due)),
            kind: "evidence".into(),
            assignee_person_id: owner,
            subject_type: CONTROL.kind.into(),
            subject_id: subject.clone(),
            title: format!("Renew the evidence of “{}”", control.name()),
            due_at: due,
            state: "open".into(),
            done_at: None,
            created_at: now,
        })
        .await?;
    }
    Ok(())
}
