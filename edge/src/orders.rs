//! Orders as a merchant fulfils them: the CSV export of checkouts with their
//! customer and shipping address, and the personal-data rules (a customer's
//! data deleted on request, and after `CUSTOMER_DATA_RETENTION_DAYS`). Orders
//! keep their amounts, lines and shipping zone; only the person is removed.

use crate::auth::require_admin;
use crate::config::Config;
use crate::csv::cell;
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ledger::{CheckoutRow, Ledger};
use crate::log;
use serde_json::{json, Value};
use worker::{Env, Request, Response};

const CSV_COLUMNS: &[&str] = &[
    "checkout_id",
    "created_at",
    "paid_at",
    "status",
    "amount",
    "currency",
    "email",
    "name",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "shipping_zone",
    "shipping_gross",
    "items",
    "reference",
    "company",
    "vat_number",
    "terms_accepted_at",
    "discount_code",
    "discount",
];

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One CSV row for a checkout.
fn row(c: &CheckoutRow) -> String {
    let order = c.order();
    let customer = &order["customer"];
    let address = &customer["address"];
    let lines = c.lines();
    let items: Vec<String> = lines
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["sku"] != crate::checkout::SHIPPING_SKU)
        .map(|l| format!("{} x {}", text(&l["quantity"]), text(&l["title"])))
        .collect();
    let values = [
        c.id.clone(),
        c.created_at.clone(),
        c.paid_at.clone().unwrap_or_default(),
        crate::checkouts::public(c).as_str().to_owned(),
        c.charged().to_decimal(),
        c.currency.clone(),
        text(&customer["email"]),
        text(&customer["name"]),
        text(&customer["phone"]),
        text(&address["line1"]),
        text(&address["line2"]),
        text(&address["postal_code"]),
        text(&address["city"]),
        text(&address["country"]),
        text(&order["shipping"]["zone"]),
        text(&order["shipping"]["gross"]["value"]),
        items.join("; "),
        c.reference(),
        text(&customer["company"]),
        text(&customer["vat_number"]),
        text(&order["terms"]["accepted_at"]),
        text(&order["discount"]["code"]),
        text(&order["discount"]["amount"]["value"]),
    ];
    values.iter().map(|v| cell(v)).collect::<Vec<_>>().join(",")
}

/// `GET /admin/orders.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: orders with their
/// customer and address, for fulfilment or accounting.
pub(crate) async fn export_csv(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let url = req.url()?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let date = |name: &str, default: &str| -> EdgeResult<String> {
        match param(name) {
            None => Ok(default.to_owned()),
            Some(d)
                if d.len() == 10
                    && d.chars().enumerate().all(|(i, ch)| {
                        if i == 4 || i == 7 {
                            ch == '-'
                        } else {
                            ch.is_ascii_digit()
                        }
                    }) =>
            {
                Ok(d)
            }
            Some(_) => Err(EdgeError::bad_request(
                "invalid_query",
                format!("{name} must be a date like 2025-01-31"),
                Some(name),
            )),
        }
    };
    let from = date("from", "0000-01-01")?;
    let to = date("to", "9999-12-31")?;
    let rows = Ledger::open(cx)?
        .between(&from, &format!("{to}T99"))
        .await?;
    let mut csv = CSV_COLUMNS.join(",");
    csv.push_str("\r\n");
    for r in rows.iter().filter(|r| r.kind == "basket") {
        csv.push_str(&row(r));
        csv.push_str("\r\n");
    }
    let resp = Response::builder()
        .with_status(200)
        .with_header("content-type", "text/csv; charset=utf-8")?
        .with_header("content-disposition", "attachment; filename=\"orders.csv\"")?
        .with_header("cache-control", "no-store")?
        .fixed(csv.into_bytes());
    Ok(resp)
}

/// `POST /admin/customers/forget {"email"}`: removes that customer's personal
/// data from every order (a data-subject request): a basket's customer, an
/// invoice's debtor name, and the request hash computed from them.
pub(crate) async fn forget_customer(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Forget {
        #[serde(default)]
        email: String,
    }
    let body: Forget = http::read_json(&mut req, 4 * 1024).await?;
    // As documented: at most 254 characters, with an `@`; then compared
    // without surrounding spaces.
    let raw = body.email.as_str();
    let email = raw.trim();
    if !email.contains('@') || raw.chars().count() > 254 {
        return Err(EdgeError::invalid(
            "invalid_email",
            "Give the customer's e-mail address.",
            Some("email"),
        ));
    }
    let n = Ledger::open(cx)?.forget_customer(email).await?;
    log::info(
        &cx.request_id,
        "customer data removed",
        json!({"checkouts": n}),
    );
    Ok(json_response(&json!({"checkouts_updated": n}), 200))
}

/// The retention cutoff: now minus `days`, as RFC 3339.
fn cutoff(now_ms: f64, days: u32) -> String {
    let ms = now_ms - f64::from(days) * 86_400_000.0;
    String::from(worker::js_sys::Date::new(&ms.into()).to_iso_string())
}

/// Removes personal data older than the retention period.
pub(crate) async fn purge_expired(env: &Env, config: &Config) -> EdgeResult<usize> {
    let ledger = Ledger::from_env(env)?;
    ledger
        .forget_older_than(&cutoff(worker::js_sys::Date::now(), config.retention_days))
        .await
}

/// How long the ids of Qonto's webhook deliveries are kept to recognise a
/// redelivery: Qonto retries a failed delivery "for a few days".
const DELIVERY_IDS_KEPT_DAYS: u32 = 30;

/// Forgets the delivery ids past [`DELIVERY_IDS_KEPT_DAYS`], so the
/// de-duplication table does not grow for ever.
pub(crate) async fn forget_old_deliveries(env: &Env) -> EdgeResult<usize> {
    let ledger = Ledger::from_env(env)?;
    ledger
        .forget_deliveries_before(&cutoff(worker::js_sys::Date::now(), DELIVERY_IDS_KEPT_DAYS))
        .await
}
