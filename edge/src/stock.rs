//! Stock, optional per SKU (stored in D1, `ledger::stock`): the public
//! `GET /v1/availability` the widget reads, and the admin's
//! `GET /admin/stock`, `PUT /admin/stock/{sku}` (set),
//! `POST /admin/stock/{sku}/adjust` (add or take off) and
//! `DELETE /admin/stock/{sku}` (stop tracking). Only SKUs the catalog sells
//! can be tracked. Reserving, releasing and consuming happen with the
//! checkouts themselves (`checkout`, the migration's triggers).

use crate::auth::require_admin;
use crate::catalog::catalog;
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ledger::stock::{StockRow, MAX_STOCK};
use crate::ledger::Ledger;
use crate::log;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use worker::{Request, Response};

/// The largest admin body accepted.
const MAX_BODY: usize = 1024;

/// `GET /v1/availability`: `{"stock": {"mug": 2}}`, what can still be bought
/// of each tracked SKU (an untracked SKU is absent: unlimited). Cached for
/// 5 s: shoppers see a sold-out item within seconds, and a busy page costs
/// the database one read per 5 s per cache.
pub(crate) async fn availability(cx: &Cx) -> EdgeResult<Response> {
    let rows = Ledger::open(cx)?.stock_list().await?;
    let mut resp = json_response(&availability_body(&rows), 200);
    let _ = resp.headers_mut().set("cache-control", "public, max-age=5");
    Ok(resp)
}

/// The body of `GET /v1/availability` (pure, host-tested).
fn availability_body(rows: &[StockRow]) -> Value {
    let stock: Map<String, Value> = rows
        .iter()
        .map(|r| (r.sku.clone(), json!(r.available.max(0))))
        .collect();
    json!({ "stock": stock })
}

/// A SKU of the path that the catalog sells (a product with variants is
/// sold by its variants' SKUs); 404 `not_found` otherwise, as for any
/// resource this edge does not know.
fn catalog_sku(sku: &str) -> EdgeResult<String> {
    match catalog()?.get(sku) {
        Some(p) => Ok(p.sku.clone()),
        None => Err(EdgeError::NotFound("SKU in the catalog")),
    }
}

/// A stock figure from a body: an integer in `0..=MAX_STOCK` (or, for a
/// delta, `-MAX_STOCK..=MAX_STOCK`).
fn figure(value: &Value, field: &str, signed: bool) -> EdgeResult<i64> {
    let n = value.as_i64().filter(|n| {
        let n = *n;
        n <= MAX_STOCK && if signed { n >= -MAX_STOCK } else { n >= 0 }
    });
    n.ok_or_else(|| {
        EdgeError::invalid(
            "invalid_stock",
            if signed {
                format!("\"{field}\" must be a whole number between -{MAX_STOCK} and {MAX_STOCK}.")
            } else {
                format!("\"{field}\" must be a whole number between 0 and {MAX_STOCK}.")
            },
            Some(field),
        )
    })
}

