//! People queries: filtered, sorted, paginated lists, lookups and audited writes.

use bulwark_core::StoreError;
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::organisation::departments::Department;
use bulwark_core::organisation::people::{Person, search_text};
use bulwark_core::time_util::to_micros;

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::native::NativeReads;
use crate::rows::{self, PERSON_FROM, PERSON_SELECT};
use crate::write::{map_err, update_unchanged};
use sqlx::AnyConnection;

/// The people list as the list engine reads it.
const TABLE: Table = Table {
    columns: PERSON_SELECT,
    from: PERSON_FROM,
    count_from: "people p",
    id: "p.id",
    filters: &[("department_id", "p.department_id"), ("kind", "p.kind"), ("status", "p.status")],
    sorts: &[
        ("name", "p.name"),
        ("email", "p.email"),
        ("department", "COALESCE(d.name, '')"),
        ("status", "p.status"),
        ("created", "p.created_at"),
    ],
    search: Some(("p.search_text", Some(("people_fts", "p.rowid")))),
    total: Some("(SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM row_counts WHERE name = 'people')"),
};

/// The people list without its department join, for when the department names are kept in
/// memory: looking each row's department up cost a third of PostgreSQL's work on a page.
const TABLE_WITHOUT_DEPARTMENTS: Table = Table {
    columns: "p.id, p.name, p.email, p.kind, p.department_id, CAST(NULL AS TEXT) AS department_name, p.status, \
              p.created_at, p.updated_at",
    from: "people p",
    sorts: &[("name", "p.name"), ("email", "p.email"), ("status", "p.status"), ("created", "p.created_at")],
    ..TABLE
};

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<Person>, StoreError> {
    let kept = reads.native.and_then(NativeReads::kept).and_then(|kept| kept.department_names().ok());
    if let Some(names) = kept
        && TABLE_WITHOUT_DEPARTMENTS.sorts.iter().any(|(name, _)| *name == query.sort.name)
    {
        let mut page = list::page(conn, reads, &TABLE_WITHOUT_DEPARTMENTS, query, rows::person).await?;
        let named = page.items.iter_mut().all(|person| match person.department_id {
            None => true,
            Some(id) => {
                person.department_name = names.iter().find(|(d, _)| *d == id).map(|(_, name)| name.clone());
                person.department_name.is_some()
            }
        });
        // A department created a moment ago by another instance may not be among the kept
        // names yet: such a page is read again with the join.
        if named {
            return Ok(page);
        }
    }
    list::page(conn, reads, &TABLE, query, rows::person).await
}

pub(crate) async fn by(conn: &mut AnyConnection, column: &str, value: String) -> Result<Option<Person>, StoreError> {
    let row = sqlx::query(&format!("SELECT {PERSON_SELECT} FROM {PERSON_FROM} WHERE p.{column} = $1"))
        .bind(value)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| rows::person(r)).transpose()
}

pub(crate) async fn update(conn: &mut AnyConnection, before: &Person, after: &Person) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE people SET name = $1, email = $2, kind = $3, department_id = $4, status = $5, updated_at = $6, \
         search_text = $7 WHERE id = $8 AND updated_at = $9",
    )
    .bind(&after.name)
    .bind(&after.email)
    .bind(after.kind.as_str())
    .bind(after.department_id.map(|d| d.to_string()))
    .bind(after.status.as_str())
    .bind(to_micros(after.updated_at))
    .bind(search_text(&after.name, &after.email));
    update_unchanged(&mut *conn, update, after.id.to_string(), before.updated_at, "this person").await?;
    // The login e-mail is the person's e-mail: one source of truth.
    sqlx::query("UPDATE accounts SET email = $1 WHERE person_id = $2")
        .bind(&after.email)
        .bind(after.id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn import_directory(
    conn: &mut AnyConnection,
    departments: &[Department],
    people: &[Person],
) -> Result<(), StoreError> {
    for d in departments {
        sqlx::query(
            "INSERT INTO departments (id, name, head_person_id, created_at, updated_at) VALUES ($1, $2, NULL, $3, $4)",
        )
        .bind(d.id.to_string())
        .bind(&d.name)
        .bind(to_micros(d.created_at))
        .bind(to_micros(d.updated_at))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    for p in people {
        insert(conn, p).await?;
    }
    for d in departments.iter().filter(|d| d.head_person_id.is_some()) {
        sqlx::query("UPDATE departments SET head_person_id = $1 WHERE id = $2")
            .bind(d.head_person_id.map(|h| h.to_string()))
            .bind(d.id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn insert(conn: &mut AnyConnection, p: &Person) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO people (id, name, email, kind, department_id, status, created_at, updated_at, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(p.id.to_string())
    .bind(&p.name)
    .bind(&p.email)
    .bind(p.kind.as_str())
    .bind(p.department_id.map(|d| d.to_string()))
    .bind(p.status.as_str())
    .bind(to_micros(p.created_at))
    .bind(to_micros(p.updated_at))
    .bind(search_text(&p.name, &p.email))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Fills `search_text` for people stored before it existed (derived data: not audited).
pub(crate) async fn backfill_search_text(conn: &mut AnyConnection) -> Result<(), StoreError> {
    let missing = sqlx::query("SELECT id, name, email FROM people WHERE search_text = ''")
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
    for row in missing {
        use sqlx::Row;
        let (id, name, email): (String, String, String) =
            (row.try_get(0).map_err(map_err)?, row.try_get(1).map_err(map_err)?, row.try_get(2).map_err(map_err)?);
        sqlx::query("UPDATE people SET search_text = $1 WHERE id = $2")
            .bind(search_text(&name, &email))
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}
