// The admin page's dashboard: sales at a glance for a period, the revenue
// chart (SVG drawn by the edge) with the same figures as a table, the VAT
// report with its CSV export, and where checkouts are lost. Loaded by the
// admin page only; starts once the page shows the signed-in app.

import { $, api, onAppShown } from "/admin/common.js";

const dash = { period: "30d", from: "", to: "", lost: "abandoned", lostPage: 1 };

const get = (path) => api("GET", path);

function periodQuery() {
  const q = new URLSearchParams({ period: dash.period });
  if (dash.period === "custom") {
    q.set("from", dash.from);
    q.set("to", dash.to);
  }
  return q.toString();
}

function cells(row, values, header) {
  values.forEach((v, i) => {
    const cell = document.createElement(header && i === 0 ? "th" : "td");
    if (header && i === 0) cell.scope = "row";
    cell.textContent = v;
    row.append(cell);
  });
}

function fillTable(id, rows, rowHeaders = true) {
  const body = $(id).querySelector("tbody");
  body.replaceChildren();
  for (const values of rows) {
    const tr = document.createElement("tr");
    cells(tr, values, rowHeaders);
    body.append(tr);
  }
}

function fact(list, label, value, key) {
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value;
  dd.dataset.figure = key;
  const group = document.createElement("div");
  group.append(dt, dd);
  list.append(group);
}

function renderDashboard(d) {
  const cur = d.currency;
  $("dashboard-context").textContent =
    `${d.period.from} to ${d.period.to} (${d.period.days} days). Amounts in ${cur}; days in ${d.time_zone} time. ` +
    `Compared with ${d.previous_period.from} to ${d.previous_period.to}.`;
  const glance = $("glance");
  glance.replaceChildren();
  fact(glance, "Paid revenue (gross)", `${d.paid.gross} ${cur}`, "gross");
  fact(glance, "Net (excl. VAT)", `${d.paid.net} ${cur}`, "net");
  fact(glance, "VAT", `${d.paid.vat} ${cur}`, "vat");
  fact(glance, "Paid orders", String(d.paid.orders), "orders");
  fact(glance, "Average basket", d.paid.average_basket ? `${d.paid.average_basket} ${cur}` : "—", "average");
  const c = d.checkouts;
  fact(glance, "Checkouts started / paid", `${c.started} / ${c.paid}`, "started");
  fact(glance, "Conversion", c.conversion_percent ? `${c.conversion_percent} %` : "—", "conversion");
  fact(glance, "Abandoned · failed · expired", `${c.abandoned} · ${c.failed} · ${c.expired}`, "lost");
  fact(glance, "Previous period", `${d.previous_period.gross} ${cur}, ${d.previous_period.paid_orders} paid`, "previous");

  // The edge's SVG, parsed as SVG (not HTML) and adopted into the page.
  const svg = new DOMParser().parseFromString(d.chart_svg, "image/svg+xml").documentElement;
  $("chart").replaceChildren(document.importNode(svg, true));

  fillTable("daily", d.days.map((x) => [x.date, String(x.orders), `${x.gross} ${cur}`, x.previous_date, `${x.previous_gross} ${cur}`]));
  const product = (p) => [p.title, String(p.quantity), `${p.net} ${cur}`, `${p.gross} ${cur}`];
  fillTable("top-revenue", d.top_products_by_revenue.map(product));
  fillTable("top-quantity", d.top_products_by_quantity.map(product));
}

function renderVat(r) {
  const cur = r.currency;
  $("vat-context").textContent = `${r.period.from} to ${r.period.to}, ${r.time_zone} time. Amounts in ${cur}.`;
  const rows = r.rates.map((x) => [`${x.vat_rate} %`, `${x.net} ${cur}`, `${x.vat} ${cur}`, `${x.gross} ${cur}`, String(x.lines), String(x.shipping_lines)]);
  const t = r.basket_total;
  rows.push(["Total", `${t.net} ${cur}`, `${t.vat} ${cur}`, `${t.gross} ${cur}`, String(t.lines), ""]);
  fillTable("vat-rates", rows);
  const inv = r.invoices.map((i) => [i.invoice_number || i.checkout_id, i.debitor || "", `${i.net} ${cur}`, `${i.vat} ${cur}`, `${i.gross} ${cur}`, i.paid_at || ""]);
  const it = r.invoice_total;
  inv.push(["Total", "", `${it.net} ${cur}`, `${it.vat} ${cur}`, `${it.gross} ${cur}`, ""]);
  fillTable("vat-invoices", inv);
  $("vat-csv").href = `/admin/vat-report.csv?${periodQuery()}`;
}

async function loadDashboard() {
  const status = $("dashboard-status");
  status.textContent = "Loading…";
  try {
    const q = periodQuery();
    const [d, v] = await Promise.all([get(`/admin/dashboard?${q}`), get(`/admin/vat-report?${q}`)]);
    renderDashboard(d);
    renderVat(v);
    status.textContent = "";
    $("dashboard").dataset.loaded = d.period.from + "_" + d.period.to;
  } catch (e) {
    status.textContent = e.message;
  }
}

async function loadLost() {
  try {
    const r = await get(`/admin/lost-checkouts?reason=${dash.lost}&page=${dash.lostPage}&per_page=20`);
    fillTable("lost-table", r.checkouts.map((c) => [c.id, `${c.amount} ${c.currency}`, c.customer.email || "—", new Date(c.created_at).toLocaleString(), c.why]));
    $("lost-info").textContent = `${r.meta.total_count} checkout(s), page ${r.meta.current_page} of ${r.meta.total_pages}`;
    $("lost-prev").disabled = !r.meta.prev_page;
    $("lost-next").disabled = !r.meta.next_page;
    $("lost").dataset.reason = dash.lost;
  } catch (e) {
    $("lost-info").textContent = e.message;
  }
}

function wire() {
  $("period").addEventListener("change", (e) => {
    $("custom-dates").hidden = e.target.value !== "custom";
  });
  $("period-form").addEventListener("submit", (e) => {
    e.preventDefault();
    dash.period = $("period").value;
    dash.from = $("period-from").value;
    dash.to = $("period-to").value;
    loadDashboard();
  });
  for (const b of document.querySelectorAll("#lost-filters button")) {
    b.addEventListener("click", () => {
      dash.lost = b.dataset.reason;
      dash.lostPage = 1;
      for (const o of document.querySelectorAll("#lost-filters button")) o.setAttribute("aria-pressed", String(o === b));
      loadLost();
    });
  }
  $("lost-prev").addEventListener("click", () => { dash.lostPage -= 1; loadLost(); });
  $("lost-next").addEventListener("click", () => { dash.lostPage += 1; loadLost(); });
  // Start when the app is shown (after sign-in), and again on each showing.
  onAppShown(() => {
    loadDashboard();
    loadLost();
  });
}

wire();
