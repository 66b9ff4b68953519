//! OSCAL 1.x catalogs in JSON, read into rows and rebuilt from them. Reading checks what the
//! rows depend on and names the place of every problem (`catalog.groups[2].controls[5]`):
//! the `catalog` object, its uuid and metadata (title, oscal-version 1.x), a title on every
//! group and control, an id on every control and parameter, control ids unique in the
//! catalog, parts with names. Each group and control keeps its own JSON (minus the groups and
//! controls nested in it), so that `rebuild` gives back the catalog as it came.

use serde_json::{Map, Value};
use std::collections::HashMap;

/// The most controls (enhancements included) one catalog may hold.
pub const MAX_CONTROLS: usize = 20_000;
/// How deep groups and controls may nest.
const MAX_DEPTH: usize = 24;

/// A group of a catalog, in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub position: i64,
    pub parent_position: Option<i64>,
    pub group_id: Option<String>,
    pub title: String,
    pub label: Option<String>,
    /// The group's JSON without its `groups` and `controls`.
    pub body: Value,
}

/// A control (or enhancement) of a catalog, in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlRow {
    pub control_id: String,
    pub position: i64,
    pub group_position: Option<i64>,
    pub parent_control: Option<String>,
    pub depth: i64,
    pub label: Option<String>,
    pub title: String,
    /// The control's JSON without its nested `controls`.
    pub body: Value,
}

/// A catalog read into rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub uuid: String,
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    /// The catalog object without `groups` and `controls`.
    pub rest: Value,
    pub groups: Vec<GroupRow>,
    pub controls: Vec<ControlRow>,
}

/// Why a file is not an importable catalog: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError(pub String);

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fail<T>(at: &str, what: &str) -> Result<T, CatalogError> {
    Err(CatalogError(format!("{at}: {what}")))
}

/// Reads an OSCAL catalog from JSON text.
pub fn read(text: &[u8]) -> Result<Catalog, CatalogError> {
    let doc: Value = serde_json::from_slice(text)
        .map_err(|e| CatalogError(format!("the file is not JSON (line {}, column {}: {e})", e.line(), e.column())))?;
    let Some(Value::Object(catalog)) = doc.get("catalog") else {
        return fail("the file", "it is not an OSCAL catalog: it has no \"catalog\" object");
    };
    let uuid = match catalog.get("uuid") {
        Some(Value::String(u)) if uuid::Uuid::parse_str(u).is_ok() => u.to_lowercase(),
        _ => return fail("catalog.uuid", "a catalog needs a uuid"),
    };
    let Some(Value::Object(metadata)) = catalog.get("metadata") else {
        return fail("catalog.metadata", "a catalog needs metadata");
    };
    let title = non_empty(metadata.get("title"))
        .ok_or_else(|| CatalogError("catalog.metadata.title: a catalog needs a title".into()))?;
    let oscal_version = match metadata.get("oscal-version").and_then(Value::as_str) {
        Some(v) if v.starts_with("1.") => v.to_string(),
        Some(v) => return fail("catalog.metadata.oscal-version", &format!("OSCAL {v} is not 1.x")),
        None => return fail("catalog.metadata.oscal-version", "the OSCAL version is missing"),
    };
    let version = metadata.get("version").and_then(Value::as_str).unwrap_or_default().to_string();
    let mut reader = Reader { groups: vec![], controls: vec![], seen: HashMap::new() };
    reader.members(catalog, "catalog", None, None, 0)?;
    if reader.controls.len() > MAX_CONTROLS {
        return fail("catalog", &format!("more than {MAX_CONTROLS} controls"));
    }
    let mut rest = catalog.clone();
    rest.remove("groups");
    rest.remove("controls");
    Ok(Catalog {
        uuid,
        title,
        version,
        oscal_version,
        rest: Value::Object(rest),
        groups: reader.groups,
        controls: reader.controls,
    })
}

fn non_empty(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The value of the `label` prop, if any.
fn label_of(o: &Map<String, Value>) -> Option<String> {
    o.get("props")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some("label"))?
        .get("value")?
        .as_str()
        .map(str::to_string)
}

struct Reader {
    groups: Vec<GroupRow>,
    controls: Vec<ControlRow>,
    /// Control id → where it was first seen.
    seen: HashMap<String, String>,
}

