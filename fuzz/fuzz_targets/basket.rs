//! The basket the widget keeps in the shopper's localStorage can be edited by
//! hand: decoding never panics, keeps every limit, and round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::basket::Basket;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(basket) = Basket::decode(text) {
        assert!(
            basket.len() <= 100,
            "more lines than the limit from {text:?}"
        );
        for line in basket.lines() {
            assert!(
                (1..=999).contains(&line.quantity),
                "quantity out of range from {text:?}"
            );
        }
        let encoded = basket.encode();
        assert_eq!(
            Basket::decode(&encoded).as_ref(),
            Ok(&basket),
            "{text:?} -> {encoded:?}"
        );
    }
});
