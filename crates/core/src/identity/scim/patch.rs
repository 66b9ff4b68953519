//! SCIM PATCH (RFC 7644 §3.5.2) applied to a resource as JSON: `add`, `replace` and `remove`,
//! with or without a path; paths name an attribute, a sub-attribute (`name.givenName`), an
//! extension's attribute (`urn:…:User:department`) or the values of a multi-valued attribute
//! that match a filter (`members[value eq "…"]`, `emails[type eq "work"].value`). Operation
//! names match in any case, and an operation without a path may use paths as keys, as some
//! identity providers send them. The caller stores the patched resource as a whole.

use super::{MAX_OPERATIONS, PATCH_OP, ScimError, ScimResult, check_schemas};
use crate::identity::scim_filter::{AttrPath, CompareOp, Filter, PatchPath, field, parse_patch_path};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

/// One checked operation of a PATCH request.
#[derive(Debug, Clone)]
pub struct Operation {
    pub op: Op,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

/// Checks a PatchOp request body and returns its operations.
pub fn parse_request(body: &Value) -> ScimResult<Vec<Operation>> {
    check_schemas(body, PATCH_OP)?;
    let Some(list) = field(body, "Operations").and_then(Value::as_array) else {
        return Err(ScimError::bad("invalidValue", "Operations must be a list of operations"));
    };
    if list.is_empty() || list.len() > MAX_OPERATIONS {
        return Err(ScimError::bad("invalidValue", format!("Operations must hold 1 to {MAX_OPERATIONS} operations")));
    }
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let at = |what: &str| ScimError::bad("invalidValue", format!("operation {}: {what}", i + 1));
            let op = match field(item, "op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
                Some("add") => Op::Add,
                Some("replace") => Op::Replace,
                Some("remove") => Op::Remove,
                _ => return Err(at("op must be add, replace or remove")),
            };
            let path = match field(item, "path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) => Some(
                    parse_patch_path(p)
                        .map_err(|e| ScimError::bad("invalidPath", format!("operation {}: {e}", i + 1)))?,
                ),
                Some(_) => return Err(at("path must be a string")),
            };
            let value = field(item, "value").cloned();
            if op != Op::Remove && value.is_none() {
                return Err(at("value is required"));
            }
            if op == Op::Remove && path.is_none() {
                return Err(ScimError::bad("noTarget", format!("operation {}: remove needs a path", i + 1)));
            }
            Ok(Operation { op, path, value })
        })
        .collect()
}

/// Applies the operations in order. `read_only` names attributes no operation may target.
pub fn apply(resource: &mut Value, ops: &[Operation], read_only: &[&str]) -> ScimResult<()> {
    for o in ops {
        match &o.path {
            Some(path) => apply_at(resource, o.op, path, o.value.as_ref(), read_only)?,
            None => apply_object(resource, o.op, o.value.as_ref(), read_only)?,
        }
    }
    Ok(())
}

/// An operation without a path: its value is an object of attributes (or paths, or an
/// extension's URI holding an object of the extension's attributes).
fn apply_object(resource: &mut Value, op: Op, value: Option<&Value>, read_only: &[&str]) -> ScimResult<()> {
    let Some(Value::Object(attributes)) = value else {
        return Err(ScimError::bad("invalidValue", "an operation without a path needs an object as its value"));
    };
    for (key, v) in attributes {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        let is_extension = key.to_ascii_lowercase().starts_with("urn:") && v.is_object();
        if is_extension && let Value::Object(inner) = v {
            for (name, v) in inner {
                let attr = AttrPath { uri: Some(key.clone()), name: name.clone(), sub: None };
                apply_at(resource, op, &PatchPath { attr, filter: None, sub: None }, Some(v), read_only)?;
            }
            continue;
        }
        let path = parse_patch_path(key).map_err(|e| ScimError::bad("invalidPath", e.0))?;
        apply_at(resource, op, &path, Some(v), read_only)?;
    }
    Ok(())
}

fn apply_at(
    resource: &mut Value,
    op: Op,
    path: &PatchPath,
    value: Option<&Value>,
    read_only: &[&str],
) -> ScimResult<()> {
    let core = path.attr.uri.as_deref().is_none_or(|u| u.to_ascii_lowercase().contains(":core:"));
    if core && read_only.iter().any(|r| r.eq_ignore_ascii_case(&path.attr.name)) {
        return Err(ScimError::bad("mutability", format!("{} cannot be changed", path.attr.name)));
    }
    let Some(container) = container(resource, path.attr.uri.as_deref().filter(|_| !core), op != Op::Remove) else {
        return Ok(()); // removing from an extension the resource does not have
    };
    let key = key_of(container, &path.attr.name);
    let sub = path.attr.sub.as_deref().or(path.sub.as_deref());
    match &path.filter {
        None => apply_plain(container, key, op, sub, value),
        Some(filter) => apply_filtered(container, key, op, filter, path.sub.as_deref(), value),
    }
}

