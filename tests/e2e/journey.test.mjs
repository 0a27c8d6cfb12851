// The whole shopper journey in Chromium: the demo shop (its own origin) with
// the one script tag, the real Worker under wrangler dev, the fake Qonto's
// payment page and webhooks, and back. Run by scripts/test.sh through
// `qc-stack run` (edge already connected to the fake Qonto).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, watchedPage, screenshot, control, edge, admin, eventually, EDGE, SHOP, FAKE } from "./lib.mjs";

const RECEIVED = process.env.QC_MERCHANT_RECEIVED_URL;
const STACK_CONTROL = process.env.QC_STACK_CONTROL_URL;
const CUSTOMER = { email: "ana.lopes@example.com", name: "Ana Lopes", line1: "1 rue de la Paix", postal: "75002", city: "Paris" };

let browser;
before(async () => { browser = await launch(); });
after(async () => browser && browser.close());

/** The widget inside its shadow root (Playwright's locators pierce open roots). */
const widget = (page) => page.locator("#qonto-checkout");
const dialog = (page) => widget(page).getByRole("dialog");

async function shop(path = "/", options) {
  const page = await watchedPage(browser, options);
  await page.goto(`${SHOP}${path}`);
  // A page with nothing to show yet starts the widget on intent; a JS API
  // call is one (bootstrap.test.mjs covers the others).
  await page.evaluate(() => window.QontoCheckout.basket());
  await page.waitForFunction(() => window.__qcEvents.some((e) => e.type === "qc:ready"));
  return page;
}

async function createCalls() {
  const all = await control("GET", "/requests?route=create_payment_link");
  return all.filter((r) => r.status === 201 && !r.idempotent_replay).length;
}

async function openBasket(page) {
  await page.getByRole("button", { name: "Basket", exact: true }).first().click();
  await dialog(page).waitFor();
}

async function fillDetails(page, { address = true } = {}) {
  const d = dialog(page);
  await d.getByRole("heading", { name: "Your details" }).waitFor();
  await d.getByLabel("Email").fill(CUSTOMER.email);
  await d.getByLabel("Full name").fill(CUSTOMER.name);
  if (address) {
    await d.getByLabel("Address", { exact: true }).fill(CUSTOMER.line1);
    await d.getByLabel("Postal code").fill(CUSTOMER.postal);
    await d.getByLabel("City").fill(CUSTOMER.city);
    await d.getByLabel("Country").selectOption("FR");
  }
  await acceptTerms(page);
}

/** The demo shop publishes terms (qc-stack run): they are ticked before Pay. */
async function acceptTerms(page) {
  await dialog(page).getByLabel("I accept the terms and conditions").check();
}

async function payOnQontoPage(page, outcome, expectedAmount) {
  await page.waitForURL(`${FAKE}/pay/**`);
  const amount = await page.locator("#amount").getAttribute("data-value");
  if (expectedAmount) assert.equal(amount, expectedAmount, "the payment page charges what the basket showed");
  const linkId = new URL(page.url()).pathname.split("/").pop();
  await page.locator({ paid: "#pay", failed: "#fail", canceled: "#cancel", expired: "#expire" }[outcome]).click();
  // Qonto sends the shopper back to the shop page the checkout started from
  // (redirect_url), naming the checkout: no Back button needed.
  await page.waitForURL((u) => u.href.startsWith(SHOP), { timeout: 20000 });
  return { linkId, amount };
}

