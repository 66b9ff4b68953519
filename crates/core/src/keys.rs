//! The inventory of cryptographic keys (SPEC §3.6): metadata only — purpose, algorithm and
//! size, owner, where the key is kept, fingerprint, when it was made and last rotated, its
//! rotation period and status. Never secret material: a field that looks like a private key is
//! refused. Weak algorithms are flagged; a key with a rotation period gives its owner a
//! rotation task due when the period ends (recording the rotation closes it and opens the
//! next); revoking a key records who and why.

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::campaigns::Task;
use crate::error::{CoreError, CoreResult};
use crate::ids::{KeyId, PersonId};
use crate::list::{FilterKind, FilterSpec, KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::people::{person_field, string_enum};
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use crate::version::check_version;
use serde::{Deserialize, Serialize};
use time::Duration;

string_enum!(KeyStatus { Active = "active" / "Active", Retired = "retired" / "Retired", Revoked = "revoked" / "Revoked" });

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CryptoKey {
    pub id: KeyId,
    pub name: String,
    pub purpose: String,
    /// As the team names it: RSA, ECDSA P-256, Ed25519, AES-256-GCM, HMAC-SHA256, 3DES …
    pub algorithm: String,
    pub size_bits: Option<i64>,
    pub owner_id: Option<PersonId>,
    /// Where it is kept (HSM, cloud KMS, vault, a server's disk …).
    pub location: String,
    pub fingerprint: String,
    pub created_on: time::Date,
    pub last_rotated_on: time::Date,
    pub rotation_days: Option<i64>,
    pub status: KeyStatus,
    pub revocation: Option<Revocation>,
    /// The owner's name, for display; not part of the record.
    #[serde(skip)]
    pub owner_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// Who revoked a key, when and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revocation {
    #[serde(with = "time::serde::rfc3339")]
    pub at: Timestamp,
    pub by: String,
    pub reason: String,
}

impl CryptoKey {
    /// Why the algorithm and size are weak, if they are.
    pub fn weaknesses(&self) -> Vec<&'static str> {
        weaknesses(&self.algorithm, self.size_bits)
    }

    /// When the next rotation is due, for an active key with a rotation period.
    pub fn rotation_due(&self) -> Option<time::Date> {
        let days = self.rotation_days.filter(|_| self.status == KeyStatus::Active)?;
        self.last_rotated_on.checked_add(Duration::days(days))
    }

    /// Whether its rotation was due before `today`.
    pub fn rotation_overdue(&self, today: &time::Date) -> bool {
        self.rotation_due().is_some_and(|due| due < *today)
    }

    /// The export row, in `LIST.columns` order.
    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.purpose.clone(),
            self.algorithm.clone(),
            self.size_bits.map(|s| s.to_string()).unwrap_or_default(),
            self.owner_name.clone().unwrap_or_default(),
            self.location.clone(),
            self.fingerprint.clone(),
            self.created_on.to_string(),
            self.last_rotated_on.to_string(),
            self.rotation_days.map(|d| d.to_string()).unwrap_or_default(),
            self.rotation_due().map(|d| d.to_string()).unwrap_or_default(),
            self.status.as_str().into(),
            self.weaknesses().join("; "),
        ]
    }
}

/// Known weaknesses of an algorithm and key size (NIST SP 800-131A's disallowed and legacy
/// uses): RSA, DSA and finite-field Diffie-Hellman under 2048 bits, elliptic curves under 224
/// bits, AES keys under 128 bits, DES and 3DES, RC4, MD5 and SHA-1.
pub fn weaknesses(algorithm: &str, size_bits: Option<i64>) -> Vec<&'static str> {
    let a = algorithm.to_ascii_uppercase().replace(['-', '_', ' '], "");
    let small = |min: i64| size_bits.is_some_and(|s| s < min);
    let elliptic = a.contains("EC") || a.contains("ED25519") || a.contains("ED448") || a.contains("X25519");
    let mut found = Vec::new();
    if !elliptic && (a.contains("RSA") || a.contains("DSA") || a.starts_with("DH")) && small(2048) {
        found.push("RSA, DSA and Diffie-Hellman keys need at least 2048 bits");
    }
    if elliptic && small(224) {
        found.push("elliptic-curve keys need at least 224 bits");
    }
    if a.contains("AES") && small(128) {
        found.push("AES keys need at least 128 bits");
    }
    if a.contains("DES") {
        found.push("DES and 3DES are no longer allowed for encryption");
    }
    if a.contains("RC4") || a.contains("ARCFOUR") {
        found.push("RC4 is broken");
    }
    if a.contains("MD5") {
        found.push("MD5 is broken");
    }
    if a.contains("SHA1") && !a.contains("SHA1024") {
        found.push("SHA-1 is broken for signatures");
    }
    found
}

/// What a form or an API request says about a key, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct KeyInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub algorithm: String,
    #[serde(default)]
    pub size_bits: String,
    /// The owner's e-mail address or id.
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub fingerprint: String,
    /// YYYY-MM-DD; today when empty.
    #[serde(default)]
    pub created_on: String,
    #[serde(default)]
    pub rotation_days: String,
    /// active or retired (revoking is its own step, with a reason).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub version: Option<String>,
}

