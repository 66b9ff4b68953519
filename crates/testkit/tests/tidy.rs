//! Project hygiene checked by `cargo test`: module docs, migration pairs, core's dependencies.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    assert!(files.len() > 20);
    let undocumented: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().trim_start().starts_with("//!"))
        .map(|f| f.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(undocumented.is_empty(), "files without a //! doc: {undocumented:?}");
}

#[test]
fn both_stores_have_the_same_migrations() {
    let names = |backend: &str| {
        let mut v: Vec<String> = std::fs::read_dir(root().join("crates/store/migrations").join(backend))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"), "each schema change is a pair of migrations with one version and name");
}

#[test]
fn core_knows_no_http_sql_templates_or_cli() {
    let manifest = std::fs::read_to_string(root().join("crates/core/Cargo.toml")).unwrap();
    for forbidden in ["axum", "sqlx", "askama", "clap", "tower", "reqwest"] {
        assert!(!manifest.contains(forbidden), "bulwark-core must not depend on {forbidden}");
    }
}

#[test]
fn every_store_method_is_called_by_the_contract_suite() {
    let traits = std::fs::read_to_string(root().join("crates/core/src/store.rs")).unwrap();
    let suite = std::fs::read_to_string(root().join("crates/store/tests/contract.rs")).unwrap();
    let methods: Vec<&str> = traits
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("fn "))
        .filter_map(|rest| rest.split(['(', '<']).next())
        .collect();
    assert!(methods.len() > 30, "found {} methods", methods.len());
    let uncalled: Vec<_> =
        methods.iter().filter(|m| **m != "backend").filter(|m| !suite.contains(&format!(".{m}("))).collect();
    assert!(uncalled.is_empty(), "store methods without a contract test: {uncalled:?}");
}
