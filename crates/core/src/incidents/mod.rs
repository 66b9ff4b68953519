//! Security incidents (SPEC §3.9): reported by anyone with an account (and by chat bots and
//! mail gateways through the API), each category with guidance for the reporter; severity,
//! confidentiality / integrity / availability impact, and whether personal data is involved —
//! which starts the 72-hour clock for notifying the data protection authority, with reminders
//! at 24, 48 and 66 hours until the notification is recorded. The status moves forward through
//! reported → triaged → contained → eradicated → recovered → closed, and closing needs the
//! lessons learned. A timeline keeps every step and comment; people are added to the response,
//! given tasks, and the incident links to assets, people and risks.
//!
//! Visibility is restricted: the security team sees every incident, anyone else only those
//! they reported or were added to. A new incident notifies the channels routed
//! `incident.report`; the incident response plan (a policy chosen in the settings) is linked
//! from every incident.

pub mod cvss;
pub mod disclosure;

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{IncidentId, PersonId, PolicyId};
use crate::list::{FilterKind, FilterSpec, KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::organisation::authorities::AUTHORITY;
use crate::organisation::people::{person_field, string_enum};
use crate::policies::campaigns::Task;
use crate::records::{Record, Value};
use crate::store::{Reader, Store, Writer};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use serde::{Deserialize, Serialize};
use time::Duration;

string_enum!(Category {
    LostDevice = "lost-device" / "Lost or stolen device",
    SuspiciousLogin = "suspicious-login" / "Suspicious successful login",
    Malware = "malware" / "Malware",
    Ransomware = "ransomware" / "Ransomware",
    MisdirectedData = "misdirected-data" / "Misdirected data",
    LawEnforcement = "law-enforcement-request" / "Law-enforcement data request",
    PolicyViolation = "policy-violation" / "Policy violation",
    Other = "other" / "Other",
});

impl Category {
    /// What the reporter should tell and do, shown with the form.
    pub fn guidance(self) -> &'static str {
        match self {
            Self::LostDevice => {
                "Say which device (its asset tag or serial number), when and where you last had it, whether it was \
                 locked and encrypted, and what data or accounts were on it. Report theft to the police too."
            }
            Self::SuspiciousLogin => {
                "Say which account, when and from where the sign-in happened (the alert or e-mail you got helps), and \
                 change that account's password now if you can."
            }
            Self::Malware => {
                "Disconnect the device from the network (unplug it or turn off Wi-Fi) but leave it on. Say what you \
                 saw: messages, file names, what you opened before."
            }
            Self::Ransomware => {
                "Disconnect the device from the network at once and do not turn it off or pay anything. Say what the \
                 ransom note says and which files or shares are affected."
            }
            Self::MisdirectedData => {
                "Say what was sent, to whom and when, and whether it contained personal data. Ask the recipient to \
                 delete it and confirm in writing."
            }
            Self::LawEnforcement => {
                "Do not answer the request yourself. Say who made it, by which channel, what they ask for and by \
                 when; attach the request."
            }
            Self::PolicyViolation => "Say which policy, what happened, who was involved and when.",
            Self::Other => "Say what happened, when, and what might be affected.",
        }
    }
}

string_enum!(Severity {
    Low = "low" / "Low",
    Medium = "medium" / "Medium",
    High = "high" / "High",
    Critical = "critical" / "Critical",
});

string_enum!(Impact { None = "none" / "None", Low = "low" / "Low", High = "high" / "High" });

string_enum!(IncidentStatus {
    Reported = "reported" / "Reported",
    Triaged = "triaged" / "Triaged",
    Contained = "contained" / "Contained",
    Eradicated = "eradicated" / "Eradicated",
    Recovered = "recovered" / "Recovered",
    Closed = "closed" / "Closed",
});

