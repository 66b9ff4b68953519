//! Authenticators (TOTP), recovery codes and the re-authentication mark on sessions.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::identity::mfa::TotpFactor;
use bulwark_core::ids::AccountId;
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::{AnyConnection, Row};

use crate::rows::{int, parsed, text};
use crate::write::map_err;

pub(crate) async fn find(conn: &mut AnyConnection, account: AccountId) -> Result<Option<TotpFactor>, StoreError> {
    let row = sqlx::query(
        "SELECT account_id, secret, confirmed_at, last_step, created_at FROM totp_factors WHERE account_id = $1",
    )
    .bind(account.to_string())
    .fetch_optional(conn)
    .await
    .map_err(map_err)?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(TotpFactor {
        account_id: parsed(&r, "account_id")?,
        secret: text(&r, "secret")?,
        confirmed_at: r.try_get::<Option<i64>, _>("confirmed_at").map_err(map_err)?.map(from_micros),
        last_step: int(&r, "last_step")?,
        created_at: from_micros(int(&r, "created_at")?),
    }))
}

pub(crate) async fn put(conn: &mut AnyConnection, f: &TotpFactor) -> Result<(), StoreError> {
    delete(&mut *conn, f.account_id).await?;
    sqlx::query(
        "INSERT INTO totp_factors (account_id, secret, confirmed_at, last_step, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(f.account_id.to_string())
    .bind(&f.secret)
    .bind(f.confirmed_at.map(to_micros))
    .bind(f.last_step)
    .bind(to_micros(f.created_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn confirm(
    conn: &mut AnyConnection,
    account: AccountId,
    at: Timestamp,
    step: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE totp_factors SET confirmed_at = $1, last_step = $2 WHERE account_id = $3 AND confirmed_at IS NULL",
    )
    .bind(to_micros(at))
    .bind(step)
    .bind(account.to_string())
    .execute(conn)
    .await
    .map_err(map_err)?;
    crate::write::expect_one(done.rows_affected(), "this authenticator")
}

pub(crate) async fn use_step(conn: &mut AnyConnection, account: AccountId, step: i64) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE totp_factors SET last_step = $1 WHERE account_id = $2 AND last_step < $1")
        .bind(step)
        .bind(account.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn delete(conn: &mut AnyConnection, account: AccountId) -> Result<(), StoreError> {
    for table in ["recovery_codes", "totp_factors"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
            .bind(account.to_string())
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn replace_codes(
    conn: &mut AnyConnection,
    account: AccountId,
    hashes: &[String],
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account.to_string())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    for hash in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (account_id, code_hash, created_at, used_at) VALUES ($1, $2, $3, NULL)",
        )
        .bind(account.to_string())
        .bind(hash)
        .bind(to_micros(at))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn use_code(
    conn: &mut AnyConnection,
    account: AccountId,
    hash: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(to_micros(at))
    .bind(account.to_string())
    .bind(hash)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn count_codes(conn: &mut AnyConnection, account: AccountId) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL")
        .bind(account.to_string())
        .fetch_one(conn)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(map_err)?;
    Ok(n as u64)
}

pub(crate) async fn mark_verified(conn: &mut AnyConnection, id_hash: &str, at: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET verified_at = $1 WHERE id_hash = $2")
        .bind(to_micros(at))
        .bind(id_hash)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}
