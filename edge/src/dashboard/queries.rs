//! The dashboard's SQL: every figure is summed by D1 from the ledger's
//! integer cents, over ranges that the indexes of migration 0006 serve
//! (`checkouts_paid` for paid figures, `checkouts_created_outcome` for
//! started checkouts, `checkouts_status_created` and `checkouts_mismatch`
//! for the lost-checkout lists).
//!
//! A priced line's amounts are stored as the wire's decimal strings, written
//! by `shared::money::Money::to_decimal` with exactly two decimals; removing
//! the dot gives its integer cents (see [`cents`] and its test), so line sums
//! are integer sums too.
//!
//! The links to share's statements are here too: marking a checkout a link,
//! listing the links with their payments in one query, and recording a
//! reusable link's payment as its own paid checkout.

use super::figures::{DaySum, Outcomes, PaidTotals, ProductSum};
use crate::error::EdgeResult;
use crate::ledger::CheckoutRow;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// The integer cents of a line amount at JSON path `path` of `l.value`.
fn cents(path: &str) -> String {
    format!("CAST(replace(json_extract(l.value, '{path}'), '.', '') AS INTEGER)")
}

const PAID_TOTALS: &str =
    "SELECT count(*) AS orders, sum(net_minor) AS net, sum(vat_minor) AS vat, \
    sum(expected_gross_minor) AS gross FROM checkouts \
    WHERE status = 'paid' AND paid_at >= ?1 AND paid_at < ?2";

/// Checkouts started in `[?1, ?2)` by outcome; an open one created before ?3
/// (an hour ago) without a payment under way is abandoned. A reusable link's
/// payments are not started checkouts (the link is), and a reusable link
/// waits for payments without being abandoned.
const OUTCOMES: &str = "SELECT count(*) AS started, \
    sum(status = 'paid' OR (share = 'reusable' AND last_payment_status = 'paid')) AS paid, \
    sum(status = 'open' AND coalesce(share, '') != 'reusable' AND created_at < ?3 \
        AND coalesce(last_payment_status, 'open') IN ('open', 'pending', 'authorized')) AS abandoned, \
    sum(status = 'open' AND last_payment_status IN ('failed', 'expired')) AS failed, \
    sum(status = 'expired') AS expired, \
    sum(status = 'canceled' OR (status = 'open' AND last_payment_status = 'canceled')) AS canceled \
    FROM checkouts WHERE created_at >= ?1 AND created_at < ?2 AND status != 'creating' \
    AND coalesce(share, '') != 'payment'";

/// Binds a statement.
fn stmt(db: &D1Database, sql: &str, args: &[JsValue]) -> EdgeResult<D1PreparedStatement> {
    Ok(db.prepare(sql).bind(args)?)
}

/// The revenue per day of `days` (UTC bounds as written by `tz::rfc3339`,
/// only digits and `-:T.Z`, so they are inlined: D1 binds at most 100
/// parameters and a period has up to 366 days).
fn days_sql(days: &[(String, String)]) -> String {
    let values: Vec<String> = days
        .iter()
        .enumerate()
        .map(|(i, (s, e))| format!("({i}, '{s}', '{e}')"))
        .collect();
    format!(
        "WITH d(i, s, e) AS (VALUES {}) SELECT d.i AS day, count(*) AS orders, \
         sum(c.expected_gross_minor) AS gross FROM d JOIN checkouts c \
         ON c.status = 'paid' AND c.paid_at >= d.s AND c.paid_at < d.e GROUP BY d.i",
        values.join(", ")
    )
}

/// Whether a bound is one of ours (so inlining it is safe).
fn is_bound(s: &str) -> bool {
    s.len() == 24
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b':' | b'T' | b'.' | b'Z'))
}

fn top_products_sql() -> String {
    format!(
        "SELECT json_extract(l.value, '$.sku') AS sku, max(json_extract(l.value, '$.title')) AS title, \
         sum(json_extract(l.value, '$.quantity')) AS quantity, sum({}) AS net, sum({}) AS gross \
         FROM checkouts c, json_each(c.lines_json) l \
         WHERE c.status = 'paid' AND c.paid_at >= ?1 AND c.paid_at < ?2 \
         AND json_extract(l.value, '$.sku') != 'shipping' GROUP BY 1",
        cents("$.net.value"),
        cents("$.gross.value")
    )
}

/// Everything the dashboard shows, in one D1 round trip.
pub(crate) struct DashboardRows {
    pub(crate) paid: PaidTotals,
    pub(crate) previous_paid: PaidTotals,
    pub(crate) outcomes: Outcomes,
    pub(crate) products: Vec<ProductSum>,
    pub(crate) days: Vec<DaySum>,
    pub(crate) previous_days: Vec<DaySum>,
}