test("basket with mixed VAT, pay, come back to a confirmation; the ledger and the merchant know", async () => {
  const page = await shop();
  await page.getByRole("button", { name: "Add to basket" }).first().click(); // T-shirt, 20 %
  await page.locator('[data-qc-add="coffee-250"]').click(); // coffee, 5.5 %
  await openBasket(page);
  const d = dialog(page);
  const qty = d.getByLabel("Quantity of Organic cotton T-shirt (M)", { exact: true });
  // 2 × 25.00 at 20 % and 1 × 10.99 at 5.5 %: VAT per line, half-up. (The
  // dialog re-renders as items arrive; retyping is what a shopper would do.)
  await eventually(async () => {
    if (/Total\s*€71\.59/.test(await d.textContent())) return true;
    await qty.fill("2");
    await qty.press("Enter");
    return false;
  }, { what: "total €71.59" }).catch(async (e) => { throw new Error(`${e.message}: ${await d.textContent()}`); });
  const text = await d.textContent();
  assert.match(text, /Subtotal excl\. VAT\s*€60\.99/);
  assert.match(text, /VAT 5\.5\s*%\s*€0\.60/);
  assert.match(text, /VAT 20\s*%\s*€10\.00/);
  await screenshot(page, "basket", { docs: true });

  await d.getByRole("button", { name: "Continue" }).click();
  // The shop's legal pages, in a new tab; Pay waits for the terms.
  for (const [name, path] of [["Terms and conditions", "/terms.html"], ["Right of withdrawal", "/withdrawal.html"], ["Privacy notice", "/privacy.html"]]) {
    const link = d.getByRole("link", { name });
    assert.equal(await link.getAttribute("href"), `${SHOP}${path}`);
    assert.equal(await link.getAttribute("target"), "_blank");
  }
  await d.getByLabel("Email").fill(CUSTOMER.email);
  const early = await createCalls();
  await d.getByRole("button", { name: /^Pay / }).click();
  await d.getByText("Please accept the terms and conditions.").waitFor();
  assert.equal(await createCalls(), early, "Pay waits for the terms: nothing sent");
  // A business buyer: company and VAT number (its format checked on leaving it).
  await d.getByLabel("Company (optional)").fill("Atelier Lopes SARL");
  await d.getByLabel("VAT number (optional)").fill("FR4030326504");
  await d.getByLabel("Email").focus();
  await d.getByText("This is not a valid EU VAT number.").waitFor();
  await d.getByLabel("VAT number (optional)").fill("FR 40 303 265 045");
  await fillDetails(page);
  // The goods reach 60.00: shipping to France is free.
  await eventually(async () => /Shipping\s*Free/.test(await d.textContent()), { what: "free shipping" });
  await screenshot(page, "details", { docs: true });
  const before = await createCalls();
  await d.getByRole("button", { name: /^Pay €71\.59$/ }).click();
  await page.waitForURL(`${FAKE}/pay/**`);
  await screenshot(page, "payment-page", { docs: true });
  const { linkId } = await payOnQontoPage(page, "paid", "71.59");
  assert.equal(await createCalls(), before + 1);

  // Back on the shop page, the confirmation shows at once, and the address
  // bar no longer names the checkout (a reload shows nothing again).
  await widget(page).getByText("Thank you!").first().waitFor({ timeout: 20000 });
  await eventually(async () => !page.url().includes("qc_checkout"), { what: "qc_checkout removed from the address bar" });
  assert.equal(new URL(page.url()).origin + new URL(page.url()).pathname, `${SHOP}/`);
  await screenshot(page, "confirmation", { docs: true });
  const basket = await page.evaluate(() => window.QontoCheckout.basket());
  assert.equal(basket.itemCount, 0, "the basket is cleared");

  const checkouts = (await admin("GET", "/admin/checkouts?status=paid&per_page=100")).json.checkouts;
  const mine = checkouts.find((c) => c.payment_link_id === linkId);
  assert.ok(mine, "the ledger has the paid checkout");
  assert.equal(mine.amount.value, "71.59");
  const received = await eventually(async () => {
    const all = await (await fetch(RECEIVED)).json();
    return all.find((n) => n.body.includes(mine.id));
  }, { what: "the merchant's notification" });
  const note = JSON.parse(received.body);
  assert.equal(note.type, "checkout.paid");
  assert.equal(note.checkout.order.customer.address.city, "Paris");
  // The business buyer and the acceptance of the terms, kept with the order.
  const detail = (await admin("GET", `/admin/checkouts/${mine.id}`)).json;
  assert.equal(detail.order.customer.company, "Atelier Lopes SARL");
  assert.equal(detail.order.customer.vat_number, "FR40303265045");
  assert.equal(detail.order.terms.terms_url, `${SHOP}/terms.html`);
  assert.ok(detail.order.terms.accepted_at, JSON.stringify(detail.order.terms));
  assert.deepEqual(page.problems, []);
});

