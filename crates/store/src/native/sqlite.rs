//! SQLite's native read path: rusqlite on the request's own thread, on a few kept read-only
//! connections with their statements prepared once (sqlx hands every SQLite statement to the
//! connection's worker thread and streams the rows back over a channel). rusqlite and sqlx link
//! the same SQLite (one `libsqlite3-sys`).

use bulwark_core::StoreError;
use rusqlite::types::FromSql;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::position;
use crate::connect::DatabaseUrl;
use crate::list::Value;
use crate::rows::Columns;

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
    pub(super) fn for_url(url: &DatabaseUrl) -> Option<Self> {
        let path = url.sqlite_path()?;
        if path.is_empty() || path.starts_with(':') || url.expose().contains("mode=memory") {
            return None;
        }
        Some(Self { path: PathBuf::from(path), idle: Mutex::default(), closed: AtomicBool::new(false) })
    }

    pub(super) fn each_row(
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

    pub(super) fn close(&self) {
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
