//! A unit of work's connection, taken from the pool only when a read needs it.
//!
//! Most pages now read only through the native path (`native`), so a pooled reader that took
//! its `Any` connection as it started would hold one it never uses — and sqlx pings every
//! connection as it returns to the pool (a round trip on PostgreSQL, a hand-off to the
//! connection's thread on SQLite). A write transaction already has its connection.

use bulwark_core::StoreError;
use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool};
use std::ops::DerefMut;

use crate::write::{WriteTx, map_err};

/// Where a unit's statements run when they go through sqlx's `Any` driver.
pub(crate) trait Acquire: Send {
    /// The connection, acquired from the pool on first use.
    fn conn(&mut self) -> BoxFuture<'_, Result<&mut AnyConnection, StoreError>>;
}

/// A pooled reader's connection: none until a read needs one, then kept for the unit.
pub(crate) struct Lazy {
    pool: AnyPool,
    conn: Option<PoolConnection<Any>>,
}

impl Lazy {
    pub(crate) fn new(pool: AnyPool) -> Self {
        Self { pool, conn: None }
    }
}

impl Acquire for Lazy {
    fn conn(&mut self) -> BoxFuture<'_, Result<&mut AnyConnection, StoreError>> {
        Box::pin(async move {
            let conn = match self.conn.take() {
                Some(conn) => conn,
                None => self.pool.acquire().await.map_err(map_err)?,
            };
            Ok(self.conn.insert(conn).deref_mut())
        })
    }
}

impl Acquire for WriteTx {
    fn conn(&mut self) -> BoxFuture<'_, Result<&mut AnyConnection, StoreError>> {
        Box::pin(std::future::ready(Ok(self.deref_mut())))
    }
}
