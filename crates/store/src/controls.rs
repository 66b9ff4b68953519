//! Controls' mappings to requirements, evidence (file content in the same row, read
//! only when the file itself is asked for), applicability of requirements, and what coverage
//! reads: a framework's outline (no JSON bodies) and its mapped controls with whether each
//! has fresh evidence, in one query.

use bulwark_core::StoreError;
use bulwark_core::compliance::controls::{ControlStatus, ControlSummary, Evidence, EvidenceKind, Mapping};
use bulwark_core::compliance::coverage::MappedControl;
use bulwark_core::compliance::frameworks::FrameworkContent;
use bulwark_core::ids::{ControlId, EvidenceId, FrameworkId};
use bulwark_core::time_util::{Timestamp, from_micros, to_micros};
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use crate::rows::{Columns, corrupt, int, opt_int, opt_text, parsed, text};
use crate::write::map_err;

/// The controls a risk relies on, by title.
pub(crate) async fn of_risk(
    conn: &mut AnyConnection,
    id: bulwark_core::ids::RiskId,
) -> Result<Vec<ControlSummary>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.id, c.title, c.status FROM controls c JOIN risk_controls rc ON rc.control_id = c.id \
         WHERE rc.risk_id = $1 ORDER BY c.title, c.id",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            let status = text(r, "status")?;
            Ok(ControlSummary {
                id: parsed(r, "id")?,
                title: text(r, "title")?,
                status: ControlStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            })
        })
        .collect()
}

pub(crate) async fn mappings(conn: &mut AnyConnection, id: ControlId) -> Result<Vec<Mapping>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.framework_id, m.requirement_id, f.title AS framework_title, r.title AS requirement_title \
         FROM control_mappings m JOIN frameworks f ON f.id = m.framework_id \
         LEFT JOIN requirements r ON r.framework_id = m.framework_id AND r.control_id = m.requirement_id \
         WHERE m.control_id = $1 ORDER BY f.title, r.position",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            Ok(Mapping {
                control_id: id,
                framework_id: parsed(r, "framework_id")?,
                requirement_id: text(r, "requirement_id")?,
                framework_title: text(r, "framework_title")?,
                requirement_title: opt_text(r, "requirement_title")?.unwrap_or_default(),
            })
        })
        .collect()
}

/// Inserts a mapping; false when it existed already.
pub(crate) async fn insert_mapping(conn: &mut AnyConnection, m: &Mapping, now: Timestamp) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO control_mappings (control_id, framework_id, requirement_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(m.control_id.to_string())
    .bind(m.framework_id.to_string())
    .bind(m.requirement_id.clone())
    .bind(to_micros(now))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn delete_mapping(conn: &mut AnyConnection, m: &Mapping) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM control_mappings WHERE control_id = $1 AND framework_id = $2 AND requirement_id = $3")
        .bind(m.control_id.to_string())
        .bind(m.framework_id.to_string())
        .bind(m.requirement_id.clone())
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

const EVIDENCE: &str = "id, control_id, kind, title, url, file_name, content_type, size_bytes, sha256, outcome, detail, \
     collected_at, expires_at, created_by";

fn evidence_row(r: &dyn Columns) -> Result<Evidence, StoreError> {
    let kind = text(r, "kind")?;
    Ok(Evidence {
        id: parsed(r, "id")?,
        control_id: parsed(r, "control_id")?,
        kind: EvidenceKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        title: text(r, "title")?,
        url: opt_text(r, "url")?,
        file_name: opt_text(r, "file_name")?,
        content_type: opt_text(r, "content_type")?,
        size_bytes: opt_int(r, "size_bytes")?,
        sha256: opt_text(r, "sha256")?,
        outcome: opt_text(r, "outcome")?,
        detail: text(r, "detail")?,
        collected_at: from_micros(int(r, "collected_at")?),
        expires_at: from_micros(int(r, "expires_at")?),
        created_by: text(r, "created_by")?,
    })
}

pub(crate) async fn evidence_of(conn: &mut AnyConnection, id: ControlId) -> Result<Vec<Evidence>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {EVIDENCE} FROM evidence WHERE control_id = $1 ORDER BY collected_at DESC, id DESC"
    ))
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter().map(|r| evidence_row(r)).collect()
}

