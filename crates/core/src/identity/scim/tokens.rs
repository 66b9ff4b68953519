//! SCIM tokens: bearer tokens that reach `/scim/v2` and nothing else. An admin creates them
//! (in the UI or with `bulwark scim-token create`); the secret is shown once and stored as a
//! SHA-256 hash, like API tokens, but in its own table with its own prefix, so an API token
//! never opens SCIM and a SCIM token never opens the API.

use super::ScimToken;
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::identity::accounts::{Secret, random_secret, sha256_hex};
use crate::ids::TokenId;
use crate::time_util::Timestamp;
use crate::validate::Checks;
use crate::{Actor, Permission, Store};
use time::Duration;

pub const SCIM_TOKEN_PREFIX: &str = "bws_";

/// Creates a SCIM token named `name`; the secret is returned once.
pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp, name: &str) -> CoreResult<(ScimToken, Secret)> {
    actor.require(Permission::ManageAccounts)?;
    let mut c = Checks::new();
    let name = c.text("name", name, 100);
    c.finish()?;
    let secret = format!("{SCIM_TOKEN_PREFIX}{}", random_secret(32));
    let token = ScimToken {
        id: TokenId::new(),
        name,
        prefix: secret.chars().take(SCIM_TOKEN_PREFIX.len() + 6).collect(),
        created_by: actor.label.clone(),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    let mut tx = store.write().await?;
    tx.insert_scim_token(&token, &sha256_hex(&secret)).await?;
    tx.audit(AuditRecord::new(actor, now, "scim_token.create", "scim_token", token.id, None::<&()>, Some(&token)));
    tx.commit().await?;
    Ok((token, Secret(secret)))
}

/// Every SCIM token, newest first (never their secrets).
pub async fn list(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<ScimToken>> {
    actor.require(Permission::ViewAccounts)?;
    Ok(store.read().await?.list_scim_tokens().await?)
}

/// Revokes a SCIM token; the provider using it is refused from then on.
pub async fn revoke(store: &dyn Store, actor: &Actor, now: Timestamp, id: TokenId) -> CoreResult<ScimToken> {
    actor.require(Permission::ManageAccounts)?;
    let mut tx = store.write().await?;
    let before = tx.list_scim_tokens().await?.into_iter().find(|t| t.id == id).ok_or(CoreError::NotFound)?;
    if before.revoked_at.is_some() {
        return Ok(before);
    }
    let after = ScimToken { revoked_at: Some(now), ..before.clone() };
    tx.revoke_scim_token(id, now).await?;
    tx.audit(AuditRecord::new(actor, now, "scim_token.revoke", "scim_token", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// The actor behind a SCIM token, if it is live, and whether its recorded last use is older
/// than a minute (the caller records the use off the request path).
pub async fn token_actor(
    store: &dyn Store,
    secret: &str,
    now: Timestamp,
) -> CoreResult<Option<(Actor, Option<TokenId>)>> {
    if !secret.starts_with(SCIM_TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some(token) = store.read().await?.find_scim_token(&sha256_hex(secret)).await? else {
        return Ok(None);
    };
    if token.revoked_at.is_some() {
        return Ok(None);
    }
    let stale_use = token.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)).then_some(token.id);
    Ok(Some((Actor::scim(&token.name), stale_use)))
}
