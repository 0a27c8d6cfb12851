// The admin page: signs in with the admin token (kept in an HttpOnly cookie by
// the edge, never in a URL or in script-readable storage) and drives the admin
// API. No inline script or style anywhere, so the page runs under a strict CSP.

import { $, api, announce, when } from "/admin/common.js";

const state = { page: 1, perPage: 20, status: "", detail: null };
const money = (a) =>
  a && a.value ? new Intl.NumberFormat(document.documentElement.lang || "en", { style: "currency", currency: a.currency }).format(Number(a.value)) : "—";
function show(id, visible) {
  $(id).hidden = !visible;
}

function showSignIn(message) {
  show("app", false);
  show("sign-out", false);
  show("signin", true);
  const err = $("token-error");
  err.hidden = !message;
  err.textContent = message || "";
  $("token").focus();
}

async function signIn(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  if (!token) return showSignIn("Enter the admin token.");
  try {
    await api("POST", "/admin/session", { token });
    $("token").value = "";
    await load();
  } catch (e) {
    // 429 (too many wrong tokens) and 503 (a token too short) say why themselves.
    showSignIn(e.status === 401 ? "This token is not valid." : e.message);
  }
}

async function signOut() {
  await api("DELETE", "/admin/session").catch(() => {});
  showSignIn();
}

const QONTO_HELP = {
  connected: "The edge holds a Qonto token and refreshes it by itself.",
  not_authorized: "Connect Qonto to create payment links.",
  reauthorization_needed: "Qonto refused the stored authorization (revoked or expired): connect again.",
};

function renderStatus(s) {
  const q = $("qonto-state");
  q.textContent = s.qonto.replace(/_/g, " ");
  q.dataset.state = s.qonto;
  $("qonto-help").textContent = QONTO_HELP[s.qonto] || "";
  $("connect-qonto").textContent = s.qonto === "connected" ? "Reconnect Qonto" : "Connect Qonto";
  // Every problem and warning of the edge (the public /health only says ok or not).
  const items = (list) => (list || []).map((p) => Object.assign(document.createElement("li"), { textContent: p }));
  $("problems").replaceChildren(...items(s.problems));
  $("warnings").replaceChildren(...items(s.warnings));
  const c = $("connection-state");
  c.textContent = (s.connection || "unknown").replace(/_/g, " ");
  c.dataset.state = s.connection || "";
  $("connect-provider").open = s.connection === "not_connected" || s.connection === "disabled";
  $("methods").textContent = s.payment_methods && s.payment_methods.length ? s.payment_methods.join(", ") : "none";
  $("webhook-state").textContent = s.webhook_subscribed === true ? "yes" : s.webhook_subscribed === false ? "no" : "unknown";
  $("webhook-url").textContent = s.webhook_callback_url ? `(${s.webhook_callback_url})` : "";
  $("subscribe").disabled = s.webhook_subscribed === true || s.qonto !== "connected";
  if (!$("partner_callback_url").value) $("partner_callback_url").value = `${location.origin}/admin/`;
  renderOrganization(s);
}

// ---------------------------------------------------------------------------
// The connected organisation, the payments pause and the bank account list
// ---------------------------------------------------------------------------

/** The organisation's name and whether payments are paused (from /admin/status). */
function renderOrganization(s) {
  const name = $("organization-name");
  name.textContent = (s.organization && s.organization.name) || (s.qonto === "connected" ? "unknown (organization.read not granted)" : "not connected");
  const paused = $("payments-paused");
  paused.hidden = !s.payments_paused;
  paused.textContent = s.payments_paused ? "Payments are paused: reconnect. Qonto revoked the payment provider connection; press \"Reconnect Qonto\" and finish the payment provider connection." : "";
  const c = $("connection-state");
  if (s.payments_paused) {
    c.textContent = `paused (${(s.connection || "unknown").replace(/_/g, " ")})`;
    $("connect-provider").open = true;
  }
  if (s.qonto === "connected" && !state.organizationLoaded) loadBankAccounts().catch((e) => announce(e.message));
}

