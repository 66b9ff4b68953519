//! Departments (the security team's areas are kit records).

use bulwark_core::StoreError;
use bulwark_core::ids::DepartmentId;
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::organisation::departments::Department;
use bulwark_core::time_util::to_micros;
use sqlx::AnyConnection;

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::native::{DepartmentNames, Kept, NativeReads};
use crate::rows::{self, DEPARTMENT_FROM, DEPARTMENT_SELECT};
use crate::write::{map_err, update_unchanged};

const DEPARTMENTS: Table = Table {
    columns: DEPARTMENT_SELECT,
    from: DEPARTMENT_FROM,
    count_from: "departments d",
    id: "d.id",
    filters: &[],
    sorts: &[
        ("name", "d.name"),
        ("people", "(SELECT COUNT(*) FROM people x WHERE x.department_id = d.id)"),
        ("created", "d.created_at"),
    ],
    search: None,
    total: None,
};

pub(crate) async fn departments(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<Department>, StoreError> {
    list::page(conn, reads, &DEPARTMENTS, query, rows::department).await
}

pub(crate) async fn department(conn: &mut AnyConnection, id: DepartmentId) -> Result<Option<Department>, StoreError> {
    let sql = format!("SELECT {DEPARTMENT_SELECT} FROM {DEPARTMENT_FROM} WHERE d.id = $1");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(conn).await.map_err(map_err)?;
    row.as_ref().map(|r| rows::department(r)).transpose()
}

pub(crate) async fn department_names(
    conn: &mut dyn Acquire,
    native: Option<&NativeReads>,
) -> Result<DepartmentNames, StoreError> {
    let kept = native.and_then(NativeReads::kept);
    let generation = match kept.map(Kept::department_names) {
        Some(Ok(names)) => return Ok(names),
        Some(Err(generation)) => Some(generation),
        None => None,
    };
    let names = list::fetch(conn, native, "SELECT id, name FROM departments ORDER BY name", &[], |r| {
        Ok((rows::parsed(r, "id")?, rows::text(r, "name")?))
    })
    .await?;
    if let (Some(kept), Some(generation)) = (kept, generation) {
        kept.keep_department_names(generation, &names);
    }
    Ok(names)
}

pub(crate) async fn insert_department(conn: &mut AnyConnection, d: &Department) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO departments (id, name, head_person_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(d.id.to_string())
    .bind(&d.name)
    .bind(d.head_person_id.map(|h| h.to_string()))
    .bind(to_micros(d.created_at))
    .bind(to_micros(d.updated_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn update_department(
    conn: &mut AnyConnection,
    before: &Department,
    after: &Department,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE departments SET name = $1, head_person_id = $2, updated_at = $3 WHERE id = $4 AND updated_at = $5",
    )
    .bind(&after.name)
    .bind(after.head_person_id.map(|h| h.to_string()))
    .bind(to_micros(after.updated_at));
    update_unchanged(conn, update, after.id.to_string(), before.updated_at, "this department").await
}