test("a discount code typed in the basket is charged as shown, and the ledger and the code's uses have it", async () => {
  const code = `JOURNEY${Date.now() % 1000000}`;
  const created = await admin("POST", "/admin/discount-codes", { code, percent_basis_points: 1000 });
  assert.equal(created.status, 201, created.text);
  const page = await shop();
  await page.locator('[data-qc-add="tshirt-m"]').click(); // 25.00 at 20 %: 30.00
  await page.locator('[data-qc-add="coffee-250"]').click(); // 10.99 at 5.5 %: 11.59
  await openBasket(page);
  const d = dialog(page);
  await eventually(async () => /Total\s*€41\.59/.test(await d.textContent()), { what: "total €41.59" });
  await d.getByLabel("Discount code").fill(code.toLowerCase());
  await d.getByRole("button", { name: "Apply" }).click();
  await d.locator(".qc-code-on").getByText(`Code ${code} applied`).waitFor();
  // 10 % of 41.59 = 4.16 (half-up): 3.00 off the T-shirt (27.00: 22.50 net,
  // 4.50 VAT), 1.16 off the coffee (10.43: 9.89 net, 0.54 VAT).
  const text = await d.textContent();
  assert.match(text, new RegExp(`Discount \\(${code}\\)\\s*−€4\\.16`));
  assert.match(text, /Subtotal excl\. VAT\s*€32\.39/);
  assert.match(text, /VAT 5\.5\s*%\s*€0\.54/);
  assert.match(text, /VAT 20\s*%\s*€4\.50/);
  assert.match(text, /Total\s*€37\.43/);
  await d.getByRole("button", { name: "Continue" }).click();
  await fillDetails(page);
  const pay = d.getByRole("button", { name: /^Pay €/ });
  const shown = (await pay.textContent()).match(/€(\d+\.\d\d)/)[1];
  await pay.click();
  const { linkId } = await payOnQontoPage(page, "paid", shown);
  await widget(page).getByText("Thank you!").first().waitFor({ timeout: 20000 });

  const paid = (await admin("GET", "/admin/checkouts?status=paid&per_page=100")).json.checkouts;
  const mine = paid.find((c) => c.payment_link_id === linkId);
  assert.ok(mine, "the ledger has the paid checkout");
  assert.equal(mine.amount.value, shown);
  const detail = (await admin("GET", `/admin/checkouts/${mine.id}`)).json;
  assert.equal(detail.order.discount.code, code, JSON.stringify(detail.order));
  assert.equal(detail.order.discount.amount.value, "4.16");
  const listed = await eventually(async () => {
    const codes = (await admin("GET", "/admin/discount-codes")).json.discount_codes;
    const c = codes.find((x) => x.code === code);
    return c && c.uses === 1 && c;
  }, { what: "the code's use counted" });
  assert.equal(listed.uses, 1);
  assert.equal(await page.evaluate(() => localStorage.getItem("qc-code")), null, "the code goes with the paid basket");
  assert.deepEqual(page.problems, []);
});

