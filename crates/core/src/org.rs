//! Departments (each with a head) and the security team's areas with their members.

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{AreaId, DepartmentId, PersonId};
use crate::list::{KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::store::{Store, Writer};
use crate::time_util::{Timestamp, rfc3339};
use crate::validate::Checks;
use crate::version::check_version;
use serde::{Deserialize, Serialize};

/// The security team's areas a new instance starts with (SPEC: editable).
pub const DEFAULT_AREAS: [(&str, &str); 4] = [
    ("Offensive security", "Red team: penetration tests, adversary simulation."),
    ("Defensive security", "Blue team: detection, monitoring and incident response."),
    ("Application security", "Secure engineering, code review and vulnerability disclosure."),
    ("Governance, risk & compliance", "Policies, risks, controls, audits and vendors."),
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Department {
    pub id: DepartmentId,
    pub name: String,
    pub head_person_id: Option<PersonId>,
    #[serde(skip)]
    pub head_name: Option<String>,
    #[serde(skip)]
    pub people_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// The departments list: sorted by name or size, exported with head and head count.
pub const DEPARTMENTS: ListSpec = ListSpec {
    filters: &[],
    sorts: &[
        SortSpec { name: "name", label: "Name", key: KeyType::Text },
        SortSpec { name: "people", label: "People", key: KeyType::Int },
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
    ],
    searchable: false,
    columns: &["id", "name", "head", "people", "created_at"],
};

impl Department {
    /// The export row, in `DEPARTMENTS.columns` order.
    pub fn export_row(&self) -> Vec<String> {
        let head = self.head_name.clone().unwrap_or_default();
        vec![self.id.to_string(), self.name.clone(), head, self.people_count.to_string(), rfc3339(self.created_at)]
    }
}

/// The areas list: sorted by name or size, exported with their descriptions.
pub const AREAS: ListSpec = ListSpec {
    filters: &[],
    sorts: &[
        SortSpec { name: "name", label: "Name", key: KeyType::Text },
        SortSpec { name: "members", label: "Members", key: KeyType::Int },
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
    ],
    searchable: false,
    columns: &["id", "name", "description", "members", "created_at"],
};

impl Area {
    /// The export row, in `AREAS.columns` order.
    pub fn export_row(&self) -> Vec<String> {
        let members = self.member_count.to_string();
        vec![self.id.to_string(), self.name.clone(), self.description.clone(), members, rfc3339(self.created_at)]
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DepartmentInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub head_person_id: String,
    /// The version the edit was based on; a stale edit is refused.
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    pub id: AreaId,
    pub name: String,
    pub description: String,
    #[serde(skip)]
    pub member_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AreaInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The version the edit was based on; a stale edit is refused.
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaMember {
    pub area_id: AreaId,
    pub person_id: PersonId,
    pub person_name: String,
    pub person_email: String,
    pub specialty: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AreaMemberInput {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub specialty: String,
}

async fn parse_person(
    tx: &mut dyn Writer,
    c: &mut Checks,
    field: &str,
    raw: &str,
    required: bool,
) -> CoreResult<Option<PersonId>> {
    match raw.trim() {
        "" => {
            if required {
                c.fail(field, "is required");
            }
            Ok(None)
        }
        s => match s.parse::<PersonId>() {
            Ok(id) if tx.find_person(id).await?.is_some() => Ok(Some(id)),
            Ok(_) => {
                c.clash(field, "must be an existing person");
                Ok(None)
            }
            Err(_) => {
                c.fail(field, "must be a person id");
                Ok(None)
            }
        },
    }
}

pub async fn create_department(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    input: &DepartmentInput,
) -> CoreResult<Department> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let mut c = Checks::new();
    let name = c.text("name", &input.name, 120);
    let head = parse_person(&mut *tx, &mut c, "head_person_id", &input.head_person_id, false).await?;
    c.finish()?;
    let d = Department {
        id: DepartmentId::new(),
        name,
        head_person_id: head,
        head_name: None,
        people_count: 0,
        created_at: now,
        updated_at: now,
    };
    tx.insert_department(&d).await.map_err(|e| name_taken(e.into()))?;
    tx.audit(AuditRecord::new(actor, now, "department.create", "department", d.id, None::<&()>, Some(&d)));
    tx.commit().await?;
    Ok(d)
}

pub async fn update_department(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: DepartmentId,
    input: &DepartmentInput,
) -> CoreResult<Department> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let before = tx.get_department(id).await?;
    let mut c = Checks::new();
    let name = c.text("name", &input.name, 120);
    let head = parse_person(&mut *tx, &mut c, "head_person_id", &input.head_person_id, false).await?;
    c.finish()?;
    check_version(input.version.as_deref(), before.updated_at, "this department")?;
    let after = Department { name, head_person_id: head, head_name: None, updated_at: now, ..before.clone() };
    tx.update_department(&before, &after).await.map_err(|e| name_taken(e.into()))?;
    if after.head_person_id != before.head_person_id {
        crate::records::service::department_head_changed(&mut *tx, &id.to_string(), now).await?;
    }
    tx.audit(AuditRecord::new(actor, now, "department.update", "department", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

pub async fn create_area(store: &dyn Store, actor: &Actor, now: Timestamp, input: &AreaInput) -> CoreResult<Area> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let area = create_area_in(&mut *tx, actor, now, input).await?;
    tx.commit().await?;
    Ok(area)
}

async fn create_area_in(tx: &mut dyn Writer, actor: &Actor, now: Timestamp, input: &AreaInput) -> CoreResult<Area> {
    let mut c = Checks::new();
    let name = c.text("name", &input.name, 120);
    let description = c.optional_text("description", &input.description, 2000);
    c.finish()?;
    let a = Area { id: AreaId::new(), name, description, member_count: 0, created_at: now, updated_at: now };
    tx.insert_area(&a).await.map_err(|e| name_taken(e.into()))?;
    tx.audit(AuditRecord::new(actor, now, "area.create", "area", a.id, None::<&()>, Some(&a)));
    Ok(a)
}

pub async fn update_area(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: AreaId,
    input: &AreaInput,
) -> CoreResult<Area> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let before = tx.get_area(id).await?;
    let mut c = Checks::new();
    let name = c.text("name", &input.name, 120);
    let description = c.optional_text("description", &input.description, 2000);
    c.finish()?;
    check_version(input.version.as_deref(), before.updated_at, "this area")?;
    let after = Area { name, description, updated_at: now, ..before.clone() };
    tx.update_area(&before, &after).await.map_err(|e| name_taken(e.into()))?;
    tx.audit(AuditRecord::new(actor, now, "area.update", "area", id, Some(&before), Some(&after)));
    tx.commit().await?;
    Ok(after)
}

pub async fn add_area_member(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    area_id: AreaId,
    input: &AreaMemberInput,
) -> CoreResult<AreaMember> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let area = tx.get_area(area_id).await?;
    let mut c = Checks::new();
    let person_id = parse_person(&mut *tx, &mut c, "person_id", &input.person_id, true).await?;
    let specialty = c.optional_text("specialty", &input.specialty, 200);
    c.finish()?;
    let Some(person_id) = person_id else {
        return Err(CoreError::invalid("person_id", "is required"));
    };
    let person = tx.get_person(person_id).await?;
    if tx.list_area_members(area_id).await?.iter().any(|m| m.person_id == person_id) {
        return Err(CoreError::clash("person_id", "is already a member of this area"));
    }
    let m = AreaMember { area_id, person_id, person_name: person.name, person_email: person.email, specialty };
    tx.insert_area_member(&m).await?;
    tx.audit(AuditRecord::new(actor, now, "area.member.add", "area", area.id, None::<&()>, Some(&m)));
    tx.commit().await?;
    Ok(m)
}

pub async fn remove_area_member(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    area_id: AreaId,
    person_id: PersonId,
) -> CoreResult<()> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let members = tx.list_area_members(area_id).await?;
    let Some(m) = members.into_iter().find(|m| m.person_id == person_id) else {
        return Err(CoreError::NotFound);
    };
    tx.delete_area_member(area_id, person_id).await?;
    tx.audit(AuditRecord::new(actor, now, "area.member.remove", "area", area_id, Some(&m), None::<&()>));
    tx.commit().await?;
    Ok(())
}

/// Creates the default areas on an instance that has never had any, audited as the system.
/// Returns how many were created (none once areas exist or were ever recorded).
pub async fn ensure_default_areas(store: &dyn Store, now: Timestamp) -> CoreResult<usize> {
    let mut tx = store.write().await?;
    if tx.list_areas(&AREAS.first_page(1)).await?.total > 0 {
        return Ok(0);
    }
    let ever = crate::audit::AuditFilter { entity_type: Some("area".into()), ..Default::default() };
    if tx.list_audit(&ever, 1).await?.total > 0 {
        return Ok(0);
    }
    let actor = Actor::system("bulwark");
    for (name, description) in DEFAULT_AREAS {
        let input = AreaInput { name: name.into(), description: description.into(), version: None };
        create_area_in(&mut *tx, &actor, now, &input).await?;
    }
    tx.commit().await?;
    Ok(DEFAULT_AREAS.len())
}

/// The departments, for pickers and the department list.
pub async fn list_departments(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Department>> {
    actor.require(Permission::ViewDirectory)?;
    Ok(store.read().await?.list_departments(query).await?)
}

/// (id, name) of every department, for pickers and filters.
pub async fn department_names(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<(DepartmentId, String)>> {
    actor.require(Permission::ViewDirectory)?;
    Ok(store.read().await?.list_department_names().await?)
}

pub async fn get_department(store: &dyn Store, actor: &Actor, id: DepartmentId) -> CoreResult<Department> {
    actor.require(Permission::ViewDirectory)?;
    Ok(store.read().await?.get_department(id).await?)
}

pub async fn list_areas(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Area>> {
    actor.require(Permission::ViewDirectory)?;
    Ok(store.read().await?.list_areas(query).await?)
}

/// An area and its members.
/// The security team as everyone may see it (SPEC §2: every employee knows whom to ask):
/// each area with what it does and its members, by name, e-mail and specialty.
pub async fn security_team(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<(Area, Vec<AreaMember>)>> {
    if actor.account_id.is_none() && actor.person_id.is_none() {
        return Err(CoreError::Unauthenticated);
    }
    let mut r = store.read().await?;
    let areas = r.list_areas(&AREAS.first_page(100)).await?;
    let mut team = Vec::new();
    for area in areas.items {
        let members = r.list_area_members(area.id).await?;
        team.push((area, members));
    }
    Ok(team)
}

pub async fn get_area(store: &dyn Store, actor: &Actor, id: AreaId) -> CoreResult<(Area, Vec<AreaMember>)> {
    actor.require(Permission::ViewDirectory)?;
    let mut r = store.read().await?;
    let area = r.get_area(id).await?;
    let members = r.list_area_members(id).await?;
    Ok((area, members))
}

fn name_taken(e: CoreError) -> CoreError {
    match e {
        CoreError::Conflict(_) => CoreError::clash("name", "is already taken"),
        other => other,
    }
}
