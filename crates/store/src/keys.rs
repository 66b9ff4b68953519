//! The key inventory: its list (with the owner's name), lookups and writes. Rotation due date
//! and weakness are stored beside the record, derived from it, for sorting and filtering.

use bulwark_core::StoreError;
use bulwark_core::ids::KeyId;
use bulwark_core::keys::{CryptoKey, KeyStatus, Revocation, search_text};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::rows::{Columns, corrupt, date, int, opt_int, opt_text, parsed, text};
use crate::write::{map_err, update_unchanged};

const SELECT: &str = "k.id, k.name, k.purpose, k.algorithm, k.size_bits, k.owner_id, k.location, k.fingerprint, \
     k.created_on, k.last_rotated_on, k.rotation_days, k.status, k.revoked_at, k.revoked_by, k.revocation_reason, \
     k.created_at, k.updated_at, o.name AS owner_name";
const FROM: &str = "crypto_keys k LEFT JOIN people o ON o.id = k.owner_id";

const TABLE: Table = Table {
    columns: SELECT,
    from: FROM,
    count_from: "crypto_keys k",
    id: "k.id",
    filters: &[("status", "k.status"), ("weak", "k.weak"), ("owner_id", "k.owner_id")],
    sorts: &[
        ("name", "k.name"),
        ("algorithm", "k.algorithm"),
        ("rotation_due", "COALESCE(k.rotation_due, 9223372036854775807)"),
        ("created", "k.created_at"),
    ],
    // A few hundred keys at most: scanned, no index table.
    search: Some(("k.search_text", None)),
    total: None,
};

fn row(r: &dyn Columns) -> Result<CryptoKey, StoreError> {
    let status = text(r, "status")?;
    let revocation = match opt_int(r, "revoked_at")? {
        Some(at) => Some(Revocation {
            at: from_micros(at),
            by: opt_text(r, "revoked_by")?.unwrap_or_default(),
            reason: opt_text(r, "revocation_reason")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(CryptoKey {
        id: parsed(r, "id")?,
        name: text(r, "name")?,
        purpose: text(r, "purpose")?,
        algorithm: text(r, "algorithm")?,
        size_bits: opt_int(r, "size_bits")?,
        owner_id: opt_text(r, "owner_id")?.map(|v| v.parse().map_err(|_| corrupt("owner_id", &v))).transpose()?,
        location: text(r, "location")?,
        fingerprint: text(r, "fingerprint")?,
        created_on: date(r, "created_on")?,
        last_rotated_on: date(r, "last_rotated_on")?,
        rotation_days: opt_int(r, "rotation_days")?,
        status: KeyStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        revocation,
        owner_name: opt_text(r, "owner_name")?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<CryptoKey>, StoreError> {
    list::page(conn, reads, &TABLE, query, row).await
}

pub(crate) async fn find(conn: &mut AnyConnection, id: KeyId) -> Result<Option<CryptoKey>, StoreError> {
    let found = sqlx::query(&format!("SELECT {SELECT} FROM {FROM} WHERE k.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    found.as_ref().map(|r| row(r)).transpose()
}

/// The stored columns of a key, in `INSERT` order after the id.
type StoredColumns = (
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    &'static str,
    &'static str,
);

fn columns(k: &CryptoKey) -> StoredColumns {
    (
        k.name.clone(),
        k.purpose.clone(),
        k.algorithm.clone(),
        k.size_bits,
        k.owner_id.map(|p| p.to_string()),
        k.location.clone(),
        k.fingerprint.clone(),
        k.created_on.to_string(),
        k.last_rotated_on.to_string(),
        k.rotation_days,
        k.rotation_due().map(|d| to_micros(d.midnight().assume_utc())),
        if k.weaknesses().is_empty() { "no" } else { "yes" },
        k.status.as_str(),
    )
}

pub(crate) async fn insert(conn: &mut AnyConnection, k: &CryptoKey) -> Result<(), StoreError> {
    let c = columns(k);
    sqlx::query(
        "INSERT INTO crypto_keys (id, name, purpose, algorithm, size_bits, owner_id, location, fingerprint, created_on, \
         last_rotated_on, rotation_days, rotation_due, weak, status, revoked_at, revoked_by, revocation_reason, \
         search_text, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, NULL, NULL, $15, $16, $17)",
    )
    .bind(k.id.to_string())
    .bind(c.0)
    .bind(c.1)
    .bind(c.2)
    .bind(c.3)
    .bind(c.4)
    .bind(c.5)
    .bind(c.6)
    .bind(c.7)
    .bind(c.8)
    .bind(c.9)
    .bind(c.10)
    .bind(c.11)
    .bind(c.12)
    .bind(search_text(k))
    .bind(to_micros(k.created_at))
    .bind(to_micros(k.updated_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn update(conn: &mut AnyConnection, before: &CryptoKey, after: &CryptoKey) -> Result<(), StoreError> {
    let c = columns(after);
    let revocation = after.revocation.as_ref();
    let update = sqlx::query(
        "UPDATE crypto_keys SET name = $1, purpose = $2, algorithm = $3, size_bits = $4, owner_id = $5, location = $6, \
         fingerprint = $7, created_on = $8, last_rotated_on = $9, rotation_days = $10, rotation_due = $11, weak = $12, \
         status = $13, revoked_at = $14, revoked_by = $15, revocation_reason = $16, search_text = $17, updated_at = $18 \
         WHERE id = $19 AND updated_at = $20",
    )
    .bind(c.0)
    .bind(c.1)
    .bind(c.2)
    .bind(c.3)
    .bind(c.4)
    .bind(c.5)
    .bind(c.6)
    .bind(c.7)
    .bind(c.8)
    .bind(c.9)
    .bind(c.10)
    .bind(c.11)
    .bind(c.12)
    .bind(revocation.map(|r| to_micros(r.at)))
    .bind(revocation.map(|r| r.by.clone()))
    .bind(revocation.map(|r| r.reason.clone()))
    .bind(search_text(after))
    .bind(to_micros(after.updated_at));
    update_unchanged(conn, update, after.id.to_string(), before.updated_at, "this key").await
}
