//! Opening a database from its URL, per-backend connection settings, and migrations.

use anyhow::{Context, bail};
use bulwark_core::store::Backend;
use futures::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnectionMetadata;
use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use crate::native::NativeReads;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A database URL whose password never appears in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Accepts `sqlite://PATH` and `postgres://…` (or `postgresql://…`); refuses anything else.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self(url.to_string()))
        } else {
            bail!(
                "unsupported database URL '{}': use sqlite:///absolute/path.db or postgres://user@host:port/db",
                Self(url.into())
            )
        }
    }

    /// The embedded database in `dir`.
    pub fn sqlite_file(path: &Path) -> Self {
        Self(format!("sqlite://{}", path.display()))
    }

    pub fn backend(&self) -> Backend {
        if self.0.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SQLite file path, if this is a SQLite URL.
    pub fn sqlite_path(&self) -> Option<&str> {
        let rest = self.0.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        Some(rest.split('?').next().unwrap_or(rest))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // postgres://user:secret@host -> postgres://user:***@host
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                let userinfo = &self.0[scheme_end + 3..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => write!(f, "{}{user}:***{}", &self.0[..scheme_end + 3], &self.0[at..]),
                    None => f.write_str(&self.0),
                }
            }
            _ => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// The PostgreSQL pool's check before handing a connection out: a round trip only when it has
/// sat idle (a restarted server or a dropped link shows there); under load it was in use a
/// moment ago, and sqlx checks it again as it comes back.
fn ping_when_idle(conn: &mut AnyConnection, meta: PoolConnectionMetadata) -> BoxFuture<'_, Result<bool, sqlx::Error>> {
    Box::pin(async move {
        if meta.idle_for >= Duration::from_secs(1) {
            conn.ping().await?;
        }
        Ok(true)
    })
}

/// The store: a connection pool and which backend it talks to.
#[derive(Clone)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// SQLite writers wait here, first come first served, before `BEGIN IMMEDIATE`.
    pub(crate) write_turn: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Where the database is (PostgreSQL's audit verification opens a connection of its own).
    pub(crate) url: DatabaseUrl,
    /// The native read path for a pooled reader's lists and lookups (`native`).
    pub(crate) native: Option<std::sync::Arc<NativeReads>>,
}

