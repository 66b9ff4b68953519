//! PostgreSQL's native read path: sqlx's typed PostgreSQL driver on a few connections of its
//! own, whose rows are decoded straight from the received buffer.
//!
//! The connections are kept here rather than in a sqlx pool: a sqlx pool hands each returned
//! connection to a task of its own that pings the server before the connection is reused — a
//! round trip, a wake-up and a task for every statement, which cost as much of the server's
//! time as the statement itself on a page's short reads. Reads are idempotent, so a kept
//! connection the server has ended meanwhile (a restart, an idle timeout) costs no ping either:
//! the statement that finds it broken runs once more on a new connection.

use bulwark_core::StoreError;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgRow, PgTypeInfo};
use sqlx::{Column as _, ConnectOptions as _, Connection as _, Postgres, Row, TypeInfo as _};
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

use super::kept::Kept;
use super::position;
use crate::list::{Value, bind_all};
use crate::rows::Columns;
use crate::write::map_err;

/// Connections an instance opens for the native path (beside the `Any` pool's).
const CONNECTIONS: usize = 8;

/// How long a read waits for a connection (all in use, or the server slow to accept one).
const WAIT: Duration = Duration::from_secs(10);

/// Read connections to one PostgreSQL database, opened when first needed.
pub(crate) struct PgReads {
    options: PgConnectOptions,
    idle: Mutex<Vec<PgConnection>>,
    /// One permit per connection that may be open.
    permits: Semaphore,
    closed: AtomicBool,
    /// The department names kept between reads.
    pub(super) kept: Kept,
}

impl PgReads {
    pub(super) fn for_url(url: &str) -> anyhow::Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let kept = Kept::new(options.clone());
        let options = options.application_name("bulwark-reads");
        Ok(Self {
            options,
            idle: Mutex::default(),
            permits: Semaphore::new(CONNECTIONS),
            kept,
            closed: AtomicBool::new(false),
        })
    }

    /// Runs `sql` with `values` bound to its `$n` parameters, handing each row to `each`.
    pub(super) async fn each_row(
        &self,
        sql: &str,
        values: &[Value],
        mut each: impl FnMut(&dyn Columns) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let _permit = match tokio::time::timeout(WAIT, self.permits.acquire()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return Err(closed()),
            Err(_) => return Err(StoreError::Unavailable("no database connection was free for 10 s".into())),
        };
        let rows = match self.kept() {
            Some(mut conn) => match query(&mut conn, sql, values).await {
                Err(e) if is_broken(&e) => {
                    // The server ended this kept connection: the read runs again on a new one.
                    drop(conn);
                    self.on_new(sql, values).await?
                }
                result => self.give_back(conn, result)?,
            },
            None => self.on_new(sql, values).await?,
        };
        let Some(first) = rows.first() else { return Ok(()) };
        let names: Vec<String> = first.columns().iter().map(|c| c.name().to_string()).collect();
        let kinds: Vec<PgKind> = first.columns().iter().map(|c| PgKind::of(c.type_info())).collect();
        for row in &rows {
            each(&PgNamedRow { row, names: &names, kinds: &kinds })?;
        }
        Ok(())
    }

    /// Closes the idle connections; one in use closes as it comes back.
    pub(super) async fn close(&self) {
        self.kept.close();
        self.closed.store(true, Ordering::Relaxed);
        self.permits.close();
        let idle = self.idle.lock().map(|mut idle| std::mem::take(&mut *idle)).unwrap_or_default();
        for conn in idle {
            let _ = conn.close().await;
        }
    }

    /// Runs the read on a new connection, kept afterwards.
    async fn on_new(&self, sql: &str, values: &[Value]) -> Result<Vec<PgRow>, StoreError> {
        let mut conn = match tokio::time::timeout(WAIT, self.options.connect()).await {
            Ok(connected) => connected.map_err(map_err)?,
            Err(_) => return Err(StoreError::Unavailable("the database did not accept a connection for 10 s".into())),
        };
        let result = query(&mut conn, sql, values).await;
        self.give_back(conn, result)
    }

    fn kept(&self) -> Option<PgConnection> {
        self.idle.lock().ok()?.pop()
    }

    /// Keeps the connection for the next read unless the statement left it unusable (a read
    /// cancelled halfway never gets here: its connection is dropped with it).
    fn give_back(&self, conn: PgConnection, result: Result<Vec<PgRow>, sqlx::Error>) -> Result<Vec<PgRow>, StoreError> {
        // A statement the server refused (a constraint, a timeout) leaves the connection usable.
        let usable = match &result {
            Ok(_) => true,
            Err(e) => matches!(e, sqlx::Error::Database(_)) && !is_broken(e),
        };
        if usable
            && !self.closed.load(Ordering::Relaxed)
            && let Ok(mut idle) = self.idle.lock()
        {
            idle.push(conn);
        }
        result.map_err(map_err)
    }
}

async fn query(conn: &mut PgConnection, sql: &str, values: &[Value]) -> Result<Vec<PgRow>, sqlx::Error> {
    bind_all(sqlx::query::<Postgres>(sql), values).fetch_all(conn).await
}

/// Whether an error says the connection no longer works (rather than the statement failing).
fn is_broken(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Io(_) | sqlx::Error::Protocol(_))
        || matches!(e, sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")))
}

fn closed() -> StoreError {
    StoreError::Unavailable("the database is closed".into())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_columns_are_told_apart_by_kind_so_a_value_is_never_decoded_as_another_type() {
        assert_eq!(PgKind::of(&PgTypeInfo::with_name("TEXT")), PgKind::Text);
        assert_eq!(PgKind::of(&PgTypeInfo::with_name("INT8")), PgKind::Int);
        assert_eq!(PgKind::of(&PgTypeInfo::with_name("BYTEA")), PgKind::Other);
    }
}
