//! Tests of Qonto's wire types against documented examples.

use super::*;
use serde_json::json;

fn amount(value: &str) -> WireAmount {
    WireAmount {
        value: value.to_owned(),
        currency: "EUR".to_owned(),
    }
}

// --- Examples from Qonto's documentation --------------------------------

const CREATE_BASKET_PERCENT: &str = r#"{
  "payment_link": {
    "potential_payment_methods": ["credit_card"],
    "reusable": true,
    "items": [
      {
        "title": "Item 1",
        "quantity": 1,
        "unit_price": { "value": "10.99", "currency": "EUR" },
        "vat_rate": "21.0",
        "type": "good",
        "description": "Item 1 description",
        "measure_unit": "unit"
      }
    ]
  }
}"#;

const CREATE_INVOICE: &str = r#"{
  "payment_link": {
    "invoice_id": "<client_invoice uuid>",
    "invoice_number": "INV-12345",
    "debitor_name": "John Doe",
    "amount": { "value": "25.99", "currency": "EUR" },
    "potential_payment_methods": ["credit_card", "apple_pay"]
  }
}"#;

const CREATE_RESPONSE: &str = r#"{
  "payment_link": {
    "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
    "status": "open",
    "expiration_date": "2021-01-01T00:00:00Z",
    "potential_payment_methods": ["credit_card"],
    "amount": { "value": "13.30", "currency": "EUR" },
    "resource_type": "Basket",
    "reusable": true,
    "created_at": "2021-01-01T00:00:00Z",
    "url": "https://pay.qonto.com/019788b3-57ab-727c-b26e-86b95c16e93f?resource_id=4c56f862-6117-4b20-a3e3-7fa6fccea029",
    "items": [ { "title": "Item 1", "quantity": 1, "unit_price": { "value": "10.99", "currency": "EUR" }, "vat_rate": "21.0", "type": "good", "description": "Item 1 description", "measure_unit": "unit" } ],
    "invoice_id": "550e8400-e29b-41d4-a716-446655440001",
    "invoice_number": "INV-12345",
    "debitor_name": "John Doe"
  }
}"#;

const PAYMENTS_RESPONSE: &str = r#"{
  "payments": [
    {
      "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
      "amount": { "value": "13.30", "currency": "EUR" },
      "status": "open",
      "created_at": "2021-01-01T00:00:00Z",
      "payment_method": "credit_card",
      "paid_at": "2021-01-01T00:00:00Z",
      "debitor_email": "john.doe@example.com"
    }
  ],
  "meta": { "current_page": 2, "next_page": 3, "prev_page": 1, "total_pages": 11, "total_count": 210, "per_page": 20 }
}"#;

const WEBHOOK_CREATED: &str = r#"{
  "id": "123e4567-e89b-12d3-a456-426614174000",
  "subscription_id": "123e4567-e89b-12d3-a456-426614174000",
  "organization_id": "123e4567-e89b-12d3-a456-426614174000",
  "membership_id": "123e4567-e89b-12d3-a456-426614174000",
  "type": "v1/payment-links",
  "created_at": "2025-01-24T10:55:00Z",
  "data": {
    "event": "created",
    "status": "open",
    "payment_link_id": "0199e1de-4fa1-7324-9aed-0b0f6a65243e",
    "amount": { "currency": "EUR", "value": "77052.50" },
    "potential_payment_methods": ["bank_transfer", "credit_card", "apple_pay", "paypal"],
    "resource_id": "0199e1de-4e01-72b7-86a0-fbe4e0475d56",
    "resource_metadata": { "invoice_number": "H2025-343" },
    "resource_type": "Invoice",
    "expired_at": "2026-10-14T08:37:47Z",
    "created_at": "2025-10-14T08:37:47Z",
    "updated_at": "2025-10-14T08:37:47Z"
  }
}"#;

