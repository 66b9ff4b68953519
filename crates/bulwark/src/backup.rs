//! `bulwark backup` and `bulwark restore`: the file handling and what they print around the
//! store's snapshot export and empty-database import.

use anyhow::{Context, bail};
use bulwark_store::{BackupTrust, DatabaseUrl, SqlStore};
use std::path::Path;

/// A new file only its owner may read (the backup holds password hashes and second-factor
/// secrets), created exclusively: whatever already sits at the path — a stale partial file,
/// or a link someone planted to redirect the write — is removed, never followed.
pub fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot replace {}", path.display())),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes the backup beside `output` and renames it into place once complete, so `output`
/// is never a half-written file. With a key the backup is signed.
pub async fn write(store: &SqlStore, output: &Path, key: Option<&Path>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let key = key.map(crate::audit::signing_key).transpose()?;
    let partial = output.with_extension("partial");
    let file = create_private(&partial)?;
    let summary = match store.backup(std::io::BufWriter::new(file), key.as_ref()).await {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot sync {}", partial.display()))?;
    std::fs::rename(&partial, output).with_context(|| format!("cannot write {}", output.display()))?;
    println!(
        "ok: {} rows of {} tables (schema {}) written to {} in {:.2} s, {}",
        summary.rows,
        summary.tables,
        summary.schema,
        output.display(),
        started.elapsed().as_secs_f64(),
        if key.is_some() { "signed" } else { "unsigned (restoring it will need --allow-unsigned)" }
    );
    Ok(())
}

/// Restores `file` into the empty database at `url` and verifies the restored audit chain.
/// The file must be signed by the private half of `public_key`, unless `allow_unsigned`.
/// False when the chain does not verify.
pub async fn restore(
    url: &DatabaseUrl,
    file: &Path,
    public_key: Option<&Path>,
    allow_unsigned: bool,
) -> anyhow::Result<bool> {
    let started = std::time::Instant::now();
    if !file.is_file() {
        bail!("there is no backup at {}", file.display());
    }
    let trust = match (public_key, allow_unsigned) {
        (Some(k), _) => BackupTrust::SignedBy(crate::audit::public_key(k)?),
        (None, true) => BackupTrust::AllowUnsigned,
        (None, false) => bail!(
            "give the public key the backup was signed with (--public-key), or --allow-unsigned if you trust the file"
        ),
    };
    let input = std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (store, summary) = SqlStore::restore(url, std::io::BufReader::new(input), &trust).await?;
    println!(
        "ok: {} rows of {} tables (schema {}, taken {}) restored into {url} in {:.2} s",
        summary.rows,
        summary.tables,
        summary.schema,
        bulwark_core::time_util::rfc3339(bulwark_core::time_util::from_micros(summary.taken_at)),
        started.elapsed().as_secs_f64()
    );
    let verified = match store.verify_audit_chain().await? {
        Ok(n) => {
            println!("ok: the audit chain verifies ({n} entries)");
            true
        }
        Err(b) => {
            println!("broken: entry {}: {}", b.seq, b.reason);
            false
        }
    };
    store.close().await;
    Ok(verified)
}
