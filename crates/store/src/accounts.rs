//! Accounts, set-password links, sessions and API tokens.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::identity::accounts::{Account, ApiToken, Session};
use bulwark_core::identity::mfa::SessionStage;
use bulwark_core::ids::{AccountId, TokenId};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::{AnyConnection, Row};

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table, Value};
use crate::native::NativeReads;
use crate::rows::{self, ACCOUNT_COLUMNS, TOKEN_SELECT, int, opt_time, parsed, text};
use crate::write::{expect_one, map_err, update_unchanged};

/// The accounts list as the list engine reads it: searched by the person's search text.
const TABLE: Table = Table {
    columns: "a.id, a.person_id, a.email, p.name, a.roles, a.status, a.password_hash, a.last_login_at, \
              a.created_at, a.updated_at",
    from: "accounts a JOIN people p ON p.id = a.person_id",
    count_from: "accounts a JOIN people p ON p.id = a.person_id",
    id: "a.id",
    filters: &[("status", "a.status")],
    sorts: &[("name", "p.name"), ("email", "a.email"), ("last_login", "COALESCE(a.last_login_at, 0)")],
    search: Some(("p.search_text", Some(("people_fts", "p.rowid")))),
    total: None,
};

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<Account>, StoreError> {
    list::page(conn, reads, &TABLE, query, |r| rows::account(r).map(|(a, _)| a)).await
}

/// The account whose `column` equals `value`, with its password hash.
pub(crate) async fn by(
    conn: &mut AnyConnection,
    column: &str,
    value: String,
) -> Result<Option<(Account, Option<String>)>, StoreError> {
    let row = sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} WHERE a.{column} = $1"))
        .bind(value)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| rows::account(r)).transpose()
}

