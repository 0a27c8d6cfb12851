//! The `/v2` endpoints: provider connection, payment methods, payment links
//! and their payments, client invoices and webhook subscriptions. Shapes,
//! wrapping and status codes follow Qonto's documentation.

use crate::app::{
    new_id, new_v7_id, random_token, App, CachedResponse, ConnectionRecord, DisplayLine,
    LinkRecord, State as FakeState, Subscription,
};
use crate::errors::{self, at_parameter, at_pointer};
use crate::flows::{self, DeactivateError};
use crate::pricing::{self, Line};
use crate::server::{Grant, Replayed};
use crate::time::{self, Civil};
use crate::validate::{self, blank, str_field};
use crate::webhooks::{self, Delivery};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};
use shared::money::WireAmount;
use shared::qonto::{
    ApiError, BasketItem, ClientInvoiceEnvelope, ClientInvoiceStatus, Connection, ConnectionStatus,
    ItemType, Meta, PaymentLink, PaymentLinkEnvelope, PaymentLinkEventKind, PaymentLinkList,
    PaymentLinkStatus, PaymentList, PaymentMethod, PaymentMethodsResponse, PaymentStatus,
    ResourceType, WebhookSubscription, WebhookSubscriptionList,
};
use shared::vat::VatRateFormat;
use std::sync::Arc;
use std::time::Instant;

/// A write's result: the response and the webhooks it triggers.
pub(crate) struct Written {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
    pub(crate) deliveries: Vec<Delivery>,
}

impl Written {
    fn json<T: serde::Serialize>(
        status: StatusCode,
        body: &T,
        deliveries: Vec<Delivery>,
    ) -> Result<Written, Response> {
        let body = serde_json::to_vec(body).map_err(|e| {
            errors::errors(
                StatusCode::INTERNAL_SERVER_ERROR,
                vec![errors::plain("internal", e.to_string())],
            )
        })?;
        Ok(Written {
            status,
            body,
            deliveries,
        })
    }
}

/// Runs a write under the lock with `X-Qonto-Idempotency-Key` semantics: a
/// successful response is cached per (method and path, key) for the TTL and
/// replayed for a repeat, whatever its body. Check, write and cache happen
/// in one critical section, so concurrent repeats cannot both write.
fn idempotent(
    app: &Arc<App>,
    headers: &HeaderMap,
    scope: String,
    write: impl FnOnce(&mut FakeState) -> Result<Written, Response>,
) -> Response {
    let key = headers
        .get(shared::qonto::IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    let mut st = app.lock();
    st.purge_idempotency(app.config.idempotency_ttl);
    if let Some(key) = &key {
        if let Some(cached) = st.idempotency.get(&(scope.clone(), key.clone())) {
            let status = StatusCode::from_u16(cached.status).unwrap_or(StatusCode::OK);
            let mut resp = errors::raw_json(status, cached.body.clone());
            resp.extensions_mut().insert(Replayed);
            return resp;
        }
    }
    let written = match write(&mut st) {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    if let Some(key) = key {
        if written.status.is_success() {
            st.idempotency.insert(
                (scope, key),
                CachedResponse {
                    status: written.status.as_u16(),
                    body: written.body.clone(),
                    stored_at: Instant::now(),
                },
            );
        }
    }
    drop(st);
    webhooks::spawn(app, written.deliveries);
    errors::raw_json(written.status, written.body)
}

fn bad_request(errs: Vec<ApiError>) -> Response {
    errors::errors(StatusCode::BAD_REQUEST, errs)
}

fn parse_body(body: &[u8], schema: &validate::Ty) -> Result<Value, Response> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        bad_request(vec![at_pointer(
            "bad_request",
            format!("invalid JSON body: {e}"),
            "",
        )])
    })?;
    validate::check(&value, schema).map_err(|e| bad_request(vec![e]))?;
    Ok(value)
}

// ---------------------------------------------------------------------------
// Connection
// ---------------------------------------------------------------------------

pub(crate) fn connection_json(app: &App, c: &ConnectionRecord) -> Connection {
    Connection {
        connection_location: Some(format!("{}/provider/onboarding/{}", app.public_url, c.id)),
        status: c.status.clone(),
        bank_account_id: Some(c.bank_account_id.clone()),
    }
}

