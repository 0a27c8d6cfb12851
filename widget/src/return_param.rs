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
use web_sys::Url;

/// The query parameter the edge adds to `redirect_url`.
const PARAM: &str = "qc_checkout";

/// `ck_` and 24 lowercase hex digits (the edge's ids). Byte by byte: no
/// string searching or slicing code in the wasm.
fn is_checkout_id(id: &str) -> bool {
    id.len() == 27
        && id.bytes().enumerate().all(|(i, b)| match i {
            0 => b == b'c',
            1 => b == b'k',
            2 => b == b'_',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// This page's URL, parsed by the browser.
fn here() -> Option<Url> {
    Url::new(&js::window()?.location().href().ok()?).ok()
}

/// This page's address without `qc_checkout` and fragment (what Qonto is
/// told to come back to), or `None` outside a browser page.
pub(crate) fn page_url() -> Option<String> {
    let url = here()?;
    url.search_params().delete(PARAM);
    url.set_hash("");
    Some(url.href())
}

/// A `POST` body (a JSON object) with `"return_url"` added last, when the
/// page has an address.
pub(crate) fn with_return_url(body: &str) -> String {
    let open = body.len().checked_sub(1).and_then(|end| body.get(..end));
    match (page_url(), open) {
        (Some(url), Some(rest)) if body.as_bytes().last() == Some(&b'}') => {
            let sep = if rest.as_bytes().last() == Some(&b'{') {
                ""
            } else {
                ","
            };
            [rest, sep, "\"return_url\":", &js::quote(&url), "}"].concat()
        }
        _ => body.to_owned(),
    }
}

/// The purchase of a pending checkout adopted from `qc_checkout`: none
/// known (it may not be this browser's basket).
pub(crate) fn adopted() -> Purchase {
    Purchase::Items(Basket::new())
}

/// On a page Qonto sent the shopper back to: makes `qc_checkout` the
/// pending checkout of `endpoint` and removes it from the address bar.
pub(crate) fn adopt(endpoint: &str) {
    let Some(url) = here() else {
        return;
    };
    let params = url.search_params();
    let Some(id) = params.get(PARAM) else {
        return;
    };
    params.delete(PARAM);
    if let Some(history) = js::window().and_then(|w| w.history().ok()) {
        let state = history.state().unwrap_or(wasm_bindgen::JsValue::NULL);
        let _ = history.replace_state_with_url(&state, "", Some(&url.href()));
    }
    if !is_checkout_id(&id) {
        return;
    }
    let same = store::load_pending().is_some_and(|p| p.id == id && p.endpoint == endpoint);
    if !same {
        // Not this browser's stored checkout: show its outcome, and leave
        // the basket alone (it may not be the one that was paid).
        store::save_pending(&Pending {
            purchase: adopted(),
            basket: String::new(),
            id,
            endpoint: endpoint.to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::is_checkout_id;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn only_the_edges_checkout_ids_are_taken() {
        assert!(is_checkout_id("ck_0123456789abcdef01234567"));
        assert!(!is_checkout_id("ck_0123456789ABCDEF01234567"));
        assert!(!is_checkout_id("ck_0123"));
        assert!(!is_checkout_id("../../etc/passwd_0123456789"));
    }
}
