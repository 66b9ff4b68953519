//! The committed `openapi.json` is the API's contract: this test fails when the code's API
//! differs from it, so every API change shows up in review. `BULWARK_UPDATE_OPENAPI=1`
//! rewrites the file.

#[test]
fn committed_openapi_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let generated = bulwark_web::openapi_document().to_pretty_json().expect("serialize") + "\n";
    if std::env::var("BULWARK_UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &generated).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "crates/web/openapi.json is out of date; run `BULWARK_UPDATE_OPENAPI=1 cargo test -p bulwark-web --test openapi` and review the diff"
    );
}
