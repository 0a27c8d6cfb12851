//! The embeddable basket and Pay button, rendered by Leptos inside an open
//! shadow root so the merchant's CSS and ours never mix.
//!
//! The browser loads `qonto-checkout.js` (the bootstrap, or loader, in
//! `widget/js/`), which, once the page needs the widget (something to show,
//! or the shopper's first sign of intent), imports the glue and
//! instantiates this wasm once per page, calls [`start`] with the script
//! tag's data attributes, then forwards `window.QontoCheckout` calls to
//! [`call`]. Build it with `scripts/build-widget.sh`; the browser tests run
//! in headless Chromium as `scripts/test.sh` runs them (the release's
//! nightly toolchain, `scripts/widget-toolchain.sh`).
//!
//! Modules:
//! - `app`: the state and every action (basket, dialog, details, Pay, return);
//! - `details`: the details step's fields and their validation;
//! - `view`: the DOM (Leptos views) and keyboard handling;
//! - `host`: the page's `data-qc-*` buttons, other tabs, the JS API;
//! - `edge`: the edge's HTTP API through `fetch`;
//! - `variants`: images, variants and stock, for product cards and prices;
//! - `store`: `localStorage` / `sessionStorage`;
//! - `i18n`: the texts in en, fr, de, it, es, nl;
//! - `problem`: failures, their codes and their texts;
//! - `js`: JSON, `Intl`, events and timers, without serde;
//! - `config`: the configuration from the script tag;
//! - `analytics`: the opt-in e-commerce events for `window.dataLayer`.
//!
//! Nothing here may panic or throw into the host page: every browser call
//! that can fail returns a `Result` that is handled, and every failure the
//! shopper should know about ends as a `qc:error` event and a short text.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

mod analytics;
mod app;
mod config;
mod details;
mod edge;
mod host;
mod i18n;
mod js;
mod problem;
mod return_param;
mod store;
mod variants;
mod view;

use app::App;
use config::Config;

/// The id of the element that hosts the widget's shadow root. A page may
/// place an empty element with this id to choose where it sits in the DOM.
const HOST_ID: &str = "qonto-checkout";

/// Widget styles (`src/widget.css`, minified by `build.rs`), adopted by the
/// shadow root as a constructed stylesheet: unlike a `<style>` element or a
/// `style` attribute, that needs no `style-src 'unsafe-inline'`.
const STYLE: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

/// A free-list allocator a few hundred bytes long instead of the standard
/// library's dlmalloc (-0.9 KB gzip). The widget makes few, short-lived
/// allocations, so a linear free list costs nothing the shopper can notice.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

thread_local! {
    /// The instance the JS API talks to.
    static CURRENT: Cell<Option<App>> = const { Cell::new(None) };
    /// The instance [`start`] mounted (kept for the page's lifetime).
    static STARTED: RefCell<Option<Mounted>> = const { RefCell::new(None) };
}

/// A mounted widget; dropping it unmounts the view, removes the page-wide
/// listeners and the host element.
pub(crate) struct Mounted {
    unmount: Option<Box<dyn FnOnce()>>,
    host: Element,
    /// The widget's and the page's listeners, removed with it.
    _listeners: Vec<js::Listener>,
    /// The watch on the page for cards, prices and add buttons added later.
    _observer: Option<view::PageObserver>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        CURRENT.set(None);
        if let Some(unmount) = self.unmount.take() {
            unmount();
        }
        self.host.remove();
    }
}

