//! Browser tests: real DOM in headless Chromium, through the shadow root.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Leptos applies DOM updates asynchronously: yield to the event loop once.
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("window")
            .set_timeout_with_callback(&resolve);
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.expect("timeout");
}

fn shadow() -> web_sys::ShadowRoot {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(super::HOST_ID))
        .and_then(|h| h.shadow_root())
        .expect("the widget's shadow root")
}

#[wasm_bindgen_test]
async fn toggle_opens_and_closes_the_basket_dialog() {
    super::start("http://edge.test".into()).expect("start");
    // A second start (the script tag twice on a page) must not mount twice.
    super::start("http://edge.test".into()).expect("second start");
    let doc = web_sys::window().unwrap().document().unwrap();
    assert_eq!(doc.query_selector_all("#qonto-checkout").unwrap().length(), 1);

    let root = shadow();
    let toggle: web_sys::HtmlElement = root
        .query_selector(".qc-toggle")
        .unwrap()
        .expect("toggle")
        .dyn_into()
        .unwrap();
    let dialog = root.query_selector("[role=dialog]").unwrap().expect("dialog");
    assert!(dialog.has_attribute("hidden"));
    toggle.click();
    tick().await;
    assert!(!dialog.has_attribute("hidden"), "dialog opens");
    assert_eq!(toggle.get_attribute("aria-expanded").as_deref(), Some("true"));
    toggle.click();
    tick().await;
    assert!(dialog.has_attribute("hidden"), "dialog closes");
}
