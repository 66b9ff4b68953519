//! Reading the audit log, appending records that are events in themselves, and the counts
//! shown on the dashboard.

use bulwark_core::StoreError;
use bulwark_core::audit::{AuditEntry, AuditFilter, ChainBreak, ChainVerifier, EntryView};
use bulwark_core::list::{Cursor, ListPage};
use bulwark_core::store::{Backend, Counts};
use bulwark_core::time_util::to_micros;
use sqlx::{AnyConnection, Row};

use crate::SqlStore;
use crate::acquire::Acquire;
use crate::list::{self, Value};
use crate::native::NativeReads;
use crate::rows::{self, AUDIT_COLUMNS};
use crate::write::map_err;

/// The WHERE clause for the filter, naming only the conditions in use so that the indexes
/// on entity, actor and time can serve them.
fn audit_where(f: &AuditFilter) -> (String, Vec<Value>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    let mut push = |sql: &str, v: Value| {
        values.push(v);
        conditions.push(sql.replace('?', &format!("${}", values.len())));
    };
    if let Some(a) = &f.actor {
        push("(actor_label = ? OR actor_id = ?)", Value::Text(a.clone()));
    }
    if let Some(t) = &f.entity_type {
        push("entity_type = ?", Value::Text(t.clone()));
    }
    if let Some(id) = &f.entity_id {
        push("entity_id = ?", Value::Text(id.clone()));
    }
    if let Some(a) = &f.action {
        push("action = ?", Value::Text(a.clone()));
    }
    if let Some(t) = f.from {
        push("at >= ?", Value::Int(to_micros(t)));
    }
    if let Some(t) = f.to {
        push("at < ?", Value::Int(to_micros(t)));
    }
    let sql = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    (sql, values)
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    native: Option<&NativeReads>,
    f: &AuditFilter,
    limit: u32,
) -> Result<ListPage<AuditEntry>, StoreError> {
    let (filter, mut values) = audit_where(f);
    let count_sql = if values.is_empty() {
        // Sequence numbers are contiguous from 1, so the newest is the count.
        "SELECT COALESCE(MAX(seq), 0) AS n FROM audit_log".to_string()
    } else {
        format!("SELECT COUNT(*) AS n FROM audit_log {filter}")
    };
    let total = list::fetch(&mut *conn, native, &count_sql, &values, |r| rows::int(r, "n")).await?;
    // Keyset: the page starts below a sequence number, so any depth costs the same.
    let mut filter = filter;
    if let Some(before) = f.before_seq {
        values.push(Value::Int(before));
        let keyset = format!("seq < ${}", values.len());
        filter = if filter.is_empty() { format!("WHERE {keyset}") } else { format!("{filter} AND {keyset}") };
    }
    // The limit is written into the text (a number), as the list engine does.
    let sql = format!("SELECT {AUDIT_COLUMNS} {filter} ORDER BY seq DESC LIMIT {}", u64::from(limit) + 1);
    let mut items = list::fetch(&mut *conn, native, &sql, &values, rows::audit_entry).await?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = if more { items.last().map(|e| Cursor { key: e.seq.to_string(), id: String::new() }) } else { None };
    Ok(ListPage { items, total: total.first().copied().unwrap_or_default() as u64, next })
}

impl SqlStore {
    /// Reads a batch of entries for verification. Rows are packed into one length-prefixed
    /// string per batch by the database, because fetching a million rows one by one costs far
    /// more than hashing them.
    pub(crate) async fn audit_after(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_packed("seq > $1 ORDER BY seq LIMIT $2", after_seq, limit).await
    }

    /// Entries with `low < seq <= high`, packed (see `unpack`).
    async fn audit_range_packed(&self, low: i64, high: i64) -> Result<String, StoreError> {
        self.packed("seq > $1 AND seq <= $2 ORDER BY seq", low, high).await
    }

    async fn audit_packed(&self, condition: &str, a: i64, b: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let packed = self.packed(condition, a, b).await?;
        Ok(unpack(&packed)?.iter().map(EntryView::to_owned_entry).collect())
    }

    async fn packed(&self, condition: &str, a: i64, b: i64) -> Result<String, StoreError> {
        // SQLite aggregates in the subquery's (rowid) order; entries are sorted again below.
        let (bytes, aggregate) = match self.backend {
            Backend::Sqlite => ("length(CAST({} AS BLOB))", "group_concat(rec, '')"),
            Backend::Postgres => ("octet_length({})", "string_agg(rec, '' ORDER BY seq)"),
        };
        // One concat() per row: chained `||` would copy the growing row once per field.
        let text = |column: &str| format!("{}, ':', {column}", bytes.replace("{}", column));
        let record = format!(
            "concat(seq, ':', at, ':', COALESCE({} || ':' || actor_id, '-'), {}, {}, {}, {}, {}, {}, {}, {})",
            bytes.replace("{}", "actor_id"),
            text("actor_label"),
            text("action"),
            text("entity_type"),
            text("entity_id"),
            text("before_json"),
            text("after_json"),
            text("prev_hash"),
            text("hash"),
        );
        let sql = format!(
            "SELECT {aggregate} FROM \
             (SELECT seq, {record} AS rec FROM audit_log WHERE {condition}) batch"
        );
        let packed: Option<String> = sqlx::query(&sql)
            .bind(a)
            .bind(b)
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(map_err)?;
        Ok(packed.unwrap_or_default())
    }

