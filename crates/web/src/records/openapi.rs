//! The OpenAPI description of a kit record type's API, derived from its fields: the record as
//! shown, the bodies of a creation (required fields required) and of a PATCH (any field; a
//! required one may not be cleared), the list's parameters, and each operation.

use axum::http::Method;
use bulwark_core::records::{Action, Field, FieldKind, RecordType};
use serde_json::{Value as J, json};
use utoipa::openapi::path::Paths;
use utoipa::openapi::{RefOr, schema::Schema};

const ONE_LINE: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";
const NOT_BLANK_LINE: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";
const TEXT: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";
const NOT_BLANK_TEXT: &str =
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";
/// A search: what the list engine accepts (no C0 control, no DEL).
const SEARCH: &str = r"^[^\x00-\x1f\x7f]*$";
const UUID: &str = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const DATE: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// "information_system" → "InformationSystem".
fn pascal(kind: &str) -> String {
    kind.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

fn schema_ref(name: &str) -> J {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn nullable(mut s: J, nullable: bool) -> J {
    if nullable && let Some(t) = s.get("type").cloned() {
        s["type"] = json!([t, "null"]);
        if let Some(values) = s.get_mut("enum").and_then(J::as_array_mut) {
            values.push(J::Null);
        }
    }
    s
}

/// The field as the API shows it.
fn shown(f: &Field) -> J {
    let s = match f.kind {
        FieldKind::Line { .. } | FieldKind::Text { .. } => json!({ "type": "string" }),
        FieldKind::Choice(options) => {
            json!({ "type": "string", "enum": options.iter().map(|(v, _)| *v).collect::<Vec<_>>() })
        }
        FieldKind::Date => json!({ "type": "string", "format": "date" }),
        FieldKind::Number { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
        FieldKind::Person | FieldKind::Ref(_) => json!({ "type": "string", "format": "uuid" }),
        FieldKind::Links(_) => return json!({ "type": "array", "items": schema_ref("NamedRecord") }),
        FieldKind::Count { .. } => return with_doc(json!({ "type": "integer", "minimum": 0 }), f),
    };
    let s = nullable(s, true);
    with_doc(s, f)
}

/// The label, hint and what the value is, as the schema's description.
fn with_doc(mut s: J, f: &Field) -> J {
    let what = s.get("description").and_then(J::as_str).map(|d| format!(" ({d})")).unwrap_or_default();
    let hint = if f.hint.is_empty() { String::new() } else { format!(": {}", f.hint) };
    s["description"] = format!("{}{what}{hint}", f.label).into();
    s
}

/// The field as a body sends it; `may_clear` when null or "" (an empty list) empties it.
fn sent(f: &Field, may_clear: bool) -> J {
    let line = if may_clear { ONE_LINE } else { NOT_BLANK_LINE };
    let named = |what: String| json!({ "type": "string", "maxLength": 300, "pattern": line, "description": what });
    let s = match f.kind {
        FieldKind::Line { max } => json!({ "type": "string", "maxLength": max, "pattern": line }),
        FieldKind::Text { max } => {
            let pattern = if may_clear { TEXT } else { NOT_BLANK_TEXT };
            json!({ "type": "string", "maxLength": max, "pattern": pattern })
        }
        FieldKind::Choice(_) => {
            let empty = may_clear.then_some("");
            json!({ "type": "string", "enum": empty.into_iter().chain(f.typed_options().map(|(v, _)| *v)).collect::<Vec<_>>() })
        }
        FieldKind::Date => json!({ "type": "string", "format": "date", "pattern": DATE }),
        FieldKind::Number { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
        FieldKind::Person => named("The person's id, e-mail address or exact name".into()),
        FieldKind::Ref(t) => named(format!("The {}'s id or exact name", t.what)),
        // Counted, never sent (derived fields are left out of bodies).
        FieldKind::Count { .. } => json!({ "type": "integer" }),
        FieldKind::Links(t) => {
            let item = json!({ "type": "string", "maxLength": 300, "pattern": NOT_BLANK_LINE });
            let doc = format!("Each {}'s id or exact name", t.what);
            return with_doc(
                json!({ "type": ["array", "null"], "maxItems": 200, "items": item, "description": doc }),
                f,
            );
        }
    };
    with_doc(nullable(s, may_clear), f)
}

fn object(properties: serde_json::Map<String, J>, required: Vec<&str>, description: String) -> J {
    json!({ "type": "object", "description": description, "properties": properties,
            "required": required, "additionalProperties": false })
}

/// The type's component schemas: `{Type}View`, `{Type}New`, `{Type}Patch`, `{Type}Page`.
pub fn schemas(ty: &RecordType) -> Vec<(String, RefOr<Schema>)> {
    let name = pascal(ty.kind);
    let mut view = serde_json::Map::new();
    view.insert("id".into(), json!({ "type": "string", "format": "uuid" }));
    for f in ty.fields {
        view.insert(f.name.into(), shown(f));
        if matches!(f.kind, FieldKind::Person | FieldKind::Ref(_)) {
            view.insert(format!("{}_name", f.name), json!({ "type": ["string", "null"] }));
        }
    }
    view.insert("version".into(), json!({ "type": "string", "description": "Send it back (or as If-Match) to edit" }));
    view.insert("created_at".into(), json!({ "type": "string", "format": "date-time" }));
    view.insert("updated_at".into(), json!({ "type": "string", "format": "date-time" }));
    let mut required: Vec<&str> = view.keys().map(String::as_str).collect::<Vec<_>>();
    required.sort();
    let view_schema = json!({ "type": "object", "description": format!("{} as the API shows it", bulwark_core::validate::with_article(ty.singular)),
                              "properties": view, "required": required });
    let body = |creating: bool| {
        let typed = ty.fields.iter().filter(|f| !f.derived);
        let mut properties: serde_json::Map<String, J> =
            typed.map(|f| (f.name.to_string(), sent(f, !f.required))).collect();
        if !creating {
            let doc = "The version this change is based on (a stale one answers 409)";
            properties.insert("version".into(), json!({ "type": ["string", "null"], "description": doc }));
        }
        // A required field with a default may be left out.
        let required = ty.fields.iter().filter(|f| creating && f.required && !f.derived && f.default.is_empty());
        let required = required.map(|f| f.name).collect();
        let what = if creating { "A new" } else { "The fields to change of" };
        let article =
            if creating { ty.singular.to_string() } else { bulwark_core::validate::with_article(ty.singular) };
        object(properties, required, format!("{what} {article}"))
    };
    let page = json!({ "type": "object", "required": ["items", "total"], "properties": {
        "items": { "type": "array", "items": schema_ref(&format!("{name}View")) },
        "total": { "type": "integer", "minimum": 0 },
        "next": { "type": ["string", "null"], "description": "The next page (also in the Link header)" } } });
    let named = json!({ "type": "object", "required": ["id", "name"],
        "properties": { "id": { "type": "string" }, "name": { "type": "string" } } });
    let steps = ty.actions.iter().filter(|a| !a.inputs.is_empty()).map(|a| {
        let properties = a.inputs.iter().map(|f| (f.name.to_string(), sent(f, !f.required))).collect();
        let required = a.inputs.iter().filter(|f| f.required).map(|f| f.name).collect();
        (step_schema(ty, a), object(properties, required, a.label.to_string()))
    });
    [
        (format!("{name}View"), view_schema),
        (format!("{name}New"), body(true)),
        (format!("{name}Patch"), body(false)),
        (format!("{name}Page"), page),
        ("NamedRecord".to_string(), named),
    ]
    .into_iter()
    .chain(steps)
    .filter_map(|(n, s)| serde_json::from_value(s).ok().map(|s| (n, s)))
    .collect()
}

fn list_parameters(ty: &'static RecordType) -> Vec<J> {
    let spec = ty.list_spec();
    let query = |name: &str, schema: J, doc: &str| json!({ "name": name, "in": "query", "required": false, "schema": schema, "description": doc });
    let mut params = vec![query(
        "q",
        json!({ "type": "string", "maxLength": 200, "pattern": SEARCH }),
        "Text found in the searched fields (any case)",
    )];
    for f in spec.filters {
        let schema = match f.kind {
            bulwark_core::list::FilterKind::Choice(values) => json!({ "type": "string", "enum": values }),
            _ => json!({ "type": "string", "format": "uuid", "pattern": UUID }),
        };
        params.push(query(f.name, schema, f.label));
    }
    let sorts: Vec<&str> = spec.sorts.iter().map(|s| s.name).collect();
    params.extend([
        query("sort", json!({ "type": "string", "enum": sorts }), "The sort key (the first is the default)"),
        query("dir", json!({ "type": "string", "enum": ["asc", "desc"] }), "asc (default) or desc"),
        query(
            "after",
            json!({ "type": "string", "minLength": 1, "maxLength": 2000 }),
            "The cursor from the previous page's next link",
        ),
        query("per_page", json!({ "type": "integer", "minimum": 1, "maximum": 500 }), "Items per page (50 by default)"),
    ]);
    params
}

fn id_parameter() -> J {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } })
}

fn if_match() -> J {
    json!({ "name": "If-Match", "in": "header", "required": false, "schema": { "type": "string" },
            "description": "The `version` (ETag) this change is based on; a stale one answers 412" })
}

fn json_response(description: &str, schema: &str) -> J {
    json!({ "description": description, "content": { "application/json": { "schema": schema_ref(schema) } } })
}

fn paths(path: &str, method: &Method, operation: J) -> Paths {
    let item = json!({ method.as_str().to_lowercase(): operation });
    serde_json::from_value(json!({ path: item })).unwrap_or_default()
}

/// One of the standard operations of the type at `path`.
pub fn operation(ty: &'static RecordType, path: &str, method: &Method) -> Paths {
    let name = pascal(ty.kind);
    let plural = ty.path.replace('-', "_");
    let body = |schema: String| json!({ "required": true, "content": { "application/json": { "schema": schema_ref(&schema) } } });
    let op = match *method {
        Method::GET if !path.ends_with("{id}") => json!({
            "operationId": format!("list_{plural}"), "summary": format!("List {}", ty.title.to_lowercase()),
            "parameters": list_parameters(ty),
            "responses": { "200": json_response("A page; `next` (and the Link header) name the next one", &format!("{name}Page")) } }),
        Method::POST => json!({
            "operationId": format!("create_{}", ty.kind), "summary": format!("Add {}", bulwark_core::validate::with_article(ty.singular)),
            "requestBody": body(format!("{name}New")),
            "responses": { "201": json_response("Created", &format!("{name}View")) } }),
        Method::GET => json!({
            "operationId": format!("get_{}", ty.kind), "parameters": [id_parameter()],
            "responses": { "200": json_response("The record, its version as ETag", &format!("{name}View")) } }),
        Method::PATCH => json!({
            "operationId": format!("update_{}", ty.kind), "summary": "Change the fields given",
            "parameters": [id_parameter(), if_match()], "requestBody": body(format!("{name}Patch")),
            "responses": { "200": json_response("Saved", &format!("{name}View")),
                           "412": { "description": "Changed since the version given in If-Match" } } }),
        _ => json!({
            "operationId": format!("delete_{}", ty.kind), "parameters": [id_parameter(), if_match()],
            "responses": { "204": { "description": "Deleted, with its links; its open tasks are withdrawn" },
                           "412": { "description": "Changed since the version given in If-Match" } } }),
    };
    paths(path, method, tagged(ty, op))
}

/// The body of a workflow step with inputs: `{Type}{Step}` ("KeyRevoke").
fn step_schema(ty: &RecordType, action: &Action) -> String {
    format!("{}{}", pascal(ty.kind), pascal(action.name))
}

/// A workflow step: `POST {path}`, with its inputs as the body (none when it has none).
pub fn action(ty: &'static RecordType, path: &str, action: &Action) -> Paths {
    let mut op = json!({
        "operationId": format!("{}_{}", action.name, ty.kind), "summary": action.summary,
        "parameters": [id_parameter()],
        "responses": { "200": json_response(action.label, &format!("{}View", pascal(ty.kind))),
                       "409": { "description": "The record cannot take this step now (the problem says why)" } } });
    if !action.inputs.is_empty() {
        let required = action.inputs.iter().any(|f| f.required);
        op["requestBody"] = json!({ "required": required,
            "content": { "application/json": { "schema": schema_ref(&step_schema(ty, action)) } } });
    }
    paths(path, &Method::POST, tagged(ty, op))
}

fn tagged(ty: &RecordType, mut op: J) -> J {
    op["tags"] = json!([ty.path]);
    op
}