/// How long after personal data is known to be involved the authority must be notified.
pub const AUTHORITY_DEADLINE: Duration = Duration::hours(72);
/// When the response team is reminded of the notification, counted from the clock's start.
pub const AUTHORITY_REMINDERS: [i64; 3] = [24, 48, 66];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: IncidentId,
    pub title: String,
    pub category: Category,
    pub description: String,
    /// The person who reported it (none for a bot or gateway reporting through the API).
    pub reporter_id: Option<PersonId>,
    /// Who reported it, as shown (a person's e-mail, a token's name).
    pub reporter_label: String,
    pub severity: Severity,
    pub confidentiality: Impact,
    pub integrity: Impact,
    pub availability: Impact,
    pub personal_data: bool,
    /// When personal data became known to be involved: the 72-hour clock's start.
    #[serde(with = "time::serde::rfc3339::option")]
    pub personal_data_since: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub authority_notified_at: Option<Timestamp>,
    pub status: IncidentStatus,
    pub lessons_learned: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

impl Incident {
    /// When the authority must have been told, while that is still owed.
    pub fn authority_due(&self) -> Option<Timestamp> {
        self.personal_data_since.filter(|_| self.authority_notified_at.is_none()).map(|t| t + AUTHORITY_DEADLINE)
    }

    /// Whole hours left on the clock at `now` (negative once overdue).
    pub fn hours_left(&self, now: &Timestamp) -> Option<i64> {
        self.authority_due().map(|due| (due - *now).whole_hours())
    }

    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.title.clone(),
            self.category.as_str().into(),
            self.severity.as_str().into(),
            self.status.as_str().into(),
            self.personal_data.to_string(),
            self.reporter_label.clone(),
            crate::time_util::rfc3339(self.created_at),
        ]
    }
}

/// One entry of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: String,
    pub incident_id: IncidentId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: Timestamp,
    pub author: String,
    /// reported, comment, status, update, member, link, task, authority
    pub kind: String,
    pub text: String,
}

/// A record the incident is linked to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// asset, person or risk
    pub kind: String,
    pub target_id: String,
    /// The record's name when it was linked.
    pub label: String,
}

/// An incident with its timeline (oldest first), the people added to it and its links.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentDetail {
    pub incident: Incident,
    pub events: Vec<Event>,
    /// (person, name) of the people added to the response.
    pub members: Vec<(PersonId, String)>,
    pub links: Vec<Link>,
    /// Who to contact outside: the authorities kept for its category, and the data
    /// protection authorities when personal data is involved (for its responders).
    pub contacts: Vec<Record>,
}

impl IncidentDetail {
    /// Whether the actor reported the incident or was added to it (and so adds to its timeline).
    pub fn involves(&self, actor: &Actor) -> bool {
        actor
            .person_id
            .is_some_and(|p| self.incident.reporter_id == Some(p) || self.members.iter().any(|(m, _)| *m == p))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub description: String,
    /// "on", "true" or "yes" when personal data is involved.
    #[serde(default)]
    pub personal_data: String,
}

/// The response team's assessment.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssessmentInput {
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub confidentiality: String,
    #[serde(default)]
    pub integrity: String,
    #[serde(default)]
    pub availability: String,
    #[serde(default)]
    pub personal_data: String,
}

pub const LIST: ListSpec = ListSpec {
    filters: &[
        FilterSpec {
            name: "status",
            label: "status",
            kind: FilterKind::Choice(&["reported", "triaged", "contained", "eradicated", "recovered", "closed"]),
        },
        FilterSpec {
            name: "category",
            label: "category",
            kind: FilterKind::Choice(&[
                "lost-device",
                "suspicious-login",
                "malware",
                "ransomware",
                "misdirected-data",
                "law-enforcement-request",
                "policy-violation",
                "other",
            ]),
        },
        FilterSpec {
            name: "severity",
            label: "severity",
            kind: FilterKind::Choice(&["low", "medium", "high", "critical"]),
        },
    ],
    sorts: &[
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
        SortSpec { name: "title", label: "Title", key: KeyType::Text },
    ],
    searchable: true,
    columns: &["id", "title", "category", "severity", "status", "personal_data", "reporter", "created_at"],
};

pub fn search_text(i: &Incident) -> String {
    format!("{} {} {}", i.title, i.description, i.reporter_label).to_lowercase()
}

fn yes(v: &str) -> bool {
    matches!(v.trim(), "on" | "true" | "yes" | "1")
}

fn event(id: IncidentId, at: Timestamp, actor: &Actor, kind: &str, text: String) -> Event {
    Event {
        id: uuid::Uuid::now_v7().to_string(),
        incident_id: id,
        at,
        author: actor.label.clone(),
        kind: kind.into(),
        text,
    }
}

