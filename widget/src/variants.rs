//! What the catalog says beyond prices, for the product cards, the page's
//! prices and the variant picker: each product's image, each variant's
//! group and option values, the groups (`variant_products`), and the stock
//! (`GET /v1/availability`). Read with `JSON.parse` + `Reflect` like the
//! prices (`edge.rs`); the choices (which variant a set of option values
//! names, the lowest price of a group, what the stock says) are pure and
//! host-tested.

use shared::Money;
use wasm_bindgen::JsValue;

use crate::edge::PriceList;
use crate::i18n::Msg;
use crate::js::{get, get_array, get_str};

/// At or below this many units left a card says "Only {} left".
pub(crate) const LOW_STOCK: u32 = 5;

/// A purchasable SKU's looks: its image and, for a variant, its option
/// values (its group is the one listing it in `variants`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Look {
    /// The SKU.
    pub(crate) sku: String,
    /// Its image (own or inherited), if any.
    pub(crate) image: Option<String>,
    /// A variant's option values, in the group's option order.
    pub(crate) values: Vec<String>,
}

/// A product with variants: not purchasable itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    /// The group SKU (`hoodie`).
    pub(crate) sku: String,
    /// Its title (`Fleece hoodie`).
    pub(crate) title: String,
    /// Its image, if any.
    pub(crate) image: Option<String>,
    /// `(name, values)` of each option, in order.
    pub(crate) options: Vec<(String, Vec<String>)>,
    /// The variants' SKUs, in catalog order.
    pub(crate) variants: Vec<String>,
}

/// The looks of every product and the groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Extras {
    /// One per purchasable product read.
    pub(crate) looks: Vec<Look>,
    /// The groups, in catalog order.
    pub(crate) groups: Vec<Group>,
}

impl Extras {
    /// The looks of `sku`.
    pub(crate) fn look(&self, sku: &str) -> Option<&Look> {
        self.looks.iter().find(|l| l.sku == sku)
    }

    /// The group `sku`.
    pub(crate) fn group(&self, sku: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.sku == sku)
    }

    /// The image of `sku`, a product or a group.
    pub(crate) fn image(&self, sku: &str) -> Option<&str> {
        match self.group(sku) {
            Some(group) => group.image.as_deref(),
            None => self.look(sku)?.image.as_deref(),
        }
    }
}

/// An image address the widget shows: absolute http(s), or root-relative
/// (resolved against the merchant's page), on one line.
fn image(value: &JsValue) -> Option<String> {
    get_str(value, "image_url").filter(|u| {
        let root = u.starts_with('/') && !u.starts_with("//");
        (root || u.starts_with("https://") || u.starts_with("http://"))
            && !u.contains(char::is_whitespace)
            && u.len() <= 2048
    })
}

fn strings(value: &JsValue, key: &str) -> Vec<String> {
    get_array(value, key)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

/// Reads the looks of `GET /v1/catalog`'s `products` whose SKU is in
/// `list`, and its `variant_products` (the groups with a title, options and
/// at least one variant).
pub(crate) fn read(json: &JsValue, list: &PriceList) -> Extras {
    let looks = get_array(json, "products")
        .iter()
        .filter_map(|p| {
            let sku = get_str(&p, "sku").filter(|s| list.get(s).is_some())?;
            Some(Look {
                image: image(&p),
                values: strings(&p, "option_values"),
                sku,
            })
        })
        .collect();
    let groups = get_array(json, "variant_products")
        .iter()
        .filter_map(|g| {
            let options: Vec<(String, Vec<String>)> = get_array(&g, "options")
                .iter()
                .filter_map(|o| Some((get_str(&o, "name")?, strings(&o, "values"))))
                .collect();
            let variants = strings(&g, "variants");
            (!options.is_empty() && !variants.is_empty()).then_some(())?;
            Some(Group {
                sku: get_str(&g, "sku")?,
                title: get_str(&g, "title")?,
                image: image(&g),
                options,
                variants,
            })
        })
        .collect();
    Extras { looks, groups }
}

/// Reads `GET /v1/availability`'s `{"stock": {"mug": 2}}`: the tracked SKUs
/// and what can still be bought (anything not a whole number ≥ 0 is left
/// out: unlimited, as for an untracked SKU).
pub(crate) fn read_stock(json: &JsValue) -> Vec<(String, u32)> {
    let stock = get(json, "stock");
    if !stock.is_object() {
        return Vec::new();
    }
    js_sys::Reflect::own_keys(&stock)
        .unwrap_or_default()
        .iter()
        .filter_map(|key| {
            let sku = key.as_string()?;
            let n = get(&stock, &sku).as_f64()?;
            // A whole number that fits: no float reaches the counts.
            (n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0).then_some((sku, n as u32))
        })
        .collect()
}

/// What can still be bought of `sku`: `None` when unlimited (untracked, or
/// the stock is unknown).
pub(crate) fn available(stock: Option<&[(String, u32)]>, sku: &str) -> Option<u32> {
    stock?.iter().find(|(s, _)| s == sku).map(|(_, n)| *n)
}

/// Whether `sku` (a product, or a group: any of its variants) can be added.
pub(crate) fn sold_out(list: &PriceList, stock: Option<&[(String, u32)]>, sku: &str) -> bool {
    match list.extras.group(sku) {
        Some(group) => group
            .variants
            .iter()
            .filter(|v| list.get(v).is_some())
            .all(|v| available(stock, v) == Some(0)),
        None => available(stock, sku) == Some(0),
    }
}

/// The stock line of a card: "Sold out", "Only {} left", or nothing.
pub(crate) fn stock_label(left: Option<u32>) -> Option<Msg> {
    match left? {
        0 => Some(Msg::SoldOut),
        n if n <= LOW_STOCK => Some(Msg::OnlyLeft),
        _ => None,
    }
}

/// The variant of `group` with exactly these option values, if it is sold.
pub(crate) fn variant<'a>(
    list: &'a PriceList,
    group: &'a Group,
    values: &[String],
) -> Option<&'a str> {
    group
        .variants
        .iter()
        .filter(|v| list.get(v).is_some())
        .find(|v| list.extras.look(v).is_some_and(|l| l.values == values))
        .map(String::as_str)
}

