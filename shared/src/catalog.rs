//! The merchant's catalog: products with prices (net, or VAT-inclusive),
//! VAT rates, options and variants.
//!
//! The edge owns the prices: it ships a catalog file, reads it into a
//! [`CatalogFile`] (the JSON the merchant edits, see [`file`]) and turns it
//! into a [`Catalog`] with [`CatalogFile::validate`], which reports every
//! problem at once, each with a pointer such as `products[3].unit_price` or
//! `products[5].variants[2].options[1]`, so a bad catalog fails the build
//! with the whole list rather than one error per run.
//!
//! A [`Catalog`] can only be built through validation ([`CatalogFile::validate`],
//! [`Catalog::new`]), so holding one means: a valid currency, at least one
//! product, unique valid SKUs (groups and variants included), non-empty
//! titles, positive prices in the catalog's currency whose one-unit gross is
//! within the basket maximum, VAT-inclusive prices that Qonto's net-priced
//! items can carry for every basket quantity ([`crate::pricing::lots`]),
//! image URLs that are http(s) or root-relative, variants whose option
//! values exist and differ.
//!
//! The file format (JSON; parsing the text is the edge's job):
//!
//! ```json
//! {
//!   "currency": "EUR",
//!   "products": [
//!     { "sku": "tshirt-m", "title": "T-shirt (M)", "description": "Organic cotton",
//!       "unit_price": "25.00", "vat_rate": "20", "type": "good",
//!       "image_url": "https://example.com/tshirt.jpg" },
//!     { "sku": "candle", "title": "Beeswax candle", "unit_price_gross": "19.90",
//!       "vat_rate": "20", "type": "good", "image_url": "/img/candle.svg" },
//!     { "sku": "hoodie", "title": "Fleece hoodie", "unit_price": "40.00",
//!       "vat_rate": "20", "type": "good", "image_url": "/img/hoodie-navy.svg",
//!       "options": [ {"name": "Size", "values": ["S", "M", "L"]},
//!                    {"name": "Colour", "values": ["Navy", "Sand"]} ],
//!       "variants": [
//!         {"sku": "hoodie-s-navy", "options": ["S", "Navy"]},
//!         {"sku": "hoodie-l-navy", "options": ["L", "Navy"], "unit_price": "42.00"},
//!         {"sku": "hoodie-m-sand", "options": ["M", "Sand"], "image_url": "/img/hoodie-sand.svg"} ] }
//!   ]
//! }
//! ```
//!
//! `unit_price` is the **net** price as a decimal string; `unit_price_gross`
//! (instead of it, exactly one of the two) the **VAT-inclusive** price the
//! shopper pays per unit, to the cent; `vat_rate` is a **percent** string
//! (`"20"`, `"5.5"`), whatever `VAT_RATE_FORMAT` says about what is sent to
//! Qonto; `type` is `good` or `service`.
//!
//! A product with `variants` is a **group**: it is not sold by its own SKU;
//! each variant is, and inherits from the group every field it does not give
//! (description, price, image, VAT rate, type). A variant's title is the
//! group's title, an em dash and its option values: `Fleece hoodie — M,
//! Navy` ([`variant_title`]), the name shown and sent everywhere.

use core::fmt;
use std::collections::BTreeMap;

use crate::limits::MAX_AMOUNT_MINOR;
use crate::money::{Currency, Money};
use crate::pricing::lots::{first_impossible_quantity, nearest_possible};
use crate::pricing::unit_gross;
use crate::vat::{VatRate, VatRateFormat};

pub mod file;
mod variants;
pub use file::{CatalogFile, OptionEntry, ProductEntry, VariantEntry};

/// Longest product title accepted, in characters. Qonto documents no limit;
/// integrators truncate item titles to 120 or 255 characters.
pub const MAX_TITLE_CHARS: usize = 255;

/// Longest image URL accepted, in bytes.
pub const MAX_URL_LEN: usize = 2048;

pub use crate::limits::{is_valid_sku, MAX_SKU_LEN};

/// Whether a product is a good (shipped) or a service (Qonto's item `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ProductKind {
    /// A physical good: `"good"`.
    Good,
    /// A service or a digital product: `"service"`.
    Service,
}

impl ProductKind {
    /// Parses `"good"` or `"service"` (exactly).
    pub fn parse(s: &str) -> Option<ProductKind> {
        match s {
            "good" => Some(ProductKind::Good),
            "service" => Some(ProductKind::Service),
            _ => None,
        }
    }

    /// `"good"` or `"service"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProductKind::Good => "good",
            ProductKind::Service => "service",
        }
    }
}

