//! The audit log: every mutation produces an `AuditRecord`, which the store appends to a
//! hash chain in the same transaction as the change. `chain_hash` is the canonical encoding;
//! `ChainVerifier` walks the chain and names the first entry that does not fit.

use crate::access::Actor;
use crate::time_util::{self, Timestamp};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit entry waiting to be appended: everything but its place in the chain.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub at: Timestamp,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// JSON text of the state before the change (`null` for a creation).
    pub before: String,
    /// JSON text of the state after the change (`null` for a deletion).
    pub after: String,
}

impl AuditRecord {
    pub fn new<B: Serialize, A: Serialize>(
        actor: &Actor,
        at: Timestamp,
        action: &str,
        entity_type: &str,
        entity_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Self {
        Self {
            at,
            actor_id: actor.audit_id(),
            actor_label: actor.label.clone(),
            action: action.into(),
            entity_type: entity_type.into(),
            entity_id: entity_id.to_string(),
            before: to_json(before),
            after: to_json(after),
        }
    }
}

fn to_json<T: Serialize>(v: Option<&T>) -> String {
    match v {
        Some(v) => serde_json::to_string(v).unwrap_or_else(|_| "null".into()),
        None => "null".into(),
    }
}

/// An entry as stored: the record, its sequence number and its links in the chain.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: Timestamp,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: String,
    pub after: String,
    pub prev_hash: String,
    pub hash: String,
}

/// An entry's fields borrowed from wherever they were read; what the chain hash covers.
#[derive(Debug, Clone, Copy)]
pub struct EntryView<'a> {
    pub seq: i64,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    pub actor_id: Option<&'a str>,
    pub actor_label: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub before: &'a str,
    pub after: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

impl EntryView<'_> {
    pub fn to_owned_entry(&self) -> AuditEntry {
        AuditEntry {
            seq: self.seq,
            at: time_util::from_micros(self.at),
            actor_id: self.actor_id.map(str::to_string),
            actor_label: self.actor_label.into(),
            action: self.action.into(),
            entity_type: self.entity_type.into(),
            entity_id: self.entity_id.into(),
            before: self.before.into(),
            after: self.after.into(),
            prev_hash: self.prev_hash.into(),
            hash: self.hash.into(),
        }
    }
}

impl AuditEntry {
    pub fn view(&self) -> EntryView<'_> {
        EntryView {
            seq: self.seq,
            at: time_util::to_micros(self.at),
            actor_id: self.actor_id.as_deref(),
            actor_label: &self.actor_label,
            action: &self.action,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            before: &self.before,
            after: &self.after,
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        }
    }

    /// Places a record after the entry with `prev_seq` and `prev_hash`.
    pub fn chain(record: AuditRecord, prev_seq: i64, prev_hash: &str) -> Self {
        let seq = prev_seq + 1;
        let mut e = AuditEntry {
            seq,
            at: record.at,
            actor_id: record.actor_id,
            actor_label: record.actor_label,
            action: record.action,
            entity_type: record.entity_type,
            entity_id: record.entity_id,
            before: record.before,
            after: record.after,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        e.hash = chain_hash(&e);
        e
    }
}

/// SHA-256 over a length-prefixed encoding of every field but `hash` itself, so no two
/// different entries encode alike.
pub fn chain_hash(e: &AuditEntry) -> String {
    hex::encode(chain_digest(&e.view()))
}

fn chain_digest(e: &EntryView<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(b"bulwark-audit-v1");
    field(&e.seq.to_be_bytes());
    field(&e.at.to_be_bytes());
    field(e.actor_id.unwrap_or("").as_bytes());
    field(e.actor_label.as_bytes());
    field(e.action.as_bytes());
    field(e.entity_type.as_bytes());
    field(e.entity_id.as_bytes());
    field(e.before.as_bytes());
    field(e.after.as_bytes());
    field(e.prev_hash.as_bytes());
    h.finalize().into()
}

/// Whether the stored hex hash is the hash of the entry (formatted on the stack).
fn hash_matches(e: &EntryView<'_>) -> bool {
    let mut hex_digest = [0u8; 64];
    hex::encode_to_slice(chain_digest(e), &mut hex_digest).is_ok() && hex_digest == e.hash.as_bytes()
}

/// Where the chain broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// Sequence number of the first entry that does not fit (or that is missing).
    pub seq: i64,
    pub reason: String,
}

