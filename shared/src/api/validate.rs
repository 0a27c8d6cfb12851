//! The validation of a checkout request: its items priced into an order by
//! [`PricedOrder::price`] (the rule the widget shows its basket with), its
//! customer trimmed and checked field by field ([`super::fields`]), its
//! payment methods checked; every problem listed with a pointer.

use super::checkout::{Address, CheckoutLine, CheckoutRequest, Customer};
use super::errors::{self, ApiProblem};
use super::fields::{self, Field};
use crate::catalog::{Catalog, Product, ProductKind};
use crate::limits::{MAX_EMAIL_BYTES, MAX_LINES, MAX_PAYMENT_METHODS, MAX_QUANTITY};
use crate::money::Money;
use crate::order::{OrderProblem, PricedOrder, ShippingLine};
use crate::pricing::{PricedLine, Totals};
use crate::shipping::{Shipping, ShippingQuote};
use crate::vat::VatRateFormat;

/// A product of the order and its priced line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// The catalog product (a copy: the order outlives a catalog reload).
    pub product: Product,
    /// Quantity and prices.
    pub priced: PricedLine,
}

/// A checkout request checked against the catalog and priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedOrder {
    /// One line per SKU, in the order SKUs first appear in the request.
    pub lines: Vec<OrderLine>,
    /// Totals of the lines.
    pub totals: Totals,
    /// The customer, trimmed, with blank optional fields as `None` and the
    /// country uppercased.
    pub customer: Option<Customer>,
    /// The requested payment methods, duplicates removed, if any were given.
    pub payment_methods: Option<Vec<String>>,
    /// The shipping line, when the order has goods and the merchant ships
    /// (`totals` include it).
    pub shipping: Option<ShippingQuote>,
    /// The discount code applied ([`ValidatedOrder::with_discount`]): the
    /// lines and totals are already lowered by it.
    pub discount: Option<super::discounted::AppliedDiscount>,
}

impl ValidatedOrder {
    /// The gross amount to charge.
    pub fn amount(&self) -> Money {
        self.totals.gross
    }

    /// True if any line is a good (the edge then asks for an address and
    /// adds shipping, if configured).
    pub fn has_goods(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.product.kind == ProductKind::Good)
    }

    /// The lines as the API returns them.
    pub fn checkout_lines(&self) -> Vec<CheckoutLine> {
        self.lines
            .iter()
            .map(|l| CheckoutLine {
                sku: l.product.sku.clone(),
                title: l.product.title.clone(),
                quantity: l.priced.quantity,
                unit_price: l.priced.unit_net.into(),
                vat_rate: l.priced.vat_rate.format(VatRateFormat::Percent),
                net: l.priced.net.into(),
                vat: l.priced.vat.into(),
                gross: l.priced.gross.into(),
            })
            .collect()
    }
}

impl CheckoutRequest {
    /// Checks the request against `catalog` and prices it, or returns every
    /// problem found, ordered by field, each with a pointer.
    ///
    /// Items with the same SKU are **merged** (quantities add up, the line
    /// keeps the first item's position), as the basket does; the merged
    /// quantity must stay within 1..=[`MAX_QUANTITY`]. The [`MAX_LINES`]
    /// limit applies to the items as sent. A SKU that is not in the catalog
    /// (or not even a valid SKU) is `unknown_sku`.
    pub fn validate(&self, catalog: &Catalog) -> Result<ValidatedOrder, Vec<ApiProblem>> {
        self.validate_with(catalog, &Shipping::none(catalog.currency()))
    }

