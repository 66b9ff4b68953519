//! The record kit: a record type is described once — its fields with their kinds, labels,
//! validation, relations, and which are listed, filtered, sorted and searched; who sees and
//! edits it; its workflow steps and rules — and everything that is only plumbing is derived
//! from that description: validation of form and API input (`input`), access by permission
//! or scope (`access`), the list spec, create/update/delete with the version guard and the
//! audit entry in the same transaction (`service`), the store's row codec and SQL (the store
//! crate's `records`), and the web crate's pages, API, OpenAPI schemas and exports.
//!
//! A description is a `static RecordType` in the module of its capability, registered in
//! `registry::ALL`. Only behaviour is written by hand: a rule linking fields (`rules`), a
//! workflow step (`Action`), an effect of saving (`after_save`, e.g. planning a task).

pub mod access;
pub mod input;
pub mod registry;
pub mod service;

use crate::access::Permission;
use crate::error::CoreResult;
use crate::list::{FilterKind, FilterSpec, KeyType, ListSpec, SortSpec};
use crate::store::Writer;
use crate::time_util::Timestamp;
use crate::validate::Checks;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock};

pub use access::{Grant, Scope};

/// Another table a field points at: a record of the kit or a built-in one.
#[derive(Debug)]
pub struct Target {
    /// The kind of record, as audit entries and tasks name it.
    pub kind: &'static str,
    pub table: &'static str,
    /// The column a person types to name one ("name", "title").
    pub name_column: &'static str,
    /// Where one is shown: this prefix and its id.
    pub link: &'static str,
    /// What one is called in messages ("asset").
    pub what: &'static str,
    /// Who sees its records: their names are suggested and linked only for them.
    pub view: Permission,
}

pub const DEPARTMENT: Target = Target {
    kind: "department",
    table: "departments",
    name_column: "name",
    link: "/people?department_id=",
    what: "department",
    view: Permission::ViewDirectory,
};
pub const ASSET: Target = Target {
    kind: "asset",
    table: "assets",
    name_column: "name",
    link: "/assets/",
    what: "asset",
    view: Permission::ViewAssets,
};
pub const RISK: Target = Target {
    kind: "risk",
    table: "risks",
    name_column: "title",
    link: "/risks/",
    what: "risk",
    view: Permission::ViewRisks,
};
pub const CONTROL: Target = Target {
    kind: "control",
    table: "controls",
    name_column: "title",
    link: "/controls/",
    what: "control",
    view: Permission::ViewCompliance,
};

/// The choices of a yes-or-no field.
pub const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

/// What a field holds and how it is typed in.
#[derive(Debug, Clone, Copy)]
pub enum FieldKind {
    /// One line of at most `max` characters.
    Line {
        max: usize,
    },
    /// Free text with line breaks.
    Text {
        max: usize,
    },
    /// One of these (value, label) pairs.
    Choice(&'static [(&'static str, &'static str)]),
    Date,
    Number {
        min: i64,
        max: i64,
    },
    /// A person of the directory, typed by e-mail or name.
    Person,
    /// One record of `Target`, typed by name or id.
    Ref(&'static Target),
    /// Any number of records of `Target` (kept in `record_links`).
    Links(&'static Target),
    /// How many rows of `table` name this record in `column` (an area's members), counted
    /// when read: never typed in or stored, listed and sorted like a number.
    Count {
        table: &'static str,
        column: &'static str,
    },
}

/// One field of a record type. Built with the `const` methods below.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// A column of the list page.
    pub listed: bool,
    pub filtered: bool,
    pub sorted: bool,
    pub searched: bool,
    /// Set by the type's code (`RecordType::derive`, a workflow step), never typed in: shown,
    /// stored, and listed, filtered or sorted like any other.
    pub derived: bool,
    /// The value of a new record (a choice's value).
    pub default: &'static str,
    /// A choice's values that only a workflow step sets (a key's "revoked"): never typed in.
    pub reserved: &'static [&'static str],
    /// Another record holding the same value (within the same parent, for a part) is refused
    /// with this message; a unique index backs it.
    pub unique: Option<&'static str>,
}

impl Field {
    pub const fn new(name: &'static str, label: &'static str, kind: FieldKind) -> Self {
        Self {
            name,
            label,
            hint: "",
            kind,
            required: false,
            listed: false,
            filtered: false,
            sorted: false,
            searched: false,
            derived: false,
            default: "",
            reserved: &[],
            unique: None,
        }
    }
    pub const fn line(name: &'static str, label: &'static str, max: usize) -> Self {
        Self::new(name, label, FieldKind::Line { max })
    }
    pub const fn text(name: &'static str, label: &'static str, max: usize) -> Self {
        Self::new(name, label, FieldKind::Text { max })
    }
    /// How many records of `part` name this one in its `field` (see `FieldKind::Count`).
    pub const fn count(name: &'static str, label: &'static str, (table, column): (&'static str, &'static str)) -> Self {
        Self { derived: true, ..Self::new(name, label, FieldKind::Count { table, column }) }
    }
    pub const fn required(self) -> Self {
        Self { required: true, ..self }
    }
    pub const fn listed(self) -> Self {
        Self { listed: true, ..self }
    }
    pub const fn filtered(self) -> Self {
        Self { filtered: true, ..self }
    }
    pub const fn sorted(self) -> Self {
        Self { sorted: true, ..self }
    }
    pub const fn searched(self) -> Self {
        Self { searched: true, ..self }
    }
    pub const fn hint(self, hint: &'static str) -> Self {
        Self { hint, ..self }
    }
    pub const fn derived(self) -> Self {
        Self { derived: true, ..self }
    }
    pub const fn default(self, default: &'static str) -> Self {
        Self { default, ..self }
    }
    pub const fn reserved(self, reserved: &'static [&'static str]) -> Self {
        Self { reserved, ..self }
    }
    pub const fn unique(self, message: &'static str) -> Self {
        Self { unique: Some(message), ..self }
    }

