//! SCIM queries: people with what the identity provider said of them (`scim_users`),
//! departments as groups (`scim_groups`), and SCIM tokens. A person without a `scim_users`
//! row is a User whose userName is their e-mail address.

use bulwark_core::StoreError;
use bulwark_core::identity::scim::{Member, ScimDepartment, ScimPerson, ScimProfile, ScimToken};
use bulwark_core::ids::{DepartmentId, PersonId, TokenId};
use bulwark_core::time_util::{Timestamp, to_micros};
use sqlx::AnyConnection;

use crate::rows::{self, Columns, DEPARTMENT_SELECT, PERSON_SELECT, int, opt_text, opt_time, parsed, text};
use crate::write::{expect_one, map_err};

const USER_SELECT: &str = "s.person_id AS scim_person_id, s.user_name, s.external_id, s.given_name, s.family_name, \
     s.manager_id, s.deleted_at, m.name AS manager_name";
const USER_FROM: &str = "people p LEFT JOIN departments d ON d.id = p.department_id \
     LEFT JOIN scim_users s ON s.person_id = p.id LEFT JOIN people m ON m.id = s.manager_id";

fn person_row(r: &dyn Columns) -> Result<ScimPerson, StoreError> {
    let person = rows::person(r)?;
    let profile = match opt_text(r, "scim_person_id")? {
        Some(_) => Some(ScimProfile {
            person_id: person.id,
            user_name: text(r, "user_name")?,
            external_id: opt_text(r, "external_id")?,
            given_name: opt_text(r, "given_name")?,
            family_name: opt_text(r, "family_name")?,
            manager_id: opt_text(r, "manager_id")?
                .map(|v| v.parse().map_err(|_| rows::corrupt("manager_id", &v)))
                .transpose()?,
            deleted_at: opt_time(r, "deleted_at")?,
        }),
        None => None,
    };
    Ok(ScimPerson { person, profile, manager_name: opt_text(r, "manager_name")? })
}

async fn people_where(
    conn: &mut AnyConnection,
    condition: &str,
    value: String,
) -> Result<Option<ScimPerson>, StoreError> {
    let sql = format!("SELECT {PERSON_SELECT}, {USER_SELECT} FROM {USER_FROM} WHERE {condition}");
    let row = sqlx::query(&sql).bind(value).fetch_optional(conn).await.map_err(map_err)?;
    row.as_ref().map(|r| person_row(r)).transpose()
}

pub(crate) async fn person(conn: &mut AnyConnection, id: PersonId) -> Result<Option<ScimPerson>, StoreError> {
    people_where(conn, "p.id = $1", id.to_string()).await
}

/// The User whose userName is `key` (lower-cased): a profile's userName, or else the e-mail
/// address of a person without a profile. Two index lookups, no scan.
pub(crate) async fn person_named(conn: &mut AnyConnection, key: &str) -> Result<Option<ScimPerson>, StoreError> {
    if let Some(found) = people_where(&mut *conn, "s.user_name_key = $1", key.to_string()).await? {
        return Ok(Some(found));
    }
    Ok(people_where(conn, "p.email = $1", key.to_string()).await?.filter(|p| p.profile.is_none()))
}

/// One page of the Users that are not deleted, in id (creation) order, and their number.
pub(crate) async fn people(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ScimPerson>, i64), StoreError> {
    let live = "s.deleted_at IS NULL";
    let sql =
        format!("SELECT {PERSON_SELECT}, {USER_SELECT} FROM {USER_FROM} WHERE {live} ORDER BY p.id LIMIT $1 OFFSET $2");
    let found = sqlx::query(&sql).bind(limit).bind(offset).fetch_all(&mut *conn).await.map_err(map_err)?;
    let items = found.iter().map(|r| person_row(r)).collect::<Result<Vec<_>, _>>()?;
    let total = sqlx::query_scalar::<_, i64>(
        "SELECT (SELECT COUNT(*) FROM people) - (SELECT COUNT(*) FROM scim_users WHERE deleted_at IS NOT NULL)",
    )
    .fetch_one(conn)
    .await
    .map_err(map_err)?;
    Ok((items, total))
}

pub(crate) async fn put_profile(conn: &mut AnyConnection, p: &ScimProfile) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO scim_users (person_id, user_name, user_name_key, external_id, given_name, family_name, \
         manager_id, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (person_id) DO UPDATE SET user_name = excluded.user_name, user_name_key = excluded.user_name_key, \
         external_id = excluded.external_id, given_name = excluded.given_name, family_name = excluded.family_name, \
         manager_id = excluded.manager_id, deleted_at = excluded.deleted_at",
    )
    .bind(p.person_id.to_string())
    .bind(&p.user_name)
    .bind(p.user_name.to_lowercase())
    .bind(p.external_id.clone())
    .bind(p.given_name.clone())
    .bind(p.family_name.clone())
    .bind(p.manager_id.map(|m| m.to_string()))
    .bind(p.deleted_at.map(to_micros))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

