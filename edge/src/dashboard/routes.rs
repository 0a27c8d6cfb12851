//! The dashboard's admin endpoints: the figures of a period
//! (`GET /admin/dashboard`), the VAT report (`GET /admin/vat-report`, and
//! `.csv`) and the lost-checkout lists (`GET /admin/lost-checkouts`).

use super::figures::{abandoned_before, today, Dashboard, Period};
use super::lost::{why, REASONS};
use super::queries;
use super::vat_report::VatReport;
use crate::auth::require_admin;
use crate::error::{json_response, EdgeError, EdgeResult};
use crate::http::Cx;
use serde_json::json;
use shared::money::Money;
use worker::{Request, Response};

/// The query string's pairs.
pub(crate) fn query(req: &Request) -> Vec<(String, String)> {
    req.url()
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The period of `?period=&from=&to=` in the report's time zone.
fn period(req: &Request, cx: &Cx) -> EdgeResult<Period> {
    let params = query(req);
    let zone = &cx.config.report_time_zone;
    Period::resolve(
        param(&params, "period"),
        param(&params, "from"),
        param(&params, "to"),
        today(zone, worker::js_sys::Date::now()),
    )
    .map_err(|e| EdgeError::bad_request("invalid_query", e.message, Some(e.field)))
}

/// `GET /admin/dashboard?period=today|7d|30d|month|custom&from=&to=`.
pub(crate) async fn dashboard(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let period = period(&req, cx)?;
    let zone = &cx.config.report_time_zone;
    let previous = period.previous();
    let (from, to) = period.bounds(zone);
    let (pfrom, pto) = previous.bounds(zone);
    let strip = |days: Vec<(super::tz::Date, String, String)>| {
        days.into_iter().map(|(_, s, e)| (s, e)).collect::<Vec<_>>()
    };
    let db = cx.env.d1("DB")?;
    let rows = queries::dashboard(
        &db,
        (&from, &to),
        (&pfrom, &pto),
        &strip(period.days(zone)),
        &strip(previous.days(zone)),
        &abandoned_before(worker::js_sys::Date::now()),
    )
    .await?;
    let body = Dashboard {
        currency: cx.config.currency,
        zone,
        period,
        paid: rows.paid,
        previous_paid: rows.previous_paid,
        outcomes: rows.outcomes,
        products: rows.products,
        days: rows.days,
        previous_days: rows.previous_days,
    }
    .to_json();
    let mut resp = json_response(&body, 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

async fn load_vat_report<'a>(req: &Request, cx: &'a Cx) -> EdgeResult<VatReport<'a>> {
    require_admin(req, &cx.config)?;
    let period = period(req, cx)?;
    let zone = &cx.config.report_time_zone;
    let (from, to) = period.bounds(zone);
    let db = cx.env.d1("DB")?;
    let (rates, invoices) = queries::vat_report(&db, &from, &to).await?;
    Ok(VatReport::new(
        cx.config.currency,
        zone,
        period,
        rates,
        invoices,
    ))
}

/// `GET /admin/vat-report?period=…`: the VAT report as JSON.
pub(crate) async fn vat_report(req: Request, cx: &Cx) -> EdgeResult<Response> {
    let report = load_vat_report(&req, cx).await?;
    let mut resp = json_response(&report.to_json(), 200);
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

/// `GET /admin/vat-report.csv?period=…`: the same as CSV.
pub(crate) async fn vat_report_csv(req: Request, cx: &Cx) -> EdgeResult<Response> {
    let report = load_vat_report(&req, cx).await?;
    let name = format!(
        "attachment; filename=\"vat-report-{}_{}.csv\"",
        report.period.from, report.period.to
    );
    Ok(Response::builder()
        .with_status(200)
        .with_header("content-type", "text/csv; charset=utf-8")?
        .with_header("content-disposition", &name)?
        .with_header("cache-control", "no-store")?
        .fixed(report.to_csv().into_bytes()))
}

/// `GET /admin/lost-checkouts?reason=abandoned|failed|expired|review&page=&per_page=`:
/// the checkouts lost that way, newest first, each with why.
pub(crate) async fn lost_checkouts(req: Request, cx: &Cx) -> EdgeResult<Response> {
    require_admin(&req, &cx.config)?;
    let params = query(&req);
    let reason = param(&params, "reason").unwrap_or("abandoned");
    let filter = queries::lost_filter(reason).ok_or_else(|| {
        EdgeError::bad_request(
            "invalid_query",
            format!("reason must be one of {}", REASONS.join(", ")),
            Some("reason"),
        )
    })?;
    let number = |name: &str, default: u32, max: u32| -> EdgeResult<u32> {
        match param(&params, name) {
            None => Ok(default),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    EdgeError::bad_request(
                        "invalid_query",
                        format!("{name} must be a number from 1 to {max}"),
                        Some(name),
                    )
                }),
        }
    };
    let page = number("page", 1, 100_000)?;
    let per_page = number("per_page", 25, 100)?;
    let now_ms = worker::js_sys::Date::now();
    let db = cx.env.d1("DB")?;
    let (rows, total) = queries::lost(
        &db,
        filter,
        &abandoned_before(now_ms),
        per_page,
        (page - 1) * per_page,
    )
    .await?;
    let currency = cx.config.currency;
    let now_secs = (now_ms / 1000.0).floor() as i64;
    let total_pages = total.div_ceil(per_page).max(1);
    let body = json!({
        "reason": reason,
        "checkouts": rows.iter().map(|r| json!({
            "id": r.id,
            "kind": r.kind,
            "status": r.status,
            "last_payment_status": r.last_payment_status,
            "amount": Money::new(r.qonto_amount_minor.unwrap_or(r.expected_gross_minor), currency).to_decimal(),
            "expected_amount": Money::new(r.expected_gross_minor, currency).to_decimal(),
            "currency": currency.as_str(),
            "created_at": r.created_at,
            "updated_at": r.updated_at,
            "expires_at": r.expires_at,
            "paid_at": r.paid_at,
            "customer": {"email": r.email, "name": r.name},
            "share": r.share,
            "why": why(r, currency, now_secs),
        })).collect::<Vec<_>>(),
        "meta": {
            "current_page": page,
            "per_page": per_page,
            "total_count": total,
            "total_pages": total_pages,
            "next_page": (page < total_pages).then_some(page + 1),
            "prev_page": (page > 1).then_some(page - 1),
        }
    });
    Ok(json_response(&body, 200))
}
