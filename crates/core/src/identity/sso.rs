//! Single sign-on: what happens once an OpenID Connect provider has vouched for someone. The
//! protocol itself (discovery, PKCE, the ID token's signature, issuer, audience, expiry and
//! nonce) is the web layer's; this module gets the verified claims.
//!
//! An identity (issuer + subject) is linked to one account. The first time, it is matched to
//! the account with the same e-mail address — only if the provider says the address is
//! verified — or, if the instance allows it, an account is created just in time. When the
//! instance maps provider groups to roles, the account's roles follow the groups at every
//! sign-in. The session is complete: the provider is responsible for the second factor.

use crate::access::{Actor, Role, Via};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::identity::accounts::{Account, AccountStatus, SESSION_LIFETIME, Secret, Session, random_secret, sha256_hex};
use crate::identity::mfa::SessionStage;
use crate::organisation::people::{PersonInput, PersonKind, PersonStatus};
use crate::store::Store;
use crate::time_util::Timestamp;
use time::Duration;

/// How long a sign-in may stay at the provider before its return is refused.
pub const PENDING_LIFETIME: Duration = Duration::minutes(10);

/// What the instance does with identities from its provider.
#[derive(Debug, Clone, Default)]
pub struct SsoRules {
    /// Provider group → role. Empty: roles are managed in Bulwark only.
    pub role_map: Vec<(String, Role)>,
    /// Create an account for a verified address no account has.
    pub create_accounts: bool,
}

impl SsoRules {
    /// The roles the groups give, or None when no mapping is configured. Someone in no
    /// mapped group is an employee.
    fn roles_for(&self, groups: &[String]) -> Option<Vec<Role>> {
        if self.role_map.is_empty() {
            return None;
        }
        let mut roles: Vec<Role> = self.role_map.iter().filter(|(g, _)| groups.contains(g)).map(|(_, r)| *r).collect();
        if roles.is_empty() {
            roles.push(Role::Employee);
        }
        roles.sort_by_key(|r| r.as_str());
        roles.dedup();
        Some(roles)
    }

    /// Parses `group=role` pairs.
    pub fn parse_role_map(pairs: &[String]) -> Result<Vec<(String, Role)>, String> {
        pairs
            .iter()
            .map(|p| {
                let (group, role) = p.split_once('=').ok_or_else(|| format!("'{p}' is not group=role"))?;
                Ok((group.trim().to_string(), role.trim().parse::<Role>()?))
            })
            .collect()
    }
}

/// What the provider said about the person, after the ID token was verified.
#[derive(Debug, Clone)]
pub struct VerifiedIdentity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub groups: Vec<String>,
}

impl VerifiedIdentity {
    fn key(&self) -> String {
        format!("{}|{}", self.issuer, self.subject)
    }
}

/// A sign-in waiting for the provider's answer.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    pub created_at: Timestamp,
}

/// Why a provider's answer did not sign anyone in (shown on the sign-in page).
pub const NOT_LINKED: &str = "Your identity provider signed you in, but no Bulwark account has your verified e-mail \
     address. Ask an admin for an account.";

/// Signs in the person the provider vouched for: finds (or links, or creates) their account,
/// applies the group mapping, and opens a complete session — one transaction.
pub async fn sign_in(
    store: &dyn Store,
    now: Timestamp,
    who: &VerifiedIdentity,
    rules: &SsoRules,
) -> CoreResult<(Secret, Session, Account)> {
    let system =
        Actor { label: format!("single sign-on ({})", who.issuer), via: Via::System, roles: vec![], ..Actor::cli() };
    let mut tx = store.write().await?;
    let linked = match tx.find_sso_identity(&who.key()).await? {
        Some(id) => Some(tx.get_account(id).await?),
        None => None,
    };
    let account = match linked {
        Some(a) => a,
        None => {
            let email = who.email.as_deref().map(|e| e.trim().to_lowercase()).unwrap_or_default();
            if email.is_empty() || !who.email_verified {
                return Err(CoreError::invalid("sso", NOT_LINKED));
            }
            let account = match tx.find_account_by_email(&email).await? {
                Some((a, _)) => a,
                None if rules.create_accounts => create_for(&mut *tx, &system, now, &email, who, rules).await?,
                None => return Err(CoreError::invalid("sso", NOT_LINKED)),
            };
            if tx.sso_identity_of(account.id).await?.is_some() {
                // The account is linked to another identity of the provider.
                return Err(CoreError::invalid("sso", NOT_LINKED));
            }
            tx.link_sso_identity(&who.key(), account.id, now).await?;
            let detail = serde_json::json!({ "issuer": who.issuer, "subject": who.subject });
            tx.audit(AuditRecord::new(
                &system,
                now,
                "account.sso_link",
                "account",
                account.id,
                None::<&()>,
                Some(&detail),
            ));
            account
        }
    };
    if account.status != AccountStatus::Active {
        return Err(CoreError::invalid("sso", "This account is disabled."));
    }
    let account = match rules.roles_for(&who.groups) {
        Some(roles) if roles != account.roles => {
            let after = Account { roles, updated_at: now, ..account.clone() };
            tx.update_account(&account, &after).await?;
            tx.audit(AuditRecord::new(
                &system,
                now,
                "account.update",
                "account",
                account.id,
                Some(&account),
                Some(&after),
            ));
            after
        }
        _ => account,
    };
    let secret = random_secret(32);
    let session = Session {
        id_hash: sha256_hex(&secret),
        account_id: account.id,
        csrf_token: random_secret(24),
        created_at: now,
        expires_at: now + SESSION_LIFETIME,
        last_seen_at: now,
        stage: SessionStage::Full,
        verified_at: now,
    };
    tx.insert_session(&session).await?;
    let detail = serde_json::json!({ "via": "sso", "issuer": who.issuer });
    let actor = account.actor(Via::Session);
    tx.audit(AuditRecord::new(&actor, now, "session.login", "account", account.id, None::<&()>, Some(&detail)));
    tx.commit().await?;
    Ok((Secret(secret), session, account))
}