/** The organisation's bank accounts, to pick the one payment links credit. */
async function loadBankAccounts() {
  state.organizationLoaded = true;
  const org = await api("GET", "/admin/organization");
  const list = $("bank-account-choice");
  const accounts = org.available ? org.bank_accounts || [] : [];
  if (!accounts.length) {
    $("bank-account-reason").textContent = org.reason || "";
    show("bank-account-list", false);
    show("bank-account-manual", true);
    return;
  }
  list.replaceChildren(...accounts.map((a) => Object.assign(document.createElement("option"), {
    value: a.id,
    textContent: `${a.name || "Account"} (${a.iban || "no IBAN"})${a.main ? " — main account" : ""}`,
  })));
  $("user_bank_account_id").value = list.value;
  show("bank-account-list", true);
  show("bank-account-manual", false);
}

/** A connection Qonto already had (it allows one per user): show it. */
function renderExistingConnection(c) {
  const out = $("connection-result");
  const text = Object.assign(document.createElement("span"), {
    id: "existing-connection",
    textContent: `Qonto already has a payment provider connection for this user (status: ${c.status.replace(/_/g, " ")}${c.bank_account_id ? `, bank account ${c.bank_account_id}` : ""}). `,
  });
  out.replaceChildren(text);
  if (c.connection_location && c.status !== "enabled") {
    out.append(Object.assign(document.createElement("a"), { href: c.connection_location, textContent: "Continue at the payment provider", className: "button", id: "provider-onboarding" }));
  }
}

async function loadStatus() {
  renderStatus(await api("GET", "/admin/status"));
}

