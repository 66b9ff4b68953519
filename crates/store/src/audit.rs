//! Reading the audit log, appending records that are events in themselves, and the counts
//! shown on the dashboard.

use bulwark_core::StoreError;
use bulwark_core::audit::{AuditEntry, AuditFilter, AuditRecord};
use bulwark_core::page::{PageRequest, Paged};
use bulwark_core::store::Counts;
use bulwark_core::time_util::to_micros;
use sqlx::Row;

use crate::SqlStore;
use crate::rows::{self, AUDIT_COLUMNS};
use crate::write::map_err;

const AUDIT_WHERE: &str = "($1 = '' OR actor_label = $1 OR actor_id = $1) AND ($2 = '' OR entity_type = $2) \
     AND ($3 = '' OR entity_id = $3) AND ($4 = '' OR action = $4) AND at >= $5 AND at < $6";

impl SqlStore {
    pub(crate) async fn audit_list(&self, f: &AuditFilter, page: PageRequest) -> Result<Paged<AuditEntry>, StoreError> {
        let binds = (
            f.actor.clone().unwrap_or_default(),
            f.entity_type.clone().unwrap_or_default(),
            f.entity_id.clone().unwrap_or_default(),
            f.action.clone().unwrap_or_default(),
            f.from.map(to_micros).unwrap_or(i64::MIN),
            f.to.map(to_micros).unwrap_or(i64::MAX),
        );
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM audit_log WHERE {AUDIT_WHERE}"))
            .bind(&binds.0)
            .bind(&binds.1)
            .bind(&binds.2)
            .bind(&binds.3)
            .bind(binds.4)
            .bind(binds.5)
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(map_err)?;
        let found =
            sqlx::query(&format!("SELECT {AUDIT_COLUMNS} WHERE {AUDIT_WHERE} ORDER BY seq DESC LIMIT $7 OFFSET $8"))
                .bind(&binds.0)
                .bind(&binds.1)
                .bind(&binds.2)
                .bind(&binds.3)
                .bind(binds.4)
                .bind(binds.5)
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(Paged {
            items: rows::all(found, rows::audit_entry)?,
            total: total as u64,
            page: page.page,
            per_page: page.per_page,
        })
    }

    pub(crate) async fn audit_after(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let found = sqlx::query(&format!("SELECT {AUDIT_COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows::all(found, rows::audit_entry)
    }

    pub(crate) async fn audit_append(&self, records: Vec<AuditRecord>) -> Result<(), StoreError> {
        let tx = self.begin_write().await?;
        self.commit_with_audit(tx, records).await
    }

    pub(crate) async fn count_all(&self) -> Result<Counts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM people), (SELECT COUNT(*) FROM departments), (SELECT COUNT(*) FROM areas), \
             (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL), \
             (SELECT COALESCE(MAX(seq), 0) FROM audit_log)",
        )
        .fetch_one(&self.pool)
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
}
