//! People: employees, contractors and students, and the services that create and edit them.

use crate::access::Actor;
use crate::audit::AuditRecord;
use crate::error::CoreResult;
use crate::ids::{DepartmentId, PersonId};
use crate::page::{PageRequest, Paged, SortDir};
use crate::store::Store;
use crate::time_util::Timestamp;
use crate::validate::Checks;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($name:ident { $($variant:ident = $text:literal / $label:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
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
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Matches name or e-mail, case-insensitively.
    pub q: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub kind: Option<PersonKind>,
    pub status: Option<PersonStatus>,
    pub sort: PeopleSort,
    pub dir: SortDir,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PeopleSort {
    #[default]
    Name,
    Email,
    Department,
    Status,
    Created,
}

impl PeopleSort {
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("email") => Self::Email,
            Some("department") => Self::Department,
            Some("status") => Self::Status,
            Some("created") => Self::Created,
            _ => Self::Name,
        }
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
    store: &dyn Store,
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
            Ok(id) if store.find_department(id).await?.is_some() => Some(id),
            _ => {
                c.fail("department_id", "must be an existing department");
                None
            }
        },
    };
    if c.is_valid_so_far("email")
        && let Some(other) = store.find_person_by_email(&email).await?
        && Some(other.id) != editing
    {
        c.fail("email", "another person already has this e-mail address");
    }
    c.finish()?;
    Ok(ValidPerson { name, email, kind, department_id, status })
}

pub async fn create(store: &dyn Store, actor: &Actor, now: Timestamp, input: &PersonInput) -> CoreResult<Person> {
    let v = validate(store, input, PersonStatus::Active, None).await?;
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
    let audit = AuditRecord::new(actor, now, "person.create", "person", person.id, None::<&()>, Some(&person));
    store.insert_person(&person, audit).await?;
    Ok(person)
}

pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: PersonId,
    input: &PersonInput,
) -> CoreResult<Person> {
    let before = store.get_person(id).await?;
    let v = validate(store, input, before.status, Some(id)).await?;
    let after = v.apply(Person { updated_at: now, ..before.clone() });
    let audit = AuditRecord::new(actor, now, "person.update", "person", id, Some(&before), Some(&after));
    store.update_person(&before, &after, audit).await?;
    Ok(after)
}

pub async fn list(store: &dyn Store, filter: &PeopleFilter, page: PageRequest) -> CoreResult<Paged<Person>> {
    Ok(store.list_people(filter, page).await?)
}
