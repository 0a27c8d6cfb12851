//! Everything the view shows, in one [`State`] behind one signal.

use shared::api::CheckoutSettings;
use shared::Basket;

use crate::details::{Errors, Shown, Values, COUNTRY};
use crate::edge::{Code, PriceList};
use crate::i18n::Msg;
use crate::store::Purchase;

use super::bill::{bill, Bill, Ship};

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
    /// Back from the payment page: not paid (open, failed, canceled).
    NotCompleted,
    /// Back from the payment page: the edge expired the unpaid checkout;
    /// "Start again" creates a new one.
    Expired,
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
    /// The checkout's short reference (`QC-1A2B3C4D`) the edge gave with
    /// its status, shown on the paid and processing screens.
    pub(crate) reference: Option<String>,
    /// `(sku, units left)` of the SKUs whose stock is tracked
    /// (`GET /v1/availability`); `None` until known (all unlimited).
    pub(crate) stock: Option<Vec<(String, u32)>>,
    /// The SKU the edge said is sold out (409 `sold_out`), offered for removal.
    pub(crate) sold_out: Option<String>,
    /// The discount code applied to the basket (mirrors `localStorage`).
    pub(crate) code: Option<Code>,
    /// What the code box says: why a code was refused, or that it applies.
    pub(crate) code_msg: Option<Msg>,
}

impl State {
    /// What the details step (or the basket) is paying for.
    pub(crate) fn items(&self) -> &Basket {
        match (&self.step, &self.purchase) {
            (Step::Details, Purchase::Items(items)) => items,
            _ => &self.basket,
        }
    }

    /// The shop's details-step settings (legal pages, business buyers),
    /// once the catalog is loaded.
    pub(crate) fn checkout_settings(&self) -> Option<&CheckoutSettings> {
        match &self.prices {
            Prices::Ready(list) => Some(&list.checkout),
            _ => None,
        }
    }

    /// Which fields the details step shows for shipping `ship`: the
    /// address for a purchase that is shipped, and what the shop's
    /// `checkout` settings ask for.
    pub(crate) fn shown(&self, ship: Ship) -> Shown {
        let settings = self.checkout_settings();
        Shown {
            shipped: ship != Ship::None,
            business: settings.is_some_and(|c| c.business_buyers),
            terms: settings.is_some_and(|c| c.terms_url.is_some()),
        }
    }

    /// The discount code of the current items: the basket's (buy now's
    /// item takes none).
    pub(crate) fn code(&self) -> Option<&Code> {
        self.code
            .as_ref()
            .filter(|_| core::ptr::eq(self.items(), &self.basket))
    }

    /// The current items priced, with shipping to the country typed and
    /// the basket's discount code.
    pub(crate) fn bill(&self) -> Bill {
        bill(
            self.items(),
            &self.prices,
            &self.values[COUNTRY],
            self.code(),
        )
    }
}
