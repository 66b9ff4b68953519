//! People: employees, contractors and students, and the services that create and edit them.

use crate::access::{Actor, Permission};
use crate::audit::AuditRecord;
use crate::error::CoreResult;
use crate::ids::{DepartmentId, PersonId};
use crate::list::{FilterKind, FilterSpec, KeyType, ListPage, ListQuery, ListSpec, SortSpec};
use crate::store::{Store, Writer};
use crate::time_util::Timestamp;
use crate::validate::Checks;
use crate::version::check_version;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($name:ident { $($variant:ident = $text:literal / $label:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// (value, label) of each: a record kit `Choice`.
            pub const PAIRS: &'static [(&'static str, &'static str)] = &[$(($text, $label)),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),* } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),* } }
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|v| v.as_str() == s) }
            /// The accepted values, for error messages.
            pub fn choices() -> String { Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ") }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use string_enum;

string_enum!(PersonKind { Employee = "employee" / "Employee", Contractor = "contractor" / "Contractor", Student = "student" / "Student" });
string_enum!(PersonStatus {
    Onboarding = "onboarding" / "Onboarding",
    Active = "active" / "Active",
    Offboarding = "offboarding" / "Offboarding",
    Left = "left" / "Left",
});

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub email: String,
    pub kind: PersonKind,
    pub department_id: Option<DepartmentId>,
    /// Filled in on reads, for display; not part of the record itself.
    #[serde(skip)]
    pub department_name: Option<String>,
    pub status: PersonStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

/// What a form or an API request says about a person, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub department_id: String,
    #[serde(default)]
    pub status: String,
    /// The version the edit was based on (`Versioned::version`); a stale edit is refused.
    #[serde(default)]
    pub version: Option<String>,
}

/// A field naming a person by e-mail address or id (asset owners, key owners, …); a clash
/// when nobody in the directory has it.
pub(crate) async fn person_field(
    tx: &mut dyn Writer,
    c: &mut Checks,
    field: &str,
    raw: &str,
) -> CoreResult<Option<PersonId>> {
    crate::pick::person(tx, c, field, raw).await
}

/// The people list: what it filters, sorts, searches and exports.
pub const LIST: ListSpec = ListSpec {
    filters: &[
        FilterSpec { name: "department_id", label: "department", kind: FilterKind::Id },
        FilterSpec { name: "kind", label: "kind", kind: FilterKind::Choice(&["employee", "contractor", "student"]) },
        FilterSpec {
            name: "status",
            label: "status",
            kind: FilterKind::Choice(&["onboarding", "active", "offboarding", "left"]),
        },
    ],
    sorts: &[
        SortSpec { name: "name", label: "Name", key: KeyType::Text },
        SortSpec { name: "email", label: "E-mail", key: KeyType::Text },
        SortSpec { name: "department", label: "Department", key: KeyType::Text },
        SortSpec { name: "status", label: "Status", key: KeyType::Text },
        SortSpec { name: "created", label: "Newest", key: KeyType::Int },
    ],
    searchable: true,
    columns: &["id", "name", "email", "kind", "department", "status", "created_at"],
};

/// What a person is found by: name and e-mail, lower-cased (Unicode-aware) for search.
pub fn search_text(name: &str, email: &str) -> String {
    format!("{name} {email}").to_lowercase()
}

impl Person {
    /// The export row, in `LIST.columns` order.
    pub fn export_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.email.clone(),
            self.kind.as_str().into(),
            self.department_name.clone().unwrap_or_default(),
            self.status.as_str().into(),
            crate::time_util::rfc3339(self.created_at),
        ]
    }
}

struct ValidPerson {
    name: String,
    email: String,
    kind: PersonKind,
    department_id: Option<DepartmentId>,
    status: PersonStatus,
}

impl ValidPerson {
    fn apply(self, p: Person) -> Person {
        Person {
            name: self.name,
            email: self.email,
            kind: self.kind,
            department_id: self.department_id,
            department_name: None,
            status: self.status,
            ..p
        }
    }
}

