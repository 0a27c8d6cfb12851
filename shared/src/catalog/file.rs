//! The catalog file as the merchant writes it, and its validation into a
//! [`Catalog`]: plain products, VAT-inclusive prices, groups with options and
//! variants (see the parent module for the format).
//!
//! Every field is optional at this level so that a missing field is reported
//! by [`CatalogFile::validate`] along with every other problem, not as the
//! first and only JSON error. Unknown fields are ignored.

use std::collections::BTreeMap;

use super::variants::read_group;
use super::{
    check_gross_price, check_price, check_text_fields, empty_catalog, problem, Catalog,
    CatalogProblem, Product, ProductKind,
};
use crate::money::{Currency, Money};
use crate::vat::{VatRate, VatRateFormat};

/// The catalog file (see the parent module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize, serde::Serialize))]
pub struct CatalogFile {
    /// ISO 4217 code, e.g. `"EUR"`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub currency: Option<String>,
    /// The products.
    #[cfg_attr(feature = "serde", serde(default))]
    pub products: Vec<ProductEntry>,
}

/// One product in a [`CatalogFile`]: a plain product, or a group when it has
/// `variants`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize, serde::Serialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct ProductEntry {
    /// The SKU (see [`super::is_valid_sku`]).
    pub sku: Option<String>,
    /// The title shown to shoppers.
    pub title: Option<String>,
    /// Optional description.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub description: Option<String>,
    /// Net unit price as a decimal string, e.g. `"25.00"`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub unit_price: Option<String>,
    /// VAT-inclusive unit price, instead of `unit_price`, e.g. `"19.90"`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub unit_price_gross: Option<String>,
    /// VAT rate as a percent string, e.g. `"20"` or `"5.5"`.
    pub vat_rate: Option<String>,
    /// `"good"` or `"service"`.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: Option<String>,
    /// Optional image: absolute http(s) URL or root-relative path.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub image_url: Option<String>,
    /// The options of a group (`Size`, `Colour`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub options: Option<Vec<OptionEntry>>,
    /// The variants of a group.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub variants: Option<Vec<VariantEntry>>,
}

/// One option of a group in a [`CatalogFile`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize, serde::Serialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct OptionEntry {
    /// The option's name, e.g. `"Size"`.
    pub name: Option<String>,
    /// Its values, e.g. `["S", "M", "L"]`.
    pub values: Option<Vec<String>>,
}

/// One variant of a group in a [`CatalogFile`]: what it does not give, it
/// inherits from the group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize, serde::Serialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct VariantEntry {
    /// The variant's SKU (what baskets name).
    pub sku: Option<String>,
    /// One value per option of the group, in the group's option order.
    pub options: Option<Vec<String>>,
    /// Optional description (else the group's).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub description: Option<String>,
    /// Net unit price (else the group's price).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub unit_price: Option<String>,
    /// VAT-inclusive unit price (else the group's price).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub unit_price_gross: Option<String>,
    /// Optional image (else the group's).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub image_url: Option<String>,
    /// VAT rate (else the group's).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub vat_rate: Option<String>,
    /// `"good"` or `"service"` (else the group's).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "type", skip_serializing_if = "Option::is_none")
    )]
    pub kind: Option<String>,
    /// Refused: a variant's title is its product's and its option values.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub title: Option<String>,
}

/// A price as written: net or VAT-inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Price {
    Net(Money),
    Gross(Money),
}

/// The shared parts of a product entry, read once.
pub(super) struct Base {
    pub(super) title: Option<String>,
    pub(super) vat_rate: Option<VatRate>,
    pub(super) kind: Option<ProductKind>,
    /// `None`: not given; `Some(None)`: given but invalid (reported).
    pub(super) price: Option<Option<Price>>,
}

impl CatalogFile {
    /// Checks the whole file and builds the [`Catalog`], or returns every
    /// problem found, in file order.
    pub fn validate(&self) -> Result<Catalog, Vec<CatalogProblem>> {
        let mut problems = Vec::new();
        let currency = match self.currency.as_deref() {
            None => {
                problems.push(problem(
                    "currency",
                    "missing_field",
                    "currency is missing".into(),
                ));
                None
            }
            Some(code) => match Currency::parse(code) {
                Ok(c) => Some(c),
                Err(e) => {
                    problems.push(problem("currency", e.code(), format!("{code:?}: {e}")));
                    None
                }
            },
        };
        if self.products.is_empty() {
            problems.push(empty_catalog());
        }
        // The currency only matters for the amount, so a bad currency still
        // lets the prices' syntax be checked.
        let price_currency = currency.unwrap_or(Currency::EUR);

        let mut seen = BTreeMap::new();
        let mut products = Vec::with_capacity(self.products.len());
        let mut groups = Vec::new();
        for (i, entry) in self.products.iter().enumerate() {
            let at = format!("products[{i}]");
            let is_group = entry.variants.is_some();
            let base = read_base(
                &at,
                entry,
                price_currency,
                !is_group,
                &mut seen,
                &mut problems,
            );
            if let (Some(Some(price)), Some(rate)) = (base.price, base.vat_rate) {
                check(&at, price, rate, price_currency, &mut problems);
            }
            if let Some(variants) = &entry.variants {
                read_group(
                    &at,
                    entry,
                    variants,
                    &base,
                    price_currency,
                    &mut seen,
                    &mut products,
                    &mut groups,
                    &mut problems,
                );
                continue;
            }
            if entry.options.is_some() {
                problems.push(problem(
                    &format!("{at}.variants"),
                    "missing_variants",
                    "options are given but no variants: list the variants that are sold".into(),
                ));
            }
            if let (Some(sku), Some(title), Some(Some(price)), Some(vat_rate), Some(kind)) = (
                entry.sku.clone(),
                base.title,
                base.price,
                base.vat_rate,
                base.kind,
            ) {
                if let Some((unit_price, unit_price_gross)) = resolve(price, vat_rate) {
                    products.push(Product {
                        sku,
                        title,
                        description: entry.description.clone(),
                        unit_price,
                        unit_price_gross,
                        vat_rate,
                        kind,
                        image_url: entry.image_url.clone(),
                        variant: None,
                    });
                }
            }
        }

        match currency {
            Some(currency) if problems.is_empty() => {
                Ok(Catalog::assemble(currency, products, groups))
            }
            _ => Err(problems),
        }
    }
}