const GROUP_SELECT: &str = "g.department_id AS scim_department_id, g.external_id, g.deleted_at";
const GROUP_FROM: &str = "departments d LEFT JOIN people h ON h.id = d.head_person_id \
     LEFT JOIN scim_groups g ON g.department_id = d.id";

fn department_row(r: &dyn Columns) -> Result<ScimDepartment, StoreError> {
    Ok(ScimDepartment {
        department: rows::department(r)?,
        external_id: opt_text(r, "external_id")?,
        deleted_at: opt_time(r, "deleted_at")?,
    })
}

pub(crate) async fn department(
    conn: &mut AnyConnection,
    id: DepartmentId,
) -> Result<Option<ScimDepartment>, StoreError> {
    let sql = format!("SELECT {DEPARTMENT_SELECT}, {GROUP_SELECT} FROM {GROUP_FROM} WHERE d.id = $1");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(conn).await.map_err(map_err)?;
    row.as_ref().map(|r| department_row(r)).transpose()
}

/// One page of the Groups that are not deleted, in id order, and their number.
pub(crate) async fn departments(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ScimDepartment>, i64), StoreError> {
    let sql = format!(
        "SELECT {DEPARTMENT_SELECT}, {GROUP_SELECT} FROM {GROUP_FROM} WHERE g.deleted_at IS NULL \
         ORDER BY d.id LIMIT $1 OFFSET $2"
    );
    let found = sqlx::query(&sql).bind(limit).bind(offset).fetch_all(&mut *conn).await.map_err(map_err)?;
    let items = found.iter().map(|r| department_row(r)).collect::<Result<Vec<_>, _>>()?;
    let total = sqlx::query_scalar::<_, i64>(
        "SELECT (SELECT COUNT(*) FROM departments) - (SELECT COUNT(*) FROM scim_groups WHERE deleted_at IS NOT NULL)",
    )
    .fetch_one(conn)
    .await
    .map_err(map_err)?;
    Ok((items, total))
}

/// The people of a department who are Users (not deleted), by name.
pub(crate) async fn members(conn: &mut AnyConnection, id: DepartmentId) -> Result<Vec<Member>, StoreError> {
    let found = sqlx::query(
        "SELECT p.id, p.name FROM people p LEFT JOIN scim_users s ON s.person_id = p.id \
         WHERE p.department_id = $1 AND s.deleted_at IS NULL ORDER BY p.name, p.id",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    found.iter().map(|r| Ok((parsed(r, "id")?, text(r, "name")?))).collect()
}

pub(crate) async fn put_department(
    conn: &mut AnyConnection,
    id: DepartmentId,
    external_id: Option<&str>,
    deleted_at: Option<Timestamp>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO scim_groups (department_id, external_id, deleted_at) VALUES ($1, $2, $3) \
         ON CONFLICT (department_id) DO UPDATE SET external_id = excluded.external_id, deleted_at = excluded.deleted_at",
    )
    .bind(id.to_string())
    .bind(external_id.map(str::to_string))
    .bind(deleted_at.map(to_micros))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

const TOKEN_SELECT: &str = "id, name, prefix, created_by, created_at, last_used_at, revoked_at FROM scim_tokens";

fn token_row(r: &dyn Columns) -> Result<ScimToken, StoreError> {
    Ok(ScimToken {
        id: parsed(r, "id")?,
        name: text(r, "name")?,
        prefix: text(r, "prefix")?,
        created_by: text(r, "created_by")?,
        created_at: bulwark_core::time_util::from_micros(int(r, "created_at")?),
        last_used_at: opt_time(r, "last_used_at")?,
        revoked_at: opt_time(r, "revoked_at")?,
    })
}

pub(crate) async fn tokens(conn: &mut AnyConnection) -> Result<Vec<ScimToken>, StoreError> {
    let found = sqlx::query(&format!("SELECT {TOKEN_SELECT} ORDER BY created_at DESC, id"))
        .fetch_all(conn)
        .await
        .map_err(map_err)?;
    found.iter().map(|r| token_row(r)).collect()
}

pub(crate) async fn token_by_hash(conn: &mut AnyConnection, hash: &str) -> Result<Option<ScimToken>, StoreError> {
    let row = sqlx::query(&format!("SELECT {TOKEN_SELECT} WHERE token_hash = $1"))
        .bind(hash.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| token_row(r)).transpose()
}

pub(crate) async fn insert_token(conn: &mut AnyConnection, t: &ScimToken, hash: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO scim_tokens (id, name, prefix, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(t.id.to_string())
    .bind(&t.name)
    .bind(&t.prefix)
    .bind(hash.to_string())
    .bind(&t.created_by)
    .bind(to_micros(t.created_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn revoke_token(conn: &mut AnyConnection, id: TokenId, at: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE scim_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(to_micros(at))
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    expect_one(done.rows_affected(), "this SCIM token")
}

pub(crate) async fn touch_token(conn: &mut AnyConnection, id: TokenId, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE scim_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(to_micros(now))
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}
