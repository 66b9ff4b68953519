//! Vulnerability disclosure (SPEC §3.10): outsiders report vulnerabilities through a public
//! form without an account; the reporter gets a secret link (only its SHA-256 is stored) to
//! follow the report and exchange messages with the security team, who are told of new
//! reports and messages on their channels and whose replies are e-mailed to the reporter.
//! The team triages: status, a CVSS vector (scored by `cvss`), a disclosure deadline (90 days
//! unless configured, with reminders 30 and 7 days before), a CVE id, the advisory text for
//! later publication and the credit the reporter asked for.
//!
//! The settings also make `/.well-known/security.txt` (RFC 9116): its `Expires` is computed
//! from the clock at every request, so it is renewed automatically and never in the past.

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::ReportId;
use crate::list::{FilterKind, FilterSpec, KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::notify::personal_email;
use crate::organisation::people::string_enum;
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use crate::version::check_version;
use serde::{Deserialize, Serialize};
use time::Duration;

string_enum!(ReportStatus {
    New = "new" / "New",
    Triaged = "triaged" / "Triaged",
    Accepted = "accepted" / "Accepted",
    Duplicate = "duplicate" / "Duplicate",
    NotApplicable = "not-applicable" / "Not applicable",
    Fixed = "fixed" / "Fixed",
    Disclosed = "disclosed" / "Disclosed",
});

impl ReportStatus {
    /// Whether the report still waits for a fix or a decision (its deadline matters).
    pub fn is_open(self) -> bool {
        matches!(self, Self::New | Self::Triaged | Self::Accepted)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnReport {
    pub id: ReportId,
    pub title: String,
    pub description: String,
    /// The product, URL or component affected, as the reporter says.
    pub affected: String,
    pub reporter_name: String,
    /// Where replies are e-mailed (optional: the secret link works without it).
    pub reporter_email: String,
    pub status: ReportStatus,
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    pub severity: Option<String>,
    /// When the vulnerability is disclosed, fixed or not.
    pub deadline_on: time::Date,
    pub cve_id: String,
    /// The advisory to publish once fixed.
    pub advisory: String,
    /// How the reporter is to be credited.
    pub credit: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// One message on a report, from the reporter or the team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportMessage {
    pub id: String,
    pub report_id: ReportId,
    pub from_reporter: bool,
    /// The team member's label, or "Reporter".
    pub author: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

/// What the public form sends.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Submission {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub affected: String,
    #[serde(default)]
    pub reporter_name: String,
    #[serde(default)]
    pub reporter_email: String,
    /// A field people never see: a form that fills it is a bot's.
    #[serde(default)]
    pub website: String,
}

/// The team's triage of a report.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TriageInput {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub cvss_vector: String,
    #[serde(default)]
    pub deadline_on: String,
    #[serde(default)]
    pub cve_id: String,
    #[serde(default)]
    pub advisory: String,
    #[serde(default)]
    pub credit: String,
    #[serde(default)]
    pub version: Option<String>,
}

/// The instance's disclosure policy and what `security.txt` says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosureSettings {
    /// `mailto:` or `https:` addresses, one per line (the report form is always listed).
    pub contacts: String,
    pub policy_url: String,
    /// e.g. "en, de"
    pub preferred_languages: String,
    pub encryption_url: String,
    pub acknowledgments_url: String,
    /// `Expires` is this many days from the moment `security.txt` is served.
    pub expires_days: i64,
    /// A new report's disclosure deadline, in days.
    pub deadline_days: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsInput {
    #[serde(default)]
    pub contacts: String,
    #[serde(default)]
    pub policy_url: String,
    #[serde(default)]
    pub preferred_languages: String,
    #[serde(default)]
    pub encryption_url: String,
    #[serde(default)]
    pub acknowledgments_url: String,
    #[serde(default)]
    pub expires_days: String,
    #[serde(default)]
    pub deadline_days: String,
    #[serde(default)]
    pub version: Option<String>,
}

pub const LIST: ListSpec = ListSpec {
    filters: &[FilterSpec {
        name: "status",
        label: "status",
        kind: FilterKind::Choice(&["new", "triaged", "accepted", "duplicate", "not-applicable", "fixed", "disclosed"]),
    }],
    sorts: &[
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
        SortSpec { name: "deadline", label: "Deadline", key: KeyType::Text },
        SortSpec { name: "title", label: "Title", key: KeyType::Text },
    ],
    searchable: true,
    columns: &["id", "title", "affected", "status", "cvss_vector", "cvss_score", "deadline_on", "cve_id", "created_at"],
};

impl VulnReport {
    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.title.clone(),
            self.affected.clone(),
            self.status.as_str().into(),
            self.cvss_vector.clone().unwrap_or_default(),
            self.cvss_score.map(|s| s.to_string()).unwrap_or_default(),
            self.deadline_on.to_string(),
            self.cve_id.clone(),
            crate::time_util::rfc3339(self.created_at),
        ]
    }

    pub fn deadline_passed(&self, today: &time::Date) -> bool {
        self.status.is_open() && self.deadline_on < *today
    }
}