impl Reader {
    /// The `groups` and `controls` of a catalog, group or control at `at`.
    fn members(
        &mut self,
        o: &Map<String, Value>,
        at: &str,
        group: Option<i64>,
        parent_control: Option<&str>,
        depth: usize,
    ) -> Result<(), CatalogError> {
        if depth > MAX_DEPTH {
            return fail(at, &format!("groups and controls nest deeper than {MAX_DEPTH} levels"));
        }
        for (i, g) in list(o, "groups", at)?.iter().enumerate() {
            let at = format!("{at}.groups[{i}]");
            if parent_control.is_some() {
                return fail(&at, "a control cannot hold groups");
            }
            let Value::Object(g) = g else { return fail(&at, "a group must be an object") };
            let title =
                non_empty(g.get("title")).ok_or_else(|| CatalogError(format!("{at}: a group needs a title")))?;
            check_params_and_parts(g, &at)?;
            let position = self.groups.len() as i64;
            let mut body = g.clone();
            body.remove("groups");
            body.remove("controls");
            self.groups.push(GroupRow {
                position,
                parent_position: group,
                group_id: g.get("id").and_then(Value::as_str).map(str::to_string),
                title,
                label: label_of(g),
                body: Value::Object(body),
            });
            self.members(g, &at, Some(position), None, depth + 1)?;
        }
        for (i, c) in list(o, "controls", at)?.iter().enumerate() {
            let at = format!("{at}.controls[{i}]");
            let Value::Object(c) = c else { return fail(&at, "a control must be an object") };
            let id = non_empty(c.get("id")).ok_or_else(|| CatalogError(format!("{at}: a control needs an id")))?;
            let title =
                non_empty(c.get("title")).ok_or_else(|| CatalogError(format!("{at}: control {id} needs a title")))?;
            if let Some(first) = self.seen.get(&id) {
                return fail(&at, &format!("control id {id} appears twice (first at {first})"));
            }
            if self.controls.len() >= MAX_CONTROLS {
                return fail(&at, &format!("more than {MAX_CONTROLS} controls"));
            }
            self.seen.insert(id.clone(), at.clone());
            check_params_and_parts(c, &at)?;
            let mut body = c.clone();
            body.remove("controls");
            self.controls.push(ControlRow {
                control_id: id.clone(),
                position: self.controls.len() as i64,
                group_position: if parent_control.is_none() { group } else { None },
                parent_control: parent_control.map(str::to_string),
                depth: depth as i64,
                label: label_of(c),
                title,
                body: Value::Object(body),
            });
            self.members(c, &at, group, Some(&id), depth + 1)?;
        }
        Ok(())
    }
}

fn list<'a>(o: &'a Map<String, Value>, key: &str, at: &str) -> Result<&'a [Value], CatalogError> {
    match o.get(key) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => fail(&format!("{at}.{key}"), "must be a list"),
    }
}

fn check_params_and_parts(o: &Map<String, Value>, at: &str) -> Result<(), CatalogError> {
    for (i, p) in list(o, "params", at)?.iter().enumerate() {
        if non_empty(p.get("id")).is_none() {
            return fail(&format!("{at}.params[{i}]"), "a parameter needs an id");
        }
    }
    check_parts(o, at, 0)
}

fn check_parts(o: &Map<String, Value>, at: &str, depth: usize) -> Result<(), CatalogError> {
    if depth > MAX_DEPTH {
        return fail(at, "parts nest too deep");
    }
    for (i, part) in list(o, "parts", at)?.iter().enumerate() {
        let at = format!("{at}.parts[{i}]");
        let Value::Object(part) = part else { return fail(&at, "a part must be an object") };
        if non_empty(part.get("name")).is_none() {
            return fail(&at, "a part needs a name");
        }
        check_parts(part, &at, depth + 1)?;
    }
    Ok(())
}

/// The catalog as OSCAL JSON again, from its rows.
pub fn rebuild(rest: &Value, groups: &[GroupRow], controls: &[ControlRow]) -> Value {
    let mut sub_groups: HashMap<Option<i64>, Vec<&GroupRow>> = HashMap::new();
    for g in groups {
        sub_groups.entry(g.parent_position).or_default().push(g);
    }
    // Controls directly in a group (or at the top), and enhancements under their control.
    let mut in_group: HashMap<Option<i64>, Vec<&ControlRow>> = HashMap::new();
    let mut enhancements: HashMap<&str, Vec<&ControlRow>> = HashMap::new();
    for c in controls {
        match &c.parent_control {
            Some(parent) => enhancements.entry(parent.as_str()).or_default().push(c),
            None => in_group.entry(c.group_position).or_default().push(c),
        }
    }
    let tree = Tree { sub_groups, in_group, enhancements };
    let mut catalog = rest.as_object().cloned().unwrap_or_default();
    tree.attach(&mut catalog, None);
    serde_json::json!({ "catalog": catalog })
}

struct Tree<'a> {
    sub_groups: HashMap<Option<i64>, Vec<&'a GroupRow>>,
    in_group: HashMap<Option<i64>, Vec<&'a ControlRow>>,
    enhancements: HashMap<&'a str, Vec<&'a ControlRow>>,
}

