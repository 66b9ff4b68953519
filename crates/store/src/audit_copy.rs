//! PostgreSQL's path for verifying the audit chain: the entries stream out in sequence order
//! with `COPY … TO STDOUT (FORMAT binary)` on a connection of the PostgreSQL driver itself,
//! and each tuple is checked where it lies in the receive buffer — no row objects, no copies
//! of its text. The database only sends its rows (no per-row expressions to pack them), and
//! hashing overlaps the transfer.

use anyhow::anyhow;
use bulwark_core::StoreError;
use bulwark_core::audit::{ChainBreak, ChainVerifier, EntryView};
use futures::TryStreamExt;
use sqlx::Connection;

use crate::write::map_err;

const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";
const COLUMNS: i16 = 11;

/// What the start of the buffer holds.
enum Tuple<'a> {
    /// An entry and the bytes it took.
    Entry(EntryView<'a>, usize),
    /// The end of the data.
    End,
    /// Not all of the next tuple has arrived yet.
    Incomplete,
}

fn unreadable(what: &str) -> StoreError {
    StoreError::Other(anyhow!("the audit log's COPY data is unreadable: {what}"))
}

/// Verifies the chain as `SqlStore::verify_audit_chain` does, on PostgreSQL at `url`.
pub(crate) async fn verify(url: &str) -> Result<Result<u64, ChainBreak>, StoreError> {
    let mut conn = sqlx::PgConnection::connect(url).await.map_err(map_err)?;
    let mut verifier = ChainVerifier::new();
    {
        let mut stream = conn
            .copy_out_raw(
                "COPY (SELECT seq, at, actor_id, actor_label, action, entity_type, entity_id, before_json, \
                 after_json, prev_hash, hash FROM audit_log ORDER BY seq) TO STDOUT (FORMAT binary)",
            )
            .await
            .map_err(map_err)?;
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut header_read = false;
        let mut ended = false;
        while let Some(chunk) = stream.try_next().await.map_err(map_err)? {
            buf.extend_from_slice(&chunk);
            let mut pos = 0;
            if !header_read {
                match header_length(&buf)? {
                    Some(n) => pos = n,
                    None => continue,
                }
                header_read = true;
            }
            loop {
                match tuple(&buf[pos..])? {
                    Tuple::Entry(entry, used) => {
                        if let Err(broken) = verifier.check_view(&entry) {
                            return Ok(Err(broken));
                        }
                        pos += used;
                    }
                    Tuple::End => {
                        ended = true;
                        pos = buf.len();
                        break;
                    }
                    Tuple::Incomplete => break,
                }
            }
            buf.drain(..pos);
        }
        if !ended {
            return Err(unreadable("the data ended without its trailer"));
        }
    }
    conn.close().await.map_err(map_err)?;
    Ok(Ok(verifier.verified))
}

/// The length of the binary COPY header, once all of it has arrived.
fn header_length(buf: &[u8]) -> Result<Option<usize>, StoreError> {
    if buf.len() < SIGNATURE.len() + 8 {
        return Ok(None);
    }
    if !buf.starts_with(SIGNATURE) {
        return Err(unreadable("no binary COPY signature"));
    }
    let extension = be_u32(&buf[SIGNATURE.len() + 4..]).ok_or_else(|| unreadable("a short header"))? as usize;
    let length = SIGNATURE.len() + 8 + extension;
    Ok((buf.len() >= length).then_some(length))
}

fn be_u32(b: &[u8]) -> Option<u32> {
    b.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok()).map(u32::from_be_bytes)
}

/// Reads one tuple from the start of `b`: a field count, then per field a length (-1: NULL)
/// and its bytes (bigint: 8 bytes big-endian; text: UTF-8).
fn tuple(b: &[u8]) -> Result<Tuple<'_>, StoreError> {
    let Some(count) = b.get(..2).map(|s| i16::from_be_bytes([s[0], s[1]])) else { return Ok(Tuple::Incomplete) };
    if count == -1 {
        return Ok(Tuple::End);
    }
    if count != COLUMNS {
        return Err(unreadable(&format!("a tuple of {count} fields")));
    }
    let mut fields: [Option<&[u8]>; COLUMNS as usize] = [None; COLUMNS as usize];
    let mut at = 2;
    for field in fields.iter_mut() {
        let Some(length) = be_u32(&b[at.min(b.len())..]) else { return Ok(Tuple::Incomplete) };
        at += 4;
        let length = length as i32;
        if length < 0 {
            continue;
        }
        let Some(bytes) = b.get(at..at + length as usize) else { return Ok(Tuple::Incomplete) };
        *field = Some(bytes);
        at += length as usize;
    }
    let int = |i: usize| {
        fields[i]
            .and_then(|v| <[u8; 8]>::try_from(v).ok())
            .map(i64::from_be_bytes)
            .ok_or_else(|| unreadable("a sequence number or time that is not a bigint"))
    };
    let text = |i: usize| match fields[i] {
        Some(v) => std::str::from_utf8(v).map(Some).map_err(|_| unreadable("text that is not UTF-8")),
        None => Ok(None),
    };
    let required = |i: usize| text(i)?.ok_or_else(|| unreadable("a NULL where the log has none"));
    let entry = EntryView {
        seq: int(0)?,
        at: int(1)?,
        actor_id: text(2)?,
        actor_label: required(3)?,
        action: required(4)?,
        entity_type: required(5)?,
        entity_id: required(6)?,
        before: required(7)?,
        after: required(8)?,
        prev_hash: required(9)?,
        hash: required(10)?,
    };
    Ok(Tuple::Entry(entry, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(out: &mut Vec<u8>, value: Option<&[u8]>) {
        match value {
            Some(v) => {
                out.extend_from_slice(&(v.len() as i32).to_be_bytes());
                out.extend_from_slice(v);
            }
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }

    #[test]
    fn tuples_are_read_in_place_and_a_partial_one_waits() {
        let mut data = Vec::new();
        data.extend_from_slice(&COLUMNS.to_be_bytes());
        field(&mut data, Some(&7i64.to_be_bytes()));
        field(&mut data, Some(&1_700_000_000_000_000i64.to_be_bytes()));
        field(&mut data, None);
        for text in ["cli", "person.create", "person", "p1", "", "{\"name\":\"Ö\"}", "00", "ab"] {
            field(&mut data, Some(text.as_bytes()));
        }
        let Ok(Tuple::Entry(entry, used)) = tuple(&data) else { panic!("a whole tuple") };
        assert_eq!((entry.seq, entry.actor_id, entry.after, used), (7, None, "{\"name\":\"Ö\"}", data.len()));
        for cut in 0..data.len() {
            assert!(matches!(tuple(&data[..cut]), Ok(Tuple::Incomplete)), "cut at {cut}");
        }
        assert!(matches!(tuple(&(-1i16).to_be_bytes()), Ok(Tuple::End)));
        assert!(tuple(&3i16.to_be_bytes()).is_err(), "another table's tuples");
        let mut header = SIGNATURE.to_vec();
        header.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 2, 9, 9]);
        assert_eq!(header_length(&header).unwrap(), Some(header.len()));
        assert_eq!(header_length(&header[..header.len() - 1]).unwrap(), None);
        assert!(header_length(b"not a copy stream at all").is_err());
    }
}
