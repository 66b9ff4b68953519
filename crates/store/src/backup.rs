//! Online backup to a portable file, and restore into an empty database.
//!
//! A backup is gzip-compressed JSON lines: a header (format, schema version, backend, time),
//! then for each table a line naming its columns followed by one JSON array per row, and a
//! trailer with the row count and the SHA-256 of every line before it. It is read from one
//! snapshot (SQLite: a read transaction on the WAL; PostgreSQL: `REPEATABLE READ READ ONLY`),
//! so it is consistent while the server keeps serving and writing.
//!
//! Tables are written parents first along their foreign keys. A column that closes a cycle
//! (a policy's parent, a department's head whose person names the department) is marked
//! *deferred*: restore loads it as NULL and sets it once every row is in. Derived data —
//! search indexes and row counts — is not written: the triggers that keep it rebuild it as
//! rows are loaded. The format names columns, not positions, and values are plain JSON
//! (integers, text, `{"bytes": base64}`), so a SQLite backup restores into PostgreSQL.
//!
//! A backup holds password hashes and second-factor secrets: editing one (an employee made
//! admin) and recomputing its checksum is easy, so `bulwark backup --key` signs the checksum
//! with an Ed25519 key (the audit anchor key, or one of its own) and restore accepts only a
//! file signed by the key it is given, unless told `--allow-unsigned`.
//!
//! Restore refuses a database that holds anything (an audit entry or a foreign table),
//! applies the migrations up to the backup's schema, loads every row in one transaction,
//! commits only if the trailer's count and hash match, then applies newer migrations.

use anyhow::{Context, anyhow, bail};
use base64::Engine as _;
use bulwark_core::audit_anchor::{self, AnchorKey, AnchorPublicKey};
use bulwark_core::store::Backend;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::migrate::Migrate;
use sqlx::{Any, AnyConnection, Row, ValueRef as _};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

use crate::{DatabaseUrl, SqlStore};

const FORMAT: &str = "bulwark-backup";
const FORMAT_VERSION: u32 = 1;
/// Tables whose rows triggers derive from other tables; restoring them would count twice.
const DERIVED_TABLES: &[&str] = &["row_counts", "_sqlx_migrations"];
/// Bind parameters per INSERT statement (well under both backends' limits).
const PARAMS_PER_STATEMENT: usize = 900;

/// What a backup holds, as its header and trailer describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub schema: i64,
    pub tables: usize,
    pub rows: u64,
    /// When the snapshot was read (microseconds since the epoch).
    pub taken_at: i64,
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    schema: i64,
    backend: String,
    taken_at: i64,
}

#[derive(Serialize, Deserialize)]
struct TableHeader {
    table: String,
    columns: Vec<String>,
    key: Vec<String>,
    deferred: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Trailer {
    end: bool,
    tables: usize,
    rows: u64,
    sha256: String,
    /// Ed25519 over `sha256` (`audit_anchor::sign_backup`), when the backup was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signature: Option<String>,
}

/// Which backups a restore accepts.
pub enum BackupTrust {
    /// Only one signed with the private half of this key.
    SignedBy(AnchorPublicKey),
    /// Any intact one, signed or not (the operator said so: `--allow-unsigned`).
    AllowUnsigned,
}

/// The storage class of a column, which decides how a value is bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ColumnClass {
    Integer,
    Real,
    Text,
    Blob,
}

impl ColumnClass {
    fn of_declared(declared: &str) -> Self {
        let t = declared.to_ascii_lowercase();
        if t.contains("int") {
            Self::Integer
        } else if t.contains("blob") || t.contains("bytea") {
            Self::Blob
        } else if t.contains("real") || t.contains("floa") || t.contains("doub") || t.contains("numeric") {
            Self::Real
        } else {
            Self::Text
        }
    }
}

struct TableInfo {
    name: String,
    columns: Vec<(String, ColumnClass)>,
    key: Vec<String>,
    /// (column, parent table) for every foreign-key column.
    parents: Vec<(String, String)>,
}

