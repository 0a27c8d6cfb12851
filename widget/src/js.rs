//! Thin, panic-free access to the browser: JSON through `JSON.parse` and
//! `Reflect`, `Intl.NumberFormat` and `Intl.DisplayNames`, events on
//! `document`, timers, random keys.
//!
//! Why by hand: serde (and serde_json's float formatting) would cost ~15 KB
//! gzip in the wasm (measured: +15 KB for serde-wasm-bindgen), and Rust's
//! float formatting another ~8 KB; the browser already has a JSON parser and a money
//! formatter. Every binding that can throw is declared with `catch`, so a
//! browser quirk becomes an `Err` here instead of an exception in the host page.

use std::future::Future;
use std::pin::Pin;

use js_sys::{Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CustomEvent, CustomEventInit};

#[wasm_bindgen]
extern "C" {
    /// `Intl.NumberFormat`, declared here (not js-sys's) so that its
    /// constructor can fail with a `Result` on a locale tag it rejects.
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    pub(crate) type NumberFormat;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "NumberFormat")]
    fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;

    /// Formats a decimal *string*: `Intl` reads it exactly (no float).
    #[wasm_bindgen(method, catch, js_name = format)]
    fn format_str(this: &NumberFormat, value: &str) -> Result<String, JsValue>;

    /// `Intl.DisplayNames`, for the names of countries in the page's language.
    #[wasm_bindgen(js_namespace = Intl, js_name = DisplayNames)]
    type DisplayNames;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "DisplayNames")]
    fn new(locale: &str, options: &Object) -> Result<DisplayNames, JsValue>;

    /// The name of a code (`undefined` when the browser has none).
    #[wasm_bindgen(method, catch)]
    fn of(this: &DisplayNames, code: &str) -> Result<JsValue, JsValue>;

    /// `Intl.Collator`, to sort country names as the page's language does.
    #[wasm_bindgen(js_namespace = Intl, js_name = Collator)]
    type Collator;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "Collator")]
    fn new(locale: &str) -> Result<Collator, JsValue>;

    #[wasm_bindgen(method)]
    fn compare(this: &Collator, a: &str, b: &str) -> i32;

    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = timeout)]
    fn abort_signal_timeout(ms: u32) -> Result<web_sys::AbortSignal, JsValue>;

    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(prefix: &str, code: &str, detail: &str);
}

impl NumberFormat {
    /// A currency formatter (`"12,00 €"` in `fr`), or `None` if `Intl`
    /// rejects the locale or the currency.
    pub(crate) fn currency(locale: &str, currency: &str) -> Option<NumberFormat> {
        let options = Object::new();
        set(&options, "style", "currency");
        set(&options, "currency", currency);
        NumberFormat::new(locale, &options).ok()
    }

    /// A percent formatter for VAT rates (`"5,5 %"` in `fr`).
    pub(crate) fn percent(locale: &str) -> Option<NumberFormat> {
        let options = Object::new();
        set(&options, "style", "percent");
        set(&options, "maximumFractionDigits", 2u32);
        NumberFormat::new(locale, &options).ok()
    }

    /// Formats a plain decimal string such as `"12.50"` or `"0.055"`.
    pub(crate) fn format(&self, decimal: &str) -> Option<String> {
        self.format_str(decimal).ok()
    }
}

/// `(code, name)` of the countries with these ISO codes, named in `locale`
/// by `Intl.DisplayNames` and sorted as that locale sorts ("Österreich"
/// before "Polen" in German). A browser without a name for a code shows the
/// code.
pub(crate) fn countries(locale: &str, codes: &[&str]) -> Vec<(String, String)> {
    let options = Object::new();
    set(&options, "type", "region");
    let names = DisplayNames::new(locale, &options).ok();
    let mut list: Vec<(String, String)> = codes
        .iter()
        .map(|&code| {
            let name = names
                .as_ref()
                .and_then(|n| n.of(code).ok()?.as_string())
                .unwrap_or_else(|| code.to_owned());
            (code.to_owned(), name)
        })
        .collect();
    // An insertion sort: a few dozen names at most, and the standard
    // library's sorts cost ~4 KB of wasm.
    let collator = Collator::new(locale).ok();
    let before = |a: &str, b: &str| match &collator {
        Some(c) => c.compare(a, b) < 0,
        None => a < b,
    };
    for i in 1..list.len() {
        let mut j = i;
        while j > 0 && before(&list[j].1, &list[j - 1].1) {
            list.swap(j, j - 1);
            j -= 1;
        }
    }
    list
}

