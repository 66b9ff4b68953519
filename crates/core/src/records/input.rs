//! Input for kit records, from a form or the API: each given field is checked by its kind
//! (a reference resolved from the name typed), a field not given keeps its value (the API's
//! PATCH), then required fields and the type's rules are checked — every problem named at once.

use super::{Field, FieldKind, Named, Record, RecordType, Target, Value};
use crate::error::CoreResult;
use crate::store::Reader;
use crate::validate::Checks;
use std::collections::BTreeMap;

/// The most records one links field holds.
pub const MAX_LINKS: usize = 200;
/// The longest name typed to find a record.
const MAX_NAME: usize = 300;

/// A field as typed: one value (a form field, a JSON string or number) or several (a JSON
/// array; a form's links field gives one name per line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    One(String),
    Many(Vec<String>),
}

/// Every field given, by name, and the version the edit was based on.
#[derive(Debug, Clone, Default)]
pub struct RawRecord {
    pub fields: BTreeMap<String, Typed>,
    pub version: Option<String>,
}

impl RawRecord {
    /// Fields as a form types them, one value each (seed data, tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let fields = pairs.into_iter().map(|(k, v)| (k.to_string(), Typed::One(v.to_string()))).collect();
        Self { fields, version: None }
    }

    /// What a form shows again after a refused save: each field as typed, else the record's.
    pub fn shown(&self, field: &Field, record: Option<&Record>) -> String {
        match self.fields.get(field.name) {
            Some(Typed::One(v)) => v.clone(),
            Some(Typed::Many(v)) => v.join("\n"),
            None => record.map(|r| r.value(field.name).as_typed()).unwrap_or_default(),
        }
    }
}

/// Sets the given fields of `record`, then checks required fields and the type's rules.
pub async fn apply(r: &mut dyn Reader, ty: &RecordType, raw: &RawRecord, record: &mut Record) -> CoreResult<()> {
    let before = record.clone();
    let mut c = Checks::new();
    for name in raw.fields.keys() {
        match ty.field(name) {
            None => c.fail(name, &format!("is not a field of {}", crate::validate::with_article(ty.singular))),
            Some(f) if f.derived => c.fail(name, "is not typed in: it follows from the rest of the record"),
            Some(_) => {}
        }
    }
    for (i, field) in ty.fields.iter().enumerate().filter(|(_, f)| !f.derived) {
        if let Some(typed) = raw.fields.get(field.name) {
            record.values[i] = parse(r, &mut c, (field, &before.values[i]), typed).await?;
        }
    }
    required(&mut c, ty.fields.iter().zip(&record.values));
    unique(r, &mut c, ty, record).await?;
    if let Some(rules) = ty.rules {
        rules(&before, record, &mut c);
    }
    c.finish()
}

/// Refuses a unique field's value that another record (of the same parent, for a part) holds.
async fn unique(r: &mut dyn Reader, c: &mut Checks, ty: &RecordType, record: &Record) -> CoreResult<()> {
    let key = |name: &'static str| match record.value(name) {
        Value::Ref(n) => Some(n.id.clone()),
        Value::Empty => None,
        v => Some(v.plain()),
    };
    for field in ty.fields.iter().filter(|f| f.unique.is_some()) {
        let Some(value) = key(field.name).filter(|_| c.is_valid_so_far(field.name)) else { continue };
        let mut values = vec![(field.name, value)];
        values.extend(ty.parent.and_then(|p| key(p).map(|v| (p, v))));
        if r.record_taken(record.ty, &record.id, &values).await? {
            c.clash(field.name, field.unique.unwrap_or("is already taken"));
        }
    }
    Ok(())
}

fn required<'a>(c: &mut Checks, values: impl Iterator<Item = (&'a Field, &'a Value)>) {
    for (field, value) in values {
        if field.required && *value == Value::Empty && c.is_valid_so_far(field.name) {
            c.fail(field.name, "is required");
        }
    }
}

/// The values of a workflow step's inputs, each checked by its kind; others are refused.
pub async fn step_inputs(
    r: &mut dyn Reader,
    inputs: &'static [Field],
    raw: &RawRecord,
) -> CoreResult<Vec<(&'static str, Value)>> {
    let mut c = Checks::new();
    for name in raw.fields.keys().filter(|n| !inputs.iter().any(|f| f.name == n.as_str())) {
        c.fail(name, "is not asked by this step");
    }
    let mut values = Vec::with_capacity(inputs.len());
    for field in inputs {
        let value = match raw.fields.get(field.name) {
            Some(typed) => parse(r, &mut c, (field, &Value::Empty), typed).await?,
            None => Value::Empty,
        };
        values.push((field.name, value));
    }
    required(&mut c, inputs.iter().zip(values.iter().map(|(_, v)| v)));
    c.finish()?;
    Ok(values)
}

