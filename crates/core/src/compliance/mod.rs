//! Risk and compliance (SPEC §3.4, §3.5): the risk register, frameworks read from OSCAL
//! catalogs, the organisation's controls with their mappings and evidence, and coverage.

pub mod controls;
pub mod coverage;
pub mod frameworks;
pub mod risks;