/// Runs the dashboard's queries for a period (`bounds`, `days`) and its
/// previous period.
pub(crate) async fn dashboard(
    db: &D1Database,
    bounds: (&str, &str),
    previous: (&str, &str),
    days: &[(String, String)],
    previous_days: &[(String, String)],
    abandoned_before: &str,
) -> EdgeResult<DashboardRows> {
    if !days
        .iter()
        .chain(previous_days)
        .all(|(s, e)| is_bound(s) && is_bound(e))
    {
        return Err(crate::error::EdgeError::Internal(
            "a day bound is not a timestamp".into(),
        ));
    }
    let range = [bounds.0.into(), bounds.1.into()];
    let statements = vec![
        stmt(db, PAID_TOTALS, &range)?,
        stmt(db, PAID_TOTALS, &[previous.0.into(), previous.1.into()])?,
        stmt(
            db,
            OUTCOMES,
            &[bounds.0.into(), bounds.1.into(), abandoned_before.into()],
        )?,
        stmt(db, &top_products_sql(), &range)?,
        stmt(db, &days_sql(days), &[])?,
        stmt(db, &days_sql(previous_days), &[])?,
    ];
    let results = db.batch(statements).await?;
    let mut it = results.into_iter();
    let mut next = || {
        it.next().ok_or_else(|| {
            crate::error::EdgeError::Internal("D1 answered fewer results than asked".into())
        })
    };
    let first = |rows: Vec<PaidTotals>| rows.into_iter().next().unwrap_or_default();
    let paid = first(next()?.results::<PaidTotals>()?);
    let previous_paid = first(next()?.results::<PaidTotals>()?);
    let outcomes = next()?
        .results::<Outcomes>()?
        .into_iter()
        .next()
        .unwrap_or_default();
    let products = next()?.results::<ProductSum>()?;
    let days = next()?.results::<DaySum>()?;
    let previous_days = next()?.results::<DaySum>()?;
    Ok(DashboardRows {
        paid,
        previous_paid,
        outcomes,
        products,
        days,
        previous_days,
    })
}

/// One VAT rate's paid lines in a period.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct RateSum {
    pub(crate) rate: String,
    pub(crate) lines: i64,
    pub(crate) shipping_lines: i64,
    pub(crate) net: i64,
    pub(crate) vat: i64,
    pub(crate) gross: i64,
}

/// One paid invoice checkout.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct InvoiceSum {
    pub(crate) id: String,
    pub(crate) paid_at: Option<String>,
    pub(crate) number: Option<String>,
    pub(crate) debitor: Option<String>,
    pub(crate) net: i64,
    pub(crate) vat: i64,
    pub(crate) gross: i64,
}

/// The VAT report's sums: basket lines per rate (shipping included), and
/// invoice checkouts apart (their VAT is on the Qonto invoice).
pub(crate) async fn vat_report(
    db: &D1Database,
    from: &str,
    to: &str,
) -> EdgeResult<(Vec<RateSum>, Vec<InvoiceSum>)> {
    let by_rate = format!(
        "SELECT json_extract(l.value, '$.vat_rate') AS rate, count(*) AS lines, \
         sum(json_extract(l.value, '$.sku') = 'shipping') AS shipping_lines, \
         sum({}) AS net, sum({}) AS vat, sum({}) AS gross \
         FROM checkouts c, json_each(c.lines_json) l \
         WHERE c.status = 'paid' AND c.kind = 'basket' AND c.paid_at >= ?1 AND c.paid_at < ?2 GROUP BY 1",
        cents("$.net.value"),
        cents("$.vat.value"),
        cents("$.gross.value")
    );
    let invoices = "SELECT id, paid_at, net_minor AS net, vat_minor AS vat, expected_gross_minor AS gross, \
        json_extract(order_json, '$.invoice_number') AS number, json_extract(order_json, '$.debitor_name') AS debitor \
        FROM checkouts WHERE status = 'paid' AND kind = 'invoice' AND paid_at >= ?1 AND paid_at < ?2 \
        ORDER BY paid_at, id LIMIT 5000";
    let range = [from.into(), to.into()];
    let results = db
        .batch(vec![
            stmt(db, &by_rate, &range)?,
            stmt(db, invoices, &range)?,
        ])
        .await?;
    let mut it = results.into_iter();
    let rates = match it.next() {
        Some(r) => r.results::<RateSum>()?,
        None => Vec::new(),
    };
    let invoices = match it.next() {
        Some(r) => r.results::<InvoiceSum>()?,
        None => Vec::new(),
    };
    Ok((rates, invoices))
}

