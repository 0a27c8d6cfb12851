// The merchant's admin page in Chromium, against an edge that starts NOT
// connected to the (fake) Qonto: sign in, connect Qonto through OAuth, start
// the payment provider connection, subscribe the webhook, find a paid
// checkout, deactivate an open one. Run by scripts/test.sh through
// `qc-stack run --no-connect`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { launch, watchedPage, screenshot, control, edge, admin, eventually, EDGE, SHOP, ADMIN_TOKEN, ROOT } from "./lib.mjs";

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await watchedPage(browser);
});
after(async () => browser && browser.close());

async function signIn(token) {
  await page.goto(`${EDGE}/admin/`);
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a wrong token is refused, and the API refuses without the cookie", async () => {
  await signIn("not-the-token-0123456789");
  await page.getByText("This token is not valid.").waitFor();
  assert.equal(await page.locator("#app").isHidden(), true);
  const r = await edge("GET", "/admin/status");
  assert.equal(r.status, 401);
  const bad = await edge("GET", "/admin/checkouts", null, { authorization: "Bearer nope" });
  assert.equal(bad.status, 401);
});

test("sign in with the keyboard, connect Qonto through OAuth", async () => {
  await page.goto(`${EDGE}/admin/`);
  await page.getByLabel("Admin token").focus();
  await page.keyboard.type(ADMIN_TOKEN);
  await page.keyboard.press("Enter");
  await page.locator("#app").waitFor();
  assert.equal(await page.locator("#qonto-state").getAttribute("data-state"), "not_authorized");
  // The session is a __Host- cookie (Secure, Path=/, no Domain), HttpOnly:
  // not readable by scripts, not in the URL.
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "__Host-qc_admin");
  assert.ok(session && session.httpOnly && session.secure && session.sameSite === "Strict" && session.path === "/", JSON.stringify(cookies));
  assert.equal(await page.evaluate(() => document.cookie.includes("qc_admin")), false);
  assert.ok(!page.url().includes(ADMIN_TOKEN));
  await screenshot(page, "admin-not-connected");

  await page.getByRole("link", { name: "Connect Qonto" }).click();
  // Qonto's consent (approved at once by the fake) sends the browser back to
  // the edge's callback, which says so and links back to the admin page.
  await page.locator('#result[data-outcome="connected"]').waitFor();
  await screenshot(page, "admin-oauth-connected");
  await page.getByRole("link", { name: "Back to the admin page" }).click();
  await page.locator("#app").waitFor();
  await eventually(async () => (await page.locator("#qonto-state").getAttribute("data-state")) === "connected", { what: "connected" });
  const health = await edge("GET", "/health");
  assert.equal(health.json.qonto, "connected");
});

