//! Single sign-on: provider identities linked to accounts, and sign-ins waiting for the
//! provider's answer.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::identity::sso::PendingSignIn;
use bulwark_core::ids::AccountId;
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::rows::{int, parsed, text};
use crate::write::map_err;

pub(crate) async fn find_identity(conn: &mut AnyConnection, key: &str) -> Result<Option<AccountId>, StoreError> {
    let row = sqlx::query("SELECT account_id FROM sso_identities WHERE subject_key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| parsed(r, "account_id")).transpose()
}

pub(crate) async fn identity_of(conn: &mut AnyConnection, account: AccountId) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT subject_key FROM sso_identities WHERE account_id = $1")
        .bind(account.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| text(r, "subject_key")).transpose()
}

pub(crate) async fn link(
    conn: &mut AnyConnection,
    key: &str,
    account: AccountId,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO sso_identities (subject_key, account_id, created_at) VALUES ($1, $2, $3)")
        .bind(key)
        .bind(account.to_string())
        .bind(to_micros(at))
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn put_login(conn: &mut AnyConnection, state_hash: &str, p: &PendingSignIn) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sso_logins WHERE created_at < $1")
        .bind(to_micros(p.created_at - bulwark_core::identity::sso::PENDING_LIFETIME))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    sqlx::query(
        "INSERT INTO sso_logins (state_hash, nonce, pkce_verifier, next_path, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(state_hash)
    .bind(&p.nonce)
    .bind(&p.pkce_verifier)
    .bind(&p.next)
    .bind(to_micros(p.created_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Removes and returns the sign-in; `DELETE … RETURNING` makes it single use on both backends.
pub(crate) async fn take_login(
    conn: &mut AnyConnection,
    state_hash: &str,
    oldest: Timestamp,
) -> Result<Option<PendingSignIn>, StoreError> {
    let row = sqlx::query(
        "DELETE FROM sso_logins WHERE state_hash = $1 RETURNING nonce, pkce_verifier, next_path, created_at",
    )
    .bind(state_hash)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    sqlx::query("DELETE FROM sso_logins WHERE created_at < $1")
        .bind(to_micros(oldest))
        .execute(conn)
        .await
        .map_err(map_err)?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(PendingSignIn {
        nonce: text(&r, "nonce")?,
        pkce_verifier: text(&r, "pkce_verifier")?,
        next: text(&r, "next_path")?,
        created_at: from_micros(int(&r, "created_at")?),
    }))
}
