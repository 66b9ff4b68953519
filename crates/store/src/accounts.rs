//! Accounts, set-password links, sessions and API tokens.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::accounts::{Account, ApiToken, Session};
use bulwark_core::audit::AuditRecord;
use bulwark_core::ids::{AccountId, TokenId};
use bulwark_core::page::{PageRequest, Paged};
use bulwark_core::time_util::to_micros;
use sqlx::Row;

use crate::SqlStore;
use crate::people::like_pattern;
use crate::rows::{self, ACCOUNT_COLUMNS, TOKEN_COLUMNS};
use crate::write::{expect_one, map_err, update_unchanged};

impl SqlStore {
    pub(crate) async fn accounts_list(&self, q: Option<&str>, page: PageRequest) -> Result<Paged<Account>, StoreError> {
        let pattern = like_pattern(q);
        let filter = "($1 = '' OR LOWER(p.name) LIKE $1 ESCAPE '\\' OR a.email LIKE $1 ESCAPE '\\')";
        let total: i64 =
            sqlx::query(&format!("SELECT COUNT(*) FROM accounts a JOIN people p ON p.id = a.person_id WHERE {filter}"))
                .bind(&pattern)
                .fetch_one(&self.pool)
                .await
                .and_then(|r| r.try_get(0))
                .map_err(map_err)?;
        let found =
            sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} WHERE {filter} ORDER BY p.name, a.id LIMIT $2 OFFSET $3"))
                .bind(&pattern)
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        let items = found.iter().map(|r| rows::account(r).map(|(a, _)| a)).collect::<Result<_, _>>()?;
        Ok(Paged { items, total: total as u64, page: page.page, per_page: page.per_page })
    }

    pub(crate) async fn account_by(
        &self,
        column: &str,
        value: String,
    ) -> Result<Option<(Account, Option<String>)>, StoreError> {
        let row = sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} WHERE a.{column} = $1"))
            .bind(value)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(rows::account).transpose()
    }

    pub(crate) async fn account_insert(
        &self,
        a: &Account,
        hash: Option<&str>,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
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
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        self.commit_with_audit(tx, vec![audit]).await
    }

    pub(crate) async fn account_update(
        &self,
        before: &Account,
        after: &Account,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let update = sqlx::query(
            "UPDATE accounts SET roles = $1, status = $2, updated_at = $3 WHERE id = $4 AND updated_at = $5",
        )
        .bind(rows::roles_text(after))
        .bind(after.status.as_str())
        .bind(to_micros(after.updated_at));
        update_unchanged(&mut tx, update, after.id.to_string(), before.updated_at, "this account").await?;
        if after.status != before.status {
            end_sessions(&mut tx, after.id).await?;
        }
        self.commit_with_audit(tx, vec![audit]).await
    }

    pub(crate) async fn password_set(&self, id: AccountId, hash: &str, audit: AuditRecord) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        set_hash(&mut tx, id, hash).await?;
        self.commit_with_audit(tx, vec![audit]).await
    }

    pub(crate) async fn reset_insert(
        &self,
        hash: &str,
        id: AccountId,
        expires: Timestamp,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO password_resets (token_hash, account_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, NULL)")
            .bind(hash)
            .bind(id.to_string())
            .bind(to_micros(audit.at))
            .bind(to_micros(expires))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        self.commit_with_audit(tx, vec![audit]).await
    }

    pub(crate) async fn reset_find(&self, hash: &str, now: Timestamp) -> Result<Option<AccountId>, StoreError> {
        let row = sqlx::query(
            "SELECT account_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash)
        .bind(to_micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        match row {
            Some(r) => {
                let id: String = r.try_get(0).map_err(map_err)?;
                Ok(Some(
                    id.parse().map_err(|_| StoreError::Other(anyhow::anyhow!("bad account id in password_resets")))?,
                ))
            }
            None => Ok(None),
        }
    }

    pub(crate) async fn reset_consume(
        &self,
        hash: &str,
        now: Timestamp,
        password_hash: &str,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT account_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash)
        .bind(to_micros(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        let id: String = row.try_get(0).map_err(map_err)?;
        sqlx::query("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2")
            .bind(to_micros(now))
            .bind(hash)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let id: AccountId =
            id.parse().map_err(|_| StoreError::Other(anyhow::anyhow!("bad account id in password_resets")))?;
        set_hash(&mut tx, id, password_hash).await?;
        self.commit_with_audit(tx, vec![audit]).await
    }

    pub(crate) async fn session_insert(&self, s: &Session, audit: AuditRecord) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(to_micros(s.created_at))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query("INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&s.id_hash)
            .bind(s.account_id.to_string())
            .bind(&s.csrf_token)
            .bind(to_micros(s.created_at))
            .bind(to_micros(s.expires_at))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query("UPDATE accounts SET last_login_at = $1 WHERE id = $2")
            .bind(to_micros(s.created_at))
            .bind(s.account_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        self.commit_with_audit(tx, vec![audit]).await
    }

    pub(crate) async fn session_find(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT id_hash, account_id, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(rows::session).transpose()
    }

    pub(crate) async fn session_delete(&self, id_hash: &str, audit: AuditRecord) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        self.commit_with_audit(tx, vec![audit]).await
    }

    pub(crate) async fn tokens_of(&self, account: AccountId) -> Result<Vec<ApiToken>, StoreError> {
        let found = sqlx::query(&format!("SELECT {TOKEN_COLUMNS} WHERE account_id = $1 ORDER BY created_at DESC"))
            .bind(account.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows::all(found, rows::token)
    }

    pub(crate) async fn token_by(&self, column: &str, value: String) -> Result<Option<ApiToken>, StoreError> {
        let row = sqlx::query(&format!("SELECT {TOKEN_COLUMNS} WHERE {column} = $1"))
            .bind(value)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(rows::token).transpose()
    }

    pub(crate) async fn token_insert(&self, t: &ApiToken, hash: &str, audit: AuditRecord) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
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
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        self.commit_with_audit(tx, vec![audit]).await
    }

    pub(crate) async fn token_revoke(&self, after: &ApiToken, audit: AuditRecord) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(after.revoked_at.map(to_micros))
            .bind(after.id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        expect_one(done.rows_affected(), "this token")?;
        self.commit_with_audit(tx, vec![audit]).await
    }

    pub(crate) async fn token_touch(&self, id: TokenId, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(to_micros(now))
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

async fn set_hash(conn: &mut sqlx::AnyConnection, id: AccountId, hash: &str) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    end_sessions(conn, id).await
}

async fn end_sessions(conn: &mut sqlx::AnyConnection, id: AccountId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}
