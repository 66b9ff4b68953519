//! The native read path: a pooled reader's list pages and per-request lookups are read through
//! the backend's own driver instead of sqlx's `Any` driver, and decoded once.
//!
//! Through `Any`, every row is converted into an `Any` row (each value copied into a new
//! allocation, each column described again) before the domain type copies it once more. Counted
//! with callgrind, that machinery was 45 % of a SQLite people page's instructions and 40 % of a
//! PostgreSQL one's. SQLite is read with rusqlite on the request's own thread (sqlx also hands
//! every SQLite statement to the connection's worker thread and streams the rows back over a
//! channel); PostgreSQL with sqlx's typed driver on a small pool of its own, whose rows are
//! decoded straight from the received buffer.
//!
//! A list page is one bounded statement (a keyset page with a `LIMIT`, its total from a kept
//! counter or an index), so on SQLite running it on the async worker holds that worker for well
//! under a millisecond. The path sees committed data only (each statement reads its own
//! snapshot, as a pooled connection does), so a write unit never reads through here: its reads
//! go through its own transaction. rusqlite and sqlx link the same SQLite (one
//! `libsqlite3-sys`).

use bulwark_core::StoreError;
use bulwark_core::store::Backend;
use rusqlite::types::FromSql;
use rusqlite::{Connection, OpenFlags};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow, PgTypeInfo};
use sqlx::{Column as _, Postgres, Row, TypeInfo as _};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::connect::{DatabaseUrl, ping_when_idle};
use crate::list::{Value, bind_all};
use crate::rows::Columns;
use crate::write::map_err;

/// The native read path of one database.
pub(crate) enum NativeReads {
    Sqlite(SqliteReads),
    Postgres(PgPool),
}

/// Connections a PostgreSQL instance opens for the native path (beside the `Any` pool's).
const POSTGRES_CONNECTIONS: u32 = 8;

impl NativeReads {
    /// The read path for a database: None for an in-memory SQLite database (another connection
    /// would open another, empty database). PostgreSQL connections open when first needed.
    pub(crate) fn for_url(url: &DatabaseUrl) -> anyhow::Result<Option<Arc<Self>>> {
        let native = match url.backend() {
            Backend::Sqlite => SqliteReads::for_url(url).map(Self::Sqlite),
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url.expose())?;
                let pool = PgPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(10))
                    .test_before_acquire(false)
                    .before_acquire(ping_when_idle)
                    .connect_lazy_with(options);
                Some(Self::Postgres(pool))
            }
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
            Self::Postgres(pool) => {
                let rows = bind_all(sqlx::query::<Postgres>(sql), values).fetch_all(pool).await.map_err(map_err)?;
                let Some(first) = rows.first() else { return Ok(()) };
                let names: Vec<String> = first.columns().iter().map(|c| c.name().to_string()).collect();
                let kinds: Vec<PgKind> = first.columns().iter().map(|c| PgKind::of(c.type_info())).collect();
                for row in &rows {
                    each(&PgNamedRow { row, names: &names, kinds: &kinds })?;
                }
                Ok(())
            }
        }
    }

    /// Closes the idle connections; one in use closes as it comes back.
    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite(sqlite) => sqlite.close(),
            Self::Postgres(pool) => pool.close().await,
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

/// What a PostgreSQL result column holds, checked once per statement so that each value is
/// decoded without sqlx checking its type again (a sixth of a page's instructions went there).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PgKind {
    Text,
    Int,
    Other,
}

impl PgKind {
    fn of(ty: &PgTypeInfo) -> Self {
        match ty.name() {
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Self::Text,
            "INT2" | "INT4" | "INT8" => Self::Int,
            _ => Self::Other,
        }
    }
}

/// A PostgreSQL row with its statement's column names and kinds.
struct PgNamedRow<'r> {
    row: &'r PgRow,
    names: &'r [String],
    kinds: &'r [PgKind],
}

impl PgNamedRow<'_> {
    fn get<T: for<'v> sqlx::Decode<'v, Postgres>>(&self, col: &str, kind: PgKind) -> Result<T, StoreError> {
        let index = position(self.names, col)?;
        if self.kinds[index] != kind {
            let found = self.kinds[index];
            return Err(StoreError::Other(anyhow::anyhow!("column {col} holds {found:?}, read as {kind:?}")));
        }
        self.row.try_get_unchecked(index).map_err(map_err)
    }
}

