// Shared helpers for the end-to-end tests: Debian's Chromium driven by
// playwright-core (never a downloaded browser), the stack's URLs from the
// environment `qc-stack run` sets, screenshots, and a watch on console errors
// and CSP violations.
import { chromium } from "playwright-core";
import { mkdirSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const EDGE = must("QC_EDGE_URL");
export const SHOP = must("QC_SHOP_URL");
export const FAKE = must("QC_FAKE_QONTO_URL");
export const ADMIN_TOKEN = must("QC_ADMIN_TOKEN");
const SHOTS = join(ROOT, "test-results", "screenshots");

function must(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the end-to-end tests through 'qc-stack run' (scripts/test.sh does)`);
  return v;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.QC_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/** A page that records console errors, page errors and CSP violations. */
export async function watchedPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.failedResponses = [];
  page.on("console", (m) => {
    // HTTP failures are recorded with their URL below; the console's own
    // "Failed to load resource" line has none.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) page.problems.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) page.failedResponses.push(`${r.status()} ${r.url()}`);
  });
  page.on("pageerror", (e) => page.problems.push(`uncaught: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
    // The widget's events, for tests to wait on and inspect.
    window.__qcEvents = [];
    for (const type of ["qc:ready", "qc:basket-changed", "qc:checkout-started", "qc:redirect", "qc:payment-status", "qc:error"]) {
      document.addEventListener(type, (e) => window.__qcEvents.push({ type, detail: e.detail }));
    }
  });
  return page;
}

/** Saves a screenshot under test-results/screenshots; `docs` also copies it to docs/. */
export async function screenshot(page, name, { docs = false, fullPage = false } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  if (docs && process.env.QC_UPDATE_DOCS === "1") {
    mkdirSync(join(ROOT, "docs", "screenshots"), { recursive: true });
    copyFileSync(file, join(ROOT, "docs", "screenshots", `${name}.png`));
  }
  return file;
}

export async function control(method, path, body) {
  const resp = await fetch(`${FAKE}/_control${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await resp.text();
  if (!resp.ok) throw new Error(`control ${method} ${path}: ${resp.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function edge(method, path, body, headers = {}) {
  const resp = await fetch(`${EDGE}${path}`, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    redirect: "manual",
  });
  const text = await resp.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: resp.status, json, text, headers: resp.headers };
}

export const admin = (method, path, body) => edge(method, path, body, { authorization: `Bearer ${ADMIN_TOKEN}` });

export async function eventually(check, { timeout = 10000, interval = 200, what = "condition" } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out waiting for ${what}: ${last}`);
}