    /// The choices a person may type: a choice's options but those only steps set.
    pub fn typed_options(&self) -> impl Iterator<Item = &'static (&'static str, &'static str)> + '_ {
        let options: &'static [(&'static str, &'static str)] = match self.kind {
            FieldKind::Choice(options) => options,
            _ => &[],
        };
        options.iter().filter(|(v, _)| !self.reserved.contains(v))
    }

    /// Whether the field is a column of its table (links live in `record_links`, counts are
    /// counted).
    pub fn stored(&self) -> bool {
        !matches!(self.kind, FieldKind::Links(_) | FieldKind::Count { .. })
    }

    /// Whether the field is a column of lists and exports (every one but links).
    pub fn in_rows(&self) -> bool {
        !matches!(self.kind, FieldKind::Links(_))
    }
}

/// The store's effects of saving a record, run in the saving transaction.
pub type AfterSave =
    for<'a> fn(&'a mut dyn Writer, &'a Record, Timestamp) -> Pin<Box<dyn Future<Output = CoreResult<()>> + Send + 'a>>;

/// A workflow step on one record: `POST {path}/{id}/{name}` on pages and the API, with the
/// values of its `inputs` (checked like fields). It changes the record as `apply` says;
/// derivation, saving, audit and `after_save` follow.
#[derive(Debug)]
pub struct Action {
    pub name: &'static str,
    /// The heading of its form ("Rotation").
    pub label: &'static str,
    /// Its button ("Rotated today").
    pub button: &'static str,
    /// What it does, for its form and the API documentation.
    pub summary: &'static str,
    pub inputs: &'static [Field],
    /// Why the record cannot take this step now (the step is refused and not offered).
    pub unavailable: fn(&Record) -> Option<&'static str>,
    pub apply: fn(&mut Record, &Step) -> CoreResult<()>,
    /// The people in the record's scope take this step even where they do not edit it.
    pub by_scope: bool,
    /// It cannot be undone (shown as such).
    pub is_final: bool,
}

impl Action {
    pub const fn new(
        name: &'static str,
        (label, button): (&'static str, &'static str),
        summary: &'static str,
        apply: fn(&mut Record, &Step) -> CoreResult<()>,
    ) -> Self {
        Self {
            name,
            label,
            button,
            summary,
            inputs: &[],
            unavailable: |_| None,
            apply,
            by_scope: false,
            is_final: false,
        }
    }
    pub const fn inputs(self, inputs: &'static [Field]) -> Self {
        Self { inputs, ..self }
    }
    pub const fn unless(self, unavailable: fn(&Record) -> Option<&'static str>) -> Self {
        Self { unavailable, ..self }
    }
    pub const fn by_scope(self) -> Self {
        Self { by_scope: true, ..self }
    }
    pub const fn is_final(self) -> Self {
        Self { is_final: true, ..self }
    }
}

