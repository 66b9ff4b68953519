//! A generated organisation: departments with heads, people with realistic names, the
//! security team's areas, and (optionally) a long audit history. Deterministic per seed.

use bulwark_core::audit::AuditRecord;
use bulwark_core::ids::{DepartmentId, PersonId};
use bulwark_core::organisation::departments::Department;
use bulwark_core::organisation::people::{Person, PersonKind, PersonStatus};
use bulwark_core::{Actor, Store, time_util};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

const FIRST: &[&str] = &[
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Whitfield",
    "Hedy",
    "Tim",
    "Katherine",
    "Vint",
    "Shafi",
    "Leslie",
    "Anita",
    "Donald",
    "Sophie",
    "Yusuf",
    "Mei",
    "Lars",
    "Ingrid",
    "Mateo",
    "Amara",
    "Kenji",
    "Priya",
    "Olga",
    "Tomás",
    "Fatima",
    "Noah",
    "Chloé",
    "Aiko",
    "Emeka",
    "Sanna",
    "Diego",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Diffie",
    "Lamarr",
    "Berners-Lee",
    "Johnson",
    "Cerf",
    "Goldwasser",
    "Lamport",
    "Borg",
    "Knuth",
    "Wilson",
    "Okafor",
    "Nakamura",
    "Lindqvist",
    "Haugen",
    "García",
    "Mensah",
    "Tanaka",
    "Raman",
    "Petrova",
    "Novak",
    "Haddad",
    "Fischer",
];
pub const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Product",
    "Security",
    "IT",
    "Sales",
    "Marketing",
    "Customer Success",
    "Finance",
    "People",
    "Legal",
];

