//! Bulwark's domain: people, organisation, accounts, authorization, the audit chain and the
//! `Store` trait that storage backends implement. This crate knows no HTTP and no SQL.

pub mod access;
pub mod accounts;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod audit_anchor;
pub mod campaigns;
pub mod checklists;
pub mod clock;
pub mod controls;
pub mod coverage;
pub mod cvss;
pub mod dashboard;
pub mod disclosure;
pub mod error;
pub mod frameworks;
pub mod ids;
pub mod incidents;
pub mod keys;
pub mod lifecycle;
pub mod list;
pub mod mfa;
pub mod my_department;
pub mod notify;
pub mod org;
pub mod page;
pub mod people;
pub mod pick;
pub mod policies;
pub mod records;
pub mod risks;
pub mod scheduler;
pub mod scim;
pub mod scim_filter;
pub mod sso;
pub mod store;
pub mod throttle;
pub mod time_util;
pub mod validate;
pub mod version;
pub mod webhook;

pub use access::{Actor, Permission, Role};
pub use error::{CoreError, FieldError, StoreError};
pub use store::Store;
pub use time_util::Timestamp;
