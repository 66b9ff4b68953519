//! The inventory of cryptographic keys (SPEC §3.6), a record kit type: metadata only —
//! purpose, algorithm and size, owner, where the key is kept, fingerprint, when it was made and
//! last rotated, its rotation period and status. Never secret material: a field that looks
//! like a private key is refused. Weak algorithms are flagged; a key with a rotation period
//! gives its owner a rotation task due when the period ends (recording the rotation, which the
//! owner may do, closes it and plans the next); revoking a key records who, when and why.

use crate::access::Permission;
use crate::error::CoreResult;
use crate::policies::campaigns::Task;
use crate::records::access::{RecordAccess, Scope};
use crate::records::{Action, Field, FieldKind, Panel, Record, RecordType, Step, Value, YES_NO};
use crate::store::Writer;
use crate::time_util::Timestamp;
use crate::validate::Checks;
use time::Duration;

pub const STATUSES: &[(&str, &str)] = &[("active", "Active"), ("retired", "Retired"), ("revoked", "Revoked")];

pub static KEY: RecordType = RecordType {
    kind: "key",
    table: "crypto_keys",
    path: "keys",
    singular: "key",
    title: "Keys",
    intro: "The cryptographic keys the company relies on: metadata only, never the key itself.",
    name_field: "name",
    fields: &[
        Field::line("name", "Name", 200).required().listed().sorted().searched(),
        Field::line("purpose", "Purpose", 500).searched(),
        Field::line("algorithm", "Algorithm", 100)
            .required()
            .listed()
            .sorted()
            .hint("As your team names it: RSA, ECDSA P-256, Ed25519, AES-256-GCM, HMAC-SHA256 …"),
        Field::new("size_bits", "Size (bits)", FieldKind::Number { min: 1, max: 65_536 }).listed(),
        Field::new("owner", "Owner", FieldKind::Person).listed().filtered().sorted().hint("Rotates it when it is due."),
        Field::line("location", "Kept in", 200).searched().hint("HSM, cloud KMS, vault, a server's disk …"),
        Field::line("fingerprint", "Fingerprint", 200).searched(),
        Field::new("created_on", "Created on", FieldKind::Date).hint("Today when left empty."),
        Field::new("rotation_days", "Rotate every (days)", FieldKind::Number { min: 1, max: 3650 })
            .hint("Its owner gets a rotation task when the period ends."),
        Field::new("status", "Status", FieldKind::Choice(STATUSES))
            .required()
            .listed()
            .filtered()
            .default("active")
            .reserved(&["revoked"])
            .hint("Revoking is its own step, with a reason."),
        Field::new("last_rotated_on", "Last rotated on", FieldKind::Date).derived(),
        Field::new("rotation_due", "Rotation due", FieldKind::Date).derived().listed().sorted(),
        Field::new("weak", "Weak", FieldKind::Choice(YES_NO)).derived().listed().filtered(),
        Field::text("weaknesses", "Weaknesses", 2000).derived(),
        Field::new("revoked_on", "Revoked on", FieldKind::Date).derived(),
        Field::line("revoked_by", "Revoked by", 200).derived(),
        Field::text("revocation_reason", "Why it was revoked", 1000).derived(),
    ],
    parent: None,
    access: RecordAccess {
        view: Permission::ViewAssets,
        manage: Permission::ManageAssets,
        scope: Some(Scope::Owner("owner")),
        scope_edits: false,
    },
    actions: &[
        Action::new(
            "rotate",
            ("Rotation", "Rotated today"),
            "Record that the key was replaced by a new one today: its rotation task closes and the next is planned.",
            |key, step| {
                key.set("last_rotated_on", Value::Date(step.now.date()));
                Ok(())
            },
        )
        .unless(|key| (key.value("status").plain() != "active").then_some("only an active key is rotated"))
        .by_scope(),
        Action::new(
            "revoke",
            ("Revoke", "Revoke key"),
            "For a key that is compromised or must no longer be trusted. This cannot be undone.",
            revoke,
        )
        .inputs(&[Field::text("reason", "Reason", 1000)
            .required()
            .hint("Why it is revoked, e.g. “laptop with the key stolen”.")])
        .unless(|key| (key.value("status").plain() == "revoked").then_some("this key is revoked already"))
        .is_final(),
    ],
    rules: Some(rules),
    panel: Some(Panel {
        title: "Keys needing attention",
        overdue: Some("rotate"),
        filters: &[("weak", "yes"), ("status", "active")],
        badge: "weak",
        note: "weaknesses",
    }),
    derive: Some(derive),
    after_save: Some(|tx, key, now| Box::pin(plan_rotation(tx, key, now))),
};