/// `GET /v2/payment_links/connections`: the bare connection, 404 when none.
pub(crate) async fn get_connection(State(app): State<Arc<App>>) -> Response {
    let st = app.lock();
    match &st.connection {
        Some(c) => errors::json(StatusCode::OK, &connection_json(&app, c)),
        None => errors::errors(
            StatusCode::NOT_FOUND,
            vec![errors::plain("not_found", "Connection not found")],
        ),
    }
}

fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// `POST /v2/payment_links/connections`.
pub(crate) async fn create_connection(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let scope = "POST /v2/payment_links/connections".to_owned();
    let app2 = app.clone();
    idempotent(&app, &headers, scope, move |st| {
        let v = parse_body(&body, &validate::CREATE_CONNECTION)?;
        let mut errs = Vec::new();
        let callback = str_field(&v, "partner_callback_url");
        match callback {
            None => errs.push(blank("/partner_callback_url", "partner_callback_url")),
            Some(u) if !is_http_url(u) => errs.push(at_pointer(
                "invalid",
                "partner_callback_url must be a valid URL",
                "/partner_callback_url",
            )),
            Some(_) => {}
        }
        let account = str_field(&v, "user_bank_account_id");
        match account {
            None => errs.push(blank("/user_bank_account_id", "user_bank_account_id")),
            Some(a) if !is_uuid(a) => errs.push(at_pointer(
                "invalid",
                "user_bank_account_id must be a UUID",
                "/user_bank_account_id",
            )),
            Some(_) => {}
        }
        match str_field(&v, "user_phone_number") {
            None => errs.push(blank("/user_phone_number", "user_phone_number")),
            Some(p) if !is_e164(p) => errs.push(at_pointer(
                "invalid",
                "user_phone_number must be in E.164 format (e.g. +33612345678)",
                "/user_phone_number",
            )),
            Some(_) => {}
        }
        match v.get("business_description").and_then(Value::as_str) {
            None => errs.push(blank("/business_description", "business_description")),
            Some(d) if d.chars().count() < 80 => errs.push(at_pointer(
                "too_short",
                "business_description is too short (minimum is 80 characters)",
                "/business_description",
            )),
            Some(_) => {}
        }
        if let Some(w) = v.get("user_website_url").and_then(Value::as_str) {
            if !(w.starts_with("http://") || w.starts_with("https://")) || w.contains('@') {
                errs.push(at_pointer(
                    "invalid",
                    "user_website_url must start with http or https and must not contain @",
                    "/user_website_url",
                ));
            }
        }
        if !errs.is_empty() {
            return Err(bad_request(errs));
        }
        // One connection per user, on one of the organisation's accounts.
        if let Some(refusal) = crate::connections::refuse(st, account) {
            return Err(refusal);
        }
        st.connection = Some(ConnectionRecord {
            id: new_id(),
            status: ConnectionStatus::NotConnected,
            bank_account_id: account.unwrap_or_default().to_owned(),
            partner_callback_url: callback.map(str::to_owned),
        });
        match &st.connection {
            Some(c) => Written::json(StatusCode::CREATED, &connection_json(&app2, c), Vec::new()),
            None => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        }
    })
}

// ---------------------------------------------------------------------------
// Payment methods
// ---------------------------------------------------------------------------

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `GET /v2/payment_links/payment_methods?amount=&currency=` (or `locale=`).
pub(crate) async fn payment_methods(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let amount = first(&pairs, "amount");
    let currency = first(&pairs, "currency");
    // "Must be provided along with the currency".
    match (amount, currency) {
        (Some(_), None) => {
            return bad_request(vec![at_parameter(
                "blank",
                "currency must be provided along with the amount",
                "currency",
            )])
        }
        (None, Some(_)) => {
            return bad_request(vec![at_parameter(
                "blank",
                "amount must be provided along with the currency",
                "amount",
            )])
        }
        (Some(a), Some(c)) => {
            if c != "EUR" {
                return bad_request(vec![at_parameter(
                    "invalid",
                    format!("currency {c:?} is not supported: only EUR"),
                    "currency",
                )]);
            }
            if let Err(e) = pricing::cents(a) {
                return bad_request(vec![at_parameter("invalid", e, "amount")]);
            }
        }
        (None, None) => {}
    }
    let methods = app.lock().payment_methods.clone();
    errors::json(
        StatusCode::OK,
        &PaymentMethodsResponse {
            payment_link_payment_methods: methods,
        },
    )
}

