//! The risk register: its list (with owner and asset names, and each page's control links
//! read in one more query), lookups, writes with the control links, the heat map's counts
//! and the settings row. The current score is stored beside the ratings for filtering and
//! sorting.

use bulwark_core::StoreError;
use bulwark_core::compliance::risks::{Acceptance, HeatCell, HeatMap, Risk, RiskSettings, Treatment, search_text};
use bulwark_core::ids::{ControlId, RiskId};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::rows::{Columns, all, corrupt, date, int, opt_int, opt_parsed, opt_text, parsed, text};
use crate::write::{AnyQuery, insert_sql, map_err, update_sql, update_unchanged};

const SELECT: &str = "r.id, r.title, r.description, r.asset_id, a.name AS asset_name, r.process, r.threat, \
     r.vulnerability, r.owner_id, o.name AS owner_name, r.probability, r.impact, r.treatment, r.treatment_plan, \
     r.residual_probability, r.residual_impact, r.acceptance, r.accepted_score, r.approval_id, r.review_on, \
     r.last_reviewed_on, r.created_at, r.updated_at";
const FROM: &str = "risks r LEFT JOIN people o ON o.id = r.owner_id LEFT JOIN assets a ON a.id = r.asset_id";

const TABLE: Table = Table {
    columns: SELECT,
    from: FROM,
    count_from: "risks r",
    id: "r.id",
    filters: &[
        ("owner_id", "r.owner_id"),
        ("treatment", "r.treatment"),
        ("acceptance", "r.acceptance"),
        ("score_min", "r.score"),
        ("score_max", "r.score"),
    ],
    sorts: &[
        ("score", "r.score"),
        ("inherent", "r.inherent_score"),
        ("title", "r.title"),
        ("review_on", "r.review_on"),
        ("created", "r.created_at"),
    ],
    // Thousands of risks: searched through the FTS5 trigram index (migration 24).
    search: Some(("r.search_text", Some(("risks_fts", "r.rowid")))),
    total: Some("(SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM row_counts WHERE name = 'risks')"),
};

fn row(r: &dyn Columns) -> Result<Risk, StoreError> {
    let treatment = text(r, "treatment")?;
    let acceptance = text(r, "acceptance")?;
    Ok(Risk {
        id: parsed(r, "id")?,
        title: text(r, "title")?,
        description: text(r, "description")?,
        asset_id: opt_parsed(r, "asset_id")?,
        asset_name: opt_text(r, "asset_name")?,
        process: text(r, "process")?,
        threat: text(r, "threat")?,
        vulnerability: text(r, "vulnerability")?,
        owner_id: parsed(r, "owner_id")?,
        owner_name: opt_text(r, "owner_name")?,
        probability: int(r, "probability")?,
        impact: int(r, "impact")?,
        treatment: Treatment::parse(&treatment).ok_or_else(|| corrupt("treatment", &treatment))?,
        treatment_plan: text(r, "treatment_plan")?,
        control_ids: vec![],
        residual_probability: opt_int(r, "residual_probability")?,
        residual_impact: opt_int(r, "residual_impact")?,
        acceptance: Acceptance::parse(&acceptance).ok_or_else(|| corrupt("acceptance", &acceptance))?,
        accepted_score: opt_int(r, "accepted_score")?,
        approval_id: opt_text(r, "approval_id")?,
        review_on: date(r, "review_on")?,
        last_reviewed_on: opt_text(r, "last_reviewed_on")?
            .map(|d| bulwark_core::time_util::parse_date(&d).ok_or_else(|| corrupt("last_reviewed_on", &d)))
            .transpose()?,
        created_at: from_micros(int(r, "created_at")?),
        updated_at: from_micros(int(r, "updated_at")?),
    })
}

/// Fills in the control links of the given risks, in one query.
async fn with_controls(conn: &mut AnyConnection, risks: &mut [Risk]) -> Result<(), StoreError> {
    if risks.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT risk_id, control_id FROM risk_controls WHERE risk_id IN ({}) ORDER BY risk_id, control_id",
        crate::write::placeholders(risks.len())
    );
    let mut query = sqlx::query(&sql);
    for r in risks.iter() {
        query = query.bind(r.id.to_string());
    }
    let links = query.fetch_all(conn).await.map_err(map_err)?;
    for link in &links {
        let risk: RiskId = parsed(link, "risk_id")?;
        let control: ControlId = parsed(link, "control_id")?;
        if let Some(r) = risks.iter_mut().find(|r| r.id == risk) {
            r.control_ids.push(control);
        }
    }
    Ok(())
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<Risk>, StoreError> {
    let mut page = list::page(&mut *conn, reads, &TABLE, query, row).await?;
    with_controls(conn.conn().await?, &mut page.items).await?;
    Ok(page)
}

