//! `GET /v1/catalog` and `GET /v1/payment-methods`: what the edge sells, at
//! what price, where it ships, and which payment methods are enabled.

use crate::catalog::{Catalog, ProductKind};
use crate::money::WireAmount;
use crate::shipping::Shipping;
use crate::vat::VatRateFormat;

/// `GET /v1/catalog`: the products and their prices.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CatalogResponse {
    /// ISO 4217 code of every price, e.g. `"EUR"`.
    pub currency: String,
    /// The products, in catalog order.
    pub products: Vec<CatalogProduct>,
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
    /// [`crate::pricing`]).
    pub unit_price_gross: WireAmount,
    /// VAT rate, percent string (`"20.0"`).
    pub vat_rate: String,
    /// `"good"` or `"service"`.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: ProductKind,
    /// Optional absolute http(s) image URL.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub image_url: Option<String>,
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
                    vat_rate: p.vat_rate.format(VatRateFormat::Percent),
                    kind: p.kind,
                    image_url: p.image_url.clone(),
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
