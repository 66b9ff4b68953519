//! End-to-end tests of the web layer over real HTTP against real databases.

mod anchoring;
mod api;
mod assets;
mod attacks;
mod authz;
mod browser;
mod campaigns;
mod cvss;
mod disclosure;
mod edits;
mod frameworks;
mod incidents;
mod keys;
mod lifecycle;
mod links;
mod mfa;
mod notifications;
mod pages;
mod policies;
mod registers;
mod risks;
mod scim;
mod sso;
mod throttles;
