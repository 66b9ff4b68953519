//! SCIM 2.0 provisioning (RFC 7643 / RFC 7644): an identity provider creates, updates and
//! deactivates people (Users) and departments (Groups) through `/scim/v2`.
//!
//! The web crate speaks HTTP; this module decides. Every write is one transaction with its
//! audit entries, made by an actor that only a SCIM token yields (`Via::Scim`), which can do
//! nothing but provision. PUT and PATCH share one path: the request is turned into the whole
//! resource as JSON (PUT: the body over the current resource; PATCH: the operations applied
//! to it, `patch.rs`) and that resource is then stored (`users.rs`, `groups.rs`).
//!
//! Deactivation (`active: false`) and DELETE start the person's offboarding; nothing is
//! deleted. A deleted User is only marked, so that the provider sees it gone (404).

pub mod discovery;
pub mod groups;
pub mod listing;
pub mod patch;
pub mod tokens;
pub mod users;

use crate::error::CoreError;
use crate::ids::{DepartmentId, PersonId, TokenId};
use crate::organisation::departments::Department;
use crate::organisation::people::Person;
use crate::time_util::Timestamp;
use crate::{Actor, Store};
use serde_json::{Value, json};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The most resources one list response holds (advertised as `filter.maxResults`).
pub const MAX_RESULTS: i64 = 1000;
/// The most operations one PATCH request may carry.
pub const MAX_OPERATIONS: usize = 1000;

/// A SCIM error (RFC 7644 §3.12): an HTTP status and, for 400s, a `scimType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: u16, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self { status, scim_type, detail: detail.into() }
    }

    /// 400 with a `scimType` (`invalidValue`, `invalidSyntax`, `invalidFilter`, …).
    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(400, Some(scim_type), detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(404, None, format!("{what} not found"))
    }

    /// The body of the error response.
    pub fn body(&self) -> Value {
        let mut body = json!({"schemas": [ERROR_SCHEMA], "status": self.status.to_string(), "detail": self.detail});
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        body
    }
}

impl From<CoreError> for ScimError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Unauthenticated => ScimError::new(401, None, "a SCIM token is required"),
            CoreError::Forbidden(what) => ScimError::new(403, None, what),
            CoreError::NotFound => ScimError::new(404, None, "resource not found"),
            CoreError::Invalid(fields) => {
                let detail = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>();
                if fields.iter().all(|f| f.conflict) {
                    ScimError::new(409, Some("uniqueness"), detail.join("; "))
                } else {
                    ScimError::bad("invalidValue", detail.join("; "))
                }
            }
            CoreError::Conflict(what) => ScimError::new(409, None, what),
            CoreError::Stale(_) => {
                ScimError::new(412, None, "the resource changed since the version given in If-Match")
            }
            CoreError::Store(e) => {
                tracing::error!(error = %e, "SCIM request failed in the store");
                ScimError::new(500, None, "internal error")
            }
            CoreError::Internal(e) => {
                tracing::error!(error = %e, "SCIM request failed");
                ScimError::new(500, None, "internal error")
            }
        }
    }
}

impl From<crate::StoreError> for ScimError {
    fn from(e: crate::StoreError) -> Self {
        CoreError::from(e).into()
    }
}

pub type ScimResult<T> = Result<T, ScimError>;

/// One SCIM request's surroundings: the store, who is asking, when, and the URL that
/// `/scim/v2` is served at (for `meta.location` and `$ref`).
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub store: &'a dyn Store,
    pub actor: &'a Actor,
    pub now: Timestamp,
    pub base_url: &'a str,
}

impl Ctx<'_> {
    /// Only a SCIM token's actor provisions.
    fn require(&self) -> ScimResult<()> {
        self.actor.require(crate::Permission::ProvisionIdentities).map_err(ScimError::from)
    }

    fn location(&self, endpoint: &str, id: impl std::fmt::Display) -> String {
        format!("{}/{endpoint}/{id}", self.base_url.trim_end_matches('/'))
    }
}

/// What the identity provider says of a person beyond the directory's own fields.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScimProfile {
    pub person_id: PersonId,
    pub user_name: String,
    pub external_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub manager_id: Option<PersonId>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<Timestamp>,
}

