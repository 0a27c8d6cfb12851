// The widget's first load in Chromium, with the built bootstrap served by the
// real edge (wrangler dev): an idle page downloads the bootstrap alone; the
// widget (glue, wasm) comes on the first sign of intent, or at once when
// there is something to show; a click that arrives before the wasm is ready
// is acted on once it is, the button marked busy meanwhile. Run by
// scripts/test.sh through `qc-stack run`, beside the shopper journey.
//
// The page is the demo shop's "About us" (demo/about.html): the one script
// tag, a Basket button and one Add button, no prices and no product cards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, watchedPage, eventually, EDGE, SHOP } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => browser && browser.close());

const BOOTSTRAP = "/widget/qonto-checkout.js";
const WASM = "/widget/widget_bg.wasm";
const GLUE = "/widget/widget.js";

/** Opens the idle page; records what it fetches from the edge's /widget/. */
async function open({ storage, route } = {}) {
  const page = await watchedPage(browser);
  page.fetched = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.origin === EDGE && url.pathname.startsWith("/widget/")) page.fetched.push(url.pathname);
  });
  if (route) await page.route((url) => url.origin === EDGE && url.pathname === WASM, route);
  if (storage) {
    await page.addInitScript((entries) => {
      for (const [k, v] of entries) localStorage.setItem(k, v);
    }, Object.entries(storage));
  }
  await page.goto(`${SHOP}/about.html`);
  return page;
}

const ready = (page) => page.evaluate(() => window.__qcEvents.some((e) => e.type === "qc:ready"));
const settle = (ms) => new Promise((r) => setTimeout(r, ms));

test("an idle page downloads the bootstrap only; pointer over a data-qc button fetches and starts the widget", async () => {
  const page = await open();
  await page.waitForLoadState("networkidle");
  await settle(500);
  assert.deepEqual(page.fetched, [BOOTSTRAP], "nothing but the bootstrap before any intent");
  assert.equal(await page.evaluate(() => typeof window.QontoCheckout.add), "function", "the JS API exists at once");
  // Pointer over the page's own content is no intent.
  await page.hover("#story");
  await settle(500);
  assert.deepEqual(page.fetched, [BOOTSTRAP], "pointer over a plain element fetches nothing");
  assert.equal(await ready(page), false);

  await page.hover('[data-qc-add="mug"]');
  await eventually(() => ready(page), { what: "qc:ready after the pointer went over the button" });
  assert.ok(page.fetched.includes(WASM), `the wasm fetched on intent: ${page.fetched}`);
  assert.ok(page.fetched.includes(GLUE), `the glue fetched on intent: ${page.fetched}`);
  assert.equal(page.fetched.filter((p) => p === WASM).length, 1, "the wasm fetched once");
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.failedResponses, []);
});

test("a JS API call on an idle page starts the widget and is answered once it is ready", async () => {
  const page = await open();
  await page.waitForLoadState("networkidle");
  assert.deepEqual(page.fetched, [BOOTSTRAP]);
  const basket = await page.evaluate(() => window.QontoCheckout.add("mug", 2));
  assert.equal(basket.itemCount, 2, JSON.stringify(basket));
  assert.ok(page.fetched.includes(WASM));
  assert.deepEqual(page.problems, []);
});

test("a click before the wasm is ready adds the item once it is, the button busy meanwhile", async () => {
  let release;
  const gate = new Promise((r) => { release = r; });
  let wasmAsked = false;
  const page = await open({
    route: async (route) => {
      wasmAsked = true;
      await gate;
      await route.continue();
    },
  });
  const button = page.locator('[data-qc-add="mug"]');
  await button.click();
  await eventually(async () => wasmAsked, { what: "the wasm requested after the click" });
  assert.equal(await button.getAttribute("aria-busy"), "true", "the button says it is busy");
  assert.equal(await ready(page), false, "the widget is not ready yet");
  release();
  await eventually(() => ready(page), { what: "qc:ready once the wasm arrived" });
  const basket = await eventually(async () => {
    const b = await page.evaluate(() => window.QontoCheckout.basket());
    return b.itemCount === 1 && b;
  }, { what: "the early click's item in the basket" });
  assert.equal(basket.items[0].sku, "mug");
  assert.equal(await button.getAttribute("aria-busy"), null, "no longer busy");
  assert.equal(new URL(page.url()).pathname, "/about.html", "the page did not navigate");
  assert.deepEqual(page.problems, []);
});

test("the widget starts at once, with no intent, when the basket is not empty or the page gets prices", async () => {
  const withBasket = await open({ storage: { "qc-basket": "mug:1" } });
  await eventually(() => ready(withBasket), { what: "qc:ready with a stored basket" });
  assert.ok(withBasket.fetched.includes(WASM));
  const basket = await withBasket.evaluate(() => window.QontoCheckout.basket());
  assert.equal(basket.itemCount, 1);

  // An SPA adding a price to the page later: no intent needed either.
  const withPrice = await open();
  await withPrice.waitForLoadState("networkidle");
  assert.deepEqual(withPrice.fetched, [BOOTSTRAP]);
  await withPrice.evaluate(() => {
    const price = document.createElement("span");
    price.dataset.qcPrice = "mug";
    document.querySelector("#story").append(price);
  });
  await eventually(() => ready(withPrice), { what: "qc:ready once the page has a price" });
  assert.ok(withPrice.fetched.includes(WASM));
  assert.deepEqual([...withBasket.problems, ...withPrice.problems], []);
});

test("a page with prices and a product card in its HTML starts the widget at once and fills them in", async () => {
  const page = await watchedPage(browser);
  const fetched = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.origin === EDGE) fetched.push(url.pathname);
  });
  // The demo shop's home page: data-qc-price on every product, a
  // data-qc-product card; no basket, no intent.
  await page.goto(`${SHOP}/`);
  await eventually(() => ready(page), { what: "qc:ready with no intent" });
  assert.ok(fetched.includes(WASM), `the wasm fetched at once: ${fetched}`);
  await eventually(async () => (await page.locator('[data-qc-price="mug"]').textContent()) !== "", { what: "the mug's price" });
  assert.match(await page.locator('[data-qc-price="mug"]').textContent(), /^€\d+\.\d\d$/);
  assert.ok(fetched.includes("/v1/availability"), "the stock asked for the page's cards and buttons");
  assert.deepEqual(page.problems, []);
});
