//! What the widget keeps in the browser: the basket, the pending checkout and
//! (if the shopper agrees) their details in `localStorage` (shared by the
//! site's tabs, kept across visits), the current payment attempt's
//! idempotency key in `sessionStorage` (one tab), and with analytics on,
//! the last checkout's `purchase` data and the checkouts already reported.
//!
//! Storage can be missing or full (private modes, quotas, sandboxed iframes):
//! every access here is best-effort and never fails the caller. Values are
//! plain text (the basket uses `shared`'s own `sku:qty,...` encoding), so no
//! JSON library is needed.

use std::cell::RefCell;

use shared::Basket;
use web_sys::Storage;

use crate::details::{Values, TERMS};
use crate::edge::Code;
use crate::js;

/// `localStorage` key of the basket. Other tabs watch it (`storage` event).
pub(crate) const BASKET_KEY: &str = "qc-basket";
const PENDING_KEY: &str = "qc-pending";
const ATTEMPT_KEY: &str = "qc-attempt";
/// `localStorage` key of the remembered details.
pub(crate) const DETAILS_KEY: &str = "qc-details";
/// `localStorage` key of the last checkout's analytics data (`id` and the
/// `purchase` event's JSON, one line each).
const PURCHASE_KEY: &str = "qc-ga";
/// `localStorage` key of the checkouts whose `purchase` was pushed
/// (space-separated ids, the latest last).
pub(crate) const SENT_KEY: &str = "qc-ga-sent";
/// How many reported checkout ids are remembered.
const SENT_KEPT: usize = 20;
fn local() -> Option<Storage> {
    js::window()?.local_storage().ok()?
}

fn session() -> Option<Storage> {
    js::window()?.session_storage().ok()?
}

fn read(storage: Option<Storage>, key: &str) -> Option<String> {
    storage?.get_item(key).ok()?
}

fn write(storage: Option<Storage>, key: &str, value: Option<&str>) {
    if let Some(s) = storage {
        let _ = match value {
            Some(v) => s.set_item(key, v),
            None => s.remove_item(key),
        };
    }
}

/// Reads a stored basket; text that is not a valid basket (edited by hand,
/// written by a future version) is an empty basket rather than an error.
pub(crate) fn decode_basket(text: Option<&str>) -> Basket {
    text.and_then(|t| Basket::decode(t).ok())
        .unwrap_or_default()
}

/// The basket saved by this or another tab.
pub(crate) fn load_basket() -> Basket {
    decode_basket(read(local(), BASKET_KEY).as_deref())
}

/// Saves the basket (an empty basket removes the key).
pub(crate) fn save_basket(basket: &Basket) {
    let text = basket.encode();
    write(
        local(),
        BASKET_KEY,
        (!text.is_empty()).then_some(text.as_str()),
    );
}

/// The details remembered on this device, if any (and readable). Lines
/// missing at the end (details remembered before the business fields
/// existed) are empty values.
pub(crate) fn load_details() -> Option<Values> {
    let text = read(local(), DETAILS_KEY)?;
    let mut values = Values::default();
    for (value, part) in values.iter_mut().zip(text.split('\n')) {
        part.clone_into(value);
    }
    Some(values)
}

/// Remembers the details, trimmed, one value per line (inputs hold no line
/// breaks; any that slipped in become spaces). Not the terms: they are
/// accepted for each order.
pub(crate) fn save_details(values: &Values) {
    let text = values[..TERMS]
        .iter()
        .map(|v| v.trim().replace('\n', " "))
        .collect::<Vec<_>>()
        .join("\n");
    write(local(), DETAILS_KEY, Some(&text));
}

/// Forgets the remembered details.
pub(crate) fn forget_details() {
    write(local(), DETAILS_KEY, None);
}

/// `localStorage` key of the basket's discount code.
const CODE_KEY: &str = "qc-code";

/// The discount code applied on this device, if any (and readable): kept
/// as the edge's look-up answer, read again as it was then.
pub(crate) fn load_code() -> Option<Code> {
    crate::edge::read_code(&js::parse_json(&read(local(), CODE_KEY)?))
}

/// Keeps the look-up answer of the basket's discount code (`None`: forgets
/// the code).
pub(crate) fn save_code(json: Option<&str>) {
    write(local(), CODE_KEY, json);
}

/// Keeps the `purchase` event's data of checkout `id` (JSON) for the
/// shopper's return.
pub(crate) fn save_purchase(id: &str, json: &str) {
    write(local(), PURCHASE_KEY, Some(&[id, "\n", json].concat()));
}

