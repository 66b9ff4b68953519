//! Exports for spreadsheets. A cell that a spreadsheet would run as a formula — one starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return — is prefixed with `'`, so an exported
//! value typed by someone else can never execute in the reader's spreadsheet.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::{Actor, CoreError, Store};
use futures::StreamExt;
use std::future::Future;
use std::sync::Arc;

/// The cell as it is safe to put in a CSV file.
pub fn csv_cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// The formats every list exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// A JSON array of objects keyed by column name.
    Json,
}

/// An export route's format, from its path: `…/export.csv` or `…/export.json`.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Format {
    type Rejection = crate::error::HtmlError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.uri.path().rsplit_once('.').map(|(_, ext)| ext) {
            Some("csv") => Ok(Format::Csv),
            Some("json") => Ok(Format::Json),
            _ => Err(crate::error::HtmlError::not_found()),
        }
    }
}

/// A download of every row a query matches, streamed: one page is read, encoded and sent
/// before the next is read, so memory stays flat however long the list. `fetch` reads the
/// page `query` names as export rows (in `download.columns` order) and the query of the next
/// page, if any.
pub fn stream<Q, F, Fut>(download: Download, query: Q, fetch: F) -> Response
where
    Q: Send + 'static,
    F: Fn(Q) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(Vec<Vec<String>>, Option<Q>), CoreError>> + Send,
{
    let Download { format, stem, columns } = download;
    let first = query;
    let head = match format {
        Format::Csv => csv_bytes(columns, Vec::<Vec<String>>::new()),
        Format::Json => b"[".to_vec(),
    };
    let fetch = std::sync::Arc::new(fetch);
    let pages = futures::stream::unfold(Some((first, true)), move |next| {
        let fetch = fetch.clone();
        let step = next.map(|(q, first_page)| async move { (fetch(q).await, first_page) });
        async move {
            let (result, first_page) = step?.await;
            match result {
                Ok((rows, next_query)) => {
                    let following = next_query.map(|q| (q, false));
                    let bytes = match format {
                        Format::Csv => csv_rows(rows),
                        Format::Json => json_rows(columns, rows, first_page),
                    };
                    Some((Ok::<_, std::io::Error>(bytes), following))
                }
                Err(e) => {
                    tracing::error!(error = ?e, "export stopped");
                    Some((Err(std::io::Error::other("export failed")), None))
                }
            }
        }
    });
    let tail = futures::stream::once(async move {
        Ok(match format {
            Format::Csv => Vec::new(),
            Format::Json => b"]".to_vec(),
        })
    });
    let body = Body::from_stream(futures::stream::once(async move { Ok(head) }).chain(pages).chain(tail));
    let (kind, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
    let disposition = format!("attachment; filename=\"{stem}.{ext}\"");
    ([(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

/// What a download is: its format, file name stem and columns.
pub struct Download {
    pub format: Format,
    pub stem: &'static str,
    pub columns: &'static [&'static str],
}

/// Every record a list query matches, read with `list` page by page as `actor`, each turned
/// into its export row by `row`, streamed as `download` says.
pub fn stream_records<T, L, Fut>(
    (store, actor): (Arc<dyn Store>, Arc<Actor>),
    download: Download,
    query: ListQuery,
    list: L,
    row: fn(&T) -> Vec<String>,
) -> Response
where
    T: Send + 'static,
    L: Fn(Arc<dyn Store>, Arc<Actor>, ListQuery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ListPage<T>, CoreError>> + Send,
{
    let list = Arc::new(list);
    stream(download, query.for_export(), move |q: ListQuery| {
        let (store, actor, list) = (store.clone(), actor.clone(), list.clone());
        async move {
            let page = list(store, actor, q.clone()).await?;
            let next = page.next.map(|c| ListQuery { after: Some(c), ..q });
            Ok((page.items.iter().map(row).collect(), next))
        }
    })
}

/// Rows as JSON objects, comma-separated (and preceded by a comma after the first page).
fn json_rows(columns: &[&str], rows: Vec<Vec<String>>, first_page: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        if i > 0 || !first_page {
            out.push(b',');
        }
        let object: serde_json::Map<String, serde_json::Value> =
            columns.iter().map(|c| c.to_string()).zip(row.into_iter().map(serde_json::Value::String)).collect();
        let _ = serde_json::to_writer(&mut out, &object);
    }
    out
}

/// Rows as CSV lines without a header.
pub fn csv_rows(rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c).into_owned()).collect();
        let _ = w.write_record(&cells);
    }
    w.into_inner().unwrap_or_default()
}

/// Writes rows as CSV with every cell neutralized.
pub fn csv_bytes<R, I, S>(header: &[&str], rows: R) -> Vec<u8>
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for row in rows {
        let cells: Vec<String> = row.into_iter().map(|c| csv_cell(c.as_ref()).into_owned()).collect();
        let _ = w.write_record(&cells);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralized() {
        for (given, written) in [
            ("=cmd|'/Ccalc'!A0@example.com", "'=cmd|'/Ccalc'!A0@example.com"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Zoë Ørsted", "Zoë Ørsted"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(given), written);
        }
        let out = String::from_utf8(csv_bytes(&["name"], [["=1+1"]])).unwrap();
        assert_eq!(out, "name\n'=1+1\n");
    }
}
