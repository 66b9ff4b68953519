//! The SQL implementation of `bulwark_core::Store`, on SQLite (embedded, the default) or
//! PostgreSQL. Each backend has its own migrations; queries are written once in portable SQL
//! and run through sqlx's `Any` driver. Backend differences live in `connect` and `write`.

mod accounts;
mod acquire;
mod approvals;
mod assets;
mod audit;
mod audit_copy;
mod backup;
mod campaigns;
mod checklists;
mod connect;
mod controls;
mod disclosure;
mod frameworks;
mod incidents;
mod jobs;
mod lifecycle;
mod list;
mod mfa;
mod native;
mod notify;
mod org;
mod people;
mod policies;
mod records;
mod risks;
mod rows;
mod scim;
mod sso;
mod store_impl;
mod write;

pub use backup::{BackupSummary, BackupTrust};
pub use connect::{DatabaseUrl, SqlStore};