/// The `purchase` data kept for checkout `id`, if any.
pub(crate) fn load_purchase(id: &str) -> Option<String> {
    let text = read(local(), PURCHASE_KEY)?;
    let (kept, json) = text.split_once('\n')?;
    (kept == id).then(|| json.to_owned())
}

/// Records that checkout `id`'s `purchase` was pushed, and drops the data
/// kept for it ([`save_purchase`]); returns `false` if it already was
/// (then nothing is pushed again).
pub(crate) fn mark_sent(id: &str) -> bool {
    let text = read(local(), SENT_KEY).unwrap_or_default();
    let mut ids: Vec<&str> = text.split(' ').filter(|s| !s.is_empty()).collect();
    if ids.contains(&id) {
        return false;
    }
    ids.push(id);
    let keep = ids.len().saturating_sub(SENT_KEPT);
    write(local(), SENT_KEY, Some(&ids[keep..].join(" ")));
    write(local(), PURCHASE_KEY, None);
    true
}

/// What a checkout pays for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Purchase {
    /// The shopper's basket.
    Basket,
    /// Items bought directly (`data-qc-buy`), leaving the basket alone.
    Items(Basket),
    /// A Qonto client invoice, by id (`data-qc-pay-invoice`).
    Invoice(String),
}

impl Purchase {
    /// The kind as stored and as sent in `qc:checkout-started`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Purchase::Basket => "basket",
            Purchase::Items(_) => "buy",
            Purchase::Invoice(_) => "invoice",
        }
    }
}

/// A checkout the shopper was sent to pay, remembered for their return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    /// What was bought.
    pub(crate) purchase: Purchase,
    /// The basket at checkout time (for [`Purchase::Basket`]), so that only
    /// the basket actually paid for is cleared.
    pub(crate) basket: String,
    /// The edge's checkout id.
    pub(crate) id: String,
    /// The edge that created it (another edge would not know the id).
    pub(crate) endpoint: String,
}

/// Saves the pending checkout, one field per line (ids, SKUs and URLs have
/// no line breaks; invoice ids are checked for that before use).
pub(crate) fn save_pending(p: &Pending) {
    let payload = match &p.purchase {
        Purchase::Basket => p.basket.clone(),
        Purchase::Items(items) => items.encode(),
        Purchase::Invoice(id) => id.clone(),
    };
    let text = [p.purchase.kind(), &payload, &p.id, &p.endpoint].join("\n");
    write(local(), PENDING_KEY, Some(&text));
}

/// The pending checkout, if one is stored and readable.
pub(crate) fn load_pending() -> Option<Pending> {
    let text = read(local(), PENDING_KEY)?;
    let mut parts = text.split('\n');
    let (kind, payload, id, endpoint) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let (purchase, basket) = match kind {
        "basket" => (Purchase::Basket, payload.to_owned()),
        "buy" => (
            Purchase::Items(Basket::decode(payload).ok()?),
            String::new(),
        ),
        "invoice" => (Purchase::Invoice(payload.to_owned()), String::new()),
        _ => return None,
    };
    (!id.is_empty()).then(|| Pending {
        purchase,
        basket,
        id: id.to_owned(),
        endpoint: endpoint.to_owned(),
    })
}

/// Forgets the pending checkout (after a final status).
pub(crate) fn clear_pending() {
    write(local(), PENDING_KEY, None);
}

thread_local! {
    /// The current attempt `(signature, key)`: memory first, mirrored to
    /// `sessionStorage` so a reload during a failed attempt keeps the key.
    static ATTEMPT: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// The idempotency key for an attempt with `signature`: the same key while
/// the signature stays the same (a double click, a retry after a network
/// error), a fresh one otherwise.
pub(crate) fn attempt_key(signature: &str) -> String {
    let current = ATTEMPT.with_borrow(Clone::clone).or_else(|| {
        let text = read(session(), ATTEMPT_KEY)?;
        let (sig, key) = text.split_once('\n')?;
        Some((sig.to_owned(), key.to_owned()))
    });
    if let Some((sig, key)) = current {
        if sig == signature {
            return key;
        }
    }
    let key = js::random_key();
    write(
        session(),
        ATTEMPT_KEY,
        Some(&[signature, "\n", &key].concat()),
    );
    ATTEMPT.set(Some((signature.to_owned(), key.clone())));
    key
}

/// Ends the current attempt: the next Pay gets a fresh key.
pub(crate) fn clear_attempt() {
    ATTEMPT.set(None);
    write(session(), ATTEMPT_KEY, None);
}
