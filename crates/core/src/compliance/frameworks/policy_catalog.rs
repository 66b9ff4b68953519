//! The built-in framework: the organisation's own policy requirements, as an OSCAL catalog
//! built from the published policies — each policy a group, each of its `##` sections a
//! requirement whose statement is the section's text. Building it again (after a policy is
//! published) updates the same framework: its catalog uuid is fixed.

use super::{Imported, oscal};
use crate::error::CoreResult;
use crate::list::ListQuery;
use crate::time_util::Timestamp;
use crate::{Actor, Permission, Store};
use serde_json::{Value, json};

/// The uuid of the built-in catalog (fixed, so that it is one framework however often built).
pub const POLICY_CATALOG_UUID: &str = "0b5e3a52-6c1f-4f7e-9d2a-8a41c7f0e001";

/// Builds (or rebuilds) the framework of the published policies' requirements.
pub async fn build(store: &dyn Store, actor: &Actor, now: Timestamp) -> CoreResult<Imported> {
    actor.require(Permission::ManageCompliance)?;
    let mut published = Vec::new();
    {
        let mut r = store.read().await?;
        let mut query =
            ListQuery { filters: vec![("published", "yes".into())], ..crate::policies::LIST.first_page(100) };
        loop {
            let page = r.list_policies(&query).await?;
            for p in &page.items {
                if let Some(n) = p.published_number
                    && let Some(v) = r.find_policy_version(p.id, n).await?
                {
                    published.push((p.title.clone(), v.body));
                }
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
    }
    let catalog = catalog_of(&published, now);
    let read = oscal::read(&serde_json::to_vec(&catalog).unwrap_or_default())
        .map_err(|e| crate::CoreError::Internal(anyhow::anyhow!(e.0)))?;
    super::save(store, actor, now, read, true).await
}

/// An OSCAL catalog of (policy title, Markdown) pairs.
pub fn catalog_of(policies: &[(String, String)], now: Timestamp) -> Value {
    let titles: Vec<&str> = policies.iter().map(|(t, _)| t.as_str()).collect();
    let groups: Vec<Value> = policies
        .iter()
        .map(|(title, body)| {
            let prefix = label_prefix(title, &titles);
            let slug = slug(title);
            let controls: Vec<Value> = sections(body)
                .into_iter()
                .enumerate()
                .map(|(i, (heading, text))| {
                    let id = format!("{slug}-{}", i + 1);
                    json!({
                        "id": id,
                        "title": heading.unwrap_or_else(|| title.clone()),
                        "props": [{"name": "label", "value": format!("{prefix}.{}", i + 1)}],
                        "parts": [{"id": format!("{id}_smt"), "name": "statement", "prose": text}],
                    })
                })
                .collect();
            json!({"id": slug, "title": title, "controls": controls})
        })
        .collect();
    json!({"catalog": {
        "uuid": POLICY_CATALOG_UUID,
        "metadata": {
            "title": "Our policy requirements",
            "last-modified": crate::time_util::rfc3339(now),
            "version": now.date().to_string(),
            "oscal-version": "1.1.2",
            "remarks": "Built by Bulwark from the published policies: each policy is a group, each of its sections a requirement.",
        },
        "groups": groups,
    }})
}

/// `## ` sections as (heading, text); a policy without any is one section of its whole text.
fn sections(body: &str) -> Vec<(Option<String>, String)> {
    let mut out: Vec<(Option<String>, String)> = Vec::new();
    for line in body.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            out.push((Some(h.trim().to_string()), String::new()));
        } else if line.starts_with("# ") && out.is_empty() {
            continue; // the policy's own title
        } else {
            if out.is_empty() {
                out.push((None, String::new()));
            }
            if let Some((_, text)) = out.last_mut() {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    out.retain(|(h, t)| h.is_some() || !t.trim().is_empty());
    out.into_iter().map(|(h, t)| (h, t.trim().to_string())).collect()
}

fn slug(title: &str) -> String {
    let s: String = title.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) { s } else { format!("p-{s}") }
}

/// The label prefix of a policy's requirements: its title's initials ("Audit policy": AP),
/// with as many letters of the first word as it takes to tell it from every other policy's
/// ("Audit policy" AUDP beside "Authentication policy" AUTP), so no label means two things.
fn label_prefix(title: &str, all: &[&str]) -> String {
    let longest = title.split_whitespace().next().map_or(1, |w| w.chars().count()).max(1);
    let clashes = |k: usize| all.iter().filter(|other| initials(other, k) == initials(title, k)).count() > 1;
    match (1..=longest).find(|&k| !clashes(k)) {
        Some(k) => initials(title, k),
        // Two policies with one title: number them in the order given.
        None => {
            let position = all.iter().position(|t| *t == title).unwrap_or(0);
            format!("{}{}", initials(title, longest), position + 1)
        }
    }
}

/// The first `first_letters` letters of the title's first word, then each other word's initial.
fn initials(title: &str, first_letters: usize) -> String {
    let mut words = title.split_whitespace();
    let first = words.next().unwrap_or_default().chars().filter(|c| c.is_alphanumeric()).take(first_letters);
    first
        .chain(words.filter_map(|w| w.chars().next()).filter(|c| c.is_alphanumeric()))
        .collect::<String>()
        .to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_policy_is_a_group_and_each_section_a_requirement() {
        let policies = vec![
            ("Asset management policy".to_string(), "# Asset management policy\n\n## Inventory\nEvery asset is recorded.\n\n## Lifecycle\nReturned when leaving.\n".to_string()),
            ("Short policy".to_string(), "Be careful.".to_string()),
            ("Audit policy".to_string(), "Audited yearly.".to_string()),
            ("Authentication policy".to_string(), "Own accounts.".to_string()),
        ];
        let c = oscal::read(&serde_json::to_vec(&catalog_of(&policies, crate::time_util::now())).unwrap()).unwrap();
        assert_eq!(c.uuid, POLICY_CATALOG_UUID);
        assert_eq!(
            c.groups.iter().map(|g| g.title.as_str()).collect::<Vec<_>>(),
            ["Asset management policy", "Short policy", "Audit policy", "Authentication policy"]
        );
        let titles: Vec<_> =
            c.controls.iter().map(|r| (r.control_id.as_str(), r.title.as_str(), r.label.as_deref())).collect();
        assert_eq!(
            titles,
            [
                ("asset-management-policy-1", "Inventory", Some("AMP.1")),
                ("asset-management-policy-2", "Lifecycle", Some("AMP.2")),
                ("short-policy-1", "Short policy", Some("SP.1")),
                ("audit-policy-1", "Audit policy", Some("AUDP.1")),
                ("authentication-policy-1", "Authentication policy", Some("AUTP.1")),
            ],
            "initials that two policies share get letters of the first word until they differ"
        );
        assert_eq!(c.controls[1].body["parts"][0]["prose"], "Returned when leaving.");
    }
}
