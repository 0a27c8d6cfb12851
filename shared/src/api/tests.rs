//! Tests of the API bodies and the checkout request's validation.

use super::*;
use crate::catalog::Catalog;
use crate::catalog::CatalogFile;
use crate::limits::MAX_LINES;
use crate::money::Currency;
use crate::shipping::Shipping;

fn catalog() -> Catalog {
    let entry = |sku: &str, price: &str, vat: &str, kind: &str| crate::catalog::ProductEntry {
        sku: Some(sku.into()),
        title: Some(format!("Title {sku}")),
        description: None,
        unit_price: Some(price.into()),
        vat_rate: Some(vat.into()),
        kind: Some(kind.into()),
        ..Default::default()
    };
    CatalogFile {
        currency: Some("EUR".into()),
        products: vec![
            entry("tshirt-m", "25.00", "20", "good"),
            entry("ebook", "10.99", "21", "service"),
            entry("bike", "20000.00", "20", "good"),
        ],
    }
    .validate()
    .unwrap()
}

fn item(sku: &str, quantity: i64) -> CheckoutItem {
    CheckoutItem {
        sku: sku.into(),
        quantity,
    }
}

fn request(items: Vec<CheckoutItem>) -> CheckoutRequest {
    CheckoutRequest {
        items,
        ..CheckoutRequest::default()
    }
}

/// (field pointer, code) of each problem.
type Found = Vec<(Option<String>, &'static str)>;

fn problems_of(req: &CheckoutRequest) -> Found {
    req.validate(&catalog())
        .unwrap_err()
        .into_iter()
        .map(|p| (p.field, p.code))
        .collect()
}

fn at(field: &str, code: &'static str) -> (Option<String>, &'static str) {
    (Some(field.to_owned()), code)
}

#[test]
fn valid_order_is_priced_and_merged() {
    let order = request(vec![
        item("ebook", 1),
        item("tshirt-m", 2),
        item("ebook", 2),
    ])
    .validate(&catalog())
    .unwrap();
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.lines[0].product.sku, "ebook");
    assert_eq!(order.lines[0].priced.quantity, 3);
    assert_eq!(order.amount().to_decimal(), "99.89"); // 39.89 + 60.00
    assert!(order.has_goods());
    let lines = order.checkout_lines();
    assert_eq!(lines[0].vat_rate, "21.0");
    assert_eq!(lines[0].gross.value, "39.89"); // 32.97 + 6.9237 → 6.92
    assert_eq!(lines[1].unit_price.value, "25.00");
}

#[test]
fn item_problems_table() {
    let too_many: Vec<CheckoutItem> = (0..=MAX_LINES).map(|_| item("ebook", 1)).collect();
    let cases: Vec<(Vec<CheckoutItem>, Found)> = vec![
        (vec![], vec![at("items", "empty_basket")]),
        (too_many, vec![at("items", "too_many_lines")]),
        (
            vec![item("ebook", 1), item("ghost", 1), item("tshirt-m", 0)],
            vec![
                at("items[1].sku", "unknown_sku"),
                at("items[2].quantity", "quantity_out_of_range"),
            ],
        ),
        (
            vec![item("ebook", -1)],
            vec![at("items[0].quantity", "quantity_out_of_range")],
        ),
        (
            vec![item("ebook", 1000)],
            vec![at("items[0].quantity", "quantity_out_of_range")],
        ),
        (
            vec![item("ebook", i64::MIN)],
            vec![at("items[0].quantity", "quantity_out_of_range")],
        ),
        (
            vec![item("bad sku!", 5000)],
            vec![
                at("items[0].sku", "unknown_sku"),
                at("items[0].quantity", "quantity_out_of_range"),
            ],
        ),
        (
            vec![item("ebook", 500), item("ebook", 500)],
            vec![at("items[1].quantity", "quantity_out_of_range")],
        ),
        (vec![item("bike", 3)], vec![at("items", "amount_too_large")]),
    ];
    for (items, expected) in cases {
        assert_eq!(problems_of(&request(items)), expected);
    }
}

