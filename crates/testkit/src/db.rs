//! Fresh databases for tests. SQLite: a file in a temporary directory. PostgreSQL: a new
//! database named by a UUID, dropped when the `TestDb` is dropped.

use bulwark_core::store::Backend;
use bulwark_store::{DatabaseUrl, SqlStore};
use sqlx::Connection;

pub struct TestDb {
    pub backend: Backend,
    pub url: DatabaseUrl,
    pub store: SqlStore,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

/// The backends to test: SQLite always, PostgreSQL when configured. With
/// `BULWARK_TEST_REQUIRE_PG=1` a missing PostgreSQL fails the test instead of skipping it.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    match std::env::var("BULWARK_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => v.push(Backend::Postgres),
        _ => {
            assert!(
                std::env::var("BULWARK_TEST_REQUIRE_PG").is_err(),
                "BULWARK_TEST_REQUIRE_PG is set but BULWARK_TEST_POSTGRES_URL is not"
            );
            eprintln!("skipped: PostgreSQL cases (set BULWARK_TEST_POSTGRES_URL to run them)");
        }
    }
    v
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = DatabaseUrl::sqlite_file(&dir.path().join("test.db"));
                let store = SqlStore::open(&url).await.expect("open sqlite");
                Self { backend, url, store, _dir: Some(dir), pg_admin: None }
            }
            Backend::Postgres => {
                let admin = std::env::var("BULWARK_TEST_POSTGRES_URL").expect("BULWARK_TEST_POSTGRES_URL");
                let name = format!("bulwark_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
                conn.close().await.ok();
                let url = DatabaseUrl::parse(&with_database(&admin, &name)).expect("url");
                let store = SqlStore::open(&url).await.expect("open postgres");
                Self { backend, url, store, _dir: None, pg_admin: Some((admin, name)) }
            }
        }
    }

    /// Another connection pool to the same database (a second instance).
    pub async fn second_store(&self) -> SqlStore {
        SqlStore::open(&self.url).await.expect("second store")
    }
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_admin.take() {
            // Drop in a thread of its own: Drop cannot await, and the test's runtime may be gone.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(super::with_database("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(super::with_database("postgres://u@h:5432", "x"), "postgres://u@h:5432/x");
    }
}
