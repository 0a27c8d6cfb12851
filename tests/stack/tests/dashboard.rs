//! The merchant's dashboard through the real Worker, over a ledger seeded
//! in D1 with hand-computed amounts: April 2025 in Europe/Paris (the default
//! REPORT_TIME_ZONE), with orders either side of both of its month
//! boundaries, three VAT rates, a shipping line and an invoice. Every
//! expected figure below is a literal worked out by hand from the seed.
//! Then the links to share: a reusable link paid twice on the fake Qonto,
//! and its QR code read back by a QR decoder.

mod common;

use common::*;
use serde_json::{json, Value};

fn amount(v: &str) -> Value {
    json!({"value": v, "currency": "EUR"})
}

/// A priced line as the edge stores it.
/// `[unit price, VAT rate, net, VAT, gross]`.
fn line(sku: &str, title: &str, qty: u32, [unit, rate, net, vat, gross]: [&str; 5]) -> Value {
    json!({"sku": sku, "title": title, "quantity": qty, "unit_price": amount(unit), "vat_rate": rate,
           "net": amount(net), "vat": amount(vat), "gross": amount(gross)})
}

struct Seed {
    id: &'static str,
    kind: &'static str,
    status: &'static str,
    last_payment: Option<&'static str>,
    net: i64,
    vat: i64,
    gross: i64,
    qonto: Option<i64>,
    lines: Value,
    order: Value,
    created_at: &'static str,
    paid_at: Option<&'static str>,
}

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn opt(s: Option<&str>) -> String {
    s.map(q).unwrap_or_else(|| "NULL".into())
}

fn seed() -> Vec<Seed> {
    let s = |id, kind, status, net, vat, gross, lines: Value, created_at, paid_at| Seed {
        id,
        kind,
        status,
        last_payment: if status == "paid" { Some("paid") } else { None },
        net,
        vat,
        gross,
        qonto: Some(gross),
        lines,
        order: json!({}),
        created_at,
        paid_at,
    };
    let mug = || {
        json!([line(
            "mug",
            "Enamel camping mug",
            1,
            ["12.50", "20.0", "12.50", "2.50", "15.00"]
        )])
    };
    vec![
        // A: paid at 00:30 on 1 April in Paris (22:30 UTC the day before).
        s(
            "ck_d5000000000000000000000a",
            "basket",
            "paid",
            5490,
            1098,
            6588,
            json!([
                line(
                    "tshirt-m",
                    "Organic cotton T-shirt (M)",
                    2,
                    ["25.00", "20.0", "50.00", "10.00", "60.00"]
                ),
                line(
                    "shipping",
                    "Shipping (France)",
                    1,
                    ["4.90", "20.0", "4.90", "0.98", "5.88"]
                )
            ]),
            "2025-03-31T22:00:00.000Z",
            Some("2025-03-31T22:30:00.000Z"),
        ),
        // B: paid at 23:30 on 31 March in Paris: March, not April.
        s(
            "ck_d5000000000000000000000b",
            "basket",
            "paid",
            1250,
            250,
            1500,
            mug(),
            "2025-03-31T21:00:00.000Z",
            Some("2025-03-31T21:30:00.000Z"),
        ),
        // C: two 5.5 % lines (VAT rounded per line: 1.81 and 0.55).
        s(
            "ck_d5000000000000000000000c",
            "basket",
            "paid",
            4296,
            236,
            4532,
            json!([
                line(
                    "coffee-250",
                    "Single-origin coffee beans, 250 g",
                    3,
                    ["10.99", "5.5", "32.97", "1.81", "34.78"]
                ),
                line(
                    "ebook",
                    "The Home Roaster's Handbook (e-book)",
                    1,
                    ["9.99", "5.5", "9.99", "0.55", "10.54"]
                )
            ]),
            "2025-04-15T09:55:00.000Z",
            Some("2025-04-15T10:00:00.000Z"),
        ),
        // D: paid at 23:59:59 on 30 April in Paris.
        s(
            "ck_d5000000000000000000000d",
            "basket",
            "paid",
            4500,
            450,
            4950,
            json!([line(
                "workshop",
                "Latte-art workshop, 2 hours",
                1,
                ["45.00", "10.0", "45.00", "4.50", "49.50"]
            )]),
            "2025-04-30T21:50:00.000Z",
            Some("2025-04-30T21:59:59.000Z"),
        ),
        // E: started in April, paid at midnight on 1 May in Paris: May.
        s(
            "ck_d5000000000000000000000e",
            "basket",
            "paid",
            1250,
            250,
            1500,
            mug(),
            "2025-04-30T21:58:00.000Z",
            Some("2025-04-30T22:00:00.000Z"),
        ),
        // F: an invoice (no lines: its VAT is on the Qonto invoice).
        Seed {
            order: json!({"invoice_number": "F-2025-0042", "debitor_name": "Acme SARL"}),
            ..s(
                "ck_d5000000000000000000000f",
                "invoice",
                "paid",
                10000,
                2000,
                12000,
                json!([]),
                "2025-04-10T07:55:00.000Z",
                Some("2025-04-10T08:00:00.000Z"),
            )
        },
        // G: open without a payment since 20 April: abandoned.
        Seed {
            order: json!({"customer": {"email": "gina@example.com", "name": "Gina"}}),
            ..s(
                "ck_d50000000000000000000001",
                "basket",
                "open",
                1250,
                250,
                1500,
                mug(),
                "2025-04-20T10:00:00.000Z",
                None,
            )
        },
        // H: expired.
        s(
            "ck_d50000000000000000000002",
            "basket",
            "expired",
            1250,
            250,
            1500,
            mug(),
            "2025-04-21T10:00:00.000Z",
            None,
        ),
        // I: open, its payment failed.
        Seed {
            last_payment: Some("failed"),
            ..s(
                "ck_d50000000000000000000003",
                "basket",
                "open",
                1250,
                250,
                1500,
                mug(),
                "2025-04-22T10:00:00.000Z",
                None,
            )
        },
        // J: February, paid, but Qonto charged 14.00 for 15.00: to review.
        Seed {
            qonto: Some(1400),
            ..s(
                "ck_d50000000000000000000004",
                "basket",
                "paid",
                1250,
                250,
                1500,
                mug(),
                "2025-02-10T10:00:00.000Z",
                Some("2025-02-10T10:05:00.000Z"),
            )
        },
    ]
}