#[test]
fn customer_is_normalized_and_checked() {
    let mut req = request(vec![item("tshirt-m", 1)]);
    req.customer = Some(Customer {
        email: " ada@example.com ".into(),
        name: " Ada Lovelace ".into(),
        phone: Some("  ".into()),
        address: Some(Address {
            line1: "1 rue de la Paix".into(),
            line2: Some("".into()),
            postal_code: "75002".into(),
            city: "Paris".into(),
            country: "fr".into(),
        }),
        company: None,
        vat_number: None,
    });
    req.payment_methods = Some(vec![
        "credit_card".into(),
        "paypal".into(),
        "credit_card".into(),
    ]);
    let order = req.validate(&catalog()).unwrap();
    let c = order.customer.unwrap();
    assert_eq!(
        (c.email.as_str(), c.name.as_str(), c.phone),
        ("ada@example.com", "Ada Lovelace", None)
    );
    let a = c.address.unwrap();
    assert_eq!((a.line2, a.country.as_str()), (None, "FR"));
    assert_eq!(
        order.payment_methods,
        Some(vec!["credit_card".into(), "paypal".into()])
    );
}

#[test]
fn customer_problems_table() {
    let mut req = request(vec![item("tshirt-m", 1)]);
    req.customer = Some(Customer {
        email: "not-an-email".into(),
        name: "".into(),
        phone: Some("call me".into()),
        address: Some(Address {
            line1: "x".repeat(MAX_TEXT_CHARS + 1),
            line2: None,
            postal_code: "".into(),
            city: "Paris".into(),
            country: "France".into(),
        }),
        company: None,
        vat_number: None,
    });
    req.payment_methods = Some(vec!["credit_card".into(), "Apple Pay".into()]);
    assert_eq!(
        problems_of(&req),
        vec![
            at("customer.email", "invalid_email"),
            at("customer.name", "missing_field"),
            at("customer.phone", "invalid_phone"),
            at("customer.address.line1", "field_too_long"),
            at("customer.address.postal_code", "missing_field"),
            at("customer.address.country", "invalid_country"),
            at("payment_methods[1]", "invalid_payment_method"),
        ]
    );
    req.customer = None;
    req.payment_methods = Some(vec![]);
    assert_eq!(
        problems_of(&req),
        vec![at("payment_methods", "invalid_payment_method")]
    );
}

#[test]
fn control_and_bidi_characters_are_refused_in_every_customer_text() {
    let clean = || Customer {
        email: "ana@example.com".into(),
        name: "Ana Lopes".into(),
        phone: Some("+33 6 12 34 56 78".into()),
        address: Some(Address {
            line1: "1 rue de la Paix".into(),
            line2: Some("Bât. B".into()),
            postal_code: "75002".into(),
            city: "Paris".into(),
            country: "FR".into(),
        }),
        company: None,
        vat_number: None,
    };
    type Edit = fn(&mut Customer, &str);
    let cases: &[(&str, Edit)] = &[
        ("customer.name", |c, bad| c.name = format!("Ana{bad}Lopes")),
        ("customer.email", |c, bad| {
            c.email = format!("ana{bad}@example.com")
        }),
        ("customer.phone", |c, bad| {
            c.phone = Some(format!("+33 6{bad}12 34 56 78"))
        }),
        ("customer.address.line1", |c, bad| {
            if let Some(a) = c.address.as_mut() {
                a.line1 = format!("1 rue{bad} de la Paix");
            }
        }),
        ("customer.address.line2", |c, bad| {
            if let Some(a) = c.address.as_mut() {
                a.line2 = Some(format!("Bât.{bad} B"));
            }
        }),
        ("customer.address.postal_code", |c, bad| {
            if let Some(a) = c.address.as_mut() {
                a.postal_code = format!("75{bad}002");
            }
        }),
        ("customer.address.city", |c, bad| {
            if let Some(a) = c.address.as_mut() {
                a.city = format!("Pa{bad}ris");
            }
        }),
    ];
    for bad in ["\u{202E}", "\u{2066}", "\u{0007}", "\n", "\u{0085}"] {
        for (field, edit) in cases {
            let mut req = request(vec![item("tshirt-m", 1)]);
            let mut c = clean();
            edit(&mut c, bad);
            req.customer = Some(c);
            assert_eq!(
                problems_of(&req),
                vec![at(field, "invalid_characters")],
                "{field} with {bad:?}"
            );
        }
    }
    // Surrounding whitespace is trimmed, not refused; the clean customer passes.
    let mut req = request(vec![item("tshirt-m", 1)]);
    let mut c = clean();
    c.name = "\tAna Lopes\n".into();
    req.customer = Some(c);
    let order = req.validate(&catalog()).expect("a clean customer passes");
    assert_eq!(order.customer.map(|c| c.name).as_deref(), Some("Ana Lopes"));
}