/// A lost checkout, as the list shows it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LostRow {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) status: String,
    pub(crate) last_payment_status: Option<String>,
    pub(crate) expected_gross_minor: i64,
    pub(crate) qonto_amount_minor: Option<i64>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) expires_at: Option<String>,
    pub(crate) paid_at: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) share: Option<String>,
}

/// The `WHERE` of each "where checkouts are lost" filter (`?1` is an hour
/// ago).
pub(crate) fn lost_filter(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "abandoned" => {
            "status = 'open' AND created_at < ?1 AND coalesce(share, '') != 'reusable' \
             AND coalesce(last_payment_status, 'open') IN ('open', 'pending', 'authorized')"
        }
        "failed" => "status = 'open' AND last_payment_status IN ('failed', 'expired') AND ?1 IS NOT NULL",
        "expired" => "status = 'expired' AND ?1 IS NOT NULL",
        "review" => {
            "qonto_amount_minor IS NOT NULL AND qonto_amount_minor != expected_gross_minor AND ?1 IS NOT NULL"
        }
        _ => return None,
    })
}

/// A page of lost checkouts of one filter, newest first, and their count.
pub(crate) async fn lost(
    db: &D1Database,
    filter: &str,
    hour_ago: &str,
    limit: u32,
    offset: u32,
) -> EdgeResult<(Vec<LostRow>, u32)> {
    let rows = format!(
        "SELECT id, kind, status, last_payment_status, expected_gross_minor, qonto_amount_minor, created_at, \
         updated_at, expires_at, paid_at, share, json_extract(order_json, '$.customer.email') AS email, \
         json_extract(order_json, '$.customer.name') AS name FROM checkouts WHERE {filter} \
         ORDER BY created_at DESC, id LIMIT {limit} OFFSET {offset}"
    );
    let count = format!("SELECT count(*) AS n FROM checkouts WHERE {filter}");
    let args = [JsValue::from(hour_ago)];
    let results = db
        .batch(vec![stmt(db, &rows, &args)?, stmt(db, &count, &args)?])
        .await?;
    #[derive(Deserialize)]
    struct Count {
        n: u32,
    }
    let mut it = results.into_iter();
    let rows = match it.next() {
        Some(r) => r.results::<LostRow>()?,
        None => Vec::new(),
    };
    let n = match it.next() {
        Some(r) => r.results::<Count>()?.first().map(|c| c.n).unwrap_or(0),
        None => 0,
    };
    Ok((rows, n))
}

/// A link to share: the checkout, whether it is `single` or `reusable`,
/// and how many payments it recorded.
pub(crate) struct ShareLinkRow {
    pub(crate) row: CheckoutRow,
    pub(crate) share: String,
    pub(crate) payments: i64,
}

/// The `share` and payment count of a row of [`SHARE_LINKS`] (read from
/// the same results as the [`CheckoutRow`]).
#[derive(Deserialize)]
struct ShareFacts {
    share: String,
    payments: i64,
}

/// The 100 newest links to share, whole, with their payments counted: a
/// reusable link's recorded payments, a single one's own payment.
const SHARE_LINKS: &str = "SELECT c.*, CASE WHEN c.share = 'reusable' \
    THEN (SELECT count(*) FROM checkouts p WHERE p.share_link_of = c.id) \
    ELSE (c.status = 'paid') END AS payments \
    FROM checkouts c WHERE c.share IN ('single', 'reusable') AND c.status != 'creating' \
    ORDER BY c.created_at DESC LIMIT 100";

/// The newest links to share, in one query.
pub(crate) async fn share_links(db: &D1Database) -> EdgeResult<Vec<ShareLinkRow>> {
    let result = db.prepare(SHARE_LINKS).all().await?;
    let rows = result.results::<CheckoutRow>()?;
    let facts = result.results::<ShareFacts>()?;
    Ok(rows
        .into_iter()
        .zip(facts)
        .map(|(row, f)| ShareLinkRow {
            row,
            share: f.share,
            payments: f.payments,
        })
        .collect())
}

/// Marks checkout `id` a link to share (`single` or `reusable`).
pub(crate) async fn mark_share(db: &D1Database, id: &str, share: &str) -> EdgeResult<()> {
    db.prepare("UPDATE checkouts SET share = ?2 WHERE id = ?1")
        .bind(&[id.into(), share.into()])?
        .run()
        .await?;
    Ok(())
}

