//! The edge's public HTTP API (`shared::api`), from the browser.
//!
//! Requests go through `gloo_net::http::Request` (the `window.fetch` it calls
//! is looked up at call time, which is also where the browser tests stub the
//! edge; gloo-net costs the widget 950 bytes gzip over calling `fetch` through
//! `web_sys` directly). Answers are read with `JSON.parse`
//! and `Reflect`, and their amounts and rates with `shared`'s strict parsers,
//! so the widget prices exactly as the edge does without a JSON library in
//! the wasm. (Not serde into `shared::api::CatalogResponse`: serde costs the
//! wasm ~15 KB gzip, and merchant-facing problem messages formatted with
//! `{:?}` would pull Rust's string escaping and Unicode tables in; the widget
//! needs only the prices.) The shipping rules are read the same way into
//! `shared::shipping::Shipping`, whose `quote` the edge prices the shipping
//! line with.
//! Request bodies are small and written by hand, every string through
//! `JSON.stringify`.

use gloo_net::http::{Method, RequestBuilder};
use shared::api::{CheckoutSettings, CheckoutStatus, Customer};
use shared::catalog::is_valid_sku;
use shared::digits::number;
use shared::discount::{normalize_code, DiscountValue};
use shared::order::{ItemPrice, PriceSource};
use shared::pricing::lots::unit_net_for_gross;
use shared::pricing::unit_gross;
use shared::shipping::{Shipping, ShippingZone};
use shared::{Basket, Currency, Money, VatRate, VatRateFormat, WireAmount};
use wasm_bindgen::JsValue;

use crate::js::{self, get, get_array, get_str};
use crate::problem::Problem;
use crate::variants::{self, Extras};

/// Give up on a request after this long: the edge answers 504 itself well
/// before, so this only catches a network that swallows requests.
const TIMEOUT_MS: u32 = 30_000;

/// A payment link the edge created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Created {
    /// The checkout id (for `GET /v1/checkouts/{id}`).
    pub(crate) id: String,
    /// The payment page.
    pub(crate) url: String,
    /// The checkout's short reference (`QC-1A2B3C4D`), if the edge gave one.
    pub(crate) reference: Option<String>,
}

/// The status of a checkout (`GET /v1/checkouts/{id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Status {
    /// Where the payment is.
    pub(crate) status: CheckoutStatus,
    /// The checkout's short reference, if the edge gave one.
    pub(crate) reference: Option<String>,
    /// What the checkout charges (for the analytics' `purchase`).
    pub(crate) amount: Option<Money>,
}

/// The `reference` of an answer: shown as text, so only its length and
/// its being on one line are checked (a broken or missing one is not shown).
fn read_reference(json: &JsValue) -> Option<String> {
    get_str(json, "reference").filter(|r| !r.is_empty() && r.len() <= 40 && !r.contains('\n'))
}

/// What a failed request says: the browser's own message (a `TypeError`
/// from `fetch`, an `AbortError` after the timeout), without Rust's error
/// formatting.
fn error_text(error: gloo_net::Error) -> String {
    match error {
        gloo_net::Error::JsError(e) => e.message,
        gloo_net::Error::GlooError(text) => text,
        gloo_net::Error::SerdeError(_) => String::new(),
    }
}

/// Sends one request and returns the parsed JSON of a 2xx answer, or the
/// [`Problem`] of any other outcome (including no answer at all).
async fn send(
    endpoint: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    idempotency_key: Option<&str>,
) -> Result<JsValue, Problem> {
    let network =
        |detail: String| Problem::new("network", [method, " ", path, ": ", &detail].concat());
    let url = [endpoint, path].concat();
    let mut request = RequestBuilder::new(&url)
        .method(if method == "POST" {
            Method::POST
        } else {
            Method::GET
        })
        .header("accept", "application/json");
    if let Some(key) = idempotency_key {
        request = request.header("idempotency-key", key);
    }
    let signal = js::timeout_signal(TIMEOUT_MS);
    request = request.abort_signal(signal.as_ref());
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(body),
        None => request.build(),
    }
    .map_err(|e| network(error_text(e)))?;
    let response = request.send().await.map_err(|e| network(error_text(e)))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| network(error_text(e)))?;
    let json = js::parse_json(&text);
    if (200..300).contains(&status) {
        return Ok(json);
    }
    let error = get(&json, "error");
    let code = get_str(&error, "code")
        .unwrap_or_else(|| shared::digits::numbered("http_", usize::from(status)));
    let mut detail = get_str(&error, "message").unwrap_or_default();
    // The error itself and each of its `problems` may point at a field.
    let problems = get_array(&error, "problems");
    problems.push(&error);
    let fields = problems
        .iter()
        .filter_map(|p| Some((get_str(&p, "field")?, get_str(&p, "code")?)))
        .collect();
    if let Some(field) = get_str(&error, "field") {
        detail = [&field, ": ", &detail].concat();
    }
    if let Some(seconds) = response.headers().get("retry-after") {
        detail = [&detail, " (retry after ", &seconds, " s)"].concat();
    }
    let mut problem = Problem::http(status, &code, detail);
    problem.fields = fields;
    Err(problem)
}