// ---------------------------------------------------------------------------
// Payment links
// ---------------------------------------------------------------------------

/// Checks `potential_payment_methods`: present, known and enabled.
fn check_methods(st: &FakeState, pl: &Value, errs: &mut Vec<ApiError>) -> Vec<PaymentMethod> {
    let pointer = "/payment_link/potential_payment_methods";
    let names: Vec<&str> = pl
        .get("potential_payment_methods")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if names.is_empty() {
        errs.push(blank(pointer, "potential_payment_methods"));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match st.payment_methods.iter().find(|m| m.name.as_str() == *name) {
            None => errs.push(at_pointer(
                "not_in_list",
                format!("{name} is not included in the list"),
                format!("{pointer}/{i}"),
            )),
            Some(m) if !m.enabled => errs.push(at_pointer(
                "invalid",
                format!("payment method {name} is not enabled in your payment provider account"),
                format!("{pointer}/{i}"),
            )),
            Some(m) => {
                if !out.contains(&m.name) {
                    out.push(m.name.clone());
                }
            }
        }
    }
    out
}

/// An amount in EUR on the wire.
pub(crate) fn eur(cents: i64) -> WireAmount {
    WireAmount {
        value: pricing::decimal(cents),
        currency: "EUR".to_owned(),
    }
}

/// Reads an `{value, currency}` amount at `pointer` as cents; EUR only.
fn check_amount(v: Option<&Value>, pointer: &str, errs: &mut Vec<ApiError>) -> Option<i64> {
    let Some(obj) = v.filter(|v| v.is_object()) else {
        errs.push(blank(
            pointer,
            pointer.rsplit('/').next().unwrap_or("amount"),
        ));
        return None;
    };
    let value = obj.get("value").and_then(Value::as_str).unwrap_or("");
    let currency = obj.get("currency").and_then(Value::as_str).unwrap_or("");
    if currency != "EUR" {
        errs.push(at_pointer(
            "not_in_list",
            format!("currency {currency:?} is not supported: only EUR"),
            format!("{pointer}/currency"),
        ));
        return None;
    }
    match pricing::cents(value) {
        Ok(c) => Some(c),
        Err(e) => {
            errs.push(at_pointer(
                "invalid",
                format!("value {value:?} is invalid: {e}"),
                format!("{pointer}/value"),
            ));
            None
        }
    }
}

struct NewLink {
    link: PaymentLink,
    amount_minor: i64,
    resource_id: String,
    lines: Vec<DisplayLine>,
    redirect_url: Option<String>,
}

/// The optional `redirect_url` of both variants: an http(s) URL, or refused
/// as a whole when the test switch says this account does not take it.
fn check_redirect(st: &FakeState, pl: &Value) -> Result<Option<String>, Response> {
    let Some(v) = pl.get("redirect_url").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let pointer = "/payment_link/redirect_url";
    if st.settings.refuse_redirect_url {
        return Err(bad_request(vec![at_pointer(
            "invalid",
            "redirect_url is not allowed",
            pointer,
        )]));
    }
    match v.as_str() {
        Some(u) if is_http_url(u) && u.len() <= 2048 => Ok(Some(u.to_owned())),
        _ => Err(bad_request(vec![at_pointer(
            "invalid",
            "redirect_url must be a valid URL",
            pointer,
        )])),
    }
}

/// A validated basket body.
struct Basket {
    methods: Vec<PaymentMethod>,
    reusable: bool,
    items: Vec<BasketItem>,
    lines: Vec<DisplayLine>,
    total: i64,
}

/// A validated invoice body.
struct InvoiceBody {
    methods: Vec<PaymentMethod>,
    invoice_id: String,
    number: String,
    debitor: String,
    amount: i64,
}

