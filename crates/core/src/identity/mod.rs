//! Identity (SPEC §2): accounts and API tokens, two-factor sign-in, single sign-on, and SCIM
//! provisioning with its filter language.

pub mod accounts;
pub mod mfa;
pub mod scim;
pub mod scim_filter;
pub mod sso;
