//! A requirement's statement as Markdown, with its parameters filled in: a parameter with
//! values shows them, one with a selection shows its choices, any other one its label as a
//! placeholder (`[Assignment: organization-defined frequency]`). Items (`a.`, `1.`) become a
//! nested list under the statement's own prose.

use super::FrameworkContent;
use super::oscal::ControlRow;
use serde_json::Value;
use std::collections::HashMap;

/// The Markdown of the control's `statement` part, or None when it has none.
pub fn render(content: &FrameworkContent, control: &ControlRow) -> Option<String> {
    let params = params_in_scope(content, control);
    let statement = parts(&control.body).into_iter().find(|p| name(p) == "statement")?;
    let mut out = String::new();
    write_part(&mut out, statement, &params, 0);
    Some(out.trim_end().to_string())
}

/// The prose of the control's parts named `name` (guidance, objective, …), parameters filled.
pub fn prose_of(content: &FrameworkContent, control: &ControlRow, part_name: &str) -> Vec<String> {
    let params = params_in_scope(content, control);
    parts(&control.body)
        .into_iter()
        .filter(|p| name(p) == part_name)
        .map(|p| {
            let mut out = String::new();
            write_part(&mut out, p, &params, 0);
            out.trim_end().to_string()
        })
        .collect()
}

fn parts(v: &Value) -> Vec<&Value> {
    v.get("parts").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default()
}

fn name(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or_default()
}

fn label(v: &Value) -> Option<&str> {
    v.get("props")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some("label"))?
        .get("value")?
        .as_str()
}

/// The parameters a control's text may use: the catalog's, its groups', its own and those of
/// the controls it enhances (the nearest wins).
fn params_in_scope<'a>(content: &'a FrameworkContent, control: &'a ControlRow) -> HashMap<&'a str, &'a Value> {
    let mut scope = HashMap::new();
    let mut add = |v: &'a Value| {
        for p in v.get("params").and_then(Value::as_array).into_iter().flatten() {
            if let Some(id) = p.get("id").and_then(Value::as_str) {
                scope.insert(id, p);
            }
        }
    };
    add(&content.rest);
    let mut chain = vec![control];
    while let Some(parent) = chain.last().and_then(|c| c.parent_control.as_deref()).and_then(|p| content.control(p)) {
        chain.push(parent);
    }
    for g in content.group_path(chain.last().and_then(|c| c.group_position)) {
        add(&g.body);
    }
    for c in chain.iter().rev() {
        add(&c.body);
    }
    scope
}

fn write_part(out: &mut String, part: &Value, params: &HashMap<&str, &Value>, depth: usize) {
    let prose = part.get("prose").and_then(Value::as_str).map(|p| fill(p, params, 0)).unwrap_or_default();
    if depth == 0 {
        if !prose.is_empty() {
            out.push_str(&prose);
            out.push_str("\n\n");
        }
    } else {
        let indent = "  ".repeat(depth - 1);
        let label = label(part).map(|l| format!("**{l}** ")).unwrap_or_default();
        out.push_str(&format!("{indent}- {label}{}\n", prose.replace('\n', " ")));
    }
    for child in parts(part).into_iter().filter(|p| name(p) == "item" || depth == 0) {
        write_part(out, child, params, depth + 1);
    }
}

/// Replaces every `{{ insert: param, ID }}` in `text`.
fn fill(text: &str, params: &HashMap<&str, &Value>, depth: usize) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        out.push_str(&rest[..start]);
        let inner = rest[start + 2..start + len].trim();
        let id = inner.strip_prefix("insert:").map(str::trim).and_then(|i| i.strip_prefix("param,")).map(str::trim);
        match id {
            Some(id) => out.push_str(&param_text(id, params.get(id).copied(), params, depth)),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn param_text(id: &str, param: Option<&Value>, params: &HashMap<&str, &Value>, depth: usize) -> String {
    let Some(p) = param else { return format!("[Assignment: {id}]") };
    let strings = |key: &str| -> Vec<String> {
        p.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    let values = strings("values");
    if !values.is_empty() {
        return format!("*{}*", values.join(", "));
    }
    if let Some(select) = p.get("select") {
        let choices: Vec<String> = select
            .get("choice")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|c| if depth < 4 { fill(c, params, depth + 1) } else { c.to_string() })
            .collect();
        let many = select.get("how-many").and_then(Value::as_str) == Some("one-or-more");
        return format!("[Selection{}: {}]", if many { " (one or more)" } else { "" }, choices.join("; "));
    }
    match p.get("label").and_then(Value::as_str) {
        Some(l) => format!("[Assignment: {l}]"),
        None => format!("[Assignment: {id}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::oscal;
    use super::*;

    #[test]
    fn parameters_are_filled_or_shown_as_placeholders() {
        let text = r#"{"catalog": {"uuid": "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724",
          "metadata": {"title": "T", "oscal-version": "1.1.2"},
          "params": [{"id": "freq", "values": ["every year"]}],
          "controls": [{"id": "ac-1", "title": "Policy",
            "params": [{"id": "ac-1_prm_1", "label": "organization-defined personnel"},
                       {"id": "ac-1_prm_2", "select": {"how-many": "one-or-more", "choice": ["organization-level", "system-level {{ insert: param, freq }}"]}}],
            "parts": [{"id": "ac-1_smt", "name": "statement", "prose": "Develop a policy for {{ insert: param, ac-1_prm_1 }}:",
                       "parts": [{"id": "ac-1_smt.a", "name": "item", "props": [{"name": "label", "value": "a."}],
                                  "prose": "at {{ insert: param, ac-1_prm_2 }}; reviewed {{ insert: param, freq }}"}]},
                      {"id": "ac-1_gdn", "name": "guidance", "prose": "See {{ insert: param, nope }}."}],
            "controls": [{"id": "ac-1.1", "title": "Enhancement", "parts": [{"name": "statement", "prose": "Also {{ insert: param, ac-1_prm_1 }}."}]}]}]}}"#;
        let c = oscal::read(text.as_bytes()).unwrap();
        let framework = crate::compliance::frameworks::Framework {
            id: crate::ids::FrameworkId::new(),
            catalog_uuid: c.uuid.clone(),
            title: c.title.clone(),
            version: String::new(),
            oscal_version: c.oscal_version.clone(),
            control_count: 2,
            group_count: 0,
            built_in: false,
            created_at: crate::time_util::now(),
            updated_at: crate::time_util::now(),
        };
        let content = FrameworkContent { framework, rest: c.rest, groups: c.groups, controls: c.controls };
        let md = render(&content, &content.controls[0]).unwrap();
        assert_eq!(
            md,
            "Develop a policy for [Assignment: organization-defined personnel]:\n\n\
             - **a.** at [Selection (one or more): organization-level; system-level *every year*]; reviewed *every year*"
        );
        assert_eq!(
            render(&content, &content.controls[1]).unwrap(),
            "Also [Assignment: organization-defined personnel]."
        );
        assert_eq!(prose_of(&content, &content.controls[0], "guidance"), ["See [Assignment: nope]."]);
    }
}
