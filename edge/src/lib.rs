//! The edge: a Cloudflare Worker that holds the merchant's Qonto credentials
//! and catalog, turns baskets into Qonto payment links, keeps the checkout
//! ledger in D1 and answers the widget.
//!
//! Layout: [`routes`] maps requests to handlers; each handler module owns one
//! part of the API (`catalog`, `checkout`, `invoice`, `webhook`, `admin`,
//! `oauth`, `connection`); [`checkouts`] is the checkout lifecycle behind
//! them (creation, the one refresh from Qonto, the cron's reconciliation);
//! [`qonto`] is the Qonto client and [`tokens`] the Durable Object that owns
//! the OAuth tokens; [`ledger`] holds the D1 storage and all its SQL; every
//! error becomes a response in [`error`].
//!
//! Run it locally with the README's demo command (fake Qonto included).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod admin;
mod auth;
mod catalog;
mod checkout;
mod checkout_policy;
mod checkouts;
mod config;
mod connection;
mod connection_state;
mod csv;
mod dashboard;
mod discounts;
mod error;
mod fetch;
mod health;
mod http;
mod ids;
mod invoice;
mod ledger;
mod log;
mod merchant_files;
mod notify;
mod oauth;
mod orders;
mod organization;
mod outbox;
mod qonto;
mod routes;
mod stock;
mod tokens;
mod webhook;

use error::EdgeResult;
use http::Cx;
use routes::Route;
use worker::{event, Context, Env, Request, Response, Result, ScheduleContext, ScheduledEvent};

pub use tokens::TokenStore;

/// The Worker's entry point: every request that is not a static asset.
#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let request_id = http::request_id(&req);
    let config = config::Config::from_env(&env);
    // Tests only: count this request's D1 round trips (ledger::meter).
    let (env, d1_meter) = match ledger::meter::D1Meter::enabled(&env)
        .then(|| ledger::meter::D1Meter::install(&env))
        .flatten()
    {
        Some((counted, meter)) => (counted, Some(meter)),
        None => (env, None),
    };
    let self_origin = req
        .url()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let cx = Cx {
        env,
        ctx: std::rc::Rc::new(ctx),
        config,
        request_id,
        self_origin,
    };
    let req_origin = http::origin(&req);
    let public = req.path().starts_with("/v1/");
    let mut resp = match dispatch(req, &cx).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(&cx.request_id),
    };
    if public {
        resp = http::with_cors(resp, req_origin.as_deref(), &cx.config);
    }
    let _ = resp.headers_mut().set("x-request-id", &cx.request_id);
    if let Some(meter) = &d1_meter {
        let _ = resp
            .headers_mut()
            .set(ledger::meter::HEADER, &meter.round_trips().to_string());
    }
    Ok(resp)
}

/// The daily one of the crons in wrangler.toml's `[triggers]`; the other
/// runs every 5 minutes.
const DAILY_CRON: &str = "17 3 * * *";

/// The crons: every run reconciles and expires checkouts
/// (`checkouts::reconcile`) and retries the outbox messages that are due;
/// the daily one also removes customers' personal data past the retention
/// period, and the ids of Qonto deliveries too old to be redelivered.
#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, ctx: ScheduleContext) {
    let config = config::Config::from_env(&env);
    let request_id = format!("cron-{}", ids::random_hex(4));
    // First, so a payment it finds is notified by the retries just below.
    checkouts::reconcile::run(&env, &config, &ctx, &request_id).await;
    match outbox::retry_due(&env, &config, &request_id).await {
        Ok(0) => {}
        Ok(n) => log::info(
            &request_id,
            "outbox messages retried",
            serde_json::json!({"attempts": n}),
        ),
        Err(e) => log::error(
            &request_id,
            "outbox retries failed",
            serde_json::json!({"error": format!("{e:?}")}),
        ),
    }
    if event.cron() != DAILY_CRON {
        return;
    }
    match orders::purge_expired(&env, &config).await {
        Ok(n) => log::info(
            &request_id,
            "retention purge",
            serde_json::json!({"checkouts": n}),
        ),
        Err(e) => log::error(
            &request_id,
            "retention purge failed",
            serde_json::json!({"error": format!("{e:?}")}),
        ),
    }
    match orders::forget_old_deliveries(&env).await {
        Ok(n) => log::info(
            &request_id,
            "old webhook delivery ids forgotten",
            serde_json::json!({"deliveries": n}),
        ),
        Err(e) => log::error(
            &request_id,
            "forgetting old webhook delivery ids failed",
            serde_json::json!({"error": format!("{e:?}")}),
        ),
    }
}