impl SqlStore {
    /// Writes a consistent backup of every table to `out` (gzip-compressed) while the
    /// database may be serving.
    /// With a key, the trailer carries the content hash's signature.
    pub async fn backup(&self, out: impl Write, key: Option<&AnchorKey>) -> anyhow::Result<BackupSummary> {
        let mut tx = self.pool.begin().await.context("cannot open a read transaction")?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        }
        let schema: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *tx)
            .await
            .context("this database has no Bulwark schema")?;
        let tables = load_order(catalog(&mut tx, self.backend).await?);
        let mut writer = HashingLines::new(flate2::write::GzEncoder::new(out, flate2::Compression::fast()));
        let taken_at = bulwark_core::time_util::to_micros(bulwark_core::time_util::now());
        writer.line(&Header {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            schema,
            backend: match self.backend {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgres",
            }
            .into(),
            taken_at,
        })?;
        let mut rows = 0u64;
        for (table, deferred) in &tables {
            let columns: Vec<String> = table.columns.iter().map(|(c, _)| c.clone()).collect();
            writer.line(&TableHeader {
                table: table.name.clone(),
                columns: columns.clone(),
                key: table.key.clone(),
                deferred: deferred.clone(),
            })?;
            let order = if table.key.is_empty() { columns.join(", ") } else { table.key.join(", ") };
            let sql = format!("SELECT {} FROM {} ORDER BY {order}", columns.join(", "), table.name);
            let mut stream = sqlx::query(&sql).fetch(&mut *tx);
            while let Some(row) = stream.try_next().await.with_context(|| format!("cannot read {}", table.name))? {
                writer.line(&row_values(&row, &table.name)?)?;
                rows += 1;
            }
        }
        let sha256 = writer.digest();
        let signature = key.map(|k| audit_anchor::sign_backup(k, &sha256));
        writer.line(&Trailer { end: true, tables: tables.len(), rows, sha256, signature })?;
        writer.finish()?;
        tx.rollback().await?;
        Ok(BackupSummary { schema, tables: tables.len(), rows, taken_at })
    }

    /// Restores a backup (as `backup` wrote it) into the empty database at `url`, which is
    /// created if it is a SQLite file that does not exist yet. Nothing is committed unless the
    /// whole file is read and its trailer matches.
    pub async fn restore(
        url: &DatabaseUrl,
        input: impl BufRead,
        trust: &BackupTrust,
    ) -> anyhow::Result<(SqlStore, BackupSummary)> {
        let mut lines = HashingReader::new(std::io::BufReader::new(flate2::bufread::MultiGzDecoder::new(input)));
        let header: Header = lines.next_json()?.ok_or_else(|| anyhow!("the file is empty"))?;
        if header.format != FORMAT {
            bail!("this is not a Bulwark backup");
        }
        if header.version != FORMAT_VERSION {
            bail!("backup format {} is not one this Bulwark reads (it reads {FORMAT_VERSION})", header.version);
        }
        let store = SqlStore::connect(url).await?;
        let migrator = store.migrator();
        let newest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        if header.schema > newest {
            bail!(
                "the backup's schema ({}) is newer than this Bulwark's ({newest}); restore with a newer Bulwark",
                header.schema
            );
        }
        let mut conn = store.pool.acquire().await?;
        refuse_unless_empty(&mut conn, store.backend, url, header.schema).await?;
        conn.ensure_migrations_table().await?;
        let applied: BTreeSet<i64> = conn.list_applied_migrations().await?.iter().map(|m| m.version).collect();
        for m in migrator.iter().filter(|m| m.version <= header.schema && !applied.contains(&m.version)) {
            conn.apply(m).await.with_context(|| format!("migration {} failed", m.version))?;
        }
        let targets: BTreeMap<String, TableInfo> =
            catalog(&mut conn, store.backend).await?.into_iter().map(|t| (t.name.clone(), t)).collect();
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let mut loader = Loader::default();
        let trailer = loop {
            let Some(line) = lines.next_value()? else { bail!("the backup ends early: it is truncated") };
            match line {
                Value::Array(values) => loader.row(&mut tx, values).await?,
                Value::Object(ref o) if o.contains_key("table") => {
                    let header: TableHeader = serde_json::from_value(line).context("a table header is damaged")?;
                    loader.start_table(&mut tx, header, &targets).await?;
                }
                Value::Object(ref o) if o.contains_key("end") => {
                    let digest = lines.digest_before_last();
                    let trailer: Trailer = serde_json::from_value(line).context("the trailer is damaged")?;
                    if trailer.sha256 != digest {
                        bail!("the backup is damaged: its checksum does not match its content");
                    }
                    match (trust, &trailer.signature) {
                        (BackupTrust::SignedBy(key), Some(signature)) => {
                            audit_anchor::verify_backup(key, &digest, signature).map_err(|e| anyhow!(e))?;
                        }
                        (BackupTrust::SignedBy(_), None) => {
                            bail!(
                                "the backup is not signed; restore it with --allow-unsigned only if you trust the file"
                            )
                        }
                        (BackupTrust::AllowUnsigned, _) => {}
                    }
                    break trailer;
                }
                _ => bail!("line {} of the backup is not a table, a row or the trailer", lines.count),
            }
        };
        loader.flush(&mut tx).await?;
        if trailer.rows != loader.rows || trailer.tables != loader.tables {
            bail!(
                "the backup is damaged: its trailer counts {} rows in {} tables, the file holds {} in {}",
                trailer.rows,
                trailer.tables,
                loader.rows,
                loader.tables
            );
        }
        loader.apply_deferred(&mut tx).await?;
        tx.commit().await.context("cannot commit the restored rows")?;
        drop(conn);
        store.migrate().await?;
        store.refresh_statistics().await?;
        Ok((
            store,
            BackupSummary {
                schema: header.schema,
                tables: loader.tables,
                rows: loader.rows,
                taken_at: header.taken_at,
            },
        ))
    }
}

