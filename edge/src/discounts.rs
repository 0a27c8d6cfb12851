//! Discount codes (stored in D1, `ledger::discounts`): what a code does to
//! a checkout, the public `GET /v1/discount-codes/{code}` the widget asks
//! before Pay, and the admin's `GET /admin/discount-codes`,
//! `POST /admin/discount-codes` (create), `PUT /admin/discount-codes/{code}`
//! (change: the active switch, the limits) and
//! `DELETE /admin/discount-codes/{code}`.
//!
//! A checkout with a code costs one more D1 read before the claim (the
//! code's value decides the prices stored with the claim); the use itself
//! is held in the claiming batch (`ledger::discounts`), given back and
//! counted by the migration's triggers.

use crate::auth::require_admin;
use crate::catalog::catalog;
use crate::checkouts::limits;
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::{self, Cx};
use crate::ledger::discounts::{CodeHold, CodeRow, CodeSettings};
use crate::ledger::Ledger;
use crate::log;
use serde_json::{json, Map, Value};
use shared::api::{DiscountCodeInfo, DiscountKind, ValidatedOrder};
use shared::codes;
use shared::discount::{normalize_code, DiscountValue, Refusal};
use shared::limits::MAX_AMOUNT_MINOR;
use shared::money::{Currency, Money};
use worker::{Request, Response};

/// The binding limiting code look-ups per client (guessing codes is slow).
pub(crate) const DISCOUNT_LIMITER: &str = "DISCOUNT_LIMITER";

/// The largest admin body accepted.
const MAX_BODY: usize = 2048;

/// The largest `max_uses`.
const MAX_USES: i64 = 1_000_000_000;

/// The JSON pointer of the request's code.
const FIELD: &str = "discount_code";

/// What a stored code takes off (`None` for a row that is neither kind,
/// which the table's check forbids).
fn value_of(row: &CodeRow, currency: Currency) -> Option<DiscountValue> {
    match (row.percent_bp, row.amount_minor) {
        (Some(bp), None) => u32::try_from(bp).ok().map(DiscountValue::Percent),
        (None, Some(minor)) => Some(DiscountValue::Amount(Money::new(minor, currency))),
        _ => None,
    }
}

/// Whether `row` applies at `now` (RFC 3339, the ledger's format) to goods
/// worth `goods` (`None`: no basket yet, the minimum is not checked), and
/// what it takes off (pure, host-tested). A switched-off code is unknown.
fn check(
    row: Option<&CodeRow>,
    now: &str,
    goods: Option<Money>,
    currency: Currency,
) -> Result<DiscountValue, Refusal> {
    let row = row.filter(|r| r.active == 1).ok_or(Refusal::Unknown)?;
    let value = value_of(row, currency).ok_or(Refusal::Unknown)?;
    if row.valid_from.as_deref().is_some_and(|from| now < from) {
        return Err(Refusal::NotYetValid);
    }
    if row.valid_until.as_deref().is_some_and(|until| now >= until) {
        return Err(Refusal::Expired);
    }
    if row
        .max_uses
        .is_some_and(|max| row.uses + row.reserved >= max)
    {
        return Err(Refusal::Exhausted);
    }
    let minimum = row.minimum_minor.map(|min| Money::new(min, currency));
    match goods.and_then(|goods| shared::discount::below_minimum(goods, minimum)) {
        Some(refusal) => Err(refusal),
        None => Ok(value),
    }
}

/// The 422 of a refused code, pointing at `discount_code`.
pub(crate) fn refused(code: &str, refusal: &Refusal) -> EdgeError {
    let message = match refusal {
        Refusal::BelowMinimum(min) => format!(
            "The code {code} needs goods worth at least {min} (VAT included, shipping left out)."
        ),
        Refusal::Unknown => format!("The code {code} does not exist."),
        Refusal::NotYetValid => format!("The code {code} is not valid yet."),
        Refusal::Expired => format!("The code {code} has expired."),
        Refusal::Exhausted => format!("The code {code} has been used as many times as it may."),
    };
    EdgeError::invalid(refusal.code(), message, Some(FIELD))
}