for (const outcome of ["failed", "canceled"]) {
  test(`a ${outcome} payment keeps the basket, and "Try again" works`, async () => {
    const page = await shop();
    await page.locator('[data-qc-add="mug"]').first().click();
    await openBasket(page);
    await dialog(page).getByRole("button", { name: "Continue" }).click();
    await fillDetails(page);
    // Remembering is the shopper's choice (unticked by default).
    await dialog(page).getByLabel("Remember my details on this device").check();
    await dialog(page).getByRole("button", { name: /^Pay / }).click();
    await payOnQontoPage(page, outcome, "20.88");
    await widget(page).getByText("Payment not completed").first().waitFor({ timeout: 20000 });
    const kept = await page.evaluate(() => window.QontoCheckout.basket());
    assert.equal(kept.itemCount, 1, "the basket is kept");
    await dialog(page).getByRole("button", { name: "Try again" }).click();
    const again = dialog(page).getByRole("button", { name: "Continue" });
    if (await again.isVisible().catch(() => false)) await again.click();
    // Remembered details (the terms are accepted per order): straight to Pay.
    await acceptTerms(page);
    await dialog(page).getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(`${FAKE}/pay/**`);
    assert.equal(await page.locator("#amount").getAttribute("data-value"), "20.88");
    assert.deepEqual(page.problems, []);
  });
}

test("the catalog's prices on the page, and the hoodie bought in M / Navy from its product card", async () => {
  const page = await shop();
  // Prices VAT included, from the catalog, in the page's language.
  const price = (sku) => page.locator(`[data-qc-price="${sku}"]`).first();
  await eventually(async () => (await price("mug").textContent()) !== "", { what: "the mug's price" });
  assert.equal(await price("candle").textContent(), "€19.90", "a VAT-inclusive price as given");
  assert.equal(await price("hoodie").textContent(), "from €48.00", "a group's lowest price");

  const card = page.locator('[data-qc-product="hoodie"]');
  await card.getByLabel("Size").selectOption("M");
  await card.getByLabel("Colour").selectOption("Navy");
  await eventually(async () => /€48\.00/.test(await card.locator(".qc-cprice").textContent()), { what: "M / Navy's price" });
  assert.equal(await card.locator("img").getAttribute("alt"), "Fleece hoodie — M, Navy");
  await card.getByRole("button", { name: "Add to basket" }).click();
  await card.getByRole("button", { name: "Added" }).waitFor();
  const basket = await page.evaluate(() => window.QontoCheckout.basket());
  assert.deepEqual(basket.items.map((i) => [i.sku, i.quantity]), [["hoodie-m-navy", 1]]);

  await openBasket(page);
  const d = dialog(page);
  await d.getByText("Fleece hoodie — M, Navy", { exact: true }).waitFor();
  await d.getByRole("button", { name: "Continue" }).click();
  await fillDetails(page);
  await d.getByRole("button", { name: /^Pay / }).click();
  await page.waitForURL(`${FAKE}/pay/**`);
  assert.match(await page.textContent("body"), /Fleece hoodie — M, Navy/, "the variant's title is the item's name at Qonto");
  assert.deepEqual(page.problems, []);
});

test("buy now, and the invoice button", async () => {
  const page = await shop();
  await page.locator('[data-qc-buy="ebook"]').click();
  await fillDetails(page, { address: false });
  assert.equal(await dialog(page).getByLabel("Postal code").isVisible(), false, "no address for a service");
  await dialog(page).getByRole("button", { name: /^Pay €10\.54$/ }).click();
  await payOnQontoPage(page, "expired", "10.54");

  const invoicePage = await shop();
  await invoicePage.getByRole("button", { name: "Pay invoice INV-2025-0042" }).click();
  await invoicePage.waitForURL(`${FAKE}/pay/**`);
  assert.equal(await invoicePage.locator("#amount").getAttribute("data-value"), "120.00");
  assert.match(await invoicePage.textContent("body"), /INV-2025-0042/);
});