/// Refuses a database that holds anything: foreign tables, audit entries (every change writes
/// one, so an empty audit log means only migration defaults), or a newer schema.
async fn refuse_unless_empty(
    conn: &mut AnyConnection,
    backend: Backend,
    url: &DatabaseUrl,
    schema: i64,
) -> anyhow::Result<()> {
    let tables = table_names(conn, backend).await?;
    if tables.is_empty() {
        return Ok(());
    }
    if !tables.iter().any(|t| t == "_sqlx_migrations") || !tables.iter().any(|t| t == "audit_log") {
        bail!("refusing to restore into {url}: it holds tables that are not Bulwark's; restore into an empty database");
    }
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&mut *conn).await?;
    if entries > 0 {
        bail!(
            "refusing to restore into {url}: it holds a Bulwark database with {entries} audit entries; restore into an empty database"
        );
    }
    let migrated: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations").fetch_one(&mut *conn).await?;
    if migrated > schema {
        bail!(
            "refusing to restore into {url}: it is migrated past the backup's schema ({migrated} > {schema}); restore into an empty database"
        );
    }
    Ok(())
}

/// Writes JSON lines and hashes every byte written.
struct HashingLines<W: Write> {
    out: W,
    hash: Sha256,
}

impl<W: Write> HashingLines<W> {
    fn new(out: W) -> Self {
        Self { out, hash: Sha256::new() }
    }

    fn line(&mut self, value: &impl Serialize) -> anyhow::Result<()> {
        let mut bytes = serde_json::to_vec(value)?;
        bytes.push(b'\n');
        self.hash.update(&bytes);
        self.out.write_all(&bytes).context("cannot write the backup")
    }

    fn digest(&self) -> String {
        hex::encode(self.hash.clone().finalize())
    }
}

