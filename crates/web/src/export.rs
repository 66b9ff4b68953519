//! Exports for spreadsheets. A cell that a spreadsheet would run as a formula — one starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return — is prefixed with `'`, so an exported
//! value typed by someone else can never execute in the reader's spreadsheet.

/// The cell as it is safe to put in a CSV file.
pub fn csv_cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
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