test("start the payment provider connection with validation", async () => {
  await control("DELETE", "/connection");
  await page.reload();
  await eventually(async () => (await page.locator("#connection-state").getAttribute("data-state")) === "not_connected", { what: "not_connected" });
  const form = page.locator("#connection-form");
  // The bank account is chosen from the organisation's list: main first,
  // IBANs masked, no UUID to type.
  const accounts = form.getByLabel("Bank account credited by payments");
  await eventually(async () => (await accounts.locator("option").count()) === 2, { what: "two bank accounts" });
  const options = await accounts.locator("option").allTextContents();
  assert.deepEqual(options, ["Main account (FR76 •••• 0123) — main account", "Savings (FR76 •••• 0987)"]);
  assert.equal(await form.getByLabel("Bank account id").isVisible(), false, "no id to type");
  await accounts.selectOption({ label: "Main account (FR76 •••• 0123) — main account" });
  await form.getByLabel(/^Phone/).fill("0612345678");
  await form.getByLabel(/Business description/).fill("Too short.");
  await form.getByRole("button", { name: "Connect to the payment provider" }).click();
  await page.locator("#user_phone_number-error").getByText(/international format/).waitFor();
  await page.locator("#business_description-error").getByText(/at least 80 characters/).waitFor();
  assert.equal(await form.getByLabel(/^Phone/).getAttribute("aria-invalid"), "true");

  await form.getByLabel(/^Phone/).fill("+33612345678");
  await form.getByLabel(/Business description/).fill(
    "Atelier Démo roasts single-origin coffee in Lyon and sells beans, equipment and latte-art workshops online.");
  await form.getByLabel("Website").fill("https://atelier-demo.example");
  await form.getByRole("button", { name: "Connect to the payment provider" }).click();
  const onboarding = page.getByRole("link", { name: "Continue at the payment provider" });
  await onboarding.waitFor();
  await onboarding.click();
  await page.getByRole("button", { name: /complete onboarding/i }).click();
  await page.waitForURL(/\/admin\//);
  await eventually(async () => (await page.locator("#connection-state").getAttribute("data-state")) === "enabled", { what: "enabled" });
  const conn = await control("GET", "/connection");
  assert.equal(conn.bank_account_id, "46e9e0d2-f1af-4d2e-a6be-a536a604b89e", "the chosen account");
});

test("the connected organisation's name is on the admin page", async () => {
  await page.goto(`${EDGE}/admin/`);
  await page.locator("#app").waitFor();
  await eventually(async () => (await page.locator("#organization-name").textContent()) === "Atelier Démo SAS", { what: "the organisation's name" });
});

test("a second connection that Qonto refuses shows the existing one", async () => {
  await page.goto(`${EDGE}/admin/`);
  await page.locator("#app").waitFor();
  await page.locator("#connect-provider summary").click();
  const form = page.locator("#connection-form");
  await eventually(async () => (await form.getByLabel("Bank account credited by payments").locator("option").count()) === 2, { what: "the accounts" });
  await form.getByLabel(/^Phone/).fill("+33612345678");
  await form.getByLabel(/Business description/).fill(
    "Atelier Démo roasts single-origin coffee in Lyon and sells beans, equipment and latte-art workshops online.");
  await form.getByLabel("Website").fill("https://atelier-demo.example");
  await form.getByRole("button", { name: "Connect to the payment provider" }).click();
  const existing = page.locator("#existing-connection");
  await existing.waitFor();
  assert.match(await existing.textContent(), /already has a payment provider connection.*status: enabled/);
  assert.match(await page.locator("#connection-result").textContent(), /46e9e0d2-f1af-4d2e-a6be-a536a604b89e/);
});

test("subscribe the webhook", async () => {
  await page.goto(`${EDGE}/admin/`);
  await page.locator("#app").waitFor();
  await eventually(async () => (await page.locator("#webhook-state").textContent()) === "no", { what: "not subscribed" });
  await page.getByRole("button", { name: "Subscribe" }).click();
  await eventually(async () => (await page.locator("#webhook-state").textContent()) === "yes", { what: "subscribed" });
  const subs = await control("GET", "/subscriptions");
  const list = Array.isArray(subs) ? subs : subs.subscriptions;
  assert.ok(list.some((s) => s.callback_url === `${EDGE}/webhooks/qonto`), JSON.stringify(list));
  await screenshot(page, "admin", { docs: true, fullPage: true });
});

test("find a paid checkout, deactivate an open one", async () => {
  const customer = { email: "ana.lopes@example.com", name: "Ana Lopes",
    address: { line1: "1 rue de la Paix", postal_code: "75002", city: "Paris", country: "FR" } };
  const paid = await edge("POST", "/v1/checkouts", { items: [{ sku: "mug", quantity: 2 }], customer, terms_accepted: true }, { "idempotency-key": `admin-paid-${Date.now()}` });
  assert.equal(paid.status, 201, paid.text);
  const open = await edge("POST", "/v1/checkouts", { items: [{ sku: "ebook", quantity: 1 }], terms_accepted: true }, { "idempotency-key": `admin-open-${Date.now()}` });
  assert.equal(open.status, 201, open.text);
  const paidLink = new URL(paid.json.url).pathname.split("/").pop();
  await control("POST", `/payment_links/${paidLink}/pay`);
  await eventually(async () => (await admin("GET", `/admin/checkouts/${paid.json.id}`)).json.status === "paid", { what: "paid" });

  await page.goto(`${EDGE}/admin/`);
  await page.locator("#app").waitFor();
  await page.getByLabel("Status").selectOption("paid");
  const paidRow = page.locator("#checkouts tbody tr", { hasText: paid.json.id });
  await paidRow.waitFor();
  assert.match(await paidRow.textContent(), /paid/);

  await page.getByLabel("Status").selectOption("open");
  const openButton = page.getByRole("button", { name: open.json.id });
  await openButton.click();
  await page.locator("#detail").waitFor();
  await page.getByRole("button", { name: "Deactivate" }).click();
  const dialog = page.getByRole("dialog", { name: /Deactivate this payment link/ });
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "Deactivate" }).click();
  const openLink = new URL(open.json.url).pathname.split("/").pop();
  await eventually(async () => (await control("GET", `/payment_links/${openLink}`)).status === "canceled"
    || (await control("GET", `/payment_links/${openLink}`)).payment_link?.status === "canceled", { what: "canceled at Qonto" });
  await eventually(async () => /canceled/.test(await page.locator("#detail-facts").textContent()), { what: "canceled in the page" });
  assert.deepEqual(page.problems, []);
  // Only the sign-in checks answered 401 (before signing in, and the wrong token).
  assert.deepEqual(page.failedResponses.filter((r) => !/^401 .*\/admin\/(status|session)$/.test(r)), []);
});

