//! Pay: the payment link created with the attempt's idempotency key, and
//! the redirect to the payment page.

use js_sys::{Array, Object};
use shared::api::Customer;
use shared::digits::number;
use shared::Basket;
use wasm_bindgen::JsValue;
use web_sys::HtmlElement;

use crate::edge::{self, Created};
use crate::i18n::Msg;
use crate::js::{self, set};
use crate::problem::{Problem, SOLD_OUT};
use crate::store::{self, Pending, Purchase};

use super::bill::{blocker, summarize};
use super::state::Step;
use super::App;

impl App {
    /// Starts a payment: creates the payment link with the attempt's
    /// idempotency key (the body's: the same items and details reuse it)
    /// and leaves for the payment page. `customer`: the details step's (none
    /// for an invoice). Does nothing while a payment is already starting
    /// (double click).
    pub(crate) fn pay(
        self,
        what: Purchase,
        customer: Option<Customer>,
        opener: Option<HtmlElement>,
    ) {
        if matches!(self.step(), None | Some(Step::Paying | Step::Redirecting)) {
            return;
        }
        let Some(basket) = self.read(|s| s.basket.clone()) else {
            return;
        };
        let items = match &what {
            Purchase::Basket => Some(basket.clone()),
            Purchase::Items(items) => Some(items.clone()),
            Purchase::Invoice(_) => None,
        };
        self.open_dialog(opener);
        self.local.update_value(|l| l.last = Some(what.clone()));
        let terms = self.terms_required();
        let body = items.as_ref().map(|items| {
            let lang = self.lang().code();
            // The code only when it applies (its minimum reached): the
            // edge would refuse it otherwise.
            let code = self.read(|s| {
                let code = s.code()?;
                s.bill().discount.map(|_| code.code.clone())
            });
            edge::checkout_body(
                items,
                customer.as_ref(),
                lang,
                terms,
                code.flatten().as_deref(),
            )
        });
        // With analytics on: `begin_checkout`, and its data for `purchase`.
        let tracked = items.as_ref().and_then(|_| self.track_checkout());
        // The signature holds a hash of the body, not the body: the details
        // stay out of sessionStorage.
        let signature = match (&what, &body) {
            (Purchase::Invoice(id), _) => id.clone(),
            (_, body) => number(u64::from(fingerprint(body.as_deref().unwrap_or_default()))),
        };
        let key = store::attempt_key(&[what.kind(), ":", &signature].concat());
        self.write(|s| {
            s.step = Step::Paying;
            s.notice = None;
        });
        self.announce(self.t(Msg::Preparing));
        js::emit(
            "qc:checkout-started",
            &started_detail(&what, items.as_ref()),
            false,
        );

        let endpoint = self.endpoint();
        js::spawn(async move {
            let result = match (&what, &body) {
                (Purchase::Invoice(id), _) => {
                    edge::create_invoice_checkout(&endpoint, id, &key).await
                }
                (_, Some(body)) => edge::create_checkout(&endpoint, body, &key).await,
                (_, None) => Err(Problem::new("empty_basket", "")),
            };
            match result {
                Ok(created) => {
                    if let Some(json) = &tracked {
                        store::save_purchase(&created.id, json);
                    }
                    self.redirect(what, &basket, created, endpoint);
                }
                Err(problem) => {
                    if problem.code == "idempotency_key_reused" {
                        // The key was used for another body: this attempt
                        // cannot succeed with it. (Not for 409
                        // checkout_in_progress: the same key must come back.)
                        store::clear_attempt();
                    }
                    if let Purchase::Invoice(_) = what {
                        self.report(problem);
                        self.show(Step::Failed);
                    } else if !self.code_refused_at_pay(&problem) {
                        self.show(Step::Details);
                        let sold_out = (problem.code == SOLD_OUT)
                            .then(|| self.sold_out_item(&problem, &what))
                            .flatten();
                        if let Some(sku) = sold_out {
                            self.emit_error(&problem);
                            self.show_sold_out(sku);
                        } else if self.inline(&problem) {
                            self.emit_error(&problem);
                        } else {
                            self.report(problem);
                        }
                    }
                }
            }
        });
    }

    /// Why `what` cannot be paid now, if it cannot.
    pub(super) fn payable(self, what: &Purchase) -> Result<(), Problem> {
        let blocked = self
            .read(|s| {
                let items = match what {
                    Purchase::Items(items) => items,
                    _ => &s.basket,
                };
                let summary = summarize(items, &s.prices);
                blocker(&summary, &s.prices, *what == Purchase::Basket)
            })
            .ok_or_else(|| Problem::new("unmounted", ""))?;
        match blocked {
            Some((code, msg)) => {
                let mut problem = Problem::new(code, "");
                problem.msg = msg;
                Err(problem)
            }
            None => Ok(()),
        }
    }

    /// The link exists: remember it for the return, tell the host page
    /// (`qc:redirect`, cancelable) and go, unless the host page took over.
    pub(super) fn redirect(
        self,
        what: Purchase,
        basket: &Basket,
        created: Created,
        endpoint: String,
    ) {
        store::save_pending(&Pending {
            purchase: what,
            basket: basket.encode(),
            id: created.id.clone(),
            endpoint,
        });
        self.show(Step::Redirecting);
        self.announce(self.t(Msg::Redirecting));
        let detail = Object::new();
        set(&detail, "id", created.id.as_str());
        set(&detail, "url", created.url.as_str());
        if let Some(reference) = &created.reference {
            set(&detail, "reference", reference.as_str());
        }
        if js::emit("qc:redirect", &detail, true) {
            let went = js::window().is_some_and(|w| w.location().assign(&created.url).is_ok());
            if !went {
                self.report(Problem::new("redirect_failed", created.url));
                self.show(Step::Failed);
            }
        } else {
            // preventDefault(): the host page opens the payment page itself.
            self.show(Step::Basket);
            self.close_dialog();
        }
    }

    /// "Try again" on a result screen: an invoice is paid again at once, a
    /// basket or buy now goes back to the details step (the details may
    /// not be remembered, and the shopper may want to change them).
    pub(crate) fn retry(self) {
        let last = self
            .local
            .try_with_value(|l| l.last.clone())
            .flatten()
            .unwrap_or(Purchase::Basket);
        if let Purchase::Invoice(_) = last {
            self.pay(last, None, None);
        } else {
            self.checkout(last, None);
        }
    }
}

/// FNV-1a (32 bits): a short stand-in for a request body in the attempt's
/// signature.
fn fingerprint(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// `qc:checkout-started`'s detail: `{kind, items: [{sku, quantity}]}` or
/// `{kind: "invoice", invoiceId}`.
fn started_detail(what: &Purchase, items: Option<&Basket>) -> JsValue {
    let detail = Object::new();
    set(&detail, "kind", what.kind());
    if let Purchase::Invoice(id) = what {
        set(&detail, "invoiceId", id.as_str());
    }
    if let Some(items) = items {
        let list = Array::new();
        for line in items.lines() {
            let item = Object::new();
            set(&item, "sku", line.sku.as_str());
            set(&item, "quantity", line.quantity);
            list.push(&item);
        }
        set(&detail, "items", list);
    }
    detail.into()
}
