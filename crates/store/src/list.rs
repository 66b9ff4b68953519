//! The list engine's SQL: one builder for every record type. A `Table` maps a `ListSpec`'s
//! filters and sort keys to columns; `page` runs the count and one keyset page:
//! `WHERE filters AND search AND (sort, id) > (cursor) ORDER BY sort, id LIMIT n + 1`.
//! Text sort keys compare bytes on both backends; search uses each backend's index
//! (SQLite FTS5 trigram, PostgreSQL pg_trgm) over a lower-cased `search_text` column. On
//! SQLite a search pages its matches' sort keys first and reads the page's rows by rowid.
//! A pooled reader runs the statements on the native read path (`native`).

use bulwark_core::StoreError;
use bulwark_core::list::{Cursor, KeyType, ListPage, ListQuery};
use bulwark_core::store::Backend;

use crate::acquire::Acquire;
use crate::native::NativeReads;
use crate::rows::Columns;
use crate::write::map_err;

/// How a record type's list is stored.
pub(crate) struct Table {
    /// The selected columns.
    pub columns: &'static str,
    /// The `FROM` clause, with joins.
    pub from: &'static str,
    /// The `FROM` clause for counting: without the joins that only add columns, which would
    /// otherwise be looked up for every matching row.
    pub count_from: &'static str,
    /// The unique id column, the tie-breaker of every sort.
    pub id: &'static str,
    /// Filter name → column compared for equality (at least / at most for `*_min` / `*_max`).
    pub filters: &'static [(&'static str, &'static str)],
    /// Sort name → expression (never NULL).
    pub sorts: &'static [(&'static str, &'static str)],
    /// The lower-cased search text column and, for long lists, the SQLite FTS5 table indexing
    /// it by rowid (short lists are scanned).
    pub search: Option<(&'static str, Option<(&'static str, &'static str)>)>,
    /// An expression for the number of rows when nothing filters them (a counter kept by
    /// triggers, for long lists); None counts them.
    pub total: Option<&'static str>,
}

/// Where a list is read from: the backend, and for a pooled reader the native read path (a
/// write unit reads through its own transaction).
#[derive(Clone, Copy)]
pub(crate) struct Reads<'a> {
    pub backend: Backend,
    pub native: Option<&'a NativeReads>,
}

/// A bound value of a dynamically built query.
pub(crate) enum Value {
    Text(String),
    Int(i64),
}

