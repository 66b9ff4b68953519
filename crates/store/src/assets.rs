//! The asset inventory: its list (with the names of owner, custodian and assignee), lookups
//! and writes.

use bulwark_core::StoreError;
use bulwark_core::assets::{Asset, AssetKind, AssetPeople, AssetStatus, Classification, PersonRef, search_text};
use bulwark_core::ids::AssetId;
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::rows::{Columns, corrupt, int, opt_text, parsed, text};
use crate::write::{map_err, update_unchanged};

const SELECT: &str = "a.id, a.name, a.kind, a.classification, a.status, a.owner_id, a.custodian_id, a.assigned_to, \
     a.identifier, a.description, a.created_at, a.updated_at, o.name AS owner_name, o.email AS owner_email, \
     c.name AS custodian_name, c.email AS custodian_email, u.name AS assignee_name, u.email AS assignee_email";
const FROM: &str = "assets a LEFT JOIN people o ON o.id = a.owner_id LEFT JOIN people c ON c.id = a.custodian_id \
     LEFT JOIN people u ON u.id = a.assigned_to";

const TABLE: Table = Table {
    columns: SELECT,
    from: FROM,
    count_from: "assets a",
    id: "a.id",
    filters: &[
        ("kind", "a.kind"),
        ("classification", "a.classification"),
        ("status", "a.status"),
        ("owner_id", "a.owner_id"),
        ("assigned_to", "a.assigned_to"),
        // The department of the person it is assigned to (a department head's view).
        ("assigned_department", "(SELECT p.department_id FROM people p WHERE p.id = a.assigned_to)"),
    ],
    sorts: &[("name", "a.name"), ("kind", "a.kind"), ("status", "a.status"), ("created", "a.created_at")],
    search: Some(("a.search_text", Some(("assets_fts", "a.rowid")))),
    total: Some("(SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM row_counts WHERE name = 'assets')"),
};

/// A column holding one of a fixed set of values.
fn choice<T>(r: &dyn Columns, col: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    let v = text(r, col)?;
    parse(&v).ok_or_else(|| corrupt(col, &v))
}

/// A joined person: id from `id_column`, name and e-mail from `{role}_name`, `{role}_email`.
fn person_ref(r: &dyn Columns, role: &str, id_column: &str) -> Result<Option<PersonRef>, StoreError> {
    let Some(id) = opt_text(r, id_column)? else { return Ok(None) };
    let id = id.parse().map_err(|_| corrupt(id_column, &id))?;
    Ok(Some(PersonRef { id, name: text(r, &format!("{role}_name"))?, email: text(r, &format!("{role}_email"))? }))
}

fn row(r: &dyn Columns) -> Result<Asset, StoreError> {
    let person = |col: &str| -> Result<Option<_>, StoreError> {
        opt_text(r, col)?.map(|v| v.parse().map_err(|_| corrupt(col, &v))).transpose()
    };
    Ok(Asset {
        id: parsed(r, "id")?,
        name: text(r, "name")?,
        kind: choice(r, "kind", AssetKind::parse)?,
        classification: choice(r, "classification", Classification::parse)?,
        status: choice(r, "status", AssetStatus::parse)?,
        owner_id: person("owner_id")?,
        custodian_id: person("custodian_id")?,
        assigned_to: person("assigned_to")?,
        identifier: text(r, "identifier")?,
        description: text(r, "description")?,
        names: AssetPeople {
            owner: person_ref(r, "owner", "owner_id")?,
            custodian: person_ref(r, "custodian", "custodian_id")?,
            assignee: person_ref(r, "assignee", "assigned_to")?,
        },
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<Asset>, StoreError> {
    list::page(conn, reads, &TABLE, query, row).await
}

pub(crate) async fn find(conn: &mut AnyConnection, id: AssetId) -> Result<Option<Asset>, StoreError> {
    let found = sqlx::query(&format!("SELECT {SELECT} FROM {FROM} WHERE a.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    found.as_ref().map(|r| row(r)).transpose()
}

pub(crate) async fn insert(conn: &mut AnyConnection, a: &Asset) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO assets (id, name, kind, classification, status, owner_id, custodian_id, assigned_to, identifier, \
         description, search_text, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(a.id.to_string())
    .bind(&a.name)
    .bind(a.kind.as_str())
    .bind(a.classification.as_str())
    .bind(a.status.as_str())
    .bind(a.owner_id.map(|p| p.to_string()))
    .bind(a.custodian_id.map(|p| p.to_string()))
    .bind(a.assigned_to.map(|p| p.to_string()))
    .bind(&a.identifier)
    .bind(&a.description)
    .bind(search_text(a))
    .bind(to_micros(a.created_at))
    .bind(to_micros(a.updated_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn update(conn: &mut AnyConnection, before: &Asset, after: &Asset) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE assets SET name = $1, kind = $2, classification = $3, status = $4, owner_id = $5, custodian_id = $6, \
         assigned_to = $7, identifier = $8, description = $9, search_text = $10, updated_at = $11 \
         WHERE id = $12 AND updated_at = $13",
    )
    .bind(&after.name)
    .bind(after.kind.as_str())
    .bind(after.classification.as_str())
    .bind(after.status.as_str())
    .bind(after.owner_id.map(|p| p.to_string()))
    .bind(after.custodian_id.map(|p| p.to_string()))
    .bind(after.assigned_to.map(|p| p.to_string()))
    .bind(&after.identifier)
    .bind(&after.description)
    .bind(search_text(after))
    .bind(to_micros(after.updated_at));
    update_unchanged(conn, update, after.id.to_string(), before.updated_at, "this asset").await
}

pub(crate) async fn assigned_to(
    conn: &mut AnyConnection,
    person: bulwark_core::ids::PersonId,
) -> Result<Vec<Asset>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {SELECT} FROM {FROM} WHERE a.assigned_to = $1 ORDER BY a.name, a.id"))
        .bind(person.to_string())
        .fetch_all(conn)
        .await
        .map_err(map_err)?;
    rows.iter().map(|r| row(r)).collect()
}
