// Accessibility of the widget in Chromium, checked by axe-core (npm) on the
// demo shop with the real edge: the open basket, the details step and a
// product card with its variant picker must have no violation, including
// axe's experimental `label-content-name-mismatch` (a control's name must
// contain its visible text, for voice control). Run by scripts/test.sh
// through `qc-stack run`, beside the shopper journey.
//
// The hoodie card needs the catalog's variants (SPEC: `variant_products`):
// when the edge's answer has none, the test adds the hoodie's six variants
// to it (as the edge sends them), so the card is checked either way.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, watchedPage, eventually, ROOT, EDGE, SHOP } from "./lib.mjs";

const AXE = join(ROOT, "node_modules", "axe-core", "axe.min.js");

let browser;
before(async () => { browser = await launch(); });
after(async () => browser && browser.close());

/** `GET /v1/catalog` with the hoodie group added if the edge has none. */
async function withHoodie(route) {
  const response = await route.fetch();
  const catalog = await response.json();
  if (!catalog.variant_products) {
    const base = catalog.products.find((p) => p.sku === "tshirt-m");
    const values = [];
    for (const colour of ["Navy", "Sand"]) for (const size of ["S", "M", "L"]) values.push([size, colour]);
    for (const [size, colour] of values) {
      const large = size === "L";
      catalog.products.push({
        ...base,
        sku: `hoodie-${size}-${colour}`.toLowerCase(),
        title: `Fleece hoodie — ${size}, ${colour}`,
        unit_price: { value: large ? "42.00" : "40.00", currency: catalog.currency },
        unit_price_gross: { value: large ? "50.40" : "48.00", currency: catalog.currency },
        image_url: `/img/hoodie-${colour.toLowerCase()}.svg`,
        variant_of: "hoodie",
        option_values: [size, colour],
      });
    }
    catalog.variant_products = [{
      sku: "hoodie", title: "Fleece hoodie", description: "Brushed fleece.", image_url: "/img/hoodie-navy.svg",
      options: [{ name: "Size", values: ["S", "M", "L"] }, { name: "Colour", values: ["Navy", "Sand"] }],
      variants: values.map(([s, c]) => `hoodie-${s}-${c}`.toLowerCase()),
    }];
  }
  const headers = Object.fromEntries(Object.entries(response.headers())
    .filter(([name]) => !["content-length", "content-encoding"].includes(name)));
  await route.fulfill({ status: response.status(), headers, json: catalog });
}

/** axe over the whole page (the widget's open shadow roots included). */
async function violations(page, what) {
  const result = await page.evaluate(() => axe.run(document, {
    rules: { "label-content-name-mismatch": { enabled: true } },
  }));
  return result.violations.map((v) => `${what}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test("axe finds no violation on a product card, the variant picker, the open basket and the details step", async () => {
  const page = await watchedPage(browser);
  await page.route((url) => url.origin === EDGE && url.pathname === "/v1/catalog", withHoodie);
  await page.goto(`${SHOP}/`);
  await page.addScriptTag({ path: AXE });
  const card = page.locator('[data-qc-product="hoodie"]');
  await card.getByRole("button", { name: "Add to basket" }).waitFor();
  await eventually(async () => /€48\.00/.test(await card.locator(".qc-cprice").textContent()), { what: "the card's price" });
  const found = [...await violations(page, "product card")];

  await page.getByRole("button", { name: "Choose a size and colour" }).click();
  const picker = page.locator("#qonto-checkout").getByRole("dialog", { name: "Choose options" });
  await picker.waitFor();
  found.push(...await violations(page, "variant picker"));
  await picker.getByLabel("Size").selectOption("M");
  await picker.getByRole("button", { name: "Add to basket" }).click();
  await picker.waitFor({ state: "hidden" });

  // The floating basket button is named by what it shows.
  const toggle = page.locator("#qonto-checkout").getByRole("button", { name: /^Basket\W+1 item$/ });
  await toggle.waitFor();
  await toggle.click();
  const dialog = page.locator("#qonto-checkout").getByRole("dialog", { name: "Your basket" });
  await dialog.getByText("Fleece hoodie — M, Navy", { exact: true }).waitFor();
  found.push(...await violations(page, "open basket"));

  await dialog.getByRole("button", { name: "Continue" }).click();
  await page.locator("#qonto-checkout").getByRole("heading", { name: "Your details" }).waitFor();
  found.push(...await violations(page, "details step"));
  assert.deepEqual(found, []);
  assert.deepEqual(page.problems, []);
});
