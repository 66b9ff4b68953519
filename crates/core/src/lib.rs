//! Bulwark's domain. This crate knows no HTTP and no SQL. It reads as the product's
//! capabilities — `organisation`, `policies` (with campaigns and checklists), `compliance`
//! (risks, frameworks, controls, coverage), `assets` (with keys), `incidents` (with
//! vulnerability disclosure and CVSS), `identity` — and the mechanisms they share: `access`,
//! `audit` and `audit_anchor`, `list`, `records` (the record kit), `approvals`, `scheduler`,
//! `notify`, `dashboard`, and the `Store` trait that storage backends implement.

pub mod access;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod audit_anchor;
pub mod clock;
pub mod compliance;
pub mod dashboard;
pub mod error;
pub mod identity;
pub mod ids;
pub mod incidents;
pub mod list;
pub mod notify;
pub mod organisation;
pub mod page;
pub mod pick;
pub mod policies;
pub mod records;
pub mod scheduler;
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
