//! Frameworks: OSCAL catalogs (ISO 27001's Annex A, NIST SP 800-53, the organisation's own
//! policy requirements, …) imported whole, with their groups and requirements (controls and
//! enhancements at any depth), and exported again as OSCAL. A catalog is known by its uuid:
//! importing it again replaces its content in the same framework, never a second one. An
//! import is one transaction: a catalog with any problem leaves nothing behind.

pub mod oscal;
pub mod policy_catalog;
pub mod statement;

use crate::audit::AuditRecord;
use crate::error::{CoreError, CoreResult};
use crate::ids::FrameworkId;
use crate::time_util::Timestamp;
use crate::{Actor, Permission, Store};
use oscal::{Catalog, ControlRow, GroupRow};
use serde::Serialize;
use serde_json::Value;

/// An imported catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Framework {
    pub id: FrameworkId,
    pub catalog_uuid: String,
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    pub control_count: i64,
    pub group_count: i64,
    /// Built by Bulwark from the published policies.
    pub built_in: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// Everything a framework holds, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkContent {
    pub framework: Framework,
    /// The catalog object without groups and controls.
    pub rest: Value,
    pub groups: Vec<GroupRow>,
    pub controls: Vec<ControlRow>,
}

impl FrameworkContent {
    /// The framework as an OSCAL catalog.
    pub fn to_oscal(&self) -> Value {
        oscal::rebuild(&self.rest, &self.groups, &self.controls)
    }

    pub fn control(&self, id: &str) -> Option<&ControlRow> {
        self.controls.iter().find(|c| c.control_id == id)
    }

    /// The requirement someone typed: its id ("sa-11"), or the label the pages show ("SA-11",
    /// "SEP.2"), case aside.
    pub fn requirement_named(&self, typed: &str) -> Option<&ControlRow> {
        let typed = typed.trim();
        self.control(typed).or_else(|| {
            self.controls.iter().find(|c| {
                c.control_id.eq_ignore_ascii_case(typed)
                    || c.label.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(typed))
            })
        })
    }

    /// The groups a requirement sits in, from the top (an enhancement: its control's).
    pub fn groups_of(&self, control: &ControlRow) -> Vec<&GroupRow> {
        let mut top = control;
        while let Some(parent) = top.parent_control.as_deref().and_then(|p| self.control(p)) {
            top = parent;
        }
        self.group_path(top.group_position)
    }

    /// The groups from the top down to the one at `position`.
    pub fn group_path(&self, position: Option<i64>) -> Vec<&GroupRow> {
        let mut path = Vec::new();
        let mut at = position;
        while let Some(p) = at {
            let Some(g) = self.groups.iter().find(|g| g.position == p) else { break };
            path.push(g);
            at = g.parent_position;
        }
        path.reverse();
        path
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported {
    pub framework: Framework,
    /// False when the catalog was known and its framework updated.
    pub created: bool,
}

/// Imports an OSCAL catalog (JSON text): a new framework, or the known one updated.
pub async fn import(store: &dyn Store, actor: &Actor, now: Timestamp, json: &[u8]) -> CoreResult<Imported> {
    actor.require(Permission::ManageCompliance)?;
    let catalog = oscal::read(json).map_err(|e| CoreError::invalid("file", &e.0))?;
    save(store, actor, now, catalog, false).await
}

/// Stores a read catalog in one transaction, replacing the content of a known one.
pub(crate) async fn save(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    catalog: Catalog,
    built_in: bool,
) -> CoreResult<Imported> {
    let mut tx = store.write().await?;
    let known = tx.find_framework_by_uuid(&catalog.uuid).await?;
    let framework = Framework {
        id: known.as_ref().map_or_else(FrameworkId::new, |k| k.id),
        catalog_uuid: catalog.uuid.clone(),
        title: catalog.title.clone(),
        version: catalog.version.clone(),
        oscal_version: catalog.oscal_version.clone(),
        control_count: catalog.controls.len() as i64,
        group_count: catalog.groups.len() as i64,
        built_in,
        created_at: known.as_ref().map_or(now, |k| k.created_at),
        updated_at: now,
    };
    let content = FrameworkContent {
        framework: framework.clone(),
        rest: catalog.rest,
        groups: catalog.groups,
        controls: catalog.controls,
    };
    tx.put_framework(&content, known.is_some()).await?;
    let action = if known.is_some() { "framework.update" } else { "framework.import" };
    tx.audit(AuditRecord::new(actor, now, action, "framework", framework.id, known.as_ref(), Some(&framework)));
    tx.commit().await?;
    Ok(Imported { framework, created: known.is_none() })
}

pub async fn list(store: &dyn Store, actor: &Actor) -> CoreResult<Vec<Framework>> {
    actor.require(Permission::ViewCompliance)?;
    Ok(store.read().await?.list_frameworks().await?)
}

/// A framework with its groups and requirements.
pub async fn get(store: &dyn Store, actor: &Actor, id: FrameworkId) -> CoreResult<FrameworkContent> {
    actor.require(Permission::ViewCompliance)?;
    store.read().await?.framework_content(id).await?.ok_or(CoreError::NotFound)
}

/// A framework as an OSCAL catalog.
pub async fn export(store: &dyn Store, actor: &Actor, id: FrameworkId) -> CoreResult<Value> {
    Ok(get(store, actor, id).await?.to_oscal())
}
