//! The widget's state and everything that changes it: basket edits, the
//! dialog, the details step, the Pay path (basket, buy now and invoice alike)
//! and the return from the payment page.
//!
//! The journey: basket → Continue → details (email, name, and the address
//! when goods are shipped) → Pay → the payment page. Buy now opens the
//! details step directly for its item; an invoice skips it (Qonto's invoice
//! already names the debtor). Shipping is priced here with `shared`'s rules
//! ([`bill`]), exactly as the edge prices the line it adds.
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
use shared::api::{CheckoutStatus, Customer};
use shared::basket::check_quantity;
use shared::pricing::{price_in, LineInput};
use shared::{Basket, BasketError, Money, Totals, VatRate, VatRateFormat};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlDialogElement, HtmlElement, ShadowRoot};

use crate::config::Config;
use crate::details::{self, Errors, Values, COUNTRY};
use crate::edge::{self, Created, PriceList};
use crate::i18n::{fill, tr, Lang, Msg};
use crate::js::{self, set, NumberFormat};
use crate::problem::Problem;
use crate::store::{self, Pending, Purchase};

/// How many times a `processing` checkout is asked again, and how long apart.
const POLLS: u32 = 5;
const POLL_MS: i32 = 3_000;
/// Back from the payment page with the link still `open`: asked once more
/// after this long before the payment counts as not completed (the shopper
/// may be ahead of Qonto's word to the edge).
const OPEN_RECHECK_MS: i32 = 1_500;

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

/// What the dialog shows. The order is the journey's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The basket with its totals and the Continue button.
    Basket,
    /// The shopper's details, the totals with shipping, and Pay.
    Details,
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
    /// What the details step is for (the basket, or buy now's items).
    pub(crate) purchase: Purchase,
    /// The details typed (or remembered).
    pub(crate) values: Values,
    /// The details step's inline errors.
    pub(crate) errors: Errors,
    /// "Remember my details on this device" is checked.
    pub(crate) remember: bool,
    /// Details are stored on this device ("Forget my details" is offered).
    pub(crate) stored: bool,
    /// `(code, name)` of the countries shipped to, sorted by name.
    pub(crate) countries: Vec<(String, String)>,
}

impl State {
    /// What the details step (or the basket) is paying for.
    pub(crate) fn items(&self) -> &Basket {
        match (&self.step, &self.purchase) {
            (Step::Details, Purchase::Items(items)) => items,
            _ => &self.basket,
        }
    }

    /// The current items priced, with shipping to the country typed.
    pub(crate) fn bill(&self) -> Bill {
        bill(self.items(), &self.prices, &self.values[COUNTRY])
    }
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
    /// A good (shipped), once the catalog is known.
    pub(crate) good: bool,
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
                good: product.is_some_and(|p| p.good),
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

/// The shipping of a purchase, as shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ship {
    /// Nothing to ship: services only, the merchant does not ship, or the
    /// prices are not known yet.
    None,
    /// Goods to ship to a country not chosen yet.
    Later,
    /// Free: the goods reach the threshold.
    Free,
    /// The shipping line's gross price.
    Cost(Money),
    /// The country chosen is not shipped to.
    Unshippable,
}

/// A purchase priced for the shopper: the goods, the shipping, the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bill {
    /// The lines and their totals (without shipping).
    pub(crate) summary: Summary,
    /// The shipping.
    pub(crate) ship: Ship,
    /// What the shopper pays, shipping included, when known.
    pub(crate) total: Option<Money>,
}

/// Prices `items` and their shipping to `country` with the edge's own rules
/// (`shared::shipping::Shipping::quote` on the goods' gross total, its line
/// added by `Totals::gross_with`, as the edge's `Totals::with_line` adds
/// it), so the total shown is the one charged, to the cent. A free line is
/// not added, as the edge does not add it either.
pub(crate) fn bill(items: &Basket, prices: &Prices, country: &str) -> Bill {
    let summary = summarize(items, prices);
    let mut total = summary.totals.as_ref().map(|t| t.gross);
    let mut ship = Ship::None;
    if let (Prices::Ready(list), Some(totals)) = (prices, &summary.totals) {
        let goods = summary.lines.iter().filter(|l| l.good && !l.gone);
        let goods_gross = Money::sum(list.currency, goods.clone().filter_map(|l| l.total)).ok();
        if let (Some(rules), Some(goods_gross), true) =
            (&list.shipping, goods_gross, goods.count() > 0)
        {
            let free = rules.is_free(goods_gross);
            (ship, total) = match rules.quote(country, goods_gross) {
                Ok(quote) if quote.free => (Ship::Free, total),
                // The gross total only: `Totals::with_line` would also
                // rebuild the VAT breakdown (a BTreeMap and a sort, ~4 KB of
                // wasm) that the rows do not show with shipping in it.
                Ok(quote) => (
                    Ship::Cost(quote.line.gross),
                    totals.gross_with(&quote.line).ok(),
                ),
                Err(_) if country.is_empty() && free => (Ship::Free, total),
                Err(_) if country.is_empty() => (Ship::Later, None),
                Err(_) => (Ship::Unshippable, None),
            };
        }
    }
    Bill {
        summary,
        ship,
        total,
    }
}

