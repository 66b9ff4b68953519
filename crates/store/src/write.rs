//! Write transactions and the audit-chain append that every write ends with.
//!
//! SQLite: writers queue in the process, then `BEGIN IMMEDIATE` takes the single write lock up
//! front. PostgreSQL: writers run side by side (row locks and conditional updates keep them
//! apart), and only the append takes the chain: at commit the transaction locks `audit_log`
//! in EXCLUSIVE mode (reads still proceed), reads the chain head, appends and commits, so
//! concurrent appends, also from other instances, follow one another. The lock is the last
//! one a transaction takes, and its holder waits for nothing but its own inserts: no cycle.

use bulwark_core::StoreError;
use bulwark_core::audit::{AuditEntry, AuditRecord, GENESIS_HASH};
use bulwark_core::store::Backend;
use bulwark_core::time_util::to_micros;
use sqlx::{Any, AnyConnection, Row, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::OwnedMutexGuard;

use crate::SqlStore;
use crate::native::NativeReads;

pub(crate) type Tx = Transaction<'static, Any>;

/// What a claim's subquery ends with so that instances skip rows another one is claiming.
pub(crate) fn skip_locked(backend: Backend) -> &'static str {
    if backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" }
}

/// The write transaction of one operation, its queued audit records, and (on SQLite) this
/// writer's turn in the process-wide queue, held until commit or rollback.
pub(crate) struct WriteTx {
    tx: Tx,
    queued: Vec<AuditRecord>,
    _turn: Option<OwnedMutexGuard<()>>,
    /// Takes the chain's lock at commit (PostgreSQL).
    lock_chain: bool,
    /// Told of the commit, so that this instance's next reads see what it wrote.
    native: Option<Arc<NativeReads>>,
}

impl SqlStore {
    /// The turn a lease-claiming statement (outbox messages, jobs) waits for on SQLite, behind
    /// this process's other writers; PostgreSQL's row locks need no queue.
    pub(crate) async fn claim_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match self.backend {
            Backend::Sqlite => Some(self.write_turn.clone().lock_owned().await),
            Backend::Postgres => None,
        }
    }

    /// Opens a write transaction. On SQLite writers first wait their turn in a fair in-process
    /// queue, so they never sleep in SQLite's busy handler; on PostgreSQL the transaction
    /// locks `audit_log` (reads still proceed), which orders writers across instances too.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        match self.backend {
            Backend::Sqlite => {
                let turn = self.write_turn.clone().lock_owned().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
                Ok(WriteTx {
                    tx,
                    queued: Vec::new(),
                    _turn: Some(turn),
                    lock_chain: false,
                    native: self.native.clone(),
                })
            }
            Backend::Postgres => {
                let tx = self.pool.begin().await.map_err(map_err)?;
                Ok(WriteTx { tx, queued: Vec::new(), _turn: None, lock_chain: true, native: self.native.clone() })
            }
        }
    }
}

impl WriteTx {
    pub(crate) fn queue(&mut self, record: AuditRecord) {
        self.queued.push(record);
    }

    /// Appends the queued records to the chain and commits. Every write ends here; a write
    /// without an audit record is refused (and rolled back).
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        if self.queued.is_empty() {
            return Err(StoreError::Other(anyhow::anyhow!("refusing a write without an audit record")));
        }
        let records = std::mem::take(&mut self.queued);
        if self.lock_chain {
            sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE").execute(&mut *self.tx).await.map_err(map_err)?;
        }
        append(&mut self.tx, records).await?;
        self.tx.commit().await.map_err(map_err)?;
        if let Some(kept) = self.native.as_deref().and_then(NativeReads::kept) {
            kept.forget();
        }
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

async fn append(conn: &mut AnyConnection, records: Vec<AuditRecord>) -> Result<(), StoreError> {
    let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    let (mut seq, mut hash) = match head {
        Some(r) => (r.try_get::<i64, _>(0).map_err(map_err)?, r.try_get::<String, _>(1).map_err(map_err)?),
        None => (0, GENESIS_HASH.to_string()),
    };
    for rec in records {
        let e = AuditEntry::chain(rec, seq, &hash);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor_id, actor_label, action, entity_type, entity_id, \
             before_json, after_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(e.seq)
        .bind(to_micros(e.at))
        .bind(e.actor_id.clone())
        .bind(&e.actor_label)
        .bind(&e.action)
        .bind(&e.entity_type)
        .bind(&e.entity_id)
        .bind(&e.before)
        .bind(&e.after)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
        seq = e.seq;
        hash = e.hash;
    }
    Ok(())
}

/// Locks one row until commit on PostgreSQL; SQLite's writers are one at a time already.
pub(crate) async fn lock_row(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    id: &str,
) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        let sql = format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE");
        sqlx::query(&sql).bind(id).execute(conn).await.map_err(map_err)?;
    }
    Ok(())
}

/// Maps sqlx errors: uniqueness and foreign-key violations are conflicts, lost connections
/// are unavailability, the rest is internal.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(db.message().to_string()),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict(db.message().to_string()),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(anyhow::Error::new(e)),
    }
}

/// Fails with `Conflict` when an optimistic update touched no row.
pub(crate) fn expect_one(rows: u64, what: &str) -> Result<(), StoreError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!("{what} was changed by someone else; reload and try again")))
    }
}

pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// `$1, $2, … $n`.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The insert of a record whose `columns` are bound first, then `created_at` and `id`.
pub(crate) fn insert_sql(table: &str, columns: &[&str]) -> String {
    format!("INSERT INTO {table} ({}, created_at, id) VALUES ({})", columns.join(", "), placeholders(columns.len() + 2))
}

/// The optimistic update of a record's `columns` (bound first), for `update_unchanged`.
pub(crate) fn update_sql(table: &str, columns: &[&str]) -> String {
    let sets: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let n = columns.len();
    format!("UPDATE {table} SET {} WHERE id = ${} AND updated_at = ${}", sets.join(", "), n + 1, n + 2)
}

/// Runs an optimistic update: `update` ends in `WHERE id = $n AND updated_at = $n+1` and has
/// the new values bound; this binds the record's id and the `updated_at` it was read with.
/// `Conflict` when someone else changed the record meanwhile.
pub(crate) async fn update_unchanged(
    conn: &mut AnyConnection,
    update: AnyQuery<'_>,
    id: String,
    read_at: bulwark_core::Timestamp,
    what: &str,
) -> Result<(), StoreError> {
    let done = update.bind(id).bind(to_micros(read_at)).execute(conn).await.map_err(map_err)?;
    expect_one(done.rows_affected(), what)
}