pub fn search_text(r: &VulnReport) -> String {
    format!("{} {} {} {}", r.title, r.affected, r.cve_id, r.reporter_name).to_lowercase()
}

/// How many messages the holder of one report's secret link may send per hour.
pub const REPORTER_MESSAGES_PER_HOUR: i64 = 10;

/// The limit on messages sent through one secret link (known by its hash only).
pub fn reporter_message_limits(secret: &str) -> Vec<crate::throttle::Limit> {
    let key = format!("report-messages:{}", crate::identity::accounts::sha256_hex(secret));
    vec![crate::throttle::Limit { key, max: REPORTER_MESSAGES_PER_HOUR, window: Duration::hours(1) }]
}

/// How many reports one address may send per hour.
pub const REPORTS_PER_HOUR: i64 = 5;

/// The throttle on reports from one address.
pub fn report_limits(addr: Option<std::net::IpAddr>) -> Vec<crate::throttle::Limit> {
    let key = format!("vulnerability-report:{}", addr.map(|a| a.to_string()).unwrap_or_default());
    vec![crate::throttle::Limit { key, max: REPORTS_PER_HOUR, window: Duration::hours(1) }]
}

/// The largest report or message.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// How many days before its deadline the team is reminded of an open report.
pub const DEADLINE_REMINDERS: [i64; 2] = [30, 7];

/// Takes a report from the public form: checks it, stores it with the hash of a new secret,
/// tells the security channels, and returns the report and the secret (shown once). A
/// filled-in honeypot is refused like any bad field, and nothing is stored.
pub async fn submit(store: &dyn Store, now: Timestamp, input: &Submission) -> CoreResult<(VulnReport, String)> {
    let mut c = Checks::new();
    if !input.website.trim().is_empty() {
        return Err(CoreError::invalid("form", "could not be accepted"));
    }
    let title = c.text("title", &input.title, 200);
    let description = c.document("description", &input.description, MAX_TEXT_CHARS);
    let affected = c.optional_line("affected", &input.affected, 500);
    let reporter_name = c.optional_line("reporter_name", &input.reporter_name, 200);
    let reporter_email = if input.reporter_email.trim().is_empty() {
        String::new()
    } else {
        c.email("reporter_email", &input.reporter_email)
    };
    c.finish()?;
    let secret = crate::identity::accounts::random_secret(32);
    let mut tx = store.write().await?;
    let settings = tx.disclosure_settings().await?;
    let report = VulnReport {
        id: ReportId::new(),
        title,
        description,
        affected,
        reporter_name,
        reporter_email,
        status: ReportStatus::New,
        cvss_vector: None,
        cvss_score: None,
        severity: None,
        deadline_on: now.date() + Duration::days(settings.deadline_days),
        cve_id: String::new(),
        advisory: String::new(),
        credit: String::new(),
        created_at: now,
        updated_at: now,
    };
    tx.insert_report(&report, &crate::identity::accounts::sha256_hex(&secret)).await?;
    if !report.reporter_email.is_empty() {
        ask_to_confirm(&mut *tx, now, &report).await?;
    }
    schedule_deadline(&mut *tx, now, &report).await?;
    let subject = format!("Vulnerability reported: {}", report.title);
    let body = format!("A vulnerability was reported: {}. {{base}}/vulnerability-reports/{}", report.title, report.id);
    crate::notify::enqueue(&mut *tx, now, &REPORTED, &subject, &body).await?;
    let actor = Actor::system("reporter");
    tx.audit(AuditRecord::new(
        &actor,
        now,
        "vulnerability.report",
        "vulnerability",
        report.id,
        None::<&()>,
        Some(&report),
    ));
    tx.commit().await?;
    Ok((report, secret))
}