#[test]
fn email_and_phone_table() {
    let emails: &[(&str, bool)] = &[
        ("a@b.co", true),
        ("first.last+tag@sub.example.org", true),
        ("a@b", false),
        ("@b.co", false),
        ("a@", false),
        ("a@@b.co", false),
        ("a@b@c.co", false),
        ("a b@c.co", false),
        ("a@.b.co", false),
        ("a@b.co.", false),
        ("a@b..co", false),
    ];
    for &(email, ok) in emails {
        assert_eq!(is_plausible_email(email), ok, "{email:?}");
    }
    let phones: &[(&str, bool)] = &[
        ("+33 1 23 45 67 89", true),
        ("(555) 123-4567", true),
        ("06.12.34.56.78", true),
        ("1234", false),
        ("+33 abc", false),
        ("123456789012345678901", false),
    ];
    for &(phone, ok) in phones {
        assert_eq!(is_plausible_phone(phone), ok, "{phone:?}");
    }
}

#[test]
fn catalog_response_shape() {
    let catalog = catalog();
    let response = CatalogResponse::from_catalog(&catalog);
    assert_eq!(response.currency, "EUR");
    let ebook = &response.products[1];
    assert_eq!(ebook.unit_price.value, "10.99");
    assert_eq!(ebook.unit_price_gross.value, "13.30");
    assert_eq!(ebook.vat_rate, "21.0");
    assert_eq!(ebook.kind, crate::catalog::ProductKind::Service);
    assert_eq!(response.products.len(), catalog.products().len());
}

#[test]
fn checkout_status_table() {
    let cases = [
        ("open", CheckoutStatus::Open, false),
        ("processing", CheckoutStatus::Processing, false),
        ("paid", CheckoutStatus::Paid, true),
        ("expired", CheckoutStatus::Expired, true),
        ("canceled", CheckoutStatus::Canceled, true),
        ("failed", CheckoutStatus::Failed, true),
        (
            "refunded",
            CheckoutStatus::Unknown("refunded".into()),
            false,
        ),
    ];
    for (text, status, is_final) in cases {
        assert_eq!(CheckoutStatus::from(text), status);
        assert_eq!(status.as_str(), text);
        assert_eq!(status.to_string(), text);
        assert_eq!(status.is_final(), is_final);
    }
}

#[test]
fn error_body_builders() {
    let body = ErrorBody::new("unknown_sku", "gone").with_field("items[2].sku");
    assert_eq!(body.error.field.as_deref(), Some("items[2].sku"));
    let problem = ApiProblem::at("items", "empty_basket", "the basket is empty");
    assert_eq!(problem.to_string(), "items: the basket is empty");
    let body = ErrorBody::from(problem);
    assert_eq!(body.error.code, "empty_basket");
}

