//! The demo shop's low-stock item: `qc-stack demo` tracks the candle's stock
//! (3) through the edge's admin API at start, as a merchant would on the
//! admin page, unless the SKU is tracked already (the merchant changed it).

use crate::{StackError, LOCAL_ADMIN_TOKEN};
use serde_json::{json, Value};

/// The demo's low-stock SKU and its stock.
pub const DEMO_STOCK: (&str, i64) = ("candle", 3);

/// Tracks `stock` units of `sku` (the demo: [`DEMO_STOCK`]) on the edge at
/// `edge_url` when it is not tracked yet. Returns what was done, for the
/// demo's banner.
pub async fn seed_stock(edge_url: &str, (sku, stock): (&str, i64)) -> Result<String, StackError> {
    let fail = |detail: String| StackError::Exited {
        what: format!("seeding the demo stock of {sku}"),
        detail,
    };
    let client = reqwest::Client::new();
    let listed: Value = client
        .get(format!("{edge_url}/admin/stock"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?
        .json()
        .await
        .map_err(|e| fail(e.to_string()))?;
    let tracked = listed["stock"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["sku"] == sku));
    if let Some(row) = tracked {
        return Ok(format!(
            "{sku}: {} left (tracked already)",
            row["available"]
        ));
    }
    let resp = client
        .put(format!("{edge_url}/admin/stock/{sku}"))
        .bearer_auth(LOCAL_ADMIN_TOKEN)
        .json(&json!({ "stock": stock }))
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    match resp.status().as_u16() {
        200 => Ok(format!("{sku}: {stock} in stock")),
        // A catalog without the SKU: nothing to track.
        404 => Ok(format!("{sku}: not in the catalog, not tracked")),
        other => Err(fail(format!(
            "PUT /admin/stock/{sku} answered {other}: {}",
            resp.text().await.unwrap_or_default()
        ))),
    }
}
