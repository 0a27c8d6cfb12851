//! `GET /v1/catalog` and `GET /v1/payment-methods`: what the edge sells, at
//! what price, where it ships, and which payment methods are enabled.

use crate::catalog::{Catalog, ProductKind, ProductOption};
use crate::money::WireAmount;
use crate::shipping::Shipping;
use crate::vat::VatRateFormat;

/// `GET /v1/catalog`: the products and their prices.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CatalogResponse {
    /// ISO 4217 code of every price, e.g. `"EUR"`.
    pub currency: String,
    /// The purchasable products (plain products and each variant), in
    /// catalog order.
    pub products: Vec<CatalogProduct>,
    /// The products with variants (not purchasable themselves), in catalog
    /// order; omitted when there are none.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub variant_products: Vec<VariantProduct>,
    /// Shipping rules, when the merchant ships goods.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub shipping: Option<ShippingInfo>,
    /// The details step's legal pages and business fields, when the shop
    /// has any ([`crate::api::buyer`]).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub checkout: Option<crate::api::CheckoutSettings>,
}

/// Shipping rules as the widget receives them (see [`crate::shipping`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShippingInfo {
    /// Goods' gross total from which shipping is free.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub free_above: Option<WireAmount>,
    /// The zones, in the merchant's order.
    pub zones: Vec<ShippingZoneInfo>,
}

/// One zone of [`ShippingInfo`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShippingZoneInfo {
    /// Zone name.
    pub name: String,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    /// Net price.
    pub price: WireAmount,
    /// Gross price (net + VAT).
    pub price_gross: WireAmount,
    /// VAT rate, percent string.
    pub vat_rate: String,
}

impl ShippingInfo {
    /// The wire form of validated rules; `None` when the merchant does not ship.
    pub fn from_shipping(shipping: &Shipping) -> Option<ShippingInfo> {
        if !shipping.ships() {
            return None;
        }
        Some(ShippingInfo {
            free_above: shipping.free_above().map(Into::into),
            zones: shipping
                .zones()
                .iter()
                .map(|z| ShippingZoneInfo {
                    name: z.name.clone(),
                    countries: z.countries.clone(),
                    price: z.price.into(),
                    price_gross: crate::pricing::unit_gross(z.price, z.vat_rate)
                        .unwrap_or(z.price)
                        .into(),
                    vat_rate: z.vat_rate.format(VatRateFormat::Percent),
                })
                .collect(),
        })
    }
}

/// One product of [`CatalogResponse`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CatalogProduct {
    /// The SKU, used in `data-qc-add` and checkout requests.
    pub sku: String,
    /// Name to show.
    pub title: String,
    /// Optional longer text.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub description: Option<String>,
    /// Net unit price.
    pub unit_price: WireAmount,
    /// Gross unit price (net + VAT for one unit, rounded as in
    /// [`crate::pricing`]; the exact price given when `price_includes_vat`).
    pub unit_price_gross: WireAmount,
    /// Present (`true`) when the price was given VAT-inclusive: a basket
    /// line costs exactly `unit_price_gross × quantity`
    /// ([`crate::pricing::UnitPrice::Gross`]).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "core::ops::Not::not")
    )]
    pub price_includes_vat: bool,
    /// VAT rate, percent string (`"20.0"`).
    pub vat_rate: String,
    /// `"good"` or `"service"`.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: ProductKind,
    /// Optional image: absolute http(s) URL or root-relative path (a
    /// variant's own or its group's).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub image_url: Option<String>,
    /// For a variant: the SKU of its group in `variant_products`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub variant_of: Option<String>,
    /// For a variant: one value per option of its group, in order.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub option_values: Vec<String>,
}

/// One product with variants in [`CatalogResponse`] (for pickers and
/// product cards; baskets name its variants).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VariantProduct {
    /// The group's SKU (not purchasable).
    pub sku: String,
    /// The group's title.
    pub title: String,
    /// Optional longer text.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub description: Option<String>,
    /// The group's image.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub image_url: Option<String>,
    /// The options and their values, in order.
    pub options: Vec<ProductOption>,
    /// The variants' SKUs (in `products`), in catalog order.
    pub variants: Vec<String>,
}