fn check_basket(
    st: &FakeState,
    pl: &Value,
    format: VatRateFormat,
) -> Result<Basket, Vec<ApiError>> {
    let fraction = format == VatRateFormat::Fraction;
    let mut errs = Vec::new();
    let methods = check_methods(st, pl, &mut errs);
    let reusable = pl.get("reusable").and_then(Value::as_bool);
    if reusable.is_none() {
        errs.push(blank("/payment_link/reusable", "reusable"));
    }
    let items = pl
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if items.is_empty() {
        errs.push(blank("/payment_link/items", "items"));
    }
    let mut basket = Vec::new();
    let mut lines = Vec::new();
    let mut priced = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("/payment_link/items/{i}");
        let before = errs.len();
        let title = str_field(item, "title");
        if title.is_none() {
            errs.push(blank(&format!("{p}/title"), "title"));
        }
        let quantity = match item.get("quantity").and_then(Value::as_f64) {
            None => {
                errs.push(blank(&format!("{p}/quantity"), "quantity"));
                None
            }
            Some(q) if q < 1.0 || q.fract() != 0.0 || q > f64::from(u32::MAX) => {
                errs.push(at_pointer(
                    "invalid",
                    format!("quantity must be a positive integer, got {q}"),
                    format!("{p}/quantity"),
                ));
                None
            }
            // Checked: a whole number in 1..=u32::MAX, so the cast is exact.
            Some(q) => Some(q as u32),
        };
        let unit = check_amount(
            item.get("unit_price"),
            &format!("{p}/unit_price"),
            &mut errs,
        );
        let vat_str = str_field(item, "vat_rate");
        let vat = match vat_str {
            None => {
                errs.push(blank(&format!("{p}/vat_rate"), "vat_rate"));
                None
            }
            Some(s) => match pricing::vat_rate(s, fraction, st.settings.vat_reading) {
                Ok(r) => Some(r),
                Err(e) => {
                    let example = if fraction { "0.2" } else { "20.0" };
                    errs.push(at_pointer(
                        "invalid",
                        format!(
                            "vat_rate {s:?} is invalid ({e}); expected a {} such as \"{example}\"",
                            format.as_str()
                        ),
                        format!("{p}/vat_rate"),
                    ));
                    None
                }
            },
        };
        let item_type = match str_field(item, "type") {
            None => None,
            Some(t) => {
                let t = ItemType::from_wire(t);
                if !t.is_documented() {
                    errs.push(at_pointer(
                        "not_in_list",
                        format!("type {t} is not included in the list"),
                        format!("{p}/type"),
                    ));
                }
                Some(t)
            }
        };
        if errs.len() != before {
            continue;
        }
        let (Some(title), Some(quantity), Some(unit), Some(vat), Some(vat_str)) =
            (title, quantity, unit, vat, vat_str)
        else {
            continue;
        };
        let line = Line {
            quantity,
            unit_cents: unit,
            rate: vat,
        };
        priced.push(line);
        let description = item
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        basket.push(BasketItem {
            title: title.to_owned(),
            quantity,
            unit_price: eur(unit),
            vat_rate: vat_str.to_owned(),
            item_type,
            description: description.clone(),
            measure_unit: item
                .get("measure_unit")
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
        lines.push(DisplayLine {
            title: title.to_owned(),
            description,
            quantity,
            unit_net: pricing::decimal(unit),
            vat: vat.label(),
            gross: pricing::decimal(line.gross()),
        });
    }
    let total = pricing::gross(&priced, st.settings.rounding);
    if errs.is_empty() && total > 10_000_000_000 {
        errs.push(at_pointer(
            "invalid",
            "the amount of the payment link is too large",
            "/payment_link/items",
        ));
    }
    if errs.is_empty() && total <= 0 {
        errs.push(at_pointer(
            "invalid",
            "the amount of the payment link must be greater than 0",
            "/payment_link/items",
        ));
    }
    if errs.is_empty() {
        Ok(Basket {
            methods,
            reusable: reusable.unwrap_or(false),
            items: basket,
            lines,
            total,
        })
    } else {
        Err(errs)
    }
}

fn check_invoice(st: &FakeState, pl: &Value) -> Result<InvoiceBody, Vec<ApiError>> {
    let mut errs = Vec::new();
    let invoice_id = str_field(pl, "invoice_id").unwrap_or_default().to_owned();
    match st.invoices.iter().find(|i| i.id == invoice_id) {
        None => errs.push(at_pointer(
            "not_found",
            format!("client invoice {invoice_id} not found"),
            "/payment_link/invoice_id",
        )),
        Some(inv) if inv.status != Some(ClientInvoiceStatus::Unpaid) => errs.push(at_pointer(
            "invalid",
            format!(
                "client invoice {invoice_id} cannot be paid by link: its status is {}",
                inv.status.as_ref().map_or("unknown", |s| s.as_str())
            ),
            "/payment_link/invoice_id",
        )),
        Some(_) => {}
    }
    let number = str_field(pl, "invoice_number");
    if number.is_none() {
        errs.push(blank("/payment_link/invoice_number", "invoice_number"));
    }
    let debitor = str_field(pl, "debitor_name");
    if debitor.is_none() {
        errs.push(blank("/payment_link/debitor_name", "debitor_name"));
    }
    let amount = check_amount(pl.get("amount"), "/payment_link/amount", &mut errs);
    if amount.is_some_and(|a| a <= 0) {
        errs.push(at_pointer(
            "invalid",
            "the amount of the payment link must be greater than 0",
            "/payment_link/amount/value",
        ));
    }
    let methods = check_methods(st, pl, &mut errs);
    match (errs.is_empty(), number, debitor, amount) {
        (true, Some(n), Some(d), Some(a)) => Ok(InvoiceBody {
            methods,
            invoice_id,
            number: n.to_owned(),
            debitor: d.to_owned(),
            amount: a,
        }),
        _ => Err(errs),
    }
}

fn build_link(app: &App, st: &FakeState, body: &Value) -> Result<NewLink, Response> {
    let Some(pl) = body.get("payment_link").filter(|v| v.is_object()) else {
        return Err(bad_request(vec![blank("/payment_link", "payment_link")]));
    };
    let enabled = st
        .connection
        .as_ref()
        .is_some_and(|c| c.status == ConnectionStatus::Enabled);
    if !enabled {
        return Err(errors::errors(
            StatusCode::FORBIDDEN,
            vec![errors::plain(
                "forbidden",
                "Payment links are not activated: the connection to the payment provider is not enabled",
            )],
        ));
    }
    let has_items = pl.get("items").is_some_and(|v| !v.is_null());
    let has_invoice = pl.get("invoice_id").is_some_and(|v| !v.is_null());
    if has_items && has_invoice {
        return Err(bad_request(vec![at_pointer(
            "invalid",
            "a payment link is either a basket (items) or an invoice (invoice_id), not both",
            "/payment_link",
        )]));
    }
    let redirect_url = check_redirect(st, pl)?;
    let id = new_v7_id();
    let now = time::now_unix();
    let created = Civil::from_unix(now);
    let mut link = PaymentLink {
        id: id.clone(),
        status: PaymentLinkStatus::Open,
        expiration_date: Some(created.plus_one_year().rfc3339()),
        potential_payment_methods: Vec::new(),
        amount: eur(0),
        resource_type: None,
        reusable: Some(false),
        created_at: Some(created.rfc3339()),
        url: None,
        items: None,
        invoice_id: None,
        invoice_number: None,
        debitor_name: None,
    };
    let (resource_id, amount, lines) = if has_invoice {
        let inv = check_invoice(st, pl).map_err(bad_request)?;
        link.potential_payment_methods = inv.methods;
        link.resource_type = Some(ResourceType::Invoice);
        link.invoice_id = Some(inv.invoice_id.clone());
        link.invoice_number = Some(inv.number);
        link.debitor_name = Some(inv.debitor);
        (inv.invoice_id, inv.amount, Vec::new())
    } else {
        let basket = check_basket(st, pl, st.settings.vat_rate_format).map_err(bad_request)?;
        link.potential_payment_methods = basket.methods;
        link.resource_type = Some(ResourceType::Basket);
        link.reusable = Some(basket.reusable);
        link.items = Some(basket.items);
        (new_v7_id(), basket.total, basket.lines)
    };
    link.amount = eur(amount);
    link.url = Some(format!(
        "{}/pay/{id}?resource_id={resource_id}",
        app.public_url
    ));
    Ok(NewLink {
        link,
        amount_minor: amount,
        resource_id,
        lines,
        redirect_url,
    })
}

/// `POST /v2/payment_links`: basket or invoice, wrapped; 201 wrapped.
pub(crate) async fn create_link(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app2 = app.clone();
    idempotent(
        &app,
        &headers,
        "POST /v2/payment_links".to_owned(),
        move |st| {
            let value = parse_body(&body, &validate::CREATE_PAYMENT_LINK)?;
            let new = build_link(&app2, st, &value)?;
            let seq = st.next_seq();
            let record = LinkRecord {
                updated_at: new.link.created_at.clone().unwrap_or_default(),
                link: new.link,
                seq,
                amount_minor: new.amount_minor,
                resource_id: new.resource_id,
                payments: Vec::new(),
                lines: new.lines,
                redirect_url: new.redirect_url,
            };
            let deliveries =
                webhooks::payment_link_event(st, &record, PaymentLinkEventKind::Created);
            let envelope = PaymentLinkEnvelope {
                payment_link: record.link.clone(),
            };
            st.insert_link(record);
            Written::json(StatusCode::CREATED, &envelope, deliveries)
        },
    )
}

/// Page and per-page from the query.
fn paging(pairs: &[(String, String)]) -> Result<(u32, u32), Response> {
    let page = match first(pairs, "page") {
        None => 1,
        Some(p) => match p.parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(bad_request(vec![at_parameter(
                    "invalid",
                    "page must be an integer greater than or equal to 1",
                    "page",
                )]))
            }
        },
    };
    let per_page = match first(pairs, "per_page") {
        None => 100,
        Some(p) => match p.parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(bad_request(vec![at_parameter(
                    "invalid",
                    "per_page must be an integer between 1 and 100",
                    "per_page",
                )]))
            }
        },
    };
    Ok((page, per_page))
}

