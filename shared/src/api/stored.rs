//! The order a checkout keeps with it (the ledger's `order_json`), typed:
//! what the merchant needs to fulfil it (the customer, the shipping, the
//! totals), or for an invoice its number and debitor. Written when the
//! checkout is created, read by the admin, the CSV export and the paid
//! notification, all through this one type. A golden test pins the JSON,
//! which rows already in D1 hold.

use serde::{Deserialize, Serialize};

use super::checkout::Customer;
use super::validate::ValidatedOrder;
use crate::money::WireAmount;
use crate::vat::VatRateFormat;

/// The stored order of a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StoredOrder {
    /// A basket (or buy-now) checkout (boxed: it is much the larger).
    Basket(Box<BasketOrder>),
    /// An invoice checkout.
    Invoice(InvoiceOrder),
}

/// What a basket checkout keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketOrder {
    /// The checkout's short reference (`QC-1A2B3C4D`), also on the Qonto
    /// link's first item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The customer; `None` once forgotten (the retention purge removes it).
    #[serde(default)]
    pub customer: Option<Customer>,
    /// The shipping line, when goods are shipped.
    #[serde(default)]
    pub shipping: Option<StoredShipping>,
    /// The totals, shipping included.
    pub totals: StoredTotals,
    /// The language the shopper used (`en`, `fr`, `de`, `it`, `es`, `nl`):
    /// the order confirmation e-mail is written in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// For a link the merchant made to share (not a widget checkout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_link: Option<StoredShareLink>,
    /// The shopper's acceptance of the shop's terms, in a shop that
    /// publishes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<StoredTerms>,
    /// The discount code applied, and what it took off the goods (the
    /// totals are already lowered by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<super::discounted::CheckoutDiscount>,
}

/// What the shopper accepted, and when: the proof an EU shop keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTerms {
    /// When the checkout carrying the acceptance reached the edge (RFC 3339).
    pub accepted_at: String,
    /// The terms and conditions page shown.
    pub terms_url: String,
    /// The withdrawal information page shown beside them, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal_url: Option<String>,
    /// The privacy notice shown beside them, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_url: Option<String>,
}

/// What a link to share keeps (the admin's share links).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredShareLink {
    /// The title the merchant gave it.
    pub title: String,
    /// Whether it takes any number of payments.
    #[serde(default)]
    pub reusable: bool,
    /// For one payment of a reusable link: the link's checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_id: Option<String>,
    /// For one payment of a reusable link: Qonto's payment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
}

/// What an invoice checkout keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceOrder {
    /// The checkout's short reference (`QC-1A2B3C4D`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The invoice's number.
    pub invoice_number: String,
    /// Who the invoice is addressed to; empty once the customer was
    /// forgotten (a data-subject request, or the retention period).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub debitor_name: String,
}

/// The shipping line of a stored order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredShipping {
    /// The zone's name.
    pub zone: String,
    /// The destination country.
    pub country: String,
    /// Free above the threshold.
    pub free: bool,
    /// Net.
    pub net: WireAmount,
    /// VAT.
    pub vat: WireAmount,
    /// Gross.
    pub gross: WireAmount,
}

/// The totals of a stored order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTotals {
    /// Net.
    pub net: WireAmount,
    /// VAT.
    pub vat: WireAmount,
    /// Gross: what is charged.
    pub gross: WireAmount,
    /// VAT per rate (absent in a share link's order, whose single line
    /// says its rate).
    #[serde(default)]
    pub vat_by_rate: Vec<StoredRate>,
}

/// The VAT at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRate {
    /// The rate, percent string (`"20.0"`).
    pub rate: String,
    /// The VAT at that rate.
    pub vat: WireAmount,
}

impl From<&ValidatedOrder> for StoredOrder {
    fn from(order: &ValidatedOrder) -> StoredOrder {
        let totals = &order.totals;
        StoredOrder::Basket(Box::new(BasketOrder {
            reference: None,
            customer: order.customer.clone(),
            shipping: order.shipping.as_ref().map(|q| StoredShipping {
                zone: q.zone.clone(),
                country: q.country.clone(),
                free: q.free,
                net: q.line.net.into(),
                vat: q.line.vat.into(),
                gross: q.line.gross.into(),
            }),
            totals: StoredTotals {
                net: totals.net.into(),
                vat: totals.vat.into(),
                gross: totals.gross.into(),
                vat_by_rate: totals
                    .vat_by_rate
                    .iter()
                    .map(|(rate, vat)| StoredRate {
                        rate: rate.format(VatRateFormat::Percent),
                        vat: (*vat).into(),
                    })
                    .collect(),
            },
            language: None,
            share_link: None,
            terms: None,
            discount: order.discount.as_ref().map(Into::into),
        }))
    }
}