#[cfg(feature = "serde")]
mod json {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_body_shape() {
        let body = ErrorBody::new("unknown_sku", "m").with_field("items[2].sku");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"error": {"code": "unknown_sku", "message": "m", "field": "items[2].sku"}})
        );
        let no_field = ErrorBody::new("not_found", "m");
        assert_eq!(
            serde_json::to_value(&no_field).unwrap(),
            json!({"error": {"code": "not_found", "message": "m"}})
        );
    }

    #[test]
    fn checkout_request_tolerates_missing_fields_for_validation() {
        let req: CheckoutRequest = serde_json::from_value(
            json!({"items": [{"sku": "ebook", "quantity": -3}, {"quantity": 1}, {}]}),
        )
        .unwrap();
        assert_eq!(
            problems_of(&req),
            vec![
                at("items[0].quantity", "quantity_out_of_range"),
                at("items[1].sku", "unknown_sku"),
                at("items[2].sku", "unknown_sku"),
                at("items[2].quantity", "quantity_out_of_range"),
            ]
        );
        let empty: CheckoutRequest = serde_json::from_value(json!({})).unwrap();
        assert_eq!(problems_of(&empty), vec![at("items", "empty_basket")]);
        let with_customer: CheckoutRequest = serde_json::from_value(json!({
            "items": [{"sku": "ebook", "quantity": 1}],
            "customer": {"email": "a@b.co", "name": "A", "address": {"line1": "1 st", "postal_code": "1", "city": "c", "country": "DE"}},
            "payment_methods": ["paypal"]
        }))
        .unwrap();
        assert!(with_customer.validate(&catalog()).is_ok());
    }

    #[test]
    fn responses_shape() {
        let order = request(vec![item("ebook", 1)])
            .validate(&catalog())
            .unwrap();
        let response = CheckoutResponse {
            id: "chk_1".into(),
            url: "https://pay.example/x".into(),
            status: CheckoutStatus::Open,
            amount: order.amount().into(),
            lines: order.checkout_lines(),
            expires_at: None,
            reference: None,
            discount: None,
        };
        let value = serde_json::to_value(&response).unwrap();
        assert_eq!(
            value["amount"],
            json!({"value": "13.30", "currency": "EUR"})
        );
        assert_eq!(value["status"], json!("open"));
        assert_eq!(value["expires_at"], json!(null));
        assert_eq!(
            value["lines"][0]["vat"],
            json!({"value": "2.31", "currency": "EUR"})
        );
        let back: CheckoutResponse = serde_json::from_value(value).unwrap();
        assert_eq!(back, response);

        let status: CheckoutStatusResponse = serde_json::from_value(json!({
            "id": "chk_1", "status": "something_new", "amount": {"value": "1.00", "currency": "EUR"}
        }))
        .unwrap();
        assert_eq!(
            status.status,
            CheckoutStatus::Unknown("something_new".into())
        );
        assert_eq!(status.paid_at, None);

        let health = Health {
            ok: true,
            qonto: "connected".into(),
            payments: "active".into(),
        };
        assert_eq!(
            serde_json::to_value(&health).unwrap(),
            json!({"ok": true, "qonto": "connected", "payments": "active"})
        );

        let catalog = serde_json::to_value(CatalogResponse::from_catalog(&catalog())).unwrap();
        assert_eq!(
            catalog["products"][1],
            json!({
                "sku": "ebook", "title": "Title ebook",
                "unit_price": {"value": "10.99", "currency": "EUR"},
                "unit_price_gross": {"value": "13.30", "currency": "EUR"},
                "vat_rate": "21.0", "type": "service"
            })
        );
        let invoice: InvoiceCheckoutRequest =
            serde_json::from_value(json!({"invoice_id": "4c56f862"})).unwrap();
        assert_eq!(invoice.invoice_id, "4c56f862");
    }
}

fn shipping() -> Shipping {
    crate::shipping::ShippingFile {
        currency: Some("EUR".into()),
        free_above: Some("100.00".into()),
        zones: vec![crate::shipping::ShippingZoneEntry {
            name: Some("France".into()),
            countries: vec!["FR".into()],
            price: Some("5.00".into()),
            vat_rate: Some("20".into()),
        }],
    }
    .validate(Currency::EUR)
    .unwrap()
}

fn customer(country: Option<&str>) -> Customer {
    Customer {
        email: "ana@example.com".into(),
        name: "Ana Lopes".into(),
        phone: None,
        address: country.map(|c| Address {
            line1: "1 rue de la Paix".into(),
            line2: None,
            postal_code: "75002".into(),
            city: "Paris".into(),
            country: c.into(),
        }),
        company: None,
        vat_number: None,
    }
}

