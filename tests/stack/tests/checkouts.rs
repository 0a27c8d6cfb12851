//! Basket and invoice checkouts through the real Worker (`wrangler dev`:
//! workerd, D1, Durable Objects) against the fake Qonto: the Qonto body, the
//! prices, every documented error, idempotency, and Qonto failures.

mod common;

use common::*;
use serde_json::{json, Value};

const UNPAID_INVOICE: &str = "0199e1de-4e01-72b7-86a0-fbe4e0475d56";
const PAID_INVOICE: &str = "0199e1de-4e01-72b7-86a0-fbe4e0475d57";

/// The body of the last successful link creation Qonto received (tests run
/// one at a time, so right after a checkout it is that checkout's).
async fn last_qonto_create(stack: &StackUrls) -> Value {
    let all = fake_requests(stack, "route=create_payment_link").await;
    let entry = all
        .iter()
        .rev()
        .find(|e| e["status"] == 201)
        .expect("a successful create call");
    serde_json::from_str(entry["body"].as_str().unwrap_or("{}")).expect("JSON body")
}

#[tokio::test]
async fn a_basket_checkout_sends_qonto_the_catalog_prices_with_string_vat_rates() {
    let stack = shared_stack();
    let items = [("tshirt-m", 2), ("coffee-250", 1), ("workshop", 1)];
    let (status, _, body) =
        post_checkout(stack, &basket(&items), &key("basket"), &client_ip()).await;
    assert_eq!(status, 201, "{body}");
    // The test catalog (tests/stack/fixtures): 2 × 25.00 + 20 % = 60.00,
    // 10.99 + 5.5 % = 11.59 (0.60445 rounds to 0.60), 45.00 + 10 % = 49.50;
    // shipping free (the goods reach 60.00).
    assert_eq!(body["amount"]["value"], "121.09", "{body}");
    assert_eq!(body["amount"]["currency"], "EUR");
    assert_eq!(body["status"], "open");
    let url = body["url"].as_str().expect("url");
    assert!(url.starts_with(&format!("{}/pay/", stack.fake)), "{url}");
    // Three products, and the shipping line (free: the goods reach 60.00).
    let lines = body["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 4, "{body}");
    assert_eq!(lines[3]["sku"], "shipping");
    assert_eq!(lines[3]["gross"]["value"], "0.00");
    assert!(body["id"].as_str().unwrap_or("").starts_with("ck_"));

    // What Qonto received: wrapped body, net unit prices from the catalog,
    // VAT rates as JSON strings in the configured (fraction) encoding.
    let sent = last_qonto_create(stack).await;
    let items_sent = sent["payment_link"]["items"]
        .as_array()
        .expect("wrapped items");
    let tshirt = items_sent
        .iter()
        .find(|i| i["title"] == "Organic cotton T-shirt (M)")
        .expect("tshirt");
    assert_eq!(tshirt["quantity"], 2);
    assert_eq!(
        tshirt["unit_price"],
        json!({"value": "25.00", "currency": "EUR"})
    );
    assert_eq!(tshirt["vat_rate"], "0.2");
    assert_eq!(tshirt["type"], "good");
    let coffee = items_sent
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .unwrap_or("")
                .starts_with("Single-origin")
        })
        .expect("coffee");
    assert_eq!(coffee["vat_rate"], "0.055");
    assert_eq!(sent["payment_link"]["reusable"], false);
    assert!(sent["payment_link"]["potential_payment_methods"]
        .as_array()
        .is_some_and(|m| !m.is_empty()));

    // The status endpoint knows it.
    let id = body["id"].as_str().unwrap_or("");
    let (s, st) = get_checkout(stack, id).await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(st["status"], "open");
    assert_eq!(st["amount"], body["amount"]);
}

