//! Notification channels and the outbox. Claiming due messages moves their next attempt to
//! the end of a lease in one statement (on PostgreSQL with `FOR UPDATE SKIP LOCKED`), so
//! several instances never take the same message at once.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::notify::{Channel, ChannelKind, OutboxMessage, PERSONAL, TaskMail};
use bulwark_core::store::Backend;
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::rows::{Columns, int, opt_text, opt_time, text};
use crate::write::{map_err, skip_locked};

fn kind(r: &dyn Columns) -> Result<ChannelKind, StoreError> {
    let k = text(r, "kind")?;
    ChannelKind::parse(&k).ok_or_else(|| StoreError::Other(anyhow::anyhow!("unknown channel kind {k}")))
}

pub(crate) async fn channels(conn: &mut AnyConnection) -> Result<Vec<Channel>, StoreError> {
    let rows = sqlx::query("SELECT name, kind, target, events, created_at FROM channels ORDER BY name")
        .fetch_all(conn)
        .await
        .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            Ok(Channel {
                name: text(r, "name")?,
                kind: kind(r)?,
                target: text(r, "target")?,
                events: text(r, "events")?.split_whitespace().map(str::to_string).collect(),
                created_at: from_micros(int(r, "created_at")?),
            })
        })
        .collect()
}

pub(crate) async fn upsert_channel(conn: &mut AnyConnection, c: &Channel) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO channels (name, kind, target, events, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, target = excluded.target, events = excluded.events",
    )
    .bind(&c.name)
    .bind(c.kind.as_str())
    .bind(&c.target)
    .bind(c.events.join(" "))
    .bind(to_micros(c.created_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

const COLUMNS: &str =
    "id, channel, kind, target, event, subject, body, attempts, next_attempt_at, delivered_at, last_error, created_at";

fn message(r: &dyn Columns) -> Result<OutboxMessage, StoreError> {
    Ok(OutboxMessage {
        id: text(r, "id")?,
        channel: text(r, "channel")?,
        kind: kind(r)?,
        target: text(r, "target")?,
        event: text(r, "event")?,
        subject: text(r, "subject")?,
        body: text(r, "body")?,
        attempts: int(r, "attempts")?,
        next_attempt_at: from_micros(int(r, "next_attempt_at")?),
        delivered_at: opt_time(r, "delivered_at")?,
        last_error: opt_text(r, "last_error")?,
        created_at: from_micros(int(r, "created_at")?),
    })
}

pub(crate) async fn retarget(conn: &mut AnyConnection, c: &Channel, now: Timestamp) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET kind = $2, target = $3, next_attempt_at = $4 WHERE channel = $1 AND delivered_at IS NULL",
    )
    .bind(&c.name)
    .bind(c.kind.as_str())
    .bind(&c.target)
    .bind(to_micros(now))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(done.rows_affected())
}

pub(crate) async fn retry_now(conn: &mut AnyConnection, id: &str, now: Timestamp) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE outbox SET next_attempt_at = $2 WHERE id = $1 AND delivered_at IS NULL")
        .bind(id)
        .bind(to_micros(now))
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn discard(conn: &mut AnyConnection, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM outbox WHERE id = $1 AND delivered_at IS NULL")
        .bind(id)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn delete_channel(conn: &mut AnyConnection, name: &str) -> Result<bool, StoreError> {
    sqlx::query("DELETE FROM outbox WHERE channel = $1 AND delivered_at IS NULL")
        .bind(name)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    let done = sqlx::query("DELETE FROM channels WHERE name = $1").bind(name).execute(conn).await.map_err(map_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn insert(conn: &mut AnyConnection, m: &OutboxMessage) -> Result<(), StoreError> {
    sqlx::query(&format!("INSERT INTO outbox ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
        .bind(&m.id)
        .bind(&m.channel)
        .bind(m.kind.as_str())
        .bind(&m.target)
        .bind(&m.event)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(m.attempts)
        .bind(to_micros(m.next_attempt_at))
        .bind(m.delivered_at.map(to_micros))
        .bind(m.last_error.clone())
        .bind(to_micros(m.created_at))
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn undelivered(conn: &mut AnyConnection, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM outbox WHERE delivered_at IS NULL ORDER BY attempts DESC, created_at LIMIT $1");
    let rows = sqlx::query(&sql).bind(i64::from(limit)).fetch_all(conn).await.map_err(map_err)?;
    rows.iter().map(|r| message(r)).collect()
}

pub(crate) async fn claim(
    conn: &mut AnyConnection,
    backend: Backend,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let lock = skip_locked(backend);
    let sql = format!(
        "UPDATE outbox SET next_attempt_at = $2 WHERE id IN (SELECT id FROM outbox \
         WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3{lock}) \
         RETURNING {COLUMNS}"
    );
    let rows = sqlx::query(&sql)
        .bind(to_micros(now))
        .bind(to_micros(lease_until))
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await
        .map_err(map_err)?;
    rows.iter().map(|r| message(r)).collect()
}

pub(crate) async fn finish(
    conn: &mut AnyConnection,
    id: &str,
    now: Timestamp,
    error: Option<&str>,
    retry_at: Timestamp,
) -> Result<(), StoreError> {
    let query = match error {
        None => {
            sqlx::query("UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
                .bind(to_micros(now))
                .bind(id)
        }
        Some(e) => sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1, attempts = attempts + 1, last_error = $2 WHERE id = $3",
        )
        .bind(to_micros(retry_at))
        .bind(e)
        .bind(id),
    };
    query.execute(conn).await.map_err(map_err)?;
    Ok(())
}

pub(crate) async fn mail_open_tasks(
    conn: &mut AnyConnection,
    mail: &TaskMail<'_>,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let sql = format!(
        "INSERT INTO outbox ({COLUMNS}) \
         SELECT $1 || ':' || t.id, $2, 'email', p.email, $3, $4, $5, 0, $6, NULL, NULL, $6 \
         FROM tasks t JOIN people p ON p.id = t.assignee_person_id \
         WHERE t.subject_type = $7 AND t.subject_id = $8 AND t.kind = $9 AND t.state = 'open' AND t.due_at <= $10 \
         AND p.status <> 'left' \
         ON CONFLICT (id) DO NOTHING"
    );
    let done = sqlx::query(&sql)
        .bind(mail.key)
        .bind(PERSONAL)
        .bind(mail.event)
        .bind(mail.subject)
        .bind(mail.body)
        .bind(to_micros(now))
        .bind(mail.subject_type)
        .bind(mail.subject_id)
        .bind(mail.task_kind)
        .bind(to_micros(mail.due_by))
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected())
}
