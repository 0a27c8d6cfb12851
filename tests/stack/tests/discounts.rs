//! Discount codes through the real Worker (`wrangler dev`) against the fake
//! Qonto: a percent and a fixed code charged with the VAT per rate Qonto
//! holds (the link's items read back from the fake and priced here by
//! hand), shipping never discounted; a code limited to 5 uses under 20
//! concurrent checkouts creates exactly 5, the stale-link cron gives the
//! uses back, a payment counts its use once, a retry of a request gets its
//! checkout even once the code is used up; unknown, expired, not yet
//! valid, used up and below-minimum codes are refused with their code and
//! message; the public look-up; the admin routes behind their auth.
//!
//! The tests share one stack (run them with `--test-threads=1`); each one
//! creates codes of its own (names made unique per run).

mod common;

use common::*;
use futures_util::future::join_all;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// A request to the edge's admin API with the admin token: status, body.
async fn admin(method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let stack = shared_stack();
    let mut req = client()
        .request(method, format!("{}{path}", stack.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let (s, _, v) = parts(req.send().await.expect("admin request")).await;
    (s, v)
}

/// A code name unique to this run (`PREFIX` + digits).
fn code_name(prefix: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() % 100_000_000)
        .unwrap_or(0);
    format!("{prefix}{n}")
}

/// Creates a code through the admin API (201 expected).
async fn create_code(settings: Value) -> Value {
    let (s, v) = admin(
        reqwest::Method::POST,
        "/admin/discount-codes",
        Some(settings.clone()),
    )
    .await;
    assert_eq!(s, 201, "POST /admin/discount-codes {settings}: {v}");
    v
}

/// The admin's row of `code`.
async fn code_row(code: &str) -> Value {
    let (s, v) = admin(reqwest::Method::GET, "/admin/discount-codes", None).await;
    assert_eq!(s, 200, "{v}");
    v["discount_codes"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["code"] == code).cloned())
        .unwrap_or(Value::Null)
}

/// A basket body with the test customer and a code as typed.
fn with_code(items: &[(&str, i64)], code: &str) -> Value {
    let mut b = basket(items);
    b["discount_code"] = json!(code);
    b
}

/// The Qonto link id at the end of a checkout's payment URL.
fn link_of(checkout: &Value) -> String {
    checkout["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .and_then(|l| l.split('?').next())
        .unwrap_or("")
        .to_owned()
}

/// Cents of a decimal string (`"12.30"`).
fn cents(s: &str) -> i64 {
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    whole.parse::<i64>().expect("digits") * 100
        + format!("{frac:0<2}")[..2].parse::<i64>().expect("digits")
}

/// Basis points of a rate written as a fraction (`"0.055"`: how this
/// stack's edge sends rates to Qonto, `VAT_RATE_FORMAT=fraction`).
fn fraction_bp(rate: &str) -> i64 {
    let (whole, frac) = rate.split_once('.').unwrap_or((rate, ""));
    whole.parse::<i64>().expect("digits") * 10_000
        + format!("{frac:0<4}")[..4].parse::<i64>().expect("digits")
}

/// Basis points of a rate written as a percent (`"5.5"`: the API's).
fn percent_bp(rate: &str) -> i64 {
    let (whole, frac) = rate.split_once('.').unwrap_or((rate, ""));
    whole.parse::<i64>().expect("digits") * 100
        + format!("{frac:0<2}")[..2].parse::<i64>().expect("digits")
}

/// What Qonto holds for a link: its items priced by hand (each item's net
/// = unit × quantity, its VAT rounded half-up), as (total, VAT per rate
/// in basis points), and the link's own amount.
async fn qonto_figures(
    stack: &StackUrls,
    link: &str,
) -> (i64, BTreeMap<i64, i64>, i64, Vec<Value>) {
    let v: Value = client()
        .get(format!("{}/_control/payment_links/{link}", stack.fake))
        .send()
        .await
        .expect("GET the link")
        .json()
        .await
        .expect("JSON");
    let items = v["payment_link"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!items.is_empty(), "the link has items: {v}");
    let mut total = 0;
    let mut by_rate = BTreeMap::new();
    for item in &items {
        let q = item["quantity"].as_i64().expect("quantity");
        let net = cents(item["unit_price"]["value"].as_str().expect("unit price")) * q;
        let bp = fraction_bp(item["vat_rate"].as_str().expect("rate"));
        let vat = (net * bp + 5_000) / 10_000;
        total += net + vat;
        *by_rate.entry(bp).or_insert(0) += vat;
    }
    let amount = cents(v["payment_link"]["amount"]["value"].as_str().unwrap_or("0"));
    (total, by_rate, amount, items)
}

/// The order's VAT per rate (basis points) as the admin shows it.
async fn stored_vat(stack: &StackUrls, id: &str) -> (BTreeMap<i64, i64>, Value) {
    let (s, c) = admin_get(stack, &format!("/admin/checkouts/{id}")).await;
    assert_eq!(s, 200, "{c}");
    let by_rate = c["order"]["totals"]["vat_by_rate"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                percent_bp(r["rate"].as_str().unwrap_or("0")),
                cents(r["vat"]["value"].as_str().unwrap_or("0")),
            )
        })
        .collect();
    (by_rate, c)
}

