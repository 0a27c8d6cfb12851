// What every script of the admin page shares: the one call to the admin API
// (same-origin cookie, JSON in and out, the edge's error turned into an
// Error), the screen-reader announcement, dates, and "start when the signed-in
// app shows". Imported by admin.js, outbox.js, dashboard.js and share.js.

export const $ = (id) => document.getElementById(id);

export const when = (t) => (t ? new Date(t).toLocaleString() : "—");

// An answer of the admin API that is not 2xx: its message is the edge's (the
// first problem's when it lists them), `status` and `body` are kept.
export class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error;
    const problem = e && e.problems && e.problems[0];
    super((problem && problem.message) || (e && e.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// Calls the admin API. A 401 (the session ended) also tells the page, which
// shows the sign-in form again.
export async function api(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(path, init);
  const data = await resp.json().catch(() => null);
  if (resp.status === 401 && path !== "/admin/session") {
    document.dispatchEvent(new CustomEvent("qc-admin:unauthorized"));
  }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

// Says `text` in the page's live region (emptied first, so the same text
// twice is said twice).
export function announce(text) {
  const live = $("live");
  if (!live) return;
  live.textContent = "";
  setTimeout(() => (live.textContent = text), 30);
}

// Runs `start` each time the signed-in app is shown (at once if it is).
export function onAppShown(start) {
  const app = $("app");
  let started = false;
  const check = () => {
    if (app.hidden) { started = false; return; }
    if (started) return;
    started = true;
    start();
  };
  new MutationObserver(check).observe(app, { attributes: true, attributeFilter: ["hidden"] });
  check();
}