pub(crate) async fn find(conn: &mut AnyConnection, id: RiskId) -> Result<Option<Risk>, StoreError> {
    let found = sqlx::query(&format!("SELECT {SELECT} FROM {FROM} WHERE r.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    let Some(found) = found else { return Ok(None) };
    let mut risks = [row(&found)?];
    with_controls(conn, &mut risks).await?;
    let [risk] = risks;
    Ok(Some(risk))
}

/// Binds the stored columns of a risk, in `COLUMNS` order.
fn bind_columns<'q>(query: AnyQuery<'q>, r: &Risk) -> AnyQuery<'q> {
    query
        .bind(r.title.clone())
        .bind(r.description.clone())
        .bind(r.asset_id.map(|a| a.to_string()))
        .bind(r.process.clone())
        .bind(r.threat.clone())
        .bind(r.vulnerability.clone())
        .bind(r.owner_id.to_string())
        .bind(r.probability)
        .bind(r.impact)
        .bind(r.inherent_score())
        .bind(r.treatment.as_str())
        .bind(r.treatment_plan.clone())
        .bind(r.residual_probability)
        .bind(r.residual_impact)
        .bind(r.score())
        .bind(r.acceptance.as_str())
        .bind(r.accepted_score)
        .bind(r.approval_id.clone())
        .bind(r.review_on.to_string())
        .bind(r.last_reviewed_on.map(|d| d.to_string()))
        .bind(search_text(r))
        .bind(to_micros(r.updated_at))
}

/// The columns `bind_columns` binds, as `$1` … `$22`.
const COLUMNS: [&str; 22] = [
    "title",
    "description",
    "asset_id",
    "process",
    "threat",
    "vulnerability",
    "owner_id",
    "probability",
    "impact",
    "inherent_score",
    "treatment",
    "treatment_plan",
    "residual_probability",
    "residual_impact",
    "score",
    "acceptance",
    "accepted_score",
    "approval_id",
    "review_on",
    "last_reviewed_on",
    "search_text",
    "updated_at",
];

async fn set_controls(conn: &mut AnyConnection, r: &Risk) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM risk_controls WHERE risk_id = $1")
        .bind(r.id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    for control in &r.control_ids {
        sqlx::query("INSERT INTO risk_controls (risk_id, control_id) VALUES ($1, $2)")
            .bind(r.id.to_string())
            .bind(control.to_string())
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn insert(conn: &mut AnyConnection, r: &Risk) -> Result<(), StoreError> {
    let sql = insert_sql("risks", &COLUMNS);
    bind_columns(sqlx::query(&sql), r)
        .bind(to_micros(r.created_at))
        .bind(r.id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    set_controls(conn, r).await
}

pub(crate) async fn update(conn: &mut AnyConnection, before: &Risk, after: &Risk) -> Result<(), StoreError> {
    let sql = update_sql("risks", &COLUMNS);
    update_unchanged(
        &mut *conn,
        bind_columns(sqlx::query(&sql), after),
        after.id.to_string(),
        before.updated_at,
        "this risk",
    )
    .await?;
    if before.control_ids != after.control_ids {
        set_controls(conn, after).await?;
    }
    Ok(())
}

pub(crate) async fn heat_map(conn: &mut AnyConnection) -> Result<HeatMap, StoreError> {
    let cells: fn(&dyn Columns) -> Result<HeatCell, StoreError> =
        |r| Ok(HeatCell { probability: int(r, "p")?, impact: int(r, "i")?, count: int(r, "n")? });
    let inherent =
        sqlx::query("SELECT probability AS p, impact AS i, COUNT(*) AS n FROM risks GROUP BY probability, impact")
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?;
    let residual = sqlx::query(
        "SELECT COALESCE(residual_probability, probability) AS p, COALESCE(residual_impact, impact) AS i, COUNT(*) AS n \
         FROM risks GROUP BY COALESCE(residual_probability, probability), COALESCE(residual_impact, impact)",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(HeatMap { inherent: all(inherent, cells)?, residual: all(residual, cells)? })
}

pub(crate) async fn settings(conn: &mut AnyConnection) -> Result<RiskSettings, StoreError> {
    let r = sqlx::query("SELECT scale, acceptance_threshold, review_days, updated_at FROM risk_settings WHERE id = 1")
        .fetch_one(conn)
        .await
        .map_err(map_err)?;
    Ok(RiskSettings {
        scale: int(&r, "scale")?,
        acceptance_threshold: int(&r, "acceptance_threshold")?,
        review_days: int(&r, "review_days")?,
        updated_at: from_micros(int(&r, "updated_at")?),
    })
}

pub(crate) async fn update_settings(
    conn: &mut AnyConnection,
    before: &RiskSettings,
    after: &RiskSettings,
) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE risk_settings SET scale = $1, acceptance_threshold = $2, review_days = $3, updated_at = $4 \
         WHERE CAST(id AS TEXT) = $5 AND updated_at = $6",
    )
    .bind(after.scale)
    .bind(after.acceptance_threshold)
    .bind(after.review_days)
    .bind(to_micros(after.updated_at));
    update_unchanged(conn, update, "1".into(), before.updated_at, "the risk settings").await
}

/// The risks relying on a control, highest score first.
pub(crate) async fn of_control(conn: &mut AnyConnection, id: ControlId) -> Result<Vec<Risk>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {SELECT} FROM {FROM} JOIN risk_controls rc ON rc.risk_id = r.id WHERE rc.control_id = $1 \
         ORDER BY r.score DESC, r.id LIMIT 500"
    ))
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut risks = all(rows, row)?;
    with_controls(conn, &mut risks).await?;
    Ok(risks)
}
