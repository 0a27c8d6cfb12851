//! The widget's state and everything that changes it: basket edits, the
//! dialog, the Pay path (basket, buy now and invoice alike) and the return
//! from the payment page.
//!
//! All state lives in one [`State`] behind one signal, and the view is one
//! function of it (see `view.rs`). [`App`] is that signal plus the browser
//! objects that are not state; it is `Copy`, so every handler can hold it.
//! The methods here are the only writers, and each one does the side effects
//! of its change (storage, `qc:*` events, the live region) right away, not in
//! an effect, so the host page sees them in the order they happen.
//!
//! Code that runs after an `await` may find the widget unmounted (a test, a
//! host page that removed it): it uses the `try_` accessors, which do nothing
//! on a disposed signal instead of panicking.

use js_sys::{Array, Object};
use leptos::prelude::*;
use shared::api::CheckoutStatus;
use shared::basket::check_quantity;
use shared::pricing::{price_in, LineInput};
use shared::{Basket, BasketError, Money, Totals, VatRate, VatRateFormat};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlDialogElement, HtmlElement, ShadowRoot};

use crate::config::Config;
use crate::edge::{self, Created, PriceList};
use crate::i18n::{fill, tr, Lang, Msg};
use crate::js::{self, set, NumberFormat};
use crate::problem::Problem;
use crate::store::{self, Pending, Purchase};

/// How many times a `processing` checkout is asked again, and how long apart.
const POLLS: u32 = 5;
const POLL_MS: i32 = 3_000;

/// How long an error stays visible next to the toggle (dialog closed).
const TOAST_MS: i32 = 8_000;

/// The catalog's prices, as far as they are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Prices {
    /// `GET /v1/catalog` is on its way.
    Loading,
    /// The products the edge sells, with their prices.
    Ready(PriceList),
    /// The catalog could not be loaded (the text says why).
    Failed(Msg),
}

/// What the dialog shows. The order is the journey's; a customer-details step
/// will sit between `Basket` and `Paying`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The basket with its totals and the Pay button.
    Basket,
    /// Waiting for the edge to create the payment link.
    Paying,
    /// The link exists; the browser is leaving for the payment page.
    Redirecting,
    /// Back from the payment page: paid.
    Paid,
    /// Back from the payment page: the payment is being confirmed.
    Processing,
    /// Back from the payment page: not paid (open, failed, canceled, expired).
    NotCompleted,
    /// A buy-now or invoice payment could not start (the notice says why).
    Failed,
}

/// Everything the view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct State {
    /// The shopper's basket (mirrors `localStorage`).
    pub(crate) basket: Basket,
    /// The catalog's prices.
    pub(crate) prices: Prices,
    /// Payment methods enabled at the provider (empty until known).
    pub(crate) methods: Vec<String>,
    /// The dialog is open.
    pub(crate) open: bool,
    /// What the dialog shows.
    pub(crate) step: Step,
    /// The last error, shown in the dialog or next to the toggle.
    pub(crate) notice: Option<Msg>,
    /// The live region's text (announced by screen readers).
    pub(crate) live: String,
}

/// One basket line as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// The SKU.
    pub(crate) sku: String,
    /// The catalog title (the SKU until the catalog is known).
    pub(crate) title: String,
    /// Units.
    pub(crate) quantity: u32,
    /// Gross price of one unit, when known.
    pub(crate) unit: Option<Money>,
    /// Gross price of the line, when known.
    pub(crate) total: Option<Money>,
    /// The catalog no longer sells this SKU.
    pub(crate) gone: bool,
}

/// The basket priced from the catalog with `shared`'s rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    /// The lines, in basket order.
    pub(crate) lines: Vec<Line>,
    /// Totals of the lines still sold, once the catalog is known (and the
    /// total within the limit).
    pub(crate) totals: Option<Totals>,
    /// Units in the basket.
    pub(crate) count: u32,
    /// Some line is no longer sold.
    pub(crate) gone: bool,
}