fn wire(value: &JsValue) -> Option<Money> {
    Money::try_from(&WireAmount {
        value: get_str(value, "value")?,
        currency: get_str(value, "currency")?,
    })
    .ok()
}

/// A product the edge sells, as the widget prices it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Product {
    /// The SKU.
    pub(crate) sku: String,
    /// The name to show.
    pub(crate) title: String,
    /// Net price of one unit.
    pub(crate) unit_net: Money,
    /// VAT rate.
    pub(crate) rate: VatRate,
    /// Gross price of one unit (as `shared` computes it, and as the edge sent it).
    pub(crate) unit_gross: Money,
    /// The catalog gives the price VAT-inclusive (`price_includes_vat`): a
    /// line costs exactly `unit_gross × quantity`, as the edge charges it.
    pub(crate) includes_vat: bool,
    /// A physical good (shipped), not a service.
    pub(crate) good: bool,
}

/// The catalog's products and their currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PriceList {
    /// The currency of every price.
    pub(crate) currency: Currency,
    /// The products, in catalog order.
    pub(crate) products: Vec<Product>,
    /// The shipping rules, when the merchant ships goods.
    pub(crate) shipping: Option<Shipping>,
    /// Images, variants and their groups (`crate::variants`).
    pub(crate) extras: Extras,
    /// The details step's legal pages and business fields (`checkout`).
    pub(crate) checkout: CheckoutSettings,
}

impl PriceList {
    /// The product with this SKU.
    pub(crate) fn get(&self, sku: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.sku == sku)
    }
}

/// The widget prices its basket from the edge's catalog with the edge's own
/// function (`shared::order`).
impl PriceSource for PriceList {
    fn currency(&self) -> Currency {
        self.currency
    }

    fn price_of(&self, sku: &str) -> Option<ItemPrice> {
        self.get(sku).map(|p| ItemPrice {
            unit_net: p.unit_net,
            unit_gross: p.includes_vat.then_some(p.unit_gross),
            vat_rate: p.rate,
            good: p.good,
        })
    }
}

/// Reads one product of `GET /v1/catalog`, with `shared`'s parsers: a valid
/// SKU, a strict decimal net price in the catalog's currency, a percent VAT
/// rate, and a gross price equal to `shared::pricing::unit_gross` of them. The
/// last check catches a widget and an edge built from different versions of
/// `shared` before a shopper sees a price the edge would not charge. With
/// `price_includes_vat`, the gross is the price given and the net must be
/// the one `shared::pricing::lots` charges one unit with.
fn read_product(value: &JsValue, currency: Currency) -> Option<Product> {
    let sku = get_str(value, "sku").filter(|s| is_valid_sku(s))?;
    let includes_vat = get(value, "price_includes_vat").as_bool() == Some(true);
    let (unit_net, rate, unit_gross) = if includes_vat {
        read_inclusive(value, currency)?
    } else {
        read_priced(value, "unit_price", "unit_price_gross", currency)?
    };
    let title = get_str(value, "title")
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| sku.clone());
    // Anything but "service" is shipped: asking for an address too many is
    // better than a 422 after the shopper pressed Pay.
    let good = get_str(value, "type").as_deref() != Some("service");
    Some(Product {
        sku,
        title,
        unit_net,
        rate,
        unit_gross,
        includes_vat,
        good,
    })
}