/// `GET /admin/stock`: every tracked SKU with its stock, what is reserved
/// and what is left, and its catalog title (`null` for a SKU the catalog no
/// longer sells: untrack it).
pub(crate) async fn list(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let rows = Ledger::open(cx)?.stock_list().await?;
    let catalog = catalog()?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = json!(r);
            v["title"] = json!(catalog.get(&r.sku).map(|p| p.title.clone()));
            v
        })
        .collect();
    let mut resp = json_response(&json!({ "stock": items }), 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// `PUT /admin/stock/{sku}` `{"stock": 10}`: sets the stock (and starts
/// tracking the SKU); units reserved by unpaid checkouts stay reserved.
pub(crate) async fn set(mut req: Request, sku: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let sku = catalog_sku(sku)?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Set {
        #[serde(default)]
        stock: Value,
    }
    let body: Set = http::read_json(&mut req, MAX_BODY).await?;
    let stock = figure(&body.stock, "stock", false)?;
    let row = Ledger::open(cx)?.set_stock(&sku, stock).await?;
    log::info(
        &cx.request_id,
        "stock set",
        json!({"sku": sku, "stock": stock}),
    );
    Ok(json_response(&row, 200))
}

/// `POST /admin/stock/{sku}/adjust` `{"delta": -1}`: adds to (or takes off)
/// the stock of a tracked SKU; 404 when it is not tracked, 422 when the
/// stock would go below 0.
pub(crate) async fn adjust(mut req: Request, sku: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let sku = catalog_sku(sku)?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Adjust {
        #[serde(default)]
        delta: Value,
    }
    let body: Adjust = http::read_json(&mut req, MAX_BODY).await?;
    let delta = figure(&body.delta, "delta", true)?;
    match Ledger::open(cx)?.adjust_stock(&sku, delta).await? {
        Ok(Some(row)) => {
            log::info(
                &cx.request_id,
                "stock adjusted",
                json!({"sku": sku, "delta": delta, "stock": row.stock}),
            );
            Ok(json_response(&row, 200))
        }
        Ok(None) => Err(EdgeError::NotFound("tracked SKU")),
        Err(refused) => Err(EdgeError::invalid(
            "invalid_stock",
            adjust_refusal(&sku, refused.current.stock, delta),
            Some("delta"),
        )),
    }
}

/// Why an adjustment of `delta` to a stock of `stock` was refused.
fn adjust_refusal(sku: &str, stock: i64, delta: i64) -> String {
    if delta < 0 {
        format!(
            "Only {stock} of {sku} in stock: {} cannot be taken off.",
            delta.unsigned_abs()
        )
    } else {
        format!("The stock of {sku} cannot go above {MAX_STOCK}.")
    }
}

/// `DELETE /admin/stock/{sku}`: stops tracking a SKU (unlimited from now
/// on; what unpaid checkouts held of it is forgotten).
pub(crate) async fn untrack(req: Request, sku: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let sku = catalog_sku(sku)?;
    if !Ledger::open(cx)?.untrack_stock(&sku).await? {
        return Err(EdgeError::NotFound("tracked SKU"));
    }
    log::info(&cx.request_id, "stock untracked", json!({"sku": sku}));
    Ok(json_response(&json!({"sku": sku, "tracked": false}), 200))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(sku: &str, stock: i64, reserved: i64, available: i64) -> StockRow {
        StockRow {
            sku: sku.into(),
            stock,
            reserved,
            available,
        }
    }

    #[test]
    fn availability_lists_tracked_skus_never_below_zero() {
        let body = availability_body(&[row("candle", 3, 1, 2), row("mug", 1, 3, -2)]);
        assert_eq!(body, json!({"stock": {"candle": 2, "mug": 0}}));
        assert_eq!(availability_body(&[]), json!({"stock": {}}));
    }

    #[test]
    fn a_refused_adjustment_says_why() {
        assert_eq!(
            adjust_refusal("mug", 2, -3),
            "Only 2 of mug in stock: 3 cannot be taken off."
        );
        assert_eq!(
            adjust_refusal("mug", MAX_STOCK, 1),
            "The stock of mug cannot go above 1000000000."
        );
    }

    #[test]
    fn stock_figures_are_whole_numbers_in_range() {
        // (value, signed, accepted)
        let cases = [
            (json!(10), false, Some(10)),
            (json!(0), false, Some(0)),
            (json!(-1), false, None),
            (json!(-1), true, Some(-1)),
            (json!(1.5), false, None),
            (json!("3"), false, None),
            (Value::Null, false, None),
            (json!(1_000_000_001), false, None),
            (json!(-1_000_000_001), true, None),
        ];
        for (value, signed, expected) in cases {
            assert_eq!(
                figure(&value, "stock", signed).ok(),
                expected,
                "{value} signed={signed}"
            );
        }
    }
}