/// Prices `basket` from `prices` with `shared::pricing` (the function the
/// edge prices the checkout with): a line no longer in the catalog is kept
/// and flagged, and left out of the totals, never silently dropped.
pub(crate) fn summarize(basket: &Basket, prices: &Prices) -> Summary {
    let list = match prices {
        Prices::Ready(list) => Some(list),
        _ => None,
    };
    let mut inputs = Vec::new();
    let mut lines: Vec<Line> = basket
        .lines()
        .iter()
        .map(|l| {
            let product = list.and_then(|list| list.get(&l.sku));
            if let Some(p) = product {
                inputs.push(LineInput {
                    quantity: l.quantity,
                    unit_net: p.unit_net,
                    vat_rate: p.rate,
                });
            }
            Line {
                sku: l.sku.clone(),
                title: product.map_or_else(|| l.sku.clone(), |p| p.title.clone()),
                quantity: l.quantity,
                unit: product.map(|p| p.unit_gross),
                total: None,
                gone: list.is_some() && product.is_none(),
            }
        })
        .collect();
    let totals = list
        .and_then(|list| price_in(list.currency, &inputs).ok())
        .map(|(priced, totals)| {
            let mut priced = priced.into_iter();
            for line in lines.iter_mut().filter(|l| !l.gone) {
                line.total = priced.next().map(|p| p.gross);
            }
            totals
        });
    Summary {
        count: basket.item_count(),
        gone: lines.iter().any(|l| l.gone),
        lines,
        totals,
    }
}

/// Browser objects and bookkeeping that are not shown (and not `Send`).
struct Local {
    config: Config,
    /// The shadow root the view lives in.
    shadow: Option<ShadowRoot>,
    money: Option<NumberFormat>,
    currency: String,
    percent: Option<NumberFormat>,
    /// The element to give focus back to when the dialog closes.
    opener: Option<HtmlElement>,
    /// The last purchase attempted, for "Try again".
    last: Option<Purchase>,
    methods_asked: bool,
    /// Bumped by every notice, so an old toast timer leaves a newer one be.
    notice_id: u32,
}

/// The widget's state and its browser objects (see the module docs).
#[derive(Clone, Copy)]
pub(crate) struct App {
    /// Everything the view shows.
    pub(crate) state: RwSignal<State>,
    local: StoredValue<Local, LocalStorage>,
}

impl App {
    /// A new instance with the basket restored from storage. Must run inside
    /// the reactive owner of the mounted view.
    pub(crate) fn new(config: Config, shadow: ShadowRoot) -> App {
        App {
            state: RwSignal::new(State {
                basket: store::load_basket(),
                prices: Prices::Loading,
                methods: Vec::new(),
                open: false,
                step: Step::Basket,
                notice: None,
                live: String::new(),
            }),
            local: StoredValue::new_local(Local {
                config,
                shadow: Some(shadow),
                money: None,
                currency: String::new(),
                percent: None,
                opener: None,
                last: None,
                methods_asked: false,
                notice_id: 0,
            }),
        }
    }

    fn config<T>(self, read: impl FnOnce(&Config) -> T) -> Option<T> {
        self.local.try_with_value(|l| read(&l.config))
    }

    /// The language of the texts.
    pub(crate) fn lang(self) -> Lang {
        self.config(|c| c.lang).unwrap_or(Lang::En)
    }