    /// Verifies the whole audit chain. Two reader tasks fetch batches of sequence numbers
    /// while the batches already read are checked in order, so reading and hashing overlap.
    /// Returns the number of entries, or where the chain breaks.
    pub async fn verify_audit_chain(&self) -> Result<Result<u64, ChainBreak>, StoreError> {
        if self.backend == Backend::Postgres {
            return crate::audit_copy::verify(self.url.expose()).await;
        }
        const BATCH: i64 = 20_000;
        const READERS: i64 = 2;
        let newest: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM audit_log")
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(map_err)?;
        let batches = (newest + BATCH - 1) / BATCH;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(i64, Result<String, StoreError>)>(4);
        let mut readers = Vec::new();
        for first in 0..READERS {
            let (store, tx) = (self.clone(), tx.clone());
            readers.push(tokio::spawn(async move {
                for k in (first..batches).step_by(READERS as usize) {
                    // The first batch also takes anything numbered below 1.
                    let low = if k == 0 { i64::MIN } else { k * BATCH };
                    let batch = store.audit_range_packed(low, (k + 1) * BATCH).await;
                    if tx.send((k, batch)).await.is_err() {
                        break;
                    }
                }
            }));
        }
        drop(tx);
        let mut verifier = ChainVerifier::new();
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        let mut outcome = Ok(Ok(()));
        'read: while let Some((k, batch)) = rx.recv().await {
            waiting.insert(k, batch);
            while let Some(batch) = waiting.remove(&next) {
                next += 1;
                let checked =
                    batch.and_then(|packed| Ok(unpack(&packed)?.iter().try_for_each(|e| verifier.check_view(e))));
                match checked {
                    Ok(Ok(())) => {}
                    other => {
                        outcome = other;
                        break 'read;
                    }
                }
            }
        }
        drop(rx);
        for r in readers {
            let _ = r.await;
        }
        outcome.map(|checked| checked.map(|()| verifier.verified))
    }
}

pub(crate) async fn counts(conn: &mut AnyConnection) -> Result<Counts, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM people), (SELECT COUNT(*) FROM departments), (SELECT COUNT(*) FROM areas), \
             (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL), \
             (SELECT COALESCE(MAX(seq), 0) FROM audit_log)",
    )
    .fetch_one(conn)
    .await
    .map_err(map_err)?;
    let n = |i: usize| row.try_get::<i64, _>(i).map_err(map_err);
    Ok(Counts {
        people: n(0)?,
        departments: n(1)?,
        areas: n(2)?,
        accounts: n(3)?,
        active_tokens: n(4)?,
        audit_entries: n(5)?,
    })
}

/// Reads the packed entries written by `packed`: integers end with ':', text is
/// `<byte length>:<bytes>`, and a missing value is '-'. Entries come back sorted by sequence
/// number, borrowing from `packed`.
fn unpack(packed: &str) -> Result<Vec<EntryView<'_>>, StoreError> {
    let mut c = Unpacker { s: packed, pos: 0 };
    let mut out: Vec<EntryView<'_>> = Vec::new();
    while c.pos < packed.len() {
        let entry = (|| {
            Some(EntryView {
                seq: c.int()?,
                at: c.int()?,
                actor_id: c.opt_text()?,
                actor_label: c.text()?,
                action: c.text()?,
                entity_type: c.text()?,
                entity_id: c.text()?,
                before: c.text()?,
                after: c.text()?,
                prev_hash: c.text()?,
                hash: c.text()?,
            })
        })();
        out.push(
            entry.ok_or_else(|| {
                StoreError::Other(anyhow::anyhow!("unreadable audit entry after entry {}", out.len()))
            })?,
        );
    }
    // SQLite aggregates in scan order, which is sequence order; sorting an ordered list is cheap.
    out.sort_by_key(|e| e.seq);
    Ok(out)
}

struct Unpacker<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Unpacker<'a> {
    fn until_colon(&mut self) -> Option<&'a str> {
        let rest = self.s.get(self.pos..)?;
        let end = rest.find(':')?;
        self.pos += end + 1;
        Some(&rest[..end])
    }

    fn int(&mut self) -> Option<i64> {
        self.until_colon()?.parse().ok()
    }

    fn opt_text(&mut self) -> Option<Option<&'a str>> {
        if self.s.get(self.pos..)?.starts_with('-') {
            self.pos += 1;
            return Some(None);
        }
        self.text().map(Some)
    }

    fn text(&mut self) -> Option<&'a str> {
        let len: usize = self.until_colon()?.parse().ok()?;
        let value = self.s.get(self.pos..self.pos + len)?;
        self.pos += len;
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_entries_unpack_with_any_content() {
        let packed = concat!(
            "1:1700:-3:cli13:person.create6:person2:p14:null9:{\"a\":\":\"}3:0003:abc",
            "2:1701:3:id18:é@x.org1:a1:b0:1:-4:null3:abc3:def"
        );
        let entries = unpack(packed).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].after, "{\"a\":\":\"}");
        assert_eq!(entries[0].actor_id, None);
        assert_eq!(entries[0].at, 1700);
        assert_eq!(entries[1].actor_id, Some("id1"));
        assert_eq!(entries[1].actor_label, "é@x.org");
        assert_eq!(entries[1].entity_id, "");
        assert_eq!(entries[1].before, "-");
        assert!(unpack("1:1700:-4:cl").is_err());
    }
}
