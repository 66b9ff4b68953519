//! People queries: filtered, sorted, paginated lists, lookups and audited writes.

use bulwark_core::StoreError;
use bulwark_core::org::Department;
use bulwark_core::page::{PageRequest, Paged, SortDir};
use bulwark_core::people::{PeopleFilter, PeopleSort, Person};
use bulwark_core::time_util::to_micros;
use sqlx::Row;

use crate::rows::{self, PERSON_COLUMNS};
use crate::write::{map_err, update_unchanged};
use sqlx::AnyConnection;

const PEOPLE_WHERE: &str = "($1 = '' OR LOWER(p.name) LIKE $1 ESCAPE '\\' OR LOWER(p.email) LIKE $1 ESCAPE '\\') \
     AND ($2 = '' OR p.department_id = $2) AND ($3 = '' OR p.kind = $3) AND ($4 = '' OR p.status = $4)";

/// `%text%` for LIKE, with the user's own wildcards taken literally.
pub(crate) fn like_pattern(q: Option<&str>) -> String {
    match q.map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => {
            let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            format!("%{escaped}%")
        }
        None => String::new(),
    }
}

pub(crate) async fn list(
    conn: &mut AnyConnection,
    f: &PeopleFilter,
    page: PageRequest,
) -> Result<Paged<Person>, StoreError> {
    let pattern = like_pattern(f.q.as_deref());
    let dept = f.department_id.map(|d| d.to_string()).unwrap_or_default();
    let kind = f.kind.map(|k| k.as_str()).unwrap_or_default();
    let status = f.status.map(|s| s.as_str()).unwrap_or_default();
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM people p WHERE {PEOPLE_WHERE}"))
        .bind(&pattern)
        .bind(&dept)
        .bind(kind)
        .bind(status)
        .fetch_one(&mut *conn)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(map_err)?;
    let column = match f.sort {
        PeopleSort::Name => "p.name",
        PeopleSort::Email => "p.email",
        PeopleSort::Department => "d.name",
        PeopleSort::Status => "p.status",
        PeopleSort::Created => "p.created_at",
    };
    let dir = if f.dir == SortDir::Desc { "DESC" } else { "ASC" };
    let sql =
        format!("SELECT {PERSON_COLUMNS} WHERE {PEOPLE_WHERE} ORDER BY {column} {dir}, p.id {dir} LIMIT $5 OFFSET $6");
    let found = sqlx::query(&sql)
        .bind(&pattern)
        .bind(&dept)
        .bind(kind)
        .bind(status)
        .bind(page.limit().min(i64::from(u32::MAX)))
        .bind(page.offset())
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(Paged { items: rows::all(found, rows::person)?, total: total as u64, page: page.page, per_page: page.per_page })
}

pub(crate) async fn by(conn: &mut AnyConnection, column: &str, value: String) -> Result<Option<Person>, StoreError> {
    let row = sqlx::query(&format!("SELECT {PERSON_COLUMNS} WHERE p.{column} = $1"))
        .bind(value)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(rows::person).transpose()
}

pub(crate) async fn update(conn: &mut AnyConnection, before: &Person, after: &Person) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE people SET name = $1, email = $2, kind = $3, department_id = $4, status = $5, updated_at = $6 \
             WHERE id = $7 AND updated_at = $8",
    )
    .bind(&after.name)
    .bind(&after.email)
    .bind(after.kind.as_str())
    .bind(after.department_id.map(|d| d.to_string()))
    .bind(after.status.as_str())
    .bind(to_micros(after.updated_at));
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
        "INSERT INTO people (id, name, email, kind, department_id, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(p.id.to_string())
    .bind(&p.name)
    .bind(&p.email)
    .bind(p.kind.as_str())
    .bind(p.department_id.map(|d| d.to_string()))
    .bind(p.status.as_str())
    .bind(to_micros(p.created_at))
    .bind(to_micros(p.updated_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
