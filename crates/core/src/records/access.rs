//! Who sees and edits a kit record: holders of the type's permissions see and edit every
//! record; a person in a record's scope (the head of its department, its owner) sees and
//! edits that record. `grant` decides once per operation and returns the `Grant` the
//! operation carries: a list filtered by scope in SQL, a single record checked against it.

use super::RecordType;
use crate::access::{Actor, Permission};
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;

/// A relation that gives a person a record without a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The head of the department named by this field.
    HeadOf(&'static str),
    /// The person named by this field.
    Owner(&'static str),
}

impl Scope {
    pub fn field(&self) -> &'static str {
        match self {
            Scope::HeadOf(f) | Scope::Owner(f) => f,
        }
    }

    /// Who is in scope, for pages: "the owner", "the head of the department".
    pub fn describe(&self, ty: &RecordType) -> String {
        let label = ty.field(self.field()).map(|f| f.label.to_lowercase()).unwrap_or_default();
        match self {
            Scope::HeadOf(_) => format!("the head of the {label}"),
            Scope::Owner(_) => format!("the {label}"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RecordAccess {
    /// Sees every record.
    pub view: Permission,
    /// Creates, edits and deletes every record.
    pub manage: Permission,
    /// Also sees (never creates or deletes) the records in their scope…
    pub scope: Option<Scope>,
    /// …and edits them (else they take only the steps marked `by_scope`).
    pub scope_edits: bool,
}

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    View,
    Edit,
    /// A workflow step: `true` when the people in scope take it.
    Step(bool),
    /// Create and delete: the permission, never a scope.
    Manage,
}

/// What the actor was granted: every record, or those in their scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    All,
    Scoped(Scope, PersonId),
}

/// The one decision for kit records.
pub fn grant(actor: &Actor, ty: &RecordType, need: Need) -> CoreResult<Grant> {
    let permission = match need {
        Need::View => ty.access.view,
        Need::Edit | Need::Step(_) | Need::Manage => ty.access.manage,
    };
    if actor.can(permission) {
        return Ok(Grant::All);
    }
    let by_scope = match need {
        Need::View => true,
        Need::Edit => ty.access.scope_edits,
        Need::Step(by_scope) => by_scope || ty.access.scope_edits,
        Need::Manage => false,
    };
    match (ty.access.scope, actor.person_id) {
        (Some(scope), Some(person)) if by_scope => Ok(Grant::Scoped(scope, person)),
        _ => Err(CoreError::Forbidden(format!("you may not {} {}s", verb(need), ty.singular))),
    }
}

fn verb(need: Need) -> &'static str {
    match need {
        Need::View => "see",
        Need::Edit | Need::Step(_) => "edit",
        Need::Manage => "add or delete",
    }
}