/// The docs' second example: wrong envelope `type`, Basket, and
/// `latest_payment_method_used`.
const WEBHOOK_SECOND: &str = r#"{
  "id": "123e4567-e89b-12d3-a456-426614174000",
  "subscription_id": "123e4567-e89b-12d3-a456-426614174000",
  "organization_id": "123e4567-e89b-12d3-a456-426614174000",
  "membership_id": "123e4567-e89b-12d3-a456-426614174000",
  "type": "v1/transactions",
  "created_at": "2025-01-24T10:55:00Z",
  "data": {
    "event": "created",
    "status": "open",
    "payment_link_id": "0199e1de-4fa1-7324-9aed-0b0f6a65243e",
    "amount": { "currency": "EUR", "value": "10.00" },
    "potential_payment_methods": ["credit_card", "sepa_credit_transfer"],
    "resource_id": "0199e1de-4e01-72b7-86a0-fbe4e0475d56",
    "resource_metadata": {},
    "resource_type": "Basket",
    "latest_payment_method_used": "credit_card",
    "expired_at": "2026-10-14T08:37:47Z",
    "created_at": "2025-10-14T08:37:47Z",
    "updated_at": "2025-10-14T08:37:47Z"
  }
}"#;

const WEBHOOK_CONNECTION: &str = r#"{
  "id": "123e4567-e89b-12d3-a456-426614174000",
  "subscription_id": "123e4567-e89b-12d3-a456-426614174000",
  "organization_id": "123e4567-e89b-12d3-a456-426614174000",
  "membership_id": "123e4567-e89b-12d3-a456-426614174000",
  "type": "v1/payment-links-connections",
  "created_at": "2025-01-24T10:55:00Z",
  "data": { "event": "connection_enabled" }
}"#;

const TOKEN_RESPONSE: &str = r#"{
  "access_token": "_ACCESS_TOKEN_",
  "expires_in": 3600,
  "id_token": "_TOKEN_",
  "refresh_token": "_REFRESH_TOKEN_",
  "scope": "openid offline_access organization.read",
  "token_type": "bearer"
}"#;

const ERROR_SHAPE: &str = r#"{
  "errors": [
    { "code": "string", "detail": "string", "source": { "pointer": "string", "parameter": "string" } }
  ],
  "trace_id": "string"
}"#;

#[test]
fn create_basket_example_parses_and_round_trips() {
    let req: CreatePaymentLinkRequest = serde_json::from_str(CREATE_BASKET_PERCENT).unwrap();
    let CreatePaymentLink::Basket(basket) = &req.payment_link else {
        panic!("expected a basket, got {req:?}");
    };
    assert!(basket.reusable);
    assert_eq!(
        basket.potential_payment_methods,
        vec![PaymentMethod::CreditCard]
    );
    let item = &basket.items[0];
    assert_eq!(item.quantity, 1);
    assert_eq!(item.unit_price, amount("10.99"));
    assert_eq!(item.vat_rate, "21.0");
    assert_eq!(item.item_type, Some(ItemType::Good));
    assert_eq!(item.measure_unit.as_deref(), Some("unit"));
    let back: serde_json::Value = serde_json::to_value(&req).unwrap();
    let original: serde_json::Value = serde_json::from_str(CREATE_BASKET_PERCENT).unwrap();
    assert_eq!(back, original);
}

#[test]
fn create_basket_newest_fraction_example_parses() {
    let body = CREATE_BASKET_PERCENT.replace("\"21.0\"", "\"0.21\"");
    let req: CreatePaymentLinkRequest = serde_json::from_str(&body).unwrap();
    let CreatePaymentLink::Basket(basket) = req.payment_link else {
        panic!("expected a basket");
    };
    assert_eq!(basket.items[0].vat_rate, "0.21");
}