/// Mounts the widget once on the current page, talking to the edge at
/// `endpoint` (an origin such as `https://pay.example.com`), in `locale`
/// (`data-locale`; else `<html lang>`, else English) and `theme`
/// (`light`, `dark` or `auto`). `texts` is the language's text file
/// (`i18n/<lang>.txt`) for a language other than English; `open_on_add`:
/// the script tag has `data-open-on-add`; `pay_label`: its
/// `data-pay-label` (the page's text for Pay); `analytics`: its
/// `data-analytics` (`datalayer` pushes e-commerce events to
/// `window.dataLayer`). A second call does nothing.
///
/// Dispatches `qc:ready` (detail: the basket) once mounted.
#[wasm_bindgen]
pub fn start(
    endpoint: String,
    locale: Option<String>,
    theme: Option<String>,
    texts: Option<String>,
    open_on_add: Option<bool>,
    pay_label: Option<String>,
    analytics: Option<String>,
) -> Result<(), JsValue> {
    if STARTED.with_borrow(Option::is_some) {
        return Ok(());
    }
    let document = js::document().ok_or("no document")?;
    let host = match document.get_element_by_id(HOST_ID) {
        Some(existing) if existing.shadow_root().is_some() => return Ok(()),
        Some(existing) => existing,
        None => {
            let host = document.create_element("div")?;
            host.set_id(HOST_ID);
            document
                .body()
                .ok_or("the page has no <body>")?
                .append_child(&host)?;
            host
        }
    };
    let html_lang = document
        .document_element()
        .and_then(|html| html.get_attribute("lang"));
    let mut config = Config::new(&endpoint, locale, html_lang, theme.as_deref(), texts);
    config.open_on_add = open_on_add == Some(true);
    config.page_options(pay_label);
    config.analytics = analytics.as_deref().map(str::trim) == Some("datalayer");
    let mounted = mount(host, config)?;
    STARTED.set(Some(mounted));
    Ok(())
}

/// Runs one `window.QontoCheckout` method (`add`, `setQuantity`, `remove`,
/// `clear`, `open`, `close`, `checkout`, `basket`) with its arguments. Returns
/// the basket for the basket methods, `undefined` otherwise, and never throws
/// (failures become `qc:error`).
#[wasm_bindgen]
pub fn call(method: &str, args: js_sys::Array) -> JsValue {
    match CURRENT.get() {
        Some(app) => host::call(app, method, &args),
        None => JsValue::UNDEFINED,
    }
}

/// Mounts an instance into `host` (which gets the shadow root) with `config`.
/// Used by [`start`] and by the tests, which mount and unmount one instance
/// per test in the same page.
pub(crate) fn mount(host: Element, config: Config) -> Result<Mounted, JsValue> {
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    adopt_styles(&shadow)?;
    let document = js::document().ok_or("no document")?;
    let container: HtmlElement = document.create_element("div")?.dyn_into()?;
    shadow.append_child(&container)?;
    let root = container.clone();
    return_param::adopt(&config.endpoint);
    let handle = leptos::mount::mount_to(container.clone(), move || {
        let app = App::new(config, shadow);
        CURRENT.set(Some(app));
        app.load_catalog();
        app.check_return();
        view::root(app, &container);
    });
    let mut listeners = Vec::new();
    let mut observer = None;
    if let Some(app) = CURRENT.get() {
        listeners = view::listen(app, &root);
        listeners.extend(host::listen(app));
        observer = view::observe(app);
    }
    let mounted = Mounted {
        unmount: Some(Box::new(move || drop(handle))),
        host,
        _listeners: listeners,
        _observer: observer,
    };
    if let Some(app) = CURRENT.get() {
        // The view's effect first runs a tick later: show the state now, so
        // the widget is complete when `qc:ready` arrives.
        view::refresh(app);
        js::emit("qc:ready", &app.snapshot(), false);
    }
    Ok(mounted)
}

/// Gives the shadow root its styles: a constructed stylesheet where the
/// browser has them (CSP-proof), else a `<style>` element (older browsers).
pub(crate) fn adopt_styles(shadow: &ShadowRoot) -> Result<(), JsValue> {
    if let Ok(sheet) = CssStyleSheet::new() {
        if sheet.replace_sync(STYLE).is_ok() {
            shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
            return Ok(());
        }
    }
    let document = js::document().ok_or("no document")?;
    let style = document.create_element("style")?;
    style.set_text_content(Some(STYLE));
    shadow.append_child(&style)?;
    Ok(())
}

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