/// The value typed for `field`; `current` is its value now (a reserved choice it holds
/// already may be sent back unchanged, as an edit form does).
async fn parse(
    r: &mut dyn Reader,
    c: &mut Checks,
    (field, current): (&Field, &Value),
    typed: &Typed,
) -> CoreResult<Value> {
    let name = field.name;
    let one = match (typed, field.kind) {
        (Typed::Many(items), FieldKind::Links(target)) => return links(r, c, field, target, items).await,
        (Typed::One(text), FieldKind::Links(target)) => {
            let items: Vec<String> = text.lines().map(str::to_string).collect();
            return links(r, c, field, target, &items).await;
        }
        (Typed::Many(_), _) => {
            c.fail(name, "must be one value, not a list");
            return Ok(Value::Empty);
        }
        (Typed::One(v), _) => v.as_str(),
    };
    let text = |t: String| if t.is_empty() { Value::Empty } else { Value::Text(t) };
    Ok(match field.kind {
        FieldKind::Line { max } => text(c.optional_line(name, one, max)),
        FieldKind::Text { max } => text(c.optional_text(name, one, max)),
        FieldKind::Choice(_) => match one.trim() {
            "" => Value::Empty,
            v if field.typed_options().any(|(o, _)| *o == v) => Value::Text(v.into()),
            v if *current == Value::Text(v.into()) => current.clone(),
            _ => {
                let all: Vec<_> = field.typed_options().map(|(o, _)| *o).collect();
                c.fail(name, &format!("must be one of {}", all.join(", ")));
                Value::Empty
            }
        },
        FieldKind::Date => match one.trim() {
            "" => Value::Empty,
            v => crate::time_util::parse_date(v).map(Value::Date).unwrap_or_else(|| {
                c.fail(name, "must be a date such as 2026-01-31");
                Value::Empty
            }),
        },
        FieldKind::Number { min, max } => c.optional_number(name, one, min..=max).map_or(Value::Empty, Value::Int),
        FieldKind::Person => match long(c, name, one) {
            true => Value::Empty,
            false => crate::pick::person(r, c, name, one)
                .await?
                .map_or(Value::Empty, |id| Value::Ref(Named { id: id.to_string(), name: String::new() })),
        },
        FieldKind::Ref(target) => named(r, c, name, target, one).await?.map_or(Value::Empty, Value::Ref),
        // Counted, never typed (derived fields are refused before this).
        FieldKind::Links(_) | FieldKind::Count { .. } => Value::Empty,
    })
}

/// Whether a name typed cannot name anything (refused): too long, or with control characters.
fn long(c: &mut Checks, field: &str, typed: &str) -> bool {
    if typed.chars().count() > MAX_NAME {
        c.fail(field, &format!("must be at most {MAX_NAME} characters"));
        true
    } else if typed.chars().any(char::is_control) {
        c.fail(field, "must be one line without control characters");
        true
    } else {
        false
    }
}

/// The one record of `target` that `typed` names (id or exact name, case aside).
async fn named(
    r: &mut dyn Reader,
    c: &mut Checks,
    field: &str,
    target: &'static Target,
    typed: &str,
) -> CoreResult<Option<Named>> {
    let typed = typed.trim();
    if typed.is_empty() || long(c, field, typed) {
        return Ok(None);
    }
    let found = r.find_named(target, typed).await?;
    match found.len() {
        1 => Ok(found.into_iter().next()),
        0 => {
            c.clash(field, &format!("names no {}: “{typed}”", target.what));
            Ok(None)
        }
        n => {
            c.clash(field, &format!("fits {n} {}s called “{typed}”: give its id", target.what));
            Ok(None)
        }
    }
}

async fn links(
    r: &mut dyn Reader,
    c: &mut Checks,
    field: &Field,
    target: &'static Target,
    items: &[String],
) -> CoreResult<Value> {
    let items: Vec<&str> = items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if items.len() > MAX_LINKS {
        c.fail(field.name, &format!("must name at most {MAX_LINKS} records"));
        return Ok(Value::Links(vec![]));
    }
    let mut found: Vec<Named> = Vec::new();
    for typed in items {
        if let Some(n) = named(r, c, field.name, target, typed).await?
            && !found.iter().any(|f| f.id == n.id)
        {
            found.push(n);
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Value::Links(found))
}