fn order_for(items: Vec<CheckoutItem>, customer: Option<Customer>) -> CheckoutRequest {
    CheckoutRequest {
        items,
        customer,
        payment_methods: None,
        return_url: None,
        language: None,
        terms_accepted: None,
        discount_code: None,
    }
}

#[test]
fn goods_get_a_shipping_line_included_in_the_totals() {
    let order = order_for(vec![item("tshirt-m", 1)], Some(customer(Some("fr"))))
        .validate_with(&catalog(), &shipping())
        .unwrap();
    let quote = order.shipping.as_ref().expect("shipping line");
    assert_eq!(
        (quote.zone.as_str(), quote.country.as_str(), quote.free),
        ("France", "FR", false)
    );
    assert_eq!(quote.line.gross.to_decimal(), "6.00");
    // 25.00 + 20 % = 30.00, plus 6.00 shipping.
    assert_eq!(order.totals.gross.to_decimal(), "36.00");
    assert_eq!(order.totals.vat.to_decimal(), "6.00");
}

#[test]
fn shipping_is_free_from_the_threshold_and_absent_for_services() {
    let order = order_for(vec![item("tshirt-m", 4)], Some(customer(Some("FR"))))
        .validate_with(&catalog(), &shipping())
        .unwrap();
    assert!(order.shipping.as_ref().is_some_and(|q| q.free));
    assert_eq!(order.totals.gross.to_decimal(), "120.00");
    let services = order_for(vec![item("ebook", 1)], None)
        .validate_with(&catalog(), &shipping())
        .unwrap();
    assert!(services.shipping.is_none());
}

#[test]
fn goods_without_an_address_or_to_an_unshipped_country_are_refused() {
    for (customer, field, code) in [
        (None, "customer", "missing_field"),
        (Some(customer(None)), "customer.address", "missing_field"),
        (
            Some(customer(Some("US"))),
            "customer.address.country",
            "unshippable_country",
        ),
    ] {
        let problems = order_for(vec![item("tshirt-m", 1)], customer)
            .validate_with(&catalog(), &shipping())
            .unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.field.as_deref() == Some(field) && p.code == code),
            "{field} {code}: {problems:?}"
        );
    }
    // Without shipping rules, goods need no address (a shop that does not ship).
    assert!(order_for(vec![item("tshirt-m", 1)], None)
        .validate(&catalog())
        .is_ok());
}

#[test]
fn shipping_rules_survive_the_wire() {
    let info = ShippingInfo::from_shipping(&shipping()).unwrap();
    assert_eq!(info.zones[0].price_gross.value, "6.00");
    assert_eq!(info.zones[0].price.value, "5.00");
    assert_eq!(info.zones[0].countries, vec!["FR".to_owned()]);
    assert!(ShippingInfo::from_shipping(&Shipping::none(Currency::EUR)).is_none());
}