pub const LIST: ListSpec = ListSpec {
    filters: &[
        FilterSpec { name: "status", label: "status", kind: FilterKind::Choice(&["active", "retired", "revoked"]) },
        FilterSpec { name: "weak", label: "weak", kind: FilterKind::Choice(&["yes", "no"]) },
        FilterSpec { name: "owner_id", label: "owner", kind: FilterKind::Id },
    ],
    sorts: &[
        SortSpec { name: "name", label: "Name", key: KeyType::Text },
        SortSpec { name: "algorithm", label: "Algorithm", key: KeyType::Text },
        SortSpec { name: "rotation_due", label: "Rotation due", key: KeyType::Int },
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
    ],
    searchable: true,
    columns: &[
        "id",
        "name",
        "purpose",
        "algorithm",
        "size_bits",
        "owner",
        "location",
        "fingerprint",
        "created_on",
        "last_rotated_on",
        "rotation_days",
        "rotation_due",
        "status",
        "weaknesses",
    ],
};

/// What a key is found by, lower-cased for the search index.
pub fn search_text(k: &CryptoKey) -> String {
    format!("{} {} {} {}", k.name, k.purpose, k.location, k.fingerprint).to_lowercase()
}

/// Whether a text looks like secret key material, which never belongs here.
fn looks_like_secret(text: &str) -> bool {
    let t = text.to_ascii_uppercase();
    t.contains("PRIVATE KEY") || t.contains("BEGIN OPENSSH") || t.contains("SECRET KEY")
}

async fn validate(tx: &mut dyn Writer, input: &KeyInput, base: CryptoKey) -> CoreResult<CryptoKey> {
    let mut c = Checks::new();
    let name = c.text("name", &input.name, 200);
    let purpose = c.optional_text("purpose", &input.purpose, 500);
    let algorithm = c.text("algorithm", &input.algorithm, 100);
    let size_bits = c.optional_number("size_bits", &input.size_bits, 1..=65_536);
    let owner_id = person_field(tx, &mut c, "owner_id", &input.owner_id).await?;
    let location = c.optional_text("location", &input.location, 200);
    let fingerprint = c.optional_text("fingerprint", &input.fingerprint, 200);
    let created_on = c.optional_date("created_on", &input.created_on, base.created_on);
    let rotation_days = c.optional_number("rotation_days", &input.rotation_days, 1..=3650);
    let allowed: fn(&str) -> Option<KeyStatus> = |s| KeyStatus::parse(s).filter(|s| *s != KeyStatus::Revoked);
    let status = c.choice("status", &input.status, base.status, allowed, "active, retired");
    if base.status == KeyStatus::Revoked && status != KeyStatus::Revoked {
        c.clash("status", "a revoked key stays revoked");
    }
    for (field, value) in [("purpose", &purpose), ("location", &location), ("fingerprint", &fingerprint)] {
        if looks_like_secret(value) {
            c.fail(field, "looks like secret key material: record only metadata, never the key itself");
        }
    }
    c.finish()?;
    let last_rotated_on = base.last_rotated_on.max(created_on);
    Ok(CryptoKey {
        name,
        purpose,
        algorithm,
        size_bits,
        owner_id,
        location,
        fingerprint,
        created_on,
        last_rotated_on,
        rotation_days,
        status,
        ..base
    })
}

/// The owner's open rotation task of the key, due when its rotation period ends.
fn rotation_task(key: &CryptoKey, now: Timestamp) -> Option<Task> {
    let (owner, due) = (key.owner_id?, key.rotation_due()?);
    Some(Task {
        // Each change of the key plans afresh: the id names the change (its time), so a
        // rotation recorded on the day the key was made still opens a new task.
        id: format!("rotate:key/{}/{due}/{}:{owner}", key.id, crate::time_util::to_micros(key.updated_at)),
        kind: "rotate".into(),
        assignee_person_id: owner,
        subject_type: "key".into(),
        subject_id: key.id.to_string(),
        title: format!("Rotate the key “{}”", key.name),
        due_at: due.midnight().assume_utc(),
        state: "open".into(),
        done_at: None,
        created_at: now,
    })
}

/// Replaces the key's open rotation task by the one its current state calls for.
async fn plan_rotation(tx: &mut dyn Writer, key: &CryptoKey, now: Timestamp) -> CoreResult<()> {
    tx.close_subject_tasks("rotate", "key", &key.id.to_string(), now).await?;
    if let Some(task) = rotation_task(key, now) {
        tx.insert_task(&task).await?;
    }
    Ok(())
}

pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp, input: &KeyInput) -> CoreResult<CryptoKey> {
    actor.require(Permission::ManageAssets)?;
    let today = now.date();
    let base = CryptoKey {
        id: KeyId::new(),
        name: String::new(),
        purpose: String::new(),
        algorithm: String::new(),
        size_bits: None,
        owner_id: None,
        location: String::new(),
        fingerprint: String::new(),
        created_on: today,
        last_rotated_on: today,
        rotation_days: None,
        status: KeyStatus::Active,
        revocation: None,
        owner_name: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = store.write().await?;
    let key = validate(&mut *tx, input, base).await?;
    let key = CryptoKey { last_rotated_on: key.created_on, ..key };
    tx.insert_key(&key).await?;
    plan_rotation(&mut *tx, &key, now).await?;
    tx.audit(AuditRecord::new(actor, now, "key.create", "key", key.id, None::<&()>, Some(&key)));
    tx.commit().await?;
    Ok(key)
}

pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: KeyId,
    input: &KeyInput,
) -> CoreResult<CryptoKey> {
    actor.require(Permission::ManageAssets)?;
    let mut tx = store.write().await?;
    let before = tx.get_key(id).await?;
    let after = validate(&mut *tx, input, CryptoKey { updated_at: now, ..before.clone() }).await?;
    check_version(input.version.as_deref(), before.updated_at, "this key")?;
    tx.update_key(&before, &after).await?;
    plan_rotation(&mut *tx, &after, now).await?;
    tx.audit(AuditRecord::new(actor, now, "key.update", "key", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// Records that the key was rotated today: its rotation task closes and the next one opens.
/// Its owner records it too (the rotation task is theirs), without holding `ManageAssets`.
pub async fn record_rotation(store: &dyn Store, actor: &Actor, now: Timestamp, id: KeyId) -> CoreResult<CryptoKey> {
    let mut tx = store.write().await?;
    let before = tx.get_key(id).await?;
    visible(actor, &before)?;
    if !actor.can(Permission::ManageAssets) && !owns(actor, &before) {
        return Err(CoreError::Forbidden("only the key's owner and the asset managers record a rotation".into()));
    }
    if before.status != KeyStatus::Active {
        return Err(CoreError::Conflict("only an active key is rotated".into()));
    }
    let after = CryptoKey { last_rotated_on: now.date(), updated_at: now, ..before.clone() };
    tx.update_key(&before, &after).await?;
    plan_rotation(&mut *tx, &after, now).await?;
    tx.audit(AuditRecord::new(actor, now, "key.rotate", "key", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// Revokes the key, recording who and why; a reason is required, and revocation is final.
pub async fn revoke(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: KeyId,
    reason: &str,
) -> CoreResult<CryptoKey> {
    actor.require(Permission::ManageAssets)?;
    let mut c = Checks::new();
    let reason = c.text("reason", reason, 1000);
    c.finish()?;
    let mut tx = store.write().await?;
    let before = tx.get_key(id).await?;
    if before.status == KeyStatus::Revoked {
        return Err(CoreError::Conflict("this key is revoked already".into()));
    }
    let revocation = Revocation { at: now, by: actor.label.clone(), reason };
    let after =
        CryptoKey { status: KeyStatus::Revoked, revocation: Some(revocation), updated_at: now, ..before.clone() };
    tx.update_key(&before, &after).await?;
    plan_rotation(&mut *tx, &after, now).await?;
    tx.audit(AuditRecord::new(actor, now, "key.revoke", "key", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

/// Whether the actor is the key's owner.
pub fn owns(actor: &Actor, key: &CryptoKey) -> bool {
    actor.person_id.is_some() && actor.person_id == key.owner_id
}

/// The inventory's readers see every key; its owner sees theirs; anyone else finds none.
fn visible(actor: &Actor, key: &CryptoKey) -> CoreResult<()> {
    if actor.can(Permission::ViewAssets) || owns(actor, key) { Ok(()) } else { Err(CoreError::NotFound) }
}

/// A key, for the inventory's readers and its owner (who records its rotations).
pub async fn get(store: &dyn Store, actor: &Actor, id: KeyId) -> CoreResult<CryptoKey> {
    let key = store.read().await?.get_key(id).await?;
    visible(actor, &key)?;
    Ok(key)
}

pub async fn list(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<CryptoKey>> {
    actor.require(Permission::ViewAssets)?;
    Ok(store.read().await?.list_keys(query).await?)
}

#[cfg(test)]
mod tests {
    use super::weaknesses;

    #[test]
    fn weak_algorithms_and_sizes_are_named() {
        assert!(weaknesses("RSA", Some(4096)).is_empty());
        assert_eq!(weaknesses("RSA", Some(1024)).len(), 1);
        assert!(weaknesses("ECDSA P-256", Some(256)).is_empty());
        assert!(weaknesses("Ed25519", Some(256)).is_empty());
        assert_eq!(weaknesses("ECDSA P-192", Some(192)).len(), 1);
        assert_eq!(weaknesses("3DES", Some(168)), ["DES and 3DES are no longer allowed for encryption"]);
        assert_eq!(weaknesses("RSA-SHA1", Some(2048)), ["SHA-1 is broken for signatures"]);
        assert!(weaknesses("HMAC-SHA256", Some(256)).is_empty());
        assert_eq!(weaknesses("AES", Some(64)).len(), 1);
        assert!(weaknesses("AES-256-GCM", Some(256)).is_empty());
        assert!(!weaknesses("rc4", None).is_empty());
    }
}