/// The reminders 30 and 7 days before the deadline (those still ahead).
async fn schedule_deadline(tx: &mut dyn Writer, now: Timestamp, report: &VulnReport) -> CoreResult<()> {
    for days in DEADLINE_REMINDERS {
        let due = report.deadline_on.midnight().assume_utc() - Duration::days(days);
        if due > now {
            let key = format!("{}/{}/{days}", report.id, report.deadline_on);
            crate::scheduler::schedule(tx, now, &DEADLINE, &key, due).await?;
        }
    }
    Ok(())
}

/// The report a secret link opens, with its messages (oldest first). An unknown secret is
/// not found.
pub async fn track(store: &dyn Store, secret: &str) -> CoreResult<(VulnReport, Vec<ReportMessage>)> {
    let mut r = store.read().await?;
    let id = r.report_by_secret(&crate::identity::accounts::sha256_hex(secret)).await?.ok_or(CoreError::NotFound)?;
    let report = r.get_report(id).await?;
    // The reporter sees the team as one, never a member's name or address.
    let messages = r.report_messages(id).await?;
    let messages = messages
        .into_iter()
        .map(|m| if m.from_reporter { m } else { ReportMessage { author: "Security team".into(), ..m } })
        .collect();
    Ok((report, messages))
}

fn message_body(c: &mut Checks, body: &str) -> String {
    c.document("body", body, MAX_TEXT_CHARS)
}

/// Sends the one mail that goes to an address nobody confirmed yet: fixed text (nothing the
/// reporter typed) and a link that confirms it. Replies are mailed only once it was followed,
/// so the public form cannot make the instance write to arbitrary addresses.
async fn ask_to_confirm(tx: &mut dyn Writer, now: Timestamp, report: &VulnReport) -> CoreResult<()> {
    let token = crate::identity::accounts::random_secret(32);
    tx.expect_report_email_confirmation(report.id, &crate::identity::accounts::sha256_hex(&token)).await?;
    let body = format!(
        "Someone reported a vulnerability to the security team at {{base}} and gave this address for replies. \
         If it was you, confirm it: {{base}}/report-vulnerability/confirm/{token}\n\
         If it was not, ignore this message: nothing more will be sent to you."
    );
    let subject = "Confirm your address for your vulnerability report".to_string();
    let id = format!("vulnerability-confirm:{}", report.id);
    tx.insert_outbox(&personal_email(id, &report.reporter_email, "vulnerability.confirm", subject, body, now)).await?;
    Ok(())
}

/// The reporter followed the confirmation link: the team's replies are mailed from now on.
pub async fn confirm_reporter_email(store: &dyn Store, now: Timestamp, token: &str) -> CoreResult<()> {
    let mut tx = store.write().await?;
    let id = tx
        .confirm_report_email(&crate::identity::accounts::sha256_hex(token), now)
        .await?
        .ok_or(CoreError::NotFound)?;
    let actor = Actor::system("reporter");
    tx.audit(AuditRecord::new(
        &actor,
        now,
        "vulnerability.email_confirm",
        "vulnerability",
        id,
        None::<&()>,
        None::<&()>,
    ));
    tx.commit().await?;
    Ok(())
}

