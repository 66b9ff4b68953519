//! The JSON shapes of the API, with their OpenAPI schemas. Domain types stay free of
//! schema derives; these views are built from them.

use bulwark_core::audit::AuditEntry;
use bulwark_core::identity::accounts::{Account, ApiToken};
use bulwark_core::organisation::departments::Department;
use bulwark_core::organisation::people::Person;
use bulwark_core::page::PageRequest;
use bulwark_core::time_util::rfc3339;
use bulwark_core::version::version_of;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

// Field patterns say what core's validation accepts: text has no control character and some
// non-space character (`Checks::text`); e-mail follows `validate::is_email`; free text
// (descriptions) has no control character but line breaks and tabs.

/// employee, contractor or student
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum PersonKindName {
    Employee,
    Contractor,
    Student,
}

/// onboarding, active, offboarding or left
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum PersonStatusName {
    Onboarding,
    Active,
    Offboarding,
    Left,
}

/// A role; roles are additive.
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum RoleName {
    Admin,
    Security,
    Management,
    Auditor,
    DepartmentHead,
    Employee,
}

/// active or disabled
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum AccountStatusName {
    Active,
    Disabled,
}

/// One page of a list. Every list answers in this shape.
#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Number of items matching the filter, on all pages.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl<T: ToSchema> Page<T> {
    /// One page of a short list that is read whole (departments, areas, members, tokens).
    pub fn from_all<U>(all: Vec<U>, params: &PageParams, f: impl FnMut(U) -> T) -> Result<Self, ApiError> {
        let req = PageRequest::checked(params.page, params.per_page)?;
        let total = all.len() as u64;
        let items = all.into_iter().skip(req.offset() as usize).take(req.limit() as usize).map(f).collect();
        Ok(Self { items, total, page: req.page, per_page: req.per_page })
    }
}

/// One page of a long list, read by keyset: follow `next` (also sent as a `Link` header with
/// `rel="next"`) for the following page; it is absent on the last page.
#[derive(Serialize, ToSchema)]
pub struct CursorPage<T: ToSchema> {
    pub items: Vec<T>,
    /// Number of items matching the filter, on all pages.
    pub total: u64,
    /// The URL of the next page.
    pub next: Option<String>,
}

impl<T: ToSchema + Serialize> CursorPage<T> {
    /// The JSON page with its `Link` header; `base_query` is the request's query without `after`.
    pub fn respond<U>(
        page: bulwark_core::list::ListPage<U>,
        f: impl FnMut(U) -> T,
        path: &str,
        base_query: &str,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        let next = page.next.map(|c| super::cursor_url(path, base_query, &c));
        let link = next.as_ref().map(|n| format!("<{n}>; rel=\"next\""));
        let body = Self { items: page.items.into_iter().map(f).collect(), total: page.total, next };
        match link {
            Some(link) => ([(axum::http::header::LINK, link)], axum::Json(body)).into_response(),
            None => axum::Json(body).into_response(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page (default 50, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    pub name: String,
    pub email: String,
    /// employee, contractor or student
    pub kind: String,
    pub department_id: Option<String>,
    pub department_name: Option<String>,
    /// onboarding, active, offboarding or left
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    /// Send it back as `If-Match` (or `version`) when editing, so a concurrent edit is not
    /// overwritten.
    pub version: String,
}

impl From<Person> for PersonView {
    fn from(p: Person) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            email: p.email,
            kind: p.kind.as_str().into(),
            department_id: p.department_id.map(|d| d.to_string()),
            department_name: p.department_name,
            status: p.status.as_str().into(),
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
            version: version_of(p.updated_at),
        }
    }
}

/// A person as sent by a client. Unknown values are reported per field.
#[derive(Deserialize, ToSchema)]
pub struct PersonBody {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    #[schema(
        max_length = 254,
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s.\x00-\x1f\x7f-\x9f]+(\.[^@\s.\x00-\x1f\x7f-\x9f]+)+$"
    )]
    pub email: String,
    /// employee (default), contractor or student
    #[serde(default)]
    #[schema(value_type = Option<PersonKindName>)]
    pub kind: Option<String>,
    /// An existing department (409 if there is none with this id).
    #[serde(default)]
    #[schema(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub department_id: Option<String>,
    /// onboarding, active (default), offboarding or left
    #[serde(default)]
    #[schema(value_type = Option<PersonStatusName>)]
    pub status: Option<String>,
    /// The version the edit is based on (from a read); a stale edit answers 409.
    #[serde(default)]
    pub version: Option<String>,
}

