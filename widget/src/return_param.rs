//! The way back from Qonto's payment page: checkouts are created with the
//! page they started from (`return_url`), and Qonto sends the shopper back
//! there with `?qc_checkout=<id>`. On that page the widget takes the id as
//! the pending checkout (so the confirmation shows at once, even when the
//! browser's storage lost it) and removes the parameter from the address
//! bar with `history.replaceState`, so a reload or a shared link does not
//! show it again.
//!
//! Without the parameter (Qonto did not redirect; the shopper came back
//! with Back) the stored pending checkout works as before.

use crate::js;
use crate::store::{self, Pending, Purchase};
use shared::Basket;
use wasm_bindgen::JsValue;

/// The query parameter the edge adds to `redirect_url`.
const PARAM: &str = "qc_checkout";

/// `ck_` and 24 lowercase hex digits (the edge's ids).
fn is_checkout_id(id: &str) -> bool {
    id.len() == 27
        && id.starts_with("ck_")
        && id[3..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Splits `?a=1&qc_checkout=ck_…&b=2` into the checkout id and the query
/// without it (`?a=1&b=2`, or empty).
fn split(search: &str) -> (Option<String>, String) {
    let mut id = None;
    let mut kept = Vec::new();
    for pair in search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=') {
            Some((PARAM, v)) if is_checkout_id(v) => id = Some(v.to_owned()),
            Some((PARAM, _)) => {}
            _ => kept.push(pair),
        }
    }
    let query = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    (id, query)
}

/// This page's address without `qc_checkout` (what Qonto is told to come
/// back to), or `None` outside a browser page.
pub(crate) fn page_url() -> Option<String> {
    let location = js::window()?.location();
    let (_, query) = split(&location.search().ok()?);
    Some(format!(
        "{}{}{}",
        location.origin().ok()?,
        location.pathname().ok()?,
        query
    ))
}

/// A `POST` body with `"return_url"` added last (when the page has an
/// address).
pub(crate) fn with_return_url(body: &str) -> String {
    match (page_url(), body.strip_suffix('}')) {
        (Some(url), Some(rest)) => {
            let sep = if rest.ends_with('{') { "" } else { "," };
            format!("{rest}{sep}\"return_url\":{}}}", js::quote(&url))
        }
        _ => body.to_owned(),
    }
}

/// On a page Qonto sent the shopper back to: makes `qc_checkout` the
/// pending checkout of `endpoint` and removes it from the address bar.
pub(crate) fn adopt(endpoint: &str) {
    let Some(window) = js::window() else {
        return;
    };
    let location = window.location();
    let Ok(search) = location.search() else {
        return;
    };
    let (Some(id), query) = split(&search) else {
        return;
    };
    let same = store::load_pending().is_some_and(|p| p.id == id && p.endpoint == endpoint);
    if !same {
        // Not this browser's stored checkout: show its outcome, and leave
        // the basket alone (it may not be the one that was paid).
        store::save_pending(&Pending {
            purchase: Purchase::Items(Basket::new()),
            basket: String::new(),
            id,
            endpoint: endpoint.to_owned(),
        });
    }
    let url = format!(
        "{}{}{}",
        location.pathname().unwrap_or_default(),
        query,
        location.hash().unwrap_or_default()
    );
    let history = js_sys::Reflect::get(&window, &"history".into()).unwrap_or(JsValue::UNDEFINED);
    let replace =
        js_sys::Reflect::get(&history, &"replaceState".into()).unwrap_or(JsValue::UNDEFINED);
    if let Some(f) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Function>(&replace) {
        let state = js_sys::Reflect::get(&history, &"state".into()).unwrap_or(JsValue::NULL);
        let _ = f.call3(&history, &state, &"".into(), &url.into());
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_checkout_parameter_is_taken_out_of_the_query() {
        let id = "ck_0123456789abcdef01234567";
        assert_eq!(
            split(&format!("?qc_checkout={id}")),
            (Some(id.into()), String::new())
        );
        assert_eq!(
            split(&format!("?a=1&qc_checkout={id}&b=2")),
            (Some(id.into()), "?a=1&b=2".into())
        );
        assert_eq!(split("?a=1"), (None, "?a=1".into()));
        // Not an id of ours: dropped, never stored.
        assert_eq!(split("?qc_checkout=../x&a=1"), (None, "?a=1".into()));
        assert_eq!(split(""), (None, String::new()));
    }
}
