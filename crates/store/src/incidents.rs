//! Incidents: the list (the security team's, on the list engine) and a person's own (reported
//! or added to), lookups, writes, the timeline, members, links and the response plan setting.

use bulwark_core::StoreError;
use bulwark_core::ids::{IncidentId, PersonId, PolicyId};
use bulwark_core::incidents::{Category, Event, Impact, Incident, IncidentStatus, Link, Severity, search_text};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::rows::{Columns, all, corrupt, int, opt_int, opt_parsed, opt_text, parsed, text};
use crate::write::{AnyQuery, insert_sql, map_err, update_sql, update_unchanged};

const SELECT: &str = "i.id, i.title, i.category, i.description, i.reporter_id, i.reporter_label, i.severity, \
     i.confidentiality, i.integrity, i.availability, i.personal_data, i.personal_data_since, i.authority_notified_at, \
     i.status, i.lessons_learned, i.created_at, i.updated_at";

const TABLE: Table = Table {
    columns: SELECT,
    from: "incidents i",
    count_from: "incidents i",
    id: "i.id",
    filters: &[("status", "i.status"), ("category", "i.category"), ("severity", "i.severity")],
    sorts: &[("created", "i.created_at"), ("title", "i.title")],
    search: Some(("i.search_text", Some(("incidents_fts", "i.rowid")))),
    total: Some("(SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM row_counts WHERE name = 'incidents')"),
};

fn choice<T>(r: &dyn Columns, col: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    let v = text(r, col)?;
    parse(&v).ok_or_else(|| corrupt(col, &v))
}

fn row(r: &dyn Columns) -> Result<Incident, StoreError> {
    Ok(Incident {
        id: parsed(r, "id")?,
        title: text(r, "title")?,
        category: choice(r, "category", Category::parse)?,
        description: text(r, "description")?,
        reporter_id: opt_parsed(r, "reporter_id")?,
        reporter_label: text(r, "reporter_label")?,
        severity: choice(r, "severity", Severity::parse)?,
        confidentiality: choice(r, "confidentiality", Impact::parse)?,
        integrity: choice(r, "integrity", Impact::parse)?,
        availability: choice(r, "availability", Impact::parse)?,
        personal_data: int(r, "personal_data")? != 0,
        personal_data_since: opt_int(r, "personal_data_since")?.map(from_micros),
        authority_notified_at: opt_int(r, "authority_notified_at")?.map(from_micros),
        status: choice(r, "status", IncidentStatus::parse)?,
        lessons_learned: text(r, "lessons_learned")?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<Incident>, StoreError> {
    list::page(conn, reads, &TABLE, query, row).await
}

pub(crate) async fn of_person(conn: &mut AnyConnection, person: PersonId) -> Result<Vec<Incident>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {SELECT} FROM incidents i WHERE i.reporter_id = $1 \
         OR i.id IN (SELECT incident_id FROM incident_members WHERE person_id = $1) \
         ORDER BY i.created_at DESC, i.id DESC LIMIT 500"
    ))
    .bind(person.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    all(rows, row)
}

/// Incidents with personal data whose authority notification is still owed (a partial index
/// keeps this to the few that are).
pub(crate) async fn owing_notification(conn: &mut AnyConnection, limit: u32) -> Result<Vec<Incident>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {SELECT} FROM incidents i WHERE i.personal_data_since IS NOT NULL AND i.authority_notified_at IS NULL \
         ORDER BY i.personal_data_since, i.id LIMIT $1"
    ))
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    all(rows, row)
}

pub(crate) async fn find(conn: &mut AnyConnection, id: IncidentId) -> Result<Option<Incident>, StoreError> {
    let found = sqlx::query(&format!("SELECT {SELECT} FROM incidents i WHERE i.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    found.as_ref().map(|r| row(r)).transpose()
}

/// Binds the stored columns of an incident after its id, in `COLUMNS` order.
fn bind_columns<'q>(query: AnyQuery<'q>, i: &Incident) -> AnyQuery<'q> {
    query
        .bind(i.title.clone())
        .bind(i.category.as_str())
        .bind(i.description.clone())
        .bind(i.reporter_id.map(|p| p.to_string()))
        .bind(i.reporter_label.clone())
        .bind(i.severity.as_str())
        .bind(i.confidentiality.as_str())
        .bind(i.integrity.as_str())
        .bind(i.availability.as_str())
        .bind(i64::from(i.personal_data))
        .bind(i.personal_data_since.map(to_micros))
        .bind(i.authority_notified_at.map(to_micros))
        .bind(i.status.as_str())
        .bind(i.lessons_learned.clone())
        .bind(search_text(i))
        .bind(to_micros(i.updated_at))
}