/// Why `summary` cannot be paid now, if it cannot: the error code and the
/// text. `basket`: the shopper's basket (its lines can be removed), not buy
/// now's item.
pub(crate) fn blocker(
    summary: &Summary,
    prices: &Prices,
    basket: bool,
) -> Option<(&'static str, Msg)> {
    Some(match prices {
        _ if summary.lines.is_empty() => ("empty_basket", Msg::Empty),
        Prices::Loading => ("catalog_loading", Msg::Loading),
        Prices::Failed(msg) => ("catalog_unavailable", *msg),
        _ if summary.gone && basket => ("unknown_sku", Msg::ErrRemoveGone),
        _ if summary.gone => ("unknown_sku", Msg::ErrGone),
        _ if summary.totals.is_none() => ("amount_too_large", Msg::ErrAmount),
        _ => return None,
    })
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
    /// A new instance with the basket and the remembered details restored
    /// from storage. Must run inside the reactive owner of the mounted view.
    pub(crate) fn new(config: Config, shadow: ShadowRoot) -> App {
        let saved = store::load_details();
        App {
            state: RwSignal::new(State {
                basket: store::load_basket(),
                prices: Prices::Loading,
                methods: Vec::new(),
                open: false,
                step: Step::Basket,
                notice: None,
                live: String::new(),
                purchase: Purchase::Basket,
                stored: saved.is_some(),
                values: saved.unwrap_or_default(),
                errors: Errors::default(),
                // Opt-in: ticked only if the shopper chose it on an earlier visit.
                remember: saved.is_some(),
                countries: Vec::new(),
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
        let Some(mut next) = self.read(|s| s.basket.clone()) else {
            return Ok(());
        };
        change(&mut next)?;
        // Checked inside the read: the prices are not cloned (their clone
        // costs wasm, and this runs on every click).
        self.read(|s| {
            if let Prices::Ready(list) = &s.prices {
                for line in next.lines() {
                    if list.get(&line.sku).is_none()
                        && line.quantity > s.basket.quantity_of(&line.sku)
                    {
                        return Err(Problem::new("unknown_sku", line.sku.clone()));
                    }
                }
                if summarize(&next, &s.prices).totals.is_none() {
                    return Err(Problem::new(
                        "amount_too_large",
                        "the total is above the maximum",
                    ));
                }
            }
            Ok(())
        })
        .unwrap_or(Ok(()))?;
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

    /// The first element of the widget matching `selector`.
    pub(crate) fn find(self, selector: &str) -> Option<HtmlElement> {
        let shadow = self.local.try_with_value(|l| l.shadow.clone()).flatten()?;
        shadow.query_selector(selector).ok()??.dyn_into().ok()
    }

    /// Moves the focus to the element matching `selector` once the view
    /// shows it (a hidden element cannot take the focus).
    fn focus(self, selector: String) {
        js::spawn(async move {
            js::sleep(0).await;
            if let Some(el) = self.find(&selector) {
                let _ = el.focus();
            }
        });
    }

    /// The `<dialog>` element.
    pub(crate) fn dialog(self) -> Option<HtmlDialogElement> {
        self.find("dialog")?.dyn_into().ok()
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
        if self.read(|s| matches!(s.prices, Prices::Failed(_))) == Some(true) {
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
                    let codes = list.shipping.as_ref().map(|s| s.countries());
                    let locale = self.config(|c| c.locale.clone()).unwrap_or_default();
                    let countries = js::countries(&locale, &codes.unwrap_or_default());
                    self.write(|s| {
                        s.prices = Prices::Ready(list);
                        s.countries = countries;
                    });
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

    // ----- details ----------------------------------------------------------

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
        self.focus(format!("#qc-f{}", details::EMAIL));
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

    /// The details' errors as they are now (`shared`'s customer checks, and
    /// whether the country is shipped to), and the customer to send.
    fn check(self) -> Option<(Customer, Errors)> {
        self.read(|s| {
            let ship = s.bill().ship;
            let (customer, mut errors) = details::check(&s.values, ship != Ship::None);
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
                self.announce(&format!("{}: {}", self.t(Msg::Total), self.money(total)));
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
            if let Some(el) = self.find(&format!("#qc-f{i}")) {
                set(&el, "value", "");
            }
        }
        self.announce(self.t(Msg::Forgotten));
        // The button is gone: the focus goes to the first field.
        self.focus(format!("#qc-f{}", details::EMAIL));
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
            if let Some(el) = self.find(&format!("#qc-f{i}")) {
                *value = js::get_str(&el, "value").unwrap_or_default();
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
            self.focus(format!("#qc-f{i}"));
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

    /// Shows the edge's problems with the details next to their fields
    /// (focus on the first); returns whether there was any.
    fn inline(self, problem: &Problem) -> bool {
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
        self.focus(format!("#qc-f{first}"));
        true
    }

    // ----- pay --------------------------------------------------------------

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
        let body = items
            .as_ref()
            .map(|items| edge::checkout_body(items, customer.as_ref(), self.lang().code()));
        // The signature holds a hash of the body, not the body: the details
        // stay out of sessionStorage.
        let signature = match (&what, &body) {
            (Purchase::Invoice(id), _) => id.clone(),
            (_, body) => fingerprint(body.as_deref().unwrap_or_default()).to_string(),
        };
        let key = store::attempt_key(&format!("{}:{signature}", what.kind()));
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
                Ok(created) => self.redirect(what, &basket, created, endpoint),
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
                    } else {
                        self.show(Step::Details);
                        if self.inline(&problem) {
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
    fn payable(self, what: &Purchase) -> Result<(), Problem> {
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

    // ----- return -----------------------------------------------------------

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
        self.local
            .update_value(|l| l.last = Some(pending.purchase.clone()));
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
                if last.as_ref() != Some(&status) {
                    let detail = Object::new();
                    set(&detail, "id", pending.id.as_str());
                    set(&detail, "status", status.as_str());
                    js::emit("qc:payment-status", &detail, false);
                }
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
                    // Maybe not yet known to the edge: ask once more.
                    CheckoutStatus::Open if round == 0 => Step::Processing,
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
                if shown == Some(step) {
                    continue;
                }
                shown = Some(step);
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

/// FNV-1a (32 bits): a short stand-in for a request body in the attempt's
/// signature.
fn fingerprint(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
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
