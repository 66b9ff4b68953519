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
        link_creations(openapi);
    }
}

/// Links each creation (`POST /x` answering 201 with a record that has an `id`) to the
/// operations on that record (`/x/{id}` and its sub-paths with no other parameter), so
/// clients and stateful testers follow them: read what was made, change it, delete it.
fn link_creations(openapi: &mut OpenApi) {
    use utoipa::openapi::RefOr;
    let record_has_id = |schema_ref: &str| {
        let name = schema_ref.trim_start_matches("#/components/schemas/");
        openapi.components.as_ref().and_then(|c| c.schemas.get(name)).is_some_and(
            |s| matches!(s, RefOr::T(utoipa::openapi::schema::Schema::Object(o)) if o.properties.contains_key("id")),
        )
    };
    // (collection path, the created record's schema) for every creation.
    let creations: Vec<String> = openapi
        .paths
        .paths
        .iter()
        .filter(|(_, item)| {
            let created = item.post.as_ref().and_then(|op| op.responses.responses.get("201"));
            let schema = match created {
                Some(RefOr::T(r)) => r.content.get("application/json").and_then(|c| match c {
                    RefOr::T(content) => match &content.schema {
                        Some(RefOr::Ref(r)) => Some(r.ref_location.clone()),
                        _ => None,
                    },
                    RefOr::Ref(_) => None,
                }),
                _ => None,
            };
            schema.is_some_and(|s| record_has_id(&s))
        })
        .map(|(path, _)| path.clone())
        .collect();
    for collection in creations {
        let prefix = format!("{collection}/{{");
        let mut links = Vec::new();
        for (path, item) in &openapi.paths.paths {
            let Some(rest) = path.strip_prefix(&prefix) else { continue };
            let Some((param, tail)) = rest.split_once('}') else { continue };
            if tail.contains('{') {
                continue;
            }
            let ops = [&item.get, &item.put, &item.patch, &item.post, &item.delete];
            for op in ops.into_iter().flatten() {
                if let Some(id) = &op.operation_id {
                    let link = utoipa::openapi::link::LinkBuilder::new()
                        .operation_id(id.clone())
                        .parameter(param, "$response.body#/id")
                        .build();
                    links.push((id.clone(), link));
                }
            }
        }
        let created = openapi.paths.paths.get_mut(&collection).and_then(|i| i.post.as_mut());
        if let Some(RefOr::T(response)) = created.and_then(|op| op.responses.responses.get_mut("201")) {
            response.links.extend(links.into_iter().map(|(name, link)| (name, RefOr::T(link))));
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
