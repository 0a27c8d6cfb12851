//! Validates the merchant's catalog and shipping rules at build time with
//! the parser the Worker itself uses (`src/merchant_files.rs`): a bad file
//! fails the build with every problem of both files listed, never a
//! shopper's checkout. The files are then copied into `OUT_DIR`, where the
//! Worker includes them from.
//!
//! The files are `catalog.json` and `shipping.json` at the repository root,
//! or in the folder `QC_MERCHANT_FILES` names (relative to the repository
//! root): the integration tests build the Worker with their own files
//! (`tests/stack/fixtures/`), so the merchant's edits cannot break them.

use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/merchant_files.rs"]
mod merchant_files;

fn main() {
    println!("cargo:rerun-if-env-changed=QC_MERCHANT_FILES");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = match std::env::var("QC_MERCHANT_FILES") {
        Ok(d) if !d.trim().is_empty() => root.join(d.trim()),
        _ => root,
    };
    let catalog = read(&dir.join("catalog.json"));
    let shipping = read(&dir.join("shipping.json"));
    if let Err(problems) = merchant_files::parse_both(&catalog, &shipping) {
        let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
        fail(&format!(
            "the merchant files in {} have {} problem(s):\n{}",
            dir.display(),
            problems.len(),
            list.join("\n")
        ));
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    for (name, text) in [("catalog.json", &catalog), ("shipping.json", &shipping)] {
        if let Err(e) = std::fs::write(out.join(name), text) {
            fail(&format!("cannot write {name} to {}: {e}", out.display()));
        }
    }
}

/// Reads one of the merchant's files, and reruns the build when it changes.
fn read(path: &Path) -> String {
    println!("cargo:rerun-if-changed={}", path.display());
    match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => fail(&format!("cannot read {}: {e}", path.display())),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