const COLUMNS: [&str; 16] = [
    "title",
    "category",
    "description",
    "reporter_id",
    "reporter_label",
    "severity",
    "confidentiality",
    "integrity",
    "availability",
    "personal_data",
    "personal_data_since",
    "authority_notified_at",
    "status",
    "lessons_learned",
    "search_text",
    "updated_at",
];

pub(crate) async fn insert(conn: &mut AnyConnection, i: &Incident) -> Result<(), StoreError> {
    let sql = insert_sql("incidents", &COLUMNS);
    bind_columns(sqlx::query(&sql), i)
        .bind(to_micros(i.created_at))
        .bind(i.id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn update(conn: &mut AnyConnection, before: &Incident, after: &Incident) -> Result<(), StoreError> {
    let sql = update_sql("incidents", &COLUMNS);
    update_unchanged(
        conn,
        bind_columns(sqlx::query(&sql), after),
        after.id.to_string(),
        before.updated_at,
        "this incident",
    )
    .await
}

pub(crate) async fn events(conn: &mut AnyConnection, id: IncidentId) -> Result<Vec<Event>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, incident_id, at, author, kind, text FROM incident_events WHERE incident_id = $1 ORDER BY at, id",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    all(rows, |r| {
        Ok(Event {
            id: text(r, "id")?,
            incident_id: parsed(r, "incident_id")?,
            at: from_micros(int(r, "at")?),
            author: text(r, "author")?,
            kind: text(r, "kind")?,
            text: text(r, "text")?,
        })
    })
}

pub(crate) async fn insert_event(conn: &mut AnyConnection, e: &Event) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO incident_events (id, incident_id, at, author, kind, text) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(e.id.clone())
    .bind(e.incident_id.to_string())
    .bind(to_micros(e.at))
    .bind(e.author.clone())
    .bind(e.kind.clone())
    .bind(e.text.clone())
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn members(conn: &mut AnyConnection, id: IncidentId) -> Result<Vec<(PersonId, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.person_id, p.name FROM incident_members m JOIN people p ON p.id = m.person_id \
         WHERE m.incident_id = $1 ORDER BY p.name, p.id",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    all(rows, |r| Ok((parsed(r, "person_id")?, text(r, "name")?)))
}

pub(crate) async fn add_member(conn: &mut AnyConnection, id: IncidentId, person: PersonId) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO incident_members (incident_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(id.to_string())
        .bind(person.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn links(conn: &mut AnyConnection, id: IncidentId) -> Result<Vec<Link>, StoreError> {
    let rows =
        sqlx::query("SELECT kind, target_id, label FROM incident_links WHERE incident_id = $1 ORDER BY kind, label")
            .bind(id.to_string())
            .fetch_all(conn)
            .await
            .map_err(map_err)?;
    all(rows, |r| Ok(Link { kind: text(r, "kind")?, target_id: text(r, "target_id")?, label: text(r, "label")? }))
}

pub(crate) async fn insert_link(conn: &mut AnyConnection, id: IncidentId, link: &Link) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO incident_links (incident_id, kind, target_id, label) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(id.to_string())
    .bind(link.kind.clone())
    .bind(link.target_id.clone())
    .bind(link.label.clone())
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn plan(conn: &mut AnyConnection) -> Result<Option<PolicyId>, StoreError> {
    let r = sqlx::query("SELECT plan_policy_id FROM incident_settings WHERE id = 1")
        .fetch_one(conn)
        .await
        .map_err(map_err)?;
    opt_text(&r, "plan_policy_id")?.map(|v| v.parse().map_err(|_| corrupt("plan_policy_id", &v))).transpose()
}

pub(crate) async fn set_plan(conn: &mut AnyConnection, policy: PolicyId) -> Result<(), StoreError> {
    sqlx::query("UPDATE incident_settings SET plan_policy_id = $1 WHERE id = 1")
        .bind(policy.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}