impl CatalogResponse {
    /// The response body for a validated catalog (the edge's side).
    pub fn from_catalog(catalog: &Catalog) -> CatalogResponse {
        CatalogResponse {
            currency: catalog.currency().as_str().to_owned(),
            products: catalog
                .iter_with_gross()
                .map(|(p, gross)| CatalogProduct {
                    sku: p.sku.clone(),
                    title: p.title.clone(),
                    description: p.description.clone(),
                    unit_price: p.unit_price.into(),
                    unit_price_gross: gross.into(),
                    price_includes_vat: p.unit_price_gross.is_some(),
                    vat_rate: p.vat_rate.format(VatRateFormat::Percent),
                    kind: p.kind,
                    image_url: p.image_url.clone(),
                    variant_of: p.variant.as_ref().map(|v| v.group.clone()),
                    option_values: p
                        .variant
                        .as_ref()
                        .map(|v| v.option_values.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            variant_products: catalog
                .groups()
                .iter()
                .map(|g| VariantProduct {
                    sku: g.sku.clone(),
                    title: g.title.clone(),
                    description: g.description.clone(),
                    image_url: g.image_url.clone(),
                    options: g.options.clone(),
                    variants: g.variants.clone(),
                })
                .collect(),
            shipping: None,
            checkout: None,
        }
    }
}

/// `GET /v1/payment-methods`: the methods enabled at the provider
/// (`credit_card`, `apple_pay`, `paypal`, `ideal`...).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PaymentMethodsResponse {
    /// Names of the enabled methods, as Qonto spells them.
    pub payment_methods: Vec<String>,
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use crate::catalog::CatalogFile;
    use serde_json::json;

    #[test]
    fn variants_and_inclusive_prices_on_the_wire() {
        let file: CatalogFile = serde_json::from_value(json!({
            "currency": "EUR",
            "products": [
                {"sku": "hoodie", "title": "Fleece hoodie", "description": "Warm", "unit_price": "40.00",
                 "vat_rate": "20", "type": "good", "image_url": "/img/hoodie-navy.svg",
                 "options": [{"name": "Size", "values": ["S", "M"]}, {"name": "Colour", "values": ["Navy", "Sand"]}],
                 "variants": [
                    {"sku": "hoodie-m-navy", "options": ["M", "Navy"]},
                    {"sku": "hoodie-s-sand", "options": ["S", "Sand"], "unit_price": "42.00",
                     "image_url": "/img/hoodie-sand.svg"}]},
                {"sku": "candle", "title": "Beeswax candle", "unit_price_gross": "19.90",
                 "vat_rate": "20", "type": "good"}
            ]
        }))
        .unwrap();
        let body =
            serde_json::to_value(CatalogResponse::from_catalog(&file.validate().unwrap())).unwrap();
        assert_eq!(
            body["products"],
            json!([
                {"sku": "hoodie-m-navy", "title": "Fleece hoodie \u{2014} M, Navy", "description": "Warm",
                 "unit_price": {"value": "40.00", "currency": "EUR"},
                 "unit_price_gross": {"value": "48.00", "currency": "EUR"},
                 "vat_rate": "20.0", "type": "good", "image_url": "/img/hoodie-navy.svg",
                 "variant_of": "hoodie", "option_values": ["M", "Navy"]},
                {"sku": "hoodie-s-sand", "title": "Fleece hoodie \u{2014} S, Sand", "description": "Warm",
                 "unit_price": {"value": "42.00", "currency": "EUR"},
                 "unit_price_gross": {"value": "50.40", "currency": "EUR"},
                 "vat_rate": "20.0", "type": "good", "image_url": "/img/hoodie-sand.svg",
                 "variant_of": "hoodie", "option_values": ["S", "Sand"]},
                {"sku": "candle", "title": "Beeswax candle",
                 "unit_price": {"value": "16.58", "currency": "EUR"},
                 "unit_price_gross": {"value": "19.90", "currency": "EUR"},
                 "price_includes_vat": true, "vat_rate": "20.0", "type": "good"}
            ])
        );
        assert_eq!(
            body["variant_products"],
            json!([{"sku": "hoodie", "title": "Fleece hoodie", "description": "Warm",
                    "image_url": "/img/hoodie-navy.svg",
                    "options": [{"name": "Size", "values": ["S", "M"]}, {"name": "Colour", "values": ["Navy", "Sand"]}],
                    "variants": ["hoodie-m-navy", "hoodie-s-sand"]}])
        );
        // And it reads back.
        let back: CatalogResponse = serde_json::from_value(body).unwrap();
        assert!(back.products[2].price_includes_vat);
        assert_eq!(back.variant_products[0].variants.len(), 2);
    }
}