/// What a checkout request's code does to its order.
pub(crate) struct ForCheckout {
    /// The order with the discount applied.
    pub(crate) order: ValidatedOrder,
    /// The use to hold in the claim.
    pub(crate) hold: CodeHold,
    /// Why the code does not apply now (not valid yet, expired, used up),
    /// said only if the claim is this request's: a repeat of a request
    /// that got its checkout answers with that checkout, even once the
    /// code is used up (by that very checkout, perhaps) or has expired.
    pub(crate) refusal: Option<Refusal>,
}

/// The code a checkout request typed, read and checked against its order
/// ([`ForCheckout`]). A 422 at once for a code the shop does not have (or
/// has switched off) and for goods below its minimum: those depend on the
/// request itself.
pub(crate) async fn for_checkout(
    ledger: &Ledger,
    typed: &str,
    order: ValidatedOrder,
) -> EdgeResult<ForCheckout> {
    let Some(code) = normalize_code(typed) else {
        // Not even a code's shape: said back short (it is the shopper's
        // text, of any length).
        let shown: String = typed
            .trim()
            .chars()
            .take(shared::discount::MAX_CODE_CHARS)
            .collect();
        return Err(refused(&shown, &Refusal::Unknown));
    };
    let row = ledger.discount_code(&code).await?;
    let currency = order.totals.gross.currency();
    let goods = order.goods_gross();
    let (value, refusal) = match check(row.as_ref(), &crate::ledger::now(), Some(goods), currency) {
        Ok(value) => (value, None),
        Err(r @ (Refusal::Unknown | Refusal::BelowMinimum(_))) => return Err(refused(&code, &r)),
        Err(later) => {
            let value = row.as_ref().and_then(|r| value_of(r, currency));
            (
                value.ok_or_else(|| refused(&code, &Refusal::Unknown))?,
                Some(later),
            )
        }
    };
    Ok(ForCheckout {
        order: order.with_discount(&code, value),
        hold: CodeHold { code },
        refusal,
    })
}

/// The wire body of a code that applies (`GET /v1/discount-codes/{code}`).
fn info(
    code: &str,
    value: DiscountValue,
    minimum: Option<i64>,
    currency: Currency,
) -> DiscountCodeInfo {
    let (kind, percent_basis_points, amount) = match value {
        DiscountValue::Percent(bp) => (DiscountKind::Percent, Some(bp), None),
        DiscountValue::Amount(m) => (DiscountKind::Fixed, None, Some(m.into())),
    };
    DiscountCodeInfo {
        code: code.to_owned(),
        kind,
        percent_basis_points,
        amount,
        minimum: minimum.map(|m| Money::new(m, currency).into()),
    }
}

/// `GET /v1/discount-codes/{code}`: limited per client first (guessing
/// codes must be slow), then `200` with what the widget needs to show the
/// discount with `shared::discount`, `404 not_found` for a code the shop
/// does not have (or has switched off), `422` for one not valid yet,
/// expired or used up. The minimum is given, not checked (the widget
/// knows the basket; the checkout checks it). Never cached.
pub(crate) async fn lookup(req: &Request, typed: &str, cx: &Cx) -> EdgeResult<Response> {
    limits::check(req, cx, DISCOUNT_LIMITER).await?;
    let typed = urlencoding_decode(typed);
    let currency = catalog()?.currency();
    let answer = match normalize_code(&typed) {
        None => Err(EdgeError::NotFound("discount code")),
        Some(code) => {
            let row = Ledger::open(cx)?.discount_code(&code).await?;
            match check(row.as_ref(), &crate::ledger::now(), None, currency) {
                Ok(value) => Ok(info(
                    &code,
                    value,
                    row.and_then(|r| r.minimum_minor),
                    currency,
                )),
                Err(Refusal::Unknown) => Err(EdgeError::NotFound("discount code")),
                Err(other) => Err(refused(&code, &other)),
            }
        }
    };
    let mut resp = match answer {
        Ok(body) => json_response(&body, 200),
        Err(e) => e.into_response(&cx.request_id),
    };
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// A path segment with its `%XX` escapes decoded (codes are ASCII; any
/// other byte simply makes an unknown code).
fn urlencoding_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A code as the admin lists it.
fn admin_json(row: &CodeRow, currency: Currency) -> Value {
    let money =
        |m: Option<i64>| m.map(|m| json!(shared::money::WireAmount::from(Money::new(m, currency))));
    json!({
        "code": row.code,
        "kind": if row.percent_bp.is_some() { "percent" } else { "fixed" },
        "percent_basis_points": row.percent_bp,
        "amount": money(row.amount_minor),
        "minimum": money(row.minimum_minor),
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "max_uses": row.max_uses,
        "active": row.active == 1,
        "uses": row.uses,
        "reserved": row.reserved,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    })
}

/// The 422 of a malformed admin setting.
fn bad(field: &str, message: impl Into<String>) -> EdgeError {
    EdgeError::invalid(codes::INVALID_DISCOUNT_CODE, message, Some(field))
}

/// An optional amount (`"5.00"`, or `null`): positive, within the maximum.
fn amount_field(v: &Value, field: &str, currency: Currency) -> EdgeResult<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Money::parse_decimal(s.trim(), currency)
            .ok()
            .map(|m| m.minor())
            .filter(|m| (0..=MAX_AMOUNT_MINOR).contains(m))
            .map(Some)
            .ok_or_else(|| {
                bad(
                    field,
                    format!("\"{field}\" must be a decimal amount such as \"5.00\"."),
                )
            }),
        _ => Err(bad(
            field,
            format!("\"{field}\" must be a decimal amount such as \"5.00\", or null."),
        )),
    }
}

