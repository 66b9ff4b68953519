//! `bulwark demo`: a fresh embedded database with a sample organisation and one login per
//! role, then serve.

use bulwark_core::accounts::{self, NewAccountInput};
use bulwark_core::org::{self, AreaMemberInput};
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
    let (_, people) = crate::seed::seed(&store, 240, 0, 2027).await?;
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
    let areas = org::list_areas(&store, &Actor::cli(), &org::AREAS.first_page(100)).await?.items;
    for (index, area, specialty) in TEAM {
        let Some(area) = areas.iter().find(|a| a.name == *area) else { continue };
        let input = AreaMemberInput { person_id: people[*index].id.to_string(), specialty: (*specialty).into() };
        org::add_area_member(&store, &Actor::cli(), time_util::now(), area.id, &input).await?;
    }
    println!("Demo organisation ready: 240 people in {} departments.", crate::seed::DEPARTMENTS.len());
    println!("Sign in as (password for all: {DEMO_PASSWORD}):\n{}", lines.join("\n"));
    crate::serve(Arc::new(store), listen, bulwark_web::WebConfig::new(&format!("http://{listen}"))).await
}
