//! Two-factor authentication: one TOTP authenticator (RFC 6238: SHA-1, 6 digits, 30 s) per
//! account, ten single-use recovery codes (stored as SHA-256 hashes), the stage a session has
//! reached, and re-authentication for sensitive actions.
//!
//! A password sign-in of an account with an authenticator opens a session at stage `Code`; one
//! whose roles require a second factor but has none opens it at stage `Enroll`. Such a session
//! reaches nothing but the second-factor pages until it is completed; completing it replaces
//! the session with a new one (a new cookie), so a cookie seen before the second factor is
//! worthless after it. A code is accepted once: the last accepted time step is stored and a
//! code must be for a later one, checked and recorded by one conditional update, so two
//! instances cannot both accept it. API tokens are unaffected.

use crate::access::{Actor, Permission, Role, Via};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::identity::accounts::{self, SESSION_LIFETIME, Secret, Session, random_secret, sha256_hex, verify_password};
use crate::ids::AccountId;
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use rand::Rng;
use serde::Serialize;
use subtle::ConstantTimeEq;
use time::Duration;

/// How long a sign-in or re-authentication counts as recent for sensitive actions.
pub const REAUTH_WINDOW: Duration = Duration::minutes(10);
/// How many recovery codes an account gets at a time.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// The name authenticator apps show beside the account.
pub const ISSUER: &str = "Bulwark";
const STEP_SECONDS: i64 = 30;
/// Codes of the neighbouring time steps are accepted too (clocks drift).
const SKEW_STEPS: i64 = 1;

/// How far a session has got through sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    /// Signed in.
    Full,
    /// The password was right; a code from the authenticator (or a recovery code) is owed.
    Code,
    /// The password was right; the account's roles require a second factor it has not set up.
    Enroll,
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStage::Full => "full",
            SessionStage::Code => "code",
            SessionStage::Enroll => "enroll",
        }
    }

    /// Unknown values read as `Code`: a session in doubt owes a factor rather than skips it.
    pub fn parse(s: &str) -> Self {
        match s {
            "full" => SessionStage::Full,
            "enroll" => SessionStage::Enroll,
            _ => SessionStage::Code,
        }
    }

    /// The page that completes this stage.
    pub fn page(self) -> &'static str {
        match self {
            SessionStage::Full => "/",
            SessionStage::Code => "/login/code",
            SessionStage::Enroll => "/mfa/setup",
        }
    }
}

/// An account's authenticator. `secret` is base32; it never leaves the server but once, on
/// the enrollment page.
#[derive(Clone)]
pub struct TotpFactor {
    pub account_id: AccountId,
    pub secret: String,
    pub confirmed_at: Option<Timestamp>,
    /// The last time step whose code was accepted.
    pub last_step: i64,
    pub created_at: Timestamp,
}

impl std::fmt::Debug for TotpFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpFactor")
            .field("account_id", &self.account_id)
            .field("secret", &"***")
            .field("confirmed_at", &self.confirmed_at)
            .finish()
    }
}

/// Which roles must sign in with a second factor (the instance's setting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaPolicy {
    pub required_for: Vec<Role>,
}

impl Default for MfaPolicy {
    /// The privileged roles: admin, security, management and auditor.
    fn default() -> Self {
        Self { required_for: vec![Role::Admin, Role::Security, Role::Management, Role::Auditor] }
    }
}

impl MfaPolicy {
    /// No role requires a second factor (anyone may still set one up).
    pub fn optional() -> Self {
        Self { required_for: vec![] }
    }

    /// Parses a comma-separated role list; `none` or empty means no role.
    pub fn parse(list: &str) -> Result<Self, String> {
        let names: Vec<String> =
            list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && s != "none").collect();
        Ok(Self { required_for: crate::access::parse_roles(&names)? })
    }

    pub fn requires(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.required_for.contains(r))
    }
}

/// What the profile and account pages show about an account's second factor.
#[derive(Debug, Clone, Serialize)]
pub struct MfaStatus {
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub enabled_at: Option<Timestamp>,
    /// Unused recovery codes left.
    pub recovery_codes_left: u64,
    /// Whether the account's roles require a second factor.
    pub required: bool,
}