/// The reporter writes to the team through the secret link; the team's channels are told.
pub async fn reporter_message(
    store: &dyn Store,
    now: Timestamp,
    secret: &str,
    body: &str,
) -> CoreResult<ReportMessage> {
    let mut c = Checks::new();
    let body = message_body(&mut c, body);
    let mut tx = store.write().await?;
    let id = tx.report_by_secret(&crate::identity::accounts::sha256_hex(secret)).await?.ok_or(CoreError::NotFound)?;
    c.finish()?;
    let report = tx.get_report(id).await?;
    let message = ReportMessage {
        id: uuid::Uuid::now_v7().to_string(),
        report_id: id,
        from_reporter: true,
        author: "Reporter".into(),
        body,
        created_at: now,
    };
    tx.insert_report_message(&message).await?;
    let subject = format!("New message on the vulnerability report {}", report.title);
    let text = format!("The reporter wrote about {}. {{base}}/vulnerability-reports/{id}", report.title);
    crate::notify::enqueue(&mut *tx, now, &MESSAGE_RECEIVED, &subject, &text).await?;
    let actor = Actor::system("reporter");
    tx.audit(AuditRecord::new(&actor, now, "vulnerability.message", "vulnerability", id, None::<&()>, Some(&message)));
    tx.commit().await?;
    Ok(message)
}

/// The team replies; the reporter is e-mailed (without the secret link, which only they hold)
/// if they confirmed their address; otherwise the reply waits behind the secret link.
pub async fn team_message(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: ReportId,
    body: &str,
) -> CoreResult<ReportMessage> {
    actor.require(Permission::HandleVulnerabilities)?;
    let mut c = Checks::new();
    let body = message_body(&mut c, body);
    c.finish()?;
    let mut tx = store.write().await?;
    let report = tx.get_report(id).await?;
    let message = ReportMessage {
        id: uuid::Uuid::now_v7().to_string(),
        report_id: id,
        from_reporter: false,
        author: actor.label.clone(),
        body,
        created_at: now,
    };
    tx.insert_report_message(&message).await?;
    if !report.reporter_email.is_empty() && tx.report_email_confirmed(id).await? {
        let body = format!(
            "The security team replied to your report \"{}\". Read it with the link you were given when you reported it.",
            report.title
        );
        let subject = format!("Reply to your vulnerability report: {}", report.title);
        let id = format!("vulnerability-reply:{}", message.id);
        tx.insert_outbox(&personal_email(id, &report.reporter_email, "vulnerability.reply", subject, body, now))
            .await?;
    }
    tx.audit(AuditRecord::new(actor, now, "vulnerability.reply", "vulnerability", id, None::<&()>, Some(&message)));
    tx.commit().await?;
    Ok(message)
}

