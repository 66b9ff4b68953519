//! Login accounts, passwords (argon2id), sessions, API tokens and set-password links.
//! Secrets (session ids, tokens, reset links) are random, shown once, and stored only as
//! SHA-256 hashes; passwords only as argon2id hashes.

use crate::access::{Actor, Permission, Role, Via};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::identity::mfa::{MfaPolicy, SessionStage};
use crate::ids::{AccountId, PersonId, TokenId};
use crate::list::{FilterKind, FilterSpec, KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::organisation::people::{PersonInput, PersonKind, PersonStatus};
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use crate::version::check_version;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use time::Duration;

pub const MIN_PASSWORD_LEN: usize = 12;
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// A session unused for this long ends.
pub const SESSION_IDLE_TIMEOUT: Duration = Duration::hours(1);
pub const RESET_LINK_LIFETIME: Duration = Duration::hours(72);
pub const TOKEN_PREFIX: &str = "bwk_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountStatus {
    Active,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    pub id: AccountId,
    pub person_id: PersonId,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub status: AccountStatus,
    /// Whether a password is set (the hash itself never leaves the store layer but for checks).
    pub has_password: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

impl Account {
    /// The export row, in `LIST.columns` order.
    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.email.clone(),
            self.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" "),
            self.status.as_str().into(),
            self.last_login_at.map(crate::time_util::rfc3339).unwrap_or_default(),
        ]
    }

    pub fn actor(&self, via: Via) -> Actor {
        Actor {
            account_id: Some(self.id),
            person_id: Some(self.person_id),
            label: self.email.clone(),
            roles: self.roles.clone(),
            via,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub account_id: AccountId,
    pub name: String,
    /// The first characters of the secret, so its owner can recognise it.
    pub prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<Timestamp>,
}

impl ApiToken {
    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

/// A signed-in browser. `id_hash` is the SHA-256 of the cookie value.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub account_id: AccountId,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Last use, recorded at most once a minute; after `SESSION_IDLE_TIMEOUT` unused it ends.
    pub last_seen_at: Timestamp,
    /// Whether sign-in is complete or still owes a second factor.
    pub stage: SessionStage,
    /// When its holder last proved who they are (sign-in or re-authentication).
    pub verified_at: Timestamp,
}

impl Session {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at > now && now - self.last_seen_at < SESSION_IDLE_TIMEOUT
    }

    /// Whether this use should be recorded (the last record is over a minute old).
    pub fn use_to_record(&self, now: Timestamp) -> bool {
        now - self.last_seen_at > Duration::minutes(1)
    }
}

/// A newly created secret, to be shown once.
#[derive(Debug, Clone)]
pub struct Secret(pub String);

pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn hash_password(password: &str) -> CoreResult<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the account does not exist, so both cases take as long.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("not-a-real-password").unwrap_or_default());

/// The roles chosen in a form or request: at least one, all known.
fn roles_field(c: &mut Checks, given: &[String]) -> Vec<Role> {
    match crate::access::parse_roles(given) {
        Ok(r) if r.is_empty() => {
            c.fail("roles", "choose at least one role");
            r
        }
        Ok(r) => r,
        Err(e) => {
            c.fail("roles", &e);
            vec![]
        }
    }
}

