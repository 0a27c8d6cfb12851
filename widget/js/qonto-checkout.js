// Qonto Checkout bootstrap: the one file a merchant's page includes.
//
//   <script type="module" src="https://<edge>/widget/qonto-checkout.js"
//           data-locale="fr" data-theme="auto"></script>
//
// scripts/build-widget.sh minifies it (with language.js) into
// edge/assets/widget/qonto-checkout.js. It is all an idle page downloads: the
// widget itself (widget.js, the wasm-bindgen glue; widget_bg.wasm; the page's
// language file) is fetched and started only when it is needed:
// - at once when the basket is not empty, a checkout is pending (stored, or
//   `qc_checkout` in the address), the page has product cards or prices
//   (`[data-qc-product]`, `[data-qc-price]`, also added later), or the page
//   queued calls before this file ran;
// - else on the first sign of intent: pointer over, focus or touch on an
//   element with a `data-qc-*` attribute, or any `window.QontoCheckout` call.
//
// What else it does:
// - defines window.QontoCheckout at once: calls made before the wasm is ready
//   are queued (each returns a Promise) and replayed in order once it is; an
//   array assigned earlier by the page (`window.QontoCheckout = [["add",
//   "mug", 1]]`) is replayed too;
// - remembers clicks on data-qc-* buttons that happen before the wasm is
//   ready, marks those buttons `aria-busy` meanwhile, and replays them;
// - starts the widget once per page, even if the tag is there twice;
// - never blocks the page (module scripts run after parsing) and never throws
//   into it: failures are logged and dispatched as `qc:error`.
import { language } from "./language.js";

const SELF = import.meta.url;
const METHODS = ["add", "setQuantity", "remove", "clear", "open", "close", "checkout", "basket"];
const BUTTONS = "[data-qc-add],[data-qc-buy],[data-qc-open],[data-qc-pay-invoice]";
// What the widget fills in on the page: it must run as soon as they exist.
const CONTENT = "[data-qc-product],[data-qc-price]";
// The widget's storage keys (widget/src/store.rs): a basket, a checkout the
// shopper may be coming back from.
const STORED = ["qc-basket", "qc-pending"];
const INTENT = ["pointerover", "focusin", "touchstart"];
// English is built into the wasm; the others are fetched, one per page.
// scripts/build-widget.sh fills the list in from the widget's text files.
const LANGUAGES = [];

function report(code, error) {
  console.error("[qonto-checkout]", code, error);
  document.dispatchEvent(
    new CustomEvent("qc:error", { detail: { code, message: String(error) } }),
  );
}

function scriptTag() {
  for (const s of document.querySelectorAll("script[src]")) {
    if (s.src === SELF) return s;
  }
  // A redirect can change the URL the module was loaded from.
  return document.querySelector('script[src*="qonto-checkout"]');
}

// The texts of a language other than English (i18n/<lang>.txt next to this
// file); undefined means English.
async function texts(lang) {
  if (lang === "en") return undefined;
  try {
    const response = await fetch(new URL(`i18n/${lang}.txt`, SELF));
    if (response.ok) return await response.text();
  } catch (e) {
    // Reported below: the widget then speaks English.
  }
  console.warn("[qonto-checkout]", "texts_unavailable", lang);
  return undefined;
}

// Whether the widget has work to do before any intent.
function needed() {
  try {
    if (STORED.some((key) => localStorage.getItem(key))) return true;
  } catch (e) {
    // No storage (sandboxed frame, privacy mode): nothing stored either.
  }
  return new URLSearchParams(location.search).has("qc_checkout") || !!document.querySelector(CONTENT);
}

// The elements of an event's path, inside open shadow roots too (a
// merchant's web component).
const path = (event) => event.composedPath().filter((n) => n instanceof Element);

if (!window.__qontoCheckout) {
  window.__qontoCheckout = true;
  const early = Array.isArray(window.QontoCheckout) ? window.QontoCheckout : [];
  const queue = [];
  const clicks = [];
  const api = {};
  let loading;
  let observer;

  const onIntent = (event) => {
    if (path(event).some((e) => e.getAttributeNames().some((n) => n.startsWith("data-qc-")))) load();
  };
  const onEarlyClick = (event) => {
    const button = path(event).find((e) => e.matches(BUTTONS));
    if (button) {
      event.preventDefault();
      button.setAttribute("aria-busy", "true");
      clicks.push(button);
      load();
    }
  };
  const settle = () => {
    document.removeEventListener("click", onEarlyClick, true);
    for (const button of clicks) button.removeAttribute("aria-busy");
  };

  // The glue and its wasm, with the language file, fetched in parallel.
  function load() {
    if (loading) return;
    for (const type of INTENT) document.removeEventListener(type, onIntent, true);
    if (observer) observer.disconnect();
    const data = (scriptTag() || {}).dataset || {};
    const wasm = fetch(new URL("widget_bg.wasm", SELF));
    // A failed fetch is reported through init below, not as unhandled.
    wasm.catch(() => {});
    loading = Promise.all([
      import("./widget.js"),
      // The wasm's own rule (see language.js), from the same attributes.
      texts(language([data.locale, document.documentElement.lang], LANGUAGES)),
    ])
      .then(async ([glue, text]) => {
        await glue.default({ module_or_path: wasm });
        if (!document.body) {
          await new Promise((r) => document.addEventListener("DOMContentLoaded", r, { once: true }));
        }
        glue.start(data.endpoint || new URL(SELF).origin, data.locale, data.theme, text, "openOnAdd" in data, data.payLabel, data.analytics);
        return glue;
      })
      .then(
        ({ call }) => {
          // A panic in the wasm surfaces as an exception: keep it out of the page.
          const invoke = (method, args) => {
            try {
              return call(method, args);
            } catch (e) {
              report("internal_error", e);
            }
          };
          settle();
          // Same object, direct methods: references the page kept stay valid.
          for (const m of METHODS) api[m] = (...args) => Promise.resolve(invoke(m, args));
          for (const entry of early) if (Array.isArray(entry)) invoke(entry[0], entry.slice(1));
          for (const [m, args, resolve] of queue) resolve(invoke(m, args));
          for (const button of clicks) invoke("click", [button]);
        },
        (e) => {
          settle();
          report("load_failed", e);
          for (const [, , resolve] of queue) resolve(undefined);
          for (const m of METHODS) api[m] = () => Promise.resolve(undefined);
        },
      );
  }

  for (const m of METHODS) {
    api[m] = (...args) =>
      new Promise((resolve) => {
        queue.push([m, args, resolve]);
        load();
      });
  }
  window.QontoCheckout = api;
  document.addEventListener("click", onEarlyClick, true);

  if (early.length || needed()) {
    load();
  } else {
    for (const type of INTENT) document.addEventListener(type, onIntent, { capture: true, passive: true });
    // Product cards or prices an SPA adds later.
    observer = new MutationObserver(() => document.querySelector(CONTENT) && load());
    observer.observe(document.documentElement, { childList: true, subtree: true });
    // Back from the payment page through the back-forward cache.
    window.addEventListener("pageshow", (e) => e.persisted && needed() && load());
  }
}
