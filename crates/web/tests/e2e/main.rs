//! End-to-end tests of the web layer over real HTTP against real databases.

mod api;
mod authz;
mod browser;
mod pages;