impl<W: Write> HashingLines<flate2::write::GzEncoder<W>> {
    fn finish(self) -> anyhow::Result<()> {
        self.out.finish().context("cannot write the backup")?.flush().context("cannot write the backup")
    }
}

/// Reads JSON lines, hashing every line but the one read last (the trailer's own).
struct HashingReader<R: BufRead> {
    input: R,
    hash: Sha256,
    last: Vec<u8>,
    count: u64,
}

impl<R: BufRead> HashingReader<R> {
    fn new(input: R) -> Self {
        Self { input, hash: Sha256::new(), last: Vec::new(), count: 0 }
    }

    fn next_line(&mut self) -> anyhow::Result<Option<&[u8]>> {
        self.hash.update(&self.last);
        self.last.clear();
        let n =
            self.input.read_until(b'\n', &mut self.last).context("cannot read the backup (is it a Bulwark backup?)")?;
        if n == 0 {
            return Ok(None);
        }
        self.count += 1;
        Ok(Some(&self.last))
    }

    fn next_value(&mut self) -> anyhow::Result<Option<Value>> {
        let count = self.count + 1;
        match self.next_line()? {
            None => Ok(None),
            Some(line) => {
                serde_json::from_slice(line).map(Some).with_context(|| format!("line {count} of the backup is damaged"))
            }
        }
    }

    fn next_json<T: for<'de> Deserialize<'de>>(&mut self) -> anyhow::Result<Option<T>> {
        match self.next_value()? {
            None => Ok(None),
            Some(v) => serde_json::from_value(v).map(Some).context("this is not a Bulwark backup"),
        }
    }

    fn digest_before_last(&self) -> String {
        hex::encode(self.hash.clone().finalize())
    }
}

/// Loads rows table by table in batches, holding back deferred columns.
#[derive(Default)]
struct Loader {
    table: Option<LoadingTable>,
    batch: Vec<Vec<Value>>,
    deferred: Vec<DeferredUpdate>,
    tables: usize,
    rows: u64,
}

struct LoadingTable {
    name: String,
    columns: Vec<(String, ColumnClass)>,
    /// Positions of the key columns and the deferred columns in a row.
    key: Vec<usize>,
    deferred: Vec<usize>,
}

struct DeferredUpdate {
    sql: String,
    values: Vec<(Value, ColumnClass)>,
}

impl Loader {
    async fn start_table(
        &mut self,
        tx: &mut sqlx::Transaction<'_, Any>,
        header: TableHeader,
        targets: &BTreeMap<String, TableInfo>,
    ) -> anyhow::Result<()> {
        self.flush(tx).await?;
        let target = targets
            .get(&header.table)
            .ok_or_else(|| anyhow!("the backup holds table {}, which this schema does not have", header.table))?;
        let mut columns = Vec::new();
        for c in &header.columns {
            let class =
                target.columns.iter().find(|(name, _)| name == c).map(|(_, class)| *class).ok_or_else(|| {
                    anyhow!("the backup holds column {}.{c}, which this schema does not have", header.table)
                })?;
            columns.push((c.clone(), class));
        }
        let position = |c: &String| header.columns.iter().position(|x| x == c);
        let key = header.key.iter().filter_map(position).collect::<Vec<_>>();
        let deferred = header.deferred.iter().filter_map(position).collect::<Vec<_>>();
        if !deferred.is_empty() && (header.key.is_empty() || key.len() != header.key.len()) {
            bail!("table {} has deferred columns but no key in the backup", header.table);
        }
        // Migrations insert defaults (settings rows); the backup's rows replace them.
        let existing: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", header.table)).fetch_one(&mut **tx).await?;
        if existing > 0 {
            sqlx::query(&format!("DELETE FROM {}", header.table)).execute(&mut **tx).await?;
        }
        self.tables += 1;
        self.table = Some(LoadingTable { name: header.table, columns, key, deferred });
        Ok(())
    }