pub(crate) async fn evidence_content(
    conn: &mut AnyConnection,
    id: EvidenceId,
) -> Result<Option<(Evidence, Vec<u8>)>, StoreError> {
    let found = sqlx::query(&format!("SELECT {EVIDENCE}, content FROM evidence WHERE id = $1 AND kind = 'file'"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    match found {
        Some(r) => {
            let content: Option<Vec<u8>> = r.try_get("content").map_err(map_err)?;
            Ok(Some((evidence_row(&r)?, content.unwrap_or_default())))
        }
        None => Ok(None),
    }
}

pub(crate) async fn insert_evidence(
    conn: &mut AnyConnection,
    e: &Evidence,
    content: Option<&[u8]>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO evidence (id, control_id, kind, title, url, file_name, content_type, size_bytes, sha256, content, \
         outcome, detail, collected_at, expires_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(e.id.to_string())
    .bind(e.control_id.to_string())
    .bind(e.kind.as_str())
    .bind(&e.title)
    .bind(e.url.clone())
    .bind(e.file_name.clone())
    .bind(e.content_type.clone())
    .bind(e.size_bytes)
    .bind(e.sha256.clone())
    .bind(content.map(<[u8]>::to_vec))
    .bind(e.outcome.clone())
    .bind(&e.detail)
    .bind(to_micros(e.collected_at))
    .bind(to_micros(e.expires_at))
    .bind(&e.created_by)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Outlines read lately, by framework, with the version (`updated_at`) they were read at. A
/// framework changes only when its catalog is imported again, which changes its version, so
/// an entry whose version still matches is current on every instance; reading the version is
/// one indexed row instead of a thousand.
type OutlineCache = std::sync::Mutex<Vec<(FrameworkId, Timestamp, std::sync::Arc<FrameworkContent>)>>;
static OUTLINES: OutlineCache = std::sync::Mutex::new(Vec::new());
const CACHED_OUTLINES: usize = 16;

/// A framework's groups and requirements without their JSON bodies (for coverage).
pub(crate) async fn outline(conn: &mut AnyConnection, id: FrameworkId) -> Result<Option<FrameworkContent>, StoreError> {
    let Some(framework) = crate::frameworks::by_id(&mut *conn, id).await? else { return Ok(None) };
    let cached = OUTLINES
        .lock()
        .ok()
        .and_then(|c| c.iter().find(|(f, at, _)| *f == id && *at == framework.updated_at).map(|(_, _, o)| o.clone()));
    if let Some(hit) = cached {
        return Ok(Some(FrameworkContent { framework, ..(*hit).clone() }));
    }
    let read = read_outline(conn, framework).await?;
    if let Ok(mut c) = OUTLINES.lock() {
        c.retain(|(f, _, _)| *f != id);
        if c.len() >= CACHED_OUTLINES {
            c.remove(0);
        }
        c.push((id, read.framework.updated_at, std::sync::Arc::new(read.clone())));
    }
    Ok(Some(read))
}

async fn read_outline(
    conn: &mut AnyConnection,
    framework: bulwark_core::compliance::frameworks::Framework,
) -> Result<FrameworkContent, StoreError> {
    let (groups, controls) = crate::frameworks::rows(conn, framework.id, false).await?;
    Ok(FrameworkContent { framework, rest: Value::Null, groups, controls })
}

/// (requirement id, mapped control) for every mapping into the framework; a control has fresh
/// evidence when its newest piece has not expired and is not a failed check.
pub(crate) async fn framework_mappings(
    conn: &mut AnyConnection,
    id: FrameworkId,
    now: Timestamp,
) -> Result<Vec<(String, MappedControl)>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.requirement_id, c.id, c.title, c.status, \
           (SELECT CASE WHEN e.expires_at > $2 AND COALESCE(e.outcome, 'passed') <> 'failed' THEN 1 ELSE 0 END \
              FROM evidence e WHERE e.control_id = c.id ORDER BY e.collected_at DESC, e.id DESC LIMIT 1) AS fresh \
         FROM control_mappings m JOIN controls c ON c.id = m.control_id WHERE m.framework_id = $1 ORDER BY c.title, c.id",
    )
    .bind(id.to_string())
    .bind(to_micros(now))
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            let status = text(r, "status")?;
            Ok((
                text(r, "requirement_id")?,
                MappedControl {
                    id: parsed(r, "id")?,
                    title: text(r, "title")?,
                    status: ControlStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                    fresh_evidence: opt_int(r, "fresh")? == Some(1),
                },
            ))
        })
        .collect()
}

pub(crate) async fn applicability(
    conn: &mut AnyConnection,
    id: FrameworkId,
) -> Result<Vec<(String, bool, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT requirement_id, applicable, justification FROM requirement_applicability WHERE framework_id = $1",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| Ok((text(r, "requirement_id")?, text(r, "applicable")? == "yes", text(r, "justification")?)))
        .collect()
}

pub(crate) async fn put_applicability(
    conn: &mut AnyConnection,
    id: FrameworkId,
    requirement: &str,
    applicable: bool,
    justification: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO requirement_applicability (framework_id, requirement_id, applicable, justification, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (framework_id, requirement_id) DO UPDATE SET \
         applicable = excluded.applicable, justification = excluded.justification, updated_at = excluded.updated_at",
    )
    .bind(id.to_string())
    .bind(requirement.to_string())
    .bind(if applicable { "yes" } else { "no" })
    .bind(justification.to_string())
    .bind(to_micros(now))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
