//! Test support: a fresh database per test on SQLite and (when `BULWARK_TEST_POSTGRES_URL` is
//! set) PostgreSQL, a real server on a free loopback port, and clients that sign in through
//! the real login form.

mod app;
mod db;
mod oidc;
mod sinks;

pub use app::{TestApp, TestClient, set_cookie, spawn_app, spawn_app_with};
pub use bulwark_core::store::Backend;
pub use db::{TestDb, backends};
pub use oidc::OidcProvider;
pub use sinks::{Mail, SmtpSink, WebhookReceiver};

/// Creates an account with a password directly through the domain (as the CLI would).
pub async fn create_account(
    store: &dyn bulwark_core::Store,
    email: &str,
    roles: &[&str],
    password: &str,
) -> bulwark_core::identity::accounts::Account {
    let input = bulwark_core::identity::accounts::NewAccountInput {
        email: email.into(),
        name: email.split('@').next().unwrap_or(email).replace('.', " "),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        password: Some(password.into()),
        ..Default::default()
    };
    bulwark_core::identity::accounts::create_account(
        store,
        &bulwark_core::Actor::cli(),
        bulwark_core::time_util::now(),
        &input,
    )
    .await
    .expect("create test account")
    .0
}

pub const PASSWORD: &str = "correct horse battery staple";