/// One page (at most `limit` rows, each turned into a `T` by `row`), the total matching, and
/// the cursor after the page.
pub(crate) async fn page<T>(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    table: &Table,
    query: &ListQuery,
    row: impl Fn(&dyn Columns) -> Result<T, StoreError>,
) -> Result<ListPage<T>, StoreError> {
    let backend = reads.backend;
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let bind = |values: &mut Vec<Value>, v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    for (name, value) in &query.filters {
        if let Some((_, column)) = table.filters.iter().find(|(n, _)| n == name) {
            // `*_min` and `*_max` filters bound a number (checked by the list spec).
            let bound = [("_min", ">="), ("_max", "<=")].into_iter().find(|(suffix, _)| name.ends_with(suffix));
            let (op, value) = match bound {
                Some((_, op)) => (op, Value::Int(value.parse().unwrap_or_default())),
                None => ("=", Value::Text(value.clone())),
            };
            let p = bind(&mut values, value);
            conditions.push(format!("{column} {op} {p}"));
        }
    }
    // The search matches, computed once per statement (SQLite's FTS5 trigram index answers
    // substrings of three characters or more; shorter ones and PostgreSQL use LIKE, which
    // PostgreSQL answers from its pg_trgm index).
    // With an index: the rowid column and the CTE putting the matches in `list_match`.
    let mut indexed: Option<(&str, String)> = None;
    if let (Some(q), Some((column, index))) = (&query.q, table.search) {
        match (backend, index) {
            (Backend::Sqlite, Some((fts, rowid))) if q.chars().count() >= 3 => {
                let p = bind(&mut values, Value::Text(format!("\"{}\"", q.replace('"', "\"\""))));
                let with = format!("WITH list_match AS MATERIALIZED (SELECT rowid FROM {fts} WHERE {fts} MATCH {p})");
                indexed = Some((rowid, with));
            }
            _ => {
                let p = bind(&mut values, Value::Text(format!("%{}%", like_escape(q))));
                conditions.push(format!("{column} LIKE {p} ESCAPE '\\'"));
            }
        }
    }
    let filter_values = values.len();
    let count_sql = count_sql(table, indexed.as_ref().map(|(rowid, _)| *rowid), &conditions);

    let sort = table.sorts.iter().find(|(n, _)| *n == query.sort.name).map(|(_, e)| *e).unwrap_or(table.id);
    // The cursor reads the sort key from the sorted column itself when the page selects it;
    // only a computed key is selected once more (every value of every row is copied twice on
    // its way out of the driver, so a column fewer is a page served faster).
    let key_column = selected_column(table.columns, sort);
    let sort = match (backend, query.sort.key) {
        (Backend::Postgres, KeyType::Text) => format!("({sort}) COLLATE \"C\""),
        _ => sort.to_string(),
    };
    let (cmp, dir) = if query.desc { ("<", "DESC") } else { (">", "ASC") };
    if let Some(after) = &query.after {
        let key = match query.sort.key {
            KeyType::Text => Value::Text(after.key.clone()),
            KeyType::Int => Value::Int(after.key.parse().unwrap_or_default()),
        };
        let k = bind(&mut values, key);
        let i = bind(&mut values, Value::Text(after.id.clone()));
        conditions.push(format!("({sort}, {}) {cmp} ({k}, {i})", table.id));
    }
    // The limit is written into the statement, not bound: PostgreSQL plans a statement with a
    // bound LIMIT for an unknown row count, finds that generic plan dearer than one planned
    // for the value, and so plans every execution anew (0.4 ms of a 0.55 ms asset page).
    // With the number in the text, the statement's plan is made once per connection.
    let limit = u64::from(query.limit) + 1;
    let key_select = match key_column {
        Some(_) => String::new(),
        None => format!(", {sort} AS list_sort_key"),
    };
    // The total rides along with the page: one statement, one round trip. Only a page with
    // no rows (past the end) needs the count on its own.
    let order = format!("ORDER BY {sort} {dir}, {} {dir}", table.id);
    let sql = match &indexed {
        None => format!(
            "SELECT {}{key_select}, {count_sql} AS list_total FROM {} {} {order} LIMIT {limit}",
            table.columns,
            table.from,
            where_clause(&conditions),
        ),
        // A search sorts its matches' keys alone and reads whole rows for the page only: the
        // matches are read in the index's order and each row is found by its rowid (sorting
        // every match's columns and joins cost a search twice as much on SQLite).
        Some((rowid, with_match)) => format!(
            "{with_match}, list_page AS (SELECT {rowid} AS list_rowid FROM list_match CROSS JOIN {from} {filtered} \
             {order} LIMIT {limit}) \
             SELECT {columns}{key_select}, {count_sql} AS list_total \
             FROM list_page CROSS JOIN {from} WHERE {rowid} = list_page.list_rowid {order}",
            from = table.from,
            columns = table.columns,
            filtered = where_clause(&[&[format!("{rowid} = list_match.rowid")], &conditions[..]].concat()),
        ),
    };
    let page_size = query.limit as usize;
    let mut collected = Collected { items: Vec::with_capacity(page_size), total: None, last_key: None, more: false };
    each_row(&mut *conn, reads.native, &sql, &values, |r| {
        if collected.total.is_none() {
            collected.total = Some(r.int("list_total")?);
        }
        if collected.items.len() == page_size {
            collected.more = true;
            return Ok(());
        }
        collected.items.push(row(r)?);
        if collected.items.len() == page_size {
            collected.last_key = Some(sort_key(r, key_column.unwrap_or("list_sort_key"), query.sort.key)?);
        }
        Ok(())
    })
    .await?;
    let total = match collected.total {
        Some(total) => total,
        None => {
            let with_match = indexed.as_ref().map_or("", |(_, with)| with.as_str());
            let sql = format!("{with_match} SELECT {count_sql} AS list_total");
            let totals =
                fetch(&mut *conn, reads.native, &sql, &values[..filter_values], |r| r.int("list_total")).await?;
            totals.first().copied().unwrap_or_default()
        }
    };
    let next = if collected.more { collected.last_key } else { None };
    Ok(ListPage { items: collected.items, total: total as u64, next })
}

/// What a page's rows gave so far: the items, the total (carried by every row), and the cursor
/// of the page's last row, which is the next page's start when a row follows it.
struct Collected<T> {
    items: Vec<T>,
    total: Option<i64>,
    last_key: Option<Cursor>,
    more: bool,
}