fn insert_sql(rows: &[Seed]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "INSERT OR REPLACE INTO checkouts (id, kind, idempotency_key, request_hash, status, last_payment_status, currency, \
                 net_minor, vat_minor, expected_gross_minor, qonto_amount_minor, link_id, url, invoice_id, lines_json, order_json, \
                 created_at, updated_at, status_checked_at, paid_at, expires_at) VALUES ({id}, {kind}, NULL, 'seed', {status}, {last}, 'EUR', \
                 {net}, {vat}, {gross}, {qonto}, NULL, NULL, NULL, {lines}, {order}, {created}, {created}, {created}, {paid}, {expires});",
                id = q(r.id),
                kind = q(r.kind),
                status = q(r.status),
                last = opt(r.last_payment),
                net = r.net,
                vat = r.vat,
                gross = r.gross,
                qonto = r.qonto.map(|v| v.to_string()).unwrap_or_else(|| "NULL".into()),
                lines = q(&r.lines.to_string()),
                order = q(&r.order.to_string()),
                created = q(r.created_at),
                paid = opt(r.paid_at),
                expires = if r.status == "expired" { q("2025-04-22T10:00:00.000Z") } else { "NULL".into() },
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn seeded() -> &'static StackUrls {
    static SEEDED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    let stack = shared_stack();
    SEEDED
        .get_or_init(|| async {
            d1(stack, &insert_sql(&seed())).await;
        })
        .await;
    stack
}

const APRIL: &str = "period=custom&from=2025-04-01&to=2025-04-30";

