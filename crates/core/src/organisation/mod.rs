//! The organisation (SPEC §2, §3.3): its people and departments, each one's onboarding and
//! offboarding, what a department head sees, and the registers built on the record kit — the
//! security team's areas and their members, the authorities and special-interest contacts,
//! and the information systems each department runs.

pub mod areas;
pub mod authorities;
pub mod departments;
pub mod information_systems;
pub mod lifecycle;
pub mod my_department;
pub mod people;