/// An enrollment waiting for its first code: what the setup page shows.
pub struct Enrollment {
    /// The secret in base32, grouped by four for typing.
    pub secret_display: String,
    /// The `otpauth://` URI the QR code carries.
    pub uri: String,
}

fn totp(secret_b32: &str, account_label: &str) -> CoreResult<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("stored authenticator secret unreadable: {e:?}")))?;
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        SKEW_STEPS as u8,
        STEP_SECONDS as u64,
        bytes,
        Some(ISSUER.to_string()),
        account_label.replace(':', " "),
    )
    .map_err(|e| CoreError::Internal(anyhow::anyhow!("authenticator setup failed: {e:?}")))
}

/// The TOTP time step `now` falls in.
pub fn step_of(now: Timestamp) -> i64 {
    now.unix_timestamp().div_euclid(STEP_SECONDS)
}

/// The code an authenticator with this secret shows during time step `step` (tests and the
/// bench sign in with it).
pub fn code_at_step(secret_b32: &str, step: i64) -> CoreResult<String> {
    Ok(totp(secret_b32, "x")?.generate((step.max(0) * STEP_SECONDS) as u64))
}

/// The time step a code belongs to, if it is one of the authenticator's codes near `now`
/// for a step after the last accepted one.
fn matching_step(factor: &TotpFactor, code: &str, now: Timestamp) -> CoreResult<Option<i64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let generator = totp(&factor.secret, "x")?;
    let current = step_of(now);
    for step in (current - SKEW_STEPS)..=(current + SKEW_STEPS) {
        if step <= factor.last_step {
            continue;
        }
        let expected = generator.generate((step * STEP_SECONDS) as u64);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            return Ok(Some(step));
        }
    }
    Ok(None)
}

/// A recovery code as typed, reduced to what is hashed: lowercase letters and digits.
fn normalise_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODE_COUNT)
        .map(|_| {
            let raw: String = (0..10).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
            format!("{}-{}", &raw[..5], &raw[5..])
        })
        .collect()
}

/// Stores fresh recovery codes in place of the old ones and returns them, to be shown once.
async fn replace_recovery_codes(tx: &mut dyn Writer, account: AccountId, now: Timestamp) -> CoreResult<Vec<String>> {
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| sha256_hex(&normalise_recovery_code(c))).collect();
    tx.replace_recovery_codes(account, &hashes, now).await?;
    Ok(codes)
}

/// How a second factor was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    Totp,
    RecoveryCode,
}

const WRONG_CODE: &str = "is wrong, expired or already used";

/// Checks a code from the authenticator, or a recovery code, and uses it up, on the
/// operation's transaction. None when it is not valid (any more).
async fn use_code(tx: &mut dyn Writer, factor: &TotpFactor, code: &str, now: Timestamp) -> CoreResult<Option<Proof>> {
    if let Some(step) = matching_step(factor, code, now)? {
        // Conditional on the stored step being older: one code, one use, even across instances.
        return Ok(tx.use_totp_step(factor.account_id, step).await?.then_some(Proof::Totp));
    }
    let normalised = normalise_recovery_code(code);
    if normalised.len() == 10 && tx.use_recovery_code(factor.account_id, &sha256_hex(&normalised), now).await? {
        return Ok(Some(Proof::RecoveryCode));
    }
    Ok(None)
}

/// The stage a new session starts at after the right password.
pub async fn stage_after_password(
    tx: &mut dyn Writer,
    account: &accounts::Account,
    policy: &MfaPolicy,
) -> CoreResult<SessionStage> {
    let enrolled = tx.find_totp(account.id).await?.is_some_and(|f| f.confirmed_at.is_some());
    Ok(if enrolled {
        SessionStage::Code
    } else if policy.requires(&account.roles) {
        SessionStage::Enroll
    } else {
        SessionStage::Full
    })
}

/// Replaces a session by a new, complete one (new secret, new CSRF token) on `tx`.
async fn replace_session(tx: &mut dyn Writer, old: &Session, now: Timestamp) -> CoreResult<(Secret, Session)> {
    let secret = random_secret(32);
    let session = Session {
        id_hash: sha256_hex(&secret),
        account_id: old.account_id,
        csrf_token: random_secret(24),
        created_at: now,
        expires_at: now + SESSION_LIFETIME,
        last_seen_at: now,
        stage: SessionStage::Full,
        verified_at: now,
    };
    tx.delete_session(&old.id_hash).await?;
    tx.insert_session(&session).await?;
    Ok((Secret(secret), session))
}

