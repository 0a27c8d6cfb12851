//! The details step's actions: Continue, Back, a field committed,
//! remember/forget, Pay (submit), and the edge's problems shown inline.

use shared::api::Customer;
use web_sys::HtmlElement;

use crate::details::{self, Errors, Values, COUNTRY, TERMS};
use crate::i18n::Msg;
use crate::js::{self, set};
use crate::problem::Problem;
use crate::store::{self, Purchase};

use super::bill::Ship;
use super::state::Step;
use super::App;

impl App {
    /// Continue (the basket), Buy now (`Purchase::Items`) or `checkout()`:
    /// opens the dialog on the details step for `what`. A basket that cannot
    /// be paid stays on the basket step, which says why.
    pub(crate) fn checkout(self, what: Purchase, opener: Option<HtmlElement>) {
        if matches!(self.step(), None | Some(Step::Paying | Step::Redirecting)) {
            return;
        }
        self.open_dialog(opener);
        if what == Purchase::Basket {
            if let Err(problem) = self.payable(&what) {
                self.show(Step::Basket);
                self.report(problem);
                return;
            }
        }
        self.write(|s| {
            s.step = Step::Details;
            s.purchase = what;
            s.notice = None;
            s.errors = Errors::default();
        });
        self.focus(shared::digits::numbered("#qc-f", details::EMAIL));
    }

    /// Back from the details step: to the basket, or out of the dialog for
    /// buy now (which has no basket step).
    pub(crate) fn back(self) {
        if self.read(|s| s.purchase == Purchase::Basket) == Some(true) {
            self.write(|s| {
                s.step = Step::Basket;
                s.notice = None;
            });
            self.focus("[data-action=continue]".into());
        } else {
            self.close_dialog();
        }
    }

    /// The details' errors as they are now (`shared`'s customer checks, the
    /// terms when the shop has them, and whether the country is shipped
    /// to), and the customer to send.
    pub(super) fn check(self) -> Option<(Customer, Errors)> {
        self.read(|s| {
            let ship = s.bill().ship;
            let (customer, mut errors) = details::check(&s.values, s.shown(ship));
            if ship == Ship::Unshippable {
                errors[COUNTRY] = errors[COUNTRY].or(Some(Msg::ErrUnshippable));
            }
            (customer, errors)
        })
    }

    /// A details field was committed (`change`: blur, Enter, a choice, or
    /// autofill): the value is kept and its error brought up to date. A new
    /// country is priced and announced.
    ///
    /// Only `change` is listened to, not every keystroke: a render never
    /// writes the state's values into the text fields (only the remembered
    /// ones, once, and blanks on "forget"), so the state can lag behind a
    /// field until it is committed (and Pay reads the fields themselves).
    pub(crate) fn committed(self, field: usize, value: String) {
        self.write(|s| {
            if let Some(v) = s.values.get_mut(field) {
                *v = value;
            }
        });
        if let Some((_, errors)) = self.check() {
            self.write(|s| s.errors[field] = errors[field]);
        }
        if field == COUNTRY {
            let total = self.read(|s| s.bill().total).flatten();
            if let Some(total) = total {
                self.announce(&[self.t(Msg::Total), ": ", &self.money(total)].concat());
            }
        }
    }

    /// "Remember my details on this device" was (un)checked.
    pub(crate) fn set_remember(self, remember: bool) {
        self.write(|s| s.remember = remember);
    }

    /// "Forget my details": off this device and out of the form.
    pub(crate) fn forget(self) {
        store::forget_details();
        self.write(|s| {
            s.values = Values::default();
            s.errors = Errors::default();
            s.stored = false;
            s.remember = false;
        });
        // Typed values live in the fields, not only in the state.
        for i in 0..Values::default().len() {
            if let Some(el) = self.find(&shared::digits::numbered("#qc-f", i)) {
                set(&el, "value", "");
            }
        }
        self.announce(self.t(Msg::Forgotten));
        // The button is gone: the focus goes to the first field.
        self.focus(shared::digits::numbered("#qc-f", details::EMAIL));
    }

    /// Pay on the details step: every field checked (errors inline, the
    /// focus on the first one), the details remembered or forgotten as the
    /// shopper chose, then the payment.
    pub(crate) fn submit(self) {
        if self.step() != Some(Step::Details) {
            return;
        }
        // The fields hold what was typed last (see `committed`).
        let mut values = Values::default();
        for (i, value) in values.iter_mut().enumerate() {
            if let Some(el) = self.find(&shared::digits::numbered("#qc-f", i)) {
                *value = field_value(i, &el);
            }
        }
        self.write(|s| s.values.clone_from(&values));
        let Some((what, remember)) = self.read(|s| (s.purchase.clone(), s.remember)) else {
            return;
        };
        if let Err(problem) = self.payable(&what) {
            self.report(problem);
            return;
        }
        let Some((customer, errors)) = self.check() else {
            return;
        };
        let first = errors.iter().position(Option::is_some);
        self.write(|s| {
            s.errors = errors;
            s.notice = None;
        });
        if let Some(i) = first {
            self.focus(shared::digits::numbered("#qc-f", i));
            return;
        }
        if remember {
            store::save_details(&values);
        } else {
            store::forget_details();
        }
        self.write(|s| s.stored = remember);
        self.pay(what, Some(customer), None);
    }

    /// Whether the shop asks for the terms (`terms_accepted` must be sent).
    pub(super) fn terms_required(self) -> bool {
        self.read(|s| s.checkout_settings().is_some_and(|c| c.terms_url.is_some())) == Some(true)
    }

    /// Shows the edge's problems with the details next to their fields
    /// (focus on the first); returns whether there was any.
    pub(super) fn inline(self, problem: &Problem) -> bool {
        let mut errors = Errors::default();
        for (field, code) in &problem.fields {
            if let Some(i) = details::by_pointer(field) {
                errors[i] = errors[i].or(Some(details::message(i, code)));
            }
        }
        let Some(first) = errors.iter().position(Option::is_some) else {
            return false;
        };
        self.write(|s| s.errors = errors);
        self.focus(shared::digits::numbered("#qc-f", first));
        true
    }
}

/// What the control of field `i` holds: the terms checkbox `"1"` when
/// ticked (its `value` is always `"on"`), any other its `value`.
pub(crate) fn field_value(i: usize, control: &wasm_bindgen::JsValue) -> String {
    if i == TERMS {
        let ticked = js::get(control, "checked").as_bool() == Some(true);
        return if ticked { "1" } else { "" }.to_owned();
    }
    js::get_str(control, "value").unwrap_or_default()
}