/// A purchasable product of the catalog (a plain product or a variant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Stable identifier used by baskets and `data-qc-add` (see [`is_valid_sku`]).
    pub sku: String,
    /// Name shown to the shopper and sent to Qonto as the item title (for a
    /// variant, [`variant_title`]).
    pub title: String,
    /// Optional longer text (sent to Qonto as the item description).
    pub description: Option<String>,
    /// Net (VAT-exclusive) price of one unit. For a VAT-inclusive product,
    /// the net that makes one unit cost exactly `unit_price_gross`.
    pub unit_price: Money,
    /// The VAT-inclusive price of one unit, when the catalog gives the price
    /// that way: a basket line then costs exactly this × its quantity.
    pub unit_price_gross: Option<Money>,
    /// VAT rate of the product.
    pub vat_rate: VatRate,
    /// Good or service.
    pub kind: ProductKind,
    /// Optional picture: an absolute http(s) URL or a root-relative path.
    pub image_url: Option<String>,
    /// The group this product is a variant of, and its option values.
    pub variant: Option<VariantOf>,
}

/// What makes a [`Product`] a variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantOf {
    /// The group's SKU.
    pub group: String,
    /// One value per option of the group, in the group's option order.
    pub option_values: Vec<String>,
}

/// One option of a group (`Size`: `S`, `M`, `L`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ProductOption {
    /// The option's name.
    pub name: String,
    /// Its values, in the merchant's order.
    pub values: Vec<String>,
}

/// A product with variants: not purchasable itself, listed for pickers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantGroup {
    /// The group's SKU (not purchasable).
    pub sku: String,
    /// The group's title (its variants' titles start with it).
    pub title: String,
    /// Optional longer text.
    pub description: Option<String>,
    /// The group's image, if any.
    pub image_url: Option<String>,
    /// The options, in order.
    pub options: Vec<ProductOption>,
    /// The variants' SKUs, in file order.
    pub variants: Vec<String>,
}

/// The title of a variant: `"Fleece hoodie — M, Navy"` (the group's title,
/// a space, an em dash, a space, the option values joined by `", "`).
pub fn variant_title(group_title: &str, option_values: &[String]) -> String {
    format!("{group_title} \u{2014} {}", option_values.join(", "))
}

/// One problem found while validating a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProblem {
    /// Where: `currency`, `products`, `products[3].unit_price`...
    pub pointer: String,
    /// Stable machine code, e.g. `duplicate_sku`, `invalid_price`.
    pub code: &'static str,
    /// What is wrong, for the merchant.
    pub message: String,
}

impl fmt::Display for CatalogProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// A validated catalog (see the module docs for what that guarantees).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    currency: Currency,
    products: Vec<Product>,
    /// One-unit gross prices, same order as `products`, computed once.
    unit_gross: Vec<Money>,
    groups: Vec<VariantGroup>,
}

impl Catalog {
    /// Validates `products` in `currency` into a catalog without groups, or
    /// lists every problem (the same checks as [`CatalogFile::validate`]
    /// past parsing, pointers `products[i]` in the given order).
    pub fn new(currency: Currency, products: Vec<Product>) -> Result<Catalog, Vec<CatalogProblem>> {
        let mut problems = Vec::new();
        if products.is_empty() {
            problems.push(empty_catalog());
        }
        let mut seen = BTreeMap::new();
        for (i, p) in products.iter().enumerate() {
            let at = format!("products[{i}]");
            check_text_fields(
                &at,
                Some(&p.sku),
                Some(&p.title),
                p.image_url.as_deref(),
                &mut seen,
                &mut problems,
            );
            match p.unit_price_gross {
                Some(gross) => check_gross_price(&at, gross, p.vat_rate, currency, &mut problems),
                None => check_price(&at, p.unit_price, p.vat_rate, currency, &mut problems),
            }
        }
        if problems.is_empty() {
            Ok(Catalog::assemble(currency, products, Vec::new()))
        } else {
            Err(problems)
        }
    }

    /// Builds the catalog from products (and groups) already checked.
    fn assemble(currency: Currency, products: Vec<Product>, groups: Vec<VariantGroup>) -> Catalog {
        let unit_gross = products
            .iter()
            .map(|p| {
                // Validation checked this very computation; the fallback is unreachable.
                p.unit_price_gross
                    .unwrap_or_else(|| unit_gross(p.unit_price, p.vat_rate).unwrap_or(p.unit_price))
            })
            .collect();
        Catalog {
            currency,
            products,
            unit_gross,
            groups,
        }
    }