    async fn row(&mut self, tx: &mut sqlx::Transaction<'_, Any>, values: Vec<Value>) -> anyhow::Result<()> {
        let table = self.table.as_ref().ok_or_else(|| anyhow!("the backup holds a row before any table"))?;
        if values.len() != table.columns.len() {
            bail!("a row of {} has {} values for {} columns", table.name, values.len(), table.columns.len());
        }
        if table.deferred.iter().any(|&i| !values[i].is_null()) {
            let mut n = 0;
            let mut assign = |i: usize| {
                n += 1;
                format!("{} = ${n}", table.columns[i].0)
            };
            let set: Vec<String> = table.deferred.iter().map(|&i| assign(i)).collect();
            let key: Vec<String> = table.key.iter().map(|&i| assign(i)).collect();
            let bound =
                table.deferred.iter().chain(&table.key).map(|&i| (values[i].clone(), table.columns[i].1)).collect();
            self.deferred.push(DeferredUpdate {
                sql: format!("UPDATE {} SET {} WHERE {}", table.name, set.join(", "), key.join(" AND ")),
                values: bound,
            });
        }
        self.rows += 1;
        self.batch.push(values);
        if self.batch.len() * table.columns.len() >= PARAMS_PER_STATEMENT {
            self.flush(tx).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut sqlx::Transaction<'_, Any>) -> anyhow::Result<()> {
        let Some(table) = &self.table else { return Ok(()) };
        if self.batch.is_empty() {
            return Ok(());
        }
        let width = table.columns.len();
        let tuples: Vec<String> = (0..self.batch.len())
            .map(|r| format!("({})", (1..=width).map(|c| format!("${}", r * width + c)).collect::<Vec<_>>().join(", ")))
            .collect();
        let names: Vec<&str> = table.columns.iter().map(|(c, _)| c.as_str()).collect();
        let sql = format!("INSERT INTO {} ({}) VALUES {}", table.name, names.join(", "), tuples.join(", "));
        let mut query = sqlx::query(&sql);
        for row in self.batch.drain(..) {
            for (i, value) in row.into_iter().enumerate() {
                let class = table.columns[i].1;
                let value = if table.deferred.contains(&i) { Value::Null } else { value };
                query = bind(query, value, class)
                    .with_context(|| format!("a value of {}.{} is damaged", table.name, table.columns[i].0))?;
            }
        }
        query.execute(&mut **tx).await.with_context(|| format!("cannot load rows of {}", table.name))?;
        Ok(())
    }

    async fn apply_deferred(&mut self, tx: &mut sqlx::Transaction<'_, Any>) -> anyhow::Result<()> {
        for update in self.deferred.drain(..) {
            let mut query = sqlx::query(&update.sql);
            for (value, class) in update.values {
                query = bind(query, value, class)?;
            }
            query.execute(&mut **tx).await.context("cannot restore a deferred reference")?;
        }
        Ok(())
    }
}

use crate::write::AnyQuery;

/// Binds a backup value as the target column's class (NULL typed too: PostgreSQL wants it).
fn bind(query: AnyQuery<'_>, value: Value, class: ColumnClass) -> anyhow::Result<AnyQuery<'_>> {
    Ok(match (class, value) {
        (ColumnClass::Integer, Value::Null) => query.bind(None::<i64>),
        (ColumnClass::Real, Value::Null) => query.bind(None::<f64>),
        (ColumnClass::Text, Value::Null) => query.bind(None::<String>),
        (ColumnClass::Blob, Value::Null) => query.bind(None::<Vec<u8>>),
        (ColumnClass::Integer, Value::Number(n)) => {
            query.bind(n.as_i64().ok_or_else(|| anyhow!("{n} is not an integer"))?)
        }
        (ColumnClass::Real, Value::Number(n)) => query.bind(n.as_f64().ok_or_else(|| anyhow!("{n} is not a number"))?),
        (ColumnClass::Text, Value::String(s)) => query.bind(s),
        (ColumnClass::Text, Value::Number(n)) => query.bind(n.to_string()),
        (ColumnClass::Blob, Value::Object(o)) => {
            let encoded =
                o.get("bytes").and_then(Value::as_str).ok_or_else(|| anyhow!("a binary value lacks its bytes"))?;
            query.bind(base64::engine::general_purpose::STANDARD.decode(encoded)?)
        }
        (class, value) => bail!("{value} does not fit a {class:?} column"),
    })
}

/// A row's values as JSON, each by what the database holds.
fn row_values(row: &AnyRow, table: &str) -> anyhow::Result<Vec<Value>> {
    let mut values = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        let raw = row.try_get_raw(i)?;
        let value = if raw.is_null() {
            Value::Null
        } else {
            match raw.type_info().kind() {
                AnyTypeInfoKind::Bool => Value::from(i64::from(row.try_get::<bool, _>(i)?)),
                AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
                    Value::from(row.try_get::<i64, _>(i)?)
                }
                AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => Value::from(row.try_get::<f64, _>(i)?),
                AnyTypeInfoKind::Text => Value::from(row.try_get::<String, _>(i)?),
                AnyTypeInfoKind::Blob => serde_json::json!({
                    "bytes": base64::engine::general_purpose::STANDARD.encode(row.try_get::<Vec<u8>, _>(i)?)
                }),
                AnyTypeInfoKind::Null => Value::Null,
                #[allow(unreachable_patterns)]
                other => bail!("column {i} of {table} holds a value of type {other:?}, which backups do not handle"),
            }
        };
        values.push(value);
    }
    Ok(values)
}