test("orders show the customer and address, export as CSV, and a customer can be forgotten", async () => {
  await page.goto(`${EDGE}/admin/`);
  await page.locator("#app").waitFor();
  await page.getByLabel("Status").selectOption("paid");
  const row = page.locator("#checkouts tbody tr", { hasText: "Ana Lopes" }).first();
  await row.waitFor();
  await row.getByRole("button").click();
  await page.locator("#customer", { hasText: "75002 Paris" }).waitFor();
  // The merchant's server acknowledged the paid notification; it can be sent again.
  await eventually(async () => /Notification\s*Delivered/.test(await page.locator("#detail-facts").textContent()),
    { what: "the notification delivered" });
  await page.getByRole("button", { name: "Send the notification again" }).click();
  await eventually(async () => /Notification: Delivered/.test(await page.locator("#live").textContent()),
    { what: "the notification sent again" });
  // Every message that followed the payment, each with a preview: the
  // shopper's confirmation opens as the e-mail it was.
  const confirmation = page.locator("#outbox-messages li[data-kind=shopper_email]");
  await eventually(async () => /Order confirmation to the shopper\s*—\s*Sent/.test(await confirmation.textContent()),
    { what: "the shopper's confirmation listed as sent" });
  const preview = await page.request.get(`${EDGE}${await confirmation.getByRole("link", { name: "Preview" }).getAttribute("href")}`);
  assert.equal(preview.status(), 200);
  assert.match(await preview.text(), /Order confirmation ck_[0-9a-f]{24}/);
  assert.match(await page.locator("#customer").textContent(), /ana\.lopes@example\.com/);
  assert.match(await page.locator("#order-lines").textContent(), /Enamel camping mug/);
  assert.match(await page.locator("#order-lines").textContent(), /Shipping \(France\)/);

  // The export is authenticated by the same HttpOnly cookie.
  const csv = await page.request.get(`${EDGE}/admin/orders.csv`);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()["content-type"], /text\/csv/);
  const text = await csv.text();
  assert.match(text.split("\r\n")[0], /^checkout_id,created_at,paid_at,status,amount/);
  assert.match(text, /Ana Lopes/);
  assert.match(text, /1 rue de la Paix,,75002,Paris,FR,France/);
  const anonymous = await edge("GET", "/admin/orders.csv");
  assert.equal(anonymous.status, 401);

  await page.getByLabel("Customer e-mail").fill("Ana.Lopes@example.com");
  await page.getByRole("button", { name: "Forget this customer" }).click();
  await page.locator("#forget-result", { hasText: /Removed from [1-9]\d* order/ }).waitFor();
  const after = await (await page.request.get(`${EDGE}/admin/orders.csv`)).text();
  assert.doesNotMatch(after, /Ana Lopes|ana\.lopes|rue de la Paix/);
  assert.ok(after.split("\r\n").length >= 3, "the orders themselves are kept");
  await screenshot(page, "admin-orders", { fullPage: true });
});

test("a revoked connection: the admin page and the widget say payments are paused, until it is enabled again", async () => {
  const paused = page.locator("#payments-paused");
  await control("PUT", "/connection", { status: "disabled" });
  await eventually(async () => (await edge("GET", "/health")).json.payments === "paused", { what: "/health paused" });
  const health = await edge("GET", "/health");
  assert.equal(health.status, 503);
  assert.equal(health.json.problems, undefined, "the public /health lists no problems");
  const status = await admin("GET", "/admin/status");
  assert.ok(status.json.problems.some((p) => p.startsWith("payments are paused: reconnect")), JSON.stringify(status.json));
  await page.goto(`${EDGE}/admin/`);
  await page.locator("#app").waitFor();
  await paused.waitFor();
  assert.match(await paused.textContent(), /^Payments are paused: reconnect/);
  assert.match(await page.locator("#connection-state").textContent(), /^paused/);
  await screenshot(page, "admin-payments-paused");

  // The shopper's Pay says so, in the page's language.
  const shop = await watchedPage(browser);
  await shop.goto(`${SHOP}/`);
  // The widget starts on intent on a page with nothing to show: a JS API call is one.
  await shop.evaluate(() => window.QontoCheckout.basket());
  await shop.waitForFunction(() => window.__qcEvents.some((e) => e.type === "qc:ready"));
  await shop.locator('[data-qc-buy="ebook"]').click();
  const d = shop.locator("#qonto-checkout").getByRole("dialog");
  await d.getByRole("heading", { name: "Your details" }).waitFor();
  await d.getByLabel("Email").fill("ana.lopes@example.com");
  await d.getByLabel("Full name").fill("Ana Lopes");
  await d.getByLabel("I accept the terms and conditions").check();
  await d.getByRole("button", { name: /^Pay / }).click();
  await d.getByText("Payments are paused for this shop. Please try again later.").first().waitFor({ timeout: 20000 });
  const error = await shop.evaluate(() => window.__qcEvents.filter((e) => e.type === "qc:error").map((e) => e.detail.code));
  assert.ok(error.includes("payments_paused"), JSON.stringify(error));
  await shop.context().close();

  await control("PUT", "/connection", { status: "enabled" });
  await eventually(async () => (await edge("GET", "/health")).json.payments === "active", { what: "/health active" });
  await page.reload();
  await page.locator("#app").waitFor();
  await eventually(async () => (await page.locator("#connection-state").getAttribute("data-state")) === "enabled", { what: "enabled" });
  assert.equal(await paused.isHidden(), true);
});