/// A person as the SCIM server reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct ScimPerson {
    pub person: Person,
    /// None until the provider has written to this person.
    pub profile: Option<ScimProfile>,
    pub manager_name: Option<String>,
}

impl ScimPerson {
    pub fn user_name(&self) -> &str {
        self.profile.as_ref().map_or(&self.person.email, |p| &p.user_name)
    }

    pub fn is_deleted(&self) -> bool {
        self.profile.as_ref().is_some_and(|p| p.deleted_at.is_some())
    }
}

/// A department as the SCIM server reads it (members are read separately).
#[derive(Debug, Clone, PartialEq)]
pub struct ScimDepartment {
    pub department: Department,
    pub external_id: Option<String>,
    pub deleted_at: Option<Timestamp>,
}

/// A group member: a person's id and name.
pub type Member = (PersonId, String);

/// A SCIM bearer token (its secret is shown once and stored as a SHA-256 hash).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScimToken {
    pub id: TokenId,
    pub name: String,
    pub prefix: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<Timestamp>,
}

/// The weak ETag of a version (`updated_at` in microseconds).
pub fn etag(updated_at: Timestamp) -> String {
    format!("W/\"{}\"", crate::version::version_of(updated_at))
}

/// Refuses a write whose `If-Match` names another version (`*` matches any).
pub fn check_if_match(if_match: Option<&str>, current: &str) -> ScimResult<()> {
    match if_match.map(str::trim) {
        None | Some("*") => Ok(()),
        Some(given) if given.split(',').any(|g| g.trim() == current) => Ok(()),
        Some(_) => Err(ScimError::new(412, None, "the resource changed since the version given in If-Match")),
    }
}

fn meta(resource_type: &str, created: Timestamp, updated: Timestamp, location: String) -> Value {
    json!({
        "resourceType": resource_type,
        "created": crate::time_util::rfc3339(created),
        "lastModified": crate::time_util::rfc3339(updated),
        "location": location,
        "version": etag(updated),
    })
}

/// Adds a department the provider named (a group, or a User's enterprise `department`).
async fn new_department(tx: &mut dyn crate::store::Writer, ctx: &Ctx<'_>, name: &str) -> ScimResult<DepartmentId> {
    let d = Department {
        id: DepartmentId::new(),
        name: name.to_string(),
        head_person_id: None,
        head_name: None,
        people_count: 0,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    tx.insert_department(&d).await?;
    let record = crate::audit::AuditRecord::new(
        ctx.actor,
        ctx.now,
        "department.create",
        "department",
        d.id,
        None::<&()>,
        Some(&d),
    );
    tx.audit(record);
    Ok(d.id)
}

/// The department id a SCIM group id names, or 404.
fn department_id(id: &str) -> ScimResult<DepartmentId> {
    id.parse().map_err(|_| ScimError::not_found("group"))
}

/// The person id a SCIM user id names, or 404.
fn person_id(id: &str) -> ScimResult<PersonId> {
    id.parse().map_err(|_| ScimError::not_found("user"))
}

/// A string attribute of a resource, trimmed, or None when absent, null or blank.
fn string_of(v: Option<&Value>, attribute: &str) -> ScimResult<Option<String>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(ScimError::bad("invalidValue", format!("{attribute} must be a string"))),
    }
}

/// A string no longer than `max` characters and on one line.
fn checked_line(value: Option<String>, attribute: &str, max: usize) -> ScimResult<Option<String>> {
    if let Some(v) = &value {
        if v.chars().count() > max {
            return Err(ScimError::bad("invalidValue", format!("{attribute} is longer than {max} characters")));
        }
        if v.chars().any(char::is_control) {
            return Err(ScimError::bad("invalidValue", format!("{attribute} must not contain control characters")));
        }
    }
    Ok(value)
}

/// `schemas` must be present and name the resource's schema.
fn check_schemas(body: &Value, required: &str) -> ScimResult<()> {
    let Some(list) = crate::identity::scim_filter::field(body, "schemas").and_then(Value::as_array) else {
        return Err(ScimError::bad("invalidValue", "schemas is required"));
    };
    if !list.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(required))) {
        return Err(ScimError::bad("invalidValue", format!("schemas must include {required}")));
    }
    Ok(())
}