#[tokio::test]
async fn requests_carrying_prices_are_refused_and_create_no_link() {
    let stack = shared_stack();
    let before = fake_requests(stack, "route=create_payment_link")
        .await
        .len();
    let crafted = [
        json!({"items": [{"sku": "mug", "quantity": 1, "unit_price": {"value": "0.01", "currency": "EUR"}}], "customer": customer()}),
        json!({"items": [{"sku": "mug", "quantity": 1}], "amount": {"value": "0.01", "currency": "EUR"}, "customer": customer()}),
        json!({"items": [{"sku": "mug", "quantity": 1, "vat_rate": "0"}], "customer": customer()}),
        json!({"items": [{"sku": "mug", "quantity": 1}], "shipping": {"price": "0.00"}, "customer": customer()}),
    ];
    for body in crafted {
        let (status, _, err) = post_checkout(stack, &body, &key("tamper"), &client_ip()).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (400, Some("invalid_request")),
            "{body}: {err}"
        );
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("unknown field"),
            "{err}"
        );
    }
    let after = fake_requests(stack, "route=create_payment_link")
        .await
        .len();
    assert_eq!(after, before, "no payment link was created");
    // The honest request is priced from the catalog: 12.50 + 20 % = 15.00,
    // and 4.90 + 20 % = 5.88 shipping to France.
    let (status, _, body) =
        post_checkout(stack, &basket(&[("mug", 1)]), &key("honest"), &client_ip()).await;
    assert_eq!(status, 201, "{body}");
    // 12.50 + 20 % = 15.00, and shipping to France 4.90 + 20 % = 5.88.
    assert_eq!(body["amount"]["value"], "20.88");
}

