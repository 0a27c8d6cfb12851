// The admin page's "links to share": payment links for catalog items or a
// free amount, single-use or reusable, with their URL, a copy button and a
// QR code (SVG drawn by the edge). Loaded by the admin page only.

import { $, api as call, onAppShown } from "/admin/common.js";

async function loadProducts() {
  const catalog = await call("GET", "/v1/catalog");
  const list = $("share-products");
  list.replaceChildren();
  for (const p of catalog.products) {
    const row = document.createElement("div");
    row.className = "row";
    const label = document.createElement("label");
    label.htmlFor = `share-qty-${p.sku}`;
    label.textContent = `${p.title} (${p.unit_price_gross.value} ${catalog.currency})`;
    const input = document.createElement("input");
    input.type = "number";
    input.min = "0";
    input.max = "999";
    input.value = "0";
    input.id = `share-qty-${p.sku}`;
    input.dataset.sku = p.sku;
    input.className = "qty";
    row.append(label, input);
    list.append(row);
  }
}

function showMode() {
  const free = $("share-mode-amount").checked;
  $("share-products").hidden = free;
  $("share-amount-fields").hidden = !free;
}

function showResult(link) {
  $("share-result").hidden = false;
  $("share-url").value = link.url;
  $("share-qr").src = link.qr_svg_url;
  $("share-qr").alt = `QR code of the payment link ${link.url}`;
  $("share-qr-download").href = link.qr_svg_url;
  $("share-result-title").textContent = `${link.title}: ${link.amount.value} ${link.amount.currency}, ${link.reusable ? "reusable" : "single use"}`;
}

async function createLink(event) {
  event.preventDefault();
  const out = $("share-status");
  const body = { title: $("share-title").value, reusable: $("share-reusable").checked };
  if ($("share-mode-amount").checked) {
    body.amount = $("share-amount").value;
    body.vat_rate = $("share-vat").value;
  } else {
    body.items = [...document.querySelectorAll("#share-products input.qty")]
      .map((i) => ({ sku: i.dataset.sku, quantity: Number(i.value) }))
      .filter((i) => i.quantity > 0);
  }
  try {
    const link = await call("POST", "/admin/share-links", body);
    out.textContent = "Link created.";
    showResult(link);
    loadLinks();
  } catch (e) {
    out.textContent = e.message;
  }
}

async function copyUrl() {
  const url = $("share-url").value;
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    $("share-url").select();
    document.execCommand("copy");
  }
  $("share-status").textContent = "Link copied.";
}

async function loadLinks() {
  const r = await call("GET", "/admin/share-links");
  const body = $("share-links").querySelector("tbody");
  body.replaceChildren();
  for (const l of r.share_links) {
    const tr = document.createElement("tr");
    const values = [l.title || "—", `${l.amount.value} ${l.amount.currency}`, l.reusable ? "Reusable" : "Single use", l.status, String(l.payments_recorded)];
    values.forEach((v, i) => {
      const cell = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) cell.scope = "row";
      cell.textContent = v;
      tr.append(cell);
    });
    const actions = document.createElement("td");
    const show = document.createElement("button");
    show.type = "button";
    show.textContent = "QR code";
    show.setAttribute("aria-label", `Show the link and QR code of ${l.title}`);
    show.addEventListener("click", () => showResult(l));
    actions.append(show);
    if (l.status === "open") {
      const off = document.createElement("button");
      off.type = "button";
      off.textContent = "Deactivate";
      off.setAttribute("aria-label", `Deactivate ${l.title}`);
      off.addEventListener("click", async () => {
        try {
          await call("POST", `/admin/checkouts/${l.id}/deactivate`);
          $("share-status").textContent = `${l.title} deactivated.`;
          loadLinks();
        } catch (e) {
          $("share-status").textContent = e.message;
        }
      });
      actions.append(" ", off);
    }
    tr.append(actions);
    body.append(tr);
  }
}

function wire() {
  $("share-form").addEventListener("submit", createLink);
  $("share-mode-items").addEventListener("change", showMode);
  $("share-mode-amount").addEventListener("change", showMode);
  $("share-copy").addEventListener("click", copyUrl);
  showMode();
  onAppShown(() => {
    loadProducts().catch((e) => ($("share-status").textContent = e.message));
    loadLinks().catch((e) => ($("share-status").textContent = e.message));
  });
}

wire();
