//! Back from the payment page: the pending checkout's status asked, and
//! the outcome shown.

use js_sys::Object;
use shared::api::CheckoutStatus;
use shared::Basket;

use crate::edge;
use crate::i18n::Msg;
use crate::js::{self, set};
use crate::return_param;
use crate::store::{self, Purchase};

use super::state::Step;
use super::App;

/// How many times a `processing` checkout is asked again, and how long apart.
const POLLS: u32 = 5;
const POLL_MS: i32 = 3_000;
/// Back from the payment page with the link still `open`: asked once more
/// after this long before the payment counts as not completed (the shopper
/// may be ahead of Qonto's word to the edge). Longer than the edge's
/// freshness window for an open link (3 s), so the second question makes
/// the edge read Qonto again rather than repeat its first answer.
const OPEN_RECHECK_MS: i32 = 3_500;

impl App {
    /// Back from the payment page (a page load, or a page restored from the
    /// back-forward cache): asks the edge for the pending checkout's status
    /// and shows the outcome; `processing` is asked again a few times, and
    /// `open` once.
    pub(crate) fn check_return(self) {
        let Some(pending) = store::load_pending() else {
            return;
        };
        if pending.endpoint != self.endpoint() {
            return;
        }
        // What "Try again" or "Start again" pays for. A checkout adopted
        // from the return address was not started in this browser: this
        // browser's basket.
        let retry = if pending.purchase == return_param::adopted() {
            Purchase::Basket
        } else {
            pending.purchase.clone()
        };
        self.local.update_value(|l| l.last = Some(retry));
        js::spawn(async move {
            let mut last: Option<CheckoutStatus> = None;
            let mut shown: Option<Step> = None;
            for round in 0..=POLLS {
                if round > 0 {
                    let open = last == Some(CheckoutStatus::Open);
                    js::sleep(if open { OPEN_RECHECK_MS } else { POLL_MS }).await;
                    if self.step().is_none() {
                        return; // unmounted while waiting
                    }
                }
                let (status, reference, amount) =
                    match edge::checkout_status(&pending.endpoint, &pending.id).await {
                        Ok(answer) => (answer.status, answer.reference, answer.amount),
                        Err(problem) if problem.status == 404 => {
                            // Unknown to this edge: nothing will ever change,
                            // and nothing for the shopper to do.
                            store::clear_pending();
                            self.emit_error(&problem);
                            return;
                        }
                        Err(problem) => {
                            // Kept: the next page load asks again.
                            self.report(problem);
                            return;
                        }
                    };
                if last.as_ref() != Some(&status) {
                    let detail = Object::new();
                    set(&detail, "id", pending.id.as_str());
                    set(&detail, "status", status.as_str());
                    if let Some(reference) = &reference {
                        set(&detail, "reference", reference.as_str());
                    }
                    js::emit("qc:payment-status", &detail, false);
                }
                let Some(next) = after(&status, round) else {
                    return;
                };
                if status == CheckoutStatus::Paid {
                    self.track_purchase(&pending.id, amount);
                }
                if next.clear_basket {
                    // Clear the basket that was paid for, not one the
                    // shopper has changed since (in another tab).
                    let same = self.read(|s| s.basket.encode() == pending.basket);
                    if pending.purchase == Purchase::Basket && same == Some(true) {
                        self.commit(Basket::new());
                    }
                }
                if next.clear_pending {
                    store::clear_pending();
                }
                if next.clear_attempt {
                    store::clear_attempt();
                }
                let step = next.step;
                last = Some(status);
                self.write(|s| s.reference = reference);
                if self.step().is_none() {
                    return; // unmounted
                }
                if shown == Some(step) {
                    continue;
                }
                shown = Some(step);
                self.show(step);
                self.open_dialog(None);
                self.announce(self.t(match step {
                    Step::Paid => Msg::PaidTitle,
                    Step::Processing => Msg::ProcessingTitle,
                    Step::Expired => Msg::ExpiredTitle,
                    _ => Msg::NotDoneTitle,
                }));
                if step != Step::Processing {
                    return;
                }
            }
        });
    }

    /// The page came back from the back-forward cache: the wasm did not
    /// restart, so look at the pending checkout again.
    pub(crate) fn page_restored(self) {
        if matches!(self.step(), Some(Step::Paying | Step::Redirecting)) {
            self.show(Step::Basket);
            self.close_dialog();
        }
        self.check_return();
    }
}

/// What a status read back from the payment page leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct After {
    /// The step to show.
    pub(crate) step: Step,
    /// Empty the basket that was paid for (paid only).
    pub(crate) clear_basket: bool,
    /// Forget the pending checkout: nothing more to ask the edge about.
    pub(crate) clear_pending: bool,
    /// End the attempt: the next Pay creates a new link (with a new
    /// idempotency key).
    pub(crate) clear_attempt: bool,
}

/// The decision for `status`, asked for the `round`th time (0 first);
/// `None` for a status the widget does not know (nothing is shown).
pub(crate) fn after(status: &CheckoutStatus, round: u32) -> Option<After> {
    let show = |step, clear_pending, clear_attempt| After {
        step,
        clear_basket: false,
        clear_pending,
        clear_attempt,
    };
    Some(match status {
        CheckoutStatus::Paid => After {
            clear_basket: true,
            ..show(Step::Paid, true, true)
        },
        CheckoutStatus::Processing => show(Step::Processing, false, false),
        // Maybe not yet known to the edge: ask once more.
        CheckoutStatus::Open if round == 0 => show(Step::Processing, false, false),
        // The link is still payable: the attempt is kept, so "Try again"
        // gets the same link back.
        CheckoutStatus::Open => show(Step::NotCompleted, true, false),
        CheckoutStatus::Failed | CheckoutStatus::Canceled => show(Step::NotCompleted, true, true),
        // Deactivated by the edge: nothing can pay it any more; "Start
        // again" creates a new checkout (a new attempt).
        CheckoutStatus::Expired => show(Step::Expired, true, true),
        CheckoutStatus::Unknown(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_each_status_leads_to() {
        use CheckoutStatus::*;
        // (status, round, step, clear basket, clear pending, clear attempt)
        #[rustfmt::skip]
        let table = [
            (Paid, 0, Step::Paid, true, true, true),
            (Paid, 3, Step::Paid, true, true, true),
            (Processing, 0, Step::Processing, false, false, false),
            (Open, 0, Step::Processing, false, false, false),
            (Open, 1, Step::NotCompleted, false, true, false),
            (Failed, 0, Step::NotCompleted, false, true, true),
            (Canceled, 2, Step::NotCompleted, false, true, true),
            (Expired, 0, Step::Expired, false, true, true),
            (Expired, 2, Step::Expired, false, true, true),
        ];
        for (status, round, step, basket, pending, attempt) in table {
            let want = After {
                step,
                clear_basket: basket,
                clear_pending: pending,
                clear_attempt: attempt,
            };
            assert_eq!(
                after(&status, round),
                Some(want),
                "{status:?} round {round}"
            );
        }
        assert_eq!(after(&Unknown("refunded".into()), 0), None);
    }
}
