//! The generated asset inventory of `seed` and `demo`: a laptop and a phone per person
//! (assigned to them, owned by their department's head), the company's SaaS and software,
//! its intellectual property and information assets, and office devices up to the number
//! asked for. Deterministic for a seed; written in batches, each with its audit entry.

use bulwark_core::assets::{Asset, AssetKind, AssetPeople, AssetStatus, Classification};
use bulwark_core::audit::AuditRecord;
use bulwark_core::ids::AssetId;
use bulwark_core::organisation::departments::Department;
use bulwark_core::organisation::people::Person;
use bulwark_core::{Actor, Store, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const LAPTOPS: &[&str] = &["ThinkPad T14", "MacBook Pro 14", "MacBook Air 13", "Dell Latitude 7440", "Framework 13"];
const PHONES: &[&str] = &["iPhone 15", "Pixel 8", "Galaxy S24", "iPhone 14"];
const SERVICES: &[(&str, AssetKind, Classification)] = &[
    ("Google Workspace", AssetKind::Saas, Classification::Confidential),
    ("Slack", AssetKind::Saas, Classification::Confidential),
    ("GitHub", AssetKind::Saas, Classification::Restricted),
    ("Jira", AssetKind::Saas, Classification::Internal),
    ("Salesforce", AssetKind::Saas, Classification::Confidential),
    ("Okta", AssetKind::Saas, Classification::Restricted),
    ("AWS production account", AssetKind::Saas, Classification::Restricted),
    ("1Password Business", AssetKind::Saas, Classification::Restricted),
    ("Bulwark", AssetKind::Software, Classification::Confidential),
    ("Payroll system", AssetKind::Software, Classification::Restricted),
    ("Product source code", AssetKind::IntellectualProperty, Classification::Restricted),
    ("Brand and trademarks", AssetKind::IntellectualProperty, Classification::Public),
    ("Customer database", AssetKind::Information, Classification::Restricted),
    ("Employee records", AssetKind::Information, Classification::Restricted),
    ("Financial statements", AssetKind::Information, Classification::Confidential),
];
const OFFICE: &[&str] =
    &["Monitor", "Docking station", "Security key", "Meeting-room display", "Printer", "Badge reader"];

/// Writes `count` assets for `people` (at least the fixed services, whatever `count`).
pub async fn seed(
    store: &dyn Store,
    now: Timestamp,
    departments: &[Department],
    people: &[Person],
    count: usize,
    seed: u64,
) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0xA55E7);
    let head_of =
        |p: &Person| departments.iter().find(|d| Some(d.id) == p.department_id).and_then(|d| d.head_person_id);
    let security_lead = people.get(2).map(|p| p.id);
    let blank = |name: String, kind, classification| Asset {
        id: AssetId(uuid::Uuid::nil()), // given below, from the seeded generator
        name,
        kind,
        classification,
        status: AssetStatus::InUse,
        owner_id: security_lead,
        custodian_id: security_lead,
        assigned_to: None,
        identifier: String::new(),
        description: String::new(),
        names: AssetPeople::default(),
        created_at: now,
        updated_at: now,
    };
    let mut assets: Vec<Asset> = SERVICES.iter().map(|(n, k, c)| blank((*n).to_string(), *k, *c)).collect();
    let mut i = 0usize;
    while assets.len() < count && !people.is_empty() {
        let p = &people[i % people.len()];
        let round = i / people.len();
        let (name, kind, serial) = match round {
            0 => (format!("{} — {}", LAPTOPS[rng.random_range(0..LAPTOPS.len())], p.name), AssetKind::Device, "SN"),
            1 => (format!("{} — {}", PHONES[rng.random_range(0..PHONES.len())], p.name), AssetKind::Device, "IMEI"),
            _ => (format!("{} {}", OFFICE[rng.random_range(0..OFFICE.len())], i), AssetKind::Device, "TAG"),
        };
        let status = match rng.random_range(0..40) {
            0 => AssetStatus::Lost,
            1..=2 => AssetStatus::Retired,
            3..=5 => AssetStatus::InStock,
            _ => AssetStatus::InUse,
        };
        assets.push(Asset {
            status,
            owner_id: head_of(p),
            assigned_to: (round < 2).then_some(p.id),
            identifier: format!("{serial}-{:08X}", rng.random::<u32>()),
            ..blank(name, kind, if round < 2 { Classification::Confidential } else { Classification::Internal })
        });
        i += 1;
    }
    for a in &mut assets {
        a.id = AssetId(uuid::Builder::from_random_bytes(rng.random()).into_uuid());
    }
    for batch in assets.chunks(5_000) {
        let mut tx = store.write().await?;
        for a in batch {
            tx.insert_asset(a).await?;
        }
        let summary = serde_json::json!({ "imported": batch.len(), "seed": seed });
        tx.audit(AuditRecord::new(&Actor::cli(), now, "asset.import", "asset", "import", None::<&()>, Some(&summary)));
        tx.commit().await?;
    }
    Ok(assets.len())
}

/// The key inventory of the generated company: metadata of its keys, two of them weak.
const KEYS: &[(&str, &str, &str, i64, &str, i64)] = &[
    ("TLS certificate, www", "Serves the public website", "ECDSA P-256", 256, "AWS Certificate Manager", 90),
    ("TLS certificate, API", "Serves the customer API", "RSA", 2048, "AWS Certificate Manager", 90),
    ("Code signing", "Signs release builds", "RSA", 4096, "HSM, rack 2", 365),
    ("Database encryption", "Encrypts the customer database at rest", "AES-256-GCM", 256, "AWS KMS", 365),
    ("Backup encryption", "Encrypts nightly backups", "AES-256-GCM", 256, "HashiCorp Vault", 365),
    ("SSO signing", "Signs single sign-on assertions", "RSA", 2048, "Okta", 730),
    ("Webhook HMAC", "Signs outgoing webhooks", "HMAC-SHA256", 256, "HashiCorp Vault", 180),
    ("Deploy key", "Pushes releases to production", "Ed25519", 256, "CI secrets store", 180),
    ("Legacy VPN", "Site-to-site VPN to the old office", "3DES", 168, "Firewall appliance", 365),
    ("Old partner SFTP", "File exchange with a payment partner", "RSA", 1024, "SFTP server", 365),
];

/// Writes the key inventory, owned by the security lead (person 2).
pub async fn seed_keys(store: &dyn Store, now: Timestamp, people: &[Person]) -> anyhow::Result<()> {
    use bulwark_core::records::{input::RawRecord, service};
    let owner = people.get(2).map(|p| p.email.clone()).unwrap_or_default();
    for (i, (name, purpose, algorithm, size, location, rotation)) in KEYS.iter().enumerate() {
        let made = (now - time::Duration::days(30 + 40 * i as i64)).date().to_string();
        let (size, rotation) = (size.to_string(), rotation.to_string());
        let fields = [
            ("name", *name),
            ("purpose", *purpose),
            ("algorithm", *algorithm),
            ("size_bits", &size),
            ("owner", &owner),
            ("location", *location),
            ("created_on", &made),
            ("rotation_days", &rotation),
        ];
        service::create(store, &Actor::cli(), &bulwark_core::assets::keys::KEY, now, &RawRecord::from_pairs(fields))
            .await?;
    }
    Ok(())
}