async fn dispatch(req: Request, cx: &Cx) -> EdgeResult<Response> {
    // The raw method: workers-rs reads any method it does not know (QUERY,
    // PROPFIND, ...) as GET, which would run GET handlers for them.
    let route = routes::resolve(&req.inner().method(), &req.path())?;
    if matches!(route, Route::Preflight) {
        return Ok(http::preflight(&req, &cx.config));
    }
    if req.path().starts_with("/v1/") {
        http::check_origin(&req, &cx.config, &cx.self_origin)?;
    }
    // Every admin API route: Origin on changes, live session or throttled token.
    if req.path().starts_with("/admin/") {
        auth::gate(&req, &route, cx).await?;
    }
    match route {
        Route::Preflight => Ok(http::preflight(&req, &cx.config)),
        Route::Health => Ok(health::health(cx).await),
        Route::Catalog => catalog::get_catalog(cx).await,
        Route::PaymentMethods => checkout::payment_methods(cx).await,
        Route::CreateCheckout => checkout::create(req, cx).await,
        Route::GetCheckout(id) => checkout::status(&req, &id, cx).await,
        Route::CreateInvoiceCheckout => invoice::create(req, cx).await,
        Route::QontoWebhook => webhook::receive(req, cx).await,
        Route::OauthStart => oauth::start(req, cx).await,
        Route::OauthCallback => oauth::callback(req, cx).await,
        Route::AdminConnection => connection::get_connection(req, cx).await,
        Route::AdminCreateConnection => connection::create_connection(req, cx).await,
        Route::AdminOrganization => connection::get_organization(req, cx).await,
        Route::AdminSignIn => auth::sign_in(req, cx).await,
        Route::AdminSignOut => auth::sign_out(&req, cx).await,
        Route::AdminStatus => admin::status(req, cx).await,
        Route::AdminCheckouts => admin::list_checkouts(req, cx).await,
        Route::AdminCheckout(id) => admin::get_checkout(req, &id, cx).await,
        Route::AdminCheckoutPayments(id) => admin::checkout_payments(req, &id, cx).await,
        Route::AdminDeactivateCheckout(id) => admin::deactivate_checkout(req, &id, cx).await,
        Route::AdminNotifyCheckout(id) => admin::notify_checkout(req, &id, cx).await,
        Route::AdminMessagePreview(id, kind) => outbox::admin::preview(req, &id, &kind, cx).await,
        Route::AdminMessageSend(id, kind) => outbox::admin::send_again(req, &id, &kind, cx).await,
        Route::AdminWebhookSubscription => admin::subscribe_webhook(req, cx).await,
        Route::AdminOrdersCsv => orders::export_csv(req, cx).await,
        Route::AdminForgetCustomer => orders::forget_customer(req, cx).await,
        Route::AdminDashboard => dashboard::routes::dashboard(req, cx).await,
        Route::AdminVatReport => dashboard::routes::vat_report(req, cx).await,
        Route::AdminVatReportCsv => dashboard::routes::vat_report_csv(req, cx).await,
        Route::AdminLostCheckouts => dashboard::routes::lost_checkouts(req, cx).await,
        Route::AdminCreateShareLink => dashboard::share_links::create(req, cx).await,
        Route::AdminShareLinks => dashboard::share_links::list(req, cx).await,
        Route::AdminShareLink(id) => dashboard::share_links::get(req, &id, cx).await,
        Route::AdminShareLinkQr(id) => dashboard::share_links::qr_svg(req, &id, cx).await,
        Route::Availability => stock::availability(cx).await,
        Route::AdminStock => stock::list(req, cx).await,
        Route::AdminSetStock(sku) => stock::set(req, &sku, cx).await,
        Route::AdminAdjustStock(sku) => stock::adjust(req, &sku, cx).await,
        Route::AdminUntrackStock(sku) => stock::untrack(req, &sku, cx).await,
        Route::DiscountCode(code) => discounts::lookup(&req, &code, cx).await,
        Route::AdminDiscountCodes => discounts::list(req, cx).await,
        Route::AdminCreateDiscountCode => {
            catalog::after_codes_change(discounts::create(req, cx).await)
        }
        Route::AdminUpdateDiscountCode(code) => {
            catalog::after_codes_change(discounts::update(req, &code, cx).await)
        }
        Route::AdminDeleteDiscountCode(code) => {
            catalog::after_codes_change(discounts::delete(req, &code, cx).await)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_daily_cron_is_one_of_the_triggers() {
        let toml = include_str!("../../wrangler.toml");
        let crons = toml
            .lines()
            .find(|l| l.starts_with("crons = "))
            .expect("a crons line in wrangler.toml");
        assert!(
            crons.contains(&format!("\"{}\"", super::DAILY_CRON)),
            "{crons}"
        );
        assert!(crons.contains("\"*/5 * * * *\""), "{crons}");
    }
}