/// Cuts one page out of `items` and describes it.
fn paginate<T: Clone>(items: &[T], page: u32, per_page: u32) -> (Vec<T>, Meta) {
    let total = items.len();
    let per = per_page as usize;
    let total_pages = total.div_ceil(per);
    let start = (page as usize - 1).saturating_mul(per);
    let slice = items.iter().skip(start).take(per).cloned().collect();
    let total_pages_u32 = u32::try_from(total_pages).unwrap_or(u32::MAX);
    let meta = Meta {
        current_page: page,
        next_page: (page < total_pages_u32).then(|| page + 1),
        prev_page: (page > 1).then(|| page - 1),
        total_pages: total_pages_u32,
        total_count: total as u64,
        per_page,
    };
    (slice, meta)
}

/// `status[]` (repeated, or comma-joined as qontoctl sends it) or plain
/// `status`, checked against `known`.
fn status_filter<T>(
    pairs: &[(String, String)],
    parse: impl Fn(&str) -> T,
    documented: impl Fn(&T) -> bool,
) -> Result<Vec<T>, Response> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        if k != "status[]" && k != "status" {
            continue;
        }
        for s in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let parsed = parse(s);
            if !documented(&parsed) {
                return Err(bad_request(vec![at_parameter(
                    "not_in_list",
                    format!("status {s} is not included in the list"),
                    k.clone(),
                )]));
            }
            out.push(parsed);
        }
    }
    Ok(out)
}