impl Columns for PgNamedRow<'_> {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.get(col, PgKind::Text)
    }

    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.get(col, PgKind::Text)
    }

    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.get(col, PgKind::Int)
    }

    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.get(col, PgKind::Int)
    }
}

/// Idle SQLite connections kept for the next page (the async runtime has one worker per core, so a
/// few are in use at once).
const IDLE_KEPT: usize = 4;

/// Prepared statements kept per connection: one per list, sort and filter combination in use.
const STATEMENTS_KEPT: usize = 64;

/// Read-only connections to one SQLite file, opened when first needed.
pub(crate) struct SqliteReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    closed: AtomicBool,
}

impl SqliteReads {
    fn for_url(url: &DatabaseUrl) -> Option<Self> {
        let path = url.sqlite_path()?;
        if path.is_empty() || path.starts_with(':') || url.expose().contains("mode=memory") {
            return None;
        }
        Some(Self { path: PathBuf::from(path), idle: Mutex::default(), closed: AtomicBool::new(false) })
    }

    fn each_row(
        &self,
        sql: &str,
        values: &[Value],
        each: &mut dyn FnMut(&dyn Columns) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let conn = self.take()?;
        let result = run(&conn, sql, values, each);
        if !self.closed.load(Ordering::Relaxed)
            && let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE_KEPT
        {
            idle.push(conn);
        }
        result
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    fn take(&self) -> Result<Connection, StoreError> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(StoreError::Unavailable("the database is closed".into()));
        }
        if let Some(conn) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(conn);
        }
        // Read-write without create: a read-only handle could not take part in WAL's shared
        // memory when it is the first to open the file; `query_only` keeps it from writing.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(native_err)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(native_err)?;
        conn.pragma_update(None, "query_only", true).map_err(native_err)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        Ok(conn)
    }
}

fn run(
    conn: &Connection,
    sql: &str,
    values: &[Value],
    each: &mut dyn FnMut(&dyn Columns) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(native_err)?;
    // The builder numbers its parameters `$1`, `$2`, … in the order it binds them, which is not
    // always their order in the text: each is bound by the number in its name.
    for index in 1..=statement.parameter_count() {
        let value = statement
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|number| number.parse::<usize>().ok())
            .and_then(|number| values.get(number.checked_sub(1)?))
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("parameter {index} of a list statement has no value")))?;
        match value {
            Value::Text(text) => statement.raw_bind_parameter(index, text.as_str()),
            Value::Int(int) => statement.raw_bind_parameter(index, int),
        }
        .map_err(native_err)?;
    }
    let names: Vec<String> = statement.column_names().into_iter().map(str::to_string).collect();
    let mut rows = statement.raw_query();
    while let Some(row) = rows.next().map_err(native_err)? {
        each(&NamedRow { row, names: &names })?;
    }
    Ok(())
}

/// A row and its statement's column names, read once per statement (rusqlite finds a column by
/// name by asking SQLite for each column's name on every read: a tenth of a search page's
/// instructions went there).
struct NamedRow<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    names: &'r [String],
}

impl NamedRow<'_, '_> {
    fn get<T: FromSql>(&self, col: &str) -> Result<T, StoreError> {
        self.row.get(position(self.names, col)?).map_err(native_err)
    }
}

impl Columns for NamedRow<'_, '_> {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.get(col)
    }

    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.get(col)
    }

    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.get(col)
    }

    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.get(col)
    }
}

fn native_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(anyhow::Error::new(e)),
    }
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
    fn postgres_columns_are_told_apart_by_kind_so_a_value_is_never_decoded_as_another_type() {
        assert_eq!(PgKind::of(&PgTypeInfo::with_name("TEXT")), PgKind::Text);
        assert_eq!(PgKind::of(&PgTypeInfo::with_name("INT8")), PgKind::Int);
        assert_eq!(PgKind::of(&PgTypeInfo::with_name("BYTEA")), PgKind::Other);
    }

    #[test]
    fn an_in_memory_sqlite_database_has_no_native_path() {
        let memory = DatabaseUrl::parse("sqlite::memory:").unwrap();
        assert!(NativeReads::for_url(&memory).unwrap().is_none());
        let file = DatabaseUrl::parse("sqlite:///tmp/bulwark.db").unwrap();
        assert!(matches!(NativeReads::for_url(&file).unwrap().as_deref(), Some(NativeReads::Sqlite(_))));
    }
}
