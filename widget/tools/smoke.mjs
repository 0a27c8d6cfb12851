// Smoke test of the *built* widget (edge/assets/widget/), the way a merchant
// page loads it: one module script tag, a strict Content-Security-Policy
// without 'unsafe-inline', and a stand-in edge on another origin.
//
//   node widget/tools/smoke.mjs        (after scripts/build-widget.sh)
//
// Checks: no CSP violation and no uncaught error; the wasm starts once even
// with the tag twice; a call queued before the wasm is ready is replayed;
// data-qc-add works; a data-qc-price is filled in; French texts are fetched and shown; Continue opens the
// details step (countries named by Intl, shipping priced); Enter in a field
// pays: the basket and the customer are sent and the pending checkout is
// stored (the redirect is cancelled).
// The browser tests (cargo test -p widget) cover the behaviour in depth; this
// covers what only the built bundle can show: the loader, the glue after
// shrink-imports and wasm-opt, the CSP.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const ASSETS = new URL("../../edge/assets/widget/", import.meta.url).pathname;
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".txt": "text/plain" };

const CATALOG = {
  currency: "EUR",
  products: [
    {
      sku: "tshirt",
      title: "T-shirt",
      unit_price: { value: "25.00", currency: "EUR" },
      unit_price_gross: { value: "30.00", currency: "EUR" },
      vat_rate: "20.0",
      type: "good",
    },
  ],
  shipping: {
    zones: [
      {
        name: "France",
        countries: ["FR"],
        price: { value: "4.90", currency: "EUR" },
        price_gross: { value: "5.88", currency: "EUR" },
        vat_rate: "20.0",
      },
    ],
  },
};

function listen(handler) {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

const edgeRequests = [];
const edge = await listen(async (req, res) => {
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "content-type, idempotency-key",
  };
  if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
  const path = new URL(req.url, "http://x").pathname;
  if (path.startsWith("/widget/")) {
    const file = normalize(join(ASSETS, path.slice("/widget/".length)));
    if (!file.startsWith(ASSETS)) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      return res.writeHead(200, { ...cors, "content-type": TYPES[extname(file)] }).end(body);
    } catch {
      return res.writeHead(404, cors).end();
    }
  }
  let body = "";
  for await (const chunk of req) body += chunk;
  edgeRequests.push({ method: req.method, path, body, key: req.headers["idempotency-key"] });
  const json = (status, value) =>
    res.writeHead(status, { ...cors, "content-type": "application/json" }).end(JSON.stringify(value));
  if (path === "/v1/catalog") return json(200, CATALOG);
  if (path === "/v1/payment-methods") return json(200, { payment_methods: ["credit_card"] });
  if (path === "/v1/availability") return json(200, { stock: { tshirt: 50 } });
  if (path === "/v1/checkouts" && req.method === "POST") {
    return json(201, { id: "chk_1", url: "https://pay.example/l/1", status: "open" });
  }
  return json(404, { error: { code: "not_found", message: "no route" } });
});
const EDGE = `http://127.0.0.1:${edge.address().port}`;

const csp =
  `default-src 'self'; script-src 'self' ${EDGE} 'wasm-unsafe-eval'; ` +
  `connect-src 'self' ${EDGE}; style-src 'self'; img-src 'self' data:; base-uri 'none'; object-src 'none'`;
const page = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>shop</title>
<script src="/early.js"></script>
<script type="module" src="${EDGE}/widget/qonto-checkout.js"></script>
<script type="module" src="${EDGE}/widget/qonto-checkout.js?again"></script>
</head><body>
<button id="add" data-qc-add="tshirt" data-qc-quantity="2">Ajouter</button>
<span id="price" data-qc-price="tshirt"></span>
</body></html>`;
// An external script (no inline script under this CSP): queues a call before
// the loader has run, and records what the page sees.
const early = `
window.seen = { events: [], violations: [], errors: [] };
window.QontoCheckout = [["add", "tshirt", 1]];
for (const name of ["qc:ready", "qc:basket-changed", "qc:error", "qc:redirect", "qc:checkout-started"]) {
  document.addEventListener(name, (e) => {
    window.seen.events.push([name, e.detail]);
    if (name === "qc:redirect") e.preventDefault();
  });
}
document.addEventListener("securitypolicyviolation", (e) =>
  window.seen.violations.push(e.violatedDirective + " " + e.blockedURI));