#[tokio::test]
async fn one_upstream_qonto_call_per_checkout_when_the_token_is_fresh() {
    let stack = shared_stack();
    // Warm the isolate's caches (token, payment methods) once.
    let (s, _, b) = post_checkout(stack, &basket(&[("mug", 1)]), &key("warm"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    let _ = client()
        .delete(format!("{}/_control/requests", stack.fake))
        .send()
        .await;
    let (s, _, b) = post_checkout(
        stack,
        &basket(&[("mug", 2)]),
        &key("one-call"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let calls = fake_requests(stack, "").await;
    let upstream: Vec<String> = calls
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["method"].as_str().unwrap_or(""),
                c["path"].as_str().unwrap_or("")
            )
        })
        .filter(|c| !c.contains("/_control"))
        .collect();
    assert_eq!(
        upstream,
        ["POST /v2/payment_links"],
        "upstream calls for one checkout"
    );
}

#[tokio::test]
async fn every_documented_client_error_has_its_status_code_and_field() {
    let stack = shared_stack();
    let ip = client_ip();
    let cases: Vec<(&str, Value, u16, &str, Option<&str>)> = vec![
        (
            "unknown sku",
            basket(&[("mug", 1), ("nope", 1)]),
            422,
            "unknown_sku",
            Some("items[1].sku"),
        ),
        (
            "zero quantity",
            basket(&[("mug", 0)]),
            422,
            "quantity_out_of_range",
            Some("items[0].quantity"),
        ),
        (
            "negative quantity",
            basket(&[("mug", -3)]),
            422,
            "quantity_out_of_range",
            Some("items[0].quantity"),
        ),
        (
            "quantity over 999",
            basket(&[("mug", 1000)]),
            422,
            "quantity_out_of_range",
            Some("items[0].quantity"),
        ),
        (
            "empty basket",
            json!({"items": []}),
            422,
            "empty_basket",
            None,
        ),
        (
            "goods without an address",
            json!({"items": [{"sku": "mug", "quantity": 1}], "customer": {"email": "a@example.com", "name": "A"}}),
            422,
            "missing_field",
            Some("customer.address"),
        ),
        (
            "goods without a customer",
            json!({"items": [{"sku": "mug", "quantity": 1}]}),
            422,
            "missing_field",
            Some("customer"),
        ),
        (
            "unshippable country",
            json!({"items": [{"sku": "mug", "quantity": 1}], "customer": {"email": "a@example.com", "name": "A",
            "address": {"line1": "1 Main St", "postal_code": "10001", "city": "New York", "country": "US"}}}),
            422,
            "unshippable_country",
            Some("customer.address.country"),
        ),
        (
            "bad email",
            json!({"items": [{"sku": "ebook", "quantity": 1}], "customer": {"email": "not-an-email", "name": "A"}}),
            422,
            "invalid_email",
            Some("customer.email"),
        ),
        (
            "amount over the maximum",
            basket(&[("tshirt-m", 999), ("workshop", 999)]),
            422,
            "amount_too_large",
            None,
        ),
        (
            "quantity as a string",
            json!({"items": [{"sku": "mug", "quantity": "2"}]}),
            400,
            "invalid_request",
            None,
        ),
        (
            "items not an array",
            json!({"items": {"sku": "mug"}}),
            400,
            "invalid_request",
            None,
        ),
    ];
    for (name, body, want_status, want_code, want_field) in cases {
        let (status, _, err) = post_checkout(stack, &body, &key("err"), &ip).await;
        assert_eq!(status, want_status, "{name}: {err}");
        assert_eq!(err["error"]["code"], want_code, "{name}: {err}");
        if let Some(field) = want_field {
            assert_eq!(err["error"]["field"], field, "{name}: {err}");
        }
        assert!(
            err["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{name}: {err}"
        );
    }
    let lines: Vec<(String, i64)> = (0..101).map(|i| (format!("sku-{i}"), 1)).collect();
    let many = json!({"items": lines.iter().map(|(s, q)| json!({"sku": s, "quantity": q})).collect::<Vec<_>>(), "customer": customer()});
    let (status, _, err) = post_checkout(stack, &many, &key("many"), &ip).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("too_many_lines")),
        "{err}"
    );

    let url = format!("{}/v1/checkouts", stack.edge);
    let raw = |body: Vec<u8>, ct: &'static str| {
        client()
            .post(&url)
            .header("content-type", ct)
            .header("cf-connecting-ip", &ip)
            .body(body)
            .send()
    };
    let (s, _, e) = parts(
        raw(b"{not json".to_vec(), "application/json")
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (400, Some("invalid_json")),
        "{e}"
    );
    let (s, _, e) = parts(
        raw(b"items=mug".to_vec(), "application/x-www-form-urlencoded")
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (415, Some("unsupported_media_type")),
        "{e}"
    );
    let (s, _, e) = parts(
        raw(vec![b' '; 40_000], "application/json")
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (413, Some("payload_too_large")),
        "{e}"
    );
    let (s, _, e) = parts(
        client()
            .post(&url)
            .header("idempotency-key", "bad key!")
            .json(&basket(&[("mug", 1)]))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (400, Some("invalid_idempotency_key")),
        "{e}"
    );

    for path in [
        "/v1/checkouts/ck_000000000000000000000000",
        "/v1/checkouts/not-an-id",
        "/v1/nope",
    ] {
        let (s, _, e) = parts(
            client()
                .get(format!("{}{path}", stack.edge))
                .send()
                .await
                .expect("get"),
        )
        .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{path}: {e}"
        );
    }
    let (s, _, e) = parts(
        client()
            .post(&url)
            .header("origin", "https://evil.example")
            .json(&basket(&[("mug", 1)]))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (403, Some("origin_not_allowed")),
        "{e}"
    );
}