#[test]
fn create_invoice_example_parses_and_round_trips() {
    let req: CreatePaymentLinkRequest = serde_json::from_str(CREATE_INVOICE).unwrap();
    let CreatePaymentLink::Invoice(invoice) = &req.payment_link else {
        panic!("expected an invoice, got {req:?}");
    };
    assert_eq!(invoice.invoice_number, "INV-12345");
    assert_eq!(invoice.debitor_name, "John Doe");
    assert_eq!(invoice.amount, amount("25.99"));
    assert_eq!(
        invoice.potential_payment_methods,
        vec![PaymentMethod::CreditCard, PaymentMethod::ApplePay]
    );
    let back = serde_json::to_value(&req).unwrap();
    let original: serde_json::Value = serde_json::from_str(CREATE_INVOICE).unwrap();
    assert_eq!(back, original);
}

#[test]
fn vat_rate_is_serialized_as_a_string_and_quantity_as_a_number() {
    let req = CreatePaymentLinkRequest::basket(CreateBasketPaymentLink {
        potential_payment_methods: vec![PaymentMethod::CreditCard],
        reusable: false,
        redirect_url: None,
        items: vec![BasketItem {
            title: "Mug".into(),
            quantity: 2,
            unit_price: amount("10.00"),
            vat_rate: "0.2".into(),
            item_type: None,
            description: None,
            measure_unit: None,
        }],
    });
    let v = serde_json::to_value(&req).unwrap();
    let item = &v["payment_link"]["items"][0];
    assert_eq!(item["vat_rate"], json!("0.2"));
    assert_eq!(item["quantity"], json!(2));
    // Unset optional fields are not sent at all.
    assert!(item.get("type").is_none());
    assert!(item.get("description").is_none());
}

#[test]
fn create_response_example_parses_wrapped_and_bare() {
    let wrapped = parse_payment_link(CREATE_RESPONSE.as_bytes()).unwrap();
    assert_eq!(wrapped.id, "3c90c3cc-0d44-4b50-8888-8dd25736052a");
    assert_eq!(wrapped.status, PaymentLinkStatus::Open);
    assert_eq!(wrapped.amount, amount("13.30"));
    assert_eq!(wrapped.resource_type, Some(ResourceType::Basket));
    assert_eq!(wrapped.reusable, Some(true));
    assert_eq!(wrapped.items.as_ref().map(Vec::len), Some(1));
    assert_eq!(wrapped.invoice_number.as_deref(), Some("INV-12345"));
    assert!(wrapped
        .url
        .as_deref()
        .unwrap()
        .starts_with("https://pay.qonto.com/"));

    let envelope: PaymentLinkEnvelope = serde_json::from_str(CREATE_RESPONSE).unwrap();
    assert_eq!(envelope.payment_link, wrapped);

    let bare = serde_json::to_vec(&wrapped).unwrap();
    assert_eq!(parse_payment_link(&bare).unwrap(), wrapped);
}

#[test]
fn minimal_and_invoice_shaped_links_parse() {
    // Only the core fields: everything else defaults.
    let minimal =
        json!({"id": "x", "status": "open", "amount": {"value": "1.00", "currency": "EUR"}});
    let link = parse_payment_link(minimal.to_string().as_bytes()).unwrap();
    assert_eq!(link.items, None);
    assert!(link.potential_payment_methods.is_empty());

    // An invoice link: items null, basket-only fields absent.
    let invoice = json!({
        "id": "y", "status": "paid", "amount": {"value": "12.52", "currency": "EUR"},
        "resource_type": "Invoice", "items": null, "reusable": false,
        "invoice_id": "inv", "invoice_number": "INV001", "debitor_name": "Acme"
    });
    let link = parse_payment_link(invoice.to_string().as_bytes()).unwrap();
    assert_eq!(link.status, PaymentLinkStatus::Paid);
    assert_eq!(link.resource_type, Some(ResourceType::Invoice));
    assert_eq!(link.items, None);
}

