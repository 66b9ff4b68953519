//! Makes the OpenAPI document say what the server does: every operation lists every problem
//! status it can answer (in one place, from the method and the path, rather than by hand per
//! handler), every response has its required description, and edits document `If-Match`.

use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{ObjectBuilder, Ref, Type};
use utoipa::openapi::{Content, OpenApi, Required};

pub struct ContractResponses;

impl utoipa::Modify for ContractResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_id = path.contains('{');
            let ops = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("patch", &mut item.patch),
                ("delete", &mut item.delete),
            ];
            for (method, op) in ops {
                if let Some(op) = op.as_mut() {
                    complete(op, method, has_id);
                }
            }
        }
    }
}

fn complete(op: &mut Operation, method: &str, has_id: bool) {
    let writes = matches!(method, "post" | "put" | "patch");
    let mut problems: Vec<(&str, &str)> = vec![
        ("400", "Malformed request: a query or path value of the wrong type, or invalid UTF-8"),
        ("401", "Authentication required: no valid session or token"),
        ("403", "The caller's roles do not allow this, or a cookie-authenticated write lacks its CSRF token"),
    ];
    let pages_by_cursor =
        op.parameters.iter().flatten().any(|p| matches!(p, utoipa::openapi::RefOr::T(p) if p.name == "after"));
    if has_id {
        problems.push(("404", "No such record"));
    } else if pages_by_cursor {
        problems.push(("404", "The `after` cursor names no place in this list"));
    }
    if writes || method == "delete" {
        problems.push(("409", "Conflict with the stored state (changed meanwhile, or a uniqueness rule)"));
    }
    if writes {
        problems.push(("413", "Request body too large"));
        problems.push(("415", "The body must be application/json"));
        problems.push(("422", "Invalid fields; `errors` names each one"));
    }
    if method == "get" {
        problems.push(("422", "Invalid filter or page values; `errors` names each one"));
    }
    if method == "put" {
        problems.push(("412", "The record changed since the version sent in If-Match"));
        let if_match = ParameterBuilder::new()
            .name("If-Match")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some("The `version` (ETag) this edit is based on; a stale edit answers 412"))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build();
        op.parameters.get_or_insert_with(Vec::new).push(if_match.into());
    }
    for (status, description) in problems {
        op.responses.responses.entry(status.to_string()).or_insert_with(|| {
            Response::builder()
                .description(description)
                .content("application/problem+json", Content::new(Some(Ref::from_schema_name("Problem"))))
                .build()
                .into()
        });
    }
    for (status, response) in op.responses.responses.iter_mut() {
        if let utoipa::openapi::RefOr::T(r) = response
            && r.description.is_empty()
        {
            r.description = default_description(status).to_string();
        }
    }
}

fn default_description(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "204" => "Done; no content",
        "404" => "No such record",
        "422" => "Invalid fields; `errors` names each one",
        _ => "See the problem document",
    }
}