/// The option values a card starts with: the first variant sold that is
/// not sold out, else the first sold.
pub(crate) fn first_choice(
    list: &PriceList,
    stock: Option<&[(String, u32)]>,
    group: &Group,
) -> Vec<String> {
    let sold = || group.variants.iter().filter(|v| list.get(v).is_some());
    sold()
        .find(|v| available(stock, v) != Some(0))
        .or_else(|| sold().next())
        .and_then(|v| list.extras.look(v))
        .map(|l| l.values.clone())
        .unwrap_or_default()
}

/// The lowest gross unit price of the variants of `group` sold.
pub(crate) fn lowest(list: &PriceList, group: &Group) -> Option<Money> {
    group
        .variants
        .iter()
        .filter_map(|v| list.get(v))
        .map(|p| p.unit_gross)
        .min_by_key(|m| m.minor())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge::Product;
    use shared::{Currency, VatRate};

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    /// A hoodie with three of its combinations sold: S/Navy 48.00,
    /// L/Navy 50.40, M/Sand 46.80 gross.
    fn list() -> PriceList {
        let product = |sku: &str, gross: i64| Product {
            sku: sku.into(),
            title: sku.into(),
            unit_net: eur(gross * 10 / 12),
            rate: VatRate::from_basis_points(2000).unwrap(),
            unit_gross: eur(gross),
            includes_vat: false,
            good: true,
        };
        let look = |sku: &str, values: [&str; 2]| Look {
            sku: sku.into(),
            image: None,
            values: values.map(String::from).into(),
        };
        PriceList {
            currency: Currency::EUR,
            products: vec![
                product("hoodie-s-navy", 4800),
                product("hoodie-l-navy", 5040),
                product("hoodie-m-sand", 4680),
            ],
            shipping: None,
            checkout: Default::default(),
            extras: Extras {
                looks: vec![
                    look("hoodie-s-navy", ["S", "Navy"]),
                    look("hoodie-l-navy", ["L", "Navy"]),
                    look("hoodie-m-sand", ["M", "Sand"]),
                ],
                groups: vec![Group {
                    sku: "hoodie".into(),
                    title: "Fleece hoodie".into(),
                    image: Some("/img/hoodie-navy.svg".into()),
                    options: vec![
                        ("Size".into(), vec!["S".into(), "M".into(), "L".into()]),
                        ("Colour".into(), vec!["Navy".into(), "Sand".into()]),
                    ],
                    // One the catalog does not sell (left out of every choice).
                    variants: vec![
                        "hoodie-x-gone".into(),
                        "hoodie-s-navy".into(),
                        "hoodie-l-navy".into(),
                        "hoodie-m-sand".into(),
                    ],
                }],
            },
        }
    }

    fn values(v: [&str; 2]) -> Vec<String> {
        v.map(String::from).into()
    }

    #[test]
    fn a_choice_of_options_names_one_variant_or_none() {
        let list = list();
        let group = list.extras.group("hoodie").unwrap();
        assert_eq!(
            variant(&list, group, &values(["L", "Navy"])),
            Some("hoodie-l-navy")
        );
        assert_eq!(variant(&list, group, &values(["L", "Sand"])), None);
        assert_eq!(variant(&list, group, &values(["Navy", "L"])), None);
        assert_eq!(variant(&list, group, &[]), None);
        assert_eq!(lowest(&list, group), Some(eur(4680)));
        assert_eq!(list.extras.image("hoodie"), Some("/img/hoodie-navy.svg"));
        assert_eq!(list.extras.image("hoodie-s-navy"), None);
    }

    #[test]
    fn the_stock_decides_the_first_choice_and_what_is_sold_out() {
        let list = list();
        let group = list.extras.group("hoodie").unwrap();
        let stock = |pairs: &[(&str, u32)]| -> Vec<(String, u32)> {
            pairs.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect()
        };
        assert_eq!(first_choice(&list, None, group), values(["S", "Navy"]));
        let s_gone = stock(&[("hoodie-s-navy", 0)]);
        assert_eq!(
            first_choice(&list, Some(&s_gone), group),
            values(["L", "Navy"])
        );
        assert!(!sold_out(&list, Some(&s_gone), "hoodie"));
        assert!(sold_out(&list, Some(&s_gone), "hoodie-s-navy"));
        assert!(
            !sold_out(&list, None, "hoodie-s-navy"),
            "unknown: unlimited"
        );
        let all_gone = stock(&[
            ("hoodie-s-navy", 0),
            ("hoodie-l-navy", 0),
            ("hoodie-m-sand", 0),
        ]);
        assert!(sold_out(&list, Some(&all_gone), "hoodie"));
        assert_eq!(
            first_choice(&list, Some(&all_gone), group),
            values(["S", "Navy"])
        );
        assert_eq!(available(Some(&s_gone), "hoodie-m-sand"), None);
        assert_eq!(stock_label(Some(0)), Some(Msg::SoldOut));
        assert_eq!(stock_label(Some(1)), Some(Msg::OnlyLeft));
        assert_eq!(stock_label(Some(5)), Some(Msg::OnlyLeft));
        assert_eq!(stock_label(Some(6)), None);
        assert_eq!(stock_label(None), None);
    }
}
