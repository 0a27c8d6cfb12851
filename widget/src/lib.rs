//! The embeddable basket and Pay button, rendered by Leptos inside an open
//! shadow root so the merchant's CSS and ours never mix.
//!
//! The browser loads `qonto-checkout.js` (the loader in `widget/js/`), which
//! instantiates this wasm once and calls [`start`]. Build it with the README's
//! commands; browser tests run with
//! `cargo test -p widget --target wasm32-unknown-unknown` (headless Chromium).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ShadowRootInit, ShadowRootMode};

/// The id of the element that hosts the widget's shadow root.
const HOST_ID: &str = "qonto-checkout";

/// Widget styles, inside the shadow root (so a strict CSP's `style-src` applies
/// to the adopted text only, never to inline `style=` attributes).
const STYLE: &str = include_str!("widget.css");

/// Mounts the widget once on the current page, talking to the edge at
/// `endpoint` (an origin such as `https://pay.example.com`).
#[wasm_bindgen]
pub fn start(endpoint: String) -> Result<(), JsValue> {
    let document = document();
    if document.get_element_by_id(HOST_ID).is_some() {
        return Ok(());
    }
    let host = document.create_element("div")?;
    host.set_id(HOST_ID);
    let body = document.body().ok_or_else(|| JsValue::from_str("the page has no <body>"))?;
    body.append_child(&host)?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let style = document.create_element("style")?;
    style.set_text_content(Some(STYLE));
    shadow.append_child(&style)?;
    let container = document.create_element("div")?;
    shadow.append_child(&container)?;
    let container: web_sys::HtmlElement = container.dyn_into()?;
    leptos::mount::mount_to(container, move || view! { <Widget endpoint /> }).forget();
    Ok(())
}

/// The floating basket toggle and its dialog.
#[component]
fn Widget(endpoint: String) -> impl IntoView {
    let (open, set_open) = signal(false);
    view! {
        <button
            class="qc-toggle"
            aria-haspopup="dialog"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| set_open.update(|o| *o = !*o)
        >
            "Basket"
        </button>
        <div class="qc-dialog" role="dialog" aria-modal="true" aria-label="Basket" hidden=move || !open.get() data-endpoint=endpoint>
            <p>"Your basket is empty."</p>
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