/// `GET /v2/payment_links`: filter, sort, paginate.
pub(crate) async fn list_links(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref());
    let (page, per_page) = match paging(&pairs) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let statuses = match status_filter(
        &pairs,
        PaymentLinkStatus::from_wire,
        PaymentLinkStatus::is_documented,
    ) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let sort = first(&pairs, "sort_by");
    if let Some(s) = sort {
        if !matches!(
            s,
            "amount:asc" | "amount:desc" | "expiration_date:asc" | "expiration_date:desc"
        ) {
            return bad_request(vec![at_parameter(
                "not_in_list",
                format!("sort_by {s} is not included in the list"),
                "sort_by",
            )]);
        }
    }
    let mut records: Vec<(i64, u64, PaymentLink)> = {
        let st = app.lock();
        st.links
            .iter()
            .filter(|r| statuses.is_empty() || statuses.contains(&r.link.status))
            .map(|r| (r.amount_minor, r.seq, r.link.clone()))
            .collect()
    };
    // Expiration is creation + 1 year, so creation order sorts it; the
    // default (undocumented) is newest first.
    match sort {
        Some("amount:asc") => records.sort_by_key(|r| (r.0, r.1)),
        Some("amount:desc") => {
            records.sort_by_key(|r| (std::cmp::Reverse(r.0), std::cmp::Reverse(r.1)))
        }
        Some("expiration_date:asc") => records.sort_by_key(|r| r.1),
        _ => records.sort_by_key(|r| std::cmp::Reverse(r.1)),
    }
    let links: Vec<PaymentLink> = records.into_iter().map(|r| r.2).collect();
    let (payment_links, meta) = paginate(&links, page, per_page);
    errors::json(
        StatusCode::OK,
        &PaymentLinkList {
            payment_links,
            meta,
        },
    )
}

