//! SCIM Groups: the departments. `displayName` is the department's name, `members` its
//! people (a person is in one department, so adding them to a group moves them). A member
//! value that names no User is ignored, so a provider pushing a group before all its users
//! is not refused. DELETE takes the people out and retires the group from SCIM; the
//! department and its history stay, renamed "… (removed DATE, ID)" so that its name is free
//! for a group created later.

use super::listing::ListParams;
use super::{
    Ctx, GROUP_SCHEMA, Member, ScimDepartment, ScimError, ScimResult, check_if_match, check_schemas, checked_line,
    department_id, etag, meta, patch, string_of,
};
use crate::audit::AuditRecord;
use crate::identity::scim_filter::field;
use crate::ids::{DepartmentId, PersonId};
use crate::organisation::departments::Department;
use crate::store::{Reader, Writer};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const READ_ONLY: &[&str] = &["id", "meta"];
/// The most members one request may state.
const MAX_MEMBERS: usize = 20_000;

pub fn to_json(ctx: &Ctx<'_>, g: &ScimDepartment, members: Option<&[Member]>) -> Value {
    let d = &g.department;
    let mut group = json!({
        "schemas": [GROUP_SCHEMA],
        "id": d.id.to_string(),
        "displayName": d.name,
        "meta": meta("Group", d.created_at, d.updated_at, ctx.location("Groups", d.id)),
    });
    if let Some(members) = members {
        group["members"] = members
            .iter()
            .map(|(id, name)| json!({"value": id.to_string(), "display": name, "type": "User", "$ref": ctx.location("Users", id)}))
            .collect();
    }
    if let Some(x) = &g.external_id {
        group["externalId"] = json!(x);
    }
    group
}

struct Wanted {
    display_name: String,
    external_id: Option<String>,
    members: Vec<String>,
}

fn read(resource: &Value) -> ScimResult<Wanted> {
    let display_name = checked_line(string_of(field(resource, "displayName"), "displayName")?, "displayName", 120)?
        .ok_or_else(|| ScimError::bad("invalidValue", "displayName is required"))?;
    let members = match field(resource, "members") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items
            .iter()
            .map(|m| string_of(field(m, "value"), "members.value"))
            .collect::<ScimResult<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect(),
        Some(_) => return Err(ScimError::bad("invalidValue", "members must be a list")),
    };
    if members.len() > MAX_MEMBERS {
        return Err(ScimError::bad("invalidValue", format!("a group holds at most {MAX_MEMBERS} members per request")));
    }
    let external_id = checked_line(string_of(field(resource, "externalId"), "externalId")?, "externalId", 200)?;
    Ok(Wanted { display_name, external_id, members })
}

async fn live(tx: &mut dyn Writer, id: &str) -> ScimResult<ScimDepartment> {
    let found = tx.scim_department(department_id(id)?).await?;
    found.filter(|g| g.deleted_at.is_none()).ok_or_else(|| ScimError::not_found("group"))
}

pub async fn get(ctx: &Ctx<'_>, id: &str, params: &ListParams) -> ScimResult<Value> {
    ctx.require()?;
    let mut r = ctx.store.read().await?;
    let g = r.scim_department(department_id(id)?).await?.filter(|g| g.deleted_at.is_none());
    let g = g.ok_or_else(|| ScimError::not_found("group"))?;
    let members = if params.wants("members") { Some(r.department_members(g.department.id).await?) } else { None };
    Ok(params.project(to_json(ctx, &g, members.as_deref())))
}

pub async fn list(ctx: &Ctx<'_>, params: &ListParams) -> ScimResult<Value> {
    ctx.require()?;
    let mut r = ctx.store.read().await?;
    if params.is_plain() {
        let (groups, total) = r.scim_departments(params.start_index - 1, params.count).await?;
        return Ok(params.response(with_members(&mut *r, ctx, params, &groups).await?, total));
    }
    let (groups, _) = r.scim_departments(0, i64::MAX).await?;
    let all = with_members(&mut *r, ctx, params, &groups).await?;
    let (page, total) = params.select(all);
    Ok(params.response(page, total))
}

async fn with_members(
    r: &mut dyn Reader,
    ctx: &Ctx<'_>,
    params: &ListParams,
    groups: &[ScimDepartment],
) -> ScimResult<Vec<Value>> {
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        let members = if params.wants("members") { Some(r.department_members(g.department.id).await?) } else { None };
        out.push(to_json(ctx, g, members.as_deref()));
    }
    Ok(out)
}

pub async fn create(ctx: &Ctx<'_>, body: &Value) -> ScimResult<Value> {
    ctx.require()?;
    check_schemas(body, GROUP_SCHEMA)?;
    let w = read(body)?;
    let mut tx = ctx.store.write().await?;
    let taken =
        tx.list_department_names().await?.into_iter().any(|(_, n)| n.to_lowercase() == w.display_name.to_lowercase());
    if taken {
        return Err(ScimError::new(409, Some("uniqueness"), format!("a group named {} exists", w.display_name)));
    }
    let id = super::new_department(&mut *tx, ctx, &w.display_name).await?;
    tx.put_scim_department(id, w.external_id.as_deref(), None).await?;
    let state = json!({"externalId": w.external_id, "deleted": false});
    tx.audit(AuditRecord::new(ctx.actor, ctx.now, "scim_group.create", "department", id, None::<&()>, Some(&state)));
    set_members(&mut *tx, ctx, id, &w.members).await?;
    let created = tx.scim_department(id).await?.ok_or_else(|| ScimError::not_found("group"))?;
    let members = tx.department_members(id).await?;
    tx.commit().await?;
    Ok(to_json(ctx, &created, Some(&members)))
}