#[tokio::test]
async fn april_at_a_glance_in_paris_time() {
    let stack = seeded().await;
    let (s, d) = admin_get(stack, &format!("/admin/dashboard?{APRIL}")).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["currency"], "EUR");
    assert_eq!(d["time_zone"], "Europe/Paris");
    assert_eq!(
        d["period"],
        json!({"name": "custom", "from": "2025-04-01", "to": "2025-04-30", "days": 30})
    );
    // A, C, D and the invoice F; B (31 March, Paris) and E (1 May, Paris) are out.
    assert_eq!(
        d["paid"],
        json!({"orders": 4, "gross": "280.70", "net": "242.86", "vat": "37.84", "average_basket": "70.18"})
    );
    // Started in April: A, C, D, E, F, G, H, I; paid since: A, C, D, E, F.
    assert_eq!(
        d["checkouts"],
        json!({"started": 8, "paid": 5, "conversion_percent": "62.5", "abandoned": 1, "failed": 1, "expired": 1, "canceled": 0})
    );
    assert_eq!(d["previous_period"]["from"], "2025-03-02");
    assert_eq!(d["previous_period"]["to"], "2025-03-31");
    assert_eq!(d["previous_period"]["paid_orders"], 1);
    assert_eq!(d["previous_period"]["gross"], "15.00");

    let days = d["days"].as_array().expect("days");
    assert_eq!(days.len(), 30);
    let day = |date: &str| {
        days.iter()
            .find(|x| x["date"] == date)
            .cloned()
            .expect(date)
    };
    assert_eq!(day("2025-04-01")["gross"], "65.88");
    assert_eq!(day("2025-04-10")["gross"], "120.00");
    assert_eq!(day("2025-04-15")["gross"], "45.32");
    assert_eq!(day("2025-04-30")["gross"], "49.50");
    assert_eq!(day("2025-04-30")["previous_date"], "2025-03-31");
    assert_eq!(day("2025-04-30")["previous_gross"], "15.00");
    assert_eq!(day("2025-04-02")["gross"], "0.00");
    let total_orders: i64 = days.iter().map(|x| x["orders"].as_i64().unwrap_or(0)).sum();
    assert_eq!(total_orders, 4);

    let skus = |key: &str| -> Vec<(String, i64, String)> {
        d[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|p| {
                (
                    p["sku"].as_str().unwrap_or("").to_owned(),
                    p["quantity"].as_i64().unwrap_or(0),
                    p["gross"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    let own = |v: &[(&str, i64, &str)]| {
        v.iter()
            .map(|(a, b, c)| ((*a).to_owned(), *b, (*c).to_owned()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        skus("top_products_by_revenue"),
        own(&[
            ("tshirt-m", 2, "60.00"),
            ("workshop", 1, "49.50"),
            ("coffee-250", 3, "34.78"),
            ("ebook", 1, "10.54")
        ])
    );
    assert_eq!(
        skus("top_products_by_quantity"),
        own(&[
            ("coffee-250", 3, "34.78"),
            ("tshirt-m", 2, "60.00"),
            ("ebook", 1, "10.54"),
            ("workshop", 1, "49.50")
        ])
    );
    let svg = d["chart_svg"].as_str().expect("svg");
    assert!(svg.starts_with("<svg"), "{svg}");
    assert_eq!(svg.matches("class=\"current\"").count(), 30);
    assert!(svg.contains("2025-04-10: 120.00 EUR, 1 paid"), "{svg}");
}

#[tokio::test]
async fn the_vat_report_of_april() {
    let stack = seeded().await;
    let (s, r) = admin_get(stack, &format!("/admin/vat-report?{APRIL}")).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["time_zone"], "Europe/Paris");
    assert_eq!(r["currency"], "EUR");
    assert_eq!(
        r["rates"],
        json!([
            {"vat_rate": "5.5", "lines": 2, "shipping_lines": 0, "net": "42.96", "vat": "2.36", "gross": "45.32"},
            {"vat_rate": "10.0", "lines": 1, "shipping_lines": 0, "net": "45.00", "vat": "4.50", "gross": "49.50"},
            {"vat_rate": "20.0", "lines": 2, "shipping_lines": 1, "net": "54.90", "vat": "10.98", "gross": "65.88"},
        ])
    );
    assert_eq!(
        r["basket_total"],
        json!({"lines": 5, "net": "142.86", "vat": "17.84", "gross": "160.70"})
    );
    assert_eq!(
        r["invoices"],
        json!([{"checkout_id": "ck_d5000000000000000000000f", "invoice_number": "F-2025-0042", "debitor": "Acme SARL",
                "paid_at": "2025-04-10T08:00:00.000Z", "net": "100.00", "vat": "20.00", "gross": "120.00"}])
    );
    assert_eq!(
        r["invoice_total"],
        json!({"lines": 1, "net": "100.00", "vat": "20.00", "gross": "120.00"})
    );
}

#[tokio::test]
async fn the_vat_report_exports_as_csv_with_its_columns() {
    let stack = seeded().await;
    let resp = client()
        .get(format!("{}/admin/vat-report.csv?{APRIL}", stack.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("GET csv");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        resp.headers()["content-disposition"],
        "attachment; filename=\"vat-report-2025-04-01_2025-04-30.csv\""
    );
    let csv = resp.text().await.expect("body");
    let tail = "2025-04-01,2025-04-30,Europe/Paris";
    assert_eq!(
        csv.split("\r\n").collect::<Vec<_>>(),
        vec![
            "section,vat_rate,lines,shipping_lines,net,vat,gross,currency,checkout_id,invoice_number,debitor,paid_at,period_from,period_to,time_zone".to_owned(),
            format!("rate,5.5,2,0,42.96,2.36,45.32,EUR,,,,,{tail}"),
            format!("rate,10.0,1,0,45.00,4.50,49.50,EUR,,,,,{tail}"),
            format!("rate,20.0,2,1,54.90,10.98,65.88,EUR,,,,,{tail}"),
            format!("basket_total,,5,1,142.86,17.84,160.70,EUR,,,,,{tail}"),
            format!("invoice,,1,,100.00,20.00,120.00,EUR,ck_d5000000000000000000000f,F-2025-0042,Acme SARL,2025-04-10T08:00:00.000Z,{tail}"),
            format!("invoice_total,,1,,100.00,20.00,120.00,EUR,,,,,{tail}"),
            String::new(),
        ]
    );
}

#[tokio::test]
async fn march_and_may_get_the_orders_on_the_other_side_of_the_boundaries() {
    let stack = seeded().await;
    let (_, march) = admin_get(
        stack,
        "/admin/vat-report?period=custom&from=2025-03-01&to=2025-03-31",
    )
    .await;
    assert_eq!(
        march["basket_total"],
        json!({"lines": 1, "net": "12.50", "vat": "2.50", "gross": "15.00"})
    );
    let (_, may) = admin_get(
        stack,
        "/admin/dashboard?period=custom&from=2025-05-01&to=2025-05-31",
    )
    .await;
    assert_eq!(may["paid"]["orders"], 1);
    assert_eq!(may["paid"]["gross"], "15.00");
    assert_eq!(may["checkouts"]["started"], 0);
}

#[tokio::test]
async fn bad_periods_are_400_with_the_parameter() {
    let stack = seeded().await;
    for (query, field) in [
        ("period=fortnight", "period"),
        ("period=custom&from=2025-04-31&to=2025-05-01", "from"),
        ("period=custom&from=2025-04-01&to=2025-03-01", "to"),
        ("period=custom&from=2024-01-01&to=2025-06-01", "to"),
    ] {
        let (s, b) = admin_get(stack, &format!("/admin/dashboard?{query}")).await;
        assert_eq!(s, 400, "{query}: {b}");
        assert_eq!(b["error"]["code"], "invalid_query", "{b}");
        assert_eq!(b["error"]["field"], field, "{query}: {b}");
    }
    let resp = client()
        .get(format!("{}/admin/dashboard", stack.edge))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status().as_u16(), 401);
}

#[tokio::test]
async fn lost_checkouts_are_filtered_and_say_why() {
    let stack = seeded().await;
    let ids = |b: &Value| -> Vec<String> {
        b["checkouts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["id"].as_str().map(str::to_owned))
            .collect()
    };
    let why = |b: &Value, id: &str| -> String {
        b["checkouts"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["id"] == id)
            .and_then(|c| c["why"].as_str())
            .unwrap_or("")
            .to_owned()
    };
    let (s, b) = admin_get(stack, "/admin/lost-checkouts?reason=abandoned").await;
    assert_eq!(s, 200, "{b}");
    assert!(
        ids(&b).contains(&"ck_d50000000000000000000001".to_owned()),
        "{b}"
    );
    assert!(
        !ids(&b).contains(&"ck_d50000000000000000000003".to_owned()),
        "{b}"
    );
    let w = why(&b, "ck_d50000000000000000000001");
    assert!(
        w.starts_with("Abandoned: open for ") && w.ends_with(" days without a payment."),
        "{w}"
    );

    let (_, b) = admin_get(stack, "/admin/lost-checkouts?reason=failed").await;
    assert_eq!(ids(&b), vec!["ck_d50000000000000000000003"]);
    assert_eq!(
        why(&b, "ck_d50000000000000000000003"),
        "The shopper's payment failed and they did not try again."
    );

    let (_, b) = admin_get(stack, "/admin/lost-checkouts?reason=expired").await;
    assert_eq!(ids(&b), vec!["ck_d50000000000000000000002"]);
    assert_eq!(
        why(&b, "ck_d50000000000000000000002"),
        "The link expired at 2025-04-22T10:00:00.000Z without a payment."
    );

    let (_, b) = admin_get(stack, "/admin/lost-checkouts?reason=review").await;
    assert_eq!(ids(&b), vec!["ck_d50000000000000000000004"]);
    assert_eq!(
        why(&b, "ck_d50000000000000000000004"),
        "Amount mismatch: Qonto charges 14.00 EUR, the ledger expected 15.00 EUR. Check the link before fulfilling."
    );

    let (s, b) = admin_get(stack, "/admin/lost-checkouts?reason=paid").await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["error"]["field"], "reason");
}

/// Rasterises the edge's QR SVG (a white background and one black path of
/// `M{x} {y}h{w}v{h}...` squares) into grey pixels for the decoder.
fn decode_qr(svg: &str) -> String {
    let attr = |name: &str| -> usize {
        let start = svg.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        svg[start..]
            .split('"')
            .next()
            .and_then(|v| v.parse().ok())
            .expect(name)
    };
    let (w, h) = (attr("width"), attr("height"));
    let mut pixels = vec![255u8; w * h];
    let d_start = svg.find(" d=\"").expect("a path") + 4;
    let d = svg[d_start..].split('"').next().expect("path data");
    for square in d.split('M').filter(|s| !s.is_empty()) {
        let num = |s: &str| -> usize {
            s.chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
                .parse()
                .expect("number")
        };
        let x = num(square);
        let y = num(square.split(' ').nth(1).expect("y"));
        let sw = num(square.split('h').nth(1).expect("h"));
        let sh = num(square.split('v').nth(1).expect("v"));
        for yy in y..(y + sh).min(h) {
            for xx in x..(x + sw).min(w) {
                pixels[yy * w + xx] = 0;
            }
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("a readable QR code").1
}

fn link_id_of(url: &str) -> String {
    url.rsplit('/')
        .next()
        .and_then(|l| l.split('?').next())
        .unwrap_or("")
        .to_owned()
}

async fn admin_post(stack: &StackUrls, path: &str, body: &Value) -> (u16, Value) {
    let resp = client()
        .post(format!("{}{path}", stack.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .json(body)
        .send()
        .await
        .expect("admin POST");
    let (s, _, v) = parts(resp).await;
    (s, v)
}

#[tokio::test]
async fn a_reusable_link_paid_twice_records_and_notifies_each_payment() {
    let stack = seeded().await;
    let (s, link) = admin_post(
        stack,
        "/admin/share-links",
        &json!({"title": "Deposit: latte-art workshop", "amount": "25.00", "vat_rate": "20", "reusable": true}),
    )
    .await;
    assert_eq!(s, 201, "{link}");
    assert_eq!(link["reusable"], true);
    assert_eq!(link["status"], "open");
    // 25.00 net at 20 %: 30.00.
    assert_eq!(link["amount"], json!({"value": "30.00", "currency": "EUR"}));
    let id = link["id"].as_str().expect("id").to_owned();
    let url = link["url"].as_str().expect("url").to_owned();

    // Qonto was asked for a reusable basket link of that one item.
    let created = fake_requests(stack, "route=create_payment_link").await;
    let body = created
        .iter()
        .rev()
        .filter_map(|r| {
            r["body"]
                .as_str()
                .and_then(|b| serde_json::from_str::<Value>(b).ok())
                .or_else(|| Some(r["body"].clone()))
        })
        .find(|b| b["payment_link"]["items"][0]["title"] == "Deposit: latte-art workshop")
        .expect("the create request");
    assert_eq!(body["payment_link"]["reusable"], true);
    assert_eq!(
        body["payment_link"]["items"][0]["unit_price"]["value"],
        "25.00"
    );

    // Its QR code, in the answer and as its own SVG, decodes to its URL.
    assert_eq!(decode_qr(link["qr_svg"].as_str().expect("qr_svg")), url);
    let resp = client()
        .get(format!("{}/admin/share-links/{id}/qr.svg", stack.edge))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .expect("qr");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "image/svg+xml");
    assert_eq!(decode_qr(&resp.text().await.expect("svg")), url);

    let qonto_link = link_id_of(&url);
    pay_link(stack, &qonto_link).await;
    pay_link(stack, &qonto_link).await;

    // Qonto's webhooks make the edge record each payment as a paid checkout.
    let mut detail = Value::Null;
    for _ in 0..100 {
        let (_, d) = admin_get(stack, &format!("/admin/share-links/{id}")).await;
        let delivered = d["payments"].as_array().map_or(0, |p| {
            p.iter()
                .filter(|p| p["notification"]["state"] == "delivered")
                .count()
        });
        detail = d;
        if delivered == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let payments = detail["payments"].as_array().cloned().unwrap_or_default();
    assert_eq!(payments.len(), 2, "{detail}");
    assert_eq!(detail["payments_recorded"], 2);
    assert_eq!(
        detail["status"], "open",
        "a reusable link stays open: {detail}"
    );
    assert_ne!(payments[0]["payment_id"], payments[1]["payment_id"]);
    for p in &payments {
        assert_eq!(
            p["amount"],
            json!({"value": "30.00", "currency": "EUR"}),
            "{p}"
        );
        assert_eq!(p["notification"]["state"], "delivered", "{p}");
        let child = p["checkout_id"].as_str().expect("checkout id");
        let received = merchant_received(stack, child).await;
        assert_eq!(
            received.len(),
            1,
            "one notification per payment: {received:?}"
        );
        let body: Value =
            serde_json::from_str(received[0]["body"].as_str().unwrap_or("")).expect("json");
        assert_eq!(body["checkout"]["status"], "paid");
        assert_eq!(
            body["checkout"]["amount"],
            json!({"value": "30.00", "currency": "EUR"})
        );
        assert_eq!(
            body["checkout"]["order"]["share_link"]["checkout_id"],
            id.as_str()
        );
    }
    // Qonto has the two payments of the link.
    let (_, qp) = admin_get(stack, &format!("/admin/checkouts/{id}/payments")).await;
    let paid = qp["payments"]
        .as_array()
        .map_or(0, |p| p.iter().filter(|p| p["status"] == "paid").count());
    assert_eq!(paid, 2, "{qp}");

    // Each payment is a paid order of today in the dashboard.
    let (_, today) = admin_get(stack, "/admin/dashboard?period=today").await;
    let free = today["top_products_by_revenue"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["sku"] == "amount").cloned())
        .expect("the free amount among today's products");
    assert_eq!(free["quantity"], 2);
    assert_eq!(free["gross"], "60.00");

    // A webhook delivered again records nothing twice.
    let (_, list) = admin_get(stack, "/admin/share-links").await;
    let listed = list["share_links"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["id"] == id.as_str()).cloned())
        .expect("listed");
    assert_eq!(listed["payments_recorded"], 2);
    assert_eq!(listed["title"], "Deposit: latte-art workshop", "{listed}");
    assert_eq!(listed["reusable"], true, "{listed}");

    // Deactivated, it takes no more payments.
    let (s, off) = admin_post(
        stack,
        &format!("/admin/checkouts/{id}/deactivate"),
        &json!({}),
    )
    .await;
    assert_eq!(s, 200, "{off}");
    assert_eq!(off["status"], "canceled");
}

#[tokio::test]
async fn a_single_use_link_of_catalog_items_is_a_checkout_like_the_others() {
    let stack = seeded().await;
    let (s, link) = admin_post(
        stack,
        "/admin/share-links",
        &json!({"title": "Two mugs for Léa", "items": [{"sku": "mug", "quantity": 2}]}),
    )
    .await;
    assert_eq!(s, 201, "{link}");
    assert_eq!(link["reusable"], false);
    // 2 × 12.50 net at 20 %, no shipping line on a shared link.
    assert_eq!(link["amount"], json!({"value": "30.00", "currency": "EUR"}));
    assert_eq!(link["lines"].as_array().map(Vec::len), Some(1));
    let id = link["id"].as_str().expect("id").to_owned();
    pay_link(stack, &link_id_of(link["url"].as_str().unwrap_or(""))).await;
    let mut status = Value::Null;
    for _ in 0..50 {
        let (_, c) = admin_get(stack, &format!("/admin/checkouts/{id}")).await;
        status = c["status"].clone();
        if status == "paid" && c["notification"]["state"] == "delivered" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(status, "paid");
    assert_eq!(merchant_received(stack, &id).await.len(), 1);

    for (body, field) in [
        (json!({"title": "", "amount": "5.00"}), "title"),
        (
            json!({"title": "Both", "amount": "5.00", "items": [{"sku": "mug", "quantity": 1}]}),
            "items",
        ),
        (json!({"title": "Zero", "amount": "0.00"}), "amount"),
        (
            json!({"title": "Rate", "amount": "5.00", "vat_rate": "twenty"}),
            "vat_rate",
        ),
        (
            json!({"title": "Unknown", "items": [{"sku": "nope", "quantity": 1}]}),
            "items[0].sku",
        ),
    ] {
        let (s, b) = admin_post(stack, "/admin/share-links", &body).await;
        assert_eq!(s, 422, "{body}: {b}");
        assert_eq!(b["error"]["field"], field, "{body}: {b}");
    }
}