    /// The text of `msg` in the widget's language.
    pub(crate) fn t(self, msg: Msg) -> &'static str {
        tr(self.config(|c| c.texts).unwrap_or(""), msg)
    }

    /// `light`, `dark` or `auto`.
    pub(crate) fn theme(self) -> &'static str {
        self.config(|c| c.theme).unwrap_or("light")
    }

    fn endpoint(self) -> String {
        self.config(|c| c.endpoint.clone()).unwrap_or_default()
    }

    /// Reads the state without tracking (for handlers and async code).
    fn read<T>(self, f: impl FnOnce(&State) -> T) -> Option<T> {
        self.state.try_with_untracked(f)
    }

    /// Changes the state (a no-op once unmounted).
    fn write(self, f: impl FnOnce(&mut State)) {
        self.state.update(f);
    }

    /// Shows `step`.
    fn show(self, step: Step) {
        self.write(|s| s.step = step);
    }

    /// The current step (`None` once unmounted).
    fn step(self) -> Option<Step> {
        self.read(|s| s.step)
    }

    /// The basket priced, without tracking.
    pub(crate) fn summary_now(self) -> Option<Summary> {
        self.read(|s| summarize(&s.basket, &s.prices))
    }

    /// `money` for the shopper, through `Intl.NumberFormat` (`"12,00 €"`);
    /// `"12.00 EUR"` if `Intl` is unusable.
    pub(crate) fn money(self, money: Money) -> String {
        let currency = money.currency();
        let code = currency.as_str();
        let decimal = money.to_decimal();
        self.local
            .try_update_value(|l| {
                if l.currency != code {
                    l.money = NumberFormat::currency(&l.config.locale, code);
                    code.clone_into(&mut l.currency);
                }
                l.money.as_ref().and_then(|f| f.format(&decimal))
            })
            .flatten()
            .unwrap_or_else(|| format!("{decimal} {code}"))
    }

    /// A VAT rate for the shopper (`"20 %"` in `fr`, `"5.5%"` in `en`).
    pub(crate) fn percent(self, rate: VatRate) -> String {
        let fraction = rate.format(VatRateFormat::Fraction);
        self.local
            .try_update_value(|l| {
                if l.percent.is_none() {
                    l.percent = NumberFormat::percent(&l.config.locale);
                }
                l.percent.as_ref().and_then(|f| f.format(&fraction))
            })
            .flatten()
            .unwrap_or_else(|| rate.format(VatRateFormat::Percent) + " %")
    }

    // ----- basket -----------------------------------------------------------

    /// Applies `change` to a copy of the basket and keeps it if the change is
    /// valid for `shared` and, once the catalog is known, every added SKU is
    /// sold and the total stays within the limit.
    fn change(
        self,
        change: impl FnOnce(&mut Basket) -> Result<(), BasketError>,
    ) -> Result<(), Problem> {
        let Some((before, prices)) = self.read(|s| (s.basket.clone(), s.prices.clone())) else {
            return Ok(());
        };
        let mut next = before.clone();
        change(&mut next)?;
        if let Prices::Ready(list) = &prices {
            for line in next.lines() {
                if list.get(&line.sku).is_none() && line.quantity > before.quantity_of(&line.sku) {
                    return Err(Problem::new("unknown_sku", line.sku.clone()));
                }
            }
            if summarize(&next, &prices).totals.is_none() {
                return Err(Problem::new(
                    "amount_too_large",
                    "the total is above the maximum",
                ));
            }
        }
        self.commit(next);
        Ok(())
    }

    /// Saves a new basket, ends the payment attempt (any change makes a new
    /// one) and tells the host page.
    fn commit(self, next: Basket) {
        store::save_basket(&next);
        store::clear_attempt();
        self.write(|s| {
            s.basket = next;
            s.notice = None;
        });
        self.basket_changed();
    }

    /// Dispatches `qc:basket-changed` with the basket.
    fn basket_changed(self) {
        js::emit("qc:basket-changed", &self.snapshot(), false);
    }

    /// The title of `sku` if the catalog knows it, else the SKU.
    fn title(self, sku: &str) -> String {
        self.read(|s| match &s.prices {
            Prices::Ready(list) => list.get(sku).map(|p| p.title.clone()),
            _ => None,
        })
        .flatten()
        .unwrap_or_else(|| sku.to_owned())
    }

    /// Adds `quantity` units of `sku` (merging with its line).
    pub(crate) fn add(self, sku: &str, quantity: u32) -> Result<(), Problem> {
        self.change(|b| b.add(sku, quantity))?;
        self.announce(&fill(self.t(Msg::Added), &self.title(sku)));
        Ok(())
    }

    /// Sets the quantity of `sku`; 0 removes the line.
    pub(crate) fn set_quantity(self, sku: &str, quantity: u32) -> Result<(), Problem> {
        if quantity == 0 {
            self.remove(sku);
            return Ok(());
        }
        self.change(|b| b.set_quantity(sku, quantity))?;
        self.announce(self.t(Msg::Updated));
        Ok(())
    }

    /// Adds `delta` (±1 from the stepper) to the quantity of `sku`.
    pub(crate) fn step_quantity(self, sku: &str, delta: i64) {
        let current = self.read(|s| s.basket.quantity_of(sku)).unwrap_or(0);
        let result = check_quantity(i64::from(current) + delta)
            .map_err(Problem::from)
            .and_then(|q| self.set_quantity(sku, q));
        self.run(result);
    }

    /// Reads a quantity typed in a line's input: 0 removes the line, an
    /// invalid number is refused and the input shows the quantity again.
    pub(crate) fn quantity_typed(self, sku: &str, input: &web_sys::HtmlInputElement) {
        let text = input.value();
        let result = match text.trim().parse::<i64>() {
            Ok(0) => self.set_quantity(sku, 0),
            Ok(n) => i64_quantity(n).and_then(|q| self.set_quantity(sku, q)),
            Err(_) => Err(Problem::new("quantity_out_of_range", text)),
        };
        if result.is_err() {
            let current = self.read(|s| s.basket.quantity_of(sku)).unwrap_or(1);
            input.set_value(&current.to_string());
        }
        self.run(result);
    }

    /// Removes the line of `sku`.
    pub(crate) fn remove(self, sku: &str) {
        let title = self.title(sku);
        let mut removed = false;
        let _ = self.change(|b| {
            removed = b.remove(sku);
            Ok(())
        });
        if removed {
            self.announce(&fill(self.t(Msg::Removed), &title));
        }
    }

    /// Empties the basket.
    pub(crate) fn clear(self) {
        self.commit(Basket::new());
        self.announce(self.t(Msg::Updated));
    }

    /// The basket changed in another tab (`storage` event): show it, without
    /// writing it back.
    pub(crate) fn basket_synced(self, basket: Basket) {
        if self.read(|s| s.basket == basket) == Some(false) {
            store::clear_attempt();
            self.write(|s| s.basket = basket);
            self.basket_changed();
        }
    }

    // ----- feedback ---------------------------------------------------------

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
    fn emit_error(self, problem: &Problem) {
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
                format!("{text}\u{a0}")
            } else {
                text.to_owned()
            };
        });
    }

    // ----- dialog -----------------------------------------------------------

    /// The `<dialog>` element.
    pub(crate) fn dialog(self) -> Option<HtmlDialogElement> {
        let shadow = self.local.try_with_value(|l| l.shadow.clone()).flatten()?;
        shadow.query_selector("dialog").ok()??.dyn_into().ok()
    }

    /// Opens the dialog (modal), remembering `opener` (else the focused
    /// element) to give focus back on close.
    pub(crate) fn open_dialog(self, opener: Option<HtmlElement>) {
        if self.read(|s| s.open) != Some(false) {
            return;
        }
        let opener = opener.or_else(|| js::document()?.active_element()?.dyn_into().ok());
        self.local.update_value(|l| l.opener = opener);
        self.write(|s| {
            s.open = true;
            s.notice = None;
        });
        if let Some(dialog) = self.dialog() {
            if !dialog.open() && dialog.show_modal().is_err() {
                dialog.set_open(true);
            }
        }
        self.load_extras();
    }

    /// Closes the dialog and gives focus back to its opener. A result screen
    /// is shown once: the next opening shows the basket.
    pub(crate) fn close_dialog(self) {
        if self.read(|s| s.open) != Some(true) {
            return;
        }
        self.write(|s| {
            s.open = false;
            s.notice = None;
            if !matches!(s.step, Step::Paying | Step::Redirecting) {
                s.step = Step::Basket;
            }
        });
        if let Some(dialog) = self.dialog() {
            dialog.close();
        }
        if let Some(Some(opener)) = self.local.try_update_value(|l| l.opener.take()) {
            let _ = opener.focus();
        }
    }

    /// On opening: the payment methods (once), and the catalog again if it
    /// failed to load.
    fn load_extras(self) {
        let ask = self
            .local
            .try_update_value(|l| !std::mem::replace(&mut l.methods_asked, true))
            .unwrap_or(false);
        if ask {
            let endpoint = self.endpoint();
            js::spawn(async move {
                match edge::payment_methods(&endpoint).await {
                    Ok(methods) => self.write(|s| s.methods = methods),
                    Err(problem) => {
                        // Asked again at the next opening. Pay may still
                        // work, but the shopper is warned.
                        self.local.update_value(|l| l.methods_asked = false);
                        self.report(problem);
                    }
                }
            });
        }
        if matches!(self.read(|s| s.prices.clone()), Some(Prices::Failed(_))) {
            self.load_catalog();
        }
    }

    /// Loads (or reloads) the catalog's prices.
    pub(crate) fn load_catalog(self) {
        self.write(|s| s.prices = Prices::Loading);
        let endpoint = self.endpoint();
        js::spawn(async move {
            match edge::catalog(&endpoint).await {
                Ok((list, rejected)) => {
                    self.write(|s| s.prices = Prices::Ready(list));
                    if let Some(problem) = rejected {
                        self.emit_error(&problem);
                    }
                    // Titles and prices are now known: tell the host page.
                    if self.read(|s| s.basket.is_empty()) == Some(false) {
                        self.basket_changed();
                    }
                }
                Err(problem) => {
                    self.write(|s| s.prices = Prices::Failed(problem.msg));
                    self.emit_error(&problem);
                }
            }
        });
    }

    // ----- pay --------------------------------------------------------------

    /// Starts a payment: checks what is bought, then creates the payment link
    /// with the attempt's idempotency key and leaves for the payment page.
    /// Does nothing while a payment is already starting (double click).
    pub(crate) fn pay(self, what: Purchase, opener: Option<HtmlElement>) {
        if matches!(self.step(), None | Some(Step::Paying | Step::Redirecting)) {
            return;
        }
        let Some(basket) = self.read(|s| s.basket.clone()) else {
            return;
        };
        let items = match &what {
            Purchase::Basket => self.payable().map(|()| Some(basket.clone())),
            Purchase::Items(items) => Ok(Some(items.clone())),
            Purchase::Invoice(_) => Ok(None),
        };
        self.open_dialog(opener);
        let items = match items {
            Ok(items) => items,
            Err(problem) => {
                self.show(Step::Basket);
                self.report(problem);
                return;
            }
        };
        self.local.update_value(|l| l.last = Some(what.clone()));
        let key = store::attempt_key(&what.signature(&basket));
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
            let result = match (&what, &items) {
                (Purchase::Invoice(id), _) => {
                    edge::create_invoice_checkout(&endpoint, id, &key).await
                }
                (_, Some(items)) => edge::create_checkout(&endpoint, items, &key).await,
                (_, None) => Err(Problem::new("empty_basket", "")),
            };
            match result {
                Ok(created) => self.redirect(what, &basket, created, endpoint),
                Err(problem) => {
                    if problem.status == 409 {
                        // The key was used for another body: this attempt
                        // cannot succeed with it.
                        store::clear_attempt();
                    }
                    self.report(problem);
                    self.show(if what == Purchase::Basket {
                        Step::Basket
                    } else {
                        Step::Failed
                    });
                }
            }
        });
    }

    /// Why the basket cannot be paid now, if it cannot.
    fn payable(self) -> Result<(), Problem> {
        let (summary, prices) = self
            .read(|s| (summarize(&s.basket, &s.prices), s.prices.clone()))
            .ok_or_else(|| Problem::new("unmounted", ""))?;
        let refuse = |code: &str, msg: Msg| {
            let mut problem = Problem::new(code, "");
            problem.msg = msg;
            Err(problem)
        };
        match prices {
            _ if summary.lines.is_empty() => refuse("empty_basket", Msg::ErrEmpty),
            Prices::Loading => refuse("catalog_loading", Msg::Loading),
            Prices::Failed(msg) => refuse("catalog_unavailable", msg),
            Prices::Ready(_) if summary.gone => refuse("unknown_sku", Msg::ErrRemoveGone),
            Prices::Ready(_) if summary.totals.is_none() => {
                refuse("amount_too_large", Msg::ErrAmount)
            }
            Prices::Ready(_) => Ok(()),
        }
    }

    /// The link exists: remember it for the return, tell the host page
    /// (`qc:redirect`, cancelable) and go, unless the host page took over.
    fn redirect(self, what: Purchase, basket: &Basket, created: Created, endpoint: String) {
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

    /// "Try again" on a result screen: the same purchase again.
    pub(crate) fn retry(self) {
        let last = self
            .local
            .try_with_value(|l| l.last.clone())
            .flatten()
            .unwrap_or(Purchase::Basket);
        self.pay(last, None);
    }

    // ----- return -----------------------------------------------------------

    /// Back from the payment page (a page load, or a page restored from the
    /// back-forward cache): asks the edge for the pending checkout's status
    /// and shows the outcome; `processing` is asked again a few times.
    pub(crate) fn check_return(self) {
        let Some(pending) = store::load_pending() else {
            return;
        };
        if pending.endpoint != self.endpoint() {
            return;
        }
        self.local
            .update_value(|l| l.last = Some(pending.purchase.clone()));
        js::spawn(async move {
            let mut last: Option<CheckoutStatus> = None;
            for round in 0..=POLLS {
                if round > 0 {
                    js::sleep(POLL_MS).await;
                    if self.step().is_none() {
                        return; // unmounted while waiting
                    }
                }
                let status = match edge::checkout_status(&pending.endpoint, &pending.id).await {
                    Ok(status) => status,
                    Err(problem) if problem.status == 404 => {
                        // Unknown to this edge: nothing will ever change, and
                        // nothing for the shopper to do.
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
                if last.as_ref() == Some(&status) {
                    continue;
                }
                let detail = Object::new();
                set(&detail, "id", pending.id.as_str());
                set(&detail, "status", status.as_str());
                js::emit("qc:payment-status", &detail, false);
                let step = match &status {
                    CheckoutStatus::Paid => {
                        // Clear the basket that was paid for, not one the
                        // shopper has changed since (in another tab).
                        let same = self.read(|s| s.basket.encode() == pending.basket);
                        if pending.purchase == Purchase::Basket && same == Some(true) {
                            self.commit(Basket::new());
                        }
                        store::clear_pending();
                        store::clear_attempt();
                        Step::Paid
                    }
                    CheckoutStatus::Processing => Step::Processing,
                    CheckoutStatus::Open => {
                        // The link is still payable: keep the attempt, so
                        // "Try again" gets the same link back.
                        store::clear_pending();
                        Step::NotCompleted
                    }
                    CheckoutStatus::Failed | CheckoutStatus::Canceled | CheckoutStatus::Expired => {
                        store::clear_pending();
                        store::clear_attempt();
                        Step::NotCompleted
                    }
                    CheckoutStatus::Unknown(_) => return,
                };
                last = Some(status);
                if self.step().is_none() {
                    return; // unmounted
                }
                self.show(step);
                self.open_dialog(None);
                self.announce(self.t(match step {
                    Step::Paid => Msg::PaidTitle,
                    Step::Processing => Msg::ProcessingTitle,
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

    // ----- host page --------------------------------------------------------

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

/// A quantity from the page (an attribute, an input, a JS number): 1..=999.
pub(crate) fn i64_quantity(n: i64) -> Result<u32, Problem> {
    Ok(check_quantity(n)?)
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
