//! Vulnerability reports (looked up by id or by the SHA-256 of the reporter's secret link),
//! their messages, and the disclosure settings row.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::ids::ReportId;
use bulwark_core::incidents::disclosure::{DisclosureSettings, ReportMessage, ReportStatus, VulnReport, search_text};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::{AnyConnection, Row};

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::rows::{Columns, all, corrupt, date, int, opt_int, opt_text, parsed, text};
use crate::write::{map_err, update_unchanged};

const SELECT: &str = "v.id, v.title, v.description, v.affected, v.reporter_name, v.reporter_email, v.status, \
     v.cvss_vector, v.cvss_tenths, v.severity, v.deadline_on, v.cve_id, v.advisory, v.credit, v.created_at, v.updated_at";

const TABLE: Table = Table {
    columns: SELECT,
    from: "vuln_reports v",
    count_from: "vuln_reports v",
    id: "v.id",
    filters: &[("status", "v.status")],
    sorts: &[("created", "v.created_at"), ("deadline", "v.deadline_on"), ("title", "v.title")],
    // Hundreds of reports at most: scanned.
    search: Some(("v.search_text", None)),
    total: None,
};

/// A score (one decimal) as a whole number of tenths: stored exactly on every backend.
fn tenths(score: Option<f64>) -> Option<i64> {
    score.map(|s| (s * 10.0).round() as i64)
}

