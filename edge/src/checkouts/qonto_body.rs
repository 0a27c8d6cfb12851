//! What the edge sends Qonto to create a link, from a priced order or an
//! invoice: pure functions, host-tested.
//!
//! - Items: one per lot of each priced line (titles cut at 120 characters;
//!   a variant's title names its options): a net-priced line is one lot, a
//!   VAT-inclusive line up to three of the same product whose Qonto gross
//!   is exactly what the shopper saw (`shared::pricing::lots`); the
//!   shipping line as a `service` item when it is not free; the checkout's
//!   short reference opens the first item's description, so a payment seen
//!   in Qonto's or Mollie's dashboard names its order; with a discount
//!   code, the code and what it took off follow the reference
//!   (`QC-1A2B3C4D · code SUMMER10 −4.79 €`: the lines' prices are
//!   already lowered, Qonto has no discount field).
//! - `potential_payment_methods`: only the documented names (`credit_card`,
//!   `apple_pay`, `paypal`, `ideal`); anything else is left out (and logged
//!   by the caller).
//! - `redirect_url`: the shop page the checkout started from, whose origin
//!   must be one of `ALLOWED_ORIGINS`, with `qc_checkout=<id>` added.

use crate::error::EdgeError;
use shared::api::ValidatedOrder;
use shared::money::WireAmount;
use shared::qonto::{
    BasketItem, CreateBasketPaymentLink, CreateInvoicePaymentLink, CreatePaymentLinkRequest,
    ItemType, PaymentMethod,
};
use shared::vat::VatRateFormat;

/// Qonto's titles have no documented limit; integrators cut at 120.
const MAX_TITLE_CHARS: usize = 120;
/// A longer return URL is refused (browsers and gateways cut long URLs).
const MAX_RETURN_URL: usize = 2048;
/// The query parameter that names the checkout on the way back.
pub(crate) const RETURN_PARAM: &str = "qc_checkout";

/// The title of the shipping line.
pub(crate) fn shipping_title(q: &shared::shipping::ShippingQuote) -> String {
    format!("Shipping ({})", q.zone)
}

/// The methods Qonto documents, in order, and the names left out.
pub(crate) fn documented_only(methods: Vec<PaymentMethod>) -> (Vec<PaymentMethod>, Vec<String>) {
    let (kept, dropped): (Vec<_>, Vec<_>) = methods.into_iter().partition(|m| m.is_documented());
    (
        kept,
        dropped.iter().map(|m| m.as_str().to_owned()).collect(),
    )
}

/// The basket link body for a priced order.
pub(crate) fn basket(
    order: &ValidatedOrder,
    format: VatRateFormat,
    methods: Vec<PaymentMethod>,
    reference: &str,
    redirect_url: Option<String>,
) -> CreatePaymentLinkRequest {
    let mut items: Vec<BasketItem> = order
        .lines
        .iter()
        .flat_map(|l| {
            l.priced.lots.iter().map(move |lot| BasketItem {
                title: l.product.title.chars().take(MAX_TITLE_CHARS).collect(),
                quantity: lot.quantity,
                unit_price: lot.unit_net.into(),
                vat_rate: l.priced.vat_rate.format(format),
                item_type: Some(match l.product.kind {
                    shared::catalog::ProductKind::Good => ItemType::Good,
                    shared::catalog::ProductKind::Service => ItemType::Service,
                }),
                description: l.product.description.clone(),
                measure_unit: Some("unit".to_owned()),
            })
        })
        .collect();
    if let Some(q) = order.shipping.as_ref().filter(|q| !q.free) {
        items.push(BasketItem {
            title: shipping_title(q),
            quantity: 1,
            unit_price: q.line.unit_net.into(),
            vat_rate: q.line.vat_rate.format(format),
            item_type: Some(ItemType::Service),
            description: Some(format!("Delivery to {}", q.country)),
            measure_unit: Some("unit".to_owned()),
        });
    }
    let head = match &order.discount {
        Some(d) => format!("{reference} · {}", discount_note(d)),
        None => reference.to_owned(),
    };
    if let Some(first) = items.first_mut() {
        first.description = Some(match first.description.take() {
            Some(d) if !d.is_empty() => format!("{head} · {d}"),
            _ => head,
        });
    }
    CreatePaymentLinkRequest::basket(CreateBasketPaymentLink {
        potential_payment_methods: methods,
        reusable: false,
        items,
        redirect_url,
    })
}