test("the dashboard shows the period's figures, the revenue chart and the same figures as a table", async () => {
  // A ledger with a few weeks of sales, written straight into the edge's
  // local D1 (as the benchmark does), so the chart has something to draw.
  const state = dirname(process.env.QC_EDGE_LOG);
  const lines = (sku, title, qty, unit, rate, net, vat, gross) => JSON.stringify([{ sku, title, quantity: qty,
    unit_price: { value: unit, currency: "EUR" }, vat_rate: rate, net: { value: net, currency: "EUR" },
    vat: { value: vat, currency: "EUR" }, gross: { value: gross, currency: "EUR" } }]).replaceAll("'", "''");
  const kinds = [
    ["tshirt-m", "Organic cotton T-shirt (M)", 2, "25.00", "20.0", "50.00", "10.00", "60.00", 5000, 1000],
    ["coffee-250", "Single-origin coffee beans, 250 g", 3, "10.99", "5.5", "32.97", "1.81", "34.78", 3297, 181],
    ["workshop", "Latte-art workshop, 2 hours", 1, "45.00", "10.0", "45.00", "4.50", "49.50", 4500, 450],
  ];
  const now = Date.now();
  const rows = [];
  for (let i = 1; i <= 90; i++) {
    const [sku, title, qty, unit, rate, net, vat, gross, netMinor, vatMinor] = kinds[(i * 7) % 3];
    const created = new Date(now - (i * 16 + ((i * i * 37) % 13)) * 3600 * 1000).toISOString();
    const status = i % 9 === 0 ? "expired" : i % 7 === 0 ? "open" : "paid";
    const id = `ck_e${i.toString(16).padStart(23, "0")}`;
    rows.push(`INSERT INTO checkouts (id, kind, request_hash, status, last_payment_status, currency, net_minor, vat_minor,
      expected_gross_minor, qonto_amount_minor, lines_json, order_json, created_at, updated_at, paid_at) VALUES ('${id}', 'basket',
      'e2e', '${status}', ${status === "paid" ? "'paid'" : "NULL"}, 'EUR', ${netMinor}, ${vatMinor}, ${netMinor + vatMinor},
      ${netMinor + vatMinor}, '${lines(sku, title, qty, unit, rate, net, vat, gross)}', '{}', '${created}', '${created}',
      ${status === "paid" ? `'${created}'` : "NULL"});`);
  }
  execFileSync(join(ROOT, "node_modules", ".bin", "wrangler"),
    ["d1", "execute", "qonto-checkout", "--local", "--persist-to", state, "--command", rows.join(" ")],
    { cwd: ROOT, stdio: "pipe", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" } });

  // (wrangler dev may be reloading the Worker just then: ask again.)
  let api;
  await eventually(async () => {
    api = await admin("GET", "/admin/dashboard?period=30d").catch(() => null);
    return api && api.status === 200;
  }, { what: "the dashboard's figures" });
  assert.ok(api.json.paid.orders >= 30, JSON.stringify(api.json.paid));

  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(`${EDGE}/admin/`);
  await page.locator("#app").waitFor();
  await page.getByLabel("Period", { exact: true }).selectOption("30d");
  await page.getByRole("button", { name: "Show" }).click();
  await page.locator("#dashboard[data-loaded]").waitFor();
  // The figures at a glance are the API's.
  const figure = (key) => page.locator(`#glance [data-figure="${key}"]`).textContent();
  assert.equal(await figure("orders"), String(api.json.paid.orders));
  assert.equal(await figure("gross"), `${api.json.paid.gross} EUR`);
  assert.match(await page.locator("#dashboard-context").textContent(), /Amounts in EUR; days in Europe\/Paris time/);
  // The chart: an SVG image with a bar per day, described for screen readers.
  const chart = page.getByRole("img", { name: /Paid revenue per day/ });
  await chart.waitFor();
  assert.equal(await page.locator("#chart svg rect.current").count(), 30);
  assert.ok(await page.locator("#chart svg rect.previous").count() > 0, "the previous period is drawn");
  // The same figures as a table: a row per day, summing to the period's revenue.
  const table = page.getByRole("table", { name: "Paid revenue per day, with the previous period" });
  assert.equal(await table.locator("tbody tr").count(), 30);
  const cents = (await table.locator("tbody tr td:nth-child(3)").allTextContents())
    .map((t) => Math.round(Number(t.replace(" EUR", "")) * 100)).reduce((a, b) => a + b, 0);
  assert.equal(cents, Math.round(Number(api.json.paid.gross) * 100));
  assert.ok(await page.getByRole("table", { name: "Top products by revenue" }).locator("tbody tr").count() >= 3);
  // The VAT report of the same period, and its CSV behind the same cookie.
  const vat = page.getByRole("table", { name: /Paid basket lines per VAT rate/ });
  assert.match(await vat.textContent(), /20\.0 %/);
  const csv = await page.request.get(await page.locator("#vat-csv").evaluate((a) => a.href));
  assert.equal(csv.status(), 200);
  assert.equal((await csv.text()).split("\r\n")[0],
    "section,vat_rate,lines,shipping_lines,net,vat,gross,currency,checkout_id,invoice_number,debitor,paid_at,period_from,period_to,time_zone");
  // Where checkouts are lost: the expired ones, each with why.
  await page.getByRole("button", { name: "Expired", exact: true }).click();
  await page.locator('#lost[data-reason="expired"]').waitFor();
  await page.locator("#lost-table tbody tr", { hasText: "The link expired" }).first().waitFor();

  const shot = await page.locator("#dashboard").screenshot({ path: join(ROOT, "test-results", "screenshots", "dashboard.png") });
  if (process.env.QC_UPDATE_DOCS === "1") writeFileSync(join(ROOT, "docs", "screenshots", "dashboard.png"), shot);
  assert.deepEqual(page.problems, []);
});

test("a reusable link to share for a free amount, with its URL, copy button and QR code", async () => {
  await page.goto(`${EDGE}/admin/`);
  await page.locator("#app").waitFor();
  const share = page.locator("#share");
  await share.getByLabel("Title").fill("Deposit: Saturday workshop");
  await share.getByLabel("A free amount").check();
  await share.getByLabel("Amount, excluding VAT").fill("25.00");
  await share.getByLabel("VAT rate").selectOption("20");
  await share.getByLabel("Reusable (many payments)").check();
  await share.getByRole("button", { name: "Create the link" }).click();
  await share.locator("#share-result:not([hidden])").waitFor();
  const url = await share.getByLabel("Link", { exact: true }).inputValue();
  assert.match(url, /^https?:\/\//);
  assert.match(await share.locator("#share-result-title").textContent(), /30\.00 EUR, reusable/);
  // The QR code is an image the page loaded (an SVG behind the session cookie).
  const qr = share.getByRole("img", { name: /QR code of the payment link/ });
  await qr.waitFor();
  await eventually(async () => (await qr.evaluate((img) => img.complete && img.naturalWidth)) > 0, { what: "the QR code loaded" });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: EDGE });
  await share.getByRole("button", { name: "Copy the link" }).click();
  await share.locator("#share-status", { hasText: "Link copied." }).waitFor();
  const row = share.locator("#share-links tbody tr", { hasText: "Deposit: Saturday workshop" });
  await row.waitFor();
  assert.match(await row.textContent(), /Reusable/);
  await screenshot(page, "admin-share-link");
  assert.deepEqual(page.problems, []);
});

test("signing out ends the session on the edge, not only in this browser", async () => {
  await page.goto(`${EDGE}/admin/`);
  await page.locator("#app").waitFor();
  const session = (await page.context().cookies()).find((c) => c.name === "__Host-qc_admin");
  assert.ok(session, "signed in");
  const cookie = `${session.name}=${session.value}`;
  assert.equal((await edge("GET", "/admin/status", null, { cookie })).status, 200);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.locator("#signin").waitFor();
  await eventually(async () => (await edge("GET", "/admin/status", null, { cookie })).status === 401, { what: "the old cookie refused" });
  assert.deepEqual(page.problems, []);
});