/// Checks entries one by one, in stored order.
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    pub verified: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { expected_seq: 1, prev_hash: GENESIS_HASH.into(), verified: 0 }
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        self.check_view(&e.view())
    }

    /// Like `check`, on borrowed fields (no allocation per entry).
    pub fn check_view(&mut self, e: &EntryView<'_>) -> Result<(), ChainBreak> {
        if e.seq != self.expected_seq {
            let reason = if e.seq > self.expected_seq {
                format!("entry {} is missing (next stored entry is {})", self.expected_seq, e.seq)
            } else {
                format!("entry {} appears out of order after entry {}", e.seq, self.expected_seq - 1)
            };
            return Err(ChainBreak { seq: self.expected_seq.min(e.seq), reason });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak {
                seq: e.seq,
                reason: format!("entry {} does not link to the entry before it", e.seq),
            });
        }
        if !hash_matches(e) {
            return Err(ChainBreak { seq: e.seq, reason: format!("entry {} was altered (hash mismatch)", e.seq) });
        }
        self.expected_seq += 1;
        self.prev_hash.clear();
        self.prev_hash.push_str(e.hash);
        self.verified += 1;
        Ok(())
    }
}

/// Filter for reading the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Only entries older than this sequence number (keyset paging, newest first).
    pub before_seq: Option<i64>,
}

/// A page of the audit log, for those who may read it.
pub async fn list(
    store: &dyn crate::Store,
    actor: &Actor,
    filter: &AuditFilter,
    limit: u32,
) -> crate::error::CoreResult<crate::list::ListPage<AuditEntry>> {
    actor.require(crate::Permission::ViewAudit)?;
    Ok(store.read().await?.list_audit(filter, limit).await?)
}

/// Export columns of the audit log: everything needed to check the chain elsewhere.
pub const EXPORT_COLUMNS: &[&str] =
    &["seq", "at", "actor_id", "actor", "action", "entity_type", "entity_id", "before", "after", "prev_hash", "hash"];

impl AuditEntry {
    /// The export row, in `EXPORT_COLUMNS` order.
    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.seq.to_string(),
            crate::time_util::rfc3339(self.at),
            self.actor_id.clone().unwrap_or_default(),
            self.actor_label.clone(),
            self.action.clone(),
            self.entity_type.clone(),
            self.entity_id.clone(),
            self.before.clone(),
            self.after.clone(),
            self.prev_hash.clone(),
            self.hash.clone(),
        ]
    }
}

/// How many of a record's latest changes its page shows; the audit log has the rest.
pub const HISTORY_SHOWN: u32 = 20;

/// The latest changes of one record (at most `HISTORY_SHOWN`), or `None` when the actor may not
/// read the audit log.
pub async fn history(
    store: &dyn crate::Store,
    actor: &Actor,
    entity_type: &str,
    entity_id: &str,
) -> crate::error::CoreResult<Option<Vec<AuditEntry>>> {
    if !actor.can(crate::Permission::ViewAudit) {
        return Ok(None);
    }
    let filter =
        AuditFilter { entity_type: Some(entity_type.into()), entity_id: Some(entity_id.into()), ..Default::default() };
    Ok(Some(store.read().await?.list_audit(&filter, HISTORY_SHOWN).await?.items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let actor = Actor::cli();
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let rec = AuditRecord::new(
                &actor,
                time_util::from_micros(1_700_000_000_000_000 + i),
                "person.create",
                "person",
                i,
                None::<&()>,
                Some(&serde_json::json!({ "n": i })),
            );
            let (seq, prev) = out.last().map(|e| (e.seq, e.hash.clone())).unwrap_or((0, GENESIS_HASH.into()));
            out.push(AuditEntry::chain(rec, seq, &prev));
        }
        out
    }

    fn verify(entries: &[AuditEntry]) -> Result<u64, ChainBreak> {
        let mut v = ChainVerifier::new();
        for e in entries {
            v.check(e)?;
        }
        Ok(v.verified)
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn edit_is_detected_at_the_edited_entry() {
        let mut c = chain(5);
        c[2].after = r#"{"n":99}"#.into();
        assert_eq!(verify(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn deletion_is_detected() {
        let mut c = chain(5);
        c.remove(1);
        let b = verify(&c).unwrap_err();
        assert_eq!(b.seq, 2);
        assert!(b.reason.contains("missing"));
    }

    #[test]
    fn reordering_is_detected() {
        let mut c = chain(5);
        c.swap(1, 2);
        assert_eq!(verify(&c).unwrap_err().seq, 2);
    }

    #[test]
    fn rewritten_entry_with_recomputed_hash_breaks_the_next_link() {
        let mut c = chain(5);
        c[1].actor_label = "mallory".into();
        c[1].hash = chain_hash(&c[1]);
        let b = verify(&c).unwrap_err();
        assert_eq!(b.seq, 3);
        assert!(b.reason.contains("link"));
    }
}
