//! Money strings from Qonto and from the catalog: parsing never panics, and
//! whatever parses prints back to an equal amount (Qonto's two-decimal form).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::money::{Currency, Money};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [
        Money::parse_decimal(text, Currency::EUR),
        Money::parse_decimal_signed(text, Currency::EUR),
    ] {
        if let Ok(money) = parsed {
            let printed = money.to_decimal();
            let again = Money::parse_decimal_signed(&printed, Currency::EUR)
                .expect("a printed amount parses");
            assert_eq!(again, money, "{text:?} printed as {printed:?}");
        }
    }
    if let Ok(m) = Money::parse_decimal(text, Currency::EUR) {
        assert!(
            !m.is_negative(),
            "unsigned parse gave a negative amount for {text:?}"
        );
    }
});