/// Schedules the authority reminders of a clock started at `since`.
async fn start_clock(tx: &mut dyn Writer, now: Timestamp, id: IncidentId, since: Timestamp) -> CoreResult<()> {
    for hours in AUTHORITY_REMINDERS {
        let key = format!("{id}/{hours}");
        crate::scheduler::schedule(tx, now, &AUTHORITY_DUE, &key, since + Duration::hours(hours)).await?;
    }
    Ok(())
}

/// Anyone signed in (or a token) reports an incident; the channels are told.
pub async fn report(store: &dyn Store, actor: &Actor, now: Timestamp, input: &ReportInput) -> CoreResult<Incident> {
    let mut c = Checks::new();
    let title = c.text("title", &input.title, 200);
    let category = c.choice("category", &input.category, Category::Other, Category::parse, &Category::choices());
    if input.category.trim().is_empty() {
        c.fail("category", &format!("is required: one of {}", Category::choices()));
    }
    let description = c.document("description", &input.description, 20_000);
    c.finish()?;
    let personal_data = yes(&input.personal_data);
    let incident = Incident {
        id: IncidentId::new(),
        title,
        category,
        description,
        reporter_id: actor.person_id,
        reporter_label: actor.label.clone(),
        severity: Severity::Medium,
        confidentiality: Impact::None,
        integrity: Impact::None,
        availability: Impact::None,
        personal_data,
        personal_data_since: personal_data.then_some(now),
        authority_notified_at: None,
        status: IncidentStatus::Reported,
        lessons_learned: String::new(),
        created_at: now,
        updated_at: now,
    };
    let mut tx = store.write().await?;
    tx.insert_incident(&incident).await?;
    let text = format!("{}: {}", category.label(), incident.title);
    tx.insert_incident_event(&event(incident.id, now, actor, "reported", text)).await?;
    if personal_data {
        start_clock(&mut *tx, now, incident.id, now).await?;
    }
    let subject = format!("Incident reported: {}", incident.title);
    let body = format!(
        "{} reported an incident ({}): {}. {{base}}/incidents/{}",
        actor.label,
        category.label(),
        incident.title,
        incident.id
    );
    crate::notify::enqueue(&mut *tx, now, &REPORTED, &subject, &body).await?;
    tx.audit(AuditRecord::new(actor, now, "incident.report", "incident", incident.id, None::<&()>, Some(&incident)));
    tx.commit().await?;
    Ok(incident)
}

/// Whether the actor may see the incident: the security team and auditors, its reporter, its
/// members.
async fn may_see(tx: &mut dyn crate::store::Reader, actor: &Actor, i: &Incident) -> CoreResult<bool> {
    Ok(actor.can(Permission::ViewIncidents) || is_involved(tx, actor, i).await?)
}

/// Whether the actor reported the incident or was added to it.
async fn is_involved(tx: &mut dyn crate::store::Reader, actor: &Actor, i: &Incident) -> CoreResult<bool> {
    let Some(person) = actor.person_id else { return Ok(false) };
    Ok(i.reporter_id == Some(person) || tx.incident_members(i.id).await?.iter().any(|(p, _)| *p == person))
}

/// The incident, if the actor may see it (otherwise it is not found).
pub async fn get(store: &dyn Store, actor: &Actor, id: IncidentId) -> CoreResult<IncidentDetail> {
    let mut r = store.read().await?;
    let incident = r.get_incident(id).await?;
    if !may_see(&mut *r, actor, &incident).await? {
        return Err(CoreError::NotFound);
    }
    let contacts = match actor.can(Permission::HandleIncidents) {
        true => contacts_for(&mut *r, &incident).await?,
        false => vec![],
    };
    Ok(IncidentDetail {
        contacts,
        events: r.incident_events(id).await?,
        members: r.incident_members(id).await?,
        links: r.incident_links(id).await?,
        incident,
    })
}

