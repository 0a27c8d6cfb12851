// The widget's load benchmark (not a test): headless Chromium with 4x CPU
// throttling and a throttled network (1.6 Mbit/s down, 750 kbit/s up, 150 ms
// round trip), printing for our widget and, in the same run, for Shopify's
// Buy Button script (its evaluation only: it needs a live store to do more).
//
//   bash scripts/bench-widget.sh        (runs this under `qc-stack run`)
//
// Ours, cold cache then warm cache:
// - an idle page (demo/about.html): bytes transferred on first load, and
//   from a click on the Basket button to the basket dialog open (the widget
//   is fetched, compiled and started in between);
// - a page with a stored basket (the widget starts at once): navigation to
//   `qc:ready`, bytes transferred;
// - main-thread time (Chromium's ScriptDuration and TaskDuration) and long
//   tasks (> 50 ms) from navigation to the end of each measure.
// Shopify's: bytes (its script gzip -9, as a CDN sends it), the same
// main-thread figures for loading and evaluating buybutton.min.js. (It is
// served through Playwright's routing, which the network throttling does
// not slow down: its time is the evaluation's.)
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const EDGE = process.env.QC_EDGE_URL;
const SHOP = process.env.QC_SHOP_URL;
const SHOPIFY = process.argv[2];
if (!EDGE || !SHOP || !SHOPIFY) {
  console.error("usage: qc-stack run -- node widget/tools/bench.mjs <buybutton.min.js>");
  process.exit(2);
}
const NETWORK = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

const browser = await chromium.launch({
  executablePath: process.env.QC_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});

/** A page with CPU and network throttling, counting bytes received and long tasks. */
async function throttled(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", NETWORK);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await cdp.send("Performance.enable");
  page.bytes = 0;
  cdp.on("Network.loadingFinished", (e) => { page.bytes += e.encodedDataLength; });
  page.metrics = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    return { script: m.ScriptDuration * 1000, task: m.TaskDuration * 1000 };
  };
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
    window.__ready = new Promise((r) => document.addEventListener("qc:ready", () => r(performance.now()), { once: true }));
  });
  return page;
}

const ms = (n) => `${Math.round(n)} ms`;
async function longTasks(page) {
  const d = await page.evaluate(() => window.__long);
  return `${d.length} (${ms(d.reduce((a, b) => a + b, 0))})`;
}
const rows = [];
const row = (product, cache, what, value) => rows.push([product, cache, what, value]);

async function idleClick(context, cache) {
  const page = await throttled(context);
  await page.goto(`${SHOP}/about.html`, { waitUntil: "networkidle" });
  row("ours", cache, "idle page: bytes transferred (page + bootstrap)", page.bytes);
  const opener = page.locator("[data-qc-open]");
  await opener.hover();
  const started = Date.now();
  await opener.click();
  await page.locator("#qonto-checkout dialog[open]").waitFor({ timeout: 60000 });
  row("ours", cache, "idle page: click on Basket -> basket open", ms(Date.now() - started));
  await page.waitForLoadState("networkidle");
  row("ours", cache, "idle page: bytes transferred, all (after the click)", page.bytes);
  const m = await page.metrics();
  row("ours", cache, "idle page: main thread, script / all tasks", `${ms(m.script)} / ${ms(m.task)}`);
  row("ours", cache, "idle page: long tasks", await longTasks(page));
  await page.close();
}

async function storedBasket(context, cache) {
  const page = await throttled(context);
  await page.addInitScript(() => localStorage.setItem("qc-basket", "mug:1"));
  await page.goto(`${SHOP}/about.html`);
  const ready = await page.evaluate(() => window.__ready);
  row("ours", cache, "stored basket: navigation -> qc:ready", ms(ready));
  await page.waitForLoadState("networkidle");
  row("ours", cache, "stored basket: bytes transferred", page.bytes);
  const m = await page.metrics();
  row("ours", cache, "stored basket: main thread, script / all tasks", `${ms(m.script)} / ${ms(m.task)}`);
  row("ours", cache, "stored basket: long tasks", await longTasks(page));
  await page.evaluate(() => localStorage.clear());
  await page.close();
}

async function shopify(context, cache) {
  const script = readFileSync(SHOPIFY);
  const gz = gzipSync(script, { level: 9 });
  const page = await throttled(context);
  // Served on the shop's origin as a CDN would (gzip); its evaluation only.
  await page.route(`${SHOP}/bench/buybutton.min.js`, (r) => r.fulfill({
    status: 200, body: gz,
    headers: { "content-type": "text/javascript", "content-encoding": "gzip", "cache-control": "max-age=3600" },
  }));
  await page.goto(`${SHOP}/about.html`, { waitUntil: "networkidle" });
  const before = await page.metrics();
  const started = Date.now();
  await page.evaluate(() => new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = "/bench/buybutton.min.js";
    s.onload = resolve;
    s.onerror = reject;
    document.head.append(s);
  }));
  row("Shopify Buy Button", cache, "script: fetch + evaluation", ms(Date.now() - started));
  row("Shopify Buy Button", cache, "script: bytes (gzip -9)", gz.length);
  const after = await page.metrics();
  row("Shopify Buy Button", cache, "script: main thread, script / all tasks",
    `${ms(after.script - before.script)} / ${ms(after.task - before.task)}`);
  row("Shopify Buy Button", cache, "long tasks (whole page)", await longTasks(page));
  await page.close();
}

const version = browser.version();
try {
  // Each scenario cold (a fresh profile), then warm (the same profile again).
  for (const run of [idleClick, storedBasket, shopify]) {
    const context = await browser.newContext();
    await run(context, "cold");
    await run(context, "warm");
    await context.close();
  }
} finally {
  await browser.close();
}
const width = Math.max(...rows.map((r) => r[2].length));
console.log(`widget benchmark, ${new Date().toISOString().slice(0, 10)}, Chromium ${version}, CPU 4x slower, network 1.6 Mbit/s, 150 ms RTT`);
for (const [product, cache, what, value] of rows) {
  console.log(`  ${product.padEnd(18)} ${cache.padEnd(4)} ${what.padEnd(width)}  ${value}`);
}
