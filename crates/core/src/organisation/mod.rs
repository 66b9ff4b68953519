//! The organisation's registers built on the record kit (SPEC §3.3): the authorities and
//! special-interest contacts, and the information systems each department runs.

pub mod authorities;
pub mod information_systems;
