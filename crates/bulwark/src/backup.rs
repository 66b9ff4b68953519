//! `bulwark backup` and `bulwark restore`: the file handling and what they print around the
//! store's snapshot export and empty-database import.

use anyhow::{Context, bail};
use bulwark_store::{DatabaseUrl, SqlStore};
use std::path::Path;

/// Writes the backup beside `output` and renames it into place once complete, so `output`
/// is never a half-written file.
pub async fn write(store: &SqlStore, output: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let partial = output.with_extension("partial");
    let file = std::fs::File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?;
    let summary = match store.backup(std::io::BufWriter::new(file)).await {
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
        "ok: {} rows of {} tables (schema {}) written to {} in {:.2} s",
        summary.rows,
        summary.tables,
        summary.schema,
        output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Restores `file` into the empty database at `url` and verifies the restored audit chain.
/// False when the chain does not verify.
pub async fn restore(url: &DatabaseUrl, file: &Path) -> anyhow::Result<bool> {
    let started = std::time::Instant::now();
    if !file.is_file() {
        bail!("there is no backup at {}", file.display());
    }
    let input = std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (store, summary) = SqlStore::restore(url, std::io::BufReader::new(input)).await?;
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
