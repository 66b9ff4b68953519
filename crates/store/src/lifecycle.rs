//! Onboarding records and offboardings with their items.

use bulwark_core::StoreError;
use bulwark_core::Timestamp;
use bulwark_core::assets::AssetKind;
use bulwark_core::ids::PersonId;
use bulwark_core::organisation::lifecycle::{Offboarding, OffboardingItem, OnboardingRecord};
use bulwark_core::time_util::{from_micros, to_micros};
use sqlx::AnyConnection;

use crate::rows::{corrupt, date, int, opt_text, opt_time, parsed, text};
use crate::write::{expect_one, map_err};

pub(crate) async fn insert_record(conn: &mut AnyConnection, rec: &OnboardingRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO onboarding_records (id, person_id, kind, detail, done_on, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&rec.id)
    .bind(rec.person_id.to_string())
    .bind(&rec.kind)
    .bind(&rec.detail)
    .bind(rec.done_on.to_string())
    .bind(&rec.recorded_by)
    .bind(to_micros(rec.recorded_at))
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn records(conn: &mut AnyConnection, person: PersonId) -> Result<Vec<OnboardingRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, person_id, kind, detail, done_on, recorded_by, recorded_at FROM onboarding_records \
         WHERE person_id = $1 ORDER BY recorded_at DESC, id DESC",
    )
    .bind(person.to_string())
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            Ok(OnboardingRecord {
                id: text(r, "id")?,
                person_id: parsed(r, "person_id")?,
                kind: text(r, "kind")?,
                detail: text(r, "detail")?,
                done_on: date(r, "done_on")?,
                recorded_by: text(r, "recorded_by")?,
                recorded_at: from_micros(int(r, "recorded_at")?),
            })
        })
        .collect()
}

pub(crate) async fn insert(conn: &mut AnyConnection, o: &Offboarding) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO offboardings (id, person_id, reason, started_at, started_by, closed_at) VALUES ($1, $2, $3, $4, $5, NULL)",
    )
    .bind(&o.id)
    .bind(o.person_id.to_string())
    .bind(&o.reason)
    .bind(to_micros(o.started_at))
    .bind(&o.started_by)
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    for i in &o.items {
        sqlx::query(
            "INSERT INTO offboarding_items (offboarding_id, position, kind, asset_id, label, done_at, done_by, received_by) \
             VALUES ($1, $2, $3, $4, $5, NULL, NULL, NULL)",
        )
        .bind(&o.id)
        .bind(i.position)
        .bind(&i.kind)
        .bind(i.asset_id.map(|a| a.to_string()))
        .bind(&i.label)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

/// Offboardings chosen by `condition` on `o` (with `$1`), newest first, with their items.
async fn load(conn: &mut AnyConnection, condition: &str, value: String) -> Result<Vec<Offboarding>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT o.id, o.person_id, p.name AS person_name, o.reason, o.started_at, o.started_by, o.closed_at \
         FROM offboardings o JOIN people p ON p.id = o.person_id WHERE {condition} ORDER BY o.started_at DESC, o.id DESC"
    ))
    .bind(value)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut found = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = text(r, "id")?;
        let items = sqlx::query(
            "SELECT position, kind, asset_id, label, done_at, done_by, received_by FROM offboarding_items \
             WHERE offboarding_id = $1 ORDER BY position",
        )
        .bind(&id)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?
        .iter()
        .map(|i| {
            Ok(OffboardingItem {
                position: int(i, "position")?,
                kind: text(i, "kind")?,
                asset_id: opt_text(i, "asset_id")?
                    .map(|v| v.parse().map_err(|_| corrupt("asset_id", &v)))
                    .transpose()?,
                label: text(i, "label")?,
                done_at: opt_time(i, "done_at")?,
                done_by: opt_text(i, "done_by")?,
                received_by: opt_text(i, "received_by")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        found.push(Offboarding {
            id,
            person_id: parsed(r, "person_id")?,
            person_name: text(r, "person_name")?,
            reason: text(r, "reason")?,
            started_at: from_micros(int(r, "started_at")?),
            started_by: text(r, "started_by")?,
            closed_at: opt_time(r, "closed_at")?,
            items,
        });
    }
    Ok(found)
}

pub(crate) async fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Offboarding>, StoreError> {
    Ok(load(conn, "o.id = $1", id.to_string()).await?.pop())
}

pub(crate) async fn of_person(conn: &mut AnyConnection, person: PersonId) -> Result<Vec<Offboarding>, StoreError> {
    load(conn, "o.person_id = $1", person.to_string()).await
}

pub(crate) async fn open_of(conn: &mut AnyConnection, person: PersonId) -> Result<Option<Offboarding>, StoreError> {
    Ok(load(conn, "o.person_id = $1 AND o.closed_at IS NULL", person.to_string()).await?.pop())
}

pub(crate) async fn update_item(conn: &mut AnyConnection, id: &str, item: &OffboardingItem) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE offboarding_items SET done_at = $1, done_by = $2, received_by = $3 \
         WHERE offboarding_id = $4 AND position = $5 AND done_at IS NULL",
    )
    .bind(item.done_at.map(to_micros))
    .bind(&item.done_by)
    .bind(&item.received_by)
    .bind(id)
    .bind(item.position)
    .execute(conn)
    .await
    .map_err(map_err)?;
    expect_one(done.rows_affected(), "this item")
}

pub(crate) async fn close(conn: &mut AnyConnection, id: &str, at: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE offboardings SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
        .bind(to_micros(at))
        .bind(id)
        .execute(conn)
        .await
        .map_err(map_err)?;
    expect_one(done.rows_affected(), "this offboarding")
}

/// The names and kinds of the SaaS and software in the inventory (where people have accounts).
pub(crate) async fn directory_services(conn: &mut AnyConnection) -> Result<Vec<(String, AssetKind)>, StoreError> {
    let rows = sqlx::query(
        "SELECT name, kind FROM assets WHERE kind IN ('saas', 'software') AND status <> 'retired' ORDER BY name, id",
    )
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            let kind = text(r, "kind")?;
            Ok((text(r, "name")?, AssetKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?))
        })
        .collect()
}