/// An `AbortSignal` that fires after `ms`, where the browser has
/// `AbortSignal.timeout` (older ones simply wait for the network).
pub(crate) fn timeout_signal(ms: u32) -> Option<web_sys::AbortSignal> {
    abort_signal_timeout(ms).ok()
}

/// Logs a failure for the developer (`console.warn`, never an exception).
pub(crate) fn warn(code: &str, detail: &str) {
    console_warn("[qonto-checkout]", code, detail);
}

/// `JSON.parse(text)`, or `null` for text that is not JSON.
pub(crate) fn parse_json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or(JsValue::NULL)
}

/// `JSON.stringify(s)`: a JSON string literal with every character escaped.
pub(crate) fn quote(s: &str) -> String {
    JSON::stringify(&JsValue::from_str(s))
        .ok()
        .and_then(|q| q.as_string())
        .unwrap_or_else(|| "\"\"".into())
}

/// `value[key]`, `undefined` when `value` is not an object.
pub(crate) fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `value[key]` if it is a string.
pub(crate) fn get_str(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// `value[key]` if it is an array.
pub(crate) fn get_array(value: &JsValue, key: &str) -> js_sys::Array {
    get(value, key).dyn_into().unwrap_or_default()
}

/// `object[key] = value` (never fails on a plain object).
pub(crate) fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

/// Dispatches `CustomEvent(name, {detail})` on `document`; returns `false`
/// if a listener called `preventDefault()` (only for `cancelable` events).
pub(crate) fn emit(name: &str, detail: &JsValue, cancelable: bool) -> bool {
    let init = CustomEventInit::new();
    init.set_detail(detail);
    init.set_cancelable(cancelable);
    let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) else {
        return true;
    };
    // A listener that throws is reported by the browser, not to us.
    document().is_none_or(|d| d.dispatch_event(&event).unwrap_or(true))
}

/// The window (absent only outside a browser page).
pub(crate) fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The page's document.
pub(crate) fn document() -> Option<web_sys::Document> {
    window()?.document()
}

/// Runs `future` on the browser's event loop. Every task goes through one
/// boxed type: each distinct future type handed to the executor would
/// otherwise get its own copy of the task code in the wasm.
pub(crate) fn spawn(future: impl Future<Output = ()> + 'static) {
    let task: Pin<Box<dyn Future<Output = ()>>> = Box::pin(future);
    wasm_bindgen_futures::spawn_local(task);
}

/// Resolves after `ms` milliseconds.
pub(crate) async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(w) = window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// A random UUID v4 for `Idempotency-Key`, from `crypto.getRandomValues`
/// (unlike `crypto.randomUUID`, available on plain-http pages too).
pub(crate) fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        // No Web Crypto (very old browser): Math.random is enough for a key
        // that only has to differ between attempts.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// An event listener on a browser object, removed when dropped. The widget
/// listens through these rather than Leptos's `on:` and
/// `window_event_listener`: those wrap every handler so it can cross threads
/// (a wasm page has one), which costs 5 KB of wasm.
pub(crate) struct Listener {
    target: web_sys::EventTarget,
    name: &'static str,
    capture: bool,
    handler: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    /// Calls `handler` for every `name` event on `target` or bubbling up
    /// to it; with `capture`, also for events below it that do not bubble
    /// (a dialog's `close`), on their way down.
    pub(crate) fn new(
        target: &web_sys::EventTarget,
        name: &'static str,
        capture: bool,
        handler: impl FnMut(web_sys::Event) + 'static,
    ) -> Option<Listener> {
        let handler = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
        let callback = handler.as_ref().unchecked_ref();
        target
            .add_event_listener_with_callback_and_bool(name, callback, capture)
            .ok()?;
        Some(Listener {
            target: target.clone(),
            name,
            capture,
            handler,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.name,
            self.handler.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}