impl SqlStore {
    /// Connects (creating a SQLite file if needed) without migrating.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Self> {
        Self::connect_with(url, true).await
    }

    /// Opens a database that `migrate` (or `serve`) already created and migrated; never
    /// creates, never migrates. A missing or unmigrated database is an error that says so.
    pub async fn open_existing(url: &DatabaseUrl) -> anyhow::Result<Self> {
        if let Some(path) = url.sqlite_path()
            && !Path::new(path).is_file()
        {
            bail!("there is no Bulwark database at {path} (check --database; `bulwark migrate` creates one)");
        }
        let store = Self::connect_with(url, false).await?;
        let migrator = store.migrator();
        let applied: Vec<i64> = match sqlx::query_scalar::<_, i64>("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&store.pool)
            .await
        {
            Ok(v) => v,
            Err(_) => bail!("{url} is not a Bulwark database (no migrations applied; run `bulwark migrate`)"),
        };
        if let Some(missing) = migrator.iter().find(|m| !applied.contains(&m.version)) {
            bail!("{url} lacks migration {} ({}); run `bulwark migrate`", missing.version, missing.description);
        }
        Ok(store)
    }

    async fn connect_with(url: &DatabaseUrl, create: bool) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let mut raw = url.expose().to_string();
        if create
            && let Some(path) = url.sqlite_path()
            && let Some(parent) = Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        if backend == Backend::Sqlite && !raw.contains("mode=") {
            let mode = if create { "mode=rwc" } else { "mode=rw" };
            raw.push_str(if raw.contains('?') { "&" } else { "?" });
            raw.push_str(mode);
        }
        let opts = AnyConnectOptions::from_str(&raw).with_context(|| format!("invalid database URL {url}"))?;
        let pool_opts = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            Backend::Sqlite => {
                // An embedded file's connection never breaks: no ping (a round trip to the
                // connection's worker thread) before each checkout.
                pool_opts
                    .max_connections(8)
                    .test_before_acquire(false)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // cache_spill off: a large write (a campaign for 100,000 people)
                            // keeps its dirty pages in memory until commit instead of writing
                            // them to the WAL twice; it halves such a statement's time.
                            // (Mapping the file with mmap_size served 1.4 times the searches,
                            // but every page read stays in the process's RSS: 23 MB after a
                            // few searches, over the SPEC's idle memory bar.)
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                                 PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
                                 PRAGMA cache_spill = OFF;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await
            }
            Backend::Postgres => {
                pool_opts
                    .max_connections(16)
                    .test_before_acquire(false)
                    .before_acquire(ping_when_idle)
                    .connect_with(opts)
                    .await
            }
        }
        .with_context(|| format!("cannot open database {url}"))?;
        let native = NativeReads::for_url(url).with_context(|| format!("invalid database URL {url}"))?;
        Ok(Self { pool, backend, write_turn: Default::default(), url: url.clone(), native })
    }

    /// Connects and applies every pending migration of this backend.
    pub async fn open(url: &DatabaseUrl) -> anyhow::Result<Self> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub(crate) fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.migrator().run(&self.pool).await.context("database migration failed")?;
        let mut conn = self.pool.acquire().await?;
        crate::people::backfill_search_text(&mut conn).await.context("filling the search index failed")?;
        Ok(())
    }

    /// Brings the query planner's statistics up to date after a bulk load (`seed`, `restore`),
    /// so the first requests after it are planned with the data that is there, not for empty
    /// tables. PostgreSQL vacuums and analyzes every table (autovacuum would, in its own time,
    /// and not at all where it is turned off); SQLite analyzes a sample of each index and
    /// merges each full-text index into one segment (a bulk load leaves it in many, and every
    /// search reads each term's entries from every segment: over a quarter of its index work).
    pub async fn refresh_statistics(&self) -> anyhow::Result<()> {
        let context = "refreshing the planner's statistics failed";
        match self.backend {
            Backend::Sqlite => {
                self.pool.execute("PRAGMA analysis_limit = 1000; ANALYZE;").await.context(context)?;
                let indexes: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5%'",
                )
                .fetch_all(&self.pool)
                .await
                .context(context)?;
                for index in indexes {
                    let quoted = index.replace('"', "\"\"");
                    self.pool
                        .execute(format!("INSERT INTO \"{quoted}\"(\"{quoted}\") VALUES ('optimize')").as_str())
                        .await
                        .with_context(|| format!("merging the search index {index} failed"))?;
                }
            }
            Backend::Postgres => {
                self.pool.execute("VACUUM (ANALYZE)").await.context(context)?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(native) = &self.native {
            native.close().await;
        }
    }

    /// Runs raw SQL; for tests that play an attacker with database access.
    pub async fn execute_raw(&self, sql: &str) -> anyhow::Result<()> {
        self.pool.execute(sql).await?;
        Ok(())
    }

    /// The number a raw `SELECT COUNT(*) …` answers; for tests that look at the database itself.
    pub async fn count_raw(&self, sql: &str) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>(sql).fetch_one(&self.pool).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_masked_and_unknown_schemes_refused() {
        let u = DatabaseUrl::parse("postgres://app:hunter2@db:5432/bulwark").unwrap();
        assert_eq!(u.to_string(), "postgres://app:***@db:5432/bulwark");
        assert!(!format!("{u:?}").contains("hunter2"));
        assert!(DatabaseUrl::parse("mysql://x").unwrap_err().to_string().contains("unsupported"));
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/b.db").unwrap().sqlite_path(), Some("/tmp/b.db"));
    }
}
