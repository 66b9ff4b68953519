//! The policy set `seed` and `demo` start with: the information security policy and its
//! sub-policies, each written by the security team, ratified by management and published.
//! The texts live in `crates/bulwark/policies/` as Markdown.

use bulwark_core::ids::PersonId;
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

/// Opens this year's acknowledgment campaign for everyone (due in 30 days) on the published
/// set, and records the signatures of the people at the indexes `signed` accepts.
pub async fn open_campaign(
    store: &dyn Store,
    now: Timestamp,
    people: &[bulwark_core::organisation::people::Person],
    signed: impl Fn(usize) -> bool,
) -> anyhow::Result<bulwark_core::policies::campaigns::Campaign> {
    use bulwark_core::policies::campaigns::{self, CampaignInput};
    let security = Actor { label: "security team (seed)".into(), roles: vec![Role::Security], ..Actor::cli() };
    let input = CampaignInput {
        title: format!("Policy acknowledgment {}", now.year()),
        due_date: (now + time::Duration::days(30)).date().to_string(),
        ..Default::default()
    };
    let campaign = campaigns::create(store, &security, now, &input).await?;
    let signers: Vec<_> = people.iter().enumerate().filter(|(i, _)| signed(*i)).map(|(_, p)| p.id).collect();
    for chunk in signers.chunks(5_000) {
        campaigns::acknowledge_many(store, &security, now, campaign.id, chunk).await?;
    }
    Ok(campaign)
}

/// Creates and publishes the policy set, owned by `owner` (who gets the review tasks);
/// returns how many policies it has.
pub async fn publish(store: &dyn Store, now: Timestamp, owner: Option<PersonId>) -> anyhow::Result<usize> {
    let writer = Actor { label: "security team (seed)".into(), roles: vec![Role::Security], ..Actor::cli() };
    let ratifier = Actor { label: "management (seed)".into(), roles: vec![Role::Management], ..Actor::cli() };
    let mut parent = String::new();
    for (title, body) in std::iter::once(&ROOT).chain(SUB_POLICIES) {
        let input = PolicyInput {
            title: (*title).into(),
            parent_id: parent.clone(),
            review_months: "12".into(),
            owner_person_id: owner.map(|o| o.to_string()).unwrap_or_default(),
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