    /// The currency of every price.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The purchasable products (plain products and variants), in file
    /// order (a group's variants where the group is).
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// The purchasable product with this SKU (`None` for a group's SKU).
    pub fn get(&self, sku: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.sku == sku)
    }

    /// The groups of variants, in file order.
    pub fn groups(&self) -> &[VariantGroup] {
        &self.groups
    }

    /// The group with this SKU.
    pub fn group(&self, sku: &str) -> Option<&VariantGroup> {
        self.groups.iter().find(|g| g.sku == sku)
    }

    /// Gross price of one unit of `sku` (net + VAT, rounded as in
    /// [`crate::pricing`], or the VAT-inclusive price as given).
    pub fn unit_gross(&self, sku: &str) -> Option<Money> {
        let i = self.products.iter().position(|p| p.sku == sku)?;
        self.unit_gross.get(i).copied()
    }

    /// Each product with its one-unit gross price, in file order.
    pub fn iter_with_gross(&self) -> impl Iterator<Item = (&Product, Money)> {
        self.products.iter().zip(self.unit_gross.iter().copied())
    }
}

fn problem(pointer: &str, code: &'static str, message: String) -> CatalogProblem {
    CatalogProblem {
        pointer: pointer.to_owned(),
        code,
        message,
    }
}

fn empty_catalog() -> CatalogProblem {
    problem(
        "products",
        "empty_catalog",
        "the catalog has no products".into(),
    )
}

/// SKU (syntax and uniqueness), title and image URL of the entry at `at`
/// (`products[3]`, `products[3].variants[1]`). A missing SKU or title
/// (`None`) was reported as such by the caller.
fn check_text_fields(
    at: &str,
    sku: Option<&str>,
    title: Option<&str>,
    image_url: Option<&str>,
    seen: &mut BTreeMap<String, String>,
    problems: &mut Vec<CatalogProblem>,
) {
    if let Some(sku) = sku {
        check_sku(at, sku, seen, problems);
    }
    if let Some(title) = title {
        check_title(&format!("{at}.title"), title, problems);
    }
    if let Some(url) = image_url {
        check_image_url(&format!("{at}.image_url"), url, problems);
    }
}

fn check_image_url(pointer: &str, url: &str, problems: &mut Vec<CatalogProblem>) {
    if !is_image_url(url) {
        problems.push(problem(
            pointer,
            "invalid_image_url",
            format!(
                "{url:?}: an image URL must be an absolute http:// or https:// URL \
                 or a path on the shop's site starting with /"
            ),
        ));
    }
}

fn check_sku(
    at: &str,
    sku: &str,
    seen: &mut BTreeMap<String, String>,
    problems: &mut Vec<CatalogProblem>,
) {
    let pointer = format!("{at}.sku");
    if !is_valid_sku(sku) {
        problems.push(problem(
            &pointer,
            "invalid_sku",
            format!("{sku:?}: a SKU is 1 to {MAX_SKU_LEN} letters, digits, '-', '_' or '.'"),
        ));
    } else if let Some(first) = seen.get(sku) {
        problems.push(problem(
            &pointer,
            "duplicate_sku",
            format!("{sku:?} is already used by {first}"),
        ));
    } else {
        seen.insert(sku.to_owned(), at.to_owned());
    }
}

fn check_title(pointer: &str, title: &str, problems: &mut Vec<CatalogProblem>) {
    if title.trim().is_empty() {
        problems.push(problem(pointer, "empty_title", "the title is empty".into()));
    } else if title.chars().count() > MAX_TITLE_CHARS {
        problems.push(problem(
            pointer,
            "title_too_long",
            format!("the title is longer than {MAX_TITLE_CHARS} characters"),
        ));
    }
}

/// Net price of the entry at `at`: positive, in the catalog's currency, and
/// sellable (one unit's gross within the basket maximum).
fn check_price(
    at: &str,
    unit_price: Money,
    vat_rate: VatRate,
    currency: Currency,
    problems: &mut Vec<CatalogProblem>,
) {
    let pointer = format!("{at}.unit_price");
    if !check_amount(&pointer, unit_price, currency, problems) {
        return;
    }
    if unit_gross(unit_price, vat_rate).map_or(true, |g| g.minor() > MAX_AMOUNT_MINOR) {
        problems.push(problem(
            &pointer,
            "price_too_large",
            format!(
                "{}: one unit including VAT is above the basket maximum of {}",
                unit_price.to_decimal(),
                Money::new(MAX_AMOUNT_MINOR, currency).to_decimal()
            ),
        ));
    }
}

/// Currency and sign of a price; true when both are fine.
fn check_amount(
    pointer: &str,
    amount: Money,
    currency: Currency,
    problems: &mut Vec<CatalogProblem>,
) -> bool {
    if amount.currency() != currency {
        problems.push(problem(
            pointer,
            "currency_mismatch",
            format!(
                "the price is in {}, the catalog in {currency}",
                amount.currency()
            ),
        ));
        false
    } else if amount.minor() <= 0 {
        problems.push(problem(
            pointer,
            "price_not_positive",
            format!("{}: the price must be greater than 0", amount.to_decimal()),
        ));
        false
    } else {
        true
    }
}