/// Polls the shopper's status call until it says `want` (30 s at most).
async fn wait_status(id: &str, want: &str) -> String {
    let stack = shared_stack();
    let mut last = String::new();
    for _ in 0..30 {
        let (s, v) = get_checkout(stack, id).await;
        assert_eq!(s, 200, "{v}");
        last = v["status"].as_str().unwrap_or("").to_owned();
        if last == want {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    last
}

#[tokio::test]
async fn percent_and_fixed_codes_are_charged_with_the_vat_per_rate_qonto_holds() {
    let stack = shared_stack();
    let percent = code_name("PCT");
    let fixed = code_name("FIX");
    create_code(json!({"code": percent.to_lowercase(), "percent_basis_points": 1000})).await;
    create_code(json!({"code": fixed, "amount": "5.00"})).await;

    // 2 × 25.00 net at 20 % = 60.00; 3 × 10.99 at 5.5 % = 32.97 + 1.81
    // (1.81335) = 34.78; one candle 19.90 VAT included: goods 114.68,
    // shipped free (above 60.00). 10 % of 114.68 = 11.468 -> 11.47.
    let items = [("tshirt-m", 2), ("coffee-250", 3), ("candle", 1)];
    for (code, off) in [(percent.as_str(), 1_147), (fixed.as_str(), 500)] {
        let (s, _, created) =
            post_checkout(stack, &with_code(&items, code), &key("disc"), &client_ip()).await;
        assert_eq!(s, 201, "{created}");
        let charged = 11_468 - off;
        assert_eq!(
            cents(created["amount"]["value"].as_str().unwrap_or("")),
            charged,
            "{created}"
        );
        assert_eq!(
            created["discount"]["code"],
            code.to_uppercase(),
            "{created}"
        );
        assert_eq!(
            cents(
                created["discount"]["amount"]["value"]
                    .as_str()
                    .unwrap_or("")
            ),
            off
        );
        let lines_gross: i64 = created["lines"]
            .as_array()
            .unwrap_or(&Vec::new())
            .iter()
            .map(|l| cents(l["gross"]["value"].as_str().unwrap_or("0")))
            .sum();
        assert_eq!(lines_gross, charged, "the lines add up: {created}");

        let link = link_of(&created);
        let (total, by_rate, amount, qonto_items) = qonto_figures(stack, &link).await;
        let id = created["id"].as_str().unwrap_or("");
        let (stored, detail) = stored_vat(stack, id).await;
        println!(
            "code {code}: goods 114.68, off {off} cents, Qonto's items ({} items) priced by hand {total} \
             cents, the link's amount {amount}; VAT per rate (bp: cents) Qonto {by_rate:?}, stored {stored:?}",
            qonto_items.len()
        );
        assert_eq!(total, charged, "Qonto's items charge the shopper's total");
        assert_eq!(amount, charged, "the link's amount");
        assert_eq!(by_rate, stored, "VAT per rate as Qonto holds it");
        let first = qonto_items[0]["description"].as_str().unwrap_or("");
        let note = format!(
            "code {} \u{2212}{}.{:02} \u{20ac}",
            code.to_uppercase(),
            off / 100,
            off % 100
        );
        assert!(first.starts_with("QC-") && first.contains(&note), "{first}");
        assert_eq!(detail["order"]["discount"]["code"], code.to_uppercase());
    }

    // Shipping is never discounted: a mug (12.50 net, 15.00) shipped to
    // France (4.90 + 0.98 = 5.88); 10 % off the mug only: 1.50.
    let (s, _, small) = post_checkout(
        stack,
        &with_code(&[("mug", 1)], &percent),
        &key("disc-ship"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{small}");
    assert_eq!(small["amount"]["value"], "19.38", "{small}");
    assert_eq!(small["discount"]["amount"]["value"], "1.50");
    let (total, by_rate, _, items) = qonto_figures(stack, &link_of(&small)).await;
    println!("mug 15.00 + shipping 5.88, 10 % off the mug: Qonto {total} cents, VAT {by_rate:?}, items {}", items.len());
    assert_eq!(total, 1_938);
    let shipping = items
        .iter()
        .find(|i| i["title"].as_str().unwrap_or("").starts_with("Shipping"))
        .expect("shipping item");
    assert_eq!(
        shipping["unit_price"]["value"], "4.90",
        "shipping as quoted"
    );
}

#[tokio::test]
async fn a_code_limited_to_five_uses_under_twenty_concurrent_checkouts_creates_five_and_the_cron_gives_them_back(
) {
    let stack = shared_stack();
    let code = code_name("FIVE");
    create_code(json!({"code": code, "percent_basis_points": 500, "max_uses": 5})).await;
    let run = key("disc-20");
    let body = with_code(&[("ebook", 1)], &code);
    let answers = join_all((0..20).map(|i| {
        let body = body.clone();
        let key = format!("{run}-{i}");
        let ip = format!("198.51.100.{}", 100 + i);
        async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client");
            let mut tries = 0;
            loop {
                let sent = http
                    .post(format!("{}/v1/checkouts", shared_stack().edge))
                    .header("idempotency-key", &key)
                    .header("cf-connecting-ip", &ip)
                    .json(&body)
                    .send()
                    .await;
                let (s, _, b) = match sent {
                    Ok(r) => parts(r).await,
                    Err(_) => (0, reqwest::header::HeaderMap::new(), Value::Null),
                };
                let retry = s == 0
                    || (s == 503 && b.is_null())
                    || b["error"]["code"] == "checkout_in_progress";
                if !retry || tries == 3 {
                    return (s, b);
                }
                tries += 1;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }))
    .await;
    let created: Vec<&Value> = answers
        .iter()
        .filter(|a| a.0 == 201)
        .map(|a| &a.1)
        .collect();
    let used_up = answers
        .iter()
        .filter(|a| a.0 == 422 && a.1["error"]["code"] == "discount_code_used_up")
        .count();
    let others: Vec<String> = answers
        .iter()
        .filter(|a| a.0 != 201 && !(a.0 == 422 && a.1["error"]["code"] == "discount_code_used_up"))
        .map(|a| format!("{} {}", a.0, a.1))
        .collect();
    let row = code_row(&code).await;
    println!(
        "max_uses 5, 20 concurrent checkouts: 201: {}, 422 discount_code_used_up: {used_up}, others {others:?}; \
         the code: uses {}, reserved {}",
        created.len(),
        row["uses"],
        row["reserved"]
    );
    assert!(others.is_empty(), "{others:?}");
    assert_eq!(created.len(), 5, "exactly the allowed uses");
    assert_eq!(used_up, 15);
    assert_eq!((&row["uses"], &row["reserved"]), (&json!(0), &json!(5)));
    let refused = answers
        .iter()
        .find(|a| a.0 == 422)
        .map(|a| a.1.clone())
        .unwrap_or_default();
    assert_eq!(refused["error"]["field"], "discount_code", "{refused}");

    // The five links go stale: the cron expires them and each expiry gives
    // its use back.
    let ids: Vec<String> = created
        .iter()
        .map(|c| format!("'{}'", c["id"].as_str().unwrap_or("")))
        .collect();
    d1(
        stack,
        &format!(
            "UPDATE checkouts SET created_at = '2020-01-01T00:00:00.000Z' WHERE id IN ({})",
            ids.join(", ")
        ),
    )
    .await;
    let mut runs = 0;
    while code_row(&code).await["reserved"] != 0 && runs < 20 {
        run_cron(stack, EVERY_5_MINUTES).await;
        runs += 1;
    }
    let row = code_row(&code).await;
    println!(
        "after {runs} cron runs: uses {}, reserved {}",
        row["uses"], row["reserved"]
    );
    assert_eq!((&row["uses"], &row["reserved"]), (&json!(0), &json!(0)));
    let (s, _, again) = post_checkout(stack, &body, &key("disc-after"), &client_ip()).await;
    assert_eq!(s, 201, "a use given back can be taken again: {again}");
}

#[tokio::test]
async fn a_paid_checkout_counts_its_use_once() {
    let stack = shared_stack();
    let code = code_name("PAID");
    create_code(json!({"code": code, "amount": "2.00", "max_uses": 3})).await;
    let (s, _, created) = post_checkout(
        stack,
        &with_code(&[("workshop", 1)], &code),
        &key("disc-paid"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    // 45.00 net at 10 % = 49.50, less 2.00.
    assert_eq!(created["amount"]["value"], "47.50", "{created}");
    let held = code_row(&code).await;
    assert_eq!((&held["uses"], &held["reserved"]), (&json!(0), &json!(1)));
    pay_link(stack, &link_of(&created)).await;
    let id = created["id"].as_str().unwrap_or("").to_owned();
    assert_eq!(wait_status(&id, "paid").await, "paid");
    // Other paths finding the same payment change nothing.
    run_cron(stack, EVERY_5_MINUTES).await;
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    assert_eq!(wait_status(&id, "paid").await, "paid");
    let after = code_row(&code).await;
    println!(
        "paid checkout: uses 0 -> {}, reserved 1 -> {}",
        after["uses"], after["reserved"]
    );
    assert_eq!((&after["uses"], &after["reserved"]), (&json!(1), &json!(0)));

    // The notification, the CSV and the admin name the code.
    let mut notified = Vec::new();
    for _ in 0..20 {
        notified = merchant_received(stack, &id).await;
        if !notified.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let body: Value = notified
        .first()
        .and_then(|n| n["body"].as_str())
        .and_then(|b| serde_json::from_str(b).ok())
        .expect("a notification");
    assert_eq!(
        body["checkout"]["order"]["discount"]["code"],
        code.as_str(),
        "{body}"
    );
    assert_eq!(
        body["checkout"]["order"]["discount"]["amount"]["value"],
        "2.00"
    );
    let csv = client()
        .get(format!("{}/admin/orders.csv", stack.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("CSV")
        .text()
        .await
        .expect("text");
    let header = csv.lines().next().unwrap_or("");
    assert!(header.ends_with(",discount_code,discount"), "{header}");
    let line = csv
        .lines()
        .find(|l| l.starts_with(&id))
        .expect("the order's row");
    println!("CSV row: {line}");
    assert!(line.ends_with(&format!(",{code},2.00")), "{line}");
}

#[tokio::test]
async fn codes_that_do_not_apply_are_refused_with_their_code_and_message() {
    let stack = shared_stack();
    let expired = code_name("OLD");
    let later = code_name("SOON");
    let minimum = code_name("MIN");
    let none_left = code_name("ZERO");
    let off = code_name("OFF");
    create_code(json!({"code": expired, "percent_basis_points": 1000,
        "valid_from": "2020-01-01T00:00:00Z", "valid_until": "2021-01-01T00:00:00Z"}))
    .await;
    create_code(
        json!({"code": later, "percent_basis_points": 1000, "valid_from": "2099-01-01T00:00:00Z"}),
    )
    .await;
    create_code(json!({"code": minimum, "amount": "5.00", "minimum": "100.00"})).await;
    create_code(json!({"code": none_left, "amount": "5.00", "max_uses": 0})).await;
    create_code(json!({"code": off, "amount": "5.00", "active": false})).await;
    // An ebook: 9.99 + 0.55 = 10.54.
    let cases = [
        ("NO-SUCH-CODE", "unknown_discount_code", "The code NO-SUCH-CODE does not exist.".to_owned()),
        ("bad code!", "unknown_discount_code", "The code bad code! does not exist.".to_owned()),
        (off.as_str(), "unknown_discount_code", format!("The code {off} does not exist.")),
        (expired.as_str(), "discount_code_expired", format!("The code {expired} has expired.")),
        (later.as_str(), "discount_code_not_yet_valid", format!("The code {later} is not valid yet.")),
        (none_left.as_str(), "discount_code_used_up", format!("The code {none_left} has been used as many times as it may.")),
        (
            minimum.as_str(),
            "discount_below_minimum",
            format!("The code {minimum} needs goods worth at least 100.00 EUR (VAT included, shipping left out)."),
        ),
    ];
    for (code, want, message) in &cases {
        let k = key("disc-refused");
        let (s, _, v) =
            post_checkout(stack, &with_code(&[("ebook", 1)], code), &k, &client_ip()).await;
        println!("{code:?}: {s} {}", v["error"]);
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["error"]["code"], *want, "{v}");
        assert_eq!(v["error"]["field"], "discount_code", "{v}");
        assert_eq!(v["error"]["message"], message.as_str(), "{v}");
        // Nothing was kept: the same key without the code is a new checkout.
        let (s, _, v) = post_checkout(stack, &basket(&[("ebook", 1)]), &k, &client_ip()).await;
        assert_eq!(s, 201, "{v}");
    }

    // The public look-up: what the widget needs, never cached, with CORS.
    let ip = client_ip();
    let lookup = |code: String, ip: String| async move {
        let r = client()
            .get(format!("{}/v1/discount-codes/{code}", shared_stack().edge))
            .header("origin", shared_stack().shop.clone())
            .header("cf-connecting-ip", ip)
            .send()
            .await
            .expect("look-up");
        parts(r).await
    };
    let (s, h, v) = lookup(minimum.to_lowercase(), ip.clone()).await;
    println!("GET /v1/discount-codes/{}: {s} {v}", minimum.to_lowercase());
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v,
        json!({"code": minimum, "kind": "fixed",
        "amount": {"value": "5.00", "currency": "EUR"}, "minimum": {"value": "100.00", "currency": "EUR"}})
    );
    assert_eq!(
        h.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert_eq!(
        h.get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some(stack.shop.as_str())
    );
    let (s, _, v) = lookup("NO-SUCH-CODE".into(), ip.clone()).await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (404, json!("not_found")),
        "{v}"
    );
    let (s, _, v) = lookup(expired.clone(), ip.clone()).await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (422, json!("discount_code_expired")),
        "{v}"
    );
    // Guessing is slow: 10 look-ups a minute per client. The local limiter
    // counts in windows aligned to the wall-clock minute, so a burst that
    // straddles a minute proves nothing and is run again from a fresh
    // address.
    let minute = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 60)
            .unwrap_or_default()
    };
    let mut statuses = vec![];
    for attempt in 0..3 {
        let ip = format!("198.51.100.{}", 200 + attempt);
        let started = minute();
        statuses.clear();
        for i in 0..12 {
            let (s, h, _) = lookup(format!("GUESS{i}"), ip.clone()).await;
            if s == 429 {
                assert!(h.get("retry-after").is_some());
            }
            statuses.push(s);
        }
        if minute() == started {
            break;
        }
    }
    println!("12 look-ups from one client: {statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 404).count(),
        10,
        "{statuses:?}"
    );
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[tokio::test]
async fn the_admin_creates_changes_and_deletes_codes_behind_its_auth() {
    let stack = shared_stack();
    let edge = &stack.edge;
    let code = code_name("ADM");
    let anonymous = [
        client().get(format!("{edge}/admin/discount-codes")),
        client()
            .post(format!("{edge}/admin/discount-codes"))
            .json(&json!({"code": code, "amount": "1.00"})),
        client()
            .put(format!("{edge}/admin/discount-codes/{code}"))
            .json(&json!({"active": false})),
        client().delete(format!("{edge}/admin/discount-codes/{code}")),
    ];
    for req in anonymous {
        let (s, _, v) = parts(req.send().await.expect("request")).await;
        assert_eq!(s, 401, "{v}");
    }
    let (s, _, v) = parts(
        client()
            .post(format!("{edge}/admin/discount-codes"))
            .bearer_auth(LOCAL_ADMIN_TOKEN)
            .header("origin", "https://evil.example")
            .json(&json!({"code": code, "amount": "1.00"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (403, json!("cross_site_request"))
    );
    assert_eq!(code_row(&code).await, Value::Null, "nothing created");

    // Malformed settings.
    for (bad, field) in [
        (json!({"code": code}), "percent_basis_points"),
        (
            json!({"code": code, "amount": "1.00", "percent_basis_points": 100}),
            "percent_basis_points",
        ),
        (
            json!({"code": code, "percent_basis_points": 10001}),
            "percent_basis_points",
        ),
        (json!({"code": code, "amount": "-1"}), "amount"),
        (json!({"code": "no spaces", "amount": "1.00"}), "code"),
        (
            json!({"code": code, "amount": "1.00", "valid_from": "2026-02-01T00:00:00Z", "valid_until": "2026-01-01T00:00:00Z"}),
            "valid_until",
        ),
        (
            json!({"code": code, "amount": "1.00", "valid_from": "tomorrow"}),
            "valid_from",
        ),
        (
            json!({"code": code, "amount": "1.00", "max_uses": -1}),
            "max_uses",
        ),
    ] {
        let (s, v) = admin(
            reqwest::Method::POST,
            "/admin/discount-codes",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(
            (s, v["error"]["code"].clone(), v["error"]["field"].clone()),
            (422, json!("invalid_discount_code"), json!(field)),
            "{bad}: {v}"
        );
    }
    let created =
        create_code(json!({"code": code, "percent_basis_points": 1500, "max_uses": 10})).await;
    assert_eq!(created["active"], true);
    let (s, v) = admin(
        reqwest::Method::POST,
        "/admin/discount-codes",
        Some(json!({"code": code, "amount": "1.00"})),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (409, json!("discount_code_exists")),
        "{v}"
    );

    // Switched off: the checkout answers it as unknown; back on, it applies.
    let path = format!("/admin/discount-codes/{code}");
    let (s, v) = admin(reqwest::Method::PUT, &path, Some(json!({"active": false}))).await;
    assert_eq!(
        (s, v["active"].clone(), v["max_uses"].clone()),
        (200, json!(false), json!(10)),
        "{v}"
    );
    let (s, _, v) = post_checkout(
        stack,
        &with_code(&[("ebook", 1)], &code),
        &key("disc-adm"),
        &client_ip(),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (422, json!("unknown_discount_code")),
        "{v}"
    );
    let (s, v) = admin(
        reqwest::Method::PUT,
        &path,
        Some(json!({"active": true, "max_uses": null, "amount": "3.00"})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["kind"].clone(),
            v["amount"]["value"].clone(),
            v["max_uses"].clone()
        ),
        (json!("fixed"), json!("3.00"), Value::Null),
        "{v}"
    );
    let (s, _, v) = post_checkout(
        stack,
        &with_code(&[("ebook", 1)], &code),
        &key("disc-adm"),
        &client_ip(),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["amount"]["value"], "7.54", "10.54 less 3.00: {v}");
    assert_eq!(code_row(&code).await["reserved"], 1);

    let (s, v) = admin(reqwest::Method::DELETE, &path, None).await;
    assert_eq!((s, v["deleted"].clone()), (200, json!(true)), "{v}");
    let (s, v) = admin(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(s, 404, "{v}");
    let (s, v) = admin(reqwest::Method::PUT, &path, Some(json!({"active": true}))).await;
    assert_eq!(s, 404, "{v}");
}

#[tokio::test]
async fn a_repeated_request_gets_its_checkout_even_once_its_code_is_used_up() {
    let stack = shared_stack();
    let code = code_name("ONCE");
    create_code(json!({"code": code, "amount": "1.00", "max_uses": 1})).await;
    let body = with_code(&[("ebook", 1)], &code);
    let k = key("disc-once");
    let (s, _, first) = post_checkout(stack, &body, &k, &client_ip()).await;
    assert_eq!(s, 201, "{first}");
    // The one use is held by this checkout: a retry of the same request
    // still gets it, another request is refused.
    let (s, _, again) = post_checkout(stack, &body, &k, &client_ip()).await;
    assert_eq!((s, &again["id"]), (201, &first["id"]), "{again}");
    assert_eq!(again["discount"], first["discount"]);
    let (s, _, other) = post_checkout(stack, &body, &key("disc-once-2"), &client_ip()).await;
    println!(
        "max_uses 1: first 201 {}, its retry 201 {}, another request {s} {} ({})",
        first["id"], again["id"], other["error"]["code"], other["error"]["message"]
    );
    assert_eq!(
        (s, other["error"]["code"].clone()),
        (422, json!("discount_code_used_up")),
        "{other}"
    );
    let row = code_row(&code).await;
    assert_eq!((&row["uses"], &row["reserved"]), (&json!(0), &json!(1)));
}

#[tokio::test]
async fn the_catalog_offers_the_code_box_once_a_code_is_on() {
    // (A shop without codes leaves `discount_codes` out: buyers.rs reads the
    // whole `checkout` of a fresh stack.)
    let code = code_name("BOX");
    create_code(json!({"code": code, "percent_basis_points": 500})).await;
    let stack = shared_stack();
    let r = client()
        .get(format!("{}/v1/catalog", stack.edge))
        .send()
        .await
        .expect("GET /v1/catalog");
    let (s, _, catalog) = parts(r).await;
    assert_eq!(s, 200, "{catalog}");
    assert_eq!(catalog["checkout"]["discount_codes"], true, "{catalog}");
}
