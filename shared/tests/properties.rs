//! Property tests for the rules the issue lists: parse∘format = identity,
//! totals = Σ lines, gross = net + VAT, the per-rate breakdown sums to the
//! total VAT, merging adds quantities, no sequence of basket operations
//! breaks a limit, and an order's total is an independent computation's.
//!
//! Run with `cargo test -p shared --all-features`.

use proptest::prelude::*;

use shared::api::{CheckoutItem, CheckoutRequest};
use shared::basket::{Basket, BasketError};
use shared::catalog::{Catalog, Product, ProductKind};
use shared::limits::{MAX_AMOUNT_MINOR, MAX_LINES, MAX_QUANTITY};
use shared::money::{Currency, Money};
use shared::order::PricedOrder;
use shared::pricing::{price, price_in, LineInput};
use shared::shipping::Shipping;
use shared::vat::{VatRate, VatRateFormat};

const EUR: Currency = Currency::EUR;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

fn rate(bp: u32) -> VatRate {
    VatRate::from_basis_points(bp).unwrap()
}

/// The money grammar, written independently of the parser.
fn is_money_grammar(s: &str) -> bool {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()))
}

// Realistic EU rates most of the time, any rate sometimes.
fn any_rate() -> impl Strategy<Value = VatRate> {
    prop_oneof![
        prop::sample::select(vec![0u32, 550, 700, 1000, 2000, 2100, 2200]).prop_map(rate),
        (0u32..=10_000).prop_map(rate),
    ]
}

