//! Kit records in SQL, derived from their descriptions: each type has its own table (a column
//! per stored field, named as the field, plus `search_text`, `created_at`, `updated_at`);
//! links fields live in `record_links`. The list `Table`, the row decoder and the writes are
//! built from the fields once per type. A person or record a field names is joined for its
//! name; a scope is an expression compared with the person's id, in lists as in checks.
//! Derived fields are stored (lists filter and sort by them) and derived again when read.

use bulwark_core::StoreError;
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::records::{FieldKind, Named, Record, RecordType, Scope, Target, Value, cached, leak, leak_slice};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;
use std::sync::OnceLock;

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table, Value as Bound};
use crate::rows::{Columns, corrupt};
use crate::write::{expect_one, map_err};

type Cache = OnceLock<std::sync::Mutex<std::collections::HashMap<&'static str, &'static Table>>>;
static TABLES: Cache = OnceLock::new();

/// The table a referring field joins, and the column naming its records.
fn joined(kind: FieldKind) -> Option<(&'static str, &'static str)> {
    match kind {
        FieldKind::Person => Some(("people", "name")),
        FieldKind::Ref(t) => Some((t.table, t.name_column)),
        _ => None,
    }
}

/// The expression a scope compares with a person's id.
fn scope_expr(scope: Scope) -> String {
    match scope {
        Scope::HeadOf(f) => format!("(SELECT sd.head_person_id FROM departments sd WHERE sd.id = r.{f})"),
        Scope::Owner(f) => format!("r.{f}"),
    }
}