pub(crate) async fn insert(conn: &mut AnyConnection, a: &Account, hash: Option<&str>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO accounts (id, person_id, email, password_hash, roles, status, last_login_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)",
    )
    .bind(a.id.to_string())
    .bind(a.person_id.to_string())
    .bind(&a.email)
    .bind(hash.map(str::to_string))
    .bind(rows::roles_text(a))
    .bind(a.status.as_str())
    .bind(to_micros(a.created_at))
    .bind(to_micros(a.updated_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn update(conn: &mut AnyConnection, before: &Account, after: &Account) -> Result<(), StoreError> {
    let update =
        sqlx::query("UPDATE accounts SET roles = $1, status = $2, updated_at = $3 WHERE id = $4 AND updated_at = $5")
            .bind(rows::roles_text(after))
            .bind(after.status.as_str())
            .bind(to_micros(after.updated_at));
    update_unchanged(&mut *conn, update, after.id.to_string(), before.updated_at, "this account").await?;
    if after.status != before.status {
        end_sessions(conn, after.id).await?;
    }
    Ok(())
}

/// Sets the hash, ends the account's sessions and cancels its set-password links.
pub(crate) async fn set_password_hash(conn: &mut AnyConnection, id: AccountId, hash: &str) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    cancel_resets(&mut *conn, id).await?;
    end_sessions(conn, id).await
}

async fn cancel_resets(conn: &mut AnyConnection, id: AccountId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM password_resets WHERE account_id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

/// Stores a link; it supersedes every earlier link of the account.
pub(crate) async fn insert_reset(
    conn: &mut AnyConnection,
    hash: &str,
    id: AccountId,
    created: Timestamp,
    expires: Timestamp,
) -> Result<(), StoreError> {
    cancel_resets(&mut *conn, id).await?;
    sqlx::query(
        "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, NULL)",
    )
    .bind(hash)
    .bind(id.to_string())
    .bind(to_micros(created))
    .bind(to_micros(expires))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn find_reset(
    conn: &mut AnyConnection,
    hash: &str,
    now: Timestamp,
) -> Result<Option<AccountId>, StoreError> {
    let row = sqlx::query(
        "SELECT account_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(hash)
    .bind(to_micros(now))
    .fetch_optional(conn)
    .await
    .map_err(map_err)?;
    match row {
        Some(r) => {
            let id: String = r.try_get(0).map_err(map_err)?;
            Ok(Some(id.parse().map_err(|_| StoreError::Other(anyhow::anyhow!("bad account id in password_resets")))?))
        }
        None => Ok(None),
    }
}

pub(crate) async fn consume_reset(
    conn: &mut AnyConnection,
    hash: &str,
    now: Timestamp,
) -> Result<AccountId, StoreError> {
    let id = find_reset(&mut *conn, hash, now).await?.ok_or(StoreError::NotFound)?;
    sqlx::query("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2")
        .bind(to_micros(now))
        .bind(hash)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(id)
}

pub(crate) async fn insert_session(conn: &mut AnyConnection, s: &Session) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(to_micros(s.created_at))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    sqlx::query(
        "INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, expires_at, last_seen_at, stage, \
         verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&s.id_hash)
    .bind(s.account_id.to_string())
    .bind(&s.csrf_token)
    .bind(to_micros(s.created_at))
    .bind(to_micros(s.expires_at))
    .bind(to_micros(s.last_seen_at))
    .bind(s.stage.as_str())
    .bind(to_micros(s.verified_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    sqlx::query("UPDATE accounts SET last_login_at = $1 WHERE id = $2")
        .bind(to_micros(s.created_at))
        .bind(s.account_id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn find_session(conn: &mut AnyConnection, id_hash: &str) -> Result<Option<Session>, StoreError> {
    let row = sqlx::query(
        "SELECT id_hash, account_id, csrf_token, created_at, expires_at, last_seen_at, stage, verified_at \
         FROM sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(conn)
    .await
    .map_err(map_err)?;
    row.as_ref().map(|r| rows::session(r)).transpose()
}

pub(crate) async fn delete_session(conn: &mut AnyConnection, id_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(conn).await.map_err(map_err)?;
    Ok(())
}

/// Tokens as the list engine reads them; `account_id` is a filter the service always sets.
const TOKENS: Table = Table {
    columns: TOKEN_SELECT,
    from: "api_tokens",
    count_from: "api_tokens",
    id: "id",
    filters: &[("account_id", "account_id")],
    sorts: &[("name", "name"), ("created", "created_at")],
    search: None,
    total: None,
};

pub(crate) async fn tokens_of(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    account: AccountId,
    query: &ListQuery,
) -> Result<ListPage<ApiToken>, StoreError> {
    let mut query = query.clone();
    query.filters.push(("account_id", account.to_string()));
    list::page(conn, reads, &TOKENS, &query, rows::token).await
}

pub(crate) async fn count_usable_tokens(
    conn: &mut AnyConnection,
    account: AccountId,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let count: i64 = sqlx::query(
        "SELECT COUNT(*) FROM api_tokens WHERE account_id = $1 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(account.to_string())
    .bind(to_micros(now))
    .fetch_one(conn)
    .await
    .and_then(|r| r.try_get(0))
    .map_err(map_err)?;
    Ok(count as u64)
}

pub(crate) async fn token_by(
    conn: &mut AnyConnection,
    column: &str,
    value: String,
) -> Result<Option<ApiToken>, StoreError> {
    let row = sqlx::query(&format!("SELECT {TOKEN_SELECT} FROM api_tokens WHERE {column} = $1"))
        .bind(value)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| rows::token(r)).transpose()
}

pub(crate) async fn insert_token(conn: &mut AnyConnection, t: &ApiToken, hash: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_tokens (id, account_id, name, prefix, token_hash, created_at, expires_at, last_used_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)",
    )
    .bind(t.id.to_string())
    .bind(t.account_id.to_string())
    .bind(&t.name)
    .bind(&t.prefix)
    .bind(hash)
    .bind(to_micros(t.created_at))
    .bind(t.expires_at.map(to_micros))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn revoke_token(conn: &mut AnyConnection, after: &ApiToken) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(after.revoked_at.map(to_micros))
        .bind(after.id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    expect_one(done.rows_affected(), "this token")
}

pub(crate) async fn touch_token(conn: &mut AnyConnection, id: TokenId, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(to_micros(now))
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn revoke_tokens_of(
    conn: &mut AnyConnection,
    id: AccountId,
    at: Timestamp,
) -> Result<u64, StoreError> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL")
        .bind(to_micros(at))
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected())
}

pub(crate) async fn end_sessions(conn: &mut AnyConnection, id: AccountId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn failures_since(conn: &mut AnyConnection, key: &str, since: Timestamp) -> Result<i64, StoreError> {
    sqlx::query("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
        .bind(key)
        .bind(to_micros(since))
        .fetch_one(conn)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(map_err)
}

pub(crate) async fn take_slots(
    conn: &mut AnyConnection,
    slot: &str,
    keys: &[String],
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(to_micros(at - time::Duration::days(1)))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    for key in keys {
        sqlx::query("INSERT INTO login_failures (key, at, slot) VALUES ($1, $2, $3)")
            .bind(key)
            .bind(to_micros(at))
            .bind(slot)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn release_slot(conn: &mut AnyConnection, slot: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE slot = $1").bind(slot).execute(conn).await.map_err(map_err)?;
    Ok(())
}

/// Device cookies live a year.
const DEVICE_LIFETIME: time::Duration = time::Duration::days(365);

pub(crate) async fn trust_device(
    conn: &mut AnyConnection,
    hash: &str,
    email: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM trusted_devices WHERE created_at < $1")
        .bind(to_micros(at - DEVICE_LIFETIME))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    sqlx::query(
        "INSERT INTO trusted_devices (hash, email, created_at) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING",
    )
    .bind(hash)
    .bind(email)
    .bind(to_micros(at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn device_is_trusted(
    conn: &mut AnyConnection,
    hash: &str,
    email: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let n: i64 =
        sqlx::query("SELECT COUNT(*) FROM trusted_devices WHERE hash = $1 AND email = $2 AND created_at >= $3")
            .bind(hash)
            .bind(email)
            .bind(to_micros(now - DEVICE_LIFETIME))
            .fetch_one(conn)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(map_err)?;
    Ok(n > 0)
}

pub(crate) async fn touch_session(conn: &mut AnyConnection, id_hash: &str, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(to_micros(now))
        .bind(id_hash)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

/// The account columns of `ACCOUNT_COLUMNS`, for joins that add another table's.
const ACCOUNT_SELECT: &str = "a.id, a.person_id, a.email, p.name, a.roles, a.status, a.password_hash, \
     a.last_login_at, a.created_at, a.updated_at";

pub(crate) async fn session_with_account(
    conn: &mut dyn Acquire,
    native: Option<&NativeReads>,
    id_hash: &str,
) -> Result<Option<(Session, Account)>, StoreError> {
    let sql = format!(
        "SELECT {ACCOUNT_SELECT}, s.id_hash, s.csrf_token, s.created_at AS s_created_at, s.expires_at, \
         s.last_seen_at, s.stage, s.verified_at FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN people p ON p.id = a.person_id \
         WHERE s.id_hash = $1"
    );
    let found = list::fetch(conn, native, &sql, &[Value::Text(id_hash.to_string())], |r| {
        let (account, _) = rows::account(r)?;
        let session = Session {
            id_hash: text(r, "id_hash")?,
            account_id: account.id,
            csrf_token: text(r, "csrf_token")?,
            created_at: from_micros(int(r, "s_created_at")?),
            expires_at: from_micros(int(r, "expires_at")?),
            last_seen_at: from_micros(int(r, "last_seen_at")?),
            stage: SessionStage::parse(&text(r, "stage")?),
            verified_at: from_micros(int(r, "verified_at")?),
        };
        Ok((session, account))
    })
    .await?;
    Ok(found.into_iter().next())
}

pub(crate) async fn token_with_account(
    conn: &mut dyn Acquire,
    native: Option<&NativeReads>,
    hash: &str,
) -> Result<Option<(ApiToken, Account)>, StoreError> {
    let sql = format!(
        "SELECT {ACCOUNT_SELECT}, t.id AS t_id, t.name AS t_name, t.prefix, t.created_at AS t_created_at, \
         t.expires_at, t.last_used_at, t.revoked_at FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
         JOIN people p ON p.id = a.person_id WHERE t.token_hash = $1"
    );
    let found = list::fetch(conn, native, &sql, &[Value::Text(hash.to_string())], |r| {
        let (account, _) = rows::account(r)?;
        let token = ApiToken {
            id: parsed(r, "t_id")?,
            account_id: account.id,
            name: text(r, "t_name")?,
            prefix: text(r, "prefix")?,
            created_at: from_micros(int(r, "t_created_at")?),
            expires_at: opt_time(r, "expires_at")?,
            last_used_at: opt_time(r, "last_used_at")?,
            revoked_at: opt_time(r, "revoked_at")?,
        };
        Ok((token, account))
    })
    .await?;
    Ok(found.into_iter().next())
}
