//! The catalog and shipping rules shipped with the Worker (`catalog.json` and
//! `shipping.json` at the repository root, or the test files, see
//! `build.rs`; compiled in and validated with [`crate::merchant_files`]),
//! and `GET /v1/catalog`. Prices, shipping included, always come from here,
//! never from the browser.

use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::Cx;
use crate::ledger::Ledger;
use crate::merchant_files::parse_both;
use shared::api::{CatalogResponse, CheckoutSettings, ShippingInfo};
use shared::catalog::Catalog;
use shared::shipping::Shipping;
use std::cell::Cell;
use std::sync::OnceLock;
use worker::Response;

/// The merchant's catalog file, as deployed (copied by `build.rs`).
const CATALOG_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));
/// The merchant's shipping rules, as deployed (copied by `build.rs`).
const SHIPPING_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/shipping.json"));

/// The catalog and the shipping rules, parsed once per isolate with the
/// parser `build.rs` checked them with.
fn merchant_files() -> EdgeResult<&'static (Catalog, Shipping)> {
    static FILES: OnceLock<Result<(Catalog, Shipping), Vec<String>>> = OnceLock::new();
    FILES
        .get_or_init(|| parse_both(CATALOG_JSON, SHIPPING_JSON))
        .as_ref()
        .map_err(|problems| EdgeError::Misconfigured(problems.clone()))
}

/// The catalog.
pub(crate) fn catalog() -> EdgeResult<&'static Catalog> {
    merchant_files().map(|(catalog, _)| catalog)
}

/// The shipping rules.
pub(crate) fn shipping() -> EdgeResult<&'static Shipping> {
    merchant_files().map(|(_, shipping)| shipping)
}

/// Catalog and shipping problems for `/health` (none when the build check
/// passed).
pub(crate) fn problems() -> Vec<String> {
    match shipping() {
        Ok(_) => Vec::new(),
        Err(EdgeError::Misconfigured(p)) => p,
        Err(_) => vec!["catalog could not be loaded".to_owned()],
    }
}

/// `GET /v1/catalog`.
pub(crate) async fn get_catalog(cx: &Cx) -> EdgeResult<Response> {
    let mut body = CatalogResponse::from_catalog(catalog()?);
    body.shipping = ShippingInfo::from_shipping(shipping()?);
    let mut checkout = cx.config.checkout_policy.settings().unwrap_or_default();
    checkout.discount_codes = codes_on(cx).await;
    body.checkout = (checkout != CheckoutSettings::default()).then_some(checkout);
    let mut resp = json_response(&body, 200);
    // Prices change with a deploy; a minute of caching spares the Worker.
    let _ = resp
        .headers_mut()
        .set("cache-control", "public, max-age=60");
    Ok(resp)
}

thread_local! {
    /// Whether a discount code is on, and when the ledger said so (ms).
    static CODES_ON: Cell<Option<(f64, bool)>> = const { Cell::new(None) };
}

/// How long an isolate trusts the ledger's answer: as long as the catalog
/// is cached anyway, so the catalog, which every page with the widget asks
/// for, costs D1 at most one query a minute per isolate.
const CODES_ON_MS: f64 = 60_000.0;

/// Whether the basket offers its code box: a code is switched on. When the
/// ledger cannot say, the box shows (a code typed is checked anyway), and
/// that guess is not kept.
async fn codes_on(cx: &Cx) -> bool {
    let now = worker::js_sys::Date::now();
    if let Some((_, on)) = CODES_ON.get().filter(|(at, _)| now - at < CODES_ON_MS) {
        return on;
    }
    let asked = match Ledger::open(cx) {
        Ok(ledger) => ledger.any_code_on().await.ok(),
        Err(_) => None,
    };
    if let Some(on) = asked {
        CODES_ON.set(Some((now, on)));
    }
    asked.unwrap_or(true)
}

/// `result` of an admin change to the discount codes: this isolate's next
/// catalog asks the ledger again (others within [`CODES_ON_MS`]).
pub(crate) fn after_codes_change<T>(result: T) -> T {
    CODES_ON.set(None);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merchant_files::{parse_catalog, parse_shipping};

    #[test]
    fn the_shipped_catalog_is_valid() {
        let catalog = parse_catalog(CATALOG_JSON).expect("catalog.json is valid");
        assert!(!catalog.products().is_empty());
    }

    #[test]
    fn the_demo_catalog_has_variants_an_inclusive_price_and_images() {
        let demo =
            parse_catalog(include_str!("../../catalog.json")).expect("catalog.json is valid");
        for (sku, image) in [
            ("tshirt-m", "/img/tshirt.svg"),
            ("mug", "/img/mug.svg"),
            ("coffee-250", "/img/coffee.svg"),
            ("ebook", "/img/ebook.svg"),
            ("workshop", "/img/workshop.svg"),
            ("candle", "/img/candle.svg"),
        ] {
            let p = demo.get(sku).expect(sku);
            assert_eq!(p.image_url.as_deref(), Some(image), "{sku}");
        }
        let group = demo.group("hoodie").expect("the hoodie group");
        assert!(demo.get("hoodie").is_none());
        assert_eq!(group.variants.len(), 6);
        for size in ["s", "m", "l"] {
            for colour in ["navy", "sand"] {
                let sku = format!("hoodie-{size}-{colour}");
                let p = demo.get(&sku).expect("variant");
                let net = if size == "l" { "42.00" } else { "40.00" };
                assert_eq!(p.unit_price.to_decimal(), net, "{sku}");
                assert_eq!(
                    p.image_url.as_deref(),
                    Some(format!("/img/hoodie-{colour}.svg").as_str())
                );
            }
        }
        assert_eq!(
            demo.get("hoodie-m-navy").map(|p| p.title.as_str()),
            Some("Fleece hoodie \u{2014} M, Navy")
        );
        let candle = demo.get("candle").expect("candle");
        assert_eq!(
            candle.unit_price_gross.map(|m| m.to_decimal()),
            Some("19.90".into())
        );
    }

    #[test]
    fn the_shipped_shipping_rules_are_valid() {
        let catalog = parse_catalog(CATALOG_JSON).expect("catalog.json is valid");
        let shipping = parse_shipping(SHIPPING_JSON, &catalog).expect("shipping.json is valid");
        assert!(shipping.ships());
        assert!(parse_shipping(
            r#"{"zones":[{"name":"X","countries":["fr"],"price":"x"}]}"#,
            &catalog
        )
        .is_err());
    }

    #[test]
    fn an_invalid_catalog_lists_every_problem() {
        let text = r#"{"currency":"EUR","products":[
            {"sku":"a","title":"","unit_price":"1.00","vat_rate":"20","type":"good"},
            {"sku":"a","title":"A","unit_price":"-1","vat_rate":"20","type":"good"},
            {"sku":"b","title":"B","unit_price":"1.00","vat_rate":"120","type":"thing"}]}"#;
        let problems = parse_catalog(text).expect_err("invalid").join("\n");
        for needle in [
            "products[0].title",
            "products[1].sku",
            "products[1].unit_price",
            "products[2].vat_rate",
            "products[2].type",
        ] {
            assert!(problems.contains(needle), "missing {needle} in\n{problems}");
        }
        assert!(parse_catalog("{").expect_err("not json")[0].contains("not valid JSON"));
    }
}