impl Tree<'_> {
    /// Adds the groups and controls that belong under `group` (None: the catalog's top).
    fn attach(&self, to: &mut Map<String, Value>, group: Option<i64>) {
        let groups: Vec<Value> = self
            .sub_groups
            .get(&group)
            .map(|gs| {
                gs.iter()
                    .map(|g| {
                        let mut o = g.body.as_object().cloned().unwrap_or_default();
                        self.attach(&mut o, Some(g.position));
                        Value::Object(o)
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !groups.is_empty() {
            to.insert("groups".into(), Value::Array(groups));
        }
        let controls: Vec<Value> =
            self.in_group.get(&group).map(|cs| cs.iter().map(|c| self.control(c)).collect()).unwrap_or_default();
        if !controls.is_empty() {
            to.insert("controls".into(), Value::Array(controls));
        }
    }

    fn control(&self, c: &ControlRow) -> Value {
        let mut o = c.body.as_object().cloned().unwrap_or_default();
        if let Some(children) = self.enhancements.get(c.control_id.as_str()) {
            o.insert("controls".into(), Value::Array(children.iter().map(|e| self.control(e)).collect()));
        }
        Value::Object(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../../fixtures/oscal/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn count_params(c: &Catalog) -> usize {
        let params = |v: &Value| v.get("params").and_then(Value::as_array).map_or(0, Vec::len);
        params(&c.rest)
            + c.groups.iter().map(|g| params(&g.body)).sum::<usize>()
            + c.controls.iter().map(|c| params(&c.body)).sum::<usize>()
    }

    #[test]
    fn the_real_catalogs_read_with_the_counts_of_their_readme() {
        for (file, groups, controls, params) in [
            ("basic-catalog.json", 4, 4, 2),
            ("NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json", 18, 287, 643),
            ("NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json", 18, 370, 767),
            ("NIST_SP-800-53_rev4_catalog-min.json", 18, 922, 853),
        ] {
            let c = read(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!((c.groups.len(), c.controls.len(), count_params(&c)), (groups, controls, params), "{file}");
            // Rebuilt, it reads the same: ids, titles, params and parts round-trip.
            let again = read(&serde_json::to_vec(&rebuild(&c.rest, &c.groups, &c.controls)).unwrap()).unwrap();
            assert_eq!(again, c, "{file}");
        }
    }

    #[test]
    fn every_problem_names_its_place() {
        let bad = |text: &str, says: &str| {
            let e = read(text.as_bytes()).expect_err(text);
            assert!(e.0.contains(says), "{text}: {e}");
        };
        let head =
            r#""uuid": "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724", "metadata": {"title": "T", "oscal-version": "1.1.2"}"#;
        bad("not json", "not JSON");
        bad(r#"{"profile": {}}"#, "not an OSCAL catalog");
        bad(r#"{"catalog": {"metadata": {"title": "T"}}}"#, "catalog.uuid");
        bad(
            r#"{"catalog": {"uuid": "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724", "metadata": {"oscal-version": "1.1.2"}}}"#,
            "catalog.metadata.title",
        );
        bad(
            r#"{"catalog": {"uuid": "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724", "metadata": {"title": "T", "oscal-version": "2.0"}}}"#,
            "not 1.x",
        );
        bad(
            &format!(r#"{{"catalog": {{{head}, "groups": [{{"id": "g"}}]}}}}"#),
            "catalog.groups[0]: a group needs a title",
        );
        bad(
            &format!(
                r#"{{"catalog": {{{head}, "groups": [{{"title": "G", "controls": [{{"id": "a", "title": "A"}}, {{"id": "a", "title": "B"}}]}}]}}}}"#
            ),
            "catalog.groups[0].controls[1]: control id a appears twice (first at catalog.groups[0].controls[0])",
        );
        bad(&format!(r#"{{"catalog": {{{head}, "controls": [{{"id": "a"}}]}}}}"#), "control a needs a title");
        bad(
            &format!(
                r#"{{"catalog": {{{head}, "controls": [{{"id": "a", "title": "A", "params": [{{"label": "x"}}]}}]}}}}"#
            ),
            "params[0]: a parameter needs an id",
        );
        bad(
            &format!(
                r#"{{"catalog": {{{head}, "controls": [{{"id": "a", "title": "A", "parts": [{{"prose": "x"}}]}}]}}}}"#
            ),
            "parts[0]: a part needs a name",
        );
        bad(&format!(r#"{{"catalog": {{{head}, "controls": {{}}}}}}"#), "catalog.controls: must be a list");
    }
}