test("a request crafted in the page with a changed price or a negative quantity is refused, no link created", async () => {
  const page = await shop();
  const before = await createCalls();
  const results = await page.evaluate(async (edgeUrl) => {
    const post = (body) => fetch(`${edgeUrl}/v1/checkouts`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const customer = { email: "a@example.com", name: "A", address: { line1: "1 rue", postal_code: "75002", city: "Paris", country: "FR" } };
    return [
      await post({ items: [{ sku: "mug", quantity: 1, unit_price: { value: "0.01", currency: "EUR" } }], customer }),
      await post({ items: [{ sku: "mug", quantity: -1 }], customer }),
    ];
  }, EDGE);
  assert.equal(results[0].status, 400, JSON.stringify(results[0]));
  assert.equal(results[1].status, 422, JSON.stringify(results[1]));
  assert.equal(results[1].body.error.code, "quantity_out_of_range");
  assert.equal(results[1].body.error.field, "items[0].quantity");
  assert.equal(await createCalls(), before, "no payment link was created");
});

test("double-clicking Pay creates one payment link", async () => {
  const page = await shop();
  await page.locator('[data-qc-add="coffee-250"]').click();
  await openBasket(page);
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await fillDetails(page);
  const before = await createCalls();
  await dialog(page).getByRole("button", { name: /^Pay / }).dblclick();
  await page.waitForURL(`${FAKE}/pay/**`);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await createCalls(), before + 1);
});

test("under a strict CSP, buttons added after load (SPA) work", async () => {
  const page = await shop("/strict.csp.html");
  const csp = (await page.request.get(`${SHOP}/strict.csp.html`)).headers()["content-security-policy"];
  assert.match(csp, /script-src 'self' \S+ 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const spaButton = page.locator("#spa-products").getByRole("button", { name: "Add to basket" }).first();
  await spaButton.waitFor();
  await spaButton.click();
  await eventually(async () => (await page.evaluate(() => window.QontoCheckout.basket())).itemCount === 1, { what: "item added" });
  await openBasket(page);
  await dialog(page).getByText("Enamel camping mug").first().waitFor();
  assert.deepEqual(page.problems, [], "no CSP violation, no error");
});

test("the edge stopped mid-journey gives a clear message, and a retry after restart succeeds", async () => {
  const page = await shop();
  const errors = [];
  await page.exposeFunction("recordQcError", (d) => errors.push(d));
  await page.evaluate(() => document.addEventListener("qc:error", (e) => window.recordQcError(e.detail)));
  await page.locator('[data-qc-add="mug"]').first().click();
  await openBasket(page);
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await fillDetails(page);
  await fetch(`${STACK_CONTROL}/edge/stop`, { method: "POST" });
  try {
    await dialog(page).getByRole("button", { name: /^Pay / }).click();
    await dialog(page).getByText(/Can't reach the payment service|unavailable/).first().waitFor({ timeout: 20000 });
    assert.ok(errors.length >= 1, "a qc:error event");
  } finally {
    const r = await fetch(`${STACK_CONTROL}/edge/start`, { method: "POST" });
    assert.equal(r.status, 200, await r.text());
  }
  const retry = dialog(page).getByRole("button", { name: /^(Try again|Pay )/ }).first();
  await retry.click();
  const pay = dialog(page).getByRole("button", { name: /^Pay / });
  if (!page.url().startsWith(FAKE) && await pay.isVisible().catch(() => false)) await pay.click();
  await page.waitForURL(`${FAKE}/pay/**`, { timeout: 20000 });
  assert.equal(await page.locator("#amount").getAttribute("data-value"), "20.88");
});

test("screenshots: a French basket, and the basket at mobile width", async () => {
  const fr = await shop("/fr.html");
  await fr.locator('[data-qc-add="tshirt-m"]').first().click();
  await fr.locator('[data-qc-add="coffee-250"]').click();
  await fr.getByRole("button", { name: "Panier", exact: true }).first().click();
  await dialog(fr).waitFor();
  assert.match(await dialog(fr).textContent(), /Total/);
  assert.match(await dialog(fr).textContent(), /€|€/);
  await screenshot(fr, "basket-fr", { docs: true });

  const mobile = await shop("/", { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await mobile.locator('[data-qc-add="mug"]').first().click();
  await openBasket(mobile);
  const box = await dialog(mobile).boundingBox();
  assert.ok(box && box.width <= 360, `the dialog fits a 360 px screen (${box && box.width})`);
  await screenshot(mobile, "basket-mobile", { docs: true });
});
