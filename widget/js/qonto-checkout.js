// Qonto Checkout loader: the one file a merchant's page includes.
//
//   <script type="module" src="https://<edge>/widget/qonto-checkout.js"
//           data-locale="fr" data-theme="auto"></script>
//
// scripts/build-widget.sh bundles this file with the wasm-bindgen glue
// (./widget.js) into edge/assets/widget/qonto-checkout.js, minified.
//
// What it does:
// - defines window.QontoCheckout at once: calls made before the wasm is ready
//   are queued (each returns a Promise) and replayed in order once it is; an
//   array assigned earlier by the page (`window.QontoCheckout = [["add",
//   "mug", 1]]`) is replayed too;
// - remembers clicks on data-qc-* buttons that happen before the wasm is ready
//   and replays them;
// - instantiates the wasm once per page, even if the tag is there twice, and
//   fetches the page's language (i18n/<lang>.txt) alongside it unless English;
// - never blocks the page (module scripts run after parsing) and never throws
//   into it: failures are logged and dispatched as `qc:error`.
import init, { call, start } from "./widget.js";
import { language } from "./language.js";

const SELF = import.meta.url;
const METHODS = ["add", "setQuantity", "remove", "clear", "open", "close", "checkout", "basket"];
const BUTTONS = "[data-qc-add],[data-qc-buy],[data-qc-open],[data-qc-pay-invoice]";
// English is built into the wasm; the others are fetched, one per page.
// scripts/build-widget.sh fills the list in from the widget's text files.
const LANGUAGES = [];

function report(code, error) {
  console.error("[qonto-checkout]", code, error);
  document.dispatchEvent(
    new CustomEvent("qc:error", { detail: { code, message: String(error) } }),
  );
}

// A panic in the wasm surfaces as an exception: keep it out of the page.
function invoke(method, args) {
  try {
    return call(method, args);
  } catch (e) {
    report("internal_error", e);
    return undefined;
  }
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

async function boot() {
  const data = (scriptTag() || {}).dataset || {};
  const [, text] = await Promise.all([
    init({ module_or_path: new URL("widget_bg.wasm", SELF) }),
    // The wasm's own rule (see language.js), from the same attributes.
    texts(language([data.locale, document.documentElement.lang], LANGUAGES)),
  ]);
  if (!document.body) {
    await new Promise((r) => document.addEventListener("DOMContentLoaded", r, { once: true }));
  }
  start(data.endpoint || new URL(SELF).origin, data.locale, data.theme, text);
}

if (!window.__qontoCheckout) {
  window.__qontoCheckout = true;
  const early = Array.isArray(window.QontoCheckout) ? window.QontoCheckout : [];
  const queue = [];
  const clicks = [];
  const api = {};
  for (const m of METHODS) {
    api[m] = (...args) => new Promise((resolve) => queue.push([m, args, resolve]));
  }
  window.QontoCheckout = api;

  const onEarlyClick = (event) => {
    const button = event.target instanceof Element && event.target.closest(BUTTONS);
    if (button) {
      event.preventDefault();
      clicks.push(button);
    }
  };
  document.addEventListener("click", onEarlyClick, true);

  boot().then(
    () => {
      document.removeEventListener("click", onEarlyClick, true);
      // Same object, direct methods: references the page kept stay valid.
      for (const m of METHODS) api[m] = (...args) => Promise.resolve(invoke(m, args));
      for (const entry of early) if (Array.isArray(entry)) invoke(entry[0], entry.slice(1));
      for (const [m, args, resolve] of queue) resolve(invoke(m, args));
      for (const button of clicks) invoke("click", [button]);
    },
    (e) => {
      document.removeEventListener("click", onEarlyClick, true);
      report("load_failed", e);
      for (const [, , resolve] of queue) resolve(undefined);
      for (const m of METHODS) api[m] = () => Promise.resolve(undefined);
    },
  );
}