/// Renames a department (a new version either way, so the ETag changes).
async fn rename(tx: &mut dyn Writer, ctx: &Ctx<'_>, before: &Department, name: &str) -> ScimResult<()> {
    let after = Department { name: name.to_string(), updated_at: ctx.now, ..before.clone() };
    tx.update_department(before, &after).await.map_err(|e| match e {
        crate::StoreError::Conflict(_) => {
            ScimError::new(409, Some("uniqueness"), format!("a group named {name} exists"))
        }
        other => other.into(),
    })?;
    tx.audit(AuditRecord::new(
        ctx.actor,
        ctx.now,
        "department.update",
        "department",
        before.id,
        Some(before),
        Some(&after),
    ));
    Ok(())
}

/// Makes the department's people exactly the Users named (unknown values are ignored).
async fn set_members(tx: &mut dyn Writer, ctx: &Ctx<'_>, id: DepartmentId, values: &[String]) -> ScimResult<bool> {
    let current: BTreeSet<PersonId> = tx.department_members(id).await?.into_iter().map(|(p, _)| p).collect();
    let mut wanted = BTreeSet::new();
    for v in values {
        if let Ok(p) = v.parse::<PersonId>()
            && tx.scim_person(p).await?.is_some_and(|p| !p.is_deleted())
        {
            wanted.insert(p);
        }
    }
    let mut changed = false;
    for (person, department) in
        current.difference(&wanted).map(|p| (*p, None)).chain(wanted.difference(&current).map(|p| (*p, Some(id))))
    {
        let before = tx.get_person(person).await?;
        let after = crate::organisation::people::Person {
            department_id: department,
            department_name: None,
            updated_at: ctx.now,
            ..before.clone()
        };
        tx.update_person(&before, &after).await?;
        tx.audit(AuditRecord::new(ctx.actor, ctx.now, "person.update", "person", person, Some(&before), Some(&after)));
        changed = true;
    }
    Ok(changed)
}

pub async fn replace(ctx: &Ctx<'_>, id: &str, body: &Value, if_match: Option<&str>) -> ScimResult<Value> {
    ctx.require()?;
    check_schemas(body, GROUP_SCHEMA)?;
    let body = body.clone();
    // A PUT states the whole group: members left out are removed.
    update(ctx, id, if_match, move |resource| {
        let id = resource["id"].clone();
        *resource = body;
        resource["id"] = id;
        Ok(())
    })
    .await
}

pub async fn patch(ctx: &Ctx<'_>, id: &str, body: &Value, if_match: Option<&str>) -> ScimResult<Value> {
    ctx.require()?;
    let ops = patch::parse_request(body)?;
    update(ctx, id, if_match, move |resource| patch::apply(resource, &ops, READ_ONLY)).await
}

async fn update(
    ctx: &Ctx<'_>,
    id: &str,
    if_match: Option<&str>,
    change: impl FnOnce(&mut Value) -> ScimResult<()>,
) -> ScimResult<Value> {
    let mut tx = ctx.store.write().await?;
    let current = live(&mut *tx, id).await?;
    check_if_match(if_match, &etag(current.department.updated_at))?;
    let gid = current.department.id;
    let members = tx.department_members(gid).await?;
    let before_json = to_json(ctx, &current, Some(&members));
    let mut resource = before_json.clone();
    change(&mut resource)?;
    let w = read(&resource)?;
    let renamed = w.display_name != current.department.name;
    let members_changed = set_members(&mut *tx, ctx, gid, &w.members).await?;
    let external_changed = w.external_id != current.external_id;
    if !renamed && !members_changed && !external_changed {
        return Ok(before_json); // nothing changes: nothing written
    }
    rename(&mut *tx, ctx, &current.department, &w.display_name).await?;
    if external_changed {
        tx.put_scim_department(gid, w.external_id.as_deref(), None).await?;
        let (old, new) = (json!({"externalId": current.external_id}), json!({"externalId": w.external_id}));
        tx.audit(AuditRecord::new(ctx.actor, ctx.now, "scim_group.update", "department", gid, Some(&old), Some(&new)));
    }
    let updated = tx.scim_department(gid).await?.ok_or_else(|| ScimError::not_found("group"))?;
    let members = tx.department_members(gid).await?;
    tx.commit().await?;
    Ok(to_json(ctx, &updated, Some(&members)))
}

pub async fn delete(ctx: &Ctx<'_>, id: &str, if_match: Option<&str>) -> ScimResult<()> {
    ctx.require()?;
    let mut tx = ctx.store.write().await?;
    let current = live(&mut *tx, id).await?;
    check_if_match(if_match, &etag(current.department.updated_at))?;
    let gid = current.department.id;
    set_members(&mut *tx, ctx, gid, &[]).await?;
    // The department stays, under a name that frees its own for a group made later.
    let id_text = gid.to_string();
    let suffix = format!(" (removed {}, {})", ctx.now.date(), &id_text[id_text.len() - 6..]);
    let kept: String = current.department.name.chars().take(120 - suffix.chars().count()).collect();
    rename(&mut *tx, ctx, &current.department, &format!("{kept}{suffix}")).await?;
    tx.put_scim_department(gid, current.external_id.as_deref(), Some(ctx.now)).await?;
    let (old, new) = (json!({"deleted": false}), json!({"deleted": true}));
    tx.audit(AuditRecord::new(ctx.actor, ctx.now, "scim_group.delete", "department", gid, Some(&old), Some(&new)));
    tx.commit().await?;
    Ok(())
}