/// `GET /v2/payment_links/{id}`: the **bare** link.
pub(crate) async fn get_link(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let st = app.lock();
    match st.link(&id) {
        Some(r) => errors::json(StatusCode::OK, &r.link),
        None => errors::not_found("Payment link", "id"),
    }
}

/// `PATCH /v2/payment_links/{id}/deactivate`: the **bare** link, `canceled`.
pub(crate) async fn deactivate_link(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let scope = format!("PATCH /v2/payment_links/{id}/deactivate");
    idempotent(&app, &headers, scope, move |st| {
        match flows::deactivate(st, &id) {
            Ok((link, deliveries)) => Written::json(StatusCode::OK, &link, deliveries),
            Err(DeactivateError::NotFound) => Err(errors::not_found("Payment link", "id")),
            Err(DeactivateError::Final(status)) => Err(errors::errors(
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![at_parameter(
                    "invalid_status",
                    format!("payment link is {status} and cannot be deactivated"),
                    "id",
                )],
            )),
        }
    })
}

/// `GET /v2/payment_links/{id}/payments`.
pub(crate) async fn list_payments(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let (page, per_page) = match paging(&pairs) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let statuses = match status_filter(
        &pairs,
        PaymentStatus::from_wire,
        PaymentStatus::is_documented,
    ) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let sort = first(&pairs, "sort_by");
    if let Some(s) = sort {
        if !matches!(s, "creation_date:asc" | "creation_date:desc") {
            return bad_request(vec![at_parameter(
                "not_in_list",
                format!("sort_by {s} is not included in the list"),
                "sort_by",
            )]);
        }
    }
    let mut payments = {
        let st = app.lock();
        let Some(record) = st.link(&id) else {
            return errors::not_found("Payment link", "id");
        };
        record
            .payments
            .iter()
            .filter(|p| statuses.is_empty() || statuses.contains(&p.payment.status))
            .cloned()
            .collect::<Vec<_>>()
    };
    match sort {
        Some("creation_date:asc") => payments.sort_by_key(|p| p.seq),
        _ => payments.sort_by_key(|p| std::cmp::Reverse(p.seq)),
    }
    let payments: Vec<_> = payments.into_iter().map(|p| p.payment).collect();
    let (payments, meta) = paginate(&payments, page, per_page);
    errors::json(StatusCode::OK, &PaymentList { payments, meta })
}

// ---------------------------------------------------------------------------
// Client invoices
// ---------------------------------------------------------------------------