/// An optional whole number in `lo..=hi` (or `null`).
fn int_field(v: &Value, field: &str, lo: i64, hi: i64) -> EdgeResult<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        _ => v
            .as_i64()
            .filter(|n| (lo..=hi).contains(n))
            .map(Some)
            .ok_or_else(|| {
                bad(
                    field,
                    format!("\"{field}\" must be a whole number from {lo} to {hi}, or null."),
                )
            }),
    }
}

/// An optional instant (RFC 3339, or `null`), stored as the ledger writes
/// times (UTC, milliseconds) so that they compare as text.
fn instant_field(v: &Value, field: &str) -> EdgeResult<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => {
            let ms = worker::js_sys::Date::parse(s.trim());
            let ok = s.contains('T') && !ms.is_nan();
            ok.then(|| String::from(worker::js_sys::Date::new(&ms.into()).to_iso_string()))
                .map(Some)
                .ok_or_else(|| bad(field, format!("\"{field}\" must be an RFC 3339 time such as \"2026-12-31T23:00:00Z\".")))
        }
        _ => Err(bad(
            field,
            format!("\"{field}\" must be an RFC 3339 time, or null."),
        )),
    }
}

/// The settings of a create (`base` `None`) or an update (`base` the code
/// as it is: a field absent from the body keeps its value, `null` clears
/// it).
fn settings(
    body: &Map<String, Value>,
    code: String,
    base: Option<&CodeRow>,
    currency: Currency,
) -> EdgeResult<CodeSettings> {
    const FIELDS: [&str; 9] = [
        "code",
        "percent_basis_points",
        "amount",
        "minimum",
        "valid_from",
        "valid_until",
        "max_uses",
        "active",
        "kind",
    ];
    if let Some(unknown) = body.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(EdgeError::bad_request(
            codes::INVALID_REQUEST,
            format!("Unknown field \"{unknown}\"."),
            Some(unknown.as_str()),
        ));
    }
    let money = |m: Option<i64>| {
        m.map(|m| json!(Money::new(m, currency).to_decimal()))
            .unwrap_or(Value::Null)
    };
    let text = |t: Option<&String>| t.map(|t| json!(t)).unwrap_or(Value::Null);
    let field = |name: &str, current: Value| body.get(name).cloned().unwrap_or(current);
    let percent_bp = int_field(
        &field(
            "percent_basis_points",
            json!(base.and_then(|b| b.percent_bp)),
        ),
        "percent_basis_points",
        1,
        10_000,
    )?;
    let amount_minor = amount_field(
        &field("amount", money(base.and_then(|b| b.amount_minor))),
        "amount",
        currency,
    )?
    .filter(|m| *m > 0);
    // Changing the kind: the other value is dropped.
    let (percent_bp, amount_minor) = match (
        body.contains_key("percent_basis_points"),
        body.contains_key("amount"),
    ) {
        (true, false) if percent_bp.is_some() => (percent_bp, None),
        (false, true) if amount_minor.is_some() => (None, amount_minor),
        _ => (percent_bp, amount_minor),
    };
    if percent_bp.is_some() == amount_minor.is_some() {
        return Err(bad(
            "percent_basis_points",
            "A code takes off either a percentage (\"percent_basis_points\": 1000 is 10 %) or a positive amount (\"amount\": \"5.00\"), not both and not neither.",
        ));
    }
    let minimum_minor = amount_field(
        &field("minimum", money(base.and_then(|b| b.minimum_minor))),
        "minimum",
        currency,
    )?;
    let valid_from = instant_field(
        &field("valid_from", text(base.and_then(|b| b.valid_from.as_ref()))),
        "valid_from",
    )?;
    let valid_until = instant_field(
        &field(
            "valid_until",
            text(base.and_then(|b| b.valid_until.as_ref())),
        ),
        "valid_until",
    )?;
    if let (Some(from), Some(until)) = (&valid_from, &valid_until) {
        if from >= until {
            return Err(bad(
                "valid_until",
                "\"valid_until\" must be after \"valid_from\".",
            ));
        }
    }
    let max_uses = int_field(
        &field("max_uses", json!(base.and_then(|b| b.max_uses))),
        "max_uses",
        0,
        MAX_USES,
    )?;
    let active = match field("active", json!(base.is_none_or(|b| b.active == 1))) {
        Value::Bool(b) => b,
        _ => return Err(bad("active", "\"active\" must be true or false.")),
    };
    Ok(CodeSettings {
        code,
        percent_bp,
        amount_minor,
        minimum_minor,
        valid_from,
        valid_until,
        max_uses,
        active,
    })
}

