//! The operations of every kit record type: list, read, create, update, delete and its
//! workflow steps. Each checks access once (`access::grant`), runs in one transaction,
//! guards updates by version, and writes its audit entry (`{kind}.create`, `.update`,
//! `.delete`, `.{action}`) before the one commit.

use super::access::{Grant, Need, grant};
use super::input::{self, RawRecord};
use super::{Action, FieldKind, Record, RecordType, Step, Value};
use crate::access::Actor;
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::list::{ListPage, ListQuery};
use crate::pick::PickOption;
use crate::store::{Reader, Store, Writer};
use crate::time_util::Timestamp;
use crate::version::check_version;

/// A record and what its viewer may do with it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub record: Record,
    pub can_edit: bool,
    pub can_delete: bool,
    /// The workflow steps the viewer may take on it now.
    pub steps: Vec<&'static Action>,
}

/// The page of records the actor may see: a scoped actor's are filtered in SQL.
pub async fn list(
    store: &dyn Store,
    actor: &Actor,
    ty: &'static RecordType,
    query: &ListQuery,
) -> CoreResult<ListPage<Record>> {
    let query = scoped(query, grant(actor, ty, Need::View)?);
    Ok(store.read().await?.list_records(ty, &query).await?)
}

/// The query limited to the grant's scope (a filter the caller cannot remove).
fn scoped(query: &ListQuery, grant: Grant) -> ListQuery {
    let mut query = query.clone();
    query.filters.retain(|(name, _)| *name != "scope");
    if let Grant::Scoped(_, person) = grant {
        query.filters.push(("scope", person.to_string()));
    }
    query
}

/// The record if the grant reaches it (`NotFound` otherwise: its existence is not told).
async fn reach(r: &mut dyn Reader, ty: &'static RecordType, id: &str, grant: Grant) -> CoreResult<Record> {
    let record = r.find_record(ty, id).await?.ok_or(CoreError::NotFound)?;
    if let Grant::Scoped(scope, person) = grant
        && !r.in_scope(ty, id, scope, person).await?
    {
        return Err(CoreError::NotFound);
    }
    Ok(record)
}

pub async fn get(store: &dyn Store, actor: &Actor, ty: &'static RecordType, id: &str) -> CoreResult<Shown> {
    let mut r = store.read().await?;
    let record = reach(&mut *r, ty, id, grant(actor, ty, Need::View)?).await?;
    let can_edit = may(&mut *r, ty, id, grant(actor, ty, Need::Edit)).await?;
    let mut steps = Vec::new();
    for step in ty.actions.iter().filter(|a| (a.unavailable)(&record).is_none()) {
        if may(&mut *r, ty, id, grant(actor, ty, Need::Step(step.by_scope))).await? {
            steps.push(step);
        }
    }
    Ok(Shown { record, can_edit, can_delete: grant(actor, ty, Need::Manage).is_ok(), steps })
}

/// Whether a grant reaches the record: the permission reaches every one, a scope those in it.
async fn may(r: &mut dyn Reader, ty: &'static RecordType, id: &str, grant: CoreResult<Grant>) -> CoreResult<bool> {
    Ok(match grant {
        Ok(Grant::All) => true,
        Ok(Grant::Scoped(scope, person)) => r.in_scope(ty, id, scope, person).await?,
        Err(_) => false,
    })
}

/// A new record: every field empty but those with a default, for the new form and `create`.
pub fn blank(ty: &'static RecordType, now: Timestamp) -> Record {
    let id = uuid::Uuid::now_v7().to_string();
    let value = |f: &super::Field| match (f.default, f.kind) {
        (_, FieldKind::Count { .. }) => Value::Int(0),
        ("", _) | (_, FieldKind::Links(_)) => Value::Empty,
        (v, FieldKind::Number { .. }) => v.parse().map_or(Value::Empty, Value::Int),
        (v, _) => Value::Text(v.into()),
    };
    Record { ty, id, values: ty.fields.iter().map(value).collect(), created_at: now, updated_at: now }
}

/// Computes the record's derived fields.
pub fn derive(record: &mut Record) {
    if let Some(derive) = record.ty.derive {
        derive(record);
    }
}

pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    ty: &'static RecordType,
    now: Timestamp,
    raw: &RawRecord,
) -> CoreResult<Record> {
    grant(actor, ty, Need::Manage)?;
    let mut tx = store.write().await?;
    let record = create_in(&mut *tx, actor, ty, now, raw).await?;
    tx.commit().await?;
    Ok(record)
}

/// Creates a record in the caller's transaction (access is the caller's to check).
pub async fn create_in(
    tx: &mut dyn Writer,
    actor: &Actor,
    ty: &'static RecordType,
    now: Timestamp,
    raw: &RawRecord,
) -> CoreResult<Record> {
    let mut record = blank(ty, now);
    input::apply(&mut *tx, ty, raw, &mut record).await?;
    derive(&mut record);
    tx.insert_record(&record).await?;
    saved(tx, actor, now, "create", None, &record).await?;
    Ok(record)
}

pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    ty: &'static RecordType,
    now: Timestamp,
    id: &str,
    raw: &RawRecord,
) -> CoreResult<Record> {
    let grant = grant(actor, ty, Need::Edit)?;
    let mut tx = store.write().await?;
    let before = reach(&mut *tx, ty, id, grant).await?;
    let mut after = Record { updated_at: now, ..before.clone() };
    input::apply(&mut *tx, ty, raw, &mut after).await?;
    derive(&mut after);
    check_version(raw.version.as_deref(), before.updated_at, &format!("this {}", ty.singular))?;
    write_change(&mut *tx, actor, now, "update", grant, &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Takes the workflow step `action` on the record, with its inputs.
pub async fn act(
    store: &dyn Store,
    actor: &Actor,
    ty: &'static RecordType,
    now: Timestamp,
    (id, action): (&str, &str),
    raw: &RawRecord,
) -> CoreResult<Record> {
    let step = ty.actions.iter().find(|a| a.name == action).ok_or(CoreError::NotFound)?;
    let grant = grant(actor, ty, Need::Step(step.by_scope))?;
    let mut tx = store.write().await?;
    let before = reach(&mut *tx, ty, id, grant).await?;
    let inputs = input::step_inputs(&mut *tx, step.inputs, raw).await?;
    if let Some(why) = (step.unavailable)(&before) {
        return Err(CoreError::Conflict(why.into()));
    }
    let mut after = Record { updated_at: now, ..before.clone() };
    (step.apply)(&mut after, &Step { now, by: &actor.label, inputs })?;
    derive(&mut after);
    write_change(&mut *tx, actor, now, step.name, grant, &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(
    store: &dyn Store,
    actor: &Actor,
    ty: &'static RecordType,
    now: Timestamp,
    id: &str,
    version: Option<&str>,
) -> CoreResult<Record> {
    grant(actor, ty, Need::Manage)?;
    let mut tx = store.write().await?;
    let before = tx.find_record(ty, id).await?.ok_or(CoreError::NotFound)?;
    check_version(version, before.updated_at, &format!("this {}", ty.singular))?;
    // Its parts go with it, each with its own audit entry.
    for (part, field) in super::registry::parts_of(ty) {
        let mut query = part.list_spec().first_page(500);
        query.filters.push((field, id.to_string()));
        loop {
            let page = tx.list_records(part, &query).await?;
            for record in &page.items {
                remove(&mut *tx, actor, now, record).await?;
            }
            if page.next.is_none() {
                break;
            }
        }
    }
    remove(&mut *tx, actor, now, &before).await?;
    tx.commit().await?;
    Ok(before)
}

async fn remove(tx: &mut dyn Writer, actor: &Actor, now: Timestamp, record: &Record) -> CoreResult<()> {
    tx.delete_record(record, now).await?;
    let action = format!("{}.delete", record.ty.kind);
    tx.audit(AuditRecord::new(actor, now, &action, record.ty.kind, &record.id, Some(record), None::<&()>));
    Ok(())
}

/// Stores an edit; a scoped editor may not move the record out of their own scope.
async fn write_change(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    step: &str,
    grant: Grant,
    before: &Record,
    after: &Record,
) -> CoreResult<()> {
    tx.update_record(before, after).await?;
    if let Grant::Scoped(scope, person) = grant
        && !tx.in_scope(after.ty, &after.id, scope, person).await?
    {
        let field = after.ty.field(scope.field()).map_or("", |f| f.name);
        return Err(CoreError::invalid(field, &format!("would take this {} out of your hands", after.ty.singular)));
    }
    saved(tx, actor, now, step, Some(before), after).await
}

async fn saved(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    step: &str,
    before: Option<&Record>,
    after: &Record,
) -> CoreResult<()> {
    if let Some(effects) = after.ty.after_save {
        effects(tx, after, now).await?;
    }
    let action = format!("{}.{step}", after.ty.kind);
    tx.audit(AuditRecord::new(actor, now, &action, after.ty.kind, &after.id, before, Some(after)));
    Ok(())
}

/// A department's head changed: the records it scopes are someone else's now, so each type
/// scoped by `HeadOf` plans its effects afresh for them (the new head's review task).
pub async fn department_head_changed(tx: &mut dyn Writer, department: &str, now: Timestamp) -> CoreResult<()> {
    for ty in super::registry::ALL.iter().copied() {
        let (Some(super::Scope::HeadOf(field)), Some(effects)) = (ty.access.scope, ty.after_save) else { continue };
        let mut query = ty.list_spec().first_page(500);
        query.filters.push((field, department.to_string()));
        loop {
            let page = tx.list_records(ty, &query).await?;
            for record in &page.items {
                effects(tx, record, now).await?;
            }
            match page.next {
                Some(cursor) => query.after = Some(cursor),
                None => break,
            }
        }
    }
    Ok(())
}

/// Creates one record per row as the command line (seed data): `columns` name the fields of
/// each row's values, `common` gives fields every row shares.
pub async fn seed(
    store: &dyn Store,
    ty: &'static RecordType,
    now: Timestamp,
    (columns, rows): (&[&str], &[&[&str]]),
    common: &[(&str, &str)],
) -> CoreResult<()> {
    for row in rows {
        let pairs = columns.iter().copied().zip(row.iter().copied()).chain(common.iter().copied());
        create(store, &Actor::cli(), ty, now, &RawRecord::from_pairs(pairs)).await?;
    }
    Ok(())
}

/// The suggestions of a reference field's picker, for those who see the records it names.
pub async fn options(store: &dyn Store, actor: &Actor, field: &super::Field) -> CoreResult<Vec<PickOption>> {
    match field.kind {
        super::FieldKind::Person => crate::pick::people_options(store, actor).await,
        super::FieldKind::Ref(target) | super::FieldKind::Links(target) if actor.can(target.view) => {
            let found = store.read().await?.named_options(target).await?;
            Ok(found.into_iter().map(|n| (n.name, String::new())).collect())
        }
        _ => Ok(vec![]),
    }
}
