//! The merchant's `catalog.json` and `shipping.json`: any bytes give either a
//! valid catalog or a list of problems, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::catalog::CatalogFile;
use shared::money::Currency;
use shared::shipping::ShippingFile;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = serde_json::from_slice::<CatalogFile>(data) {
        match file.validate() {
            Ok(catalog) => {
                for (product, gross) in catalog.iter_with_gross() {
                    assert_eq!(catalog.unit_gross(&product.sku), Some(gross));
                }
            }
            Err(problems) => assert!(!problems.is_empty(), "refused without a problem"),
        }
    }
    if let Ok(file) = serde_json::from_slice::<ShippingFile>(data) {
        if let Err(problems) = file.validate(Currency::EUR) {
            assert!(!problems.is_empty(), "refused without a problem");
        }
    }
});