// Client-side checks mirror the edge's (which has the last word).
const CHECKS = {
  user_bank_account_id: (v) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? "" : "Enter the bank account id (a uuid, from Qonto)."),
  user_phone_number: (v) => (/^\+[1-9][0-9]{6,14}$/.test(v) ? "" : "Enter the phone number in international format, e.g. +33612345678."),
  business_description: (v) => {
    const n = [...v.trim()].length;
    if (n < 80) return `Describe the business in at least 80 characters (${n} so far).`;
    return n > 1000 ? `Keep the description to 1000 characters (${n} now).` : "";
  },
  user_website_url: (v) => (/^https?:\/\//.test(v) && !v.includes("@") ? "" : "Enter the business's website (or LinkedIn page), starting with http:// or https://."),
  partner_callback_url: (v) => (!v || /^https?:\/\//.test(v) ? "" : "Enter an address starting with http:// or https://."),
};

function fieldError(name, message) {
  const input = $(name);
  const out = $(`${name}-error`);
  if (!input || !out) return false;
  out.textContent = message;
  out.hidden = !message;
  input.setAttribute("aria-invalid", message ? "true" : "false");
  return Boolean(message);
}

async function connectProvider(event) {
  event.preventDefault();
  const form = event.target;
  const body = {};
  let first = null;
  for (const [name, check] of Object.entries(CHECKS)) {
    const value = form.elements[name].value.trim();
    if (value) body[name] = value;
    if (fieldError(name, check(value)) && !first) first = name;
  }
  if (first) return $(first).focus();
  $("connection-result").textContent = "Connecting…";
  try {
    const c = await api("POST", "/admin/connection", body);
    $("connection-result").textContent = `Status: ${c.status}.`;
    if (c.existing) {
      renderExistingConnection(c);
    } else if (c.connection_location) {
      const link = Object.assign(document.createElement("a"), { href: c.connection_location, textContent: "Continue at the payment provider", className: "button", id: "provider-onboarding" });
      $("connection-result").replaceChildren(link);
      link.focus();
    }
    await loadStatus();
  } catch (e) {
    $("connection-result").textContent = e.message;
    const problems = (e.body && e.body.error && (e.body.error.problems || [e.body.error])) || [];
    for (const p of problems) {
      const name = (p.field || "").replace(/^body\./, "");
      if (fieldError(name, p.message) && !first) first = name;
    }
    if (first) $(first).focus();
  }
}

async function subscribe() {
  $("subscribe").disabled = true;
  try {
    await api("POST", "/admin/webhook-subscription");
    announce("Webhook subscribed.");
  } catch (e) {
    announce(e.message);
  }
  await loadStatus();
}

async function loadCheckouts() {
  const q = new URLSearchParams({ page: state.page, per_page: state.perPage });
  if (state.status) q.set("status", state.status);
  const data = await api("GET", `/admin/checkouts?${q}`);
  const rows = data.checkouts.map((c) => {
    const tr = document.createElement("tr");
    const open = Object.assign(document.createElement("button"), { type: "button", textContent: c.id });
    open.dataset.id = c.id;
    open.addEventListener("click", () => openDetail(c.id));
    const who = c.customer ? `${c.customer.name || ""} ${c.customer.country ? `(${c.customer.country})` : ""}`.trim() : "—";
    const cells = [open, c.status, money(c.amount), who, when(c.created_at), when(c.paid_at)];
    for (const cell of cells) {
      const td = document.createElement("td");
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell;
      tr.append(td);
    }
    tr.children[1].dataset.status = c.status;
    return tr;
  });
  $("checkouts").tBodies[0].replaceChildren(...rows);
  const m = data.meta;
  $("page-info").textContent = `Page ${m.current_page} of ${m.total_pages} (${m.total_count} checkouts)`;
  $("prev").disabled = !m.prev_page;
  $("next").disabled = !m.next_page;
}

async function openDetail(id) {
  const [c, p] = await Promise.all([api("GET", `/admin/checkouts/${id}`), api("GET", `/admin/checkouts/${id}/payments`)]);
  state.detail = c;
  state.opener = document.activeElement;
  const facts = [
    ["Id", c.id], ["Reference", c.reference || "—"], ["Kind", c.kind], ["Status", c.link_status], ["Amount", money(c.amount)],
    ...(c.failure ? [["Refused", `${c.failure}: Qonto ${c.qonto_amount}, shop ${c.expected_amount} (check VAT_RATE_FORMAT)`]] : []),
    ...(c.review ? [["To review", `paid ${c.paid_amount} for a link of ${c.qonto_amount}`]] : []),
    ["Created", when(c.created_at)],
    ["Paid at", when(c.paid_at)], ["Payment link", c.payment_link_id || "—"], ["Invoice", c.invoice_id || "—"],
    ["Notification", notificationText(c.notification)],
  ];
  $("detail-facts").replaceChildren(...facts.flatMap(([k, v]) => [
    Object.assign(document.createElement("dt"), { textContent: k }),
    Object.assign(document.createElement("dd"), { textContent: v }),
  ]));
  const payments = (p.payments || []).map((x) =>
    Object.assign(document.createElement("li"), { textContent: `${x.status} · ${money(x.amount)} · ${x.payment_method || "—"} · ${when(x.created_at)}` }));
  $("payments").replaceChildren(...(payments.length ? payments : [Object.assign(document.createElement("li"), { textContent: "No payment yet." })]));
  const lines = (c.lines || []).map((l) =>
    Object.assign(document.createElement("li"), { textContent: `${l.quantity} × ${l.title} — ${money(l.gross)}` }));
  const discount = c.order && c.order.discount;
  if (discount) lines.push(Object.assign(document.createElement("li"), { textContent: `Code ${discount.code} — −${money(discount.amount)}` }));
  $("order-lines").replaceChildren(...lines);
  const customer = c.order && c.order.customer;
  const address = customer && customer.address;
  const parts = customer
    ? [customer.company, customer.vat_number && `VAT ${customer.vat_number}`, customer.name, customer.email,
      customer.phone, address && address.line1, address && address.line2,
      address && `${address.postal_code} ${address.city}`, address && address.country].filter(Boolean)
    : [c.customer_forgotten_at ? `Removed on ${when(c.customer_forgotten_at)}` : "—"];
  const terms = c.order && c.order.terms;
  if (terms) parts.push(`Accepted the terms (${terms.terms_url}) ${when(terms.accepted_at)}`);
  $("customer").replaceChildren(...parts.flatMap((p, i) => (i ? [document.createElement("br"), p] : [p])));
  $("deactivate").hidden = c.link_status !== "open";
  $("notify").hidden = c.status !== "paid";
  document.dispatchEvent(new CustomEvent("qc-admin:detail", { detail: c }));
  show("detail", true);
  $("detail").focus();
}

/** The merchant notification of a paid checkout, in a few words. */
function notificationText(n) {
  if (!n) return "—";
  const tries = `${n.attempts} attempt${n.attempts === 1 ? "" : "s"}`;
  if (n.state === "delivered") return `Delivered ${when(n.delivered_at)} (${tries})`;
  const error = n.last_error ? `, last: ${n.last_error}` : "";
  if (n.state === "pending") return `Pending, next ${when(n.next_attempt_at)} (${tries}${error})`;
  return `Failed (${tries}${error})`;
}

async function resendNotification() {
  if (!state.detail) return;
  try {
    const r = await api("POST", `/admin/checkouts/${state.detail.id}/notify`);
    announce(`Notification: ${notificationText(r.notification)}.`);
    await openDetail(state.detail.id);
  } catch (e) {
    announce(e.message);
  }
}

function closeDetail() {
  show("detail", false);
  if (state.opener && state.opener.isConnected) state.opener.focus();
}

function confirmDeactivate() {
  const dialog = $("confirm");
  dialog.returnValue = "";
  dialog.showModal();
}

async function onConfirmClosed() {
  if ($("confirm").returnValue !== "confirm" || !state.detail) return;
  try {
    await api("POST", `/admin/checkouts/${state.detail.id}/deactivate`);
    announce("Payment link deactivated.");
    await openDetail(state.detail.id);
    await loadCheckouts();
  } catch (e) {
    announce(e.message);
  }
}

async function load() {
  try {
    await loadStatus();
  } catch (e) {
    if (e.status === 401) return;
    throw e;
  }
  show("signin", false);
  show("app", true);
  show("sign-out", true);
  await loadCheckouts();
  if (new URLSearchParams(location.search).get("connected") === "1") announce("Qonto is connected.");
}

async function forgetCustomer(event) {
  event.preventDefault();
  const email = $("forget-email").value.trim();
  if (!email.includes("@")) {
    $("forget-result").textContent = "Enter the customer's e-mail address.";
    return $("forget-email").focus();
  }
  try {
    const r = await api("POST", "/admin/customers/forget", { email });
    $("forget-result").textContent = `Removed from ${r.checkouts_updated} order(s).`;
    $("forget-email").value = "";
    await loadCheckouts();
  } catch (e) {
    $("forget-result").textContent = e.message;
  }
}

function wire() {
  // Any script's call that finds the session ended shows the sign-in form.
  document.addEventListener("qc-admin:unauthorized", () => showSignIn());
  $("signin-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("connection-form").addEventListener("submit", connectProvider);
  $("subscribe").addEventListener("click", subscribe);
  $("status-filter").addEventListener("change", (e) => { state.status = e.target.value; state.page = 1; loadCheckouts(); });
  $("refresh").addEventListener("click", () => { loadStatus(); loadCheckouts(); });
  $("prev").addEventListener("click", () => { state.page -= 1; loadCheckouts(); });
  $("next").addEventListener("click", () => { state.page += 1; loadCheckouts(); });
  $("close-detail").addEventListener("click", closeDetail);
  $("detail").addEventListener("keydown", (e) => { if (e.key === "Escape") closeDetail(); });
  $("deactivate").addEventListener("click", confirmDeactivate);
  $("notify").addEventListener("click", resendNotification);
  $("confirm").addEventListener("close", onConfirmClosed);
  $("forget-form").addEventListener("submit", forgetCustomer);
  $("bank-account-choice").addEventListener("change", (e) => { $("user_bank_account_id").value = e.target.value; });
}

wire();
load().catch((e) => announce(e.message));