/// What a workflow step is given: when, by whom, and its inputs' values.
#[derive(Debug)]
pub struct Step<'a> {
    pub now: Timestamp,
    /// The actor's label, as audit entries name them.
    pub by: &'a str,
    pub inputs: Vec<(&'static str, Value)>,
}

impl Step<'_> {
    pub fn input(&self, name: &str) -> &Value {
        self.inputs.iter().find(|(n, _)| *n == name).map_or(&Value::Empty, |(_, v)| v)
    }
}

/// A dashboard panel of a record type, for those who see its records: its tasks of one kind
/// past their due date, then its records matching `filters` (each with the `badge` and its
/// `note` field), linked to the list filtered the same way.
#[derive(Debug)]
pub struct Panel {
    pub title: &'static str,
    /// The kind of the type's tasks listed when overdue ("rotate").
    pub overdue: Option<&'static str>,
    pub filters: &'static [(&'static str, &'static str)],
    pub badge: &'static str,
    pub note: &'static str,
}

/// A record type: everything the kit derives its plumbing from.
#[derive(Debug)]
pub struct RecordType {
    /// The kind of record, as audit entries and tasks name it ("authority").
    pub kind: &'static str,
    pub table: &'static str,
    /// URL segment: `/{path}` for pages, `/api/v1/{path}` for the API.
    pub path: &'static str,
    /// "authority", "information system": for messages and buttons.
    pub singular: &'static str,
    /// The list page's heading.
    pub title: &'static str,
    /// One sentence under the heading.
    pub intro: &'static str,
    /// The field naming a record (its links, picks and page title).
    pub name_field: &'static str,
    pub fields: &'static [Field],
    /// The `Ref` field naming the record this one is a part of (an area's member names its
    /// area): the parts are listed and added on their parent's page, not in the menu.
    pub parent: Option<&'static str>,
    pub access: access::RecordAccess,
    pub actions: &'static [Action],
    /// Rules linking fields, checked after each field is: the record before the edit (a blank
    /// one when it is new) and after it.
    pub rules: Option<fn(&Record, &Record, &mut Checks)>,
    /// What its viewers see on their dashboard (`dashboard::load` reads every type's).
    pub panel: Option<Panel>,
    /// Computes the derived fields from the others, whenever a record is saved or read.
    pub derive: Option<fn(&mut Record)>,
    pub after_save: Option<AfterSave>,
}

impl RecordType {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// As a target of other records' fields.
    pub fn target(&'static self) -> &'static Target {
        cached(&TARGETS, self.kind, || Target {
            kind: self.kind,
            table: self.table,
            name_column: self.name_field,
            link: leak(format!("/{}/", self.path)),
            what: self.singular,
            view: self.access.view,
        })
    }

    /// The list's filters, sort keys, search and export columns, derived from the fields.
    pub fn list_spec(&'static self) -> &'static ListSpec {
        cached(&SPECS, self.kind, || {
            let filters = self.fields.iter().filter(|f| f.filtered).filter_map(|f| {
                let kind = match f.kind {
                    FieldKind::Choice(options) => FilterKind::Choice(leak_slice(options.iter().map(|(v, _)| *v))),
                    FieldKind::Person | FieldKind::Ref(_) => FilterKind::Id,
                    _ => return None,
                };
                Some(FilterSpec { name: f.name, label: f.label, kind })
            });
            let sorts = self.fields.iter().filter(|f| f.sorted).map(|f| SortSpec {
                name: f.name,
                label: f.label,
                key: match f.kind {
                    FieldKind::Number { .. } | FieldKind::Count { .. } => KeyType::Int,
                    _ => KeyType::Text,
                },
            });
            let sorts = sorts.chain([
                SortSpec { name: "created", label: "Added", key: KeyType::Int },
                SortSpec { name: "updated", label: "Last changed", key: KeyType::Int },
            ]);
            // Links are on the record's page and in the API, not in a list's rows.
            let shown = self.fields.iter().filter(|f| f.in_rows()).map(|f| f.name);
            let columns = std::iter::once("id").chain(shown).chain(["created_at", "updated_at"]);
            ListSpec {
                filters: leak_slice(filters),
                sorts: leak_slice(sorts),
                searchable: self.fields.iter().any(|f| f.searched),
                columns: leak_slice(columns),
            }
        })
    }
}

/// A reference to another record: its id and, when read, its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// One field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Empty,
    Text(String),
    Int(i64),
    Date(time::Date),
    Ref(Named),
    Links(Vec<Named>),
}

impl Value {
    /// How pages and exports show it (a choice's value; see `display` for its label).
    pub fn plain(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(t) => t.clone(),
            Value::Int(n) => n.to_string(),
            Value::Date(d) => d.to_string(),
            Value::Ref(r) => r.name.clone(),
            Value::Links(l) => l.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join("; "),
        }
    }