#[cfg(feature = "serde")]
#[test]
fn requests_that_carry_prices_are_refused() {
    for body in [
        r#"{"items":[{"sku":"mug","quantity":1,"unit_price":{"value":"0.01","currency":"EUR"}}]}"#,
        r#"{"items":[{"sku":"mug","quantity":1}],"amount":{"value":"0.01","currency":"EUR"}}"#,
        r#"{"items":[{"sku":"mug","quantity":1,"vat_rate":"0"}]}"#,
        r#"{"items":[],"customer":{"email":"a@b.co","name":"A","discount":"100%"}}"#,
    ] {
        let err = serde_json::from_str::<CheckoutRequest>(body).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{body}: {err}");
    }
    assert!(
        serde_json::from_str::<CheckoutRequest>(r#"{"items":[{"sku":"mug","quantity":1}]}"#)
            .is_ok()
    );
}

#[test]
fn business_buyers_vat_numbers_are_checked_and_stored_compact() {
    let with = |company: Option<&str>, vat: Option<&str>| {
        let mut c = customer(None);
        c.company = company.map(Into::into);
        c.vat_number = vat.map(Into::into);
        order_for(vec![item("ebook", 1)], Some(c)).validate(&catalog())
    };
    let ok = with(Some("  Atelier Lumière SARL "), Some("fr 40 303 265 045")).unwrap();
    let c = ok.customer.unwrap();
    assert_eq!(c.company.as_deref(), Some("Atelier Lumière SARL"));
    assert_eq!(c.vat_number.as_deref(), Some("FR40303265045"));
    // A company alone is fine; blank fields are absent.
    let c = with(Some("Atelier"), Some("  ")).unwrap().customer.unwrap();
    assert_eq!(
        (c.company.as_deref(), c.vat_number),
        (Some("Atelier"), None)
    );

    let problems = |company: Option<&str>, vat: Option<&str>| -> Vec<(String, &str, String)> {
        with(company, vat)
            .unwrap_err()
            .into_iter()
            .map(|p| (p.field.unwrap_or_default(), p.code, p.message))
            .collect()
    };
    assert_eq!(
        problems(Some("Atelier"), Some("DE12345678")),
        vec![(
            "customer.vat_number".to_owned(),
            "invalid_vat_number",
            "customer.vat_number: a DE VAT number is DE + 9 digits".to_owned()
        )]
    );
    assert_eq!(
        problems(None, Some("DE123456789")),
        vec![(
            "customer.company".to_owned(),
            "missing_field",
            "customer.company is required with a VAT number".to_owned()
        )]
    );
    assert_eq!(
        problems(Some("Ate\u{202E}lier"), None)[0].1,
        "invalid_characters"
    );
    assert_eq!(
        problems(Some(&"x".repeat(201)), None)[0].1,
        "field_too_long"
    );
}

#[test]
fn the_shops_policy_requires_terms_and_refuses_business_fields_it_does_not_take() {
    use super::buyer::CheckoutPolicy;
    let terms = CheckoutPolicy {
        terms_url: Some("https://shop.example/terms".into()),
        ..CheckoutPolicy::default()
    };
    let business = CheckoutPolicy {
        business_buyers: true,
        ..CheckoutPolicy::default()
    };
    let mut company = customer(None);
    company.company = Some("Atelier".into());
    company.vat_number = Some("FR40303265045".into());
    let request = |accepted: Option<bool>, c: Option<Customer>| CheckoutRequest {
        terms_accepted: accepted,
        ..order_for(vec![item("ebook", 1)], c)
    };
    let codes = |r: &CheckoutRequest, p: &CheckoutPolicy| -> Vec<(String, &'static str)> {
        r.check_policy(p)
            .into_iter()
            .map(|p| (p.field.unwrap_or_default(), p.code))
            .collect()
    };
    let none: Vec<(String, &str)> = Vec::new();
    // (request, policy, problems)
    let table = [
        (request(None, None), CheckoutPolicy::default(), none.clone()),
        (
            request(Some(false), None),
            CheckoutPolicy::default(),
            none.clone(),
        ),
        (
            request(None, None),
            terms.clone(),
            vec![("terms_accepted".to_owned(), "terms_not_accepted")],
        ),
        (
            request(Some(false), None),
            terms.clone(),
            vec![("terms_accepted".to_owned(), "terms_not_accepted")],
        ),
        (request(Some(true), None), terms.clone(), none.clone()),
        (
            request(None, Some(company.clone())),
            business.clone(),
            none.clone(),
        ),
        (
            request(Some(true), Some(company.clone())),
            terms.clone(),
            vec![
                ("customer.company".to_owned(), "business_buyers_off"),
                ("customer.vat_number".to_owned(), "business_buyers_off"),
            ],
        ),
        (
            request(None, Some(customer(None))),
            CheckoutPolicy::default(),
            none.clone(),
        ),
    ];
    for (i, (r, p, want)) in table.iter().enumerate() {
        assert_eq!(&codes(r, p), want, "row {i}");
    }
    // What the widget is told: nothing for a plain shop.
    assert_eq!(CheckoutPolicy::default().settings(), None);
    let s = terms.settings().unwrap();
    assert_eq!(
        (s.terms_url.as_deref(), s.business_buyers),
        (Some("https://shop.example/terms"), false)
    );
}