/// Checks every field; `editing` is the person being edited, whose own e-mail is no clash.
async fn validate(
    tx: &mut dyn Writer,
    input: &PersonInput,
    default_status: PersonStatus,
    editing: Option<PersonId>,
) -> CoreResult<ValidPerson> {
    let mut c = Checks::new();
    let name = c.text("name", &input.name, 200);
    let email = c.email("email", &input.email);
    let kind = match input.kind.trim() {
        "" => PersonKind::Employee,
        k => PersonKind::parse(k).unwrap_or_else(|| {
            c.fail("kind", &format!("must be one of {}", PersonKind::choices()));
            PersonKind::Employee
        }),
    };
    let status = match input.status.trim() {
        "" => default_status,
        s => PersonStatus::parse(s).unwrap_or_else(|| {
            c.fail("status", &format!("must be one of {}", PersonStatus::choices()));
            default_status
        }),
    };
    let department_id = match input.department_id.trim() {
        "" => None,
        d => match d.parse::<DepartmentId>() {
            Ok(id) if tx.find_department(id).await?.is_some() => Some(id),
            Ok(_) => {
                c.clash("department_id", "must be an existing department");
                None
            }
            Err(_) => {
                c.fail("department_id", "must be a department id");
                None
            }
        },
    };
    if c.is_valid_so_far("email")
        && let Some(other) = tx.find_person_by_email(&email).await?
        && Some(other.id) != editing
    {
        c.clash("email", "another person already has this e-mail address");
    }
    c.finish()?;
    Ok(ValidPerson { name, email, kind, department_id, status })
}

pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp, input: &PersonInput) -> CoreResult<Person> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let person = create_in(&mut *tx, actor, now, input).await?;
    tx.commit().await?;
    Ok(person)
}

/// Creates a person inside the caller's transaction.
pub(crate) async fn create_in(
    tx: &mut dyn Writer,
    actor: &Actor,
    now: Timestamp,
    input: &PersonInput,
) -> CoreResult<Person> {
    let v = validate(tx, input, PersonStatus::Active, None).await?;
    let person = v.apply(Person {
        id: PersonId::new(),
        name: String::new(),
        email: String::new(),
        kind: PersonKind::Employee,
        department_id: None,
        department_name: None,
        status: PersonStatus::Active,
        created_at: now,
        updated_at: now,
    });
    tx.insert_person(&person).await?;
    tx.audit(AuditRecord::new(actor, now, "person.create", "person", person.id, None::<&()>, Some(&person)));
    // A joiner is enrolled in the open campaigns meant for them.
    crate::policies::campaigns::enroll_new_person(tx, &person, now).await?;
    Ok(person)
}

pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: PersonId,
    input: &PersonInput,
) -> CoreResult<Person> {
    actor.require(Permission::ManageDirectory)?;
    let mut tx = store.write().await?;
    let before = tx.get_person(id).await?;
    // Bad fields are reported first; a valid edit based on an old version is refused.
    let v = validate(&mut *tx, input, before.status, Some(id)).await?;
    check_version(input.version.as_deref(), before.updated_at, "this person")?;
    let after = v.apply(Person { updated_at: now, ..before.clone() });
    if after.email != before.email {
        crate::identity::accounts::check_sign_in_email_change(&mut *tx, actor, id).await?;
    }
    tx.update_person(&before, &after).await?;
    tx.audit(AuditRecord::new(actor, now, "person.update", "person", id, Some(&before), Some(&after)));
    if after.status == PersonStatus::Left && before.status != PersonStatus::Left {
        crate::identity::accounts::end_access_in(&mut *tx, actor, now, id).await?;
    }
    tx.commit().await?;
    Ok(after)
}

pub async fn list(store: &dyn Store, actor: &Actor, query: &ListQuery) -> CoreResult<ListPage<Person>> {
    actor.require(Permission::ViewDirectory)?;
    Ok(store.read().await?.list_people(query).await?)
}

/// One page of people and the department names its filter offers, read on one connection.
pub async fn list_with_departments(
    store: &dyn Store,
    actor: &Actor,
    query: Option<&ListQuery>,
) -> CoreResult<(ListPage<Person>, Vec<(crate::ids::DepartmentId, String)>)> {
    actor.require(Permission::ViewDirectory)?;
    let mut r = store.read().await?;
    let page = match query {
        Some(q) => r.list_people(q).await?,
        None => ListPage { items: vec![], total: 0, next: None },
    };
    Ok((page, r.list_department_names().await?))
}

/// A person and their login account, if any.
pub async fn get_with_account(
    store: &dyn Store,
    actor: &Actor,
    id: PersonId,
) -> CoreResult<(Person, Option<crate::identity::accounts::Account>)> {
    actor.require(Permission::ViewDirectory)?;
    let mut r = store.read().await?;
    let person = r.get_person(id).await?;
    let account = r.find_account_for_person(id).await?;
    Ok((person, account))
}

pub async fn get(store: &dyn Store, actor: &Actor, id: PersonId) -> CoreResult<Person> {
    actor.require(Permission::ViewDirectory)?;
    Ok(store.read().await?.get_person(id).await?)
}