    /// As typed in a form: ids of references are shown by name (what pickers take).
    pub fn as_typed(&self) -> String {
        match self {
            Value::Ref(r) if r.name.is_empty() => r.id.clone(),
            Value::Links(l) => l.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join("\n"),
            other => other.plain(),
        }
    }

    /// As JSON: references by id (the audit entry and the API; the API adds names).
    pub fn json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Empty => J::Null,
            Value::Text(t) => J::String(t.clone()),
            Value::Int(n) => J::from(*n),
            Value::Date(d) => J::String(d.to_string()),
            Value::Ref(r) => J::String(r.id.clone()),
            Value::Links(l) => J::Array(l.iter().map(|n| J::String(n.id.clone())).collect()),
        }
    }

    pub fn as_id(&self) -> Option<&str> {
        match self {
            Value::Ref(r) => Some(&r.id),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<time::Date> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

/// One record of a kit type: its values in the order of its type's fields.
#[derive(Debug, Clone)]
pub struct Record {
    pub ty: &'static RecordType,
    pub id: String,
    pub values: Vec<Value>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Record {
    pub fn value(&self, field: &str) -> &Value {
        self.ty.index(field).and_then(|i| self.values.get(i)).unwrap_or(&Value::Empty)
    }

    pub fn set(&mut self, field: &str, value: Value) {
        if let Some(slot) = self.ty.index(field).and_then(|i| self.values.get_mut(i)) {
            *slot = value;
        }
    }

    pub fn name(&self) -> String {
        self.value(self.ty.name_field).plain()
    }

    /// The lower-cased text its list search looks in.
    pub fn search_text(&self) -> String {
        let parts = self.ty.fields.iter().zip(&self.values).filter(|(f, _)| f.searched).map(|(_, v)| v.plain());
        parts.collect::<Vec<_>>().join(" ").to_lowercase()
    }

    /// The record as its audit entries keep it.
    pub fn json(&self) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        object.insert("id".into(), self.id.clone().into());
        for (f, v) in self.ty.fields.iter().zip(&self.values) {
            object.insert(f.name.into(), v.json());
        }
        object.insert("updated_at".into(), crate::time_util::rfc3339(self.updated_at).into());
        serde_json::Value::Object(object)
    }

    /// Its export row, in the list spec's column order.
    pub fn export_row(&self) -> Vec<String> {
        let mut row = vec![self.id.clone()];
        let shown = self.ty.fields.iter().zip(&self.values).filter(|(f, _)| f.in_rows());
        row.extend(shown.map(|(_, v)| v.plain()));
        row.extend([crate::time_util::rfc3339(self.created_at), crate::time_util::rfc3339(self.updated_at)]);
        row
    }
}

/// Records are equal when they are the same version of the same record of the same type.
impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        (self.ty.kind, &self.id, &self.values, self.created_at, self.updated_at)
            == (other.ty.kind, &other.id, &other.values, other.created_at, other.updated_at)
    }
}

impl serde::Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json().serialize(s)
    }
}

type Cache<T> = OnceLock<Mutex<HashMap<&'static str, &'static T>>>;
static SPECS: Cache<ListSpec> = OnceLock::new();
static TARGETS: Cache<Target> = OnceLock::new();

/// The value derived once per record type and kept for the life of the process (a handful
/// of types, each derived once: what `static` descriptions cannot compute at compile time).
pub fn cached<T>(cache: &'static Cache<T>, kind: &'static str, make: impl FnOnce() -> T) -> &'static T {
    let mut map = cache.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    map.entry(kind).or_insert_with(|| Box::leak(Box::new(make())))
}

pub fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

pub fn leak_slice<T>(items: impl Iterator<Item = T>) -> &'static [T] {
    Box::leak(items.collect::<Vec<_>>().into_boxed_slice())
}