/// What kind of share checkout `id` is (`single`, `reusable`, `payment`),
/// `None` for a widget or invoice checkout.
pub(crate) async fn share_of(db: &D1Database, id: &str) -> EdgeResult<Option<String>> {
    #[derive(Deserialize)]
    struct ShareOf {
        share: Option<String>,
    }
    Ok(db
        .prepare("SELECT share FROM checkouts WHERE id = ?1")
        .bind(&[id.into()])?
        .first::<ShareOf>(None)
        .await?
        .and_then(|s| s.share))
}

/// One payment of a reusable link, recorded as its own checkout.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LinkPayment {
    pub(crate) id: String,
    pub(crate) paid_at: Option<String>,
    pub(crate) qonto_amount_minor: Option<i64>,
    pub(crate) payment_id: Option<String>,
}

/// The payments recorded for reusable link `link`, oldest first.
pub(crate) async fn link_payments(db: &D1Database, link: &str) -> EdgeResult<Vec<LinkPayment>> {
    Ok(db
        .prepare(
            "SELECT c.id AS id, c.paid_at AS paid_at, c.qonto_amount_minor AS qonto_amount_minor, \
             json_extract(c.order_json, '$.share_link.payment_id') AS payment_id \
             FROM checkouts c WHERE c.share_link_of = ?1 ORDER BY c.paid_at, c.id",
        )
        .bind(&[link.into()])?
        .all()
        .await?
        .results::<LinkPayment>()?)
}

/// A paid payment of a reusable link, to record as its own paid checkout.
pub(crate) struct NewLinkPayment<'a> {
    /// The new checkout's id.
    pub(crate) id: &'a str,
    /// `share-payment:{Qonto payment id}`: records each payment once.
    pub(crate) idempotency_key: &'a str,
    /// Its stored order (the link's, with the payment's ids).
    pub(crate) order_json: &'a str,
    /// What Qonto says was paid.
    pub(crate) amount_minor: i64,
    pub(crate) paid_at: &'a str,
    pub(crate) now: &'a str,
}

/// The statement that records payment `p` of reusable link `link` as a paid
/// checkout with the link's lines and amounts; it changes nothing when that
/// payment was recorded already.
pub(crate) fn record_link_payment(
    db: &D1Database,
    link: &CheckoutRow,
    p: &NewLinkPayment<'_>,
) -> EdgeResult<D1PreparedStatement> {
    let num = |v: i64| JsValue::from(v as f64);
    stmt(
        db,
        "INSERT INTO checkouts (id, kind, idempotency_key, request_hash, status, last_payment_status, currency, \
         net_minor, vat_minor, expected_gross_minor, qonto_amount_minor, url, lines_json, order_json, created_at, \
         updated_at, status_checked_at, paid_at, share, share_link_of) \
         VALUES (?1, 'basket', ?2, 'share-payment', 'paid', 'paid', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?11, \
         ?12, 'payment', ?13) ON CONFLICT DO NOTHING",
        &[
            p.id.into(),
            p.idempotency_key.into(),
            link.currency.as_str().into(),
            num(link.net_minor),
            num(link.vat_minor),
            num(link.expected_gross_minor),
            num(p.amount_minor),
            link.url.as_deref().map(JsValue::from).unwrap_or(JsValue::NULL),
            link.lines_json.as_str().into(),
            p.order_json.into(),
            p.now.into(),
            p.paid_at.into(),
            link.id.as_str().into(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::money::{Currency, Money};

    #[test]
    fn line_amounts_are_written_with_two_decimals() {
        // What `cents` relies on: the dot removed leaves the cents.
        for (minor, text) in [
            (0, "0.00"),
            (5, "0.05"),
            (1250, "12.50"),
            (123_456, "1234.56"),
        ] {
            let s = Money::new(minor, Currency::EUR).to_decimal();
            assert_eq!(s, text);
            assert_eq!(s.replace('.', "").parse::<i64>().unwrap(), minor);
        }
    }

    #[test]
    fn only_our_bounds_are_inlined() {
        assert!(is_bound("2025-03-31T22:00:00.000Z"));
        assert!(!is_bound("2025-03-31T22:00:00.000Z' OR 1=1 --"));
        assert!(!is_bound("2025-03-31'22:00:00.000Z"));
        assert!(days_sql(&[("a".into(), "b".into())]).contains("(0, 'a', 'b')"));
    }

    #[test]
    fn every_lost_filter_binds_the_hour() {
        for r in ["abandoned", "failed", "expired", "review"] {
            assert!(lost_filter(r).unwrap().contains("?1"), "{r}");
        }
        assert_eq!(lost_filter("paid"), None);
    }
}
