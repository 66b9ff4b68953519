//! A generated OSCAL catalog the size of a large framework, for the benchmark: 20 groups of
//! 40 controls, every other one with an enhancement (1,200 requirements in all), each with
//! two parameters and a statement with items and guidance, like NIST SP 800-53's controls.

use serde_json::{Value, json};

/// The catalog, with a uuid of its own each time (so that every import is a new framework).
pub fn large_catalog() -> Value {
    let control = |id: &str, title: String| {
        json!({
            "id": id,
            "class": "SP800-53",
            "title": title,
            "params": [
                {"id": format!("{id}_prm_1"), "label": "organization-defined personnel or roles"},
                {"id": format!("{id}_prm_2"), "select": {"how-many": "one-or-more", "choice": ["annually", "quarterly", "after a significant change"]}},
            ],
            "props": [{"name": "label", "value": id.to_uppercase()}, {"name": "sort-id", "value": id}],
            "parts": [
                {"id": format!("{id}_smt"), "name": "statement", "prose": format!("Review the {} with {{{{ insert: param, {id}_prm_1 }}}}:", "safeguard"),
                 "parts": [
                    {"id": format!("{id}_smt.a"), "name": "item", "props": [{"name": "label", "value": "a."}], "prose": format!("Document the procedure {{{{ insert: param, {id}_prm_2 }}}};")},
                    {"id": format!("{id}_smt.b"), "name": "item", "props": [{"name": "label", "value": "b."}], "prose": "Keep records of each review."}
                 ]},
                {"id": format!("{id}_gdn"), "name": "guidance", "prose": "Reviews find drift between the documented and the actual state of the safeguard."}
            ],
        })
    };
    let groups: Vec<Value> = (1..=20)
        .map(|g| {
            let controls: Vec<Value> = (1..=40)
                .map(|c| {
                    let id = format!("g{g:02}-{c}");
                    let mut one = control(&id, format!("Safeguard {g}.{c}"));
                    if c % 2 == 0 {
                        one["controls"] =
                            json!([control(&format!("{id}.1"), format!("Safeguard {g}.{c} enhancement"))]);
                    }
                    one
                })
                .collect();
            json!({"id": format!("g{g:02}"), "class": "family", "title": format!("Family {g}"), "controls": controls})
        })
        .collect();
    json!({"catalog": {
        "uuid": uuid::Uuid::new_v4().to_string(),
        "metadata": {"title": "Generated benchmark catalog", "version": "1.0", "oscal-version": "1.1.2",
                     "last-modified": "2026-11-26T00:00:00Z"},
        "groups": groups,
    }})
}

#[cfg(test)]
mod tests {
    #[test]
    fn it_reads_as_a_catalog_of_1200_requirements() {
        let text = serde_json::to_vec(&super::large_catalog()).unwrap();
        let c = bulwark_core::compliance::frameworks::oscal::read(&text).unwrap();
        assert_eq!((c.groups.len(), c.controls.len()), (20, 1200));
    }
}
