//! What the shopper and the host page are told: failures (the notice, the
//! live region, `qc:error`), and the basket as the host page sees it.

use js_sys::{Array, Object};
use shared::Money;
use wasm_bindgen::JsValue;

use crate::js::{self, set};
use crate::problem::Problem;

use super::App;

/// How long an error stays visible next to the toggle (dialog closed).
const TOAST_MS: i32 = 8_000;

impl App {
    /// Reports a failure: the shopper's text (in the dialog, or next to the
    /// toggle for a while), the live region, `qc:error` and the console.
    pub(crate) fn report(self, problem: Problem) {
        self.emit_error(&problem);
        let text = self.t(problem.msg);
        self.write(|s| s.notice = Some(problem.msg));
        self.announce(text);
        let id = self
            .local
            .try_update_value(|l| {
                l.notice_id = l.notice_id.wrapping_add(1);
                l.notice_id
            })
            .unwrap_or(0);
        js::spawn(async move {
            js::sleep(TOAST_MS).await;
            let current = self.local.try_with_value(|l| l.notice_id);
            if current == Some(id) && self.read(|s| s.open) == Some(false) {
                self.write(|s| s.notice = None);
            }
        });
    }

    /// Reports `result`'s failure, if any.
    pub(crate) fn run(self, result: Result<(), Problem>) {
        if let Err(problem) = result {
            self.report(problem);
        }
    }

    /// `qc:error` and the console only: for failures the shopper can do
    /// nothing about (a checkout unknown to the edge, a catalog problem that
    /// the dialog already explains).
    pub(super) fn emit_error(self, problem: &Problem) {
        js::warn(&problem.code, &problem.detail);
        let detail = Object::new();
        set(&detail, "code", problem.code.as_str());
        let message = if problem.detail.is_empty() {
            &problem.code
        } else {
            &problem.detail
        };
        set(&detail, "message", message.as_str());
        if problem.status != 0 {
            set(&detail, "status", problem.status);
        }
        js::emit("qc:error", &detail, false);
    }

    /// Puts `text` in the live region. The same text twice in a row gets a
    /// trailing no-break space, or screen readers would not repeat it.
    pub(crate) fn announce(self, text: &str) {
        self.write(|s| {
            s.live = if s.live == text {
                [text, "\u{a0}"].concat()
            } else {
                text.to_owned()
            };
        });
    }

    /// The basket for the host page (`qc:basket-changed`, `.basket()`):
    /// `{items: [{sku, title, quantity, unitPrice, lineTotal, available}],
    /// itemCount, currency, net, vat, gross}`; amounts are decimal strings
    /// such as `"12.00"`, or `null` while the prices are unknown.
    pub(crate) fn snapshot(self) -> JsValue {
        let Some(summary) = self.summary_now() else {
            return JsValue::NULL;
        };
        let amount = |m: Option<Money>| m.map_or(JsValue::NULL, |m| m.to_decimal().into());
        let items = Array::new();
        for line in &summary.lines {
            let item = Object::new();
            set(&item, "sku", line.sku.as_str());
            set(&item, "title", line.title.as_str());
            set(&item, "quantity", line.quantity);
            set(&item, "unitPrice", amount(line.unit));
            set(&item, "lineTotal", amount(line.total));
            set(&item, "available", !line.gone);
            items.push(&item);
        }
        let basket = Object::new();
        set(&basket, "items", items);
        set(&basket, "itemCount", summary.count);
        let totals = summary.totals.as_ref();
        set(
            &basket,
            "currency",
            totals.map_or(JsValue::NULL, |t| t.gross.currency().as_str().into()),
        );
        set(&basket, "net", amount(totals.map(|t| t.net)));
        set(&basket, "vat", amount(totals.map(|t| t.vat)));
        set(&basket, "gross", amount(totals.map(|t| t.gross)));
        basket.into()
    }
}
