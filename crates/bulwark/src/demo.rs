//! `bulwark demo`: a fresh embedded database with a sample organisation and one login per
//! role, then serve.

use bulwark_core::identity::accounts::{self, NewAccountInput};
use bulwark_core::organisation::areas::AREA_MEMBER;
use bulwark_core::records::{input::RawRecord, service};
use bulwark_core::{Actor, Role, Store, time_util};
use bulwark_store::SqlStore;
use std::sync::Arc;

/// (label, index of a seeded person, roles) for the demo logins. The first ten people head
/// the ten departments in order, so person 2 leads Security and person 4 heads Sales.
const LOGINS: &[(&str, usize, &[Role])] = &[
    ("admin", 0, &[Role::Admin]),
    ("security", 2, &[Role::Security, Role::Employee]),
    ("management", 11, &[Role::Management, Role::Employee]),
    ("auditor", 21, &[Role::Auditor]),
    ("department-head", 4, &[Role::DepartmentHead, Role::Employee]),
    ("employee", 35, &[Role::Employee]),
];

/// (index of a seeded person, area, specialty) for the security team.
const TEAM: &[(usize, &str, &str)] = &[
    (2, "Governance, risk & compliance", "Security lead"),
    (12, "Offensive security", "Web application testing"),
    (22, "Defensive security", "Detection engineering"),
    (32, "Application security", "Threat modelling"),
    (42, "Application security", "Code review"),
    (52, "Governance, risk & compliance", "ISO 27001"),
];

/// (name, kind, destination, events) of the demo's notification channels: the three chat
/// channels a security team runs and its two mailing lists. The destinations are placeholders
/// an admin replaces on the notifications page; until then deliveries fail visibly there.
const CHANNELS: &[(&str, &str, &str, &[&str])] = &[
    ("#security", "webhook", "https://chat.example.com/hooks/security", &["campaign.create", "campaign.overdue"]),
    (
        "#announcements",
        "webhook",
        "https://chat.example.com/hooks/announcements",
        &["policy.publish", "campaign.create"],
    ),
    (
        "#security-team",
        "webhook",
        "https://chat.example.com/hooks/security-team",
        &[
            "policy.review_due",
            "campaign.reminder",
            "campaign.overdue",
            "approval.request",
            "risk.review_due",
            "incident.report",
            "incident.authority_due",
        ],
    ),
    ("compliance list", "email", "compliance@example.com", &["policy.publish", "campaign.create", "campaign.overdue"]),
    (
        "vulnerability disclosure list",
        "email",
        "security@example.com",
        &["vulnerability.report", "vulnerability.message", "vulnerability.deadline"],
    ),
];

pub const DEMO_PASSWORD: &str = "bulwark-demo-password";

pub async fn run(database: Option<&str>, listen: &str) -> anyhow::Result<()> {
    let url = match database {
        Some(u) => bulwark_store::DatabaseUrl::parse(u)?,
        None => {
            let dir = std::env::current_dir()?.join("bulwark-demo");
            let _ = std::fs::remove_dir_all(&dir);
            bulwark_store::DatabaseUrl::sqlite_file(&dir.join("bulwark.db"))
        }
    };
    let store = SqlStore::open(&url).await?;
    if store.read().await?.counts().await?.people > 0 {
        anyhow::bail!("the demo needs an empty database, and {url} has data");
    }
    for (name, kind, target, events) in CHANNELS {
        let events: Vec<String> = events.iter().map(|e| e.to_string()).collect();
        bulwark_core::notify::add_channel(&store, &Actor::cli(), time_util::now(), name, kind, target, &events).await?;
    }
    let (_, people) = crate::seed::seed(&store, 240, 500, 0, 2027).await?;
    let mut lines = Vec::new();
    for (label, index, roles) in LOGINS {
        let person = &people[*index];
        let input = NewAccountInput {
            person_id: person.id.to_string(),
            roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
            password: Some(DEMO_PASSWORD.into()),
            ..Default::default()
        };
        accounts::create_account(&store, &Actor::cli(), time_util::now(), &input).await?;
        lines.push(format!("  {label:<16} {}", person.email));
    }
    for (index, area, specialty) in TEAM {
        let typed = [("area", *area), ("person", people[*index].email.as_str()), ("specialty", *specialty)];
        service::create(&store, &Actor::cli(), &AREA_MEMBER, time_util::now(), &RawRecord::from_pairs(typed)).await?;
    }
    compliance(&store, &people[0]).await?;
    response_plan(&store).await?;
    println!("Demo organisation ready: 240 people in {} departments.", crate::seed::DEPARTMENTS.len());
    println!("Sign in as (password for all: {DEMO_PASSWORD}):\n{}", lines.join("\n"));
    println!(
        "Two-factor sign-in is optional in the demo (set it up under your profile); \
         `bulwark serve` requires it for the admin, security, management and auditor roles."
    );
    println!("Nothing leaves the demo: e-mails and chat messages are kept at http://{listen}/notifications/mail.");
    let config = bulwark_web::WebConfig {
        mfa: bulwark_core::identity::mfa::MfaPolicy::optional(),
        mail_catcher: Some(Default::default()),
        ..bulwark_web::WebConfig::new(&format!("http://{listen}"))
    };
    crate::serve(Arc::new(store), listen, config).await
}

/// The framework of the published policies, and one control meeting its inventory
/// requirement with evidence, so that coverage and the Statement of Applicability show.
async fn compliance(store: &SqlStore, owner: &bulwark_core::organisation::people::Person) -> anyhow::Result<()> {
    use bulwark_core::compliance::controls::{self, CONTROL, EvidenceInput};
    use bulwark_core::records::{input::RawRecord, service};
    let (cli, now) = (Actor::cli(), time_util::now());
    let framework = bulwark_core::compliance::frameworks::policy_catalog::build(store, &cli, now).await?.framework;
    let control = RawRecord::from_pairs([
        ("title", "Asset inventory kept in Bulwark"),
        ("description", "Devices, software and SaaS are recorded with owner and classification."),
        ("owner", owner.email.as_str()),
        ("status", "implemented"),
    ]);
    let control: bulwark_core::ids::ControlId =
        service::create(store, &cli, &CONTROL, now, &control).await?.id.parse()?;
    controls::map(store, &cli, now, control, &framework.id.to_string(), "asset-management-policy-1").await?;
    let evidence = EvidenceInput {
        kind: "check".into(),
        title: "Every person's laptop is in the inventory".into(),
        outcome: "passed".into(),
        ..Default::default()
    };
    controls::add_evidence(store, &cli, now, control, evidence).await?;
    Ok(())
}

/// Links every incident to the seeded incident management policy as its response plan.
async fn response_plan(store: &dyn bulwark_core::Store) -> anyhow::Result<()> {
    use bulwark_core::list::RawListQuery;
    let query = bulwark_core::policies::LIST
        .parse(&RawListQuery { q: Some("incident management".into()), ..Default::default() })?;
    let found = bulwark_core::policies::list(store, &Actor::cli(), &query).await?;
    if let Some(plan) = found.items.first() {
        bulwark_core::incidents::set_response_plan(store, &Actor::cli(), time_util::now(), &plan.id.to_string())
            .await?;
    }
    Ok(())
}