fn table(ty: &'static RecordType) -> &'static Table {
    cached(&TABLES, ty.kind, || {
        let mut columns = vec!["r.id".to_string()];
        let mut from = format!("{} r", ty.table);
        let mut sorts = Vec::new();
        for (i, f) in ty.fields.iter().enumerate() {
            if let FieldKind::Count { table, column } = f.kind {
                let counted = format!("(SELECT COUNT(*) FROM {table} c{i} WHERE c{i}.{column} = r.id)");
                columns.push(format!("{counted} AS {}", f.name));
                if f.sorted {
                    sorts.push((f.name, leak(counted)));
                }
                continue;
            }
            if !f.stored() {
                continue;
            }
            columns.push(format!("r.{}", f.name));
            let sort = match joined(f.kind) {
                Some((table, name)) => {
                    columns.push(format!("j{i}.{name} AS {}__name", f.name));
                    from.push_str(&format!(" LEFT JOIN {table} j{i} ON j{i}.id = r.{}", f.name));
                    format!("COALESCE(j{i}.{name}, '')")
                }
                None if matches!(f.kind, FieldKind::Number { .. }) => {
                    format!("COALESCE(r.{}, -9223372036854775807)", f.name)
                }
                // No date comes last: what is due soonest first.
                None if matches!(f.kind, FieldKind::Date) => format!("COALESCE(r.{}, '9999-12-31')", f.name),
                None => format!("COALESCE(r.{}, '')", f.name),
            };
            if f.sorted {
                sorts.push((f.name, leak(sort)));
            }
        }
        columns.extend(["r.created_at".into(), "r.updated_at".into()]);
        sorts.extend([("created", "r.created_at"), ("updated", "r.updated_at")]);
        let filters = ty.fields.iter().filter(|f| f.filtered).map(|f| (f.name, leak(format!("r.{}", f.name))));
        // The scope: the person it gives the records to, and the field it reads (which the
        // service filters by when the record it names changes hands).
        let scope = ty
            .access
            .scope
            .into_iter()
            .flat_map(|s| [("scope", leak(scope_expr(s))), (s.field(), leak(format!("r.{}", s.field())))]);
        Table {
            columns: leak(columns.join(", ")),
            from: leak(from),
            count_from: leak(format!("{} r", ty.table)),
            id: "r.id",
            filters: leak_slice(filters.chain(scope)),
            sorts: leak_slice(sorts.into_iter()),
            search: Some(("r.search_text", None)),
            total: None,
        }
    })
}

fn row(ty: &'static RecordType, r: &dyn Columns) -> Result<Record, StoreError> {
    let mut values = Vec::with_capacity(ty.fields.len());
    for f in ty.fields {
        let text = || r.opt_text(f.name);
        values.push(match f.kind {
            FieldKind::Links(_) => Value::Links(vec![]),
            FieldKind::Number { .. } | FieldKind::Count { .. } => r.opt_int(f.name)?.map_or(Value::Empty, Value::Int),
            FieldKind::Date => match text()? {
                None => Value::Empty,
                Some(d) => Value::Date(bulwark_core::time_util::parse_date(&d).ok_or_else(|| corrupt(f.name, &d))?),
            },
            FieldKind::Person | FieldKind::Ref(_) => match text()? {
                None => Value::Empty,
                Some(id) => {
                    Value::Ref(Named { id, name: r.opt_text(&format!("{}__name", f.name))?.unwrap_or_default() })
                }
            },
            _ => text()?.map_or(Value::Empty, Value::Text),
        });
    }
    let mut record = Record {
        ty,
        id: r.text("id")?,
        values,
        created_at: from_micros(r.int("created_at")?),
        updated_at: from_micros(r.int("updated_at")?),
    };
    // Derived values follow the rules of this release, whatever release stored them.
    bulwark_core::records::service::derive(&mut record);
    Ok(record)
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    ty: &'static RecordType,
    query: &ListQuery,
) -> Result<ListPage<Record>, StoreError> {
    list::page(conn, reads, table(ty), query, |r| row(ty, r)).await
}

pub(crate) async fn find(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    ty: &'static RecordType,
    id: &str,
) -> Result<Option<Record>, StoreError> {
    let t = table(ty);
    let sql = format!("SELECT {} FROM {} WHERE r.id = $1", t.columns, t.from);
    let found = list::fetch(&mut *conn, reads.native, &sql, &[Bound::Text(id.into())], |r| row(ty, r)).await?;
    let Some(mut record) = found.into_iter().next() else { return Ok(None) };
    for (i, f) in ty.fields.iter().enumerate() {
        if let FieldKind::Links(target) = f.kind {
            let sql = format!(
                "SELECT t.id, t.{name} AS name FROM record_links l JOIN {table} t ON t.id = l.target_id \
                 WHERE l.record_type = $1 AND l.record_id = $2 AND l.field = $3 ORDER BY t.{name}, t.id",
                name = target.name_column,
                table = target.table,
            );
            let keys = [Bound::Text(ty.kind.into()), Bound::Text(id.into()), Bound::Text(f.name.into())];
            record.values[i] = Value::Links(list::fetch(&mut *conn, reads.native, &sql, &keys, named).await?);
        }
    }
    Ok(Some(record))
}

fn named(r: &dyn Columns) -> Result<Named, StoreError> {
    Ok(Named { id: r.text("id")?, name: r.text("name")? })
}

pub(crate) async fn in_scope(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    ty: &'static RecordType,
    id: &str,
    scope: Scope,
    person: &str,
) -> Result<bool, StoreError> {
    let sql = format!("SELECT COUNT(*) AS n FROM {} r WHERE r.id = $1 AND {} = $2", ty.table, scope_expr(scope));
    let values = [Bound::Text(id.into()), Bound::Text(person.into())];
    let found = list::fetch(conn, reads.native, &sql, &values, |r| r.int("n")).await?;
    Ok(found.first().is_some_and(|n| *n > 0))
}

pub(crate) async fn taken(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    ty: &'static RecordType,
    id: &str,
    values: &[(&'static str, String)],
) -> Result<bool, StoreError> {
    // Column names come from the type's description, never from input.
    let each: String =
        values.iter().enumerate().map(|(i, (column, _))| format!(" AND r.{column} = ${}", i + 2)).collect();
    let sql = format!("SELECT COUNT(*) AS n FROM {} r WHERE r.id <> $1{each}", ty.table);
    let bound: Vec<Bound> =
        std::iter::once(Bound::Text(id.into())).chain(values.iter().map(|(_, v)| Bound::Text(v.clone()))).collect();
    let found = list::fetch(conn, reads.native, &sql, &bound, |r| r.int("n")).await?;
    Ok(found.first().is_some_and(|n| *n > 0))
}

pub(crate) async fn find_named(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    target: &'static Target,
    typed: &str,
) -> Result<Vec<Named>, StoreError> {
    let sql = format!(
        "SELECT id, {name} AS name FROM {table} WHERE id = $1 OR LOWER({name}) = $2 ORDER BY id LIMIT 10",
        name = target.name_column,
        table = target.table,
    );
    let values = [Bound::Text(typed.into()), Bound::Text(typed.to_lowercase())];
    list::fetch(conn, reads.native, &sql, &values, named).await
}

pub(crate) async fn named_options(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    target: &'static Target,
) -> Result<Vec<Named>, StoreError> {
    let sql = format!(
        "SELECT id, {name} AS name FROM {table} ORDER BY {name}, id LIMIT {limit}",
        name = target.name_column,
        table = target.table,
        limit = bulwark_core::pick::OPTIONS,
    );
    list::fetch(conn, reads.native, &sql, &[], named).await
}

/// A stored field's value as bound: text, or a number.
fn bound(v: &Value) -> (Option<String>, Option<i64>) {
    match v {
        Value::Empty | Value::Links(_) => (None, None),
        Value::Int(n) => (None, Some(*n)),
        Value::Ref(r) => (Some(r.id.clone()), None),
        other => (Some(other.plain()), None),
    }
}

fn bind_fields<'q>(mut q: crate::write::AnyQuery<'q>, record: &Record) -> crate::write::AnyQuery<'q> {
    for (f, v) in record.ty.fields.iter().zip(&record.values).filter(|(f, _)| f.stored()) {
        q = match (f.kind, bound(v)) {
            (FieldKind::Number { .. }, (_, n)) => q.bind(n),
            (_, (t, _)) => q.bind(t),
        };
    }
    q.bind(record.search_text()).bind(to_micros(record.updated_at))
}

fn stored_names(ty: &RecordType) -> Vec<&'static str> {
    ty.fields.iter().filter(|f| f.stored()).map(|f| f.name).collect()
}

