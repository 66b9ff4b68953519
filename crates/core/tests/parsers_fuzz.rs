//! Property tests (bounded fuzzing) of every parser of outside input in the core: OSCAL
//! catalogs, SCIM filters, paths and PATCH bodies, and the asset CSV import. Inputs are both
//! arbitrary and built from each format's own vocabulary (so they reach past the first check);
//! whatever comes in, a parser answers with a value or an error and never panics. Cases are
//! bounded so a run takes seconds; `PROPTEST_CASES` raises them for a longer hunt, and a
//! failure proptest finds is kept in `parsers_fuzz.proptest-regressions` beside this file and
//! replayed on every run.
//! (CVSS vectors are fuzzed by mutation in `cvss_reference.rs`.)

use bulwark_core::compliance::frameworks::oscal;
use bulwark_core::identity::scim::patch;
use bulwark_core::identity::scim_filter;
use proptest::prelude::*;
use serde_json::{Value, json};

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// Text made of a format's pieces, glued in any order.
fn from_pieces(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(pieces), 0..max).prop_map(|p| p.concat())
}

const FILTER_PIECES: &[&str] = &[
    "userName",
    "emails",
    "name.givenName",
    "urn:ietf:params:scim:schemas:core:2.0:User:userName",
    "members",
    "value",
    "type",
    ".",
    " ",
    " eq ",
    " ne ",
    " co ",
    " sw ",
    " ew ",
    " pr",
    " gt ",
    " ge ",
    " lt ",
    " le ",
    " and ",
    " or ",
    "not ",
    "(",
    ")",
    "[",
    "]",
    "\"ada@example.com\"",
    "\"",
    "\\\"",
    "\\",
    "true",
    "false",
    "null",
    "1",
    "-2.5e3",
    "ö",
    "\u{0}",
    "x",
];

/// Any JSON value, with keys and strings a PATCH body uses.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(
            &[
                "add",
                "remove",
                "replace",
                "Add",
                "userName",
                "active",
                "emails",
                "emails[type eq \"work\"].value",
                "name.familyName",
                "members[value eq \"x\"]",
                "urn:ietf:params:scim:api:messages:2.0:PatchOp",
                "id",
                "meta",
                "",
                "[",
                "a@b.c",
            ][..]
        )
        .prop_map(|s| Value::from(s.to_string())),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(&["op", "path", "value", "Operations", "schemas", "type", "primary", "x"][..]),
                    inner
                ),
                0..6
            )
            .prop_map(|fields| Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// A PATCH request whose operations are made of the pieces above.
fn patch_request() -> impl Strategy<Value = Value> {
    prop::collection::vec(json_value(), 1..5)
        .prop_map(|ops| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}))
}

fn scim_user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2c1e0f6e-1b3a-4c9e-9d7a-3f3a2b1c0d9e",
        "userName": "ada@example.com",
        "active": true,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
        "meta": {"resourceType": "User"}
    })
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn scim_filters_parse_or_are_refused(text in prop_oneof![from_pieces(FILTER_PIECES, 24), any::<String>()]) {
        let _ = scim_filter::parse(&text);
        let _ = scim_filter::parse_patch_path(&text);
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn scim_patch_bodies_apply_or_are_refused_and_never_touch_read_only_attributes(body in patch_request()) {
        if let Ok(ops) = patch::parse_request(&body) {
            let mut user = scim_user();
            if patch::apply(&mut user, &ops, &["id", "meta"]).is_ok() {
                prop_assert_eq!(&user["id"], &scim_user()["id"]);
                prop_assert_eq!(&user["meta"], &scim_user()["meta"]);
            }
        }
    }

    #[test]
    fn any_json_is_a_patch_request_or_refused(body in json_value()) {
        let _ = patch::parse_request(&body);
    }
}

/// The basic catalog with one node replaced (or removed) along a path chosen by `choices`.
fn mutated_catalog(choices: &[usize], replacement: Value) -> Vec<u8> {
    let mut doc: Value =
        serde_json::from_str(include_str!("../../../fixtures/oscal/basic-catalog.json")).expect("the fixture is JSON");
    // Walk down (reading) to find the node's JSON pointer, then replace it.
    let mut pointer = String::new();
    let mut node = &doc;
    for &c in choices {
        let step = match node {
            Value::Object(o) if !o.is_empty() => {
                o.iter().nth(c % o.len()).map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            }
            Value::Array(a) if !a.is_empty() => Some(((c % a.len()).to_string(), &a[c % a.len()])),
            _ => None,
        };
        let Some((key, next)) = step else { break };
        pointer.push('/');
        pointer.push_str(&key);
        node = next;
    }
    if let Some(target) = doc.pointer_mut(&pointer) {
        *target = replacement;
    }
    serde_json::to_vec(&doc).expect("serializable")
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn oscal_catalogs_with_any_node_changed_import_or_are_refused_by_name(
        choices in prop::collection::vec(any::<usize>(), 1..9),
        replacement in json_value(),
    ) {
        let text = mutated_catalog(&choices, replacement);
        match oscal::read(&text) {
            Ok(catalog) => {
                // What was read is written back and reads the same.
                let again = serde_json::to_vec(&oscal::rebuild(&catalog.rest, &catalog.groups, &catalog.controls)).unwrap();
                let reread = oscal::read(&again).expect("a catalog we wrote reads again");
                prop_assert_eq!(reread.controls.len(), catalog.controls.len());
                prop_assert_eq!(reread.groups.len(), catalog.groups.len());
            }
            Err(e) => prop_assert!(!e.0.is_empty(), "a refusal says why"),
        }
    }

    #[test]
    fn arbitrary_bytes_are_not_a_catalog(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(oscal::read(&bytes).is_err());
    }
}

const CSV_PIECES: &[&str] = &[
    "name",
    "kind",
    "identifier",
    "owner_email",
    "custodian_email",
    "classification",
    "status",
    "description",
    ",",
    "\n",
    "\r\n",
    "\"",
    "\"\"",
    "device",
    "saas",
    "laptop",
    "active",
    "=cmd|' /C calc'!A0",
    "+1",
    "-1",
    "@x",
    "\t",
    "ada@example.com",
    "confidential",
    "unknown-column",
    "ö",
    " ",
];

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn asset_csv_imports_parse_or_name_the_bad_rows(
        text in prop_oneof![
            from_pieces(CSV_PIECES, 40),
            from_pieces(CSV_PIECES, 40).prop_map(|rows| format!("name,kind,identifier\n{rows}")),
            any::<String>(),
        ]
    ) {
        match bulwark_core::assets::parse_import(&text) {
            Ok(rows) => prop_assert!(rows.len() <= text.lines().count()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
