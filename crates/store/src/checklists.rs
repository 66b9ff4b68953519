//! Checklist templates with their items, and the answers people give in checklist campaigns
//! (with the export line of each person's answers kept on their completion record).

use bulwark_core::StoreError;
use bulwark_core::ids::{CampaignId, ChecklistId, PersonId};
use bulwark_core::list::{ListPage, ListQuery};
use bulwark_core::policies::checklists::{Answer, AnswerValue, Checklist, ChecklistItem};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::acquire::Acquire;
use crate::list::{self, Reads, Table};
use crate::rows::{Columns, int, parsed, text};
use crate::write::map_err;

const COLUMNS: &str = "k.id, k.title, k.description, k.follow_up_days, k.item_count, k.created_by, k.created_at";

const TABLE: Table = Table {
    columns: COLUMNS,
    from: "checklists k",
    count_from: "checklists k",
    id: "k.id",
    filters: &[],
    sorts: &[("title", "k.title"), ("created", "k.created_at")],
    search: Some(("k.search_text", None)),
    total: None,
};

fn checklist(r: &dyn Columns) -> Result<Checklist, StoreError> {
    Ok(Checklist {
        id: parsed(r, "id")?,
        title: text(r, "title")?,
        description: text(r, "description")?,
        follow_up_days: int(r, "follow_up_days")?,
        items: Vec::new(),
        item_count: int(r, "item_count")?,
        created_by: text(r, "created_by")?,
        created_at: from_micros(int(r, "created_at")?),
    })
}

pub(crate) async fn list(
    conn: &mut dyn Acquire,
    reads: Reads<'_>,
    query: &ListQuery,
) -> Result<ListPage<Checklist>, StoreError> {
    list::page(conn, reads, &TABLE, query, checklist).await
}

pub(crate) async fn insert(conn: &mut AnyConnection, k: &Checklist) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO checklists (id, title, description, follow_up_days, item_count, search_text, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(k.id.to_string())
    .bind(&k.title)
    .bind(&k.description)
    .bind(k.follow_up_days)
    .bind(k.items.len() as i64)
    .bind(k.title.to_lowercase())
    .bind(&k.created_by)
    .bind(to_micros(k.created_at))
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    for item in &k.items {
        sqlx::query("INSERT INTO checklist_items (checklist_id, position, text, guidance) VALUES ($1, $2, $3, $4)")
            .bind(k.id.to_string())
            .bind(item.position)
            .bind(&item.text)
            .bind(&item.guidance)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn find(conn: &mut AnyConnection, id: ChecklistId) -> Result<Option<Checklist>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM checklists k WHERE k.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
    let Some(mut found) = row.as_ref().map(|r| checklist(r)).transpose()? else { return Ok(None) };
    let rows =
        sqlx::query("SELECT position, text, guidance FROM checklist_items WHERE checklist_id = $1 ORDER BY position")
            .bind(id.to_string())
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?;
    found.items = rows
        .iter()
        .map(|r| {
            Ok(ChecklistItem { position: int(r, "position")?, text: text(r, "text")?, guidance: text(r, "guidance")? })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(found))
}

pub(crate) async fn answers(
    conn: &mut AnyConnection,
    campaign: CampaignId,
    person: PersonId,
) -> Result<Vec<Answer>, StoreError> {
    let rows = sqlx::query(
        "SELECT position, answer, comment, answered_at FROM checklist_answers \
         WHERE campaign_id = $1 AND person_id = $2 ORDER BY position",
    )
    .bind(campaign.to_string())
    .bind(person.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            let value = text(r, "answer")?;
            Ok(Answer {
                position: int(r, "position")?,
                value: AnswerValue::parse(&value)
                    .ok_or_else(|| StoreError::Other(anyhow::anyhow!("unknown answer {value}")))?,
                comment: text(r, "comment")?,
                answered_at: from_micros(int(r, "answered_at")?),
            })
        })
        .collect()
}

pub(crate) async fn save_answers(
    conn: &mut AnyConnection,
    campaign: CampaignId,
    person: PersonId,
    answers: &[Answer],
    summary: &str,
) -> Result<(), StoreError> {
    for a in answers {
        sqlx::query(
            "INSERT INTO checklist_answers (campaign_id, person_id, position, answer, comment, answered_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (campaign_id, person_id, position) DO UPDATE \
             SET answer = excluded.answer, comment = excluded.comment, answered_at = excluded.answered_at",
        )
        .bind(campaign.to_string())
        .bind(person.to_string())
        .bind(a.position)
        .bind(a.value.as_str())
        .bind(&a.comment)
        .bind(to_micros(a.answered_at))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    sqlx::query("UPDATE acknowledgments SET versions = $1 WHERE campaign_id = $2 AND person_id = $3")
        .bind(summary)
        .bind(campaign.to_string())
        .bind(person.to_string())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    Ok(())
}
