//! SCIM discovery (RFC 7644 §4): what this service provider supports, its resource types and
//! the schemas of the attributes it serves, as RFC 7643 §5–§7 describe them.

use super::{ENTERPRISE_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE, MAX_RESULTS, ScimError, ScimResult, USER_SCHEMA};
use serde_json::{Value, json};

const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

fn location(base: &str, rest: &str) -> String {
    format!("{}/{rest}", base.trim_end_matches('/'))
}

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": [SPC_SCHEMA],
        "documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "SCIM bearer token",
            "description": "A SCIM token created by a Bulwark admin (Settings › SCIM, or `bulwark scim-token create`), sent as `Authorization: Bearer …`.",
            "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": location(base, "ServiceProviderConfig")},
    })
}

fn resource_type(base: &str, name: &str) -> Option<Value> {
    let (endpoint, schema, extensions) = match name {
        "User" => ("/Users", USER_SCHEMA, json!([{"schema": ENTERPRISE_SCHEMA, "required": false}])),
        "Group" => ("/Groups", GROUP_SCHEMA, json!([])),
        _ => return None,
    };
    Some(json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": if name == "User" { "A person of the directory" } else { "A department" },
        "schema": schema,
        "schemaExtensions": extensions,
        "meta": {"resourceType": "ResourceType", "location": location(base, &format!("ResourceTypes/{name}"))},
    }))
}

pub fn resource_types(base: &str) -> Value {
    let all: Vec<Value> = ["User", "Group"].iter().filter_map(|n| resource_type(base, n)).collect();
    list(all)
}

pub fn one_resource_type(base: &str, name: &str) -> ScimResult<Value> {
    resource_type(base, name).ok_or_else(|| ScimError::not_found("resource type"))
}

/// An attribute's definition: `(name, type, multi-valued, required, mutability, returned, uniqueness)`.
fn attr(name: &str, kind: &str, multi: bool, required: bool, mutability: &str, uniqueness: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": multi, "required": required, "caseExact": false,
        "mutability": mutability, "returned": if name == "id" { "always" } else { "default" }, "uniqueness": uniqueness,
        "description": name,
    })
}

fn complex(name: &str, multi: bool, mutability: &str, subs: Vec<Value>) -> Value {
    let mut a = attr(name, "complex", multi, false, mutability, "none");
    a["subAttributes"] = Value::Array(subs);
    a
}

fn text(name: &str) -> Value {
    attr(name, "string", false, false, "readWrite", "none")
}

fn schema(base: &str, id: &str) -> Option<Value> {
    let (name, description, attributes) = match id {
        USER_SCHEMA => (
            "User",
            "A person of the directory",
            vec![
                attr("userName", "string", false, true, "readWrite", "server"),
                complex("name", false, "readWrite", vec![text("formatted"), text("givenName"), text("familyName")]),
                text("displayName"),
                text("userType"),
                attr("active", "boolean", false, false, "readWrite", "none"),
                complex(
                    "emails",
                    true,
                    "readWrite",
                    vec![text("value"), text("type"), attr("primary", "boolean", false, false, "readWrite", "none")],
                ),
                complex(
                    "groups",
                    true,
                    "readOnly",
                    vec![
                        attr("value", "string", false, false, "readOnly", "none"),
                        attr("display", "string", false, false, "readOnly", "none"),
                        attr("$ref", "reference", false, false, "readOnly", "none"),
                        attr("type", "string", false, false, "readOnly", "none"),
                    ],
                ),
                text("externalId"),
            ],
        ),
        GROUP_SCHEMA => (
            "Group",
            "A department",
            vec![
                attr("displayName", "string", false, true, "readWrite", "server"),
                complex(
                    "members",
                    true,
                    "readWrite",
                    vec![
                        attr("value", "string", false, false, "immutable", "none"),
                        attr("display", "string", false, false, "readOnly", "none"),
                        attr("$ref", "reference", false, false, "immutable", "none"),
                        attr("type", "string", false, false, "immutable", "none"),
                    ],
                ),
                text("externalId"),
            ],
        ),
        ENTERPRISE_SCHEMA => (
            "EnterpriseUser",
            "Enterprise user: the department and the manager",
            vec![
                text("department"),
                complex(
                    "manager",
                    false,
                    "readWrite",
                    vec![
                        text("value"),
                        attr("$ref", "reference", false, false, "readWrite", "none"),
                        attr("displayName", "string", false, false, "readOnly", "none"),
                    ],
                ),
            ],
        ),
        _ => return None,
    };
    Some(json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": location(base, &format!("Schemas/{id}"))},
    }))
}

pub fn schemas(base: &str) -> Value {
    list([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_SCHEMA].iter().filter_map(|id| schema(base, id)).collect())
}

pub fn one_schema(base: &str, id: &str) -> ScimResult<Value> {
    schema(base, id).ok_or_else(|| ScimError::not_found("schema"))
}

fn list(all: Vec<Value>) -> Value {
    json!({"schemas": [LIST_RESPONSE], "totalResults": all.len(), "startIndex": 1, "itemsPerPage": all.len(), "Resources": all})
}