/// The object an attribute lives in: the resource, or the extension object under `uri`
/// (created when `create`).
fn container<'a>(resource: &'a mut Value, uri: Option<&str>, create: bool) -> Option<&'a mut Map<String, Value>> {
    let root = resource.as_object_mut()?;
    let Some(uri) = uri else { return Some(root) };
    let key = key_of(root, uri);
    if !root.contains_key(&key) {
        if !create {
            return None;
        }
        root.insert(key.clone(), Value::Object(Map::new()));
    }
    root.get_mut(&key)?.as_object_mut()
}

/// The stored spelling of an attribute name (names match in any case), or the name given.
fn key_of(map: &Map<String, Value>, name: &str) -> String {
    map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_string())
}

fn apply_plain(
    map: &mut Map<String, Value>,
    key: String,
    op: Op,
    sub: Option<&str>,
    value: Option<&Value>,
) -> ScimResult<()> {
    let value = value.cloned().unwrap_or(Value::Null);
    match (op, sub) {
        (Op::Remove, None) => {
            map.remove(&key);
        }
        (Op::Remove, Some(sub)) => match map.get_mut(&key) {
            Some(Value::Object(o)) => remove_key(o, sub),
            Some(Value::Array(items)) => {
                items.iter_mut().filter_map(Value::as_object_mut).for_each(|o| remove_key(o, sub))
            }
            _ => {}
        },
        (_, Some(sub)) => {
            let target = map.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
            match target {
                Value::Object(o) => set_key(o, sub, value),
                Value::Array(items) => {
                    items.iter_mut().filter_map(Value::as_object_mut).for_each(|o| set_key(o, sub, value.clone()))
                }
                _ => return Err(ScimError::bad("invalidPath", format!("{key} has no sub-attributes"))),
            }
        }
        (Op::Add, None) => match (map.get_mut(&key), value) {
            (Some(Value::Array(items)), Value::Array(more)) => more.into_iter().for_each(|v| add_unique(items, v)),
            (Some(Value::Array(items)), one) => add_unique(items, one),
            (Some(Value::Object(o)), Value::Object(more)) => more.into_iter().for_each(|(k, v)| set_key(o, &k, v)),
            (_, v) => {
                map.insert(key, v);
            }
        },
        (Op::Replace, None) => match (map.get_mut(&key), value) {
            (Some(Value::Object(o)), Value::Object(more)) => more.into_iter().for_each(|(k, v)| set_key(o, &k, v)),
            (_, v) => {
                map.insert(key, v);
            }
        },
    }
    Ok(())
}

fn apply_filtered(
    map: &mut Map<String, Value>,
    key: String,
    op: Op,
    filter: &Filter,
    sub: Option<&str>,
    value: Option<&Value>,
) -> ScimResult<()> {
    let value = value.cloned().unwrap_or(Value::Null);
    if op == Op::Remove {
        if let Some(Value::Array(items)) = map.get_mut(&key) {
            match sub {
                None => items.retain(|i| !filter.matches(i)),
                Some(sub) => items
                    .iter_mut()
                    .filter(|i| filter.matches(i))
                    .filter_map(Value::as_object_mut)
                    .for_each(|o| remove_key(o, sub)),
            }
        }
        return Ok(());
    }
    let items = match map.entry(key.clone()).or_insert_with(|| Value::Array(vec![])) {
        Value::Array(items) => items,
        _ => return Err(ScimError::bad("invalidPath", format!("{key} is not multi-valued"))),
    };
    let mut matched = 0;
    for item in items.iter_mut().filter(|i| filter.matches(i)) {
        matched += 1;
        match (sub, item, &value) {
            (Some(sub), Value::Object(o), v) => set_key(o, sub, v.clone()),
            (None, Value::Object(o), Value::Object(more)) => more.iter().for_each(|(k, v)| set_key(o, k, v.clone())),
            (None, item, v) => *item = v.clone(),
            _ => {}
        }
    }
    if matched > 0 {
        return Ok(());
    }
    // Nothing matched: `emails[type eq "work"].value` adds the value it describes.
    match (sub, filter) {
        (Some(sub), Filter::Compare(AttrPath { name, sub: None, uri: None }, CompareOp::Eq, wanted)) => {
            let mut o = Map::new();
            o.insert(name.clone(), wanted.clone());
            o.insert(sub.to_string(), value);
            items.push(Value::Object(o));
            Ok(())
        }
        _ => Err(ScimError::bad("noTarget", format!("no value of {key} matches the filter"))),
    }
}

fn set_key(o: &mut Map<String, Value>, name: &str, v: Value) {
    let key = key_of(o, name);
    o.insert(key, v);
}

fn remove_key(o: &mut Map<String, Value>, name: &str) {
    let key = key_of(o, name);
    o.remove(&key);
}