/// A VAT-inclusive price of the entry at `at`: positive, within the basket
/// maximum, and one that Qonto's net-priced items can carry for every
/// basket quantity ([`first_impossible_quantity`]).
fn check_gross_price(
    at: &str,
    gross: Money,
    vat_rate: VatRate,
    currency: Currency,
    problems: &mut Vec<CatalogProblem>,
) {
    let pointer = format!("{at}.unit_price_gross");
    if !check_amount(&pointer, gross, currency, problems) {
        return;
    }
    let rate = vat_rate.format(VatRateFormat::Percent);
    if gross.minor() > MAX_AMOUNT_MINOR {
        problems.push(problem(
            &pointer,
            "price_too_large",
            format!(
                "{}: one unit is above the basket maximum of {}",
                gross.to_decimal(),
                Money::new(MAX_AMOUNT_MINOR, currency).to_decimal()
            ),
        ));
    } else if let Some(quantity) = first_impossible_quantity(gross, vat_rate) {
        let (below, above) = nearest_possible(gross, vat_rate);
        let nearest: Vec<String> = [below, above]
            .into_iter()
            .flatten()
            .map(|m| m.to_decimal())
            .collect();
        let what = if quantity == 1 {
            format!(
                "no net price with two decimals plus its {rate} % VAT comes to {}",
                gross.to_decimal()
            )
        } else {
            format!(
                "for {quantity} units no Qonto items (net prices with two decimals, VAT added by Qonto) come to {quantity} × {}",
                gross.to_decimal()
            )
        };
        problems.push(problem(
            &pointer,
            "unrepresentable_price",
            format!(
                "{}: Qonto charges items priced net of VAT, and {what}; nearest prices that work: {}",
                gross.to_decimal(),
                if nearest.is_empty() { "none near".to_owned() } else { nearest.join(", ") }
            ),
        ));
    }
}

/// An image URL the widget may show: absolute http(s) ([`is_http_url`]) or a
/// root-relative path (`/img/mug.svg`, resolved against the merchant's page).
pub fn is_image_url(url: &str) -> bool {
    is_http_url(url) || is_root_path(url)
}