impl StoredOrder {
    /// With the checkout's short reference.
    pub fn with_reference(mut self, reference: &str) -> StoredOrder {
        match &mut self {
            StoredOrder::Basket(b) => b.reference = Some(reference.to_owned()),
            StoredOrder::Invoice(i) => i.reference = Some(reference.to_owned()),
        }
        self
    }

    /// With the shopper's language (basket checkouts only).
    pub fn with_language(mut self, language: &str) -> StoredOrder {
        if let StoredOrder::Basket(b) = &mut self {
            b.language = Some(language.to_owned());
        }
        self
    }

    /// With the terms the shopper accepted at `accepted_at` (basket
    /// checkouts of a shop with `terms_url` only).
    pub fn with_terms(
        mut self,
        policy: &super::buyer::CheckoutPolicy,
        accepted_at: &str,
    ) -> StoredOrder {
        if let (StoredOrder::Basket(b), Some(terms_url)) = (&mut self, &policy.terms_url) {
            b.terms = Some(StoredTerms {
                accepted_at: accepted_at.to_owned(),
                terms_url: terms_url.clone(),
                withdrawal_url: policy.withdrawal_url.clone(),
                privacy_url: policy.privacy_url.clone(),
            });
        }
        self
    }

    /// The JSON text to store.
    pub fn to_json(&self) -> String {
        // Plain structs of strings and booleans always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored order; `None` for a text that is not one.
    pub fn from_json(text: &str) -> Option<StoredOrder> {
        serde_json::from_str(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Address, CheckoutItem, CheckoutRequest};
    use crate::catalog::{Catalog, Product, ProductKind};
    use crate::money::{Currency, Money};
    use crate::shipping::{Shipping, ShippingZone};
    use crate::vat::VatRate;

    fn order() -> ValidatedOrder {
        let eur = |m| Money::new(m, Currency::EUR);
        let rate = VatRate::from_basis_points(2000).unwrap();
        let catalog = Catalog::new(
            Currency::EUR,
            vec![Product {
                sku: "mug".into(),
                title: "Mug".into(),
                description: None,
                unit_price: eur(1250),
                vat_rate: rate,
                kind: ProductKind::Good,
                image_url: None,
                unit_price_gross: None,
                variant: None,
            }],
        )
        .unwrap();
        let shipping = Shipping::new(
            Currency::EUR,
            vec![ShippingZone {
                name: "France".into(),
                countries: vec!["FR".into()],
                price: eur(490),
                vat_rate: rate,
            }],
            None,
        )
        .unwrap();
        CheckoutRequest {
            items: vec![CheckoutItem {
                sku: "mug".into(),
                quantity: 1,
            }],
            customer: Some(Customer {
                email: "ada@example.com".into(),
                name: "Ada".into(),
                phone: None,
                address: Some(Address {
                    line1: "1 rue de la Paix".into(),
                    line2: None,
                    postal_code: "75002".into(),
                    city: "Paris".into(),
                    country: "FR".into(),
                }),
                company: None,
                vat_number: None,
            }),
            payment_methods: None,
            return_url: None,
            language: None,
            terms_accepted: None,
            discount_code: None,
        }
        .validate_with(&catalog, &shipping)
        .unwrap()
    }

    /// The JSON rows in D1 hold: written out here, not by the code under test.
    const GOLDEN: &str = r#"{"customer":{"email":"ada@example.com","name":"Ada","address":{"line1":"1 rue de la Paix","postal_code":"75002","city":"Paris","country":"FR"}},"shipping":{"zone":"France","country":"FR","free":false,"net":{"value":"4.90","currency":"EUR"},"vat":{"value":"0.98","currency":"EUR"},"gross":{"value":"5.88","currency":"EUR"}},"totals":{"net":{"value":"17.40","currency":"EUR"},"vat":{"value":"3.48","currency":"EUR"},"gross":{"value":"20.88","currency":"EUR"},"vat_by_rate":[{"rate":"20.0","vat":{"value":"3.48","currency":"EUR"}}]}}"#;

    #[test]
    fn a_basket_order_is_stored_as_the_golden_json() {
        let stored = StoredOrder::from(&order());
        assert_eq!(stored.to_json(), GOLDEN);
        assert_eq!(StoredOrder::from_json(GOLDEN), Some(stored));
    }

    #[test]
    fn a_discounted_order_keeps_its_code_and_lowered_totals() {
        // The mug (15.00) less 10 %: 13.50 at 20 % is 11.25 net + 2.25;
        // shipping 5.88 as quoted. Worked by hand.
        let order =
            order().with_discount("SUMMER10", crate::discount::DiscountValue::Percent(1_000));
        let json: serde_json::Value =
            serde_json::from_str(&StoredOrder::from(&order).to_json()).unwrap();
        assert_eq!(
            json["discount"],
            serde_json::json!({"code": "SUMMER10", "amount": {"value": "1.50", "currency": "EUR"}})
        );
        assert_eq!(json["totals"]["net"]["value"], "16.15");
        assert_eq!(json["totals"]["vat"]["value"], "3.23");
        assert_eq!(json["totals"]["gross"]["value"], "19.38");
        assert_eq!(json["totals"]["vat_by_rate"][0]["vat"]["value"], "3.23");
        assert_eq!(json["shipping"]["gross"]["value"], "5.88");
        // An order stored before codes existed reads back without one.
        match StoredOrder::from_json(GOLDEN) {
            Some(StoredOrder::Basket(b)) => assert_eq!(b.discount, None),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forgotten_customers_and_invoices_read_back() {
        let forgotten = r#"{"shipping":null,"totals":{"net":{"value":"1.00","currency":"EUR"},"vat":{"value":"0.00","currency":"EUR"},"gross":{"value":"1.00","currency":"EUR"},"vat_by_rate":[]}}"#;
        match StoredOrder::from_json(forgotten) {
            Some(StoredOrder::Basket(b)) => assert_eq!(b.customer, None),
            other => panic!("{other:?}"),
        }
        let invoice = r#"{"invoice_number":"F-2026-001","debitor_name":"Acme"}"#;
        let stored = StoredOrder::from_json(invoice).unwrap();
        assert_eq!(
            stored,
            StoredOrder::Invoice(InvoiceOrder {
                reference: None,
                invoice_number: "F-2026-001".into(),
                debitor_name: "Acme".into()
            })
        );
        assert_eq!(stored.to_json(), invoice);
        // What the edge writes today: with the checkout's reference.
        let referenced =
            r#"{"reference":"QC-1A2B3C4D","invoice_number":"F-2026-001","debitor_name":"Acme"}"#;
        assert_eq!(
            StoredOrder::from_json(invoice)
                .unwrap()
                .with_reference("QC-1A2B3C4D")
                .to_json(),
            referenced
        );
        // A shopper's language and a share link survive a read and a write.
        let shared_link = r#"{"totals":{"net":{"value":"10.00","currency":"EUR"},"vat":{"value":"2.00","currency":"EUR"},"gross":{"value":"12.00","currency":"EUR"}},"share_link":{"title":"Deposit","reusable":true}}"#;
        let read = StoredOrder::from_json(shared_link).unwrap();
        assert_eq!(
            read.with_language("fr").to_json(),
            r#"{"customer":null,"shipping":null,"totals":{"net":{"value":"10.00","currency":"EUR"},"vat":{"value":"2.00","currency":"EUR"},"gross":{"value":"12.00","currency":"EUR"},"vat_by_rate":[]},"language":"fr","share_link":{"title":"Deposit","reusable":true}}"#
        );
        assert_eq!(StoredOrder::from_json("{}"), None);
        // An invoice whose debtor was forgotten keeps its number.
        let forgotten_debtor = r#"{"reference":"QC-1A2B3C4D","invoice_number":"F-2026-001"}"#;
        let read = StoredOrder::from_json(forgotten_debtor).unwrap();
        assert_eq!(
            read,
            StoredOrder::Invoice(InvoiceOrder {
                reference: Some("QC-1A2B3C4D".into()),
                invoice_number: "F-2026-001".into(),
                debitor_name: String::new(),
            })
        );
        assert_eq!(read.to_json(), forgotten_debtor);
    }
}
