// The outbox part of the admin page's checkout detail: every message that
// followed the payment (merchant webhook, shopper's confirmation e-mail,
// merchant's copy) with its state, a link to its preview and "Send again".
// Kept apart from admin.js: it only listens for the detail being shown.

import { api, announce, when } from "/admin/common.js";

const LABELS = {
  merchant_webhook: "Merchant notification (webhook)",
  shopper_email: "Order confirmation to the shopper",
  merchant_copy: "Copy of the order to you",
  merchant_review: "Payment to check, to your server (webhook)",
};

function stateText(m) {
  const tries = `${m.attempts} attempt${m.attempts === 1 ? "" : "s"}`;
  if (m.state === "delivered") return `Sent ${when(m.delivered_at)} (${tries})`;
  const error = m.last_error ? `, last: ${m.last_error}` : "";
  if (m.state === "pending") return `Pending, next ${when(m.next_attempt_at)} (${tries}${error})`;
  return `Failed (${tries}${error})`;
}

async function sendAgain(checkout, m) {
  try {
    const body = await api("POST", m.send_again);
    announce(`${LABELS[m.kind] || m.kind}: ${stateText(body.message)}.`);
    render(await api("GET", `/admin/checkouts/${checkout.id}`));
  } catch (e) {
    announce(e.message);
  }
}

function render(checkout) {
  const list = document.getElementById("outbox-messages");
  if (!list) return;
  const messages = checkout.messages || [];
  if (!messages.length) {
    list.replaceChildren(Object.assign(document.createElement("li"), { textContent: "Nothing sent (not paid yet, or nothing configured)." }));
    return;
  }
  list.replaceChildren(...messages.map((m) => {
    const li = document.createElement("li");
    li.dataset.kind = m.kind;
    const label = Object.assign(document.createElement("strong"), { textContent: LABELS[m.kind] || m.kind });
    const state = Object.assign(document.createElement("span"), { textContent: ` — ${stateText(m)} ` });
    const preview = Object.assign(document.createElement("a"), { href: m.preview, target: "_blank", rel: "noopener", textContent: "Preview" });
    const again = Object.assign(document.createElement("button"), { type: "button", textContent: "Send again" });
    again.addEventListener("click", () => sendAgain(checkout, m));
    li.append(label, state, preview, " ", again);
    return li;
  }));
}

document.addEventListener("qc-admin:detail", (e) => render(e.detail));