pub fn check_new_password(c: &mut Checks, field: &str, password: &str) {
    if password.chars().count() < MIN_PASSWORD_LEN {
        c.fail(field, &format!("must be at least {MIN_PASSWORD_LEN} characters"));
    } else if password.len() > 1024 {
        c.fail(field, "must be at most 1024 bytes");
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewAccountInput {
    /// An existing person, or empty to create one from `name` and `email`.
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    /// Set directly (CLI with --password-stdin); otherwise a set-password link is issued.
    #[serde(default)]
    pub password: Option<String>,
}

/// Creates an account (and its person if needed) and, when no password was given, its
/// set-password link, all in one transaction. Returns the link secret.
pub async fn create_account(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    input: &NewAccountInput,
) -> CoreResult<(Account, Option<Secret>)> {
    actor.require(Permission::ManageAccounts)?;
    let mut c = Checks::new();
    let roles = roles_field(&mut c, &input.roles);
    if let Some(p) = &input.password {
        check_new_password(&mut c, "password", p);
    }
    let new_person = input.person_id.trim().is_empty();
    let email = if new_person {
        let email = c.email("email", &input.email);
        c.text("name", &input.name, 200);
        email
    } else {
        String::new()
    };
    c.finish()?;
    // Hashing takes a while: never inside the write transaction.
    let password_hash = input.password.as_deref().map(hash_password).transpose()?;
    let mut tx = store.write().await?;
    let person = if new_person {
        match tx.find_person_by_email(&email).await? {
            Some(p) => p,
            None => {
                let pi = PersonInput {
                    name: input.name.clone(),
                    email: email.clone(),
                    kind: PersonKind::Employee.as_str().into(),
                    department_id: String::new(),
                    status: PersonStatus::Active.as_str().into(),
                    version: None,
                };
                crate::organisation::people::create_in(&mut *tx, actor, now, &pi).await?
            }
        }
    } else {
        let found = match input.person_id.trim().parse::<PersonId>() {
            Ok(id) => tx.find_person(id).await?,
            Err(_) => None,
        };
        found.ok_or_else(|| CoreError::invalid("person_id", "must be an existing person"))?
    };
    if tx.find_account_by_email(&person.email).await?.is_some()
        || tx.find_account_for_person(person.id).await?.is_some()
    {
        return Err(CoreError::clash("email", "this person already has an account"));
    }
    let account = Account {
        id: AccountId::new(),
        person_id: person.id,
        email: person.email.clone(),
        name: person.name.clone(),
        roles,
        status: AccountStatus::Active,
        has_password: password_hash.is_some(),
        last_login_at: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_account(&account, password_hash.as_deref()).await?;
    tx.audit(AuditRecord::new(actor, now, "account.create", "account", account.id, None::<&()>, Some(&account)));
    let link =
        if password_hash.is_none() { Some(issue_reset_in(&mut *tx, actor, now, account.id).await?) } else { None };
    tx.commit().await?;
    Ok((account, link))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountUpdateInput {
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub status: String,
    /// The version the edit was based on; a stale edit is refused.
    #[serde(default)]
    pub version: Option<String>,
}

pub async fn update_account(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: AccountId,
    input: &AccountUpdateInput,
) -> CoreResult<Account> {
    actor.require(Permission::ManageAccounts)?;
    let mut tx = store.write().await?;
    let before = tx.get_account(id).await?;
    let mut c = Checks::new();
    let roles = roles_field(&mut c, &input.roles);
    let status = match input.status.trim() {
        "" => before.status,
        s => AccountStatus::parse(s).unwrap_or_else(|| {
            c.fail("status", "must be active or disabled");
            before.status
        }),
    };
    if actor.account_id == Some(id) && (!roles.contains(&Role::Admin) || status == AccountStatus::Disabled) {
        c.fail("roles", "you cannot remove your own admin role or disable your own account");
    }
    c.finish()?;
    check_version(input.version.as_deref(), before.updated_at, "this account")?;
    let after = Account { roles, status, updated_at: now, ..before.clone() };
    tx.update_account(&before, &after).await?;
    tx.audit(AuditRecord::new(actor, now, "account.update", "account", id, Some(&before), Some(&after)));
    if before.status == AccountStatus::Active && after.status == AccountStatus::Disabled {
        cut_off_in(&mut *tx, actor, now, id).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Refuses to change the person's e-mail (their account's sign-in e-mail) unless the actor is
/// an admin or the account holds no privileged role: whoever controls the address of an
/// admin's account could reset its way in, so a directory sync or a directory editor must
/// not be able to repoint it.
pub async fn check_sign_in_email_change(tx: &mut dyn Writer, actor: &Actor, person: PersonId) -> CoreResult<()> {
    let Some(account) = tx.find_account_for_person(person).await? else {
        return Ok(());
    };
    if actor.roles.contains(&Role::Admin) || !account.roles.iter().any(|r| r.is_privileged()) {
        return Ok(());
    }
    Err(CoreError::invalid("email", "this person's account holds a privileged role: only an admin changes its e-mail"))
}

/// Ends every way into the person's account at once: the account is disabled, its sessions
/// end and its API tokens are revoked for good (giving access back later does not revive
/// them). Single sign-on and passwords are refused while the account is disabled. Runs in the
/// caller's transaction when the identity provider deactivates or deletes the person, when
/// the person is marked as left or their offboarding closes. A person without an account has
/// nothing to end.
pub async fn end_access_in(tx: &mut dyn Writer, actor: &Actor, now: Timestamp, person: PersonId) -> CoreResult<()> {
    let Some(account) = tx.find_account_for_person(person).await? else {
        return Ok(());
    };
    if account.status == AccountStatus::Active {
        let disabled = Account { status: AccountStatus::Disabled, updated_at: now, ..account.clone() };
        tx.update_account(&account, &disabled).await?;
        tx.audit(AuditRecord::new(
            actor,
            now,
            "account.update",
            "account",
            account.id,
            Some(&account),
            Some(&disabled),
        ));
    }
    cut_off_in(tx, actor, now, account.id).await
}

/// Ends the account's sessions and revokes its tokens, audited with how many tokens it had.
async fn cut_off_in(tx: &mut dyn Writer, actor: &Actor, now: Timestamp, account: AccountId) -> CoreResult<()> {
    tx.end_sessions(account).await?;
    let revoked = tx.revoke_tokens_of(account, now).await?;
    let detail = serde_json::json!({ "sessions_ended": true, "tokens_revoked": revoked });
    tx.audit(AuditRecord::new(actor, now, "account.access_end", "account", account, None::<&()>, Some(&detail)));
    Ok(())
}

/// Gives a deprovisioned person's account sign-in back (the identity provider reactivated
/// them): the account is active again; its revoked tokens stay revoked.
pub async fn restore_access_in(tx: &mut dyn Writer, actor: &Actor, now: Timestamp, person: PersonId) -> CoreResult<()> {
    let Some(account) = tx.find_account_for_person(person).await? else {
        return Ok(());
    };
    if account.status == AccountStatus::Disabled {
        let active = Account { status: AccountStatus::Active, updated_at: now, ..account.clone() };
        tx.update_account(&account, &active).await?;
        tx.audit(AuditRecord::new(actor, now, "account.update", "account", account.id, Some(&account), Some(&active)));
    }
    Ok(())
}

/// Issues a one-time set-password link secret for the account (admin reset). The new link
/// replaces any earlier one.
pub async fn issue_password_reset(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    account_id: AccountId,
) -> CoreResult<Secret> {
    actor.require(Permission::ManageAccounts)?;
    let mut tx = store.write().await?;
    let secret = issue_reset_in(&mut *tx, actor, now, account_id).await?;
    tx.commit().await?;
    Ok(secret)
}

async fn issue_reset_in(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    account_id: AccountId,
) -> CoreResult<Secret> {
    let account = tx.get_account(account_id).await?;
    let secret = random_secret(32);
    let expires = now + RESET_LINK_LIFETIME;
    tx.insert_password_reset(&sha256_hex(&secret), account.id, now, expires).await?;
    tx.audit(AuditRecord::new(
        actor,
        now,
        "account.password_reset_issued",
        "account",
        account.id,
        None::<&()>,
        Some(&serde_json::json!({ "expires_at": crate::time_util::rfc3339(expires) })),
    ));
    Ok(Secret(secret))
}

/// The message for a set-password link that cannot be used.
pub const DEAD_LINK: &str = "This link is invalid, used or expired; ask an admin for a new one.";

/// Whether a set-password link can still be used.
pub async fn password_reset_is_live(store: &dyn Store, now: Timestamp, secret: &str) -> CoreResult<bool> {
    Ok(store.read().await?.find_password_reset(&sha256_hex(secret), now).await?.is_some())
}

/// Sets a password through a set-password link. The link works once; it is checked before
/// the (slow) password hashing.
pub async fn complete_password_reset(
    store: &dyn Store,
    now: Timestamp,
    secret: &str,
    new_password: &str,
    confirm: &str,
) -> CoreResult<Account> {
    if !password_reset_is_live(store, now, secret).await? {
        return Err(CoreError::invalid("token", DEAD_LINK));
    }
    let link = sha256_hex(secret);
    let mut c = Checks::new();
    check_new_password(&mut c, "password", new_password);
    if new_password != confirm {
        c.fail("confirm", "does not match the password");
    }
    c.finish()?;
    let hash = hash_password(new_password)?;
    let mut tx = store.write().await?;
    let account_id = match tx.consume_password_reset(&link, now).await {
        Err(crate::StoreError::NotFound) => return Err(CoreError::invalid("token", DEAD_LINK)),
        other => other?,
    };
    let account = tx.get_account(account_id).await?;
    tx.set_password_hash(account_id, &hash).await?;
    let actor = account.actor(Via::Session);
    tx.audit(AuditRecord::new(&actor, now, "account.password_set", "account", account_id, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok(account)
}

pub async fn change_password(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    current: &str,
    new_password: &str,
    confirm: &str,
) -> CoreResult<()> {
    let Some(account_id) = actor.account_id else {
        return Err(CoreError::Unauthenticated);
    };
    let stored = {
        let mut r = store.read().await?;
        let account = r.get_account(account_id).await?;
        r.find_account_by_email(&account.email).await?.and_then(|(_, h)| h)
    };
    let mut c = Checks::new();
    if !stored.as_deref().is_some_and(|h| verify_password(current, h)) {
        c.fail("current", "is not your current password");
    }
    check_new_password(&mut c, "password", new_password);
    if new_password != confirm {
        c.fail("confirm", "does not match the new password");
    }
    c.finish()?;
    let hash = hash_password(new_password)?;
    let mut tx = store.write().await?;
    tx.set_password_hash(account_id, &hash).await?;
    tx.audit(AuditRecord::new(actor, now, "account.password_change", "account", account_id, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// The instance's rules for password sign-in.
#[derive(Debug, Clone, Default)]
pub struct SignInRules {
    /// Which roles need a second factor.
    pub mfa: MfaPolicy,
    /// Refuse the password of accounts linked to the single sign-on provider.
    pub sso_accounts_use_sso_only: bool,
}

/// Checks e-mail and password. Unknown account, wrong password and disabled account all give
/// the same error, and take about as long. The session is complete unless the account has an
/// authenticator or its roles require one (see [`crate::identity::mfa`]).
pub async fn login(
    store: &dyn Store,
    now: Timestamp,
    email: &str,
    password: &str,
    rules: &SignInRules,
) -> CoreResult<(Secret, Session, Account)> {
    let email = email.trim().to_lowercase();
    let found = store.read().await?.find_account_by_email(&email).await?;
    let ok = match &found {
        Some((acc, Some(hash))) => verify_password(password, hash) && acc.status == AccountStatus::Active,
        _ => {
            verify_password(password, &DUMMY_HASH);
            false
        }
    };
    let Some((account, _)) = found.filter(|_| ok) else {
        return Err(CoreError::invalid("email", "e-mail address or password is wrong"));
    };
    if rules.sso_accounts_use_sso_only && crate::identity::sso::is_linked(store, account.id).await? {
        return Err(CoreError::invalid("email", "this account signs in with single sign-on"));
    }
    let secret = random_secret(32);
    let actor = account.actor(Via::Session);
    let mut tx = store.write().await?;
    let stage = crate::identity::mfa::stage_after_password(&mut *tx, &account, &rules.mfa).await?;
    let session = Session {
        id_hash: sha256_hex(&secret),
        account_id: account.id,
        csrf_token: random_secret(24),
        created_at: now,
        expires_at: now + SESSION_LIFETIME,
        last_seen_at: now,
        stage,
        verified_at: now,
    };
    tx.insert_session(&session).await?;
    // A sign-in that still owes a second factor is recorded as such; `session.login` follows
    // when it is complete.
    let action = if stage == SessionStage::Full { "session.login" } else { "session.password_verified" };
    tx.audit(AuditRecord::new(&actor, now, action, "account", account.id, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok((Secret(secret), session, account))
}

pub async fn logout(store: &dyn Store, actor: &Actor, now: Timestamp, session_secret: &str) -> CoreResult<()> {
    let Some(account_id) = actor.account_id else {
        return Ok(());
    };
    let mut tx = store.write().await?;
    tx.delete_session(&sha256_hex(session_secret)).await?;
    tx.audit(AuditRecord::new(actor, now, "session.logout", "account", account_id, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// The actor behind a session cookie, if the session is live and the account active.
pub async fn session_actor(store: &dyn Store, now: Timestamp, secret: &str) -> CoreResult<Option<(Actor, Session)>> {
    let Some((session, account)) = store.read().await?.find_session_with_account(&sha256_hex(secret)).await? else {
        return Ok(None);
    };
    if !session.is_live(now) {
        return Ok(None);
    }
    if account.status != AccountStatus::Active {
        return Ok(None);
    }
    Ok(Some((account.actor(Via::Session), session)))
}

/// The actor behind an API token, if it is live and its account active, and whether its
/// recorded last use is older than a minute (the caller records the use off the request path).
pub async fn token_actor(
    store: &dyn Store,
    now: Timestamp,
    secret: &str,
) -> CoreResult<Option<(Actor, Option<TokenId>)>> {
    let Some((token, account)) = store.read().await?.find_token_with_account(&sha256_hex(secret)).await? else {
        return Ok(None);
    };
    if !token.is_usable(now) {
        return Ok(None);
    }
    if account.status != AccountStatus::Active {
        return Ok(None);
    }
    let stale_use = token.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)).then_some(token.id);
    Ok(Some((account.actor(Via::Token), stale_use)))
}

/// The accounts list: what it filters, sorts and searches.
pub const LIST: ListSpec = ListSpec {
    filters: &[FilterSpec { name: "status", label: "status", kind: FilterKind::Choice(&["active", "disabled"]) }],
    sorts: &[
        SortSpec { name: "name", label: "Name", key: KeyType::Text },
        SortSpec { name: "email", label: "E-mail", key: KeyType::Text },
        SortSpec { name: "last_login", label: "Last sign-in", key: KeyType::Int },
    ],
    searchable: true,
    columns: &["id", "name", "email", "roles", "status", "last_login_at"],
};

pub async fn list_accounts(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Account>> {
    actor.require(Permission::ViewAccounts)?;
    Ok(store.read().await?.list_accounts(query).await?)
}

pub async fn get_account(store: &dyn Store, actor: &Actor, id: AccountId) -> CoreResult<Account> {
    actor.require(Permission::ViewAccounts)?;
    Ok(store.read().await?.get_account(id).await?)
}

/// The signed-in person's own account and one page of their API tokens.
pub async fn own_account(
    store: &dyn Store,
    actor: &Actor,
    tokens: &ListQuery,
) -> CoreResult<(Account, ListPage<ApiToken>)> {
    let id = actor.account_id.ok_or(CoreError::Unauthenticated)?;
    let mut r = store.read().await?;
    let account = r.get_account(id).await?;
    let tokens = r.list_tokens(id, tokens).await?;
    Ok((account, tokens))
}

/// An account's API tokens: by name (the default) or newest first, never their secrets.
pub const TOKENS: ListSpec = ListSpec {
    filters: &[],
    sorts: &[
        SortSpec { name: "name", label: "Name", key: KeyType::Text },
        SortSpec { name: "created", label: "Created", key: KeyType::Int },
    ],
    searchable: false,
    columns: &["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"],
};

impl ApiToken {
    /// The export row, in `TOKENS.columns` order.
    pub fn export_row(&self) -> Vec<String> {
        let time = |t: Option<Timestamp>| t.map(crate::time_util::rfc3339).unwrap_or_default();
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.prefix.clone(),
            crate::time_util::rfc3339(self.created_at),
            time(self.expires_at),
            time(self.last_used_at),
            time(self.revoked_at),
        ]
    }
}

/// The tokens of an account: anyone sees their own, account viewers see anyone's.
pub async fn list_tokens(
    store: &dyn Store,
    actor: &Actor,
    account: AccountId,
    query: &ListQuery,
) -> CoreResult<ListPage<ApiToken>> {
    if actor.account_id != Some(account) {
        actor.require(Permission::ViewAccounts)?;
    }
    Ok(store.read().await?.list_tokens(account, query).await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewTokenInput {
    #[serde(default)]
    pub name: String,
    /// Days until expiry; none or empty for no expiry.
    #[serde(default)]
    pub expires_days: Option<String>,
}

pub async fn create_token(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    input: &NewTokenInput,
) -> CoreResult<(ApiToken, Secret)> {
    let Some(account_id) = actor.account_id else {
        return Err(CoreError::Unauthenticated);
    };
    let mut c = Checks::new();
    let name = c.text("name", &input.name, 100);
    let expires_at = match input.expires_days.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => match d.parse::<i64>() {
            Ok(n) if (1..=3650).contains(&n) => Some(now + Duration::days(n)),
            _ => {
                c.fail("expires_days", "must be a whole number of days from 1 to 3650");
                None
            }
        },
    };
    c.finish()?;
    let secret = format!("{TOKEN_PREFIX}{}", random_secret(32));
    let token = ApiToken {
        id: TokenId::new(),
        account_id,
        name,
        prefix: secret.chars().take(TOKEN_PREFIX.len() + 6).collect(),
        created_at: now,
        expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    let mut tx = store.write().await?;
    tx.insert_token(&token, &sha256_hex(&secret)).await?;
    tx.audit(AuditRecord::new(actor, now, "token.create", "token", token.id, None::<&()>, Some(&token)));
    tx.commit().await?;
    Ok((token, Secret(secret)))
}

/// Revokes a token: its owner may, and so may an account manager.
pub async fn revoke_token(store: &dyn Store, actor: &Actor, now: Timestamp, id: TokenId) -> CoreResult<ApiToken> {
    revoke_token_of(store, actor, now, None, id).await
}

/// Revokes a token; with `owner`, only if it belongs to that account (else it is not found).
pub async fn revoke_token_of(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    owner: Option<AccountId>,
    id: TokenId,
) -> CoreResult<ApiToken> {
    let mut tx = store.write().await?;
    let before = tx.get_token(id).await?;
    let visible = actor.account_id == Some(before.account_id) || actor.can(Permission::ManageAccounts);
    if !visible || owner.is_some_and(|o| o != before.account_id) {
        return Err(CoreError::NotFound);
    }
    if before.revoked_at.is_some() {
        return Ok(before);
    }
    let after = ApiToken { revoked_at: Some(now), ..before.clone() };
    tx.revoke_token(&after).await?;
    tx.audit(AuditRecord::new(actor, now, "token.revoke", "token", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_is_argon2id_and_verifies() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn secrets_are_distinct_and_hashes_are_hex() {
        assert_ne!(random_secret(32), random_secret(32));
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
