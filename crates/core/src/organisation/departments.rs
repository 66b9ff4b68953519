//! Departments, each with a head (the security team's areas are in `organisation::areas`).

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::{DepartmentId, PersonId};
use crate::list::{KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::store::{Store, Writer};
use crate::time_util::{Timestamp, rfc3339};
use crate::validate::Checks;
use crate::version::check_version;
use serde::{Deserialize, Serialize};

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

fn name_taken(e: CoreError) -> CoreError {
    match e {
        CoreError::Conflict(_) => CoreError::clash("name", "is already taken"),
        other => other,
    }
}