fn row(r: &dyn Columns) -> Result<VulnReport, StoreError> {
    let status = text(r, "status")?;
    Ok(VulnReport {
        id: parsed(r, "id")?,
        title: text(r, "title")?,
        description: text(r, "description")?,
        affected: text(r, "affected")?,
        reporter_name: text(r, "reporter_name")?,
        reporter_email: text(r, "reporter_email")?,
        status: ReportStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        cvss_vector: opt_text(r, "cvss_vector")?,
        cvss_score: opt_int(r, "cvss_tenths")?.map(|t| t as f64 / 10.0),
        severity: opt_text(r, "severity")?,
        deadline_on: date(r, "deadline_on")?,
        cve_id: text(r, "cve_id")?,
        advisory: text(r, "advisory")?,
        credit: text(r, "credit")?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<VulnReport>, StoreError> {
    list::page(conn, reads, &TABLE, query, row).await
}

pub(crate) async fn find(conn: &mut AnyConnection, id: ReportId) -> Result<Option<VulnReport>, StoreError> {
    let found = sqlx::query(&format!("SELECT {SELECT} FROM vuln_reports v WHERE v.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    found.as_ref().map(|r| row(r)).transpose()
}

pub(crate) async fn by_secret(conn: &mut AnyConnection, hash: &str) -> Result<Option<ReportId>, StoreError> {
    let found = sqlx::query("SELECT id FROM vuln_reports WHERE secret_hash = $1")
        .bind(hash)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    found.as_ref().map(|r| parsed(r, "id")).transpose()
}

pub(crate) async fn expect_email_confirmation(
    conn: &mut AnyConnection,
    id: ReportId,
    hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE vuln_reports SET email_confirm_hash = $1, email_confirmed_at = NULL WHERE id = $2")
        .bind(hash)
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn confirm_email(
    conn: &mut AnyConnection,
    hash: &str,
    at: Timestamp,
) -> Result<Option<ReportId>, StoreError> {
    let found = sqlx::query(
        "UPDATE vuln_reports SET email_confirmed_at = $1, email_confirm_hash = NULL \
         WHERE email_confirm_hash = $2 RETURNING id",
    )
    .bind(to_micros(at))
    .bind(hash)
    .fetch_optional(conn)
    .await
    .map_err(map_err)?;
    found.as_ref().map(|r| parsed(r, "id")).transpose()
}

pub(crate) async fn email_confirmed(conn: &mut AnyConnection, id: ReportId) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM vuln_reports WHERE id = $1 AND email_confirmed_at IS NOT NULL")
        .bind(id.to_string())
        .fetch_one(conn)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(map_err)?;
    Ok(n > 0)
}

pub(crate) async fn insert(conn: &mut AnyConnection, r: &VulnReport, secret_hash: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO vuln_reports (id, title, description, affected, reporter_name, reporter_email, secret_hash, status, \
         cvss_vector, cvss_tenths, severity, deadline_on, cve_id, advisory, credit, search_text, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(r.id.to_string())
    .bind(r.title.clone())
    .bind(r.description.clone())
    .bind(r.affected.clone())
    .bind(r.reporter_name.clone())
    .bind(r.reporter_email.clone())
    .bind(secret_hash)
    .bind(r.status.as_str())
    .bind(r.cvss_vector.clone())
    .bind(tenths(r.cvss_score))
    .bind(r.severity.clone())
    .bind(r.deadline_on.to_string())
    .bind(r.cve_id.clone())
    .bind(r.advisory.clone())
    .bind(r.credit.clone())
    .bind(search_text(r))
    .bind(to_micros(r.created_at))
    .bind(to_micros(r.updated_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// The team's fields: status, CVSS, deadline, CVE id, advisory and credit.
pub(crate) async fn update(
    conn: &mut AnyConnection,
    before: &VulnReport,
    after: &VulnReport,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE vuln_reports SET status = $1, cvss_vector = $2, cvss_tenths = $3, severity = $4, deadline_on = $5, \
         cve_id = $6, advisory = $7, credit = $8, search_text = $9, updated_at = $10 WHERE id = $11 AND updated_at = $12",
    )
    .bind(after.status.as_str())
    .bind(after.cvss_vector.clone())
    .bind(tenths(after.cvss_score))
    .bind(after.severity.clone())
    .bind(after.deadline_on.to_string())
    .bind(after.cve_id.clone())
    .bind(after.advisory.clone())
    .bind(after.credit.clone())
    .bind(search_text(after))
    .bind(to_micros(after.updated_at));
    update_unchanged(conn, update, after.id.to_string(), before.updated_at, "this report").await
}

pub(crate) async fn messages(conn: &mut AnyConnection, id: ReportId) -> Result<Vec<ReportMessage>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, report_id, from_reporter, author, body, created_at FROM vuln_messages WHERE report_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    all(rows, |r| {
        Ok(ReportMessage {
            id: text(r, "id")?,
            report_id: parsed(r, "report_id")?,
            from_reporter: int(r, "from_reporter")? != 0,
            author: text(r, "author")?,
            body: text(r, "body")?,
            created_at: from_micros(int(r, "created_at")?),
        })
    })
}

pub(crate) async fn insert_message(conn: &mut AnyConnection, m: &ReportMessage) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO vuln_messages (id, report_id, from_reporter, author, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(m.id.clone())
    .bind(m.report_id.to_string())
    .bind(i64::from(m.from_reporter))
    .bind(m.author.clone())
    .bind(m.body.clone())
    .bind(to_micros(m.created_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn settings(conn: &mut AnyConnection) -> Result<DisclosureSettings, StoreError> {
    let r = sqlx::query(
        "SELECT contacts, policy_url, preferred_languages, encryption_url, acknowledgments_url, expires_days, \
         deadline_days, updated_at FROM disclosure_settings WHERE id = 1",
    )
    .fetch_one(conn)
    .await
    .map_err(map_err)?;
    Ok(DisclosureSettings {
        contacts: text(&r, "contacts")?,
        policy_url: text(&r, "policy_url")?,
        preferred_languages: text(&r, "preferred_languages")?,
        encryption_url: text(&r, "encryption_url")?,
        acknowledgments_url: text(&r, "acknowledgments_url")?,
        expires_days: int(&r, "expires_days")?,
        deadline_days: int(&r, "deadline_days")?,
        updated_at: from_micros(int(&r, "updated_at")?),
    })
}

pub(crate) async fn update_settings(
    conn: &mut AnyConnection,
    before: &DisclosureSettings,
    after: &DisclosureSettings,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE disclosure_settings SET contacts = $1, policy_url = $2, preferred_languages = $3, encryption_url = $4, \
         acknowledgments_url = $5, expires_days = $6, deadline_days = $7, updated_at = $8 \
         WHERE CAST(id AS TEXT) = $9 AND updated_at = $10",
    )
    .bind(after.contacts.clone())
    .bind(after.policy_url.clone())
    .bind(after.preferred_languages.clone())
    .bind(after.encryption_url.clone())
    .bind(after.acknowledgments_url.clone())
    .bind(after.expires_days)
    .bind(after.deadline_days)
    .bind(to_micros(after.updated_at));
    update_unchanged(conn, update, "1".into(), before.updated_at, "the disclosure settings").await
}