/// Appends a value to a multi-valued attribute unless an equal one (same `value`) is there.
fn add_unique(items: &mut Vec<Value>, v: Value) {
    let same = |a: &Value| match (field(a, "value"), field(&v, "value")) {
        (Some(x), Some(y)) => x == y,
        _ => *a == v,
    };
    if !items.iter().any(same) {
        items.push(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patched(resource: Value, ops: Value) -> ScimResult<Value> {
        let ops = parse_request(&json!({"schemas": [PATCH_OP], "Operations": ops}))?;
        let mut r = resource;
        apply(&mut r, &ops, &["id", "meta", "groups"])?;
        Ok(r)
    }

    #[test]
    fn add_replace_and_remove_with_and_without_paths() {
        let user = json!({"userName": "ada", "active": true, "name": {"givenName": "Ada"},
            "emails": [{"value": "a@x.example", "type": "work"}]});
        let r = patched(user.clone(), json!([{"op": "Replace", "path": "active", "value": false}])).unwrap();
        assert_eq!(r["active"], json!(false));
        let r = patched(user.clone(), json!([{"op": "add", "path": "name.familyName", "value": "Lovelace"}])).unwrap();
        assert_eq!(r["name"], json!({"givenName": "Ada", "familyName": "Lovelace"}));
        let r = patched(user.clone(), json!([{"op": "remove", "path": "name.givenName"}])).unwrap();
        assert_eq!(r["name"], json!({}));
        let r =
            patched(user.clone(), json!([{"op": "replace", "value": {"userName": "ada2", "name.givenName": "A."}}]))
                .unwrap();
        assert_eq!((r["userName"].as_str(), r["name"]["givenName"].as_str()), (Some("ada2"), Some("A.")));
        let r = patched(
            user.clone(),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@x.example"}]),
        )
        .unwrap();
        assert_eq!(r["emails"], json!([{"value": "b@x.example", "type": "work"}]));
        let r = patched(user.clone(), json!([{"op": "add", "path": "emails[type eq \"home\"].value", "value": "h@x"}]))
            .unwrap();
        assert_eq!(r["emails"][1], json!({"type": "home", "value": "h@x"}), "an unmatched value path adds");
        let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let r =
            patched(user.clone(), json!([{"op": "add", "path": format!("{ext}:department"), "value": "R&D"}])).unwrap();
        assert_eq!(r[ext]["department"], json!("R&D"));
        let r = patched(user.clone(), json!([{"op": "add", "value": {ext: {"manager": {"value": "m1"}}}}])).unwrap();
        assert_eq!(r[ext]["manager"]["value"], json!("m1"));
        let r = patched(user, json!([{"op": "remove", "path": "emails"}])).unwrap();
        assert!(r.get("emails").is_none());
    }

    #[test]
    fn members_are_added_once_and_removed_by_filter() {
        let group = json!({"displayName": "R&D", "members": [{"value": "a"}, {"value": "b"}]});
        let r = patched(
            group.clone(),
            json!([{"op": "add", "path": "members", "value": [{"value": "b"}, {"value": "c"}]}]),
        )
        .unwrap();
        assert_eq!(r["members"], json!([{"value": "a"}, {"value": "b"}, {"value": "c"}]));
        let r = patched(group.clone(), json!([{"op": "remove", "path": "members[value eq \"a\"]"}])).unwrap();
        assert_eq!(r["members"], json!([{"value": "b"}]));
        let r = patched(group.clone(), json!([{"op": "remove", "path": "members[value eq \"zz\"]"}])).unwrap();
        assert_eq!(r["members"], group["members"], "removing what is not there changes nothing");
        let r = patched(group, json!([{"op": "replace", "path": "members", "value": [{"value": "z"}]}])).unwrap();
        assert_eq!(r["members"], json!([{"value": "z"}]));
    }

    #[test]
    fn bad_operations_are_refused_with_their_scim_type() {
        let r = json!({"userName": "ada"});
        let kind = |ops: Value| patched(r.clone(), ops).unwrap_err().scim_type;
        assert_eq!(kind(json!([{"op": "move", "path": "x", "value": 1}])), Some("invalidValue"));
        assert_eq!(kind(json!([{"op": "remove"}])), Some("noTarget"));
        assert_eq!(kind(json!([{"op": "add", "path": "emails[type eq", "value": 1}])), Some("invalidPath"));
        assert_eq!(kind(json!([{"op": "replace", "path": "id", "value": "x"}])), Some("mutability"));
        assert_eq!(kind(json!([{"op": "replace", "path": "meta.created", "value": "x"}])), Some("mutability"));
        assert_eq!(kind(json!([{"op": "replace", "path": "x[value eq \"1\"]", "value": {"a": 1}}])), Some("noTarget"));
        assert_eq!(kind(json!([{"op": "add", "path": "userName"}])), Some("invalidValue"));
        assert_eq!(kind(json!([])), Some("invalidValue"));
        let no_schema = parse_request(&json!({"Operations": [{"op": "remove", "path": "x"}]})).unwrap_err();
        assert_eq!(no_schema.scim_type, Some("invalidValue"));
    }
}