    /// [`CheckoutRequest::validate`] for a merchant with shipping rules: an
    /// order with at least one good then needs `customer` with an `address`
    /// in a shipped country (`missing_field`, `unshippable_country`), and
    /// gets the shipping line of [`crate::shipping`] (free above the
    /// threshold), priced like the other lines and included in the totals.
    /// The pricing itself is [`PricedOrder::price`], the widget's too.
    pub fn validate_with(
        &self,
        catalog: &Catalog,
        shipping: &Shipping,
    ) -> Result<ValidatedOrder, Vec<ApiProblem>> {
        let mut problems = Vec::new();
        let customer = self
            .customer
            .as_ref()
            .map(|c| normalize_customer(c, &mut problems));
        let country = customer
            .as_ref()
            .and_then(|c| c.address.as_ref())
            .map(|a| a.country.as_str());
        let items = self.items.iter().map(|i| (i.sku.as_str(), i.quantity));
        let order = PricedOrder::price(items, catalog, shipping, country);

        // Items first, then the customer, the payment methods, the shipping.
        let mut amount_too_large = false;
        let mut item_problems = Vec::new();
        for p in &order.problems {
            match *p {
                OrderProblem::AmountTooLarge => amount_too_large = true,
                other => item_problems.push(self.problem(other, catalog)),
            }
        }
        problems.splice(0..0, item_problems);
        let payment_methods = self
            .payment_methods
            .as_ref()
            .map(|m| check_payment_methods(m, &mut problems));
        let ships = order.has_goods() && shipping.ships();
        match customer.as_ref().map(|c| c.address.as_ref()) {
            _ if !ships => {}
            None => problems.push(ApiProblem::at(
                fields::CUSTOMER,
                errors::MISSING_FIELD,
                "customer details are required to ship goods",
            )),
            Some(None) => problems.push(ApiProblem::at(
                fields::ADDRESS,
                errors::MISSING_FIELD,
                "a shipping address is required for goods",
            )),
            Some(Some(address)) => {
                // A country that is not a code is `invalid_country` already.
                if order.shipping == ShippingLine::Unshippable && address.country.len() == 2 {
                    problems.push(ApiProblem::at(
                        fields::COUNTRY.pointer,
                        errors::UNSHIPPABLE_COUNTRY,
                        format!("the shop does not ship to {}", address.country),
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let (Some(totals), false) = (order.totals(), amount_too_large) else {
            return Err(vec![ApiProblem::at(
                "items",
                errors::AMOUNT_TOO_LARGE,
                format!("the total is above the maximum of {}", order.max_amount()),
            )]);
        };
        let lines = order
            .lines
            .iter()
            .filter_map(|l| {
                Some(OrderLine {
                    product: catalog.get(&l.sku)?.clone(),
                    priced: l.priced?,
                })
            })
            .collect();
        let shipping = match order.shipping {
            ShippingLine::Quoted(quote) => Some(quote),
            _ => None,
        };
        Ok(ValidatedOrder {
            lines,
            totals,
            customer,
            payment_methods,
            shipping,
            discount: None,
        })
    }

    /// The 422 problem for a problem of the order's items. A product with
    /// variants is `unknown_sku` too (it is not sold by its own SKU), with a
    /// message naming its variants.
    fn problem(&self, p: OrderProblem, catalog: &Catalog) -> ApiProblem {
        let sku = |i: usize| self.items.get(i).map_or("", |item| item.sku.as_str());
        let message = match p {
            OrderProblem::EmptyBasket => "the basket is empty".to_owned(),
            OrderProblem::TooManyLines { count } => {
                format!("{count} items; at most {MAX_LINES} are allowed")
            }
            OrderProblem::UnknownSku { item } => match catalog.group(sku(item)) {
                Some(group) => format!(
                    "{:?} has variants and is sold as one of them: {}",
                    sku(item),
                    group.variants.join(", ")
                ),
                None => format!("{:?} is not in the catalog", sku(item)),
            },
            OrderProblem::QuantityOutOfRange {
                quantity,
                merged_with: None,
                ..
            } => format!("quantity {quantity} is not between 1 and {MAX_QUANTITY}"),
            OrderProblem::QuantityOutOfRange {
                quantity,
                merged_with: Some(first),
                ..
            } => format!(
                "together with items[{first}] the quantity is {quantity}; at most {MAX_QUANTITY} are allowed"
            ),
            OrderProblem::AmountTooLarge => "the total is above the maximum".to_owned(),
        };
        let field = match p {
            OrderProblem::UnknownSku { item } => format!("items[{item}].sku"),
            OrderProblem::QuantityOutOfRange { item, .. } => format!("items[{item}].quantity"),
            _ => "items".to_owned(),
        };
        ApiProblem::at(field, p.code(), message)
    }
}

/// Trims `value`; reports it blank (`missing_field`) or too long.
fn required_text(value: &str, field: Field, problems: &mut Vec<ApiProblem>) -> String {
    let value = value.trim();
    let pointer = field.pointer;
    if value.is_empty() {
        problems.push(ApiProblem::at(
            pointer,
            errors::MISSING_FIELD,
            format!("{pointer} is required"),
        ));
    } else {
        check_length(value, field, problems);
        check_characters(value, field.pointer, problems);
    }
    value.to_owned()
}

/// Trims `value`; blank becomes `None`; reports it too long.
fn optional_text(
    value: Option<&String>,
    field: Field,
    problems: &mut Vec<ApiProblem>,
) -> Option<String> {
    let value = value.map(|v| v.trim()).filter(|v| !v.is_empty())?;
    check_length(value, field, problems);
    check_characters(value, field.pointer, problems);
    Some(value.to_owned())
}

/// Refuses control and bidirectional-override characters
/// ([`fields::forbidden_character`]) in the trimmed value, naming the field.
fn check_characters(value: &str, pointer: &str, problems: &mut Vec<ApiProblem>) {
    if let Some(c) = fields::forbidden_character(value) {
        problems.push(ApiProblem::at(
            pointer,
            errors::INVALID_CHARACTERS,
            format!(
                "{pointer} holds the character U+{:04X}; control and text-direction characters are not accepted",
                u32::from(c)
            ),
        ));
    }
}

fn check_length(value: &str, field: Field, problems: &mut Vec<ApiProblem>) {
    if value.chars().count() > field.max_chars {
        problems.push(ApiProblem::at(
            field.pointer,
            errors::FIELD_TOO_LONG,
            format!(
                "{} is longer than {} characters",
                field.pointer, field.max_chars
            ),
        ));
    }
}

fn normalize_customer(c: &Customer, problems: &mut Vec<ApiProblem>) -> Customer {
    let email = c.email.trim().to_owned();
    let pointer = fields::EMAIL.pointer;
    if email.is_empty() {
        problems.push(ApiProblem::at(
            pointer,
            errors::MISSING_FIELD,
            format!("{pointer} is required"),
        ));
    } else if fields::forbidden_character(&email).is_some() {
        check_characters(&email, pointer, problems);
    } else if !is_plausible_email(&email) {
        problems.push(ApiProblem::at(
            pointer,
            errors::INVALID_EMAIL,
            format!("{pointer} is not a valid e-mail address"),
        ));
    }
    let name = required_text(&c.name, fields::NAME, problems);
    let phone = optional_text(c.phone.as_ref(), fields::PHONE, problems);
    if let Some(phone) = &phone {
        if fields::forbidden_character(phone).is_none() && !is_plausible_phone(phone) {
            let pointer = fields::PHONE.pointer;
            problems.push(ApiProblem::at(
                pointer,
                errors::INVALID_PHONE,
                format!("{pointer} is not a valid phone number"),
            ));
        }
    }
    let address = c.address.as_ref().map(|a| {
        let line1 = required_text(&a.line1, fields::LINE1, problems);
        let line2 = optional_text(a.line2.as_ref(), fields::LINE2, problems);
        let postal_code = required_text(&a.postal_code, fields::POSTAL_CODE, problems);
        let city = required_text(&a.city, fields::CITY, problems);
        let country = a.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            let pointer = fields::COUNTRY.pointer;
            problems.push(ApiProblem::at(
                pointer,
                errors::INVALID_COUNTRY,
                format!("{pointer} must be a 2-letter ISO 3166 code such as FR"),
            ));
        }
        Address {
            line1,
            line2,
            postal_code,
            city,
            country,
        }
    });
    let company = optional_text(c.company.as_ref(), fields::COMPANY, problems);
    let vat_number = vat_number(c.vat_number.as_deref(), company.is_some(), problems);
    Customer {
        email,
        name,
        phone,
        address,
        company,
        vat_number,
    }
}

fn check_payment_methods(methods: &[String], problems: &mut Vec<ApiProblem>) -> Vec<String> {
    if methods.is_empty() || methods.len() > MAX_PAYMENT_METHODS {
        problems.push(ApiProblem::at(
            "payment_methods",
            errors::INVALID_PAYMENT_METHOD,
            format!("payment_methods must list 1 to {MAX_PAYMENT_METHODS} methods, or be omitted"),
        ));
        return Vec::new();
    }
    let mut unique: Vec<String> = Vec::with_capacity(methods.len());
    for (i, m) in methods.iter().enumerate() {
        let valid = !m.is_empty()
            && m.len() <= 64
            && m.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            problems.push(ApiProblem::at(
                format!("payment_methods[{i}]"),
                errors::INVALID_PAYMENT_METHOD,
                format!("{m:?} is not a payment method name such as credit_card"),
            ));
        } else if !unique.contains(m) {
            unique.push(m.clone());
        }
    }
    unique
}

/// A business buyer's VAT number: blank is `None`; otherwise its format for
/// its country ([`crate::vat_number`]), stored compact; it needs a company
/// name beside it (a VAT number identifies a business, not a person).
fn vat_number(
    value: Option<&str>,
    has_company: bool,
    problems: &mut Vec<ApiProblem>,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    let pointer = fields::VAT_NUMBER.pointer;
    let number = match crate::vat_number::parse_vat_number(value) {
        Ok(n) => n,
        Err(e) => {
            problems.push(ApiProblem::at(
                pointer,
                errors::INVALID_VAT_NUMBER,
                format!("{pointer}: {e}"),
            ));
            return None;
        }
    };
    if !has_company {
        let pointer = fields::COMPANY.pointer;
        problems.push(ApiProblem::at(
            pointer,
            errors::MISSING_FIELD,
            format!("{pointer} is required with a VAT number"),
        ));
    }
    Some(number.as_str().to_owned())
}

/// One `@`, a non-empty local part of at most 64 bytes, a dotted domain, no
/// whitespace, at most 254 bytes. Deliberately loose: the real check is the
/// payment provider's, this only catches typos and garbage. (Public for the
/// widget, which checks its details step with the edge's own rule.)
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= MAX_EMAIL_BYTES
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Digits with the usual separators (`+ ( ) - .` and spaces), 5 to 20 digits.
/// (Public for the widget, as [`is_plausible_email`].)
pub fn is_plausible_phone(phone: &str) -> bool {
    let digits = phone.bytes().filter(u8::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && phone
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'(' | b')' | b'-' | b'.' | b' '))
}