/// The rows of `sql`, each decoded by `decode`, read on the native read path when there is one
/// (a pooled reader), else on `conn`.
pub(crate) async fn fetch<T>(
    conn: &mut dyn Acquire,
    native: Option<&NativeReads>,
    sql: &str,
    values: &[Value],
    decode: impl Fn(&dyn Columns) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut found = Vec::new();
    each_row(conn, native, sql, values, |r| {
        found.push(decode(r)?);
        Ok(())
    })
    .await?;
    Ok(found)
}

/// Runs `sql` on the native read path when there is one, else on `conn`, handing each row to
/// `each`.
async fn each_row(
    conn: &mut dyn Acquire,
    native: Option<&NativeReads>,
    sql: &str,
    values: &[Value],
    mut each: impl FnMut(&dyn Columns) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    match native {
        Some(native) => native.each_row(sql, values, each).await,
        None => {
            for r in bind_all(sqlx::query(sql), values).fetch_all(conn.conn().await?).await.map_err(map_err)? {
                each(&r)?;
            }
            Ok(())
        }
    }
}

/// The expression counting the rows a list's filters (`conditions`) and search keep; `indexed`
/// is the rowid column when an SQLite search put its matches in `list_match`.
fn count_sql(table: &Table, indexed: Option<&str>, conditions: &[String]) -> String {
    match (table.total, indexed) {
        (Some(kept), None) if conditions.is_empty() => kept.to_string(),
        // The index holds one entry per row of the table it indexes: when the list reads that
        // table alone, a search alone counts the matches.
        (_, Some(_)) if conditions.is_empty() && !table.count_from.contains(" JOIN ") => {
            "(SELECT COUNT(*) FROM list_match)".to_string()
        }
        // Otherwise each match is looked up (joined to the matches instead, SQLite may count
        // by scanning a whole table).
        (_, Some(rowid)) => format!(
            "(SELECT COUNT(*) FROM {} {})",
            table.count_from,
            where_clause(&[&[format!("{rowid} IN list_match")], conditions].concat())
        ),
        (_, None) => format!("(SELECT COUNT(*) FROM {} {})", table.count_from, where_clause(conditions)),
    }
}

/// The cursor after a row read by `page`: its sort key (from `column`) and its id (selected as
/// `id`).
fn sort_key(row: &dyn Columns, column: &str, key: KeyType) -> Result<Cursor, StoreError> {
    let key = match key {
        KeyType::Text => row.text(column)?,
        KeyType::Int => row.int(column)?.to_string(),
    };
    Ok(Cursor { key, id: row.text("id")? })
}

/// The result column of a sort key that is one of the selected columns as it stands
/// (`p.name` selected as `p.name` is the column `name`), if no other selected column has that
/// name; None for anything computed or renamed.
fn selected_column<'a>(columns: &'a str, sort: &str) -> Option<&'a str> {
    let result_name = |c: &'a str| c.rsplit(" AS ").next().unwrap_or(c).rsplit('.').next().unwrap_or(c).trim();
    let selected: Vec<&str> = columns.split(',').map(str::trim).collect();
    let column = selected.iter().find(|c| **c == sort)?;
    let name = result_name(column);
    (selected.iter().filter(|c| result_name(c) == name).count() == 1).then_some(name)
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) }
}

/// `text` with LIKE's wildcards and escape character taken literally.
pub(crate) fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Binds the values in order, on either driver (`Any`, or PostgreSQL's own on the native path).
pub(crate) fn bind_all<'q, DB: sqlx::Database>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    values: &'q [Value],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for v in values {
        q = match v {
            Value::Text(s) => q.bind(s.as_str()),
            Value::Int(i) => q.bind(*i),
        };
    }
    q
}

#[cfg(test)]
mod tests {
    use super::selected_column;

    #[test]
    fn a_sort_key_is_read_from_its_own_column_only_when_selected_as_it_stands_and_unambiguous() {
        let columns = "p.id, p.name, p.email, d.name AS department_name, p.created_at, o.email AS owner_email";
        assert_eq!(selected_column(columns, "p.name"), Some("name"));
        assert_eq!(selected_column(columns, "p.created_at"), Some("created_at"));
        assert_eq!(selected_column(columns, "COALESCE(d.name, '')"), None, "computed");
        assert_eq!(selected_column(columns, "d.name"), None, "selected under another name");
        assert_eq!(selected_column(columns, "p.status"), None, "not selected");
        assert_eq!(selected_column("a.name, o.name", "o.name"), None, "two columns named name");
    }
}