/// `code SUMMER10 −4.79 €`: the discount as the Qonto items name it.
pub(crate) fn discount_note(d: &shared::api::AppliedDiscount) -> String {
    let currency = d.amount.currency();
    let unit = if currency.as_str() == "EUR" {
        "€"
    } else {
        currency.as_str()
    };
    format!("code {} \u{2212}{} {unit}", d.code, d.amount.to_decimal())
}

/// The invoice link body.
pub(crate) fn invoice(
    invoice_id: &str,
    number: &str,
    debitor: &str,
    amount: WireAmount,
    methods: Vec<PaymentMethod>,
    redirect_url: Option<String>,
) -> CreatePaymentLinkRequest {
    CreatePaymentLinkRequest::invoice(CreateInvoicePaymentLink {
        invoice_id: invoice_id.to_owned(),
        invoice_number: number.to_owned(),
        debitor_name: debitor.to_owned(),
        amount,
        potential_payment_methods: methods,
        redirect_url,
    })
}

/// The same request without `redirect_url` (for an account that refuses it).
pub(crate) fn without_redirect(mut body: CreatePaymentLinkRequest) -> CreatePaymentLinkRequest {
    match &mut body.payment_link {
        shared::qonto::CreatePaymentLink::Basket(b) => b.redirect_url = None,
        shared::qonto::CreatePaymentLink::Invoice(i) => i.redirect_url = None,
    }
    body
}

