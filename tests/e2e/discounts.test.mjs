// The admin page's discount codes in Chromium: create a code with the form,
// see it listed with its limits, change its maximum uses in place, switch it
// off and on, delete it; no console error or CSP violation on the way. Run
// through `qc-stack run`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, watchedPage, admin, eventually, EDGE, ADMIN_TOKEN } from "./lib.mjs";

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await watchedPage(browser);
});
after(async () => browser && browser.close());

test("the merchant creates, limits, switches off and deletes a code", async () => {
  const code = `E2E${Date.now() % 1000000}`;
  await page.goto(`${EDGE}/admin/`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#app").waitFor();

  const form = page.locator("#codes-form");
  await form.getByLabel("Code", { exact: true }).fill(code.toLowerCase());
  await form.getByLabel("Kind").selectOption("percent");
  await form.getByLabel("Off (percent or amount)").fill("12.5");
  await form.getByLabel("Minimum basket").fill("30.00");
  await form.getByLabel("Maximum uses").fill("5");
  await form.getByRole("button", { name: "Create" }).click();
  const row = page.locator(`#codes-table tr[data-code="${code}"]`);
  await row.waitFor();
  await eventually(async () => (await page.locator("#codes-status").textContent()) === `${code} is created: 12.5 % off.`, { what: "created" });
  const cells = await row.locator("td").allTextContents();
  assert.equal(cells[0], "12.5 %");
  assert.equal(cells[1], "from 30.00 EUR");
  assert.equal(cells[2], "0 of 5");
  assert.equal(cells[3], "0");
  assert.equal(cells[4], "on");
  let listed = (await admin("GET", "/admin/discount-codes")).json.discount_codes.find((c) => c.code === code);
  assert.equal(listed.percent_basis_points, 1250);
  assert.equal(listed.minimum.value, "30.00");

  await row.getByLabel(`Maximum uses of ${code} (blank: no limit)`).fill("");
  await row.getByRole("button", { name: `Set the maximum uses of ${code}` }).click();
  await eventually(async () => (await page.locator("#codes-status").textContent()) === `${code}: no limit.`, { what: "no limit" });
  await row.getByRole("button", { name: `Switch off ${code}` }).click();
  await eventually(async () => (await page.locator("#codes-status").textContent()) === `${code} is off.`, { what: "off" });
  listed = (await admin("GET", "/admin/discount-codes")).json.discount_codes.find((c) => c.code === code);
  assert.equal(listed.active, false);
  assert.equal(listed.max_uses, null);

  await page.locator(`#codes-table tr[data-code="${code}"]`).getByRole("button", { name: `Delete ${code}` }).click();
  await eventually(async () => (await page.locator("#codes-status").textContent()) === `${code} is deleted.`, { what: "deleted" });
  assert.equal(await page.locator(`#codes-table tr[data-code="${code}"]`).count(), 0);
  assert.deepEqual(page.problems, []);
});
