// Qonto Checkout loader: the one file a merchant's page includes.
//   <script type="module" src="https://<edge>/widget/qonto-checkout.js"></script>
// It instantiates the widget's WebAssembly once per page (even if the tag is
// there twice) and never blocks the page: module scripts run after parsing, and
// every failure is reported on the console and as a `qc:error` event instead of
// being thrown into the host page.
const SELF = import.meta.url;

function scriptTag() {
  for (const s of document.querySelectorAll("script[src]")) {
    if (s.src === SELF) return s;
  }
  return null;
}

function whenBodyReady() {
  return document.body
    ? Promise.resolve()
    : new Promise((r) => document.addEventListener("DOMContentLoaded", r, { once: true }));
}

async function boot() {
  const tag = scriptTag();
  const endpoint = (tag && tag.dataset.endpoint) || new URL(SELF).origin;
  const { default: init, start } = await import(new URL("./widget.js", SELF).href);
  await init({ module_or_path: new URL("./widget_bg.wasm", SELF) });
  await whenBodyReady();
  start(endpoint.replace(/\/+$/, ""));
}

if (!window.__qontoCheckoutBoot) {
  window.__qontoCheckoutBoot = boot().catch((e) => {
    console.error("[qonto-checkout] failed to start:", e);
    document.dispatchEvent(
      new CustomEvent("qc:error", { detail: { code: "load_failed", message: String(e) } }),
    );
  });
}
