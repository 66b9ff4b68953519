//! The generated risk register of `seed` and `demo`: risks to the company's services,
//! information and processes, owned by the security team and department heads, rated on the
//! default 1–5 scale, about half of them treated and rated again. Deterministic for a seed;
//! written in batches, each with its audit entry.

use bulwark_core::audit::AuditRecord;
use bulwark_core::compliance::risks::{Acceptance, Risk, Treatment};
use bulwark_core::ids::RiskId;
use bulwark_core::organisation::people::Person;
use bulwark_core::{Actor, Store, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// (threat, vulnerability) pairs the register is made of.
const THREATS: &[(&str, &str)] = &[
    ("Ransomware encrypts the data", "Backups reachable from the production network"),
    ("Phishing steals a password", "Second factor not enforced everywhere"),
    ("Laptop lost or stolen", "Disk encryption not verified on every device"),
    ("Insider copies data before leaving", "Access not removed on the last day"),
    ("Supplier breach exposes shared data", "No security review of suppliers"),
    ("Cloud storage made public by mistake", "No guardrail on bucket policies"),
    ("Unpatched server exploited", "Patching depends on one person"),
    ("Data centre outage", "No tested failover"),
    ("Misdirected e-mail with personal data", "Autocomplete of external addresses"),
    ("Leaked API key used by an attacker", "Keys stored in source code"),
    ("Denial of service on the website", "No rate limiting in front of the application"),
    ("Fraudulent payment request", "Payment changes confirmed by e-mail only"),
];
const SUBJECTS: &[&str] = &[
    "Customer database",
    "Payroll process",
    "Product source code",
    "Customer support process",
    "Employee records",
    "Financial close process",
    "Production cloud account",
    "Sales pipeline",
    "Release process",
    "Office network",
];

/// Writes `count` risks owned by `people` (the security lead and department heads first).
pub async fn seed(store: &dyn Store, now: Timestamp, people: &[Person], count: usize, seed: u64) -> anyhow::Result<()> {
    if people.is_empty() || count == 0 {
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0x815C);
    let owners = &people[..people.len().min(40)];
    let risks: Vec<Risk> = (0..count)
        .map(|i| {
            let (threat, vulnerability) = THREATS[rng.random_range(0..THREATS.len())];
            let subject = SUBJECTS[rng.random_range(0..SUBJECTS.len())];
            let (probability, impact) = (rng.random_range(1..=5), rng.random_range(1..=5));
            let treatment = match rng.random_range(0..10) {
                0..=1 => Treatment::Untreated,
                2..=6 => Treatment::Mitigate,
                7 => Treatment::Transfer,
                8 => Treatment::Avoid,
                _ => Treatment::Accept,
            };
            let rated = treatment != Treatment::Untreated && rng.random_bool(0.6);
            let lower = |v: i64, rng: &mut StdRng| (v - rng.random_range(0..=2)).max(1);
            let residual = rated.then(|| (lower(probability, &mut rng), lower(impact, &mut rng)));
            let score = residual.map_or(probability * impact, |(p, i)| p * i);
            let acceptance = match (treatment, score <= 8) {
                (Treatment::Accept, true) => Acceptance::WithinAppetite,
                (Treatment::Accept, false) => Acceptance::Approved,
                _ => Acceptance::NotAsked,
            };
            Risk {
                id: RiskId(uuid::Builder::from_random_bytes(rng.random()).into_uuid()),
                title: format!("{subject}: {} (R-{:05})", threat.to_lowercase(), i + 1),
                description: String::new(),
                asset_id: None,
                asset_name: None,
                process: subject.into(),
                threat: threat.into(),
                vulnerability: vulnerability.into(),
                owner_id: owners[rng.random_range(0..owners.len())].id,
                owner_name: None,
                probability,
                impact,
                treatment,
                treatment_plan: if treatment == Treatment::Accept {
                    "Within budget for the year".into()
                } else {
                    String::new()
                },
                control_ids: vec![],
                residual_probability: residual.map(|r| r.0),
                residual_impact: residual.map(|r| r.1),
                acceptance,
                accepted_score: (acceptance != Acceptance::NotAsked).then_some(score),
                approval_id: None,
                review_on: now.date() + time::Duration::days(rng.random_range(-30..335)),
                last_reviewed_on: None,
                created_at: now,
                updated_at: now,
            }
        })
        .collect();
    for batch in risks.chunks(2_500) {
        let mut tx = store.write().await?;
        for r in batch {
            tx.insert_risk(r).await?;
        }
        let summary = serde_json::json!({ "imported": batch.len(), "seed": seed });
        tx.audit(AuditRecord::new(&Actor::cli(), now, "risk.import", "risk", "import", None::<&()>, Some(&summary)));
        tx.commit().await?;
    }
    Ok(())
}