/// Records the team's triage: status, CVSS vector (scored), deadline, CVE id, advisory, credit.
pub async fn triage(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: ReportId,
    input: &TriageInput,
) -> CoreResult<VulnReport> {
    actor.require(Permission::HandleVulnerabilities)?;
    let mut tx = store.write().await?;
    let before = tx.get_report(id).await?;
    let mut c = Checks::new();
    let status = c.choice("status", &input.status, before.status, ReportStatus::parse, &ReportStatus::choices());
    let vector = input.cvss_vector.trim();
    let scored = match vector {
        "" => None,
        v => match crate::incidents::cvss::score(v) {
            Ok(s) => Some(s),
            Err(message) => {
                c.fail("cvss_vector", &message);
                None
            }
        },
    };
    let deadline_on = c.optional_date("deadline_on", &input.deadline_on, before.deadline_on);
    let cve_id = c.optional_line("cve_id", &input.cve_id, 40).to_uppercase();
    if !cve_id.is_empty() && !is_cve_id(&cve_id) {
        c.fail("cve_id", "must look like CVE-2026-12345");
    }
    let advisory = c.optional_text("advisory", &input.advisory, MAX_TEXT_CHARS);
    let credit = c.optional_line("credit", &input.credit, 200);
    c.finish()?;
    check_version(input.version.as_deref(), before.updated_at, "this report")?;
    let after = VulnReport {
        status,
        cvss_vector: scored.as_ref().map(|s| s.vector.clone()),
        cvss_score: scored.as_ref().map(|s| s.score.unwrap_or(s.base_score)),
        severity: scored
            .as_ref()
            .map(|s| crate::incidents::cvss::severity(s.score.unwrap_or(s.base_score)).to_string()),
        deadline_on,
        cve_id,
        advisory,
        credit,
        updated_at: now,
        ..before.clone()
    };
    tx.update_report(&before, &after).await?;
    if after.deadline_on != before.deadline_on {
        schedule_deadline(&mut *tx, now, &after).await?;
    }
    tx.audit(AuditRecord::new(actor, now, "vulnerability.triage", "vulnerability", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// `CVE-YYYY-NNNN…` (four or more digits after the year).
fn is_cve_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    matches!(parts.as_slice(), ["CVE", year, number]
        if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
            && number.len() >= 4 && number.bytes().all(|b| b.is_ascii_digit()))
}

pub async fn get(store: &dyn Store, actor: &Actor, id: ReportId) -> CoreResult<(VulnReport, Vec<ReportMessage>)> {
    actor.require(Permission::ViewVulnerabilities)?;
    let mut r = store.read().await?;
    let report = r.get_report(id).await?;
    Ok((report, r.report_messages(id).await?))
}

pub async fn list(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<VulnReport>> {
    actor.require(Permission::ViewVulnerabilities)?;
    Ok(store.read().await?.list_reports(query).await?)
}

/// The settings (public: `security.txt` and the report form show them).
pub async fn settings(store: &dyn Store) -> CoreResult<DisclosureSettings> {
    Ok(store.read().await?.disclosure_settings().await?)
}

fn url_field(c: &mut Checks, field: &str, raw: &str) -> String {
    let v = c.optional_line(field, raw, 500);
    if !v.is_empty() && !v.starts_with("https://") {
        c.fail(field, "must be an https:// address");
    }
    v
}

pub async fn update_settings(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    input: &SettingsInput,
) -> CoreResult<DisclosureSettings> {
    actor.require(Permission::ManageSettings)?;
    let mut tx = store.write().await?;
    let before = tx.disclosure_settings().await?;
    let mut c = Checks::new();
    let contacts = c.optional_text("contacts", &input.contacts, 2_000);
    let contacts: Vec<&str> = contacts.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    for contact in &contacts {
        let ok = contact.starts_with("https://")
            || contact.strip_prefix("mailto:").is_some_and(crate::validate::is_email)
            || contact.strip_prefix("tel:").is_some_and(|t| !t.is_empty());
        if !ok || contact.chars().any(char::is_whitespace) {
            c.fail("contacts", &format!("{contact} must be a mailto:, tel: or https:// address"));
        }
    }
    let policy_url = url_field(&mut c, "policy_url", &input.policy_url);
    let encryption_url = url_field(&mut c, "encryption_url", &input.encryption_url);
    let acknowledgments_url = url_field(&mut c, "acknowledgments_url", &input.acknowledgments_url);
    let preferred_languages = c.optional_line("preferred_languages", &input.preferred_languages, 200);
    let languages_ok = preferred_languages
        .split(',')
        .map(str::trim)
        .all(|l| l.is_empty() || (l.len() <= 35 && l.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')));
    if !languages_ok {
        c.fail("preferred_languages", "must be language tags separated by commas, such as en, de");
    }
    let expires_days = c.optional_number("expires_days", &input.expires_days, 1..=365).unwrap_or(before.expires_days);
    let deadline_days =
        c.optional_number("deadline_days", &input.deadline_days, 1..=730).unwrap_or(before.deadline_days);
    c.finish()?;
    check_version(input.version.as_deref(), before.updated_at, "the disclosure settings")?;
    let after = DisclosureSettings {
        contacts: contacts.join("\n"),
        policy_url,
        preferred_languages,
        encryption_url,
        acknowledgments_url,
        expires_days,
        deadline_days,
        updated_at: now,
    };
    tx.update_disclosure_settings(&before, &after).await?;
    tx.audit(AuditRecord::new(
        actor,
        now,
        "disclosure.settings",
        "settings",
        "disclosure",
        Some(&before),
        Some(&after),
    ));
    tx.commit().await?;
    Ok(after)
}

/// The text of `/.well-known/security.txt` (RFC 9116) at `now`, for an instance reached at
/// `base`: the configured contacts and the report form, an `Expires` `expires_days` ahead,
/// and the optional fields that are set.
pub fn security_txt(s: &DisclosureSettings, base: &str, now: Timestamp) -> String {
    let form = format!("{base}/report-vulnerability");
    let mut lines: Vec<String> = s.contacts.lines().map(|c| format!("Contact: {c}")).collect();
    lines.push(format!("Contact: {form}"));
    let expires = (now + Duration::days(s.expires_days)).replace_nanosecond(0).unwrap_or(now);
    lines.push(format!("Expires: {}", crate::time_util::rfc3339(expires)));
    for (field, value) in [("Encryption", &s.encryption_url), ("Acknowledgments", &s.acknowledgments_url)] {
        if !value.is_empty() {
            lines.push(format!("{field}: {value}"));
        }
    }
    if !s.preferred_languages.is_empty() {
        lines.push(format!("Preferred-Languages: {}", s.preferred_languages));
    }
    lines.push(format!("Canonical: {base}/.well-known/security.txt"));
    lines.push(format!("Policy: {}", if s.policy_url.is_empty() { &form } else { &s.policy_url }));
    lines.join("\n") + "\n"
}

/// Reminds the team of an open report whose deadline comes (job `vulnerability.deadline`).
/// A week before a report's disclosure deadline: the channels are told if it is still open.
pub static DEADLINE: crate::scheduler::JobKind = crate::scheduler::JobKind {
    name: "vulnerability.deadline",
    subject_type: "vulnerability",
    run: |tx, _, job, now| Box::pin(remind_deadline(tx, &job.subject_id, now)),
    needs_checkpoint_key: false,
    event: Some(&DEADLINE_NEAR),
};

pub static REPORTED: crate::notify::Event =
    crate::notify::Event { name: "vulnerability.report", summary: "A vulnerability is reported" };

pub static MESSAGE_RECEIVED: crate::notify::Event =
    crate::notify::Event { name: "vulnerability.message", summary: "A reporter writes about their report" };

pub static DEADLINE_NEAR: crate::notify::Event =
    crate::notify::Event { name: "vulnerability.deadline", summary: "A report's disclosure deadline nears" };

async fn remind_deadline(tx: &mut dyn Writer, subject_id: &str, now: Timestamp) -> CoreResult<serde_json::Value> {
    let mut parts = subject_id.split('/');
    let (id, deadline) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let report = tx.get_report(id.parse().map_err(|_| CoreError::NotFound)?).await?;
    if !report.status.is_open() || report.deadline_on.to_string() != deadline {
        return Ok(serde_json::json!({ "skipped": "the report is closed or its deadline moved" }));
    }
    let subject = format!("Disclosure deadline on {}: {}", report.deadline_on, report.title);
    let body = format!(
        "The vulnerability report {} is disclosed on {} and still {}. {{base}}/vulnerability-reports/{}",
        report.title,
        report.deadline_on,
        report.status.label().to_lowercase(),
        report.id
    );
    crate::notify::enqueue(tx, now, &DEADLINE_NEAR, &subject, &body).await?;
    Ok(serde_json::json!({ "reminded": report.id.to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_txt_lists_contacts_and_expires_ahead_of_the_clock() {
        let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap();
        let s = DisclosureSettings {
            contacts: "mailto:security@example.com".into(),
            policy_url: String::new(),
            preferred_languages: "en, de".into(),
            encryption_url: "https://example.com/pgp.asc".into(),
            acknowledgments_url: String::new(),
            expires_days: 180,
            deadline_days: 90,
            updated_at: now,
        };
        let text = security_txt(&s, "https://isms.example.com", now);
        assert_eq!(
            text,
            "Contact: mailto:security@example.com\nContact: https://isms.example.com/report-vulnerability\n\
             Expires: 2027-05-17T11:06:40Z\nEncryption: https://example.com/pgp.asc\nPreferred-Languages: en, de\n\
             Canonical: https://isms.example.com/.well-known/security.txt\n\
             Policy: https://isms.example.com/report-vulnerability\n"
        );
    }

    #[test]
    fn cve_ids_have_a_year_and_four_or_more_digits() {
        assert!(is_cve_id("CVE-2026-1234") && is_cve_id("CVE-2026-1234567"));
        assert!(!is_cve_id("CVE-26-1234") && !is_cve_id("CVE-2026-123") && !is_cve_id("GHSA-2026-1234"));
    }
}