#[tokio::test]
async fn cors_allows_the_merchant_origin_only() {
    let stack = shared_stack();
    let preflight = |origin: String| {
        client()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/v1/checkouts", stack.edge),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, idempotency-key",
            )
            .send()
    };
    let ok = preflight(stack.shop.clone()).await.expect("preflight");
    assert_eq!(ok.status().as_u16(), 204);
    let h = ok.headers();
    assert_eq!(
        h.get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some(stack.shop.as_str())
    );
    let allowed = h
        .get("access-control-allow-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        allowed.contains("idempotency-key") && allowed.contains("content-type"),
        "{allowed}"
    );
    let bad = preflight("https://evil.example".into())
        .await
        .expect("preflight");
    assert!(bad.headers().get("access-control-allow-origin").is_none());
    let cat = client()
        .get(format!("{}/v1/catalog", stack.edge))
        .header("origin", &stack.shop)
        .send()
        .await
        .expect("get");
    assert_eq!(
        cat.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some(stack.shop.as_str())
    );
}

#[tokio::test]
async fn idempotency_same_key_same_checkout_other_body_409() {
    let stack = shared_stack();
    let ip = client_ip();
    let k = key("idem");
    let (s1, _, first) = post_checkout(stack, &basket(&[("mug", 1), ("ebook", 1)]), &k, &ip).await;
    assert_eq!(s1, 201, "{first}");
    // Same content, other JSON formatting and order of fields: the same request.
    let same = json!({"customer": customer(), "items": [{"quantity": 1, "sku": "mug"}, {"sku": "ebook", "quantity": 1}]});
    let (s2, _, second) = post_checkout(stack, &same, &k, &ip).await;
    assert_eq!(s2, 201, "{second}");
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["url"], second["url"]);
    let (s3, _, conflict) = post_checkout(stack, &basket(&[("mug", 2)]), &k, &ip).await;
    assert_eq!(
        (s3, conflict["error"]["code"].as_str()),
        (409, Some("idempotency_key_reused")),
        "{conflict}"
    );
}