/// A VAT-inclusive price: the gross as given, and the net and rate it must
/// come with (`shared::pricing::lots::unit_net_for_gross`).
fn read_inclusive(value: &JsValue, currency: Currency) -> Option<(Money, VatRate, Money)> {
    let unit_gross = wire(&get(value, "unit_price_gross")).filter(|m| m.currency() == currency)?;
    let rate = VatRate::parse(&get_str(value, "vat_rate")?, VatRateFormat::Percent).ok()?;
    let unit_net = unit_net_for_gross(unit_gross, rate)?;
    (wire(&get(value, "unit_price")) == Some(unit_net)).then_some((unit_net, rate, unit_gross))
}

/// A net price in `currency` (`value[net]`), its VAT rate and the gross
/// price the edge sent for them (`value[gross]`), which must be
/// `shared::pricing::unit_gross` of the two.
fn read_priced(
    value: &JsValue,
    net: &str,
    gross: &str,
    currency: Currency,
) -> Option<(Money, VatRate, Money)> {
    let unit_net = wire(&get(value, net)).filter(|m| m.currency() == currency)?;
    let rate = VatRate::parse(&get_str(value, "vat_rate")?, VatRateFormat::Percent).ok()?;
    let unit_gross = unit_gross(unit_net, rate).ok()?;
    (wire(&get(value, gross)) == Some(unit_gross)).then_some((unit_net, rate, unit_gross))
}

/// Reads the catalog's `shipping` (absent: the merchant does not ship) into
/// `shared`'s rules; `None` if it is there but unreadable.
fn read_shipping(json: &JsValue, currency: Currency) -> Option<Option<Shipping>> {
    let info = get(json, "shipping");
    if info.is_undefined() || info.is_null() {
        return Some(None);
    }
    let free = get(&info, "free_above");
    let free_above = if free.is_undefined() || free.is_null() {
        None
    } else {
        Some(wire(&free).filter(|m| m.currency() == currency)?)
    };
    let mut zones = Vec::new();
    for zone in get_array(&info, "zones").iter() {
        let (price, vat_rate, _) = read_priced(&zone, "price", "price_gross", currency)?;
        zones.push(ShippingZone {
            name: get_str(&zone, "name").unwrap_or_default(),
            countries: get_array(&zone, "countries")
                .iter()
                .filter_map(|c| c.as_string())
                .collect(),
            price,
            vat_rate,
        });
    }
    // The edge validated its rules when it loaded them; what is checked
    // here is what the wire could have broken (currencies, gross prices).
    let shipping = Shipping::from_validated(currency, zones, free_above);
    Some(shipping.ships().then_some(shipping))
}

/// Reads a `GET /v1/catalog` body. Products that fail [`read_product`] are
/// left out (a basket line for one shows as no longer available) and listed
/// in the returned problem, for `qc:error`. Shipping rules that cannot be
/// read fail the whole catalog: the widget would show totals the edge does
/// not charge.
pub(crate) fn read_catalog(json: &JsValue) -> Result<(PriceList, Option<Problem>), Problem> {
    let currency = get_str(json, "currency")
        .and_then(|c| Currency::parse(&c).ok())
        .ok_or_else(|| Problem::new("invalid_catalog", "currency"))?;
    let mut rejected = Vec::new();
    let products = get_array(json, "products")
        .iter()
        .enumerate()
        .filter_map(|(i, value)| {
            let product = read_product(&value, currency);
            if product.is_none() {
                rejected.push([&shared::digits::numbered("products[", i), "]"].concat());
            }
            product
        })
        .collect();
    let shipping =
        read_shipping(json, currency).ok_or_else(|| Problem::new("invalid_catalog", "shipping"))?;
    let problem =
        (!rejected.is_empty()).then(|| Problem::new("invalid_catalog", rejected.join(", ")));
    let checkout = get(json, "checkout");
    // Only web pages: an href from the wire must never run script.
    let page = |key| get_str(&checkout, key).filter(|u| is_web_url(u));
    let checkout = CheckoutSettings {
        terms_url: page("terms_url"),
        withdrawal_url: page("withdrawal_url"),
        privacy_url: page("privacy_url"),
        business_buyers: get(&checkout, "business_buyers").as_bool() == Some(true),
        discount_codes: get(&checkout, "discount_codes").as_bool() == Some(true),
    };
    let mut list = PriceList {
        currency,
        products,
        shipping,
        extras: Extras::default(),
        checkout,
    };
    list.extras = variants::read(json, &list);
    Ok((list, problem))
}