impl TryFrom<PersonBody> for bulwark_core::organisation::people::PersonInput {
    type Error = ApiError;
    /// `kind`, `status` and `department_id` may be absent or null (no department), but not
    /// empty: the schema gives their values and format.
    fn try_from(b: PersonBody) -> Result<Self, ApiError> {
        super::given_not_empty(&[("kind", &b.kind), ("status", &b.status), ("department_id", &b.department_id)])?;
        Ok(Self {
            name: b.name,
            email: b.email,
            kind: b.kind.unwrap_or_default(),
            department_id: b.department_id.unwrap_or_default(),
            status: b.status.unwrap_or_default(),
            version: b.version,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: String,
    pub name: String,
    pub head_person_id: Option<String>,
    pub head_name: Option<String>,
    pub people_count: i64,
    pub version: String,
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        Self {
            id: d.id.to_string(),
            name: d.name,
            head_person_id: d.head_person_id.map(|h| h.to_string()),
            head_name: d.head_name,
            people_count: d.people_count,
            version: version_of(d.updated_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct DepartmentBody {
    #[schema(max_length = 120, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    /// An existing person (409 if there is none with this id).
    #[serde(default)]
    #[schema(format = Uuid, pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    pub head_person_id: Option<String>,
    /// The version the edit is based on; a stale edit answers 409.
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountView {
    pub id: String,
    pub person_id: String,
    pub email: String,
    pub name: String,
    /// admin, security, management, auditor, department-head, employee
    pub roles: Vec<String>,
    /// active or disabled
    pub status: String,
    pub has_password: bool,
    pub last_login_at: Option<String>,
    pub created_at: String,
    pub version: String,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        Self {
            id: a.id.to_string(),
            person_id: a.person_id.to_string(),
            email: a.email,
            name: a.name,
            roles: a.roles.iter().map(|r| r.as_str().to_string()).collect(),
            status: a.status.as_str().into(),
            has_password: a.has_password,
            last_login_at: a.last_login_at.map(rfc3339),
            created_at: rfc3339(a.created_at),
            version: version_of(a.updated_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewAccountBody {
    /// The person's e-mail address; an existing person with it gets the account.
    #[schema(
        max_length = 254,
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s.\x00-\x1f\x7f-\x9f]+(\.[^@\s.\x00-\x1f\x7f-\x9f]+)+$"
    )]
    pub email: String,
    /// The name of a person created for the account (an existing person keeps theirs).
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    #[schema(value_type = Vec<RoleName>, min_items = 1)]
    pub roles: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NewAccountView {
    pub account: AccountView,
    /// One-time link where the person sets their password.
    pub set_password_url: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct AccountUpdateBody {
    #[schema(value_type = Vec<RoleName>, min_items = 1)]
    pub roles: Vec<String>,
    /// active or disabled (unchanged if absent)
    #[serde(default)]
    #[schema(value_type = Option<AccountStatusName>)]
    pub status: Option<String>,
    /// The version the edit is based on; a stale edit answers 409.
    #[serde(default)]
    pub version: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordResetView {
    pub set_password_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<ApiToken> for TokenView {
    fn from(t: ApiToken) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name,
            prefix: t.prefix,
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewTokenBody {
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name: String,
    /// Days until the token expires (1 to 3650); absent for no expiry.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650)]
    pub expires_days: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct NewTokenView {
    /// The secret token. It is shown this once and stored only as a hash.
    pub token: String,
    pub details: TokenView,
}

/// An account's second factor.
#[derive(Serialize, ToSchema)]
pub struct MfaStatusView {
    /// Whether an authenticator app is set up.
    pub enabled: bool,
    pub enabled_at: Option<String>,
    /// Unused recovery codes left.
    pub recovery_codes_left: u64,
    /// Whether the account's roles require a second factor (the instance's setting).
    pub required: bool,
}

impl From<bulwark_core::identity::mfa::MfaStatus> for MfaStatusView {
    fn from(s: bulwark_core::identity::mfa::MfaStatus) -> Self {
        Self {
            enabled: s.enabled,
            enabled_at: s.enabled_at.map(bulwark_core::time_util::rfc3339),
            recovery_codes_left: s.recovery_codes_left,
            required: s.required,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub account_id: Option<String>,
    pub person_id: Option<String>,
    pub email: String,
    pub roles: Vec<String>,
    /// session or token
    pub authenticated_via: String,
    /// For a session: the token to send as `X-CSRF-Token` with every write.
    pub csrf_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The state before the change, as JSON (null for a creation).
    pub before: serde_json::Value,
    /// The state after the change, as JSON (null for a deletion).
    pub after: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            seq: e.seq,
            at: rfc3339(e.at),
            actor_id: e.actor_id,
            actor: e.actor_label,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            before: serde_json::from_str(&e.before).unwrap_or(serde_json::Value::Null),
            after: serde_json::from_str(&e.after).unwrap_or(serde_json::Value::Null),
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}