pub(crate) async fn insert(conn: &mut AnyConnection, record: &Record) -> Result<(), StoreError> {
    let names = stored_names(record.ty);
    let n = names.len();
    let params: Vec<String> = (1..=n + 4).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}, search_text, updated_at, id, created_at) VALUES ({})",
        record.ty.table,
        names.join(", "),
        params.join(", ")
    );
    let q = bind_fields(sqlx::query(&sql), record).bind(record.id.clone()).bind(to_micros(record.created_at));
    q.execute(&mut *conn).await.map_err(map_err)?;
    write_links(conn, record).await
}

pub(crate) async fn update(conn: &mut AnyConnection, before: &Record, after: &Record) -> Result<(), StoreError> {
    let names = stored_names(after.ty);
    let n = names.len();
    let sets: Vec<String> = names.iter().enumerate().map(|(i, name)| format!("{name} = ${}", i + 1)).collect();
    let sql = format!(
        "UPDATE {} SET {}, search_text = ${}, updated_at = ${} WHERE id = ${} AND updated_at = ${}",
        after.ty.table,
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4
    );
    let q = bind_fields(sqlx::query(&sql), after).bind(after.id.clone()).bind(to_micros(before.updated_at));
    let done = q.execute(&mut *conn).await.map_err(map_err)?;
    expect_one(done.rows_affected(), &format!("this {}", after.ty.singular))?;
    sqlx::query("DELETE FROM record_links WHERE record_type = $1 AND record_id = $2")
        .bind(after.ty.kind)
        .bind(after.id.clone())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    write_links(conn, after).await
}

async fn write_links(conn: &mut AnyConnection, record: &Record) -> Result<(), StoreError> {
    for (f, v) in record.ty.fields.iter().zip(&record.values) {
        let Value::Links(links) = v else { continue };
        for link in links {
            sqlx::query("INSERT INTO record_links (record_type, record_id, field, target_id) VALUES ($1, $2, $3, $4)")
                .bind(record.ty.kind)
                .bind(record.id.clone())
                .bind(f.name)
                .bind(link.id.clone())
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
        }
    }
    Ok(())
}

pub(crate) async fn delete(conn: &mut AnyConnection, record: &Record, now: i64) -> Result<(), StoreError> {
    let sql = format!("DELETE FROM {} WHERE id = $1 AND updated_at = $2", record.ty.table);
    let done = sqlx::query(&sql)
        .bind(record.id.clone())
        .bind(to_micros(record.updated_at))
        .execute(&mut *conn)
        .await
        .map_err(|e| match map_err(e) {
        // Rows that are not kit links name it (a control's evidence): it stays.
        StoreError::Conflict(_) => StoreError::Conflict(format!(
            "other records still refer to this {}: it cannot be deleted while they do",
            record.ty.singular
        )),
        other => other,
    })?;
    expect_one(done.rows_affected(), &format!("this {}", record.ty.singular))?;
    // Links from it, and to it from other kit records (a type's ids are its own).
    sqlx::query("DELETE FROM record_links WHERE (record_type = $1 AND record_id = $2) OR target_id = $2")
        .bind(record.ty.kind)
        .bind(record.id.clone())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    sqlx::query(
        "UPDATE tasks SET state = 'cancelled', done_at = $1, updated_at = $1 \
         WHERE subject_type = $2 AND subject_id = $3 AND state = 'open'",
    )
    .bind(now)
    .bind(record.ty.kind)
    .bind(record.id.clone())
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