/// The incidents the actor may see: every one for the security team, else those they
/// reported or were added to.
pub async fn list(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Incident>> {
    let mut r = store.read().await?;
    if actor.can(Permission::ViewIncidents) {
        return Ok(r.list_incidents(query).await?);
    }
    let Some(person) = actor.person_id else {
        return Ok(ListPage { items: vec![], total: 0, next: None });
    };
    let items = r.incidents_of(person).await?;
    Ok(ListPage { total: items.len() as u64, items, next: None })
}

/// Loads an incident for a change by the response team, in the operation's transaction.
async fn for_change(tx: &mut dyn Writer, actor: &Actor, id: IncidentId) -> CoreResult<Incident> {
    let incident = tx.get_incident(id).await?;
    if !actor.can(Permission::HandleIncidents) {
        return Err(if may_see(&mut *tx, actor, &incident).await? {
            CoreError::Forbidden("responding to incidents needs the security role".into())
        } else {
            CoreError::NotFound
        });
    }
    Ok(incident)
}

/// Records the assessment; marking personal data involved starts the 72-hour clock.
pub async fn assess(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: IncidentId,
    input: &AssessmentInput,
) -> CoreResult<Incident> {
    let mut tx = store.write().await?;
    let before = for_change(&mut *tx, actor, id).await?;
    let mut c = Checks::new();
    let severity = c.choice("severity", &input.severity, before.severity, Severity::parse, &Severity::choices());
    let impact = |c: &mut Checks, field: &str, raw: &str, current: Impact| {
        c.choice(field, raw, current, Impact::parse, &Impact::choices())
    };
    let confidentiality = impact(&mut c, "confidentiality", &input.confidentiality, before.confidentiality);
    let integrity = impact(&mut c, "integrity", &input.integrity, before.integrity);
    let availability = impact(&mut c, "availability", &input.availability, before.availability);
    c.finish()?;
    let personal_data = yes(&input.personal_data);
    let personal_data_since = match (personal_data, before.personal_data_since) {
        (true, None) => Some(now),
        (true, since) => since,
        (false, _) => None,
    };
    let after = Incident {
        severity,
        confidentiality,
        integrity,
        availability,
        personal_data,
        personal_data_since,
        updated_at: now,
        ..before.clone()
    };
    tx.update_incident(&before, &after).await?;
    if personal_data && before.personal_data_since.is_none() {
        start_clock(&mut *tx, now, id, now).await?;
    }
    let text = format!(
        "Assessed: severity {}, confidentiality {}, integrity {}, availability {}{}",
        severity.label().to_lowercase(),
        confidentiality.as_str(),
        integrity.as_str(),
        availability.as_str(),
        if personal_data { ", personal data involved" } else { "" }
    );
    tx.insert_incident_event(&event(id, now, actor, "update", text)).await?;
    tx.audit(AuditRecord::new(actor, now, "incident.assess", "incident", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// Moves the incident forward; closing needs the lessons learned.
pub async fn advance(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: IncidentId,
    to: &str,
    lessons_learned: &str,
) -> CoreResult<Incident> {
    let mut tx = store.write().await?;
    let before = for_change(&mut *tx, actor, id).await?;
    let mut c = Checks::new();
    let to = c.choice("status", to, before.status, IncidentStatus::parse, &IncidentStatus::choices());
    let lessons = c.optional_text("lessons_learned", lessons_learned, 20_000);
    let position = |s: IncidentStatus| IncidentStatus::ALL.iter().position(|x| *x == s);
    if c.is_valid_so_far("status") && position(to) <= position(before.status) {
        c.fail(
            "status",
            &format!("must come after {} (an incident only moves forward)", before.status.label().to_lowercase()),
        );
    }
    if to == IncidentStatus::Closed && lessons.is_empty() {
        c.fail("lessons_learned", "are required to close an incident");
    }
    c.finish()?;
    let after = Incident {
        status: to,
        lessons_learned: if lessons.is_empty() { before.lessons_learned.clone() } else { lessons },
        updated_at: now,
        ..before.clone()
    };
    tx.update_incident(&before, &after).await?;
    let text = format!("{} → {}", before.status.label(), to.label());
    tx.insert_incident_event(&event(id, now, actor, "status", text)).await?;
    if to == IncidentStatus::Closed {
        tx.close_subject_tasks("incident", "incident", &id.to_string(), now).await?;
    }
    tx.audit(AuditRecord::new(actor, now, "incident.status", "incident", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// The authorities kept for the incident's category, and the data protection authorities
/// when personal data is involved.
async fn contacts_for(r: &mut dyn Reader, i: &Incident) -> CoreResult<Vec<Record>> {
    let mut wanted = vec![("incident_category", i.category.as_str())];
    if i.personal_data {
        wanted.push(("kind", "data-protection-authority"));
    }
    let mut found: Vec<Record> = Vec::new();
    for (filter, value) in wanted {
        let query = ListQuery { filters: vec![(filter, value.into())], ..AUTHORITY.list_spec().first_page(50) };
        for a in r.list_records(&AUTHORITY, &query).await?.items {
            if !found.iter().any(|f| f.id == a.id) {
                found.push(a);
            }
        }
    }
    Ok(found)
}

/// Records that an authority was notified, and which one (named by its name or id): it was
/// contacted today. Notifying stops a personal-data incident's 72-hour clock; for any other
/// incident (a law-enforcement request …) the authority must be named.
pub async fn record_authority_notified(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: IncidentId,
    authority: &str,
) -> CoreResult<Incident> {
    let mut tx = store.write().await?;
    let before = for_change(&mut *tx, actor, id).await?;
    let contacted = match authority.trim() {
        "" => None,
        typed => Some(named_authority(&mut *tx, typed).await?),
    };
    let clock = before.personal_data_since.is_some() && before.authority_notified_at.is_none();
    if !clock && contacted.is_none() {
        return Err(CoreError::clash(
            "authority",
            "is required: no notification is owed, name the authority contacted",
        ));
    }
    let mut after = before.clone();
    if clock {
        after = Incident { authority_notified_at: Some(now), updated_at: now, ..before.clone() };
        tx.update_incident(&before, &after).await?;
    }
    let text = match &contacted {
        Some(a) => format!("{} was notified", a.name()),
        None => "The data protection authority was notified".into(),
    };
    tx.insert_incident_event(&event(id, now, actor, "authority", text)).await?;
    if let Some(a) = contacted {
        let mut touched = Record { updated_at: now, ..a.clone() };
        touched.set("last_contacted_on", Value::Date(now.date()));
        tx.update_record(&a, &touched).await?;
        tx.audit(AuditRecord::new(actor, now, "authority.contacted", "authority", &a.id, Some(&a), Some(&touched)));
    }
    tx.audit(AuditRecord::new(actor, now, "incident.authority_notified", "incident", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

async fn named_authority(r: &mut dyn Reader, typed: &str) -> CoreResult<Record> {
    let found = r.find_named(AUTHORITY.target(), typed).await?;
    match found.as_slice() {
        [one] => r.find_record(&AUTHORITY, &one.id).await?.ok_or(CoreError::NotFound),
        [] => Err(CoreError::clash("authority", &format!("names no authority in the register: “{typed}”"))),
        _ => Err(CoreError::clash("authority", "fits several authorities: choose one from the list")),
    }
}

/// A comment on the timeline, by anyone who sees the incident.
pub async fn comment(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: IncidentId,
    text: &str,
) -> CoreResult<Event> {
    let mut c = Checks::new();
    let text = c.document("text", text, 20_000);
    c.finish()?;
    let mut tx = store.write().await?;
    let incident = tx.get_incident(id).await?;
    if !may_see(&mut *tx, actor, &incident).await? {
        return Err(CoreError::NotFound);
    }
    if !actor.can(Permission::HandleIncidents) && !is_involved(&mut *tx, actor, &incident).await? {
        return Err(CoreError::Forbidden("only the people involved add to an incident's timeline".into()));
    }
    let e = event(id, now, actor, "comment", text);
    tx.insert_incident_event(&e).await?;
    tx.audit(AuditRecord::new(actor, now, "incident.comment", "incident", id, None::<&()>, Some(&e)));
    tx.commit().await?;
    Ok(e)
}

/// Adds a person to the response: they see the incident from now on.
pub async fn add_member(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: IncidentId,
    person: &str,
) -> CoreResult<()> {
    let mut tx = store.write().await?;
    for_change(&mut *tx, actor, id).await?;
    let mut c = Checks::new();
    let found = person_field(&mut *tx, &mut c, "person", person).await?;
    if person.trim().is_empty() {
        c.fail("person", "is required: an e-mail address or id");
    }
    c.finish()?;
    let Some(person) = found else { return Err(CoreError::invalid("person", "is required")) };
    let name = tx.get_person(person).await?.name;
    tx.add_incident_member(id, person).await?;
    tx.insert_incident_event(&event(id, now, actor, "member", format!("{name} was added to the response"))).await?;
    let record = serde_json::json!({ "person": person, "name": name });
    tx.audit(AuditRecord::new(actor, now, "incident.member", "incident", id, None::<&()>, Some(&record)));
    tx.commit().await?;
    Ok(())
}

/// Links the incident to an asset, a person or a risk (by name, as `pick` reads it, or id).
pub async fn link(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: IncidentId,
    kind: &str,
    target: &str,
) -> CoreResult<Link> {
    let mut tx = store.write().await?;
    for_change(&mut *tx, actor, id).await?;
    let mut c = Checks::new();
    let (target, label) = match kind {
        "asset" => match crate::pick::asset(&mut *tx, &mut c, "target", target).await? {
            Some(a) => (a.to_string(), tx.get_asset(a).await?.name),
            None => (String::new(), String::new()),
        },
        "person" => match crate::pick::person(&mut *tx, &mut c, "target", target).await? {
            Some(p) => (p.to_string(), tx.get_person(p).await?.name),
            None => (String::new(), String::new()),
        },
        "risk" => match crate::pick::risk(&mut *tx, &mut c, "target", target).await? {
            Some(r) => (r.to_string(), tx.get_risk(r).await?.title),
            None => (String::new(), String::new()),
        },
        _ => return Err(CoreError::invalid("kind", "must be asset, person or risk")),
    };
    if target.is_empty() && c.is_valid_so_far("target") {
        c.fail("target", &format!("is required: the {kind}'s name or id"));
    }
    c.finish()?;
    let link = Link { kind: kind.into(), target_id: target, label };
    tx.insert_incident_link(id, &link).await?;
    tx.insert_incident_event(&event(id, now, actor, "link", format!("Linked to the {kind} {}", link.label))).await?;
    tx.audit(AuditRecord::new(actor, now, "incident.link", "incident", id, None::<&()>, Some(&link)));
    tx.commit().await?;
    Ok(link)
}

/// Gives someone a task in the response (closed when the incident closes, or when done).
/// The assignee of an incident task (or a responder) marks it done with a note; the
/// incident's timeline shows it.
/// `of`: the incident the caller expects the task to be of (the API names it in the path).
pub async fn complete_task(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    (task_id, of): (&str, Option<IncidentId>),
    note: &str,
) -> CoreResult<Task> {
    let mut c = Checks::new();
    let note = c.optional_text("note", note, 2000);
    if task_id.trim().is_empty() {
        c.fail("task", "is required");
    }
    c.finish()?;
    let mut tx = store.write().await?;
    let task = tx.find_task(task_id).await?.filter(|t| t.kind == "incident").ok_or(CoreError::NotFound)?;
    if of.is_some_and(|incident| task.subject_id != incident.to_string()) {
        return Err(CoreError::NotFound);
    }
    let own = actor.person_id == Some(task.assignee_person_id);
    if !own && !actor.can(Permission::HandleIncidents) {
        return Err(CoreError::NotFound);
    }
    if task.state != "open" {
        return Err(CoreError::clash("task", "is done already"));
    }
    let done = Task { state: "done".into(), done_at: Some(now), ..task.clone() };
    tx.update_task(&task, &done).await?;
    let id: IncidentId = task.subject_id.parse().map_err(|_| CoreError::NotFound)?;
    let text = if note.is_empty() { format!("Done: {}", task.title) } else { format!("Done: {}. {note}", task.title) };
    tx.insert_incident_event(&event(id, now, actor, "task", text)).await?;
    let detail = serde_json::json!({ "task": &done, "note": note });
    tx.audit(AuditRecord::new(actor, now, "incident.task_done", "incident", id, Some(&task), Some(&detail)));
    tx.commit().await?;
    Ok(done)
}

pub async fn add_task(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: IncidentId,
    assignee: &str,
    title: &str,
    due_on: &str,
) -> CoreResult<Task> {
    let mut tx = store.write().await?;
    let incident = for_change(&mut *tx, actor, id).await?;
    let mut c = Checks::new();
    let title = c.text("title", title, 200);
    let assignee_id = person_field(&mut *tx, &mut c, "assignee", assignee).await?;
    if assignee.trim().is_empty() {
        c.fail("assignee", "is required: an e-mail address or id");
    }
    let due = c.optional_date("due_on", due_on, (now + Duration::days(1)).date());
    c.finish()?;
    let Some(assignee_id) = assignee_id else { return Err(CoreError::invalid("assignee", "is required")) };
    let task = Task {
        id: format!("incident:{id}/{}:{assignee_id}", uuid::Uuid::now_v7()),
        kind: "incident".into(),
        assignee_person_id: assignee_id,
        subject_type: "incident".into(),
        subject_id: id.to_string(),
        title: format!("{title} ({})", incident.title),
        due_at: due.midnight().assume_utc(),
        state: "open".into(),
        done_at: None,
        created_at: now,
    };
    tx.insert_task(&task).await?;
    // Whoever does a task of the response sees the incident.
    tx.add_incident_member(id, assignee_id).await?;
    tx.insert_incident_event(&event(id, now, actor, "task", format!("Task: {title}"))).await?;
    tx.audit(AuditRecord::new(actor, now, "incident.task", "incident", id, None::<&()>, Some(&task)));
    tx.commit().await?;
    Ok(task)
}

/// The incident response plan (a policy) every incident links to, if one is chosen.
pub async fn response_plan(store: &dyn Store) -> CoreResult<Option<(PolicyId, String)>> {
    let mut r = store.read().await?;
    let Some(id) = r.incident_plan().await? else { return Ok(None) };
    Ok(r.find_policy(id).await?.map(|p| (p.id, p.title)))
}

/// Chooses the incident response plan (admins).
pub async fn set_response_plan(store: &dyn Store, actor: &Actor, now: Timestamp, policy: &str) -> CoreResult<()> {
    actor.require(Permission::ManageSettings)?;
    let mut tx = store.write().await?;
    let id = match policy.trim().parse::<PolicyId>() {
        Ok(id) if tx.find_policy(id).await?.is_some() => id,
        _ => return Err(CoreError::invalid("policy_id", "must be the id of a policy")),
    };
    tx.set_incident_plan(id).await?;
    let record = serde_json::json!({ "policy": id });
    tx.audit(AuditRecord::new(actor, now, "incident.plan", "settings", "incidents", None::<&()>, Some(&record)));
    tx.commit().await?;
    Ok(())
}

/// The reminder of an owed notification (job `incident.authority_due`): the channels are told
/// unless the authority was notified meanwhile or personal data is no longer involved.
/// 24, 48 and 66 hours after personal data became known to be involved: the channels are
/// reminded that the authority must be notified within 72 hours.
pub static AUTHORITY_DUE: crate::scheduler::JobKind = crate::scheduler::JobKind {
    name: "incident.authority_due",
    subject_type: "incident",
    run: |tx, _, job, now| Box::pin(remind_authority(tx, &job.subject_id, now)),
    needs_checkpoint_key: false,
    event: Some(&AUTHORITY_NOTICE_DUE),
};

pub static REPORTED: crate::notify::Event =
    crate::notify::Event { name: "incident.report", summary: "An incident is reported" };

pub static AUTHORITY_NOTICE_DUE: crate::notify::Event = crate::notify::Event {
    name: "incident.authority_due",
    summary: "An incident's notification to the authority falls due",
};

async fn remind_authority(tx: &mut dyn Writer, subject_id: &str, now: Timestamp) -> CoreResult<serde_json::Value> {
    let (id, hours) = subject_id.split_once('/').unwrap_or((subject_id, ""));
    let incident = tx.get_incident(id.parse().map_err(|_| CoreError::NotFound)?).await?;
    let Some(due) = incident.authority_due() else {
        return Ok(serde_json::json!({ "skipped": "no notification is owed" }));
    };
    let left = (due - now).whole_hours();
    let subject = format!("{left} hours left to notify the authority: {}", incident.title);
    let body = format!(
        "Personal data is involved in the incident {} ({hours} hours since it was known). Notify the data protection \
         authority by {}. {{base}}/incidents/{}",
        incident.title,
        crate::time_util::rfc3339(due),
        incident.id
    );
    crate::notify::enqueue(tx, now, &AUTHORITY_NOTICE_DUE, &subject, &body).await?;
    Ok(serde_json::json!({ "hours_left": left }))
}