#[tokio::test]
async fn twenty_concurrent_duplicates_create_one_payment_link() {
    let stack = shared_stack();
    let k = key("concurrent");
    let body = basket(&[("coffee-250", 3)]);
    let before = fake_requests(stack, "route=create_payment_link")
        .await
        .len();
    let calls = (0..20).map(|_| {
        let body = body.clone();
        let k = k.clone();
        async move { post_checkout(stack, &body, &k, &client_ip()).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let ids: std::collections::BTreeSet<String> = results
        .iter()
        .map(|(s, _, b)| {
            assert_eq!(*s, 201, "{b}");
            b["id"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "one checkout for 20 duplicates: {ids:?}");
    let after = fake_requests(stack, "route=create_payment_link")
        .await
        .len();
    assert_eq!(after - before, 1, "exactly one create call reached Qonto");
}

#[tokio::test]
async fn qonto_failures_give_the_documented_status_and_leave_no_half_written_row() {
    let stack = shared_stack();
    let ip = client_ip();
    let body = basket(&[("ebook", 2)]);
    let cases = [
        (
            json!({"kind": "server_error", "times": 1, "route": "create_payment_link"}),
            503,
            "payment_provider_unavailable",
        ),
        (
            json!({"kind": "rate_limit", "retry_after": 30, "times": 1, "route": "create_payment_link"}),
            503,
            "payment_provider_unavailable",
        ),
        (
            json!({"kind": "status", "status": 400, "times": 1, "route": "create_payment_link"}),
            502,
            "payment_provider_rejected",
        ),
        (
            json!({"kind": "latency", "ms": 20000, "times": 1, "route": "create_payment_link"}),
            504,
            "payment_provider_timeout",
        ),
    ];
    for (f, want_status, want_code) in cases {
        clear_faults(stack).await;
        fault(stack, f.clone()).await;
        let k = key("fail");
        let (status, headers, err) = post_checkout(stack, &body, &k, &ip).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (want_status, Some(want_code)),
            "{f}: {err}"
        );
        if want_status == 503 {
            assert!(headers.get("retry-after").is_some(), "{f}: Retry-After");
        }
        // Nothing half-written: the same key now succeeds with a fresh link.
        clear_faults(stack).await;
        let (status, _, ok) = post_checkout(stack, &body, &k, &ip).await;
        assert_eq!(status, 201, "{f}: retry after the failure: {ok}");
        // 2 × 9.99 = 19.98 + 5.5 % (1.0989 rounds to 1.10); no shipping.
        assert_eq!(ok["amount"]["value"], "21.08");
    }
    let (_, list) = admin_get(stack, "/admin/checkouts?status=creating").await;
    assert_eq!(
        list["meta"]["total_count"], 0,
        "no checkout stuck in creating: {list}"
    );
}

#[tokio::test]
async fn payment_methods_are_listed_and_cached() {
    let stack = shared_stack();
    let (s, _, first) = parts(
        client()
            .get(format!("{}/v1/payment-methods", stack.edge))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(s, 200, "{first}");
    let methods: Vec<&str> = first["payment_methods"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        methods.contains(&"credit_card") && !methods.contains(&"ideal"),
        "{methods:?}"
    );
    let before = fake_requests(stack, "route=payment_methods").await.len();
    for _ in 0..5 {
        let r = client()
            .get(format!("{}/v1/payment-methods", stack.edge))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), 200);
    }
    let after = fake_requests(stack, "route=payment_methods").await.len();
    assert_eq!(after, before, "served from the cache, no Qonto call");
}

#[tokio::test]
async fn an_invoice_checkout_uses_the_invoice_from_qonto_and_is_reused() {
    let stack = shared_stack();
    let post = |id: &str| {
        client()
            .post(format!("{}/v1/invoice-checkouts", stack.edge))
            .header("cf-connecting-ip", client_ip())
            .json(&json!({"invoice_id": id}))
            .send()
    };
    let (s, _, first) = parts(post(UNPAID_INVOICE).await.expect("post")).await;
    assert_eq!(s, 201, "{first}");
    assert_eq!(
        first["amount"],
        json!({"value": "120.00", "currency": "EUR"})
    );
    let sent = last_qonto_create(stack).await;
    let link = &sent["payment_link"];
    assert_eq!(link["invoice_id"], UNPAID_INVOICE);
    assert_eq!(link["invoice_number"], "INV-2025-0042");
    assert_eq!(link["debitor_name"], "Acme Industries SARL");
    assert_eq!(
        link["amount"],
        json!({"value": "120.00", "currency": "EUR"})
    );

    let (s, _, again) = parts(post(UNPAID_INVOICE).await.expect("post")).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["id"], first["id"], "the open link is reused");

    let (s, _, e) = parts(post(PAID_INVOICE).await.expect("post")).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("invoice_already_paid")),
        "{e}"
    );
    let (s, _, e) = parts(
        post("0199e1de-4e01-72b7-86a0-000000000000")
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (404, Some("not_found")),
        "{e}"
    );
    let (s, _, e) = parts(post("INV-2025-0042").await.expect("post")).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("invoice_id")),
        "{e}"
    );
}

