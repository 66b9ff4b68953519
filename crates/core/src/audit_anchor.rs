//! Audit anchoring: Ed25519-signed checkpoints of the audit chain's head.
//!
//! The hash chain shows that no entry was changed, inserted or removed *after* the fact by
//! someone who cannot recompute every later hash. Someone with write access to the database
//! can recompute them all. A checkpoint — the head's sequence number and hash, signed with a
//! key that is not in the database — copied somewhere else (a file, an e-mail, a chat
//! channel) closes that gap: `verify` then proves that the entry at that sequence still has
//! the signed hash, so the chain up to it was not rewritten.
//!
//! Keys are PKCS#8 PEM files, as `openssl genpkey -algorithm ed25519` writes them (or
//! `bulwark audit keygen`). The signed message is a fixed text of the checkpoint's fields,
//! not its JSON, so any tool can check a signature.
//!
//! Checkpoints can also be taken on a schedule by the server (`--audit-checkpoint-key`): a
//! job per period (`audit.checkpoint:<period>`) signs the head, sends the checkpoint to the
//! channels subscribed to `audit.checkpoint` and schedules the next period; like every job it
//! runs once however many instances share the database.

use crate::access::Actor;
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::scheduler::{self, JobKind};

/// Once per period, on an instance holding the checkpoint key: sign the audit chain's head and
/// send the checkpoint to the channels.
pub static CHECKPOINT: JobKind = JobKind {
    name: "audit.checkpoint",
    subject_type: "audit",
    run: |tx, context, _, now| Box::pin(run_scheduled(tx, context.checkpoints.as_ref(), now)),
    needs_checkpoint_key: true,
    event: Some(&CHECKPOINTED),
};
use crate::store::{Reader, Store, Writer};
use crate::time_util::{Timestamp, from_micros, to_micros};
use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Names the checkpoint format and begins the signed message.
pub const FORMAT: &str = "bulwark-audit-checkpoint/1";
/// The notification event checkpoints are sent as.
pub static CHECKPOINTED: crate::notify::Event =
    crate::notify::Event { name: "audit.checkpoint", summary: "The audit log's head is signed and published" };

/// A signed statement of the chain's head at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub format: String,
    /// The sequence number of the newest entry.
    pub seq: i64,
    /// That entry's chain hash.
    pub hash: String,
    /// When that entry was written.
    #[serde(with = "time::serde::rfc3339")]
    pub entry_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub signed_at: Timestamp,
    /// The public key that signed (base64), so a reader knows which key to check against.
    pub public_key: String,
    /// The Ed25519 signature of `message()` (base64).
    pub signature: String,
}

impl Checkpoint {
    /// The text that is signed: the format and every field, one per line.
    fn message(seq: i64, hash: &str, entry_at: Timestamp, signed_at: Timestamp) -> String {
        format!("{FORMAT}\n{seq}\n{hash}\n{}\n{}\n", to_micros(entry_at), to_micros(signed_at))
    }

    /// Signs the head `(seq, hash, entry_at)`.
    pub fn sign(key: &SigningKey, seq: i64, hash: &str, entry_at: Timestamp, signed_at: Timestamp) -> Self {
        // Signed at microsecond precision, as the database keeps times.
        let (entry_at, signed_at) = (from_micros(to_micros(entry_at)), from_micros(to_micros(signed_at)));
        let signature = key.sign(Self::message(seq, hash, entry_at, signed_at).as_bytes());
        Self {
            format: FORMAT.into(),
            seq,
            hash: hash.into(),
            entry_at,
            signed_at,
            public_key: base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes()),
            signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
        }
    }

    /// Reads a checkpoint as `sign` wrote it (JSON).
    pub fn parse(text: &str) -> Result<Self, String> {
        let c: Self = serde_json::from_str(text.trim()).map_err(|e| format!("this is not an audit checkpoint: {e}"))?;
        if c.format != FORMAT {
            return Err(format!("checkpoint format {} is not {FORMAT}", c.format));
        }
        Ok(c)
    }

    /// Checks the signature against the key the verifier trusts (not the one it names).
    pub fn verify_signature(&self, key: &VerifyingKey) -> Result<(), String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.signature)
            .map_err(|_| "the checkpoint's signature is not base64".to_string())?;
        let signature =
            Signature::from_slice(&bytes).map_err(|_| "the checkpoint's signature is malformed".to_string())?;
        key.verify(Self::message(self.seq, &self.hash, self.entry_at, self.signed_at).as_bytes(), &signature).map_err(
            |_| {
                "the checkpoint's signature does not match this public key (forged, altered, or another key)"
                    .to_string()
            },
        )
    }
}

