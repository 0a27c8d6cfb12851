//! The groups of a catalog file: a product's options and its variants,
//! each checked (values among the options, one per option, no two alike)
//! and turned into a purchasable [`Product`] with what it inherits.

use std::collections::BTreeMap;

use super::file::{
    check, read_kind, read_price, read_vat_rate, resolve, Base, OptionEntry, ProductEntry,
    VariantEntry,
};
use super::{
    check_image_url, check_sku, check_title, problem, variant_title, CatalogProblem, Product,
    ProductOption, VariantGroup, VariantOf,
};
use crate::money::Currency;

/// The options of the group at `at`: named, distinct, each with distinct
/// non-empty values. `None` when missing or invalid (reported).
pub(super) fn read_options(
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
pub(super) fn read_group(
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
