//! Scheduled jobs. Claiming takes due jobs no worker holds and gives them a lease, in one
//! statement (on PostgreSQL with `FOR UPDATE SKIP LOCKED`); finishing marks a job done only if
//! it was not, inside the job's own transaction, which is what makes a job take effect once.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::scheduler::{Job, JobKind};
use bulwark_core::store::Backend;
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::rows::{Columns, int, opt_text, opt_time, text};
use crate::write::{map_err, skip_locked};

const COLUMNS: &str = "id, kind, subject_id, due_at, attempts, last_error, done_at, created_at";

fn job(r: &dyn Columns) -> Result<Job, StoreError> {
    let kind = text(r, "kind")?;
    Ok(Job {
        id: text(r, "id")?,
        kind: JobKind::parse(&kind).ok_or_else(|| StoreError::Other(anyhow::anyhow!("unknown job kind {kind}")))?,
        subject_id: text(r, "subject_id")?,
        due_at: from_micros(int(r, "due_at")?),
        attempts: int(r, "attempts")?,
        last_error: opt_text(r, "last_error")?,
        done_at: opt_time(r, "done_at")?,
        created_at: from_micros(int(r, "created_at")?),
    })
}

pub(crate) async fn insert(conn: &mut AnyConnection, j: &Job) -> Result<bool, StoreError> {
    let inserted = sqlx::query(&format!(
        "INSERT INTO jobs ({COLUMNS}, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) \
         ON CONFLICT (id) DO NOTHING"
    ))
    .bind(&j.id)
    .bind(j.kind.as_str())
    .bind(&j.subject_id)
    .bind(to_micros(j.due_at))
    .bind(j.attempts)
    .bind(j.last_error.clone())
    .bind(j.done_at.map(to_micros))
    .bind(to_micros(j.created_at))
    .execute(conn)
    .await
    .map_err(map_err)?
    .rows_affected();
    Ok(inserted == 1)
}

/// Adds the job, or plans the one with its id afresh: due at the new time, not done, no
/// attempts (a campaign's reminders after its due date moved).
pub(crate) async fn replan(conn: &mut AnyConnection, j: &Job) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO jobs ({COLUMNS}, lease_until) VALUES ($1, $2, $3, $4, 0, NULL, NULL, $5, NULL) \
         ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, attempts = 0, last_error = NULL, done_at = NULL, \
         lease_until = NULL"
    ))
    .bind(&j.id)
    .bind(j.kind.as_str())
    .bind(&j.subject_id)
    .bind(to_micros(j.due_at))
    .bind(to_micros(j.created_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn claim(
    conn: &mut AnyConnection,
    backend: Backend,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
    skipped: &[&'static JobKind],
) -> Result<Vec<Job>, StoreError> {
    let lock = skip_locked(backend);
    let skip: String = (0..skipped.len()).map(|i| format!(" AND kind <> ${}", i + 4)).collect();
    let sql = format!(
        "UPDATE jobs SET lease_until = $2, attempts = attempts + 1 WHERE id IN (SELECT id FROM jobs \
         WHERE done_at IS NULL AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1){skip} \
         ORDER BY due_at, id LIMIT $3{lock}) RETURNING {COLUMNS}"
    );
    let mut query = sqlx::query(&sql).bind(to_micros(now)).bind(to_micros(lease_until)).bind(i64::from(limit));
    for kind in skipped {
        query = query.bind(kind.as_str());
    }
    let rows = query.fetch_all(conn).await.map_err(map_err)?;
    rows.iter().map(|r| job(r)).collect()
}

pub(crate) async fn finish(conn: &mut AnyConnection, id: &str, now: Timestamp) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE jobs SET done_at = $1, last_error = NULL WHERE id = $2 AND done_at IS NULL")
        .bind(to_micros(now))
        .bind(id)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn fail(conn: &mut AnyConnection, id: &str, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE jobs SET last_error = $1 WHERE id = $2")
        .bind(error)
        .bind(id)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn pending(conn: &mut AnyConnection, limit: u32) -> Result<Vec<Job>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE done_at IS NULL ORDER BY due_at, id LIMIT $1");
    let rows = sqlx::query(&sql).bind(i64::from(limit)).fetch_all(conn).await.map_err(map_err)?;
    rows.iter().map(|r| job(r)).collect()
}
