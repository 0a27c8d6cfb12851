//! The merchant's `catalog.json` and `shipping.json`: any bytes give either a
//! valid catalog (each unit's gross its net plus VAT) or a list of problems,
//! never a panic.
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
                    // SKUs are unique: the lookup finds this product's price.
                    assert_eq!(catalog.unit_gross(&product.sku), Some(gross));
                    // The gross is the net plus its VAT to within a cent's
                    // rounding, worked out here from the rate in basis points.
                    let net = i128::from(product.unit_price.minor());
                    let exact = net * i128::from(product.vat_rate.basis_points());
                    let (low, high) = (exact.div_euclid(10_000), -(-exact).div_euclid(10_000));
                    let vat = i128::from(gross.minor()) - net;
                    assert!(
                        (low..=high).contains(&vat),
                        "{}: net {net}, rate {} bp, gross {}",
                        product.sku,
                        product.vat_rate.basis_points(),
                        gross.minor()
                    );
                    assert_eq!(gross.currency(), product.unit_price.currency());
                    // A VAT-inclusive price lands exactly through its lots.
                    if let Some(unit_gross) = product.unit_price_gross {
                        assert_eq!(unit_gross, gross);
                        for q in [1u32, 2, 3, 7] {
                            if let Some(lots) =
                                shared::pricing::lots::split(gross, q, product.vat_rate)
                            {
                                assert_eq!(
                                    lots.gross_minor(product.vat_rate),
                                    gross.minor() * i64::from(q)
                                );
                            } else {
                                assert!(
                                    gross.minor() * i64::from(q) > shared::limits::MAX_AMOUNT_MINOR
                                );
                            }
                        }
                    }
                    // A variant's group is listed and names it.
                    if let Some(v) = &product.variant {
                        let group = catalog.group(&v.group).expect("the variant's group");
                        assert!(group.variants.contains(&product.sku));
                        assert_eq!(v.option_values.len(), group.options.len());
                        assert!(
                            catalog.get(&v.group).is_none(),
                            "a group is not purchasable"
                        );
                    }
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
