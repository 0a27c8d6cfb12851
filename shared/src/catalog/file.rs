//! The catalog file as the merchant writes it, and its validation into a
//! [`Catalog`]: plain products, VAT-inclusive prices, groups with options and
//! variants (see the parent module for the format).
//!
//! Every field is optional at this level so that a missing field is reported
//! by [`CatalogFile::validate`] along with every other problem, not as the
//! first and only JSON error. Unknown fields are ignored.

use std::collections::BTreeMap;

use super::{
    check_gross_price, check_image_url, check_price, check_sku, check_text_fields, check_title,
    empty_catalog, problem, variant_title, Catalog, CatalogProblem, Product, ProductKind,
    ProductOption, VariantGroup, VariantOf,
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
enum Price {
    Net(Money),
    Gross(Money),
}

/// The shared parts of a product entry, read once.
struct Base {
    title: Option<String>,
    vat_rate: Option<VatRate>,
    kind: Option<ProductKind>,
    /// `None`: not given; `Some(None)`: given but invalid (reported).
    price: Option<Option<Price>>,
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
fn resolve(price: Price, rate: VatRate) -> Option<(Money, Option<Money>)> {
    match price {
        Price::Net(m) => Some((m, None)),
        Price::Gross(g) => {
            crate::pricing::lots::unit_net_for_gross(g, rate).map(|net| (net, Some(g)))
        }
    }
}

fn check(
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
fn read_vat_rate(at: &str, text: &str, problems: &mut Vec<CatalogProblem>) -> Option<VatRate> {
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
fn read_kind(at: &str, text: &str, problems: &mut Vec<CatalogProblem>) -> Option<ProductKind> {
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
fn read_price(
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

/// The options of the group at `at`: named, distinct, each with distinct
/// non-empty values. `None` when missing or invalid (reported).
fn read_options(
    at: &str,
    options: Option<&[OptionEntry]>,
    problems: &mut Vec<CatalogProblem>,
) -> Option<Vec<ProductOption>> {
    let Some(options) = options.filter(|o| !o.is_empty()) else {
        problems.push(problem(
            &format!("{at}.options"),
            "missing_options",
            "a product with variants needs options (e.g. {\"name\": \"Size\", \"values\": [\"S\", \"M\"]})".into(),
        ));
        return None;
    };
    let before = problems.len();
    let mut names: Vec<&str> = Vec::new();
    let mut out = Vec::with_capacity(options.len());
    for (j, option) in options.iter().enumerate() {
        let here = format!("{at}.options[{j}]");
        match option.name.as_deref().map(str::trim) {
            None | Some("") => problems.push(problem(
                &format!("{here}.name"),
                "invalid_option",
                "an option needs a name".into(),
            )),
            Some(name) if names.contains(&name) => problems.push(problem(
                &format!("{here}.name"),
                "duplicate_option",
                format!("{name:?} is already an option of this product"),
            )),
            Some(name) => names.push(name),
        }
        let values = option.values.as_deref().unwrap_or_default();
        if values.is_empty() {
            problems.push(problem(
                &format!("{here}.values"),
                "invalid_option",
                "an option needs at least one value".into(),
            ));
        }
        for (m, value) in values.iter().enumerate() {
            if value.trim().is_empty() {
                problems.push(problem(
                    &format!("{here}.values[{m}]"),
                    "invalid_option",
                    "an option value is empty".into(),
                ));
            } else if values[..m].contains(value) {
                problems.push(problem(
                    &format!("{here}.values[{m}]"),
                    "duplicate_option_value",
                    format!("{value:?} is listed twice"),
                ));
            }
        }
        out.push(ProductOption {
            name: option.name.clone().unwrap_or_default(),
            values: values.to_vec(),
        });
    }
    (problems.len() == before).then_some(out)
}

/// A group's options and variants, each variant checked and, when valid,
/// added to `products` with what it inherits.
#[allow(clippy::too_many_arguments)]
fn read_group(
    at: &str,
    entry: &ProductEntry,
    variants: &[VariantEntry],
    base: &Base,
    currency: Currency,
    seen: &mut BTreeMap<String, String>,
    products: &mut Vec<Product>,
    groups: &mut Vec<VariantGroup>,
    problems: &mut Vec<CatalogProblem>,
) {
    let options = read_options(at, entry.options.as_deref(), problems);
    if variants.is_empty() {
        problems.push(problem(
            &format!("{at}.variants"),
            "missing_variants",
            "a product with variants needs at least one".into(),
        ));
    }
    let mut combinations: Vec<(Vec<String>, usize)> = Vec::new();
    let mut skus = Vec::with_capacity(variants.len());
    for (k, variant) in variants.iter().enumerate() {
        let here = format!("{at}.variants[{k}]");
        let sku = match variant.sku.as_deref() {
            Some(sku) => {
                check_sku(&here, sku, seen, problems);
                Some(sku.to_owned())
            }
            None => {
                problems.push(problem(
                    &format!("{here}.sku"),
                    "missing_field",
                    "sku is missing".into(),
                ));
                None
            }
        };
        if let Some(url) = variant.image_url.as_deref() {
            check_image_url(&format!("{here}.image_url"), url, problems);
        }
        let values = check_variant_values(
            &here,
            k,
            variant,
            options.as_deref(),
            &mut combinations,
            problems,
        );
        if variant.title.is_some() {
            problems.push(problem(
                &format!("{here}.title"),
                "variant_title",
                "a variant is named after its product and options (\"Fleece hoodie \u{2014} M, Navy\"): leave title out".into(),
            ));
        }
        let own_rate = variant
            .vat_rate
            .as_deref()
            .map(|text| read_vat_rate(&here, text, problems));
        let vat_rate = own_rate.unwrap_or(base.vat_rate);
        let kind = match variant.kind.as_deref() {
            Some(text) => read_kind(&here, text, problems),
            None => base.kind,
        };
        let own = read_price(
            &here,
            variant.unit_price.as_deref(),
            variant.unit_price_gross.as_deref(),
            currency,
            problems,
        );
        // Its own price, or the product's at its own VAT rate (a gross price
        // that works at one rate may not at another).
        let to_check = match (own, own_rate) {
            (Some(Some(price)), _) => Some(price),
            (None, Some(Some(_))) => base.price.flatten(),
            _ => None,
        };
        if let (Some(price), Some(rate)) = (to_check, vat_rate) {
            check(&here, price, rate, currency, problems);
        }
        let price = match (own, base.price) {
            (Some(p), _) | (None, Some(p)) => p,
            (None, None) => {
                problems.push(problem(
                    &format!("{here}.unit_price"),
                    "missing_field",
                    "unit_price is missing (on the variant or on its product)".into(),
                ));
                None
            }
        };
        let title = match (&base.title, &values) {
            (Some(title), Some(values)) => {
                let title = variant_title(title, values);
                check_title(&format!("{here}.options"), &title, problems);
                Some(title)
            }
            _ => None,
        };
        if let (
            Some(sku),
            Some(title),
            Some(values),
            Some(price),
            Some(vat_rate),
            Some(kind),
            Some(group),
        ) = (sku, title, values, price, vat_rate, kind, entry.sku.clone())
        {
            if let Some((unit_price, unit_price_gross)) = resolve(price, vat_rate) {
                skus.push(sku.clone());
                products.push(Product {
                    sku,
                    title,
                    description: variant
                        .description
                        .clone()
                        .or_else(|| entry.description.clone()),
                    unit_price,
                    unit_price_gross,
                    vat_rate,
                    kind,
                    image_url: variant
                        .image_url
                        .clone()
                        .or_else(|| entry.image_url.clone()),
                    variant: Some(VariantOf {
                        group,
                        option_values: values,
                    }),
                });
            }
        }
    }
    if let (Some(sku), Some(title), Some(options)) =
        (entry.sku.clone(), base.title.clone(), options)
    {
        groups.push(VariantGroup {
            sku,
            title,
            description: entry.description.clone(),
            image_url: entry.image_url.clone(),
            options,
            variants: skus,
        });
    }
}

/// The option values of variant `k`: one per option, each among the
/// option's values, and a combination no earlier variant has.
fn check_variant_values(
    here: &str,
    k: usize,
    variant: &VariantEntry,
    options: Option<&[ProductOption]>,
    combinations: &mut Vec<(Vec<String>, usize)>,
    problems: &mut Vec<CatalogProblem>,
) -> Option<Vec<String>> {
    let pointer = format!("{here}.options");
    let Some(values) = variant.options.as_ref() else {
        problems.push(problem(
            &pointer,
            "missing_field",
            "options is missing (one value per option of the product)".into(),
        ));
        return None;
    };
    let options = options?;
    if values.len() != options.len() {
        problems.push(problem(
            &pointer,
            "option_count_mismatch",
            format!(
                "{} values given; the product has {} options ({})",
                values.len(),
                options.len(),
                options
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        return None;
    }
    let before = problems.len();
    for (m, (value, option)) in values.iter().zip(options).enumerate() {
        if !option.values.contains(value) {
            problems.push(problem(
                &format!("{pointer}[{m}]"),
                "unknown_option_value",
                format!(
                    "{value:?} is not a value of {:?} ({})",
                    option.name,
                    option.values.join(", ")
                ),
            ));
        }
    }
    if problems.len() != before {
        return None;
    }
    if let Some((_, first)) = combinations.iter().find(|(c, _)| c == values) {
        problems.push(problem(
            &pointer,
            "duplicate_variant",
            format!(
                "variants[{first}] already has the options {}",
                values.join(", ")
            ),
        ));
        return None;
    }
    combinations.push((values.clone(), k));
    Some(values.clone())
}
