//! The generated incident history of `seed` and `demo`: incidents of every category reported
//! by people over the past two years, most of them closed with their lessons learned.
//! Deterministic for a seed; written in batches, each with its audit entry.

use bulwark_core::audit::AuditRecord;
use bulwark_core::ids::IncidentId;
use bulwark_core::incidents::{Category, Impact, Incident, IncidentStatus, Severity};
use bulwark_core::organisation::people::Person;
use bulwark_core::{Actor, Store, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const TITLES: &[(&str, Category)] = &[
    ("Laptop left on the train", Category::LostDevice),
    ("Phone stolen at a conference", Category::LostDevice),
    ("Sign-in from an unknown country", Category::SuspiciousLogin),
    ("Antivirus alert on a workstation", Category::Malware),
    ("Files encrypted on a file share", Category::Ransomware),
    ("Payroll export sent to the wrong address", Category::MisdirectedData),
    ("Police request for customer records", Category::LawEnforcement),
    ("Password shared in a chat channel", Category::PolicyViolation),
    ("Unexpected badge reader behaviour", Category::Other),
];

/// Writes `count` incidents reported by `people`.
pub async fn seed(store: &dyn Store, now: Timestamp, people: &[Person], count: usize, seed: u64) -> anyhow::Result<()> {
    if people.is_empty() || count == 0 {
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0x1C1D);
    let incidents: Vec<Incident> = (0..count)
        .map(|i| {
            let (title, category) = TITLES[rng.random_range(0..TITLES.len())];
            let reporter = &people[rng.random_range(0..people.len())];
            let at = now - time::Duration::minutes(rng.random_range(60..1_051_200));
            let closed = rng.random_bool(0.9);
            let status = if closed { IncidentStatus::Closed } else { IncidentStatus::ALL[rng.random_range(0..5)] };
            let personal_data = category == Category::MisdirectedData || rng.random_bool(0.1);
            Incident {
                id: IncidentId(uuid::Builder::from_random_bytes(rng.random()).into_uuid()),
                title: format!("{title} (I-{:05})", i + 1),
                category,
                description: "Generated incident.".into(),
                reporter_id: Some(reporter.id),
                reporter_label: reporter.email.clone(),
                severity: Severity::ALL[rng.random_range(0..Severity::ALL.len())],
                confidentiality: Impact::ALL[rng.random_range(0..3)],
                integrity: Impact::ALL[rng.random_range(0..3)],
                availability: Impact::ALL[rng.random_range(0..3)],
                personal_data,
                personal_data_since: personal_data.then_some(at),
                authority_notified_at: (personal_data && closed).then(|| at + time::Duration::hours(20)),
                status,
                lessons_learned: if closed { "Reviewed with the team.".into() } else { String::new() },
                created_at: at,
                updated_at: at,
            }
        })
        .collect();
    for batch in incidents.chunks(2_500) {
        let mut tx = store.write().await?;
        for i in batch {
            tx.insert_incident(i).await?;
        }
        let summary = serde_json::json!({ "imported": batch.len(), "seed": seed });
        tx.audit(AuditRecord::new(
            &Actor::cli(),
            now,
            "incident.import",
            "incident",
            "import",
            None::<&()>,
            Some(&summary),
        ));
        tx.commit().await?;
    }
    Ok(())
}