/// A code named by the admin (body or path), upper-cased.
fn admin_code(typed: &str) -> EdgeResult<String> {
    normalize_code(&urlencoding_decode(typed)).ok_or_else(|| {
        bad(
            "code",
            "A code is 1 to 32 letters, digits, '-' or '_' (stored upper case).",
        )
    })
}

/// `GET /admin/discount-codes`: every code, with its paid uses and the
/// uses unpaid checkouts hold.
pub(crate) async fn list(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let currency = catalog()?.currency();
    let rows = Ledger::open(cx)?.discount_codes().await?;
    let items: Vec<Value> = rows.iter().map(|r| admin_json(r, currency)).collect();
    let mut resp = json_response(&json!({ "discount_codes": items }), 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// `POST /admin/discount-codes`: creates a code (`201`); `409
/// discount_code_exists` when the name is taken.
pub(crate) async fn create(mut req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let currency = catalog()?.currency();
    let body: Map<String, Value> = http::read_json(&mut req, MAX_BODY).await?;
    let code = admin_code(body.get("code").and_then(Value::as_str).unwrap_or(""))?;
    let s = settings(&body, code, None, currency)?;
    match Ledger::open(cx)?.create_discount_code(&s).await? {
        Some(row) => {
            log::info(
                &cx.request_id,
                "discount code created",
                json!({"code": row.code}),
            );
            Ok(json_response(&admin_json(&row, currency), 201))
        }
        None => Err(EdgeError::Conflict {
            code: codes::DISCOUNT_CODE_EXISTS,
            message: format!("The code {} exists already; change it instead.", s.code),
        }),
    }
}

/// `PUT /admin/discount-codes/{code}`: changes a code (fields absent keep
/// their value, `null` clears a limit; `"active": false` switches it off);
/// 404 when there is no such code. Its counts are kept.
pub(crate) async fn update(mut req: Request, typed: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let currency = catalog()?.currency();
    let code = admin_code(typed).map_err(|_| EdgeError::NotFound("discount code"))?;
    let body: Map<String, Value> = http::read_json(&mut req, MAX_BODY).await?;
    if body
        .get("code")
        .and_then(Value::as_str)
        .is_some_and(|c| normalize_code(c).as_deref() != Some(&code))
    {
        return Err(bad("code", "A code cannot be renamed; create a new one."));
    }
    let ledger = Ledger::open(cx)?;
    let Some(current) = ledger.discount_code(&code).await? else {
        return Err(EdgeError::NotFound("discount code"));
    };
    let s = settings(&body, code, Some(&current), currency)?;
    let row = ledger
        .update_discount_code(&s)
        .await?
        .ok_or(EdgeError::NotFound("discount code"))?;
    log::info(
        &cx.request_id,
        "discount code changed",
        json!({"code": row.code, "active": s.active}),
    );
    Ok(json_response(&admin_json(&row, currency), 200))
}

/// `DELETE /admin/discount-codes/{code}`: removes a code (unpaid checkouts
/// that used it keep their prices); 404 when there is no such code.
/// Switching it off (`PUT` with `"active": false`) keeps its history.
pub(crate) async fn delete(req: Request, typed: &str, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let code = admin_code(typed).map_err(|_| EdgeError::NotFound("discount code"))?;
    if !Ledger::open(cx)?.delete_discount_code(&code).await? {
        return Err(EdgeError::NotFound("discount code"));
    }
    log::info(
        &cx.request_id,
        "discount code deleted",
        json!({"code": code}),
    );
    Ok(json_response(&json!({"code": code, "deleted": true}), 200))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EUR: Currency = Currency::EUR;

    fn row() -> CodeRow {
        CodeRow {
            code: "SUMMER10".into(),
            percent_bp: Some(1_000),
            amount_minor: None,
            minimum_minor: Some(3_000),
            valid_from: Some("2026-06-01T00:00:00.000Z".into()),
            valid_until: Some("2026-09-01T00:00:00.000Z".into()),
            max_uses: Some(5),
            active: 1,
            uses: 3,
            reserved: 1,
            created_at: "2026-05-01T00:00:00.000Z".into(),
            updated_at: "2026-05-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn a_code_applies_only_within_its_window_uses_and_minimum() {
        let summer = "2026-07-14T12:00:00.000Z";
        let eur = |m| Some(Money::new(m, EUR));
        type Case = (
            CodeRow,
            &'static str,
            Option<Money>,
            Result<DiscountValue, Refusal>,
        );
        let cases: Vec<Case> = vec![
            (row(), summer, eur(3_000), Ok(DiscountValue::Percent(1_000))),
            (row(), summer, None, Ok(DiscountValue::Percent(1_000))),
            (
                row(),
                "2026-05-31T23:59:59.999Z",
                eur(5_000),
                Err(Refusal::NotYetValid),
            ),
            (
                row(),
                "2026-06-01T00:00:00.000Z",
                eur(5_000),
                Ok(DiscountValue::Percent(1_000)),
            ),
            (
                row(),
                "2026-09-01T00:00:00.000Z",
                eur(5_000),
                Err(Refusal::Expired),
            ),
            (
                row(),
                summer,
                eur(2_999),
                Err(Refusal::BelowMinimum(Money::new(3_000, EUR))),
            ),
            (
                CodeRow {
                    reserved: 2,
                    ..row()
                },
                summer,
                eur(5_000),
                Err(Refusal::Exhausted),
            ),
            (
                CodeRow { active: 0, ..row() },
                summer,
                eur(5_000),
                Err(Refusal::Unknown),
            ),
            (
                CodeRow {
                    percent_bp: None,
                    amount_minor: Some(500),
                    max_uses: None,
                    ..row()
                },
                summer,
                eur(5_000),
                Ok(DiscountValue::Amount(Money::new(500, EUR))),
            ),
        ];
        for (r, now, goods, expected) in cases {
            assert_eq!(check(Some(&r), now, goods, EUR), expected, "{r:?} at {now}");
        }
        assert_eq!(check(None, summer, None, EUR), Err(Refusal::Unknown));
    }

    #[test]
    fn refusals_name_the_code_and_the_minimum() {
        let e = refused("SUMMER10", &Refusal::BelowMinimum(Money::new(3_000, EUR)));
        let EdgeError::Invalid(p) = e else {
            panic!("a 422")
        };
        assert_eq!(p[0].code, "discount_below_minimum");
        assert_eq!(p[0].field.as_deref(), Some("discount_code"));
        assert_eq!(
            p[0].message,
            "The code SUMMER10 needs goods worth at least 30.00 EUR (VAT included, shipping left out)."
        );
        for r in [
            Refusal::Unknown,
            Refusal::NotYetValid,
            Refusal::Expired,
            Refusal::Exhausted,
        ] {
            assert_eq!(refused("X", &r).status(), 422);
            assert_eq!(shared::codes::status_of(r.code()), Some(422));
        }
    }

    #[test]
    fn path_segments_are_decoded() {
        assert_eq!(urlencoding_decode("SUMMER%2D10"), "SUMMER-10");
        assert_eq!(urlencoding_decode("a%zz"), "a%zz");
        assert_eq!(urlencoding_decode("%"), "%");
    }
}