/// `GET /v1/catalog`: the prices, and the problem with any product left out.
pub(crate) async fn catalog(endpoint: &str) -> Result<(PriceList, Option<Problem>), Problem> {
    let json = send(endpoint, "GET", "/v1/catalog", None, None).await?;
    read_catalog(&json)
}

/// `GET /v1/availability`: `(sku, units left)` of the SKUs whose stock is
/// tracked (any other is unlimited).
pub(crate) async fn availability(endpoint: &str) -> Result<Vec<(String, u32)>, Problem> {
    let json = send(endpoint, "GET", "/v1/availability", None, None).await?;
    Ok(variants::read_stock(&json))
}

/// `GET /v1/payment-methods`: the method names (`credit_card`, `paypal`...).
pub(crate) async fn payment_methods(endpoint: &str) -> Result<Vec<String>, Problem> {
    let json = send(endpoint, "GET", "/v1/payment-methods", None, None).await?;
    Ok(get_array(&json, "payment_methods")
        .iter()
        .filter_map(|m| m.as_string())
        .collect())
}

/// Whether `url` is an http(s) address (not `javascript:` or `data:`).
fn is_web_url(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// The `{id, url}` of a created checkout; the URL must be http(s), so a
/// broken answer can never send the shopper to a `javascript:` URL.
fn read_created(json: &JsValue) -> Result<Created, Problem> {
    let id = get_str(json, "id").filter(|id| !id.is_empty() && !id.contains('\n'));
    let url = get_str(json, "url").filter(|u| is_web_url(u));
    match (id, url) {
        (Some(id), Some(url)) => Ok(Created {
            id,
            url,
            reference: read_reference(json),
        }),
        _ => Err(Problem::new(
            "invalid_response",
            "the checkout has no id or url",
        )),
    }
}

/// The `POST /v1/checkouts` body: the SKUs and quantities, and the
/// customer; never a price (the edge prices from its own catalog, and
/// refuses a body that carries one), the shopper's language (for the
/// order confirmation e-mail), `terms_accepted` when the shopper accepted
/// the shop's terms, and the discount code applied. Optional values are
/// left out rather than sent as `null`.
pub(crate) fn checkout_body(
    items: &Basket,
    customer: Option<&Customer>,
    lang: &str,
    terms: bool,
    code: Option<&str>,
) -> String {
    let items: Vec<String> = items
        .lines()
        .iter()
        .map(|l| {
            [
                "{\"sku\":",
                &js::quote(&l.sku),
                ",\"quantity\":",
                &number(u64::from(l.quantity)),
                "}",
            ]
            .concat()
        })
        .collect();
    let mut body = ["{\"items\":[", &items.join(","), "]"].concat();
    if let Some(c) = customer {
        let address = c.address.as_ref();
        let pairs = [
            ("{\"email\":", Some(&c.email)),
            (",\"name\":", Some(&c.name)),
            (",\"phone\":", c.phone.as_ref()),
            (",\"company\":", c.company.as_ref()),
            (",\"vat_number\":", c.vat_number.as_ref()),
            (",\"address\":{\"line1\":", address.map(|a| &a.line1)),
            (",\"line2\":", address.and_then(|a| a.line2.as_ref())),
            (",\"postal_code\":", address.map(|a| &a.postal_code)),
            (",\"city\":", address.map(|a| &a.city)),
            (",\"country\":", address.map(|a| &a.country)),
        ];
        body.push_str(",\"customer\":");
        for (key, value) in pairs {
            if let Some(value) = value {
                body.push_str(key);
                body.push_str(&js::quote(value));
            }
        }
        body.push_str(if address.is_some() { "}}" } else { "}" });
    }
    body.push_str(",\"language\":");
    body.push_str(&js::quote(lang));
    if terms {
        body.push_str(",\"terms_accepted\":true");
    }
    if let Some(code) = code {
        body.push_str(",\"discount_code\":");
        body.push_str(&js::quote(code));
    }
    body.push('}');
    body
}

/// `POST /v1/checkouts` with this body, with the attempt's idempotency key.
pub(crate) async fn create_checkout(
    endpoint: &str,
    body: &str,
    key: &str,
) -> Result<Created, Problem> {
    let body = crate::return_param::with_return_url(body);
    let json = send(endpoint, "POST", "/v1/checkouts", Some(&body), Some(key)).await?;
    read_created(&json)
}

/// `POST /v1/invoice-checkouts` (201 new link, 200 an open one reused).
pub(crate) async fn create_invoice_checkout(
    endpoint: &str,
    invoice_id: &str,
    key: &str,
) -> Result<Created, Problem> {
    let body = crate::return_param::with_return_url(
        &["{\"invoice_id\":", &js::quote(invoice_id), "}"].concat(),
    );
    let json = send(
        endpoint,
        "POST",
        "/v1/invoice-checkouts",
        Some(&body),
        Some(key),
    )
    .await
    .map_err(Problem::for_invoice)?;
    read_created(&json)
}

/// A discount code the edge says applies now (`GET /v1/discount-codes/{code}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Code {
    /// The code, upper case.
    pub(crate) code: String,
    /// What it takes off the goods.
    pub(crate) value: DiscountValue,
    /// The least goods total it needs, if any.
    pub(crate) minimum: Option<Money>,
}