/// `/path…`: not `//host` (protocol-relative), no backslash, whitespace or
/// control characters.
fn is_root_path(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && url.len() <= MAX_URL_LEN
        && !url
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// An absolute http(s) URL with a host and no whitespace or control
/// characters. Deliberately simple: the browser is the real parser, this
/// catches relative paths, `javascript:`/`data:` URLs and typos.
fn is_http_url(url: &str) -> bool {
    let lower_prefix = |p: &str| {
        url.get(..p.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
    };
    let rest = if lower_prefix("https://") {
        &url[8..]
    } else if lower_prefix("http://") {
        &url[7..]
    } else {
        return false;
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..host_end];
    url.len() <= MAX_URL_LEN
        && !authority.is_empty()
        && !authority.contains('@')
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(sku: &str, title: &str, price: &str, vat: &str, kind: &str) -> ProductEntry {
        ProductEntry {
            sku: Some(sku.into()),
            title: Some(title.into()),
            description: None,
            unit_price: Some(price.into()),
            vat_rate: Some(vat.into()),
            kind: Some(kind.into()),
            ..ProductEntry::default()
        }
    }

    fn file(products: Vec<ProductEntry>) -> CatalogFile {
        CatalogFile {
            currency: Some("EUR".into()),
            products,
        }
    }

    fn pointers_and_codes(problems: &[CatalogProblem]) -> Vec<(String, &'static str)> {
        problems
            .iter()
            .map(|p| (p.pointer.clone(), p.code))
            .collect()
    }

    #[test]
    fn valid_catalog() {
        let mut tshirt = entry("tshirt-m", "T-shirt (M)", "25.00", "20", "good");
        tshirt.image_url = Some("https://example.com/tshirt.jpg".into());
        tshirt.description = Some("Organic cotton".into());
        let catalog = file(vec![
            tshirt,
            entry("ebook", "E-book", "10.99", "5.5", "service"),
        ])
        .validate()
        .unwrap();
        assert_eq!(catalog.currency(), Currency::EUR);
        assert_eq!(catalog.products().len(), 2);
        let tshirt = catalog.get("tshirt-m").unwrap();
        assert_eq!(tshirt.unit_price, Money::new(2500, Currency::EUR));
        assert_eq!(tshirt.vat_rate.basis_points(), 2000);
        assert_eq!(tshirt.kind, ProductKind::Good);
        assert_eq!(tshirt.description.as_deref(), Some("Organic cotton"));
        assert_eq!(
            catalog.unit_gross("tshirt-m"),
            Some(Money::new(3000, Currency::EUR))
        );
        assert_eq!(
            catalog.unit_gross("ebook"),
            Some(Money::new(1159, Currency::EUR))
        );
        assert_eq!(catalog.get("nope"), None);
        assert_eq!(catalog.unit_gross("nope"), None);
        assert_eq!(catalog.iter_with_gross().count(), 2);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let no_fields = ProductEntry {
            image_url: Some("javascript:alert(1)".into()),
            ..ProductEntry::default()
        };
        let problems = CatalogFile {
            currency: Some("euro".into()),
            products: vec![
                entry("mug", "Mug", "10.00", "20", "good"),
                entry("mug", "Mug again", "10.00", "20", "good"),
                entry("bad sku!", "  ", "0.00", "20", "thing"),
                entry("neg", "Negative", "-1.00", "-5", "good"),
                entry("float", "Float", "1e3", "0.2.1", "service"),
                entry("pricey", "Pricey", "49999.99", "20", "good"),
                entry(
                    "x",
                    &"t".repeat(MAX_TITLE_CHARS + 1),
                    "10.999",
                    "100.5",
                    "Good",
                ),
                no_fields,
            ],
        }
        .validate()
        .unwrap_err();
        let expected: Vec<(String, &str)> = [
            ("currency", "invalid_currency"),
            ("products[1].sku", "duplicate_sku"),
            ("products[2].sku", "invalid_sku"),
            ("products[2].title", "empty_title"),
            ("products[2].type", "invalid_type"),
            ("products[2].unit_price", "price_not_positive"),
            ("products[3].unit_price", "invalid_price"),
            ("products[3].vat_rate", "invalid_vat_rate"),
            ("products[4].unit_price", "invalid_price"),
            ("products[4].vat_rate", "invalid_vat_rate"),
            ("products[5].unit_price", "price_too_large"),
            ("products[6].title", "title_too_long"),
            ("products[6].unit_price", "invalid_price"),
            ("products[6].vat_rate", "invalid_vat_rate"),
            ("products[6].type", "invalid_type"),
            ("products[7].sku", "missing_field"),
            ("products[7].title", "missing_field"),
            ("products[7].unit_price", "missing_field"),
            ("products[7].vat_rate", "missing_field"),
            ("products[7].type", "missing_field"),
            ("products[7].image_url", "invalid_image_url"),
        ]
        .into_iter()
        .map(|(p, c)| (p.to_owned(), c))
        .collect();
        assert_eq!(pointers_and_codes(&problems), expected);
        for p in &problems {
            assert!(!p.message.is_empty());
            assert!(p.to_string().starts_with(&p.pointer));
        }
    }

    #[test]
    fn empty_and_missing_currency() {
        let problems = CatalogFile::default().validate().unwrap_err();
        assert_eq!(
            pointers_and_codes(&problems),
            vec![
                ("currency".into(), "missing_field"),
                ("products".into(), "empty_catalog")
            ]
        );
    }

    #[test]
    fn catalog_new_checks_products() {
        let product = Product {
            sku: "mug".into(),
            title: "Mug".into(),
            description: None,
            unit_price: Money::new(1000, Currency::EUR),
            vat_rate: VatRate::ZERO,
            kind: ProductKind::Good,
            image_url: None,
            unit_price_gross: None,
            variant: None,
        };
        assert!(Catalog::new(Currency::EUR, vec![product.clone()]).is_ok());
        let usd = Currency::parse("USD").unwrap();
        let problems = Catalog::new(usd, vec![product.clone(), product]).unwrap_err();
        assert_eq!(
            pointers_and_codes(&problems),
            vec![
                ("products[0].unit_price".into(), "currency_mismatch"),
                ("products[1].sku".into(), "duplicate_sku"),
                ("products[1].unit_price".into(), "currency_mismatch"),
            ]
        );
        assert_eq!(
            pointers_and_codes(&Catalog::new(Currency::EUR, vec![]).unwrap_err()),
            vec![("products".into(), "empty_catalog")]
        );
    }

    #[test]
    fn sku_table() {
        let long = "a".repeat(MAX_SKU_LEN);
        let too_long = "a".repeat(MAX_SKU_LEN + 1);
        let cases: &[(&str, bool)] = &[
            ("tshirt-m", true),
            ("SKU_01.v2", true),
            (&long, true),
            (&too_long, false),
            ("", false),
            ("a b", false),
            ("a,b", false),
            ("a:b", false),
            ("a/b", false),
            ("é", false),
            ("<x>", false),
        ];
        for &(sku, ok) in cases {
            assert_eq!(is_valid_sku(sku), ok, "{sku:?}");
        }
    }

    #[test]
    fn image_url_table() {
        let cases: &[(&str, bool)] = &[
            ("https://example.com/a.jpg", true),
            ("http://example.com", true),
            ("HTTPS://EXAMPLE.COM/A.JPG", true),
            ("https://cdn.example.com:8443/x?y=1#z", true),
            ("https://", false),
            ("https:///path", false),
            ("https://user@evil.example/", false),
            ("//example.com/a.jpg", false),
            ("/a.jpg", false), // for is_http_url; is_image_url takes it
            ("javascript:alert(1)", false),
            ("data:image/png;base64,AAAA", false),
            ("ftp://example.com/a.jpg", false),
            ("https://example.com/a b.jpg", false),
            ("https://example.com/\n", false),
            ("", false),
        ];
        for &(url, ok) in cases {
            assert_eq!(is_http_url(url), ok, "{url:?}");
        }
        assert!(!is_http_url(&format!(
            "https://example.com/{}",
            "a".repeat(MAX_URL_LEN)
        )));
    }

    #[test]
    fn product_kind_table() {
        assert_eq!(ProductKind::parse("good"), Some(ProductKind::Good));
        assert_eq!(ProductKind::parse("service"), Some(ProductKind::Service));
        assert_eq!(ProductKind::parse("Good"), None);
        for k in [ProductKind::Good, ProductKind::Service] {
            assert_eq!(ProductKind::parse(k.as_str()), Some(k));
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn file_format_from_json() {
        let json = r#"{
            "currency": "EUR",
            "products": [
                { "sku": "tshirt-m", "title": "T-shirt (M)", "description": "Organic cotton",
                  "unit_price": "25.00", "vat_rate": "20", "type": "good",
                  "image_url": "https://example.com/tshirt.jpg", "comment": "ignored" },
                { "sku": "ebook", "title": "E-book", "unit_price": "10.99", "vat_rate": "5.5", "type": "service" }
            ]
        }"#;
        let file: CatalogFile = serde_json::from_str(json).unwrap();
        let catalog = file.validate().unwrap();
        assert_eq!(catalog.products()[1].kind, ProductKind::Service);
        assert_eq!(
            serde_json::to_string(&ProductKind::Good).unwrap(),
            r#""good""#
        );

        let missing: CatalogFile = serde_json::from_str(r#"{"products":[{"sku":"a"}]}"#).unwrap();
        assert_eq!(missing.validate().unwrap_err().len(), 5);
    }

    #[cfg(feature = "serde")]
    fn parse(json: &str) -> CatalogFile {
        serde_json::from_str(json).unwrap()
    }

    #[cfg(feature = "serde")]
    const HOODIE: &str = r#"{ "currency": "EUR", "products": [
        { "sku": "mug", "title": "Mug", "unit_price": "10.00", "vat_rate": "20", "type": "good" },
        { "sku": "hoodie", "title": "Fleece hoodie", "description": "Warm", "unit_price": "40.00",
          "vat_rate": "20", "type": "good", "image_url": "/img/hoodie-navy.svg",
          "options": [ {"name": "Size", "values": ["S", "M", "L"]}, {"name": "Colour", "values": ["Navy", "Sand"]} ],
          "variants": [
            {"sku": "hoodie-s-navy", "options": ["S", "Navy"]},
            {"sku": "hoodie-l-navy", "options": ["L", "Navy"], "unit_price": "42.00"},
            {"sku": "hoodie-m-sand", "options": ["M", "Sand"], "image_url": "/img/hoodie-sand.svg",
             "unit_price_gross": "49.90"} ] },
        { "sku": "candle", "title": "Beeswax candle", "unit_price_gross": "19.90", "vat_rate": "20",
          "type": "good", "image_url": "https://cdn.example/candle.svg" } ] }"#;

    #[cfg(feature = "serde")]
    #[test]
    fn variants_inherit_and_are_named_by_their_options() {
        let catalog = parse(HOODIE).validate().unwrap();
        let skus: Vec<&str> = catalog.products().iter().map(|p| p.sku.as_str()).collect();
        // The group is not purchasable; its variants sit where it is.
        assert_eq!(
            skus,
            [
                "mug",
                "hoodie-s-navy",
                "hoodie-l-navy",
                "hoodie-m-sand",
                "candle"
            ]
        );
        assert_eq!(catalog.get("hoodie"), None);
        let s = catalog.get("hoodie-s-navy").unwrap();
        assert_eq!(s.title, "Fleece hoodie \u{2014} S, Navy");
        assert_eq!(s.description.as_deref(), Some("Warm"));
        assert_eq!(s.unit_price, Money::new(4000, Currency::EUR));
        assert_eq!(s.image_url.as_deref(), Some("/img/hoodie-navy.svg"));
        assert_eq!(s.kind, ProductKind::Good);
        assert_eq!(
            s.variant,
            Some(VariantOf {
                group: "hoodie".into(),
                option_values: vec!["S".into(), "Navy".into()]
            })
        );
        assert_eq!(
            catalog.unit_gross("hoodie-l-navy"),
            Some(Money::new(5040, Currency::EUR))
        );
        let m = catalog.get("hoodie-m-sand").unwrap();
        assert_eq!(m.title, "Fleece hoodie — M, Sand");
        assert_eq!(m.image_url.as_deref(), Some("/img/hoodie-sand.svg"));
        // 49.90 VAT included: 41.58 net + 8.32 (8.316).
        assert_eq!(m.unit_price_gross, Some(Money::new(4990, Currency::EUR)));
        assert_eq!(m.unit_price, Money::new(4158, Currency::EUR));
        assert_eq!(
            catalog.unit_gross("hoodie-m-sand"),
            Some(Money::new(4990, Currency::EUR))
        );
        // 19.90 VAT included: 16.58 net.
        let candle = catalog.get("candle").unwrap();
        assert_eq!(candle.unit_price, Money::new(1658, Currency::EUR));
        assert_eq!(
            catalog.unit_gross("candle"),
            Some(Money::new(1990, Currency::EUR))
        );
        assert_eq!(candle.variant, None);

        let group = catalog.group("hoodie").unwrap();
        assert_eq!(group.title, "Fleece hoodie");
        assert_eq!(group.options.len(), 2);
        assert_eq!(group.options[1].values, ["Navy", "Sand"]);
        assert_eq!(
            group.variants,
            ["hoodie-s-navy", "hoodie-l-navy", "hoodie-m-sand"]
        );
        assert_eq!(catalog.groups().len(), 1);
        assert_eq!(catalog.group("mug"), None);
    }

    #[cfg(feature = "serde")]
    #[test]
    fn variant_problems_table() {
        // (the product entry, the expected (pointer, code) list)
        let cases: &[(&str, &[(&str, &str)])] = &[
            // a value not in the product's options; two variants alike; a
            // variant with too few values; a duplicate SKU across products
            // and variants; a missing variant SKU
            (
                r#"{"sku":"h","title":"H","unit_price":"40.00","vat_rate":"20","type":"good",
                   "options":[{"name":"Size","values":["S","M"]},{"name":"Colour","values":["Navy"]}],
                   "variants":[{"sku":"h-s","options":["S","Navy"]},
                               {"sku":"h-x","options":["XL","Navy"]},
                               {"sku":"h-s2","options":["S","Navy"]},
                               {"sku":"h-m","options":["M"]},
                               {"sku":"mug","options":["M","Navy"]},
                               {"options":["M","Navy"]}]}"#,
                &[
                    ("products[1].variants[1].options[0]", "unknown_option_value"),
                    ("products[1].variants[2].options", "duplicate_variant"),
                    ("products[1].variants[3].options", "option_count_mismatch"),
                    ("products[1].variants[4].sku", "duplicate_sku"),
                    ("products[1].variants[5].sku", "missing_field"),
                    ("products[1].variants[5].options", "duplicate_variant"),
                ],
            ),
            // both prices; a bad gross price; nothing to inherit; bad image
            (
                r#"{"sku":"h","title":"H","vat_rate":"20","type":"good",
                   "options":[{"name":"Size","values":["S","M","L"]}],
                   "variants":[{"sku":"h-s","options":["S"],"unit_price":"1.00","unit_price_gross":"1.20"},
                               {"sku":"h-m","options":["M"],"unit_price_gross":"0.03"},
                               {"sku":"h-l","options":["L"],"image_url":"//cdn.example/x.png"}]}"#,
                &[
                    (
                        "products[1].variants[0].unit_price_gross",
                        "conflicting_prices",
                    ),
                    (
                        "products[1].variants[1].unit_price_gross",
                        "unrepresentable_price",
                    ),
                    ("products[1].variants[2].image_url", "invalid_image_url"),
                    ("products[1].variants[2].unit_price", "missing_field"),
                ],
            ),
            // a variant's own VAT rate and type (checked, and the
            // inherited gross price checked at that rate); no own title
            (
                r#"{"sku":"h","title":"H","unit_price_gross":"0.03","vat_rate":"0","type":"good",
                   "options":[{"name":"Size","values":["S","M","L"]}],
                   "variants":[{"sku":"h-s","options":["S"],"vat_rate":"x"},
                               {"sku":"h-m","options":["M"],"type":"thing","title":"Mine"},
                               {"sku":"h-l","options":["L"],"vat_rate":"20"}]}"#,
                &[
                    ("products[1].variants[0].vat_rate", "invalid_vat_rate"),
                    ("products[1].variants[1].title", "variant_title"),
                    ("products[1].variants[1].type", "invalid_type"),
                    (
                        "products[1].variants[2].unit_price_gross",
                        "unrepresentable_price",
                    ),
                ],
            ),
            // options without variants; variants without options; bad options
            (
                r#"{"sku":"h","title":"H","unit_price":"1.00","vat_rate":"20","type":"good",
                   "options":[{"name":"Size","values":["S"]}]}"#,
                &[("products[1].variants", "missing_variants")],
            ),
            (
                r#"{"sku":"h","title":"H","unit_price":"1.00","vat_rate":"20","type":"good",
                   "variants":[]}"#,
                &[
                    ("products[1].options", "missing_options"),
                    ("products[1].variants", "missing_variants"),
                ],
            ),
            (
                r#"{"sku":"h","title":"H","unit_price":"1.00","vat_rate":"20","type":"good",
                   "options":[{"name":"Size","values":["S","S",""]},{"name":"Size"},{"values":["x"]}],
                   "variants":[{"sku":"h-s","options":["S","x","x"]}]}"#,
                &[
                    ("products[1].options[0].values[1]", "duplicate_option_value"),
                    ("products[1].options[0].values[2]", "invalid_option"),
                    ("products[1].options[1].name", "duplicate_option"),
                    ("products[1].options[1].values", "invalid_option"),
                    ("products[1].options[2].name", "invalid_option"),
                ],
            ),
            // a plain product with both prices, and a title too long once
            // the option values are added
            (
                r#"{"sku":"p","title":"P","unit_price":"1.00","unit_price_gross":"1.20","vat_rate":"20","type":"good"}"#,
                &[("products[1].unit_price_gross", "conflicting_prices")],
            ),
        ];
        for (entry, expected) in cases {
            let json = format!(
                r#"{{"currency":"EUR","products":[{{"sku":"mug","title":"Mug","unit_price":"10.00","vat_rate":"20","type":"good"}},{entry}]}}"#
            );
            let problems = parse(&json).validate().unwrap_err();
            let got: Vec<(&str, &str)> = problems
                .iter()
                .map(|p| (p.pointer.as_str(), p.code))
                .collect();
            assert_eq!(&got, expected, "{entry}");
            for p in &problems {
                assert!(!p.message.is_empty());
            }
        }

        // A variant's own VAT rate and type are used.
        let catalog = parse(
            r#"{"currency":"EUR","products":[{"sku":"h","title":"H","unit_price":"10.00","vat_rate":"20","type":"good",
               "options":[{"name":"Format","values":["Print","E-book"]}],
               "variants":[{"sku":"h-p","options":["Print"]},
                           {"sku":"h-e","options":["E-book"],"vat_rate":"5.5","type":"service"}]}]}"#,
        )
        .validate()
        .unwrap();
        let e = catalog.get("h-e").unwrap();
        assert_eq!(
            (e.vat_rate.basis_points(), e.kind),
            (550, ProductKind::Service)
        );
        let p = catalog.get("h-p").unwrap();
        assert_eq!(
            (p.vat_rate.basis_points(), p.kind),
            (2000, ProductKind::Good)
        );

        let long = "t".repeat(MAX_TITLE_CHARS - 3);
        let json = format!(
            r#"{{"currency":"EUR","products":[{{"sku":"h","title":"{long}","unit_price":"1.00","vat_rate":"20","type":"good",
               "options":[{{"name":"Size","values":["S"]}}],"variants":[{{"sku":"h-s","options":["S"]}}]}}]}}"#
        );
        let problems = parse(&json).validate().unwrap_err();
        assert_eq!(
            pointers_and_codes(&problems),
            vec![("products[0].variants[0].options".into(), "title_too_long")]
        );
    }

    #[test]
    fn refused_gross_prices_say_why() {
        let mut candle = entry("candle", "Candle", "1.00", "20", "good");
        candle.unit_price = None;
        candle.unit_price_gross = Some("0.03".into());
        let problems = file(vec![candle]).validate().unwrap_err();
        assert_eq!(
            pointers_and_codes(&problems),
            vec![(
                "products[0].unit_price_gross".into(),
                "unrepresentable_price"
            )]
        );
        let message = &problems[0].message;
        assert!(message.contains("net of VAT"), "{message}");
        assert!(message.contains("0.02, 0.04"), "{message}");

        let mut big = entry("big", "Big", "1.00", "20", "good");
        big.unit_price = None;
        big.unit_price_gross = Some("50000.01".into());
        let mut zero = entry("zero", "Zero", "1.00", "20", "good");
        zero.unit_price = None;
        zero.unit_price_gross = Some("0".into());
        let problems = file(vec![big, zero]).validate().unwrap_err();
        assert_eq!(
            pointers_and_codes(&problems),
            vec![
                ("products[0].unit_price_gross".into(), "price_too_large"),
                ("products[1].unit_price_gross".into(), "price_not_positive"),
            ]
        );
    }

    #[test]
    fn image_paths_on_the_shop_are_allowed() {
        let cases: &[(&str, bool)] = &[
            ("/img/mug.svg", true),
            ("/", true),
            ("https://example.com/a.jpg", true),
            ("//cdn.example/a.jpg", false),
            ("img/mug.svg", false),
            ("/a b.svg", false),
            ("/a\\b.svg", false),
            ("javascript:alert(1)", false),
        ];
        for &(url, ok) in cases {
            assert_eq!(is_image_url(url), ok, "{url:?}");
        }
    }
}
