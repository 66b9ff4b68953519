//! Rebuilds the store when a migration changes, since migrations are embedded in the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
