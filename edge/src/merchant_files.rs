//! Parsing and validating the merchant's two files, `catalog.json` and
//! `shipping.json`, into a [`Catalog`] and [`Shipping`], listing every
//! problem of both files at once.
//!
//! The one parser of those files: `build.rs` includes this module (so a bad
//! file fails the build with the same verdict the Worker would reach) and the
//! Worker uses it to read the copies compiled into it. It depends on `shared`
//! and `serde_json` only, nothing of the Worker's runtime.

use shared::catalog::{Catalog, CatalogFile};
use shared::shipping::{Shipping, ShippingFile};

/// Parses and validates a catalog file, listing every problem.
pub(crate) fn parse_catalog(text: &str) -> Result<Catalog, Vec<String>> {
    let file: CatalogFile = serde_json::from_str(text)
        .map_err(|e| vec![format!("catalog.json is not valid JSON: {e}")])?;
    file.validate().map_err(|problems| {
        problems
            .iter()
            .map(|p| format!("catalog.json {}: {}", p.pointer, p.message))
            .collect()
    })
}

/// Parses and validates shipping rules against the catalog's currency,
/// listing every problem.
pub(crate) fn parse_shipping(text: &str, catalog: &Catalog) -> Result<Shipping, Vec<String>> {
    let file: ShippingFile = serde_json::from_str(text)
        .map_err(|e| vec![format!("shipping.json is not valid JSON: {e}")])?;
    file.validate(catalog.currency()).map_err(|problems| {
        problems
            .iter()
            .map(|p| format!("shipping.json {}: {}", p.pointer, p.message))
            .collect()
    })
}

/// Both files together: the problems of the catalog and of the shipping
/// rules in one list. (Shipping rules are checked against the catalog's
/// currency, so with an unreadable catalog only their shape is checked.)
pub(crate) fn parse_both(
    catalog_text: &str,
    shipping_text: &str,
) -> Result<(Catalog, Shipping), Vec<String>> {
    match parse_catalog(catalog_text) {
        Ok(catalog) => {
            let shipping = parse_shipping(shipping_text, &catalog)?;
            Ok((catalog, shipping))
        }
        Err(mut problems) => {
            if let Err(e) = serde_json::from_str::<ShippingFile>(shipping_text) {
                problems.push(format!("shipping.json is not valid JSON: {e}"));
            }
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"{"currency":"EUR","products":[
        {"sku":"a","title":"A","unit_price":"10.00","vat_rate":"20","type":"good"}]}"#;

    #[test]
    fn valid_files_are_read() {
        let shipping = r#"{"currency":"EUR","zones":[
            {"name":"France","countries":["FR"],"price":"4.90","vat_rate":"20"}]}"#;
        let (catalog, shipping) = parse_both(CATALOG, shipping).expect("valid");
        assert_eq!(catalog.products().len(), 1);
        assert!(shipping.ships());
    }

    #[test]
    fn a_broken_shipping_file_is_refused_with_every_problem() {
        let shipping = r#"{"currency":"EUR","zones":[
            {"name":"France","countries":["FR"],"price":"x","vat_rate":"20"},
            {"name":"","countries":["fr"],"price":"4.90","vat_rate":"20"}]}"#;
        let problems = parse_both(CATALOG, shipping)
            .expect_err("invalid")
            .join("\n");
        for needle in ["zones[0].price", "zones[1].name", "zones[1].countries[0]"] {
            assert!(problems.contains(needle), "missing {needle} in\n{problems}");
        }
        assert!(problems.starts_with("shipping.json"), "{problems}");
        let not_json = parse_both(CATALOG, "{").expect_err("not json");
        assert_eq!(not_json.len(), 1);
        assert!(not_json[0].contains("shipping.json is not valid JSON"));
    }

    #[test]
    fn both_files_broken_list_both() {
        let problems = parse_both("{", "{").expect_err("invalid");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("catalog.json"));
        assert!(problems[1].starts_with("shipping.json"));
    }
}
