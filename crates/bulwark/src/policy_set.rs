//! The policy set `seed` and `demo` start with: the information security policy and its
//! sub-policies, each written by the security team, ratified by management and published.
//! The texts live in `crates/bulwark/policies/` as Markdown.

use bulwark_core::policies::{self, PolicyInput, Transition};
use bulwark_core::{Actor, Role, Store, Timestamp};

/// (title, Markdown) of the root policy; then its sub-policies.
const ROOT: (&str, &str) = ("Information security policy", include_str!("../policies/information-security.md"));
const SUB_POLICIES: &[(&str, &str)] = &[
    ("Asset management policy", include_str!("../policies/asset-management.md")),
    ("Cryptography and key management policy", include_str!("../policies/cryptography.md")),
    ("Authentication policy", include_str!("../policies/authentication.md")),
    ("Secure engineering policy", include_str!("../policies/secure-engineering.md")),
    ("Change management policy", include_str!("../policies/change-management.md")),
    ("Customer data access policy", include_str!("../policies/customer-data-access.md")),
    ("Incident management policy", include_str!("../policies/incident-management.md")),
    ("Procurement and vendor policy", include_str!("../policies/procurement.md")),
    ("Audit policy", include_str!("../policies/audit.md")),
];

/// Creates and publishes the policy set; returns how many policies it has.
pub async fn publish(store: &dyn Store, now: Timestamp) -> anyhow::Result<usize> {
    let writer = Actor { label: "security team (seed)".into(), roles: vec![Role::Security], ..Actor::cli() };
    let ratifier = Actor { label: "management (seed)".into(), roles: vec![Role::Management], ..Actor::cli() };
    let mut parent = String::new();
    for (title, body) in std::iter::once(&ROOT).chain(SUB_POLICIES) {
        let input = PolicyInput {
            title: (*title).into(),
            parent_id: parent.clone(),
            review_months: "12".into(),
            public: *title == ROOT.0,
            body: (*body).into(),
            change_note: "First version".into(),
            ..Default::default()
        };
        let p = policies::create(store, &writer, now, &input).await?;
        for (who, step) in
            [(&writer, Transition::Submit), (&ratifier, Transition::Ratify), (&writer, Transition::Publish)]
        {
            policies::transition(store, who, now, p.id, 1, step).await?;
        }
        if parent.is_empty() {
            parent = p.id.to_string();
        }
    }
    Ok(1 + SUB_POLICIES.len())
}
