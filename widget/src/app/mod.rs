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
//!
//! Layout: [`state`] is what the view shows, [`bill`] the basket priced for
//! it (pure, host-tested), and the actions by part of the journey:
//! [`basket`], [`dialog`], [`details`], [`pay`], [`payment_return`],
//! [`events`] (failures, the live region and what the host page is told)
//! and [`cards`] (the page's product cards, prices and add buttons: stock,
//! the variant picker, the feedback on add).

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use shared::{Money, VatRate, VatRateFormat};
use web_sys::{HtmlElement, ShadowRoot};

use crate::config::Config;
use crate::details::Errors;
use crate::i18n::{tr, Lang, Msg};
use crate::js::NumberFormat;
use crate::store::{self, Purchase};

mod basket;
pub(crate) mod bill;
mod cards;
mod code;
mod details;
mod dialog;
mod events;
mod pay;
mod payment_return;
pub(crate) mod state;
mod track;

pub(crate) use basket::{i64_quantity, quantity_text};
pub(crate) use bill::{blocker, Line};
use bill::{summarize, Summary};
pub(crate) use details::field_value;
pub(crate) use state::{Prices, State, Step};

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
    /// The element to give focus back to when the variant picker closes.
    picker_opener: Option<HtmlElement>,
    /// The product cards' own listeners (their shadow roots keep their
    /// `change` events inside).
    cards: Vec<crate::js::Listener>,
    /// The stock was asked for the page's cards, prices or add buttons.
    stock_asked: bool,
}

thread_local! {
    /// The browser objects of each mounted instance, by [`Locals`] id.
    static LOCALS: RefCell<Vec<(u32, Local)>> = const { RefCell::new(Vec::new()) };
    /// The next [`Locals`] id.
    static NEXT_LOCAL: Cell<u32> = const { Cell::new(0) };
}

/// A handle on an instance's [`Local`], kept in a thread-local list rather
/// than in a Leptos `StoredValue` with local storage: that storage checks
/// the thread on every access (`std::thread::current`, ~1 KB gzip), and
/// with it the handle, and so [`App`], is `Send`, so the view's effect can be
/// Leptos's `Send` kind, which needs no such check either. The entry goes
/// with the reactive owner (the mounted view); afterwards every access is
/// `None`, as on a disposed `StoredValue`.
#[derive(Clone, Copy)]
struct Locals(u32);

impl Locals {
    /// Keeps `local` until the current reactive owner is cleaned up.
    fn new(local: Local) -> Locals {
        let id = NEXT_LOCAL.get();
        NEXT_LOCAL.set(id.wrapping_add(1));
        LOCALS.with_borrow_mut(|all| all.push((id, local)));
        on_cleanup(move || {
            // Dropped outside the borrow: dropping listeners calls the browser.
            let gone = LOCALS.with(|all| {
                let mut all = all.try_borrow_mut().ok()?;
                let at = all.iter().position(|(i, _)| *i == id)?;
                Some(all.swap_remove(at))
            });
            drop(gone);
        });
        Locals(id)
    }

    /// Reads the instance's objects; `None` once unmounted (or, as a
    /// `RefCell`, while they are being changed).
    fn try_with_value<T>(self, read: impl FnOnce(&Local) -> T) -> Option<T> {
        LOCALS.with(|all| {
            let all = all.try_borrow().ok()?;
            all.iter().find(|(i, _)| *i == self.0).map(|(_, l)| read(l))
        })
    }

    /// Changes the instance's objects; `None` once unmounted.
    fn try_update_value<T>(self, change: impl FnOnce(&mut Local) -> T) -> Option<T> {
        LOCALS.with(|all| {
            let mut all = all.try_borrow_mut().ok()?;
            all.iter_mut()
                .find(|(i, _)| *i == self.0)
                .map(|(_, l)| change(l))
        })
    }

    /// [`Locals::try_update_value`] without its answer.
    fn update_value(self, change: impl FnOnce(&mut Local)) {
        self.try_update_value(change);
    }
}

/// The widget's state and its browser objects (see the module docs).
#[derive(Clone, Copy)]
pub(crate) struct App {
    /// Everything the view shows.
    pub(crate) state: RwSignal<State>,
    local: Locals,
}

impl App {
    /// A new instance with the basket and the remembered details restored
    /// from storage. Must run inside the reactive owner of the mounted view.
    pub(crate) fn new(config: Config, shadow: ShadowRoot) -> App {
        let saved = store::load_details();
        let remembered = saved.is_some();
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
                stored: remembered,
                values: saved.unwrap_or_default(),
                errors: Errors::default(),
                // Opt-in: ticked only if the shopper chose it on an earlier visit.
                remember: remembered,
                countries: Vec::new(),
                reference: None,
                stock: None,
                sold_out: None,
                code: store::load_code(),
                code_msg: None,
            }),
            local: Locals::new(Local {
                config,
                shadow: Some(shadow),
                money: None,
                currency: String::new(),
                percent: None,
                opener: None,
                last: None,
                methods_asked: false,
                notice_id: 0,
                picker_opener: None,
                cards: Vec::new(),
                stock_asked: false,
            }),
        }
    }

    pub(super) fn config<T>(self, read: impl FnOnce(&Config) -> T) -> Option<T> {
        self.local.try_with_value(|l| read(&l.config))
    }

    /// The language of the texts.
    pub(crate) fn lang(self) -> Lang {
        self.config(|c| c.lang).unwrap_or(Lang::En)
    }

    /// The text of `msg` in the widget's language (Pay's: the page's own
    /// `data-pay-label`, when it has one).
    pub(crate) fn t(self, msg: Msg) -> &'static str {
        self.config(|c| match c.pay_label {
            Some(label) if msg == Msg::Pay => label,
            _ => tr(c.texts, msg),
        })
        .unwrap_or("")
    }

    /// `light`, `dark` or `auto`.
    pub(crate) fn theme(self) -> &'static str {
        self.config(|c| c.theme).unwrap_or("light")
    }

    pub(super) fn endpoint(self) -> String {
        self.config(|c| c.endpoint.clone()).unwrap_or_default()
    }

    /// Reads the state without tracking (for handlers and async code).
    pub(crate) fn read<T>(self, f: impl FnOnce(&State) -> T) -> Option<T> {
        self.state.try_with_untracked(f)
    }

    /// Changes the state (a no-op once unmounted).
    pub(super) fn write(self, f: impl FnOnce(&mut State)) {
        self.state.update(f);
    }

    /// Shows `step`.
    pub(super) fn show(self, step: Step) {
        self.write(|s| s.step = step);
    }

    /// The current step (`None` once unmounted).
    pub(super) fn step(self) -> Option<Step> {
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
            .unwrap_or_else(|| [decimal.as_str(), " ", code].concat())
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
}