/// Orders tables parents first. When only cycles remain, the first table (by name) that lies
/// on one goes next and loads its columns that point at tables not yet placed later; a column
/// that points at its own table (a tree) is always loaded later.
fn load_order(tables: Vec<TableInfo>) -> Vec<(TableInfo, Vec<String>)> {
    let all: BTreeSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    let mut remaining: BTreeMap<String, TableInfo> = tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    // The tables not yet placed that `t` points at (itself excluded).
    let waits_for = |t: &TableInfo, placed: &BTreeSet<String>| -> BTreeSet<String> {
        t.parents
            .iter()
            .filter(|(_, parent)| parent != &t.name && all.contains(parent) && !placed.contains(parent))
            .map(|(_, parent)| parent.clone())
            .collect()
    };
    let mut order = Vec::new();
    while !remaining.is_empty() {
        let ready = remaining.values().find(|t| waits_for(t, &placed).is_empty()).map(|t| t.name.clone());
        let next = ready.or_else(|| {
            remaining
                .values()
                .find(|t| {
                    // On a cycle: following what it waits for leads back to it.
                    let mut seen = BTreeSet::new();
                    let mut stack: Vec<String> = waits_for(t, &placed).into_iter().collect();
                    while let Some(n) = stack.pop() {
                        if n == t.name {
                            return true;
                        }
                        if seen.insert(n.clone())
                            && let Some(parent) = remaining.get(&n)
                        {
                            stack.extend(waits_for(parent, &placed));
                        }
                    }
                    false
                })
                .map(|t| t.name.clone())
        });
        let Some(table) = next.and_then(|n| remaining.remove(&n)) else { break };
        let waiting = waits_for(&table, &placed);
        let mut deferred: Vec<String> = table
            .parents
            .iter()
            .filter(|(_, parent)| parent == &table.name || waiting.contains(parent))
            .map(|(column, _)| column.clone())
            .collect();
        deferred.dedup();
        placed.insert(table.name.clone());
        order.push((table, deferred));
    }
    order
}

async fn table_names(conn: &mut AnyConnection, backend: Backend) -> anyhow::Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    Ok(sqlx::query_scalar(sql).fetch_all(&mut *conn).await?)
}