pub use ed25519_dalek::{SigningKey as AnchorKey, VerifyingKey as AnchorPublicKey};

/// What a backup's signature covers: the SHA-256 of its content, under a label of its own so
/// that no other signature made with the key can pass for a backup's.
fn backup_message(digest: &str) -> String {
    format!("bulwark-backup/1\n{digest}")
}

/// Signs a backup's content hash (base64 signature).
pub fn sign_backup(key: &SigningKey, digest: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(key.sign(backup_message(digest).as_bytes()).to_bytes())
}

/// Checks a backup's signature against the key the restorer trusts.
pub fn verify_backup(key: &VerifyingKey, digest: &str, signature: &str) -> Result<(), String> {
    let forged = || "the backup's signature does not match the public key (altered, or signed with another key)";
    let bytes = base64::engine::general_purpose::STANDARD.decode(signature).map_err(|_| forged().to_string())?;
    let signature = Signature::from_slice(&bytes).map_err(|_| forged().to_string())?;
    key.verify(backup_message(digest).as_bytes(), &signature).map_err(|_| forged().to_string())
}

/// Reads a private key from PKCS#8 PEM.
pub fn signing_key_from_pem(pem: &str) -> Result<SigningKey, String> {
    SigningKey::from_pkcs8_pem(pem.trim()).map_err(|_| "not an Ed25519 private key in PKCS#8 PEM".to_string())
}

/// Reads a public key from PEM (SubjectPublicKeyInfo).
pub fn verifying_key_from_pem(pem: &str) -> Result<VerifyingKey, String> {
    VerifyingKey::from_public_key_pem(pem.trim()).map_err(|_| "not an Ed25519 public key in PEM".to_string())
}

/// A new key pair as (private PEM, public PEM).
pub fn generate_key_pair() -> Result<(String, String), String> {
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let private = key.to_pkcs8_pem(Default::default()).map_err(|e| e.to_string())?.to_string();
    let public = key.verifying_key().to_public_key_pem(Default::default()).map_err(|e| e.to_string())?;
    Ok((private, public))
}

/// Signs the chain's current head. An empty chain has nothing to anchor.
pub async fn take(store: &dyn Store, key: &SigningKey, now: Timestamp) -> CoreResult<Checkpoint> {
    sign_head(&mut *store.read().await?, key, now)
        .await?
        .ok_or_else(|| CoreError::Conflict("the audit log is empty: there is nothing to anchor yet".into()))
}

/// The newest entry, signed; None while the log is empty.
async fn sign_head(reader: &mut dyn Reader, key: &SigningKey, now: Timestamp) -> CoreResult<Option<Checkpoint>> {
    let head = reader.list_audit(&Default::default(), 1).await?.items.into_iter().next();
    Ok(head.map(|head| Checkpoint::sign(key, head.seq, &head.hash, head.at, now)))
}

/// Whether the stored chain still holds the checkpoint's head: the entry at its sequence
/// exists with the signed hash and time. Run after the chain itself verified.
pub async fn check(store: &dyn Store, checkpoint: &Checkpoint) -> CoreResult<Result<(), String>> {
    let entry = store.audit_batch(checkpoint.seq - 1, 1).await?.into_iter().next();
    Ok(match entry {
        Some(e)
            if e.seq == checkpoint.seq
                && e.hash == checkpoint.hash
                && to_micros(e.at) == to_micros(checkpoint.entry_at) =>
        {
            Ok(())
        }
        Some(e) if e.seq == checkpoint.seq => Err(format!(
            "the chain was rewritten: entry {} has hash {}, the checkpoint signed {}",
            e.seq, e.hash, checkpoint.hash
        )),
        _ => Err(format!("the chain was cut: entry {} of the checkpoint is missing", checkpoint.seq)),
    })
}

/// Scheduled checkpoints: the key the server signs with and how often.
#[derive(Clone)]
pub struct CheckpointPlan {
    pub key: SigningKey,
    pub every: time::Duration,
}

impl std::fmt::Debug for CheckpointPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("CheckpointPlan").field("every", &self.every).finish()
    }
}

impl CheckpointPlan {
    fn period_length(&self) -> i64 {
        i64::try_from(self.every.whole_microseconds()).unwrap_or(i64::MAX).max(1)
    }

    /// The number of the period `at` falls in.
    pub fn period_number(&self, at: Timestamp) -> i64 {
        self.period(at).0
    }

