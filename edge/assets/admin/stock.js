// The admin page's stock: every tracked SKU with what is on hand, held by
// unpaid checkouts and left to sell, a field to set it, +1 / −1, and "Stop
// tracking"; a form to start tracking a catalog SKU. A SKU not tracked is
// unlimited. Loaded by the admin page only.

import { $, api, announce, onAppShown } from "/admin/common.js";

let titles = new Map();

function status(text) {
  $("stock-status").textContent = text;
  announce(text);
}

// Runs an admin stock call, then shows the table again; an error is said
// (the edge's message: a SKU the catalog does not sell, a stock below 0).
async function change(method, path, body, done) {
  let said;
  try {
    said = done(await api(method, path, body));
  } catch (e) {
    said = e.message;
  }
  // The table first, so what is said matches what is shown.
  await load();
  status(said);
}

function cell(text) {
  return Object.assign(document.createElement("td"), { textContent: String(text) });
}

function button(text, label, onClick) {
  const b = Object.assign(document.createElement("button"), { type: "button", textContent: text });
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

function rowOf(r) {
  const name = r.title || `${r.sku} (no longer in the catalog)`;
  const tr = document.createElement("tr");
  tr.dataset.sku = r.sku;
  const th = Object.assign(document.createElement("th"), { scope: "row", textContent: name });
  const set = document.createElement("td");
  const form = Object.assign(document.createElement("form"), { className: "row", noValidate: true });
  const input = Object.assign(document.createElement("input"), {
    type: "number", min: "0", step: "1", value: String(r.stock), id: `stock-${r.sku}`, className: "qty",
  });
  input.setAttribute("aria-label", `Stock of ${name}`);
  const save = Object.assign(document.createElement("button"), { type: "submit", textContent: "Set" });
  save.setAttribute("aria-label", `Set the stock of ${name}`);
  form.append(input, save);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const stock = Number(input.value);
    change("PUT", `/admin/stock/${encodeURIComponent(r.sku)}`, { stock }, (row) => `${name}: ${row.stock} in stock, ${row.available} left.`);
  });
  set.append(form);
  const adjust = (delta) => () =>
    change("POST", `/admin/stock/${encodeURIComponent(r.sku)}/adjust`, { delta }, (row) => `${name}: ${row.stock} in stock, ${row.available} left.`);
  const actions = document.createElement("td");
  actions.append(
    button("+1", `Add one ${name}`, adjust(1)), " ",
    button("−1", `Take one ${name} off`, adjust(-1)), " ",
    button("Stop tracking", `Stop tracking ${name}`, () =>
      change("DELETE", `/admin/stock/${encodeURIComponent(r.sku)}`, undefined, () => `${name} is no longer tracked (unlimited).`)),
  );
  tr.append(th, cell(r.reserved), cell(r.available), set, actions);
  return tr;
}

async function load() {
  try {
    const body = await api("GET", "/admin/stock");
    const rows = body.stock || [];
    $("stock-table").tBodies[0].replaceChildren(...rows.map(rowOf));
    $("stock-empty").hidden = rows.length > 0;
    $("stock-table").hidden = rows.length === 0;
    const tracked = new Set(rows.map((r) => r.sku));
    const select = $("stock-sku");
    select.replaceChildren(...[...titles].filter(([sku]) => !tracked.has(sku)).map(([sku, title]) =>
      Object.assign(document.createElement("option"), { value: sku, textContent: `${title} (${sku})` })));
  } catch (e) {
    status(e.message);
  }
}

async function start() {
  try {
    const catalog = await api("GET", "/v1/catalog");
    titles = new Map(catalog.products.map((p) => [p.sku, p.title]));
  } catch (e) {
    status(e.message);
  }
  await load();
}

$("stock-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const sku = $("stock-sku").value;
  const stock = Number($("stock-new").value);
  if (!sku) return;
  change("PUT", `/admin/stock/${encodeURIComponent(sku)}`, { stock }, (row) => `${titles.get(sku) || sku}: tracked, ${row.stock} in stock.`);
});

onAppShown(start);
