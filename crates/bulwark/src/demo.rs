//! `bulwark demo`: a fresh embedded database with a sample organisation and one login per
//! role, then serve.

use bulwark_core::accounts::{self, NewAccountInput};
use bulwark_core::{Actor, Role, Store, time_util};
use bulwark_store::SqlStore;
use std::sync::Arc;

/// (e-mail of a seeded person, roles) for the demo logins.
const LOGINS: &[(&str, &[Role])] = &[
    ("admin", &[Role::Admin]),
    ("security", &[Role::Security, Role::Employee]),
    ("management", &[Role::Management, Role::Employee]),
    ("auditor", &[Role::Auditor]),
    ("department-head", &[Role::DepartmentHead, Role::Employee]),
    ("employee", &[Role::Employee]),
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
    if store.counts().await?.people > 0 {
        anyhow::bail!("the demo needs an empty database, and {url} has data");
    }
    let (_, people) = crate::seed::seed(&store, 240, 0, 2027).await?;
    let mut lines = Vec::new();
    for (i, (label, roles)) in LOGINS.iter().enumerate() {
        let person = &people[i * 7];
        let input = NewAccountInput {
            person_id: person.id.to_string(),
            roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
            password: Some(DEMO_PASSWORD.into()),
            ..Default::default()
        };
        accounts::create_account(&store, &Actor::cli(), time_util::now(), &input).await?;
        lines.push(format!("  {label:<16} {}", person.email));
    }
    println!("Demo organisation ready: 240 people in {} departments.", crate::seed::DEPARTMENTS.len());
    println!("Sign in as (password for all: {DEMO_PASSWORD}):\n{}", lines.join("\n"));
    crate::serve(Arc::new(store), listen, &format!("http://{listen}")).await
}