    /// The period `at` falls in: its number and when it starts.
    fn period(&self, at: Timestamp) -> (i64, Timestamp) {
        let number = to_micros(at).div_euclid(self.period_length());
        (number, from_micros(number * self.period_length()))
    }
}

/// Schedules the checkpoint of the period `now` falls in (once, however many instances start).
pub async fn schedule_current(store: &dyn Store, plan: &CheckpointPlan, now: Timestamp) -> CoreResult<()> {
    let (number, start) = plan.period(now);
    let mut tx = store.write().await?;
    if scheduler::schedule_once(&mut *tx, now, &CHECKPOINT, &number.to_string(), start).await? {
        let after = serde_json::json!({ "every_hours": plan.every.whole_hours(), "first_due": crate::time_util::rfc3339(start) });
        tx.audit(AuditRecord::new(
            &Actor::system("scheduler"),
            now,
            "audit.checkpoint_schedule",
            "audit",
            "",
            None::<&()>,
            Some(&after),
        ));
        tx.commit().await?;
    }
    Ok(())
}

/// The scheduled job: signs the head, sends the checkpoint out and plans the next period.
async fn run_scheduled(
    tx: &mut dyn Writer,
    plan: Option<&CheckpointPlan>,
    now: Timestamp,
) -> CoreResult<serde_json::Value> {
    let plan = plan.ok_or_else(|| {
        CoreError::Conflict("this instance has no audit checkpoint key (--audit-checkpoint-key)".into())
    })?;
    let Some(checkpoint) = sign_head(tx, &plan.key, now).await? else {
        return Ok(serde_json::json!({ "skipped": "the audit log is empty" }));
    };
    let text = serde_json::to_string_pretty(&checkpoint).map_err(|e| CoreError::Internal(e.into()))?;
    let subject = format!("Audit checkpoint: entry {}", checkpoint.seq);
    let body = format!(
        "The audit chain's head, signed. Keep this message: `bulwark audit verify --checkpoint FILE --public-key KEY` \
         proves with it that the chain up to entry {} was not rewritten.\n\n{text}",
        checkpoint.seq
    );
    crate::notify::enqueue(tx, now, &CHECKPOINTED, &subject, &body).await?;
    // The next period after now (a job that ran late does not make up the periods it missed).
    let next = plan.period(now).0 + 1;
    scheduler::schedule(tx, now, &CHECKPOINT, &next.to_string(), from_micros(next * plan.period_length())).await?;
    serde_json::to_value(&checkpoint).map_err(|e| CoreError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    #[test]
    fn a_signed_checkpoint_verifies_and_any_change_breaks_it() {
        let at = from_micros(1_790_000_000_123_456);
        let c = Checkpoint::sign(&key(), 42, "ab".repeat(32).as_str(), at, at);
        let parsed = Checkpoint::parse(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(parsed, c);
        assert!(parsed.verify_signature(&key().verifying_key()).is_ok());
        let mut moved = c.clone();
        moved.seq = 41;
        assert!(moved.verify_signature(&key().verifying_key()).is_err(), "another head");
        let mut rehashed = c.clone();
        rehashed.hash = "cd".repeat(32);
        assert!(rehashed.verify_signature(&key().verifying_key()).is_err(), "another hash");
        let other = SigningKey::from_bytes(&[8u8; 32]);
        assert!(c.verify_signature(&other.verifying_key()).is_err(), "another key");
        let resigned = Checkpoint::sign(&other, 42, &c.hash, at, at);
        assert!(resigned.verify_signature(&key().verifying_key()).is_err(), "signed by someone else");
    }

    #[test]
    fn generated_keys_round_trip_through_pem() {
        let (private, public) = generate_key_pair().unwrap();
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        let signing = signing_key_from_pem(&private).unwrap();
        assert_eq!(verifying_key_from_pem(&public).unwrap(), signing.verifying_key());
        assert!(signing_key_from_pem(&public).is_err(), "a public key is not a private one");
        assert!(verifying_key_from_pem("nonsense").is_err());
        assert!(Checkpoint::parse("{\"format\": \"x\"}").is_err());
    }

    #[test]
    fn periods_are_aligned_and_consecutive() {
        let plan = CheckpointPlan { key: key(), every: time::Duration::hours(24) };
        let day = 86_400_000_000i64;
        let (n, start) = plan.period(from_micros(20_000 * day + 5));
        assert_eq!((n, to_micros(start)), (20_000, 20_000 * day));
        assert_eq!(plan.period(from_micros(20_001 * day)).0, 20_001);
    }
}