/// Completes a sign-in at stage `Code` with a code from the authenticator or a recovery code.
/// Returns the secret of the new, complete session.
pub async fn complete_sign_in(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    session: &Session,
    code: &str,
) -> CoreResult<Secret> {
    if session.stage != SessionStage::Code {
        return Err(CoreError::Conflict("this sign-in does not wait for a code".into()));
    }
    let mut tx = store.write().await?;
    let factor = tx.find_totp(session.account_id).await?.filter(|f| f.confirmed_at.is_some());
    let Some(factor) = factor else {
        return Err(CoreError::Conflict("this account has no authenticator".into()));
    };
    let Some(proof) = use_code(&mut *tx, &factor, code, now).await? else {
        return Err(CoreError::invalid("code", WRONG_CODE));
    };
    let (secret, _) = replace_session(&mut *tx, session, now).await?;
    let detail = serde_json::json!({ "second_factor": proof });
    tx.audit(AuditRecord::new(actor, now, "session.login", "account", session.account_id, None::<&()>, Some(&detail)));
    tx.commit().await?;
    Ok(secret)
}

/// The account of an actor who may change how it proves who it is: only its holder in a
/// signed-in browser session. An API token is not a second factor, so it can neither set one
/// up, nor turn it off, nor mint recovery codes.
fn own_session(actor: &Actor) -> CoreResult<AccountId> {
    let id = actor.account_id.ok_or(CoreError::Unauthenticated)?;
    if actor.via != Via::Session {
        return Err(CoreError::Forbidden("account security is changed in a signed-in browser session only".into()));
    }
    Ok(id)
}

/// The enrollment of the actor waiting for its first code, if one was begun.
pub async fn pending_enrollment(store: &dyn Store, actor: &Actor) -> CoreResult<Option<Enrollment>> {
    let id = actor.account_id.ok_or(CoreError::Unauthenticated)?;
    let factor = store.read().await?.find_totp(id).await?;
    let Some(factor) = factor.filter(|f| f.confirmed_at.is_none()) else {
        return Ok(None);
    };
    let uri = totp(&factor.secret, &actor.label)?.get_url();
    let secret_display = factor
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Some(Enrollment { secret_display, uri }))
}