fn id(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// Generates the departments and `n` people (the first person of each department heads it).
pub fn organisation(n: usize, seed: u64) -> (Vec<Department>, Vec<Person>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let now = time_util::now();
    let mut departments: Vec<Department> = DEPARTMENTS
        .iter()
        .map(|name| Department {
            id: DepartmentId(id(&mut rng)),
            name: (*name).into(),
            head_person_id: None,
            head_name: None,
            people_count: 0,
            created_at: now,
            updated_at: now,
        })
        .collect();
    let mut people = Vec::with_capacity(n);
    let mut short_emails = std::collections::HashSet::new();
    for i in 0..n {
        let first = FIRST[rng.random_range(0..FIRST.len())];
        let last = LAST[rng.random_range(0..LAST.len())];
        let dept = i % departments.len();
        let kind = match rng.random_range(0..20) {
            0 => PersonKind::Student,
            1..=2 => PersonKind::Contractor,
            _ => PersonKind::Employee,
        };
        let status = match rng.random_range(0..50) {
            0 => PersonStatus::Onboarding,
            1 => PersonStatus::Offboarding,
            2 => PersonStatus::Left,
            _ => PersonStatus::Active,
        };
        let local = format!("{}.{}", first, last).to_lowercase().replace(' ', "");
        // The first people (the heads, the demo's logins) get a plain address unless two of
        // them drew the same name; everyone else's carries their number.
        let short = format!("{local}@example.com");
        let email = if i < departments.len() * 2 && short_emails.insert(short.clone()) {
            short
        } else {
            format!("{local}.{i}@example.com")
        };
        let p = Person {
            id: PersonId(id(&mut rng)),
            name: format!("{first} {last}"),
            email,
            kind,
            department_id: Some(departments[dept].id),
            department_name: None,
            status,
            created_at: now,
            updated_at: now,
        };
        if departments[dept].head_person_id.is_none() {
            departments[dept].head_person_id = Some(p.id);
        }
        people.push(p);
    }
    (departments, people)
}

/// Writes the organisation, the default areas, the published policy set with an open
/// acknowledgment campaign that part of the people have signed, the secure-configuration
/// checklist campaign that part of them have answered, `assets` assets, a risk register of
/// one risk per two people, one past incident per person, and `audit_entries` history entries.
pub async fn seed(
    store: &dyn Store,
    people: usize,
    assets: usize,
    audit_entries: usize,
    seed: u64,
) -> anyhow::Result<(Vec<Department>, Vec<Person>)> {
    let actor = Actor::cli();
    let (departments, persons) = organisation(people, seed);
    let now = time_util::now();
    let summary = serde_json::json!({ "departments": departments.len(), "people": persons.len(), "seed": seed });
    let audit = AuditRecord::new(&actor, now, "directory.import", "directory", "seed", None::<&()>, Some(&summary));
    let mut tx = store.write().await?;
    tx.import_directory(&departments, &persons).await?;
    tx.audit(audit);
    tx.commit().await?;
    bulwark_core::organisation::areas::ensure_default_areas(store, now).await?;
    // Person 2 leads the security team in the demo: the policy set is theirs to review.
    crate::policy_set::publish(store, now, persons.get(2).map(|p| p.id)).await?;
    // Three in five have signed this year's acknowledgment so far (the demo's employee login,
    // person 35, has not).
    crate::policy_set::open_campaign(store, now, &persons, |i| i % 5 >= 2).await?;
    // A quarter have answered the secure-configuration checklist; one in three of them has a
    // "no" to fix (the demo's employee, person 35, has not answered yet).
    crate::checklist_set::open_campaign(store, now, &persons, |i| i % 4 == 0, |i| i % 12 == 0).await?;
    crate::asset_set::seed(store, now, &departments, &persons, assets, seed).await?;
    crate::asset_set::seed_keys(store, now, &persons).await?;
    crate::risk_set::seed(store, now, &persons, people / 2, seed).await?;
    crate::incident_set::seed(store, now, &persons, people, seed).await?;
    registers(store, now, persons.get(2)).await?;
    let mut rng = StdRng::seed_from_u64(seed ^ 0xA0D1);
    let mut remaining = audit_entries;
    while remaining > 0 {
        let batch = remaining.min(20_000);
        let records: Vec<_> = (0..batch)
            .map(|_| {
                let p = &persons[rng.random_range(0..persons.len())];
                let after = serde_json::json!({ "name": p.name, "email": p.email, "status": p.status.as_str() });
                AuditRecord::new(&actor, now, "person.update", "person", p.id, Some(&after), Some(&after))
            })
            .collect();
        let mut tx = store.write().await?;
        records.into_iter().for_each(|r| tx.audit(r));
        tx.commit().await?;
        remaining -= batch;
    }
    Ok((departments, persons))
}

/// The contacts the incident management policy names, kept by the security lead.
const AUTHORITIES: (&[&str], &[&[&str]]) = (
    &["name", "kind", "contact_channel", "contact", "when_to_contact", "incident_category"],
    &[
        &[
            "Data protection authority",
            "data-protection-authority",
            "portal",
            "https://dpa.example/breach-report",
            "Personal data breach that risks people's rights: within 72 hours of becoming aware",
            "misdirected-data",
        ],
        &[
            "National CERT",
            "cert",
            "email",
            "incident@cert.example",
            "Significant incident or ransomware; indicators to share or receive",
            "ransomware",
        ],
        &[
            "Police cybercrime unit",
            "law-enforcement",
            "phone",
            "+49 30 0000 0000",
            "Law-enforcement request for data, extortion, or a crime against the company",
            "law-enforcement-request",
        ],
        &[
            "NIST (SP 800-53)",
            "standards-body",
            "web-form",
            "https://csrc.nist.gov",
            "Questions or comments on the controls we map to; new revisions to adopt",
            "",
        ],
        &[
            "ISO/IEC JTC 1/SC 27 via the national standards body",
            "standards-body",
            "email",
            "sc27@standards.example",
            "Changes to ISO/IEC 27001 and 27002 affecting the certification",
            "",
        ],
        &[
            "Upstream open-source security teams",
            "open-source-community",
            "email",
            "security@project.example",
            "A vulnerability we found in a dependency: coordinated disclosure",
            "",
        ],
        &[
            "Cloud provider security response",
            "service-operator",
            "portal",
            "https://cloud.example/security",
            "Abuse of, or an incident at, the hosting we run on",
            "suspicious-login",
        ],
    ],
);

/// What the departments run.
const SYSTEMS: (&[&str], &[&[&str]]) = (
    &["name", "department", "classification", "review_every_months"],
    &[
        &["Customer platform", "Engineering", "confidential", "12"],
        &["Source code hosting and CI", "Engineering", "confidential", "12"],
        &["Identity provider", "IT", "restricted", "6"],
        &["CRM", "Sales", "confidential", "12"],
        &["Marketing website", "Marketing", "public", "24"],
        &["Support desk", "Customer Success", "confidential", "12"],
        &["Accounting", "Finance", "restricted", "12"],
        &["HR system", "People", "restricted", "12"],
    ],
);

/// The registers of the record kit: the authorities (kept by `owner`) and the systems.
async fn registers(store: &dyn Store, now: bulwark_core::Timestamp, owner: Option<&Person>) -> anyhow::Result<()> {
    use bulwark_core::organisation::{authorities::AUTHORITY, information_systems::INFORMATION_SYSTEM};
    use bulwark_core::records::service;
    let owner = owner.map(|p| p.email.as_str()).unwrap_or_default();
    service::seed(store, &AUTHORITY, now, AUTHORITIES, &[("owner", owner)]).await?;
    service::seed(store, &INFORMATION_SYSTEM, now, SYSTEMS, &[]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_gives_everyone_their_own_email_address() {
        // Seed 4 drew one name twice among the first twenty people, who get plain addresses.
        for seed in 1..=200 {
            let (_, people) = organisation(240, seed);
            let unique: std::collections::HashSet<&str> = people.iter().map(|p| p.email.as_str()).collect();
            assert_eq!(unique.len(), people.len(), "seed {seed}");
        }
    }
}
