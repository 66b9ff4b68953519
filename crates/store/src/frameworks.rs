//! Frameworks: the catalog row, its groups and its requirements. Saving a known catalog
//! deletes its groups and requirements and writes the new ones, in the caller's transaction;
//! rows are inserted in batches (one statement per hundred), so a 1,000-control catalog is a
//! handful of round trips.

use bulwark_core::StoreError;
use bulwark_core::compliance::frameworks::oscal::{ControlRow, GroupRow};
use bulwark_core::compliance::frameworks::{Framework, FrameworkContent};
use bulwark_core::ids::FrameworkId;
use bulwark_core::time_util::{from_micros, to_micros};
use serde_json::Value;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::rows::{Columns, int, opt_int, opt_text, parsed, text};
use crate::write::map_err;

const COLUMNS: &str =
    "id, catalog_uuid, title, version, oscal_version, control_count, group_count, built_in, created_at, updated_at";

fn framework_row(r: &dyn Columns) -> Result<Framework, StoreError> {
    Ok(Framework {
        id: parsed(r, "id")?,
        catalog_uuid: text(r, "catalog_uuid")?,
        title: text(r, "title")?,
        version: text(r, "version")?,
        oscal_version: text(r, "oscal_version")?,
        control_count: int(r, "control_count")?,
        group_count: int(r, "group_count")?,
        built_in: text(r, "built_in")? == "yes",
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

fn json(r: &dyn Columns, col: &str) -> Result<Value, StoreError> {
    let t = text(r, col)?;
    serde_json::from_str(&t).map_err(|_| crate::rows::corrupt(col, &t))
}

pub(crate) async fn by_uuid(conn: &mut AnyConnection, uuid: &str) -> Result<Option<Framework>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM frameworks WHERE catalog_uuid = $1"))
        .bind(uuid.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| framework_row(r)).transpose()
}

pub(crate) async fn by_id(conn: &mut AnyConnection, id: FrameworkId) -> Result<Option<Framework>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM frameworks WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| framework_row(r)).transpose()
}

pub(crate) async fn list(conn: &mut AnyConnection) -> Result<Vec<Framework>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM frameworks ORDER BY title, id"))
        .fetch_all(conn)
        .await
        .map_err(map_err)?;
    rows.iter().map(|r| framework_row(r)).collect()
}

pub(crate) async fn content(conn: &mut AnyConnection, id: FrameworkId) -> Result<Option<FrameworkContent>, StoreError> {
    let Some(row) = sqlx::query(&format!("SELECT {COLUMNS}, catalog_json FROM frameworks WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
    else {
        return Ok(None);
    };
    let framework = framework_row(&row)?;
    let rest = json(&row, "catalog_json")?;
    let (groups, controls) = rows(conn, id, true).await?;
    Ok(Some(FrameworkContent { framework, rest, groups, controls }))
}

/// A framework's groups and requirements in document order; their OSCAL JSON only when
/// `with_bodies` (else `Value::Null`: lists and coverage need titles and order alone).
pub(crate) async fn rows(
    conn: &mut AnyConnection,
    id: FrameworkId,
    with_bodies: bool,
) -> Result<(Vec<GroupRow>, Vec<ControlRow>), StoreError> {
    let body = if with_bodies { "body_json" } else { "CAST(NULL AS TEXT) AS body_json" };
    let body_of = |r: &AnyRow| -> Result<Value, StoreError> {
        match opt_text(r, "body_json")? {
            Some(t) => serde_json::from_str(&t).map_err(|_| crate::rows::corrupt("body_json", &t)),
            None => Ok(Value::Null),
        }
    };
    let groups = sqlx::query(&format!(
        "SELECT position, parent_position, group_id, title, label, {body} FROM framework_groups \
         WHERE framework_id = $1 ORDER BY position"
    ))
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(GroupRow {
            position: int(r, "position")?,
            parent_position: opt_int(r, "parent_position")?,
            group_id: opt_text(r, "group_id")?,
            title: text(r, "title")?,
            label: opt_text(r, "label")?,
            body: body_of(r)?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let controls = sqlx::query(&format!(
        "SELECT control_id, position, group_position, parent_control, depth, label, title, {body} FROM requirements \
         WHERE framework_id = $1 ORDER BY position"
    ))
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(ControlRow {
            control_id: text(r, "control_id")?,
            position: int(r, "position")?,
            group_position: opt_int(r, "group_position")?,
            parent_control: opt_text(r, "parent_control")?,
            depth: int(r, "depth")?,
            label: opt_text(r, "label")?,
            title: text(r, "title")?,
            body: body_of(r)?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((groups, controls))
}

/// Writes a framework with its content; `replace`: it exists, and its old content goes.
pub(crate) async fn put(conn: &mut AnyConnection, c: &FrameworkContent, replace: bool) -> Result<(), StoreError> {
    let f = &c.framework;
    let id = f.id.to_string();
    if replace {
        for table in ["requirements", "framework_groups"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE framework_id = $1"))
                .bind(id.clone())
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
        }
        sqlx::query(
            "UPDATE frameworks SET title = $1, version = $2, oscal_version = $3, catalog_json = $4, control_count = $5, \
             group_count = $6, built_in = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&f.title)
        .bind(&f.version)
        .bind(&f.oscal_version)
        .bind(c.rest.to_string())
        .bind(f.control_count)
        .bind(f.group_count)
        .bind(if f.built_in { "yes" } else { "no" })
        .bind(to_micros(f.updated_at))
        .bind(id.clone())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    } else {
        sqlx::query(
            "INSERT INTO frameworks (id, catalog_uuid, title, version, oscal_version, catalog_json, control_count, \
             group_count, built_in, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id.clone())
        .bind(&f.catalog_uuid)
        .bind(&f.title)
        .bind(&f.version)
        .bind(&f.oscal_version)
        .bind(c.rest.to_string())
        .bind(f.control_count)
        .bind(f.group_count)
        .bind(if f.built_in { "yes" } else { "no" })
        .bind(to_micros(f.created_at))
        .bind(to_micros(f.updated_at))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for chunk in c.groups.chunks(100) {
        let values = placeholders(chunk.len(), 7);
        let sql = format!(
            "INSERT INTO framework_groups (framework_id, position, parent_position, group_id, title, label, body_json) VALUES {values}"
        );
        let mut q = sqlx::query(&sql);
        for g in chunk {
            q = q
                .bind(id.clone())
                .bind(g.position)
                .bind(g.parent_position)
                .bind(g.group_id.clone())
                .bind(g.title.clone())
                .bind(g.label.clone())
                .bind(g.body.to_string());
        }
        q.execute(&mut *conn).await.map_err(map_err)?;
    }
    for chunk in c.controls.chunks(100) {
        let values = placeholders(chunk.len(), 9);
        let sql = format!(
            "INSERT INTO requirements (framework_id, control_id, position, group_position, parent_control, depth, label, \
             title, body_json) VALUES {values}"
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(id.clone())
                .bind(r.control_id.clone())
                .bind(r.position)
                .bind(r.group_position)
                .bind(r.parent_control.clone())
                .bind(r.depth)
                .bind(r.label.clone())
                .bind(r.title.clone())
                .bind(r.body.to_string());
        }
        q.execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

/// `($1, …, $n), ($n+1, …)` for `rows` rows of `columns` values.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=columns).map(|c| format!("${}", r * columns + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}
