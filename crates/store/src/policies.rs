//! Policies and their versions. A published or superseded version's text never changes: the
//! update refuses it in SQL, not only in the service.

use bulwark_core::StoreError;
use bulwark_core::ids::{PolicyId, PolicyVersionId};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::policies::{Policy, PolicyVersion, VersionStatus};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::rows::{Columns, int, opt_int, opt_parsed, opt_text, opt_time, parsed, text};
use crate::write::{expect_one, map_err, update_unchanged};

const SELECT: &str = "p.id, p.parent_id, p.title, p.owner_person_id, p.review_months, p.public, \
     pp.title AS parent_title, o.name AS owner_name, \
     (SELECT MAX(v.number) FROM policy_versions v WHERE v.policy_id = p.id AND v.status = 'published') AS published_number, \
     (SELECT MAX(v.published_at) FROM policy_versions v WHERE v.policy_id = p.id AND v.status = 'published') AS published_at, \
     p.created_at, p.updated_at";
const FROM: &str =
    "policies p LEFT JOIN policies pp ON pp.id = p.parent_id LEFT JOIN people o ON o.id = p.owner_person_id";

const TABLE: Table = Table {
    columns: SELECT,
    from: FROM,
    count_from: "policies p",
    id: "p.id",
    filters: &[
        (
            "published",
            "(CASE WHEN EXISTS (SELECT 1 FROM policy_versions v WHERE v.policy_id = p.id AND v.status = 'published') THEN 'yes' ELSE 'no' END)",
        ),
        ("public", "(CASE WHEN p.public = 1 THEN 'yes' ELSE 'no' END)"),
        (
            "in_review",
            "(CASE WHEN EXISTS (SELECT 1 FROM policy_versions v WHERE v.policy_id = p.id AND v.status = 'in_review') THEN 'yes' ELSE 'no' END)",
        ),
    ],
    sorts: &[("title", "p.title"), ("updated", "p.updated_at")],
    search: Some(("p.search_text", None)),
    total: None,
};

fn policy(r: &dyn Columns) -> Result<Policy, StoreError> {
    Ok(Policy {
        id: parsed(r, "id")?,
        parent_id: opt_parsed(r, "parent_id")?,
        title: text(r, "title")?,
        owner_person_id: opt_parsed(r, "owner_person_id")?,
        review_months: int(r, "review_months")?,
        public: int(r, "public")? != 0,
        parent_title: opt_text(r, "parent_title")?,
        owner_name: opt_text(r, "owner_name")?,
        published_number: opt_int(r, "published_number")?,
        published_at: opt_time(r, "published_at")?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<Policy>, StoreError> {
    list::page(conn, reads, &TABLE, query, policy).await
}

pub(crate) async fn find(conn: &mut AnyConnection, id: PolicyId) -> Result<Option<Policy>, StoreError> {
    let sql = format!("SELECT {SELECT} FROM {FROM} WHERE p.id = $1");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(conn).await.map_err(map_err)?;
    row.as_ref().map(|r| policy(r)).transpose()
}

pub(crate) async fn insert(conn: &mut AnyConnection, p: &Policy) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO policies (id, parent_id, title, owner_person_id, review_months, public, search_text, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(p.id.to_string())
    .bind(p.parent_id.map(|x| x.to_string()))
    .bind(&p.title)
    .bind(p.owner_person_id.map(|x| x.to_string()))
    .bind(p.review_months)
    .bind(i64::from(p.public))
    .bind(p.title.to_lowercase())
    .bind(to_micros(p.created_at))
    .bind(to_micros(p.updated_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn update(conn: &mut AnyConnection, before: &Policy, after: &Policy) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE policies SET parent_id = $1, title = $2, owner_person_id = $3, review_months = $4, public = $5, \
         search_text = $6, updated_at = $7 WHERE id = $8 AND updated_at = $9",
    )
    .bind(after.parent_id.map(|x| x.to_string()))
    .bind(&after.title)
    .bind(after.owner_person_id.map(|x| x.to_string()))
    .bind(after.review_months)
    .bind(i64::from(after.public))
    .bind(after.title.to_lowercase())
    .bind(to_micros(after.updated_at));
    update_unchanged(conn, update, after.id.to_string(), before.updated_at, "this policy").await
}

const VERSION_COLUMNS: &str = "id, policy_id, number, status, body, change_note, content_hash, submitted_by, \
     ratified_by, published_at, created_at, updated_at";

fn version(r: &dyn Columns) -> Result<PolicyVersion, StoreError> {
    let status = text(r, "status")?;
    Ok(PolicyVersion {
        id: parsed::<PolicyVersionId>(r, "id")?,
        policy_id: parsed(r, "policy_id")?,
        number: int(r, "number")?,
        status: VersionStatus::parse(&status)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("unknown policy version status {status}")))?,
        body: text(r, "body")?,
        change_note: text(r, "change_note")?,
        content_hash: opt_text(r, "content_hash")?,
        submitted_by: opt_text(r, "submitted_by")?,
        ratified_by: opt_text(r, "ratified_by")?,
        published_at: opt_time(r, "published_at")?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

pub(crate) async fn versions(conn: &mut AnyConnection, policy: PolicyId) -> Result<Vec<PolicyVersion>, StoreError> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM policy_versions WHERE policy_id = $1 ORDER BY number");
    let rows = sqlx::query(&sql).bind(policy.to_string()).fetch_all(conn).await.map_err(map_err)?;
    rows.iter().map(|r| version(r)).collect()
}

pub(crate) async fn find_version(
    conn: &mut AnyConnection,
    policy: PolicyId,
    number: i64,
) -> Result<Option<PolicyVersion>, StoreError> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM policy_versions WHERE policy_id = $1 AND number = $2");
    let row = sqlx::query(&sql).bind(policy.to_string()).bind(number).fetch_optional(conn).await.map_err(map_err)?;
    row.as_ref().map(|r| version(r)).transpose()
}

pub(crate) async fn insert_version(conn: &mut AnyConnection, v: &PolicyVersion) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO policy_versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(v.id.to_string())
    .bind(v.policy_id.to_string())
    .bind(v.number)
    .bind(v.status.as_str())
    .bind(&v.body)
    .bind(&v.change_note)
    .bind(v.content_hash.clone())
    .bind(v.submitted_by.clone())
    .bind(v.ratified_by.clone())
    .bind(v.published_at.map(to_micros))
    .bind(to_micros(v.created_at))
    .bind(to_micros(v.updated_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Changes a version that has not been published; a published one may only become superseded.
pub(crate) async fn update_version(
    conn: &mut AnyConnection,
    before: &PolicyVersion,
    after: &PolicyVersion,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE policy_versions SET status = $1, body = $2, change_note = $3, content_hash = $4, submitted_by = $5, \
         ratified_by = $6, published_at = $7, updated_at = $8 \
         WHERE id = $9 AND updated_at = $10 \
         AND (status NOT IN ('published', 'superseded') OR ($1 = 'superseded' AND body = $2 AND content_hash = $4))",
    )
    .bind(after.status.as_str())
    .bind(&after.body)
    .bind(&after.change_note)
    .bind(after.content_hash.clone())
    .bind(after.submitted_by.clone())
    .bind(after.ratified_by.clone())
    .bind(after.published_at.map(to_micros))
    .bind(to_micros(after.updated_at))
    .bind(after.id.to_string())
    .bind(to_micros(before.updated_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    expect_one(done.rows_affected(), "this policy version")
}
