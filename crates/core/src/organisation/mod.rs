//! The organisation's registers built on the record kit (SPEC §3.3): the security team's
//! areas and their members, the authorities and special-interest contacts, and the
//! information systems each department runs.

pub mod areas;
pub mod authorities;
pub mod information_systems;
