// The admin page's discount codes: every code with what it takes off, its
// limits, its paid uses and the uses unpaid checkouts hold, its maximum uses
// changed in place, a switch to turn it on or off, and "Delete"; a form to
// create one (percent or fixed, with an optional minimum, validity window
// and maximum uses). Loaded by the admin page only.

import { $, api, announce, onAppShown, when } from "/admin/common.js";

function status(text) {
  $("codes-status").textContent = text;
  announce(text);
}

// Runs an admin call, then shows the table again; an error is said (the
// edge's message: a malformed setting, a name already taken).
async function change(method, path, body, done) {
  let said;
  try {
    said = done(await api(method, path, body));
  } catch (e) {
    said = e.message;
  }
  await load();
  status(said);
}

const cell = (text) => Object.assign(document.createElement("td"), { textContent: String(text) });
const amount = (a) => (a ? `${a.value} ${a.currency}` : "");

function value(c) {
  return c.kind === "percent" ? `${c.percent_basis_points / 100} %` : amount(c.amount);
}

function limits(c) {
  const parts = [];
  if (c.minimum) parts.push(`from ${amount(c.minimum)}`);
  if (c.valid_from) parts.push(`valid from ${when(c.valid_from)}`);
  if (c.valid_until) parts.push(`until ${when(c.valid_until)}`);
  return parts.join(", ") || "—";
}

function rowOf(c) {
  const tr = document.createElement("tr");
  tr.dataset.code = c.code;
  const th = Object.assign(document.createElement("th"), { scope: "row", textContent: c.code });
  const uses = `${c.uses}${c.max_uses === null ? "" : ` of ${c.max_uses}`}`;
  const path = `/admin/discount-codes/${encodeURIComponent(c.code)}`;
  const toggle = Object.assign(document.createElement("button"), {
    type: "button", textContent: c.active ? "Switch off" : "Switch on",
  });
  toggle.setAttribute("aria-label", `${c.active ? "Switch off" : "Switch on"} ${c.code}`);
  toggle.addEventListener("click", () =>
    change("PUT", path, { active: !c.active }, (row) => `${row.code} is ${row.active ? "on" : "off"}.`));
  const del = Object.assign(document.createElement("button"), { type: "button", textContent: "Delete" });
  del.setAttribute("aria-label", `Delete ${c.code}`);
  del.addEventListener("click", () => change("DELETE", path, undefined, () => `${c.code} is deleted.`));
  // The maximum uses, changed in place (blank: no limit).
  const max = document.createElement("form");
  max.className = "row";
  max.noValidate = true;
  const input = Object.assign(document.createElement("input"), {
    type: "number", min: "0", step: "1", className: "qty", value: c.max_uses === null ? "" : String(c.max_uses),
  });
  input.setAttribute("aria-label", `Maximum uses of ${c.code} (blank: no limit)`);
  const set = Object.assign(document.createElement("button"), { type: "submit", textContent: "Set" });
  set.setAttribute("aria-label", `Set the maximum uses of ${c.code}`);
  max.append(input, set);
  max.addEventListener("submit", (e) => {
    e.preventDefault();
    const max_uses = input.value === "" ? null : Number(input.value);
    change("PUT", path, { max_uses }, (row) =>
      `${row.code}: ${row.max_uses === null ? "no limit" : `at most ${row.max_uses} uses`}.`);
  });
  const actions = document.createElement("td");
  actions.append(max, " ", toggle, " ", del);
  tr.append(th, cell(value(c)), cell(limits(c)), cell(uses), cell(c.reserved), cell(c.active ? "on" : "off"), actions);
  return tr;
}

async function load() {
  try {
    const body = await api("GET", "/admin/discount-codes");
    const rows = body.discount_codes || [];
    $("codes-table").tBodies[0].replaceChildren(...rows.map(rowOf));
    $("codes-empty").hidden = rows.length > 0;
    $("codes-table").hidden = rows.length === 0;
  } catch (e) {
    status(e.message);
  }
}

// A date-time field's value as an instant (local time, as the browser shows it).
const instant = (id) => ($(id).value ? new Date($(id).value).toISOString() : null);

$("codes-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const fixed = $("code-kind").value === "fixed";
  const n = $("code-value").value.trim();
  const body = {
    code: $("code-name").value.trim(),
    ...(fixed ? { amount: n } : { percent_basis_points: Math.round(Number(n) * 100) }),
    minimum: $("code-minimum").value.trim() || null,
    valid_from: instant("code-from"),
    valid_until: instant("code-until"),
    max_uses: $("code-max").value ? Number($("code-max").value) : null,
  };
  change("POST", "/admin/discount-codes", body, (row) => `${row.code} is created: ${value(row)} off.`);
});

onAppShown(load);
