//! The merchant's catalog: products with net prices and VAT rates.
//!
//! The edge owns the prices: it ships a catalog file, reads it into a
//! [`CatalogFile`] (the JSON the merchant edits) and turns it into a
//! [`Catalog`] with [`CatalogFile::validate`], which reports every problem at
//! once, each with a pointer such as `products[3].unit_price`, so a bad
//! catalog fails the build with the whole list rather than one error per run.
//!
//! A [`Catalog`] can only be built through validation ([`CatalogFile::validate`],
//! [`Catalog::new`]), so holding one means: a valid currency, at least one
//! product, unique valid SKUs, non-empty titles, positive prices in the
//! catalog's currency whose one-unit gross is within the basket maximum,
//! http(s) image URLs.
//!
//! The file format (JSON; parsing the text is the edge's job):
//!
//! ```json
//! {
//!   "currency": "EUR",
//!   "products": [
//!     { "sku": "tshirt-m", "title": "T-shirt (M)", "description": "Organic cotton",
//!       "unit_price": "25.00", "vat_rate": "20", "type": "good",
//!       "image_url": "https://example.com/tshirt.jpg" }
//!   ]
//! }
//! ```
//!
//! `unit_price` is the **net** price as a decimal string; `vat_rate` is a
//! **percent** string (`"20"`, `"5.5"`), whatever `VAT_RATE_FORMAT` says about
//! what is sent to Qonto; `type` is `good` or `service`.

use core::fmt;
use std::collections::BTreeMap;

use crate::limits::MAX_AMOUNT_MINOR;
use crate::money::{Currency, Money};
use crate::pricing::unit_gross;
use crate::vat::{VatRate, VatRateFormat};

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

/// A product of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Stable identifier used by baskets and `data-qc-add` (see [`is_valid_sku`]).
    pub sku: String,
    /// Name shown to the shopper and sent to Qonto as the item title.
    pub title: String,
    /// Optional longer text (sent to Qonto as the item description).
    pub description: Option<String>,
    /// Net (VAT-exclusive) price of one unit.
    pub unit_price: Money,
    /// VAT rate of the product.
    pub vat_rate: VatRate,
    /// Good or service.
    pub kind: ProductKind,
    /// Optional picture, an absolute http(s) URL.
    pub image_url: Option<String>,
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
}

impl Catalog {
    /// Validates `products` in `currency` into a catalog, or lists every
    /// problem (the same checks as [`CatalogFile::validate`] past parsing).
    pub fn new(currency: Currency, products: Vec<Product>) -> Result<Catalog, Vec<CatalogProblem>> {
        let mut problems = Vec::new();
        if products.is_empty() {
            problems.push(empty_catalog());
        }
        let mut seen = BTreeMap::new();
        for (i, p) in products.iter().enumerate() {
            check_text_fields(
                i,
                Some(&p.sku),
                Some(&p.title),
                p.image_url.as_deref(),
                &mut seen,
                &mut problems,
            );
            check_price(i, p.unit_price, p.vat_rate, currency, &mut problems);
        }
        if problems.is_empty() {
            Ok(Catalog::assemble(currency, products))
        } else {
            Err(problems)
        }
    }

    /// Builds the catalog from products already checked.
    fn assemble(currency: Currency, products: Vec<Product>) -> Catalog {
        let unit_gross = products
            .iter()
            // Validation checked this very computation; the fallback is unreachable.
            .map(|p| unit_gross(p.unit_price, p.vat_rate).unwrap_or(p.unit_price))
            .collect();
        Catalog {
            currency,
            products,
            unit_gross,
        }
    }

    /// The currency of every price.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The products, in file order.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// The product with this SKU.
    pub fn get(&self, sku: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.sku == sku)
    }

    /// Gross price of one unit of `sku` (net + VAT, rounded as in
    /// [`crate::pricing`]).
    pub fn unit_gross(&self, sku: &str) -> Option<Money> {
        let i = self.products.iter().position(|p| p.sku == sku)?;
        self.unit_gross.get(i).copied()
    }

    /// Each product with its one-unit gross price, in file order.
    pub fn iter_with_gross(&self) -> impl Iterator<Item = (&Product, Money)> {
        self.products.iter().zip(self.unit_gross.iter().copied())
    }
}

/// The catalog file as the merchant writes it (see the module docs).
///
/// Every field is optional at this level so that a missing field is reported
/// by [`CatalogFile::validate`] along with every other problem, not as the
/// first and only JSON error. Unknown fields are ignored.
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