/// Net and VAT-inclusive prices of a checked price.
pub(super) fn resolve(price: Price, rate: VatRate) -> Option<(Money, Option<Money>)> {
    match price {
        Price::Net(m) => Some((m, None)),
        Price::Gross(g) => {
            crate::pricing::lots::unit_net_for_gross(g, rate).map(|net| (net, Some(g)))
        }
    }
}

pub(super) fn check(
    at: &str,
    price: Price,
    rate: VatRate,
    currency: Currency,
    problems: &mut Vec<CatalogProblem>,
) {
    match price {
        Price::Net(m) => check_price(at, m, rate, currency, problems),
        Price::Gross(g) => check_gross_price(at, g, rate, currency, problems),
    }
}

/// Title, VAT rate, type and price of a product entry; missing fields are
/// reported (the price only when `price_required`: a group's variants may
/// each give their own).
fn read_base(
    at: &str,
    entry: &ProductEntry,
    currency: Currency,
    price_required: bool,
    seen: &mut BTreeMap<String, String>,
    problems: &mut Vec<CatalogProblem>,
) -> Base {
    let field = |name: &str| format!("{at}.{name}");
    let mut required = |name: &str, value: &Option<String>| -> Option<String> {
        if value.is_none() {
            problems.push(problem(
                &field(name),
                "missing_field",
                format!("{name} is missing"),
            ));
        }
        value.clone()
    };
    let _ = required("sku", &entry.sku);
    let title = required("title", &entry.title);
    let price_given = entry.unit_price.is_some() || entry.unit_price_gross.is_some();
    if price_required && !price_given {
        required("unit_price", &None);
    }
    let vat_text = required("vat_rate", &entry.vat_rate);
    let kind_text = required("type", &entry.kind);
    check_text_fields(
        at,
        entry.sku.as_deref(),
        title.as_deref(),
        entry.image_url.as_deref(),
        seen,
        problems,
    );
    let price = read_price(
        at,
        entry.unit_price.as_deref(),
        entry.unit_price_gross.as_deref(),
        currency,
        problems,
    );
    let vat_rate = vat_text.and_then(|text| read_vat_rate(at, &text, problems));
    let kind = kind_text.and_then(|text| read_kind(at, &text, problems));
    Base {
        title,
        vat_rate,
        kind,
        price,
    }
}

/// The `vat_rate` at `at` (a percent string).
pub(super) fn read_vat_rate(
    at: &str,
    text: &str,
    problems: &mut Vec<CatalogProblem>,
) -> Option<VatRate> {
    match VatRate::parse(text, VatRateFormat::Percent) {
        Ok(r) => Some(r),
        Err(e) => {
            problems.push(problem(
                &format!("{at}.vat_rate"),
                "invalid_vat_rate",
                format!("{text:?}: {e} (write a percent like \"20\" or \"5.5\")"),
            ));
            None
        }
    }
}

/// The `type` at `at`.
pub(super) fn read_kind(
    at: &str,
    text: &str,
    problems: &mut Vec<CatalogProblem>,
) -> Option<ProductKind> {
    let kind = ProductKind::parse(text);
    if kind.is_none() {
        problems.push(problem(
            &format!("{at}.type"),
            "invalid_type",
            format!("{text:?}: type must be \"good\" or \"service\""),
        ));
    }
    kind
}

/// `unit_price` or `unit_price_gross` at `at` (exactly one): `None` when
/// neither is given, `Some(None)` when what is given is refused (reported).
pub(super) fn read_price(
    at: &str,
    net: Option<&str>,
    gross: Option<&str>,
    currency: Currency,
    problems: &mut Vec<CatalogProblem>,
) -> Option<Option<Price>> {
    let parse = |name: &str, text: &str, kind: &str, problems: &mut Vec<CatalogProblem>| {
        match Money::parse_decimal(text, currency) {
            Ok(m) => Some(m),
            Err(e) => {
                problems.push(problem(
                    &format!("{at}.{name}"),
                    "invalid_price",
                    format!("{text:?}: {e} (write the {kind} price like \"25.00\")"),
                ));
                None
            }
        }
    };
    match (net, gross) {
        (None, None) => None,
        (Some(_), Some(_)) => {
            problems.push(problem(
                &format!("{at}.unit_price_gross"),
                "conflicting_prices",
                "give unit_price (net of VAT) or unit_price_gross (VAT included), not both".into(),
            ));
            Some(None)
        }
        (Some(text), None) => Some(parse("unit_price", text, "net", problems).map(Price::Net)),
        (None, Some(text)) => {
            Some(parse("unit_price_gross", text, "VAT-inclusive", problems).map(Price::Gross))
        }
    }
}
