//! The native read path: a pooled reader's list pages and per-request lookups are read through
//! the backend's own driver instead of sqlx's `Any` driver, and decoded once.
//!
//! Through `Any`, every row is converted into an `Any` row (each value copied into a new
//! allocation, each column described again) before the domain type copies it once more. Counted
//! with callgrind, that machinery was 45 % of a SQLite people page's instructions and 40 % of a
//! PostgreSQL one's. SQLite is read with rusqlite on the request's own thread (`sqlite`),
//! PostgreSQL with sqlx's typed driver on a few connections of its own (`postgres`).
//!
//! A list page is one bounded statement (a keyset page with a `LIMIT`, its total from a kept
//! counter or an index), so on SQLite running it on the async worker holds that worker for well
//! under a millisecond. The path sees committed data only (each statement reads its own
//! snapshot, as a pooled connection does), so a write unit never reads through here: its reads
//! go through its own transaction.

mod kept;
mod postgres;
mod sqlite;

pub(crate) use kept::{DepartmentNames, Kept};

use bulwark_core::StoreError;
use bulwark_core::store::Backend;
use std::sync::Arc;

use crate::connect::DatabaseUrl;
use crate::list::Value;
use crate::rows::Columns;
use postgres::PgReads;
use sqlite::SqliteReads;

/// The native read path of one database.
pub(crate) enum NativeReads {
    Sqlite(SqliteReads),
    Postgres(Box<PgReads>),
}

impl NativeReads {
    /// The read path for a database: None for an in-memory SQLite database (another connection
    /// would open another, empty database). Connections open when first needed.
    pub(crate) fn for_url(url: &DatabaseUrl) -> anyhow::Result<Option<Arc<Self>>> {
        let native = match url.backend() {
            Backend::Sqlite => SqliteReads::for_url(url).map(Self::Sqlite),
            Backend::Postgres => Some(Self::Postgres(Box::new(PgReads::for_url(url.expose())?))),
        };
        Ok(native.map(Arc::new))
    }

    /// Runs `sql` with `values` bound to its `$n` parameters, handing each row to `each`.
    pub(crate) async fn each_row(
        &self,
        sql: &str,
        values: &[Value],
        mut each: impl FnMut(&dyn Columns) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(sqlite) => sqlite.each_row(sql, values, &mut each),
            Self::Postgres(postgres) => postgres.each_row(sql, values, each).await,
        }
    }

    /// What is kept in memory between reads: on PostgreSQL only (SQLite reads in process).
    pub(crate) fn kept(&self) -> Option<&Kept> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres(postgres) => Some(&postgres.kept),
        }
    }

    /// Closes the idle connections; one in use closes as it comes back.
    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite(sqlite) => sqlite.close(),
            Self::Postgres(postgres) => postgres.close().await,
        }
    }
}

/// The index of result column `col` (exactly as named, else ignoring ASCII case as both
/// databases do).
fn position(names: &[String], col: &str) -> Result<usize, StoreError> {
    (names.iter().position(|name| name == col))
        .or_else(|| names.iter().position(|name| name.eq_ignore_ascii_case(col)))
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("no column {col} in the result")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_is_found_by_its_exact_name_first_then_ignoring_ascii_case() {
        let names: Vec<String> = ["id", "Name", "name", "list_total"].iter().map(|n| n.to_string()).collect();
        assert_eq!(position(&names, "name").unwrap(), 2, "the exact name wins over an earlier case variant");
        assert_eq!(position(&names, "LIST_TOTAL").unwrap(), 3);
        assert!(matches!(position(&names, "email"), Err(StoreError::Other(_))));
    }

    #[test]
    fn an_in_memory_sqlite_database_has_no_native_path() {
        let memory = DatabaseUrl::parse("sqlite::memory:").unwrap();
        assert!(NativeReads::for_url(&memory).unwrap().is_none());
        let file = DatabaseUrl::parse("sqlite:///tmp/bulwark.db").unwrap();
        assert!(matches!(NativeReads::for_url(&file).unwrap().as_deref(), Some(NativeReads::Sqlite(_))));
    }
}