/// One product in a [`CatalogFile`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize, serde::Serialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct ProductEntry {
    /// The SKU (see [`is_valid_sku`]).
    pub sku: Option<String>,
    /// The title shown to shoppers.
    pub title: Option<String>,
    /// Optional description.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub description: Option<String>,
    /// Net unit price as a decimal string, e.g. `"25.00"`.
    pub unit_price: Option<String>,
    /// VAT rate as a percent string, e.g. `"20"` or `"5.5"`.
    pub vat_rate: Option<String>,
    /// `"good"` or `"service"`.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: Option<String>,
    /// Optional absolute http(s) image URL.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub image_url: Option<String>,
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

        let mut seen = BTreeMap::new();
        let mut products = Vec::with_capacity(self.products.len());
        for (i, entry) in self.products.iter().enumerate() {
            let field = |name: &str| format!("products[{i}].{name}");
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
            let sku = required("sku", &entry.sku);
            let title = required("title", &entry.title);
            let price_text = required("unit_price", &entry.unit_price);
            let vat_text = required("vat_rate", &entry.vat_rate);
            let kind_text = required("type", &entry.kind);

            check_text_fields(
                i,
                sku.as_deref(),
                title.as_deref(),
                entry.image_url.as_deref(),
                &mut seen,
                &mut problems,
            );

            // The currency only matters for the amount, so a bad currency
            // still lets the price's syntax be checked.
            let price_currency = currency.unwrap_or(Currency::EUR);
            let unit_price =
                price_text.and_then(|text| match Money::parse_decimal(&text, price_currency) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        problems.push(problem(
                            &field("unit_price"),
                            "invalid_price",
                            format!("{text:?}: {e} (write the net price like \"25.00\")"),
                        ));
                        None
                    }
                });
            let vat_rate =
                vat_text.and_then(|text| match VatRate::parse(&text, VatRateFormat::Percent) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        problems.push(problem(
                            &field("vat_rate"),
                            "invalid_vat_rate",
                            format!("{text:?}: {e} (write a percent like \"20\" or \"5.5\")"),
                        ));
                        None
                    }
                });
            let kind = kind_text.and_then(|text| {
                let kind = ProductKind::parse(&text);
                if kind.is_none() {
                    problems.push(problem(
                        &field("type"),
                        "invalid_type",
                        format!("{text:?}: type must be \"good\" or \"service\""),
                    ));
                }
                kind
            });
            if let (Some(price), Some(rate)) = (unit_price, vat_rate) {
                check_price(i, price, rate, price_currency, &mut problems);
            }

            if let (Some(sku), Some(title), Some(unit_price), Some(vat_rate), Some(kind)) =
                (sku, title, unit_price, vat_rate, kind)
            {
                products.push(Product {
                    sku,
                    title,
                    description: entry.description.clone(),
                    unit_price,
                    vat_rate,
                    kind,
                    image_url: entry.image_url.clone(),
                });
            }
        }

        match currency {
            Some(currency) if problems.is_empty() => Ok(Catalog::assemble(currency, products)),
            _ => Err(problems),
        }
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

/// SKU (syntax and uniqueness), title and image URL of product `i`. A missing
/// SKU or title (`None`) was reported as such by the caller.
fn check_text_fields(
    i: usize,
    sku: Option<&str>,
    title: Option<&str>,
    image_url: Option<&str>,
    seen: &mut BTreeMap<String, usize>,
    problems: &mut Vec<CatalogProblem>,
) {
    let field = |name: &str| format!("products[{i}].{name}");
    if let Some(sku) = sku {
        check_sku(i, sku, seen, problems);
    }
    if let Some(title) = title {
        check_title(i, title, problems);
    }
    if let Some(url) = image_url {
        if !is_http_url(url) {
            problems.push(problem(
                &field("image_url"),
                "invalid_image_url",
                format!("{url:?}: an image URL must be an absolute http:// or https:// URL"),
            ));
        }
    }
}

fn check_sku(
    i: usize,
    sku: &str,
    seen: &mut BTreeMap<String, usize>,
    problems: &mut Vec<CatalogProblem>,
) {
    let field = |name: &str| format!("products[{i}].{name}");
    if !is_valid_sku(sku) {
        problems.push(problem(
            &field("sku"),
            "invalid_sku",
            format!("{sku:?}: a SKU is 1 to {MAX_SKU_LEN} letters, digits, '-', '_' or '.'"),
        ));
    } else if let Some(first) = seen.get(sku) {
        problems.push(problem(
            &field("sku"),
            "duplicate_sku",
            format!("{sku:?} is already used by products[{first}]"),
        ));
    } else {
        seen.insert(sku.to_owned(), i);
    }
}

fn check_title(i: usize, title: &str, problems: &mut Vec<CatalogProblem>) {
    let field = |name: &str| format!("products[{i}].{name}");
    if title.trim().is_empty() {
        problems.push(problem(
            &field("title"),
            "empty_title",
            "the title is empty".into(),
        ));
    } else if title.chars().count() > MAX_TITLE_CHARS {
        problems.push(problem(
            &field("title"),
            "title_too_long",
            format!("the title is longer than {MAX_TITLE_CHARS} characters"),
        ));
    }
}

/// Price of product `i`: positive, in the catalog's currency, and sellable
/// (one unit's gross within the basket maximum).
fn check_price(
    i: usize,
    unit_price: Money,
    vat_rate: VatRate,
    currency: Currency,
    problems: &mut Vec<CatalogProblem>,
) {
    let pointer = format!("products[{i}].unit_price");
    if unit_price.currency() != currency {
        problems.push(problem(
            &pointer,
            "currency_mismatch",
            format!(
                "the price is in {}, the catalog in {currency}",
                unit_price.currency()
            ),
        ));
    } else if unit_price.minor() <= 0 {
        problems.push(problem(
            &pointer,
            "price_not_positive",
            format!(
                "{}: the price must be greater than 0",
                unit_price.to_decimal()
            ),
        ));
    } else if unit_gross(unit_price, vat_rate).map_or(true, |g| g.minor() > MAX_AMOUNT_MINOR) {
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
            image_url: None,
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
            ("/a.jpg", false),
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
}