/// Checks the page a checkout starts from: an http(s) URL whose origin is
/// one of `allowed` (normalized origins). Returns it without fragment and
/// without a previous `qc_checkout`.
pub(crate) fn return_url(raw: &str, allowed: &[String]) -> Result<String, EdgeError> {
    let refuse = |why: &str| {
        EdgeError::invalid(
            "invalid_return_url",
            format!("return_url {why}."),
            Some("return_url"),
        )
    };
    if raw.len() > MAX_RETURN_URL {
        return Err(refuse("is longer than 2048 characters"));
    }
    let mut url = worker::Url::parse(raw.trim()).map_err(|_| refuse("is not a URL"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(refuse("must be an http(s) URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must not carry credentials"));
    }
    let origin = url.origin().ascii_serialization();
    if !allowed.iter().any(|o| o == &origin) {
        return Err(refuse(&format!(
            "is on {origin}, which is not one of ALLOWED_ORIGINS"
        )));
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != RETURN_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.set_fragment(None);
    Ok(url.to_string())
}

/// `return_url` with `qc_checkout=<id>` added: Qonto's `redirect_url`.
pub(crate) fn with_checkout(return_url: &str, id: &str) -> String {
    match worker::Url::parse(return_url) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair(RETURN_PARAM, id);
            url.to_string()
        }
        Err(_) => return_url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        vec![
            "https://shop.example".to_owned(),
            "http://127.0.0.1:8788".to_owned(),
        ]
    }

    #[test]
    fn return_urls_must_be_on_an_allowed_origin() {
        let ok = |u: &str| return_url(u, &allowed()).map_err(|e| format!("{e:?}"));
        assert_eq!(
            ok("https://shop.example/cart?x=1#top"),
            Ok("https://shop.example/cart?x=1".into())
        );
        assert_eq!(
            ok("https://shop.example/"),
            Ok("https://shop.example/".into())
        );
        assert_eq!(
            ok("http://127.0.0.1:8788/fr.html?qc_checkout=ck_old&lang=fr"),
            Ok("http://127.0.0.1:8788/fr.html?lang=fr".into())
        );
        for bad in [
            "https://evil.example/",
            "https://shop.example.evil.example/",
            "http://shop.example/",
            "javascript:alert(1)",
            "https://user:pw@shop.example/",
            "not a url",
        ] {
            assert!(ok(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_redirect_names_the_checkout() {
        assert_eq!(
            with_checkout("https://shop.example/cart?x=1", "ck_0123"),
            "https://shop.example/cart?x=1&qc_checkout=ck_0123"
        );
        assert_eq!(
            with_checkout("https://shop.example/", "ck_0123"),
            "https://shop.example/?qc_checkout=ck_0123"
        );
    }

    #[test]
    fn only_documented_methods_are_sent() {
        let (kept, dropped) = documented_only(vec![
            PaymentMethod::CreditCard,
            PaymentMethod::from_wire("bank_transfer"),
            PaymentMethod::Ideal,
        ]);
        assert_eq!(kept, vec![PaymentMethod::CreditCard, PaymentMethod::Ideal]);
        assert_eq!(dropped, vec!["bank_transfer".to_owned()]);
    }

    #[test]
    fn a_refused_redirect_is_left_out_of_the_retry() {
        let body = invoice(
            "inv",
            "INV-1",
            "Ana",
            WireAmount {
                value: "12.00".into(),
                currency: "EUR".into(),
            },
            vec![PaymentMethod::CreditCard],
            Some("https://shop.example/?qc_checkout=ck_1".into()),
        );
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json["payment_link"]["redirect_url"],
            "https://shop.example/?qc_checkout=ck_1"
        );
        let json = serde_json::to_value(without_redirect(body)).unwrap();
        assert!(json["payment_link"].get("redirect_url").is_none(), "{json}");
    }

    #[test]
    fn variant_titles_and_inclusive_lots_reach_qonto() {
        let file: shared::catalog::CatalogFile = serde_json::from_value(serde_json::json!({
            "currency": "EUR",
            "products": [
                {"sku": "hoodie", "title": "Fleece hoodie", "unit_price": "40.00", "vat_rate": "20",
                 "type": "good", "options": [{"name": "Size", "values": ["M", "L"]}],
                 "variants": [{"sku": "hoodie-m", "options": ["M"]},
                              {"sku": "hoodie-l", "options": ["L"], "unit_price": "42.00"}]},
                {"sku": "candle", "title": "Beeswax candle", "unit_price_gross": "19.90",
                 "vat_rate": "20", "type": "good", "description": "Hand-poured"}
            ]
        }))
        .unwrap();
        let catalog = file.validate().unwrap();
        let request: shared::api::CheckoutRequest = serde_json::from_value(serde_json::json!({
            "items": [{"sku": "hoodie-l", "quantity": 1}, {"sku": "candle", "quantity": 3}]
        }))
        .unwrap();
        let order = request.validate(&catalog).unwrap();
        // 42.00 + 8.40, then 3 × 19.90 exactly.
        assert_eq!(order.amount().to_decimal(), "110.10");
        let body = basket(
            &order,
            VatRateFormat::Percent,
            vec![PaymentMethod::CreditCard],
            "QC-1",
            None,
        );
        let json = serde_json::to_value(&body).unwrap();
        let items: Vec<(String, u64, String)> = json["payment_link"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["title"].as_str().unwrap().to_owned(),
                    i["quantity"].as_u64().unwrap(),
                    i["unit_price"]["value"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            items,
            vec![
                ("Fleece hoodie \u{2014} L".to_owned(), 1, "42.00".to_owned()),
                // 2 × 16.58 → 39.79 and 16.59 → 19.91: 59.70.
                ("Beeswax candle".to_owned(), 2, "16.58".to_owned()),
                ("Beeswax candle".to_owned(), 1, "16.59".to_owned()),
            ]
        );
        assert_eq!(json["payment_link"]["items"][0]["description"], "QC-1");
        assert_eq!(
            json["payment_link"]["items"][2]["description"],
            "Hand-poured"
        );
    }

    #[test]
    fn a_discount_is_named_after_the_reference() {
        let file: shared::catalog::CatalogFile = serde_json::from_value(serde_json::json!({
            "currency": "EUR",
            "products": [
                {"sku": "mug", "title": "Mug", "unit_price": "10.00", "vat_rate": "20",
                 "type": "good", "description": "Stoneware"}
            ]
        }))
        .unwrap();
        let catalog = file.validate().unwrap();
        let request: shared::api::CheckoutRequest = serde_json::from_value(serde_json::json!({
            "items": [{"sku": "mug", "quantity": 4}]
        }))
        .unwrap();
        // 4 × 12.00 = 48.00; 10 % off: 4.80, so 43.20 = 4 × 10.80 gross,
        // 9.00 net each (9.00 + 1.80).
        let order = request
            .validate(&catalog)
            .unwrap()
            .with_discount("SUMMER10", shared::discount::DiscountValue::Percent(1_000));
        let body = basket(&order, VatRateFormat::Percent, vec![], "QC-1", None);
        let json = serde_json::to_value(&body).unwrap();
        let item = &json["payment_link"]["items"][0];
        assert_eq!(
            item["description"],
            "QC-1 \u{b7} code SUMMER10 \u{2212}4.80 \u{20ac} \u{b7} Stoneware"
        );
        assert_eq!(item["unit_price"]["value"], "9.00");
        assert_eq!(item["quantity"], 4);
    }
}