/// A just-in-time account for a verified address: its person too, unless one has the address.
async fn create_for(
    tx: &mut dyn crate::store::Writer,
    system: &Actor,
    now: Timestamp,
    email: &str,
    who: &VerifiedIdentity,
    rules: &SsoRules,
) -> CoreResult<Account> {
    let person = match tx.find_person_by_email(email).await? {
        Some(p) if matches!(p.status, PersonStatus::Offboarding | PersonStatus::Left) => {
            return Err(CoreError::invalid("sso", "You are leaving or have left; no account is made for you."));
        }
        Some(p) => p,
        None => {
            let name = who.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| email.to_string());
            let input = PersonInput {
                name: name.chars().take(200).collect(),
                email: email.to_string(),
                kind: PersonKind::Employee.as_str().into(),
                status: PersonStatus::Active.as_str().into(),
                ..Default::default()
            };
            crate::organisation::people::create_in(tx, system, now, &input).await?
        }
    };
    let roles = rules.roles_for(&who.groups).unwrap_or_else(|| vec![Role::Employee]);
    let account = Account {
        id: crate::ids::AccountId::new(),
        person_id: person.id,
        email: person.email.clone(),
        name: person.name.clone(),
        roles,
        status: AccountStatus::Active,
        has_password: false,
        last_login_at: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_account(&account, None).await?;
    tx.audit(AuditRecord::new(system, now, "account.create", "account", account.id, None::<&()>, Some(&account)));
    Ok(account)
}

/// Remembers a sign-in sent to the provider, under the hash of its `state`.
pub async fn remember(store: &dyn Store, state: &str, pending: &PendingSignIn) -> CoreResult<()> {
    Ok(store.put_sso_login(&sha256_hex(state), pending).await?)
}

/// The sign-in a provider's answer belongs to, used up; None if unknown, used or too old.
pub async fn recall(store: &dyn Store, state: &str, now: Timestamp) -> CoreResult<Option<PendingSignIn>> {
    let found = store.take_sso_login(&sha256_hex(state), now - PENDING_LIFETIME).await?;
    Ok(found.filter(|p| now - p.created_at < PENDING_LIFETIME))
}

/// Whether the account signs in through the provider (the instance may refuse its password).
pub async fn is_linked(store: &dyn Store, account: crate::ids::AccountId) -> CoreResult<bool> {
    Ok(store.read().await?.sso_identity_of(account).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_map_to_roles_and_nobody_is_left_without_one() {
        let map = SsoRules::parse_role_map(&["sec-team=security".into(), "it-admins = admin".into()]).unwrap();
        let rules = SsoRules { role_map: map, create_accounts: true };
        assert_eq!(rules.roles_for(&["it-admins".into(), "sec-team".into()]), Some(vec![Role::Admin, Role::Security]));
        assert_eq!(rules.roles_for(&["sales".into()]), Some(vec![Role::Employee]));
        assert_eq!(SsoRules::default().roles_for(&["it-admins".into()]), None, "no mapping: roles stay");
        assert!(SsoRules::parse_role_map(&["x".into()]).is_err());
        assert!(SsoRules::parse_role_map(&["x=wizard".into()]).is_err());
    }
}
