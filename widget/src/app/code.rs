//! The basket's discount code: looked up with the edge when the shopper
//! applies it (`GET /v1/discount-codes/{code}`), kept with the basket on
//! the device, priced into the bill by `shared`'s rule, sent with Pay, and
//! looked up again when the edge refuses it at Pay (the merchant may have
//! changed or switched it off since).

use shared::discount::normalize_code;

use crate::edge;
use crate::i18n::{fill, Msg};
use crate::js;
use crate::problem::Problem;
use crate::store;

use super::state::Step;
use super::App;

/// The field the edge's 422s about a checkout's discount code point at
/// (unknown, not yet valid, expired, used up, below its minimum).
const FIELD: &str = "discount_code";

impl App {
    /// Apply: looks `typed` up and keeps the code if it applies now, or
    /// says why not (a text that has no code's shape is unknown without
    /// asking). A code below its minimum is kept: the bill applies it once
    /// the goods reach it, and says how much it needs until then.
    pub(crate) fn apply_code(self, typed: &str) {
        let Some(code) = normalize_code(typed) else {
            self.code_refused(Msg::ErrCodeUnknown);
            return;
        };
        let endpoint = self.endpoint();
        js::spawn(async move {
            match edge::discount_code(&endpoint, &code).await {
                Ok((code, json)) => {
                    store::save_code(Some(&json));
                    let text = fill(self.t(Msg::CodeApplied), &code.code);
                    self.write(|s| {
                        s.code = Some(code);
                        s.code_msg = None;
                        s.notice = None;
                    });
                    self.announce(&text);
                    // The input is hidden now: focus moves to the remove offer.
                    self.focus("[data-action=uncode]".into());
                }
                Err(problem) => {
                    self.emit_error(&problem);
                    // 404: no such code (or one switched off).
                    let msg = if problem.status == 404 {
                        Msg::ErrCodeUnknown
                    } else {
                        problem.msg
                    };
                    self.code_refused(msg);
                }
            }
        });
    }

    /// The code does not apply: forgotten, and the box says why.
    fn code_refused(self, msg: Msg) {
        store::save_code(None);
        self.write(|s| {
            s.code = None;
            s.code_msg = Some(msg);
        });
        self.announce(self.t(msg));
    }

    /// "Remove code": the basket without it, the input back.
    pub(crate) fn drop_code(self) {
        store::save_code(None);
        self.write(|s| {
            s.code = None;
            s.code_msg = None;
        });
        self.focus("#qc-code".into());
    }

    /// The edge refused the basket's code at Pay: back to the basket, where
    /// the code is looked up again (it says why it no longer applies, or,
    /// for a changed minimum, what it needs now). False for any other
    /// problem.
    pub(super) fn code_refused_at_pay(self, problem: &Problem) -> bool {
        if !problem.fields.iter().any(|(field, _)| field == FIELD) {
            return false;
        }
        self.emit_error(problem);
        let code = self.read(|s| s.code.as_ref().map(|c| c.code.clone()));
        self.show(Step::Basket);
        match code.flatten() {
            Some(code) => self.apply_code(&code),
            None => self.code_refused(problem.msg),
        }
        true
    }
}
