//! VAT rate strings (catalog, Qonto responses in either scale): parsing never
//! panics, and a parsed rate printed in a scale reads back to the same rate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::vat::{VatRate, VatRateFormat};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = VatRateFormat::parse(text);
    let lenient = VatRate::parse_lenient(text);
    for format in [VatRateFormat::Fraction, VatRateFormat::Percent] {
        if let Ok(rate) = VatRate::parse(text, format) {
            let printed = rate.format(format);
            let again = VatRate::parse(&printed, format).expect("a printed rate parses");
            assert_eq!(again, rate, "{text:?} printed as {printed:?}");
        }
    }
    if let Ok(rate) = lenient {
        let _ = rate.format(VatRateFormat::Percent);
    }
});