#[test]
fn parse_errors_name_the_field() {
    let err =
        parse_payment_link(br#"{"payment_link": {"id": "x", "status": "open"}}"#).unwrap_err();
    assert!(err.to_string().contains("amount"), "{err}");
    assert!(parse_payment_link(b"not json").is_err());
}

#[test]
fn list_with_meta_parses() {
    let body = json!({
        "payment_links": [serde_json::from_str::<serde_json::Value>(CREATE_RESPONSE).unwrap()["payment_link"].clone()],
        "meta": { "current_page": 2, "next_page": null, "prev_page": 1, "total_pages": 2, "total_count": 150, "per_page": 100 }
    });
    let list: PaymentLinkList = serde_json::from_value(body).unwrap();
    assert_eq!(list.payment_links.len(), 1);
    assert_eq!(
        list.meta,
        Meta {
            current_page: 2,
            next_page: None,
            prev_page: Some(1),
            total_pages: 2,
            total_count: 150,
            per_page: 100
        }
    );
    // Serializes nulls back (the docs show `"next_page": null`).
    let v = serde_json::to_value(list.meta).unwrap();
    assert_eq!(v["next_page"], serde_json::Value::Null);
}

#[test]
fn payments_response_parses() {
    let list: PaymentList = serde_json::from_str(PAYMENTS_RESPONSE).unwrap();
    let p = &list.payments[0];
    assert_eq!(p.status, PaymentStatus::Open);
    assert_eq!(p.payment_method, Some(PaymentMethod::CreditCard));
    assert_eq!(p.debitor_email.as_deref(), Some("john.doe@example.com"));
    assert_eq!(list.meta.next_page, Some(3));
    assert_eq!(list.meta.total_count, 210);
    // paid_at is nullable.
    let unpaid = json!({"id": "p", "amount": {"value": "1.00", "currency": "EUR"}, "status": "failed", "paid_at": null});
    let p: Payment = serde_json::from_value(unpaid).unwrap();
    assert_eq!(p.paid_at, None);
    assert_eq!(p.status, PaymentStatus::Failed);
}

#[test]
fn payment_methods_response_parses() {
    let body = r#"{"payment_link_payment_methods": [{"name": "ideal", "enabled": true}, {"name": "paypal", "enabled": false}]}"#;
    let resp: PaymentMethodsResponse = serde_json::from_str(body).unwrap();
    assert_eq!(resp.payment_link_payment_methods.len(), 2);
    assert_eq!(resp.enabled(), vec![PaymentMethod::Ideal]);
}

#[test]
fn connection_parses_bare_and_wrapped() {
    let bare = r#"{"connection_location": "https://example.com/onboard", "status": "not_connected", "bank_account_id": "46e9e0d2-f1af-4d2e-a6be-a536a604b89e"}"#;
    let c = parse_connection(bare.as_bytes()).unwrap();
    assert_eq!(c.status, ConnectionStatus::NotConnected);
    assert_eq!(
        c.bank_account_id.as_deref(),
        Some("46e9e0d2-f1af-4d2e-a6be-a536a604b89e")
    );
    let wrapped = format!(r#"{{"connection": {bare}}}"#);
    assert_eq!(parse_connection(wrapped.as_bytes()).unwrap(), c);
    // The oldest docs omit bank_account_id.
    let old = parse_connection(br#"{"connection_location": "x", "status": "enabled"}"#).unwrap();
    assert_eq!(old.status, ConnectionStatus::Enabled);
    assert_eq!(old.bank_account_id, None);
}

#[test]
fn create_connection_example_parses() {
    let body = r#"{
      "partner_callback_url": "https://partner.com/payment-links/onboarding-callback",
      "user_bank_account_id": "46e9e0d2-f1af-4d2e-a6be-a536a604b89e",
      "user_phone_number": "+33612345678",
      "user_website_url": "https://the-user-website.com",
      "business_description": "An 80-chars long string describing the business. An 80-chars long string describing the business."
    }"#;
    let c: CreateConnection = serde_json::from_str(body).unwrap();
    assert_eq!(c.user_phone_number, "+33612345678");
    assert!(c.business_description.chars().count() >= 80);
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(body).unwrap()
    );
}

#[test]
fn client_invoice_parses_wrapped_and_bare() {
    let body = json!({
        "client_invoice": {
            "id": "inv-1",
            "organization_id": "org",
            "number": "INV001",
            "status": "paid",
            "invoice_url": "https://pay.qonto.com/invoices/abc",
            "currency": "EUR",
            "total_amount": {"value": "12.52", "currency": "EUR"},
            "total_amount_cents": 1252,
            "vat_amount": {"value": "0.51", "currency": "EUR"},
            "vat_amount_cents": 51,
            "issue_date": "2021-01-01",
            "due_date": "2021-01-31",
            "performance_date": "2021-01-01",
            "created_at": "2021-01-01T00:00:00Z",
            "finalized_at": "2021-01-01T00:00:00Z",
            "paid_at": "2021-01-02T00:00:00Z",
            "contact_email": "billing@example.com",
            "items": [{
                "title": "Consulting", "description": "Hour", "quantity": "1.5", "unit": "hour",
                "unit_price": {"value": "8.00", "currency": "EUR"}, "unit_price_cents": 800,
                "vat_rate": "0.1", "vat_exemption_reason": null, "discount": null,
                "total_vat": {"value": "1.20", "currency": "EUR"},
                "total_amount": {"value": "13.20", "currency": "EUR"},
                "subtotal": {"value": "12.00", "currency": "EUR"}
            }],
            "client": {"id": "c1", "name": "Acme SAS", "type": "company", "email": "a@acme.test", "address": "1 rue X"},
            "stamp_duty_amount": null
        }
    });
    let wrapped = parse_client_invoice(body.to_string().as_bytes()).unwrap();
    assert_eq!(wrapped.number_or_legacy(), Some("INV001"));
    assert_eq!(wrapped.status, Some(ClientInvoiceStatus::Paid));
    assert_eq!(wrapped.gross_amount(), Some(amount("12.52")));
    assert_eq!(
        wrapped
            .client
            .as_ref()
            .and_then(ClientInvoiceClient::display_name)
            .as_deref(),
        Some("Acme SAS")
    );
    assert_eq!(
        wrapped.items.as_ref().unwrap()[0].quantity.as_deref(),
        Some("1.5")
    );
    let bare = body["client_invoice"].to_string();
    assert_eq!(parse_client_invoice(bare.as_bytes()).unwrap(), wrapped);
    let env: ClientInvoiceEnvelope = serde_json::from_value(body).unwrap();
    assert_eq!(env.client_invoice, wrapped);
}

#[test]
fn client_invoice_legacy_and_odd_shapes() {
    let body = json!({
        "id": "inv-2",
        "invoice_number": "F-2024-7",
        "status": "unpaid",
        "currency": "EUR",
        "total_amount_cents": 2599,
        "client": {"first_name": "Jane", "last_name": "Doe", "type": "individual"},
        "items": [{"title": "x", "quantity": 2, "vat_rate": 0.2}]
    });
    let inv = parse_client_invoice(body.to_string().as_bytes()).unwrap();
    assert_eq!(inv.number_or_legacy(), Some("F-2024-7"));
    assert_eq!(inv.gross_amount(), Some(amount("25.99")));
    assert_eq!(
        inv.client.unwrap().display_name().as_deref(),
        Some("Jane Doe")
    );
    let item = &inv.items.unwrap()[0];
    assert_eq!(item.quantity.as_deref(), Some("2"));
    assert_eq!(item.vat_rate.as_deref(), Some("0.2"));
    // No client at all, unknown status.
    let inv = parse_client_invoice(br#"{"id": "i", "status": "partially_paid"}"#).unwrap();
    assert_eq!(
        inv.status,
        Some(ClientInvoiceStatus::Other("partially_paid".into()))
    );
    assert_eq!(inv.gross_amount(), None);
}

#[test]
fn webhook_events_parse() {
    let event: WebhookEvent = serde_json::from_str(WEBHOOK_CREATED).unwrap();
    assert_eq!(event.event_type, WEBHOOK_TYPE_PAYMENT_LINKS);
    let data = event.payment_link_data().unwrap();
    assert_eq!(data.event, Some(PaymentLinkEventKind::Created));
    assert_eq!(data.status, Some(PaymentLinkStatus::Open));
    assert_eq!(data.payment_link_id, "0199e1de-4fa1-7324-9aed-0b0f6a65243e");
    assert_eq!(data.amount, Some(amount("77052.50")));
    assert_eq!(
        data.potential_payment_methods[0],
        PaymentMethod::Other("bank_transfer".into())
    );
    assert_eq!(data.resource_type, Some(ResourceType::Invoice));
    assert_eq!(
        data.resource_metadata.as_ref().unwrap()["invoice_number"],
        json!("H2025-343")
    );
    assert_eq!(data.latest_payment_method_used, None);

    let second: WebhookEvent = serde_json::from_str(WEBHOOK_SECOND).unwrap();
    let data = second.payment_link_data().unwrap();
    assert_eq!(data.resource_type, Some(ResourceType::Basket));
    assert_eq!(
        data.latest_payment_method_used,
        Some(PaymentMethod::CreditCard)
    );

    let conn: WebhookEvent<ConnectionEventData> = serde_json::from_str(WEBHOOK_CONNECTION).unwrap();
    assert_eq!(conn.event_type, WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS);
    assert_eq!(conn.data.event, "connection_enabled");

    // Typed data round-trips through the generic envelope.
    let typed: WebhookEvent<PaymentLinkEventData> = serde_json::from_str(WEBHOOK_CREATED).unwrap();
    let again: WebhookEvent =
        serde_json::from_str(&serde_json::to_string(&typed).unwrap()).unwrap();
    assert_eq!(again.payment_link_data().unwrap(), typed.data);
}

#[test]
fn webhook_subscription_shapes() {
    let create = r#"{
      "callback_url": "https://api.partner.com/webhooks/qonto",
      "types": ["v1/transactions", "v1/organizations", "v1/memberships", "v1/consent-revocations"],
      "secret": "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA=",
      "description": "Production webhook for transactions"
    }"#;
    let body: CreateWebhookSubscription = serde_json::from_str(create).unwrap();
    assert_eq!(body.types.len(), 4);
    let response = json!({
        "id": "s1", "organization_id": "o", "membership_id": "m",
        "callback_url": body.callback_url, "types": ["v1/payment-links"],
        "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
        "secret": "whsec_x"
    });
    let sub = parse_webhook_subscription(response.to_string().as_bytes()).unwrap();
    assert_eq!(sub.description, None);
    // An unset description is omitted, as Qonto does.
    assert!(serde_json::to_value(&sub)
        .unwrap()
        .get("description")
        .is_none());
    let list: WebhookSubscriptionList =
        serde_json::from_value(json!({"subscriptions": [response], "meta": {"current_page": 1}}))
            .unwrap();
    assert_eq!(list.subscriptions[0], sub);
}

#[test]
fn token_response_parses() {
    let t: TokenResponse = serde_json::from_str(TOKEN_RESPONSE).unwrap();
    assert_eq!(t.access_token, "_ACCESS_TOKEN_");
    assert_eq!(t.expires_in, 3600);
    assert_eq!(t.refresh_token.as_deref(), Some("_REFRESH_TOKEN_"));
    assert_eq!(t.token_type, "bearer");
    let back = serde_json::to_value(&t).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(TOKEN_RESPONSE).unwrap()
    );
    let e: OAuthError =
        serde_json::from_str(r#"{"error":"invalid_grant","error_description":"expired"}"#).unwrap();
    assert_eq!(e.error, "invalid_grant");
}

#[test]
fn error_bodies_parse() {
    let e = parse_error(ERROR_SHAPE.as_bytes()).unwrap();
    assert_eq!(e.trace_id.as_deref(), Some("string"));
    let source = e.errors[0].source.as_ref().unwrap();
    assert_eq!(source.pointer.as_deref(), Some("string"));
    assert_eq!(source.parameter.as_deref(), Some("string"));

    let oauth = parse_error(br#"{"errors":[{"code":"unauthorized","detail":"OAuth2 authentication is required here"}],"trace_id":"t"}"#).unwrap();
    assert!(oauth.is_oauth_required());
    assert!(!oauth.is_missing_scope());
    assert_eq!(
        oauth.first_message(),
        Some("OAuth2 authentication is required here")
    );

    // 500s have no body; other JSON is not an error body.
    assert_eq!(parse_error(b""), None);
    assert_eq!(parse_error(br#"{"id":"x"}"#), None);

    // 401/403 entries carry no source: nothing is serialized for it.
    let v = serde_json::to_value(ApiError {
        code: Some("unauthorized".into()),
        detail: Some("x".into()),
        source: None,
    })
    .unwrap();
    assert!(v.get("source").is_none());
}

#[test]
fn unknown_enum_values_round_trip() {
    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(
        wire: &str,
        expected: T,
    ) {
        let parsed: T = serde_json::from_value(json!(wire)).unwrap();
        assert_eq!(parsed, expected);
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(wire));
    }
    round_trip("open", PaymentLinkStatus::Open);
    round_trip("processing", PaymentLinkStatus::Processing);
    round_trip("archived", PaymentLinkStatus::Other("archived".into()));
    round_trip("authorized", PaymentStatus::Authorized);
    round_trip("chargeback", PaymentStatus::Other("chargeback".into()));
    round_trip("apple_pay", PaymentMethod::ApplePay);
    round_trip(
        "sepa_credit_transfer",
        PaymentMethod::Other("sepa_credit_transfer".into()),
    );
    round_trip("not_connected", ConnectionStatus::NotConnected);
    round_trip("suspended", ConnectionStatus::Other("suspended".into()));
    round_trip("Basket", ResourceType::Basket);
    round_trip("Quote", ResourceType::Other("Quote".into()));
    round_trip("discount", ItemType::Other("discount".into()));
    round_trip("unpaid", ClientInvoiceStatus::Unpaid);
    round_trip("updated", PaymentLinkEventKind::Updated);

    // Wire strings are case-sensitive: "Open" is not "open".
    assert_eq!(
        PaymentLinkStatus::from_wire("Open"),
        PaymentLinkStatus::Other("Open".into())
    );
    assert!(!PaymentLinkStatus::from_wire("Open").is_documented());
    assert_eq!(PaymentMethod::DOCUMENTED.len(), 4);
    for m in PaymentMethod::DOCUMENTED {
        assert_eq!(&PaymentMethod::from_wire(m.as_str()), m);
        assert_eq!(m.to_string(), m.as_str());
    }
}

#[test]
fn quantity_is_read_tolerantly_but_not_loosely() {
    let item = |q: serde_json::Value| {
        serde_json::from_value::<BasketItem>(json!({
            "title": "t", "quantity": q, "unit_price": {"value": "1.00", "currency": "EUR"}, "vat_rate": "0.2"
        }))
    };
    assert_eq!(item(json!(3)).unwrap().quantity, 3);
    assert_eq!(item(json!(3.0)).unwrap().quantity, 3);
    assert!(item(json!(1.5)).is_err());
    assert!(item(json!(-1)).is_err());
    assert!(item(json!("1")).is_err());
    // vat_rate must be a string on our side too.
    assert!(serde_json::from_value::<BasketItem>(json!({
        "title": "t", "quantity": 1, "unit_price": {"value": "1.00", "currency": "EUR"}, "vat_rate": 0.2
    }))
    .is_err());
}