fn any_line() -> impl Strategy<Value = LineInput> {
    (1u32..=MAX_QUANTITY, 0i64..=200_000, any_rate()).prop_map(|(quantity, unit, vat_rate)| {
        LineInput {
            quantity,
            unit_net: Money::new(unit, EUR),
            vat_rate,
        }
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn money_parse_format_identity(minor in 0i64..=i64::MAX) {
        let m = Money::new(minor, EUR);
        prop_assert_eq!(Money::parse_decimal(&m.to_decimal(), EUR), Ok(m));
    }

    #[test]
    fn money_signed_parse_format_identity(minor in (i64::MIN + 1)..=i64::MAX) {
        let m = Money::new(minor, EUR);
        prop_assert_eq!(Money::parse_decimal_signed(&m.to_decimal(), EUR), Ok(m));
    }

    #[test]
    fn money_format_parse_identity_on_canonical_strings(units in 0u64..1_000_000_000_000, cents in 0u8..100) {
        let text = format!("{units}.{cents:02}");
        prop_assert_eq!(Money::parse_decimal(&text, EUR).map(|m| m.to_decimal()), Ok(text));
    }

    #[test]
    fn money_parser_accepts_exactly_the_grammar(s in "[0-9.eE+ ,-]{0,10}") {
        let parsed = Money::parse_decimal(&s, EUR);
        // Strings of 10 characters or fewer never overflow.
        prop_assert_eq!(parsed.is_ok(), is_money_grammar(&s), "{:?} → {:?}", s, parsed);
        if let Ok(m) = parsed {
            prop_assert!(m.minor() >= 0);
        }
    }

    #[test]
    fn money_parser_never_panics(s in "\\PC{0,40}") {
        let _ = Money::parse_decimal(&s, EUR);
        let _ = Money::parse_decimal_signed(&s, EUR);
        let _ = VatRate::parse_lenient(&s);
    }

    #[test]
    fn vat_parse_format_identity(bp in 0u32..=10_000) {
        let r = rate(bp);
        for format in [VatRateFormat::Fraction, VatRateFormat::Percent] {
            prop_assert_eq!(VatRate::parse(&r.format(format), format), Ok(r));
        }
    }

    #[test]
    fn vat_lenient_reads_both_encodings_where_unambiguous(bp in 0u32..=10_000) {
        let r = rate(bp);
        // A percent below 1 % reads as a fraction, fraction 1.0 as 1 %: the
        // documented collisions.
        if bp == 0 || bp >= 100 {
            prop_assert_eq!(VatRate::parse_lenient(&r.format(VatRateFormat::Percent)), Ok(r));
        }
        if bp < 10_000 {
            prop_assert_eq!(VatRate::parse_lenient(&r.format(VatRateFormat::Fraction)), Ok(r));
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn totals_are_sums_of_lines(lines in prop::collection::vec(any_line(), 0..=12)) {
        let expected_gross: i128 = lines
            .iter()
            .map(|l| {
                let net = i128::from(l.unit_net.minor()) * i128::from(l.quantity);
                // Half-up rounding, computed the long way round.
                let scaled = net * i128::from(l.vat_rate.basis_points());
                let vat = scaled / 10_000 + i128::from(scaled % 10_000 >= 5_000);
                net + vat
            })
            .sum();

        match price_in(EUR, &lines) {
            Err(e) => {
                prop_assert_eq!(e.code(), "amount_too_large");
                prop_assert!(expected_gross > i128::from(MAX_AMOUNT_MINOR));
            }
            Ok((priced, totals)) => {
                prop_assert_eq!(i128::from(totals.gross.minor()), expected_gross);
                prop_assert!(totals.gross.minor() <= MAX_AMOUNT_MINOR);
                prop_assert_eq!(priced.len(), lines.len());

                let sum = |f: fn(&shared::PricedLine) -> Money| priced.iter().map(|p| f(p).minor()).sum::<i64>();
                prop_assert_eq!(totals.net.minor(), sum(|p| p.net));
                prop_assert_eq!(totals.vat.minor(), sum(|p| p.vat));
                prop_assert_eq!(totals.gross.minor(), sum(|p| p.gross));
                prop_assert_eq!(totals.gross.minor(), totals.net.minor() + totals.vat.minor());

                for (p, l) in priced.iter().zip(&lines) {
                    prop_assert_eq!(p.gross.minor(), p.net.minor() + p.vat.minor());
                    prop_assert_eq!(p.net.minor(), l.unit_net.minor() * i64::from(l.quantity));
                    // The VAT is the exact VAT rounded to the nearest cent, an
                    // exact half cent upwards: the difference lies in (-½, +½].
                    let exact = i128::from(p.net.minor()) * i128::from(l.vat_rate.basis_points());
                    let diff = i128::from(p.vat.minor()) * 10_000 - exact;
                    prop_assert!(diff > -5_000 && diff <= 5_000, "diff {}", diff);
                }

                // Per-rate breakdown: sorted, one entry per rate present, sums to the VAT.
                prop_assert!(totals.vat_by_rate.windows(2).all(|w| w[0].0 < w[1].0));
                let by_rate_sum: i64 = totals.vat_by_rate.iter().map(|(_, m)| m.minor()).sum();
                prop_assert_eq!(by_rate_sum, totals.vat.minor());
                for (r, amount) in &totals.vat_by_rate {
                    let lines_at_rate: i64 = priced.iter().filter(|p| p.vat_rate == *r).map(|p| p.vat.minor()).sum();
                    prop_assert_eq!(amount.minor(), lines_at_rate);
                }
                let mut rates: Vec<VatRate> = lines.iter().map(|l| l.vat_rate).collect();
                rates.sort();
                rates.dedup();
                prop_assert_eq!(rates, totals.vat_by_rate.iter().map(|(r, _)| *r).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn totals_do_not_depend_on_line_order(lines in prop::collection::vec(any_line(), 1..=8), seed in any::<u64>()) {
        let mut shuffled = lines.clone();
        shuffled.rotate_left((seed % lines.len() as u64) as usize);
        shuffled.reverse();
        let a = price(&lines).map(|(_, t)| t);
        let b = price(&shuffled).map(|(_, t)| t);
        prop_assert_eq!(a, b);
    }
}

// ----- basket -----

/// Products s0..s109 (s110..s119 are unknown SKUs), net prices from 0.01 to
/// 2 376.21 so that the amount limit is reachable.
fn catalog() -> Catalog {
    let products = (0..110)
        .map(|i: i64| Product {
            sku: format!("s{i}"),
            title: format!("Product {i}"),
            description: None,
            unit_price: Money::new(1 + i * i * 20, EUR),
            vat_rate: rate([0, 550, 2000, 2100][(i % 4) as usize]),
            kind: ProductKind::Good,
            image_url: None,
            unit_price_gross: None,
            variant: None,
        })
        .collect();
    Catalog::new(EUR, products).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Add(usize, u32),
    Set(usize, u32),
    Remove(usize),
    Clear,
}

fn any_op() -> BoxedStrategy<Op> {
    let sku = 0usize..120;
    let qty = prop_oneof![0u32..=5, 990u32..=1_010, Just(u32::MAX)];
    prop_oneof![
        40 => (sku.clone(), qty.clone()).prop_map(|(s, q)| Op::Add(s, q)),
        20 => (sku.clone(), qty).prop_map(|(s, q)| Op::Set(s, q)),
        10 => sku.prop_map(Op::Remove),
        1 => Just(Op::Clear),
    ]
    .boxed()
}

fn apply(basket: &mut Basket, op: &Op) -> Result<(), BasketError> {
    let name = |i: &usize| format!("s{i}");
    match op {
        Op::Add(s, q) => basket.add(&name(s), *q),
        Op::Set(s, q) => basket.set_quantity(&name(s), *q),
        Op::Remove(s) => {
            basket.remove(&name(s));
            Ok(())
        }
        Op::Clear => {
            basket.clear();
            Ok(())
        }
    }
}

fn assert_limits(basket: &Basket) -> Result<(), TestCaseError> {
    prop_assert!(basket.len() <= MAX_LINES);
    prop_assert!(basket
        .lines()
        .iter()
        .all(|l| (1..=MAX_QUANTITY).contains(&l.quantity)));
    let mut skus: Vec<&str> = basket.lines().iter().map(|l| l.sku.as_str()).collect();
    skus.sort_unstable();
    skus.dedup();
    prop_assert_eq!(skus.len(), basket.len(), "one line per SKU");
    prop_assert_eq!(Basket::decode(&basket.encode()), Ok(basket.clone()));
    Ok(())
}

/// The gross total of `lines` (SKU index, quantity) of [`catalog`], computed
/// without `shared`: per line, net × rate rounded half up to the cent.
fn oracle_gross(lines: &[(usize, u32)]) -> i64 {
    lines
        .iter()
        .map(|&(i, q)| {
            let i = i as i64;
            let net = (1 + i * i * 20) * i64::from(q);
            let bp = [0, 550, 2000, 2100][(i % 4) as usize];
            // round_half_up(net × bp / 10 000) for non-negative net
            net + (net * bp + 5_000) / 10_000
        })
        .sum()
}

fn priced(basket: &Basket, catalog: &Catalog) -> PricedOrder {
    let items = basket
        .lines()
        .iter()
        .map(|l| (l.sku.as_str(), i64::from(l.quantity)));
    PricedOrder::price(items, catalog, &Shipping::none(EUR), None)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn merging_adds_quantities(a in 1u32..=MAX_QUANTITY, b in 1u32..=MAX_QUANTITY, other in 1u32..=MAX_QUANTITY) {
        let mut basket = Basket::new();
        basket.add("mug", a).unwrap();
        basket.add("cup", other).unwrap();
        let result = basket.add("mug", b);
        prop_assert_eq!(basket.len(), 2);
        prop_assert_eq!(basket.quantity_of("cup"), other);
        if a + b <= MAX_QUANTITY {
            prop_assert_eq!(result, Ok(()));
            prop_assert_eq!(basket.quantity_of("mug"), a + b);
            prop_assert_eq!(basket.item_count(), a + b + other);
        } else {
            prop_assert_eq!(result, Err(BasketError::QuantityOutOfRange { quantity: i64::from(a + b) }));
            prop_assert_eq!(basket.quantity_of("mug"), a);
        }
    }

    #[test]
    fn checkout_request_merges_like_the_basket(items in prop::collection::vec((0usize..4, 1i64..=400), 1..=10)) {
        let catalog = catalog();
        let request = CheckoutRequest {
            items: items.iter().map(|(s, q)| CheckoutItem { sku: format!("s{s}"), quantity: *q }).collect(),
            ..CheckoutRequest::default()
        };
        let mut basket = Basket::new();
        let basket_result: Result<(), BasketError> = items
            .iter()
            .try_for_each(|(s, q)| basket.add(&format!("s{s}"), *q as u32));
        match (request.validate(&catalog), basket_result) {
            (Ok(order), Ok(())) => {
                let lines: Vec<(String, u32)> = order.lines.iter().map(|l| (l.product.sku.clone(), l.priced.quantity)).collect();
                let basket_lines: Vec<(String, u32)> = basket.lines().iter().map(|l| (l.sku.clone(), l.quantity)).collect();
                prop_assert_eq!(lines, basket_lines);
                let oracle: Vec<(usize, u32)> = basket.lines().iter().map(|l| (l.sku[1..].parse().unwrap(), l.quantity)).collect();
                prop_assert_eq!(order.totals.gross.minor(), oracle_gross(&oracle));
            }
            (Err(problems), Err(e)) => {
                prop_assert_eq!(problems[0].code, e.code());
                prop_assert!(problems.iter().all(|p| p.field.is_some()));
            }
            (a, b) => prop_assert!(false, "request {:?} vs basket {:?}", a, b),
        }
    }

    #[test]
    fn limits_hold_after_any_operations(start in 0usize..=MAX_LINES, ops in prop::collection::vec(any_op(), 0..200)) {
        // Start anywhere up to full, so the line limit is actually reached.
        let mut basket = Basket::from_lines((0..start).map(|i| (format!("s{i}"), 1))).unwrap();
        for op in &ops {
            let before = basket.clone();
            if apply(&mut basket, op).is_err() {
                prop_assert_eq!(&basket, &before, "a refused {:?} changed the basket", op);
            }
            assert_limits(&basket)?;
        }
    }

    #[test]
    fn an_order_is_priced_within_the_maximum_or_says_so(start in 0usize..=60, ops in prop::collection::vec(any_op(), 0..150)) {
        let catalog = catalog();
        let mut basket = Basket::from_lines((0..start).map(|i| (format!("s{i}"), 1))).unwrap();
        for op in &ops {
            let _ = apply(&mut basket, op);
            let order = priced(&basket, &catalog);
            let known: Vec<(usize, u32)> = basket
                .lines()
                .iter()
                .filter_map(|l| Some((l.sku[1..].parse::<usize>().ok().filter(|i| *i < 110)?, l.quantity)))
                .collect();
            let gross = oracle_gross(&known);
            let too_large = order.problems.iter().any(|p| p.code() == "amount_too_large");
            if gross <= MAX_AMOUNT_MINOR {
                prop_assert!(!too_large);
                prop_assert_eq!(order.total.map(|t| t.minor()), Some(gross));
            } else {
                prop_assert!(too_large && !basket.is_empty());
                prop_assert_eq!(order.total, None);
            }
            let unknown = basket.len() - known.len();
            prop_assert_eq!(order.problems.iter().filter(|p| p.code() == "unknown_sku").count(), unknown);
        }
    }
}

#[cfg(feature = "qonto")]
mod webhook {
    use proptest::prelude::*;
    use shared::webhook::{sign, verify, SignatureError, SignatureHeader};

    proptest! {
        #![proptest_config(super::config(256))]

        #[test]
        fn sign_then_verify(
            secret in prop::collection::vec(any::<u8>(), 0..100),
            body in prop::collection::vec(any::<u8>(), 0..300),
            t in 0i64..4_000_000_000,
            skew in -300i64..=300,
        ) {
            let header = sign(&secret, t, &body);
            prop_assert_eq!(verify(&secret, &header, &body, t + skew, 300), Ok(t));
        }

        #[test]
        fn any_change_to_the_body_is_detected(
            body in prop::collection::vec(any::<u8>(), 1..200),
            index in any::<prop::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let header = sign(b"secret", 1_704_110_400, &body);
            let mut altered = body.clone();
            let i = index.index(altered.len());
            altered[i] ^= flip;
            prop_assert_eq!(verify(b"secret", &header, &altered, 1_704_110_400, 300), Err(SignatureError::Mismatch));
        }

        #[test]
        fn header_parser_never_panics(header in "[tv01=,a-f0-9 -]{0,120}") {
            let _ = SignatureHeader::parse(&header);
        }
    }
}