window.addEventListener("error", (e) => window.seen.errors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.seen.errors.push(String(e.reason)));
`;
const shop = await listen((req, res) => {
  if (req.url === "/early.js") {
    return res.writeHead(200, { "content-type": "text/javascript" }).end(early);
  }
  res.writeHead(200, { "content-type": "text/html", "content-security-policy": csp }).end(page);
});

const browser = await chromium.launch({
  executablePath: process.env.QC_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
let failed = false;
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  failed ||= !ok;
};
try {
  const tab = await browser.newPage();
  const consoleErrors = [];
  tab.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  tab.on("pageerror", (e) => consoleErrors.push(String(e)));
  await tab.goto(`http://127.0.0.1:${shop.address().port}/`);
  await tab.waitForFunction(() => window.seen.events.some(([n]) => n === "qc:ready"));
  await tab.waitForFunction(() => document.querySelector("#qonto-checkout")?.shadowRoot
    ?.querySelector(".qc-count")?.textContent === "1");
  check(true, "the queued add() was replayed");
  check((await tab.locator("#qonto-checkout").count()) === 1, "mounted once with the tag twice");

  await tab.click("#add");
  const root = tab.locator("#qonto-checkout");
  await tab.waitForFunction(() => document.querySelector("#qonto-checkout").shadowRoot
    .querySelector(".qc-count").textContent === "3");
  check(true, "data-qc-add added two more");
  await root.locator(".qc-toggle").click();
  await tab.waitForFunction(() => document.querySelector("#qonto-checkout").shadowRoot
    .querySelector("dialog").open);
  const price = await tab.locator("#price").textContent();
  check(price === "30,00\u00a0€", `the page's price filled in (${price})`);
  const title = await root.locator("#qc-title").textContent();
  check(title === "Votre panier", `French texts fetched (title: ${title})`);
  const total = await root.locator(".qc-grand dd").textContent();
  check(total === "90,00\u00a0€", `money formatted by Intl (total: ${total})`);
  await root.getByRole("button", { name: "Continuer" }).click();
  await root.getByRole("heading", { name: "Vos coordonnées" }).waitFor();
  const countries = await root.locator("select option").allTextContents();
  check(countries.join("|") === "|France", `countries named by Intl (${countries.join("|")})`);
  await root.getByLabel("E-mail").fill("ada@example.com");
  await root.getByLabel("Nom complet").fill("Ada Lovelace");
  await root.getByLabel("Adresse", { exact: true }).fill("1 rue de la Paix");
  await root.getByLabel("Code postal").fill("75002");
  await root.getByLabel("Pays").selectOption("FR");
  await root.getByLabel("Ville").fill("Paris");
  const pay = await root.getByRole("button", { name: /^Commander et payer/ }).textContent();
  check(pay === "Commander et payer 95,88\u00a0€", `shipping priced (pay: ${pay})`);
  await root.getByLabel("Ville").press("Enter");
  await tab.waitForFunction(() => window.seen.events.some(([n]) => n === "qc:redirect"));
  const sent = edgeRequests.find((r) => r.path === "/v1/checkouts");
  const body =
    '{"items":[{"sku":"tshirt","quantity":3}],"customer":{"email":"ada@example.com",' +
    '"name":"Ada Lovelace","address":{"line1":"1 rue de la Paix","postal_code":"75002",' +
    '"city":"Paris","country":"FR"}},"language":"fr"' +
    // The page the checkout started from, for Qonto to send the shopper back to.
    `,"return_url":${JSON.stringify(Object.assign(new URL(tab.url()), { hash: "" }).href)}}`;
  check(sent?.body === body, `checkout body ${sent?.body}`);
  check(/^[0-9a-f-]{36}$/.test(sent?.key ?? ""), "idempotency key sent");
  const pending = await tab.evaluate(() => localStorage.getItem("qc-pending"));
  check(pending?.startsWith("basket\ntshirt:3\nchk_1\n"), "pending checkout stored");

  const seen = await tab.evaluate(() => window.seen);
  check(seen.violations.length === 0, `no CSP violation ${JSON.stringify(seen.violations)}`);
  check(seen.errors.length === 0, `no uncaught error ${JSON.stringify(seen.errors)}`);
  check(consoleErrors.length === 0, `no console error ${JSON.stringify(consoleErrors)}`);
  const sheets = await tab.evaluate(
    () => document.querySelector("#qonto-checkout").shadowRoot.adoptedStyleSheets.length);
  check(sheets === 1, "styles adopted as a constructed stylesheet");
} catch (e) {
  check(false, String(e));
} finally {
  await browser.close();
  edge.close();
  shop.close();
}
process.exit(failed ? 1 : 0);
