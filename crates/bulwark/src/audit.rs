//! `bulwark audit`: verify the chain (optionally against a signed checkpoint), sign a
//! checkpoint of its head, create a key pair; and the server's checkpoint schedule settings.

use anyhow::{Context, bail};
use bulwark_core::audit_anchor::{self, Checkpoint, CheckpointPlan};
use bulwark_store::SqlStore;
use std::path::Path;

fn read(path: &Path, what: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read the {what} {}", path.display()))
}

pub fn signing_key(path: &Path) -> anyhow::Result<ed25519_dalek::SigningKey> {
    audit_anchor::signing_key_from_pem(&read(path, "key")?).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Reads an Ed25519 public key (PEM).
pub fn public_key(path: &Path) -> anyhow::Result<ed25519_dalek::VerifyingKey> {
    audit_anchor::verifying_key_from_pem(&read(path, "public key")?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The server's checkpoint schedule, from `--audit-checkpoint-key` and its period.
pub fn checkpoint_plan(key: Option<&Path>, hours: u32) -> anyhow::Result<Option<CheckpointPlan>> {
    let Some(key) = key else { return Ok(None) };
    Ok(Some(CheckpointPlan { key: signing_key(key)?, every: time::Duration::hours(i64::from(hours)) }))
}

/// Verifies the chain and, given a checkpoint and the public key it must be signed with, that
/// the chain up to it was not rewritten. False when either fails.
pub async fn verify(store: &SqlStore, anchor: Option<(&Path, &Path)>) -> anyhow::Result<bool> {
    // Read both files first: a typo is reported before minutes of verifying.
    let anchor = match anchor {
        Some((c, k)) => {
            let checkpoint =
                Checkpoint::parse(&read(c, "checkpoint")?).map_err(|e| anyhow::anyhow!("{}: {e}", c.display()))?;
            let key = audit_anchor::verifying_key_from_pem(&read(k, "public key")?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", k.display()))?;
            Some((checkpoint, key))
        }
        None => None,
    };
    let started = std::time::Instant::now();
    match store.verify_audit_chain().await? {
        Ok(n) => println!("ok: {n} entries verified in {:.2} s", started.elapsed().as_secs_f64()),
        Err(b) => {
            println!("broken: entry {}: {}", b.seq, b.reason);
            return Ok(false);
        }
    }
    let Some((checkpoint, key)) = anchor else { return Ok(true) };
    let anchored = match checkpoint.verify_signature(&key) {
        Ok(()) => audit_anchor::check(store, &checkpoint).await?,
        Err(e) => Err(e),
    };
    match anchored {
        Ok(()) => {
            println!(
                "ok: the chain up to entry {} matches the checkpoint signed at {}",
                checkpoint.seq,
                bulwark_core::time_util::rfc3339(checkpoint.signed_at)
            );
            Ok(true)
        }
        Err(e) => {
            println!("broken: {e}");
            Ok(false)
        }
    }
}

/// Prints a checkpoint of the chain's head signed with the private key at `key`.
pub async fn checkpoint(store: &SqlStore, key: &Path) -> anyhow::Result<()> {
    let key = signing_key(key)?;
    let checkpoint = audit_anchor::take(store, &key, bulwark_core::time_util::now()).await.map_err(crate::explain)?;
    println!("{}", serde_json::to_string_pretty(&checkpoint)?);
    Ok(())
}

/// Writes a new key pair: `output` (private, readable by its owner only) and `output.pub`.
pub fn keygen(output: &Path) -> anyhow::Result<()> {
    let public_path = output.with_extension("pub");
    for path in [output, public_path.as_path()] {
        if path.exists() {
            bail!("{} exists; choose another --output (a key is never overwritten)", path.display());
        }
    }
    let (private, public) = audit_anchor::generate_key_pair().map_err(|e| anyhow::anyhow!(e))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(
        &mut options.open(output).with_context(|| format!("cannot write {}", output.display()))?,
        private.as_bytes(),
    )?;
    std::fs::write(&public_path, public).with_context(|| format!("cannot write {}", public_path.display()))?;
    println!(
        "ok: private key in {} (keep it away from the database), public key in {}",
        output.display(),
        public_path.display()
    );
    Ok(())
}