/// The tables a backup holds, with their columns, keys and foreign keys.
async fn catalog(conn: &mut AnyConnection, backend: Backend) -> anyhow::Result<Vec<TableInfo>> {
    let names = table_names(conn, backend).await?;
    // SQLite's full-text indexes are virtual tables with shadow tables named after them.
    let virtual_tables: Vec<String> = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
            )
            .fetch_all(&mut *conn)
            .await?
        }
        Backend::Postgres => Vec::new(),
    };
    let mut tables = Vec::new();
    for name in names {
        let derived = DERIVED_TABLES.contains(&name.as_str())
            || virtual_tables.iter().any(|v| name == *v || name.starts_with(&format!("{v}_")));
        if derived {
            continue;
        }
        let (columns_sql, key_sql, parents_sql) = match backend {
            Backend::Sqlite => (
                "SELECT name, type FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid",
                "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk",
                "SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?)",
            ),
            Backend::Postgres => (
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' \
                 ORDER BY ordinal_position",
                "SELECT a.attname::text FROM pg_index i \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                 WHERE i.indrelid = $1::regclass AND i.indisprimary \
                 ORDER BY array_position(i.indkey::int2[], a.attnum)",
                "SELECT a.attname::text, c.confrelid::regclass::text FROM pg_constraint c \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) \
                 WHERE c.contype = 'f' AND c.conrelid = $1::regclass",
            ),
        };
        let columns: Vec<(String, String)> = sqlx::query_as(columns_sql).bind(&name).fetch_all(&mut *conn).await?;
        let key: Vec<String> = sqlx::query_scalar(key_sql).bind(&name).fetch_all(&mut *conn).await?;
        let parents: Vec<(String, String)> = sqlx::query_as(parents_sql).bind(&name).fetch_all(&mut *conn).await?;
        tables.push(TableInfo {
            columns: columns.into_iter().map(|(c, declared)| (c, ColumnClass::of_declared(&declared))).collect(),
            key,
            parents,
            name,
        });
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, parents: &[(&str, &str)]) -> TableInfo {
        TableInfo {
            name: name.into(),
            columns: vec![("id".into(), ColumnClass::Text)],
            key: vec!["id".into()],
            parents: parents.iter().map(|(c, p)| (c.to_string(), p.to_string())).collect(),
        }
    }

    #[test]
    fn parents_load_first_and_cycles_defer_one_column() {
        let order = load_order(vec![
            table("accounts", &[("person_id", "people")]),
            table("departments", &[("head_person_id", "people")]),
            table("people", &[("department_id", "departments")]),
            table("policies", &[("parent_id", "policies"), ("owner_id", "people")]),
        ]);
        let names: Vec<&str> = order.iter().map(|(t, _)| t.name.as_str()).collect();
        let position = |n: &str| names.iter().position(|x| *x == n).unwrap();
        assert!(position("people") < position("accounts"));
        assert!(position("people") < position("policies"));
        let deferred: Vec<(&str, &[String])> =
            order.iter().filter(|(_, d)| !d.is_empty()).map(|(t, d)| (t.name.as_str(), d.as_slice())).collect();
        // The people/departments cycle is broken once; the policy tree always defers its parent.
        assert_eq!(deferred.len(), 2, "{deferred:?}");
        assert!(deferred.contains(&("policies", &["parent_id".to_string()][..])));
    }

    #[test]
    fn declared_types_map_to_classes() {
        assert_eq!(ColumnClass::of_declared("BIGINT"), ColumnClass::Integer);
        assert_eq!(ColumnClass::of_declared("integer"), ColumnClass::Integer);
        assert_eq!(ColumnClass::of_declared("bytea"), ColumnClass::Blob);
        assert_eq!(ColumnClass::of_declared("TEXT"), ColumnClass::Text);
        assert_eq!(ColumnClass::of_declared("character varying"), ColumnClass::Text);
        assert_eq!(ColumnClass::of_declared("double precision"), ColumnClass::Real);
    }
}