#[tokio::test]
async fn shipping_is_priced_by_the_edge_per_country_and_threshold() {
    let stack = shared_stack();
    let with_country = |items: &[(&str, i64)], country: &str| {
        let mut b = basket(items);
        b["customer"]["address"]["country"] = json!(country);
        b
    };
    // France: 4.90 net + 20 %; the EU zone: 9.90 net + 20 %; free from 60.00 of goods.
    // (items, country, shipping gross, total): a mug is 15.00 with VAT, two
    // T-shirts 60.00, the e-book 10.54 and the workshop 49.50.
    for (items, country, shipping_gross, total) in [
        (vec![("mug", 1)], "FR", Some("5.88"), "20.88"),
        (vec![("mug", 1)], "DE", Some("11.88"), "26.88"),
        (vec![("tshirt-m", 2)], "BE", None, "60.00"),
        (vec![("ebook", 1), ("workshop", 1)], "FR", None, "60.04"),
    ] {
        let body = with_country(&items, country);
        let (s, _, r) = post_checkout(stack, &body, &key("ship"), &client_ip()).await;
        assert_eq!(s, 201, "{items:?} {country}: {r}");
        assert_eq!(r["amount"]["value"], total, "{items:?} {country}");
        let line = r["lines"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["sku"] == "shipping"))
            .cloned();
        let sent = last_qonto_create(stack).await;
        let sent_shipping = sent["payment_link"]["items"]
            .as_array()
            .and_then(|i| {
                i.iter()
                    .find(|i| i["title"].as_str().unwrap_or("").starts_with("Shipping"))
            })
            .cloned();
        match shipping_gross {
            Some(g) => {
                let line = line.unwrap_or_else(|| panic!("a shipping line: {r}"));
                assert_eq!(line["gross"]["value"], g);
                let sent_shipping = sent_shipping.expect("shipping sent to Qonto");
                assert_eq!(sent_shipping["type"], "service");
                assert_eq!(sent_shipping["vat_rate"], "0.2");
            }
            None => {
                let services_only = items.iter().all(|(s, _)| *s == "ebook" || *s == "workshop");
                if services_only {
                    assert!(line.is_none(), "no shipping for services: {r}");
                } else {
                    assert_eq!(
                        line.map(|l| l["gross"]["value"].clone()),
                        Some(json!("0.00")),
                        "free above the threshold"
                    );
                }
                assert!(
                    sent_shipping.is_none(),
                    "no paid shipping line sent to Qonto: {sent}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_client_creating_too_many_checkouts_gets_429_with_retry_after() {
    let stack = shared_stack();
    // One client (one address): the limit is 20 checkout creations a minute. The local
    // rate limiter counts in fixed windows aligned to the wall-clock minute (as Cloudflare's
    // does, per location), so a burst that straddles a minute boundary is allowed twice: it
    // proves nothing either way and is run again from a fresh address.
    let minute = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 60)
            .unwrap_or_default()
    };
    let mut statuses = Vec::new();
    for attempt in 0..3 {
        let ip = format!("198.51.100.{}", 77 + attempt);
        statuses.clear();
        let started = minute();
        for _ in 0..22 {
            let (s, headers, body) =
                post_checkout(stack, &basket(&[("ebook", 1)]), &key("burst"), &ip).await;
            if s == 429 {
                assert_eq!(body["error"]["code"], "rate_limited", "{body}");
                assert!(headers.get("retry-after").is_some(), "Retry-After");
            }
            statuses.push(s);
        }
        if minute() == started {
            break;
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "{statuses:?}"
    );
    // Another client is not affected.
    let (s, _, b) =
        post_checkout(stack, &basket(&[("ebook", 1)]), &key("other"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
}

#[tokio::test]
async fn an_expired_token_with_fifty_concurrent_checkouts_is_refreshed_once() {
    let stack = shared_stack();
    // Warm the isolate (payment methods cached), then expire every token.
    let (s, _, b) = post_checkout(stack, &basket(&[("mug", 1)]), &key("warm"), &client_ip()).await;
    assert_eq!(s, 201, "{b}");
    let before = fake_requests(stack, "grant_type=refresh_token").await.len();
    let r = client()
        .post(format!("{}/_control/tokens/expire", stack.fake))
        .send()
        .await
        .expect("expire");
    assert!(r.status().is_success());
    let calls = (0..50).map(|i| async move {
        let ip = format!("203.0.113.{}", i + 1);
        post_checkout(stack, &basket(&[("coffee-250", 1)]), &key("fifty"), &ip).await
    });
    let results = futures_util::future::join_all(calls).await;
    for (s, _, b) in &results {
        assert_eq!(*s, 201, "{b}");
    }
    let after = fake_requests(stack, "grant_type=refresh_token").await.len();
    assert_eq!(
        after - before,
        1,
        "exactly one refresh for 50 concurrent checkouts"
    );
}