/// Reads a look-up answer (`shared::api::DiscountCodeInfo`): a valid code, a
/// percent of 1 to 10 000 basis points or a fixed amount, and a minimum;
/// `None` for anything the edge does not write.
pub(crate) fn read_code(json: &JsValue) -> Option<Code> {
    let code = get_str(json, "code").and_then(|c| normalize_code(&c))?;
    let value = match get_str(json, "kind")?.as_str() {
        "percent" => {
            // A whole number of basis points, 1 to 10 000 (the JSON
            // number read back exactly).
            let raw = get(json, "percent_basis_points").as_f64()?;
            let bp = raw as u32;
            ((1..=10_000).contains(&bp) && f64::from(bp) == raw)
                .then_some(DiscountValue::Percent(bp))?
        }
        "fixed" => DiscountValue::Amount(wire(&get(json, "amount"))?),
        _ => return None,
    };
    let min = get(json, "minimum");
    let minimum = if min.is_undefined() || min.is_null() {
        None
    } else {
        Some(wire(&min)?)
    };
    Some(Code {
        code,
        value,
        minimum,
    })
}

/// `GET /v1/discount-codes/{code}`: the code, if it applies now, and the
/// answer as JSON text (kept on the device). `code` is already normalized
/// (`shared::discount::normalize_code`), so it needs no escaping in the
/// path.
pub(crate) async fn discount_code(endpoint: &str, code: &str) -> Result<(Code, String), Problem> {
    let path = ["/v1/discount-codes/", code].concat();
    let json = send(endpoint, "GET", &path, None, None).await?;
    let text = js_sys::JSON::stringify(&json)
        .ok()
        .and_then(|t| t.as_string());
    match (read_code(&json), text) {
        (Some(code), Some(text)) => Ok((code, text)),
        _ => Err(Problem::new("invalid_response", "discount code")),
    }
}

/// `GET /v1/checkouts/{id}`: the checkout's status and reference.
pub(crate) async fn checkout_status(endpoint: &str, id: &str) -> Result<Status, Problem> {
    let path = [
        "/v1/checkouts/",
        &String::from(js_sys::encode_uri_component(id)),
    ]
    .concat();
    let json = send(endpoint, "GET", &path, None, None).await?;
    Ok(Status {
        status: CheckoutStatus::parse(&get_str(&json, "status").unwrap_or_default()),
        reference: read_reference(&json),
        amount: wire(&get(&json, "amount")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::order::PricedOrder;

    #[test]
    fn an_inclusive_product_is_priced_as_the_edge_charges_it() {
        let eur = |m| Money::new(m, Currency::EUR);
        let rate = VatRate::from_basis_points(2000).unwrap();
        let product = |sku: &str, net, gross, includes_vat| Product {
            sku: sku.into(),
            title: sku.into(),
            unit_net: eur(net),
            rate,
            unit_gross: eur(gross),
            includes_vat,
            good: false,
        };
        let list = PriceList {
            currency: Currency::EUR,
            products: vec![
                product("candle", 1658, 1990, true),
                product("mug", 1250, 1500, false),
            ],
            shipping: None,
            extras: Extras::default(),
            checkout: CheckoutSettings::default(),
        };
        let order = PricedOrder::price(
            [("candle", 3), ("mug", 1)],
            &list,
            &Shipping::none(Currency::EUR),
            None,
        );
        // 3 × 19.90 exactly (3 × 16.58 net plus VAT would be 59.69), + 15.00.
        assert_eq!(order.total, Some(eur(5970 + 1500)));
        assert_eq!(order.lines[0].priced.map(|p| p.vat), Some(eur(995)));
    }
}