/// Begins setting up an authenticator: a new secret, waiting for its first code. Refused
/// while one is set up (turn it off first).
pub async fn begin_enrollment(store: &dyn Store, actor: &Actor, now: Timestamp) -> CoreResult<()> {
    let id = own_session(actor)?;
    let mut tx = store.write().await?;
    if tx.find_totp(id).await?.is_some_and(|f| f.confirmed_at.is_some()) {
        return Err(CoreError::Conflict("an authenticator is already set up; turn it off first".into()));
    }
    let mut bytes = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let secret = totp_rs::Secret::Raw(bytes.to_vec()).to_encoded().to_string();
    let factor = TotpFactor { account_id: id, secret, confirmed_at: None, last_step: 0, created_at: now };
    tx.put_totp(&factor).await?;
    tx.audit(AuditRecord::new(actor, now, "mfa.enrollment_begin", "account", id, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// What finishing an enrollment gives: the recovery codes (shown once) and, when the session
/// was waiting for the enrollment, the secret of its complete replacement.
pub struct Enrolled {
    pub recovery_codes: Vec<String>,
    pub new_session: Option<(Secret, Session)>,
}

/// Finishes setting up the authenticator with its first code.
pub async fn confirm_enrollment(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    session: Option<&Session>,
    code: &str,
) -> CoreResult<Enrolled> {
    let id = own_session(actor)?;
    let mut tx = store.write().await?;
    let factor = tx.find_totp(id).await?;
    let Some(factor) = factor.filter(|f| f.confirmed_at.is_none()) else {
        return Err(CoreError::Conflict("no authenticator set-up is waiting for a code".into()));
    };
    let Some(step) = matching_step(&factor, code, now)? else {
        return Err(CoreError::invalid("code", WRONG_CODE));
    };
    tx.confirm_totp(id, now, step).await?;
    let recovery_codes = replace_recovery_codes(&mut *tx, id, now).await?;
    let new_session = match session {
        Some(s) if s.stage == SessionStage::Enroll => Some(replace_session(&mut *tx, s, now).await?),
        _ => None,
    };
    tx.audit(AuditRecord::new(actor, now, "mfa.enable", "account", id, None::<&()>, None::<&()>));
    if new_session.is_some() {
        let detail = serde_json::json!({ "second_factor": Proof::Totp });
        tx.audit(AuditRecord::new(actor, now, "session.login", "account", id, None::<&()>, Some(&detail)));
    }
    tx.commit().await?;
    Ok(Enrolled { recovery_codes, new_session })
}

/// Sets up an authenticator for the actor in one go and returns its secret (base32): what a
/// person does on the setup page, for test and benchmark accounts.
pub async fn enroll_now(store: &dyn Store, actor: &Actor, now: Timestamp) -> CoreResult<String> {
    let id = actor.account_id.ok_or(CoreError::Unauthenticated)?;
    begin_enrollment(store, actor, now).await?;
    let factor = store.read().await?.find_totp(id).await?.ok_or(CoreError::NotFound)?;
    let code = code_at_step(&factor.secret, step_of(now))?;
    confirm_enrollment(store, actor, now, None, &code).await?;
    Ok(factor.secret)
}

/// The next code an authenticator with this secret would give that the account has not used
/// yet, for the time step of `now` or the one after (test and benchmark accounts).
pub async fn next_unused_code(store: &dyn Store, account: AccountId, now: Timestamp) -> CoreResult<String> {
    let factor = store.read().await?.find_totp(account).await?.ok_or(CoreError::NotFound)?;
    let step = step_of(now).max(factor.last_step + 1);
    if step > step_of(now) + SKEW_STEPS {
        return Err(CoreError::Conflict("every code of this minute is used; wait 30 seconds".into()));
    }
    code_at_step(&factor.secret, step)
}

/// The actor's second-factor status.
pub async fn status(store: &dyn Store, account: &accounts::Account, policy: &MfaPolicy) -> CoreResult<MfaStatus> {
    let mut r = store.read().await?;
    let factor = r.find_totp(account.id).await?.filter(|f| f.confirmed_at.is_some());
    let left = if factor.is_some() { r.count_recovery_codes(account.id).await? } else { 0 };
    Ok(MfaStatus {
        enabled: factor.is_some(),
        enabled_at: factor.and_then(|f| f.confirmed_at),
        recovery_codes_left: left,
        required: policy.requires(&account.roles),
    })
}

/// New recovery codes in place of the old ones (sensitive: the route needs a recent sign-in).
pub async fn regenerate_recovery_codes(store: &dyn Store, actor: &Actor, now: Timestamp) -> CoreResult<Vec<String>> {
    let id = own_session(actor)?;
    let mut tx = store.write().await?;
    if tx.find_totp(id).await?.is_none_or(|f| f.confirmed_at.is_none()) {
        return Err(CoreError::Conflict("set up an authenticator first".into()));
    }
    let codes = replace_recovery_codes(&mut *tx, id, now).await?;
    tx.audit(AuditRecord::new(actor, now, "mfa.recovery_codes_replace", "account", id, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok(codes)
}

/// Turns the actor's own second factor off; refused when their roles require one.
pub async fn disable(store: &dyn Store, actor: &Actor, now: Timestamp, policy: &MfaPolicy) -> CoreResult<()> {
    let id = own_session(actor)?;
    if policy.requires(&actor.roles) {
        return Err(CoreError::Conflict("your roles require two-factor authentication".into()));
    }
    let mut tx = store.write().await?;
    if tx.find_totp(id).await?.is_none() {
        return Err(CoreError::Conflict("no authenticator is set up".into()));
    }
    tx.delete_totp(id).await?;
    tx.audit(AuditRecord::new(actor, now, "mfa.disable", "account", id, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// Removes another account's second factor (a lost phone) and ends its sessions; at the next
/// sign-in its holder sets up a new one if their roles require it.
pub async fn reset(store: &dyn Store, actor: &Actor, now: Timestamp, account: AccountId) -> CoreResult<()> {
    actor.require(Permission::ManageAccounts)?;
    let mut tx = store.write().await?;
    tx.get_account(account).await?;
    if tx.find_totp(account).await?.is_none() {
        return Err(CoreError::Conflict("this account has no authenticator".into()));
    }
    tx.delete_totp(account).await?;
    tx.end_sessions(account).await?;
    tx.audit(AuditRecord::new(actor, now, "mfa.reset", "account", account, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// Proves again who the session's holder is (password, and a code if they have an
/// authenticator), so sensitive actions are allowed for the next `REAUTH_WINDOW`.
pub async fn reauthenticate(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    session: &Session,
    password: &str,
    code: &str,
) -> CoreResult<()> {
    let (account, hash) = {
        let mut r = store.read().await?;
        let account = r.get_account(session.account_id).await?;
        let hash = r.find_account_by_email(&account.email).await?.and_then(|(_, h)| h);
        (account, hash)
    };
    // Hashing is slow: outside the write transaction.
    if !hash.as_deref().is_some_and(|h| verify_password(password, h)) {
        return Err(CoreError::invalid("password", "is not your password"));
    }
    let mut tx = store.write().await?;
    if let Some(factor) = tx.find_totp(account.id).await?.filter(|f| f.confirmed_at.is_some())
        && use_code(&mut *tx, &factor, code, now).await?.is_none()
    {
        return Err(CoreError::invalid("code", WRONG_CODE));
    }
    tx.mark_session_verified(&session.id_hash, now).await?;
    tx.audit(AuditRecord::new(actor, now, "session.reauthenticate", "account", account.id, None::<&()>, None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// Whether the account has a working authenticator (the re-authentication form asks for a
/// code only then).
pub async fn is_enrolled(store: &dyn Store, account: AccountId) -> CoreResult<bool> {
    Ok(store.read().await?.find_totp(account).await?.is_some_and(|f| f.confirmed_at.is_some()))
}

/// Whether a session proved its holder recently enough for a sensitive action. Sessions only:
/// API tokens are unaffected.
pub fn is_recent(session: &Session, now: Timestamp) -> bool {
    now - session.verified_at < REAUTH_WINDOW
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(last_step: i64) -> TotpFactor {
        TotpFactor {
            account_id: AccountId::new(),
            secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into(),
            confirmed_at: None,
            last_step,
            created_at: crate::time_util::now(),
        }
    }

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890", T = 59 s: 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let secret = totp_rs::Secret::Raw(b"12345678901234567890".to_vec()).to_encoded().to_string();
        assert_eq!(code_at_step(&secret, 1).unwrap(), "287082");
    }

    #[test]
    fn a_code_matches_its_step_and_neighbours_but_not_a_used_one() {
        let now = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let step = step_of(now);
        let f = factor(0);
        let code = code_at_step(&f.secret, step).unwrap();
        assert_eq!(matching_step(&f, &code, now).unwrap(), Some(step));
        assert_eq!(matching_step(&f, &format!("{} {}", &code[..3], &code[3..]), now).unwrap(), Some(step));
        let late = now + Duration::seconds(30);
        assert_eq!(matching_step(&f, &code, late).unwrap(), Some(step), "one step of drift");
        let too_late = now + Duration::seconds(90);
        assert_eq!(matching_step(&f, &code, too_late).unwrap(), None, "expired");
        assert_eq!(matching_step(&factor(step), &code, now).unwrap(), None, "replayed");
        assert_eq!(matching_step(&f, "12345", now).unwrap(), None);
        assert_eq!(matching_step(&f, "abcdef", now).unwrap(), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODE_COUNT);
        assert_eq!(normalise_recovery_code(" ABCDE-fghjk "), "abcdefghjk");
    }

    #[test]
    fn policy_parses_role_lists() {
        assert_eq!(MfaPolicy::parse("none").unwrap(), MfaPolicy::optional());
        assert_eq!(MfaPolicy::parse("").unwrap(), MfaPolicy::optional());
        let p = MfaPolicy::parse("admin, auditor").unwrap();
        assert!(p.requires(&[Role::Employee, Role::Auditor]));
        assert!(!p.requires(&[Role::Security]));
        assert!(MfaPolicy::parse("admin,wizard").is_err());
    }
}