/// `GET /v2/client_invoices/{id}`: wrapped in `client_invoice`.
pub(crate) async fn get_client_invoice(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Response {
    let st = app.lock();
    match st.invoices.iter().find(|i| i.id == id) {
        Some(inv) => errors::json(
            StatusCode::OK,
            &ClientInvoiceEnvelope {
                client_invoice: inv.clone(),
            },
        ),
        None => errors::not_found("Client invoice", "id"),
    }
}

// ---------------------------------------------------------------------------
// Webhook subscriptions
// ---------------------------------------------------------------------------

/// Event families the fake knows (those Qonto's webhook docs list).
const KNOWN_TYPES: &[&str] = &[
    shared::qonto::WEBHOOK_TYPE_PAYMENT_LINKS,
    shared::qonto::WEBHOOK_TYPE_PAYMENT_LINKS_CONNECTIONS,
    "v1/transactions",
    "v1/organizations",
    "v1/memberships",
    "v1/consent-revocations",
];

fn subscription_json(s: &Subscription, with_secret: bool) -> WebhookSubscription {
    WebhookSubscription {
        id: s.id.clone(),
        organization_id: Some(crate::config::ORGANIZATION_ID.to_owned()),
        membership_id: Some(crate::config::MEMBERSHIP_ID.to_owned()),
        callback_url: s.callback_url.clone(),
        types: s.types.clone(),
        description: s.description.clone(),
        created_at: Some(s.created_at.clone()),
        updated_at: Some(s.updated_at.clone()),
        secret: with_secret.then(|| s.secret.clone()),
    }
}

/// `POST /v2/webhook_subscriptions`: 201, bare, with the secret.
pub(crate) async fn create_subscription(
    State(app): State<Arc<App>>,
    grant: Option<Extension<Grant>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    idempotent(
        &app,
        &headers,
        "POST /v2/webhook_subscriptions".to_owned(),
        move |st| {
            let v = parse_body(&body, &validate::CREATE_SUBSCRIPTION)?;
            let mut errs = Vec::new();
            let url = str_field(&v, "callback_url");
            match url {
                None => errs.push(blank("/callback_url", "callback_url")),
                Some(u) if u.len() > 512 => errs.push(at_pointer(
                    "too_long",
                    "callback_url is too long (maximum is 512 characters)",
                    "/callback_url",
                )),
                // Real Qonto wants public HTTPS; the fake delivers to local
                // receivers, so plain http is fine here.
                Some(u) if !is_http_url(u) => errs.push(at_pointer(
                    "invalid",
                    "callback_url must be a valid URL",
                    "/callback_url",
                )),
                Some(_) => {}
            }
            let types: Vec<String> = v
                .get("types")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            if types.is_empty() {
                errs.push(blank("/types", "types"));
            }
            for (i, t) in types.iter().enumerate() {
                if !KNOWN_TYPES.contains(&t.as_str()) {
                    errs.push(at_pointer(
                        "not_in_list",
                        format!("{t} is not included in the list"),
                        format!("/types/{i}"),
                    ));
                }
            }
            let secret = v.get("secret").and_then(Value::as_str);
            if let Some(s) = secret {
                if !(32..=128).contains(&s.chars().count()) {
                    errs.push(at_pointer(
                        "invalid",
                        "secret must be between 32 and 128 characters",
                        "/secret",
                    ));
                }
            }
            let description = v.get("description").and_then(Value::as_str);
            if description.is_some_and(|d| d.chars().count() > 256) {
                errs.push(at_pointer(
                    "too_long",
                    "description is too long (maximum is 256 characters)",
                    "/description",
                ));
            }
            if !errs.is_empty() {
                return Err(bad_request(errs));
            }
            // "On top of the webhook scope, the access token needs the scope(s)
            // required for the webhook(s) you want to receive."
            let needs_read = types.iter().any(|t| t.starts_with("v1/payment-links"));
            let has_read = grant.as_ref().is_some_and(|g| g.0.has("payment_link.read"));
            if st.settings.enforce_scopes && needs_read && !has_read {
                return Err(errors::errors(
                    StatusCode::FORBIDDEN,
                    vec![errors::plain(
                        "forbidden",
                        "missing required oauth scope: payment_link.read",
                    )],
                ));
            }
            let now = time::rfc3339(time::now_unix());
            let sub = Subscription {
                id: new_id(),
                callback_url: url.unwrap_or_default().to_owned(),
                types,
                description: description.map(str::to_owned),
                secret: secret
                    .map(str::to_owned)
                    .unwrap_or_else(|| random_token("whsec_")),
                created_at: now.clone(),
                updated_at: now,
            };
            let out = subscription_json(&sub, true);
            st.subscriptions.push(sub);
            Written::json(StatusCode::CREATED, &out, Vec::new())
        },
    )
}

/// `GET /v2/webhook_subscriptions`: `{subscriptions, meta}`.
pub(crate) async fn list_subscriptions(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let (page, per_page) = match paging(&pairs) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let all: Vec<WebhookSubscription> = app
        .lock()
        .subscriptions
        .iter()
        .map(|s| subscription_json(s, false))
        .collect();
    let (subscriptions, meta) = paginate(&all, page, per_page);
    errors::json(
        StatusCode::OK,
        &WebhookSubscriptionList {
            subscriptions,
            meta: Some(meta),
        },
    )
}

/// `GET /v2/webhook_subscriptions/{id}`: bare.
pub(crate) async fn get_subscription(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Response {
    let st = app.lock();
    match st.subscriptions.iter().find(|s| s.id == id) {
        Some(s) => errors::json(StatusCode::OK, &subscription_json(s, false)),
        None => errors::not_found("Webhook subscription", "id"),
    }
}

/// `DELETE /v2/webhook_subscriptions/{id}`: 204.
pub(crate) async fn delete_subscription(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Response {
    let mut st = app.lock();
    let before = st.subscriptions.len();
    st.subscriptions.retain(|s| s.id != id);
    if st.subscriptions.len() == before {
        return errors::not_found("Webhook subscription", "id");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The body of a link for the control API: link plus its payments.
pub(crate) fn link_with_payments(r: &LinkRecord) -> Value {
    json!({
        "payment_link": r.link,
        "payments": r.payments.iter().map(|p| &p.payment).collect::<Vec<_>>(),
        "updated_at": r.updated_at,
    })
}