fn revoke(key: &mut Record, step: &Step) -> CoreResult<()> {
    key.set("status", Value::Text("revoked".into()));
    key.set("revoked_on", Value::Date(step.now.date()));
    key.set("revoked_by", Value::Text(step.by.into()));
    key.set("revocation_reason", step.input("reason").clone());
    Ok(())
}

/// No key material anywhere; revoking (its own step, `reserved`) is final.
fn rules(before: &Record, after: &Record, c: &mut Checks) {
    for field in ["purpose", "location", "fingerprint"] {
        if looks_like_secret(&after.value(field).plain()) {
            c.fail(field, "looks like secret key material: record only metadata, never the key itself");
        }
    }
    let revoked = |r: &Record| r.value("status").plain() == "revoked";
    if revoked(before) && !revoked(after) {
        c.clash("status", "a revoked key stays revoked");
    }
}

/// Its creation day (today when not given), last rotation, next rotation due and weaknesses.
fn derive(key: &mut Record) {
    let created = key.value("created_on").as_date().unwrap_or(key.created_at.date());
    let rotated = key.value("last_rotated_on").as_date().map_or(created, |d| d.max(created));
    key.set("created_on", Value::Date(created));
    key.set("last_rotated_on", Value::Date(rotated));
    let active = key.value("status").plain() == "active";
    let period = key.value("rotation_days").as_int().filter(|_| active);
    let due = period.and_then(|days| rotated.checked_add(Duration::days(days)));
    key.set("rotation_due", due.map_or(Value::Empty, Value::Date));
    let found = weaknesses(&key.value("algorithm").plain(), key.value("size_bits").as_int());
    key.set("weak", Value::Text(if found.is_empty() { "no" } else { "yes" }.into()));
    key.set("weaknesses", if found.is_empty() { Value::Empty } else { Value::Text(found.join("; ")) });
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

/// Whether a text looks like secret key material, which never belongs here.
fn looks_like_secret(text: &str) -> bool {
    let t = text.to_ascii_uppercase();
    t.contains("PRIVATE KEY") || t.contains("BEGIN OPENSSH") || t.contains("SECRET KEY")
}

/// Replaces the key's open rotation task by the one its state calls for: its owner's, due
/// when the rotation period ends.
async fn plan_rotation(tx: &mut dyn Writer, key: &Record, now: Timestamp) -> CoreResult<()> {
    tx.close_subject_tasks("rotate", KEY.kind, &key.id, now).await?;
    let (Some(owner), Some(due)) = (key.value("owner").as_id(), key.value("rotation_due").as_date()) else {
        return Ok(());
    };
    let Ok(owner) = owner.parse() else { return Ok(()) };
    tx.insert_task(&Task {
        // Each change of the key plans afresh: the id names the change (its time), so a
        // rotation recorded on the day the key was made still opens a new task.
        id: format!("rotate:key/{}/{due}/{}:{owner}", key.id, crate::time_util::to_micros(key.updated_at)),
        kind: "rotate".into(),
        assignee_person_id: owner,
        subject_type: KEY.kind.into(),
        subject_id: key.id.clone(),
        title: format!("Rotate the key “{}”", key.name()),
        due_at: due.midnight().assume_utc(),
        state: "open".into(),
        done_at: None,
        created_at: now,
    })
    .await?;
    Ok(())
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
