//! Shipping rules: which countries a merchant ships goods to, at what price,
//! and when shipping is free. The edge prices the shipping line with these
//! rules (never from the browser); the widget shows the same figure before
//! Pay.
//!
//! Rules:
//! - a basket with at least one `good` needs shipping; services only do not;
//! - the rate is the zone's net price + its VAT rate, priced like any other
//!   line (one unit, VAT rounded half-up);
//! - shipping is free when the **goods' gross total** (VAT included, shipping
//!   excluded) reaches `free_above`, if set;
//! - a country in no zone cannot be shipped to.
//!
//! The merchant edits `shipping.json` beside the catalog; an invalid file
//! fails the edge's build with every problem listed.

use crate::catalog::CatalogProblem;
use crate::money::{Currency, Money};
use crate::pricing::{price_line, LineInput, PricedLine};
use crate::vat::{VatRate, VatRateFormat};

/// One shipping zone: a price for a set of countries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingZone {
    /// Name shown to the shopper and sent to Qonto ("Shipping (EU)").
    pub name: String,
    /// ISO 3166-1 alpha-2 codes, uppercase.
    pub countries: Vec<String>,
    /// Net price.
    pub price: Money,
    /// VAT rate of shipping.
    pub vat_rate: VatRate,
}

/// Validated shipping rules. `zones` empty means the merchant does not ship
/// (no address is asked, no shipping line is added).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipping {
    currency: Currency,
    zones: Vec<ShippingZone>,
    free_above: Option<Money>,
}

/// The shipping line of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingQuote {
    /// The zone's name.
    pub zone: String,
    /// The destination country.
    pub country: String,
    /// True when the threshold made it free (the line is then 0.00).
    pub free: bool,
    /// The priced line (quantity 1).
    pub line: PricedLine,
}

/// Why shipping cannot be quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShippingError {
    /// The country is in no zone.
    UnshippableCountry,
    /// Pricing failed (amount too large).
    Pricing,
}

impl ShippingError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            ShippingError::UnshippableCountry => crate::codes::UNSHIPPABLE_COUNTRY,
            ShippingError::Pricing => crate::codes::AMOUNT_TOO_LARGE,
        }
    }
}

impl Shipping {
    /// No shipping at all.
    pub fn none(currency: Currency) -> Shipping {
        Shipping {
            currency,
            zones: Vec::new(),
            free_above: None,
        }
    }

    /// Builds validated rules (see [`ShippingFile::validate`]).
    pub fn new(
        currency: Currency,
        zones: Vec<ShippingZone>,
        free_above: Option<Money>,
    ) -> Result<Shipping, Vec<CatalogProblem>> {
        let mut problems = Vec::new();
        let at: Vec<usize> = (0..zones.len()).collect();
        check_zones(currency, &zones, &at, &mut problems);
        if let Some(f) = free_above {
            if f.currency() != currency || f.is_negative() {
                problems.push(problem(
                    "free_above",
                    "invalid_price",
                    "free_above must be a non-negative amount in the catalog currency",
                ));
            }
        }
        if problems.is_empty() {
            Ok(Shipping {
                currency,
                zones,
                free_above,
            })
        } else {
            Err(problems)
        }
    }

    /// Rules that were validated elsewhere, taken as they are: the widget
    /// reads the edge's `GET /v1/catalog`, whose rules passed
    /// [`Shipping::new`]'s checks when the edge loaded its configuration.
    /// (The checks' messages would cost the widget's wasm for nothing.)
    /// Anything else builds its rules with [`Shipping::new`] or
    /// [`ShippingFile::validate`].
    pub fn from_validated(
        currency: Currency,
        zones: Vec<ShippingZone>,
        free_above: Option<Money>,
    ) -> Shipping {
        Shipping {
            currency,
            zones,
            free_above,
        }
    }

    /// Whether the merchant ships goods at all.
    pub fn ships(&self) -> bool {
        !self.zones.is_empty()
    }

    /// The zones.
    pub fn zones(&self) -> &[ShippingZone] {
        &self.zones
    }

    /// The free-shipping threshold on the goods' gross total.
    pub fn free_above(&self) -> Option<Money> {
        self.free_above
    }

    /// Every country shipped to, in zone order.
    pub fn countries(&self) -> Vec<&str> {
        self.zones
            .iter()
            .flat_map(|z| z.countries.iter().map(String::as_str))
            .collect()
    }

    /// The zone of a country (`country` uppercase ISO code).
    pub fn zone_for(&self, country: &str) -> Option<&ShippingZone> {
        self.zones
            .iter()
            .find(|z| z.countries.iter().any(|c| c == country))
    }

    /// Whether goods worth `goods_gross` (VAT included) ship free: the one
    /// place the threshold rule lives (the widget asks it too, before the
    /// shopper has chosen a country).
    pub fn is_free(&self, goods_gross: Money) -> bool {
        self.free_above
            .is_some_and(|f| goods_gross.minor() >= f.minor())
    }

    /// The shipping line for goods worth `goods_gross` (VAT included) sent to
    /// `country`.
    pub fn quote(&self, country: &str, goods_gross: Money) -> Result<ShippingQuote, ShippingError> {
        let zone = self
            .zone_for(country)
            .ok_or(ShippingError::UnshippableCountry)?;
        let free = self.is_free(goods_gross);
        let unit_net = if free {
            Money::zero(self.currency)
        } else {
            zone.price
        };
        let line = price_line(&LineInput {
            quantity: 1,
            unit_net,
            vat_rate: zone.vat_rate,
        })
        .map_err(|_| ShippingError::Pricing)?;
        Ok(ShippingQuote {
            zone: zone.name.clone(),
            country: country.into(),
            free,
            line,
        })
    }
}

/// `shipping.json` as the merchant writes it.
///
/// ```json
/// {"currency": "EUR", "free_above": "60.00",
///  "zones": [{"name": "France", "countries": ["FR"], "price": "4.90", "vat_rate": "20"}]}
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct ShippingFile {
    /// ISO 4217 code; must be the catalog's.
    pub currency: Option<String>,
    /// Goods' gross total from which shipping is free (decimal string).
    pub free_above: Option<String>,
    /// The zones.
    pub zones: Vec<ShippingZoneEntry>,
}

/// One zone of a [`ShippingFile`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct ShippingZoneEntry {
    /// Name.
    pub name: Option<String>,
    /// Country codes.
    pub countries: Vec<String>,
    /// Net price, decimal string.
    pub price: Option<String>,
    /// VAT rate, percent string (`"20"`).
    pub vat_rate: Option<String>,
}

fn problem(pointer: &str, code: &'static str, message: &str) -> CatalogProblem {
    CatalogProblem {
        pointer: pointer.into(),
        code,
        message: message.into(),
    }
}

/// Checks the zones; `at[k]` is the file's index of `zones[k]` (a zone
/// whose price did not parse is not in `zones`, and the pointers must still
/// name the file's zone).
fn check_zones(
    currency: Currency,
    zones: &[ShippingZone],
    at: &[usize],
    problems: &mut Vec<CatalogProblem>,
) {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (k, z) in zones.iter().enumerate() {
        let i = at.get(k).copied().unwrap_or(k);
        if z.name.trim().is_empty() {
            problems.push(problem(
                &format!("zones[{i}].name"),
                "empty_title",
                "the zone needs a name",
            ));
        }
        if z.countries.is_empty() {
            problems.push(problem(
                &format!("zones[{i}].countries"),
                "missing_field",
                "the zone lists no country",
            ));
        }
        for (j, c) in z.countries.iter().enumerate() {
            let pointer = format!("zones[{i}].countries[{j}]");
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                problems.push(problem(
                    &pointer,
                    "invalid_country",
                    &format!("{c:?} is not a 2-letter uppercase ISO 3166 code such as FR"),
                ));
            } else if let Some((_, other)) = seen.iter().find(|(s, _)| *s == c.as_str()) {
                problems.push(problem(
                    &pointer,
                    "duplicate_country",
                    &format!("{c} is already in zones[{other}]"),
                ));
            } else {
                seen.push((c.as_str(), i));
            }
        }
        if z.price.currency() != currency {
            problems.push(problem(
                &format!("zones[{i}].price"),
                "currency_mismatch",
                "the price is not in the catalog currency",
            ));
        } else if z.price.is_negative() {
            problems.push(problem(
                &format!("zones[{i}].price"),
                "invalid_price",
                "the price must not be negative",
            ));
        }
    }
}

impl ShippingFile {
    /// Validates the file against the catalog's currency, listing every
    /// problem at once.
    pub fn validate(&self, catalog_currency: Currency) -> Result<Shipping, Vec<CatalogProblem>> {
        let mut problems = Vec::new();
        let currency = match self.currency.as_deref() {
            None => catalog_currency,
            Some(c) => match Currency::parse(c) {
                Ok(c) if c == catalog_currency => c,
                _ => {
                    problems.push(problem(
                        "currency",
                        "currency_mismatch",
                        &format!(
                            "{c:?} is not the catalog currency {}",
                            catalog_currency.as_str()
                        ),
                    ));
                    catalog_currency
                }
            },
        };
        let free_above =
            self.free_above
                .as_deref()
                .and_then(|f| match Money::parse_decimal(f, currency) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        problems.push(problem(
                            "free_above",
                            "invalid_price",
                            &format!("{f:?}: {e}"),
                        ));
                        None
                    }
                });
        let mut zones = Vec::new();
        let mut at = Vec::new();
        for (i, z) in self.zones.iter().enumerate() {
            let price = match z.price.as_deref() {
                None => {
                    problems.push(problem(
                        &format!("zones[{i}].price"),
                        "missing_field",
                        "the zone needs a price",
                    ));
                    None
                }
                Some(p) => match Money::parse_decimal(p, currency) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        problems.push(problem(
                            &format!("zones[{i}].price"),
                            "invalid_price",
                            &format!("{p:?}: {e}"),
                        ));
                        None
                    }
                },
            };
            let vat_rate = match z.vat_rate.as_deref() {
                None => {
                    problems.push(problem(
                        &format!("zones[{i}].vat_rate"),
                        "missing_field",
                        "the zone needs a VAT rate",
                    ));
                    None
                }
                Some(v) => match VatRate::parse(v, VatRateFormat::Percent) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        problems.push(problem(
                            &format!("zones[{i}].vat_rate"),
                            "invalid_vat_rate",
                            &format!("{v:?}: {e}"),
                        ));
                        None
                    }
                },
            };
            if let (Some(price), Some(vat_rate)) = (price, vat_rate) {
                at.push(i);
                zones.push(ShippingZone {
                    name: z.name.clone().unwrap_or_default(),
                    countries: z.countries.iter().map(|c| c.trim().to_owned()).collect(),
                    price,
                    vat_rate,
                });
            }
        }
        // Zone-level checks on what parsed (names, countries, duplicates).
        check_zones(currency, &zones, &at, &mut problems);
        if problems.is_empty() {
            Ok(Shipping {
                currency,
                zones,
                free_above,
            })
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(s: &str) -> Money {
        Money::parse_decimal(s, Currency::EUR).unwrap()
    }

    fn rules() -> Shipping {
        ShippingFile {
            currency: Some("EUR".into()),
            free_above: Some("60.00".into()),
            zones: vec![
                ShippingZoneEntry {
                    name: Some("France".into()),
                    countries: vec!["FR".into()],
                    price: Some("4.90".into()),
                    vat_rate: Some("20".into()),
                },
                ShippingZoneEntry {
                    name: Some("EU".into()),
                    countries: vec!["BE".into(), "DE".into()],
                    price: Some("9.90".into()),
                    vat_rate: Some("20".into()),
                },
            ],
        }
        .validate(Currency::EUR)
        .unwrap()
    }

    #[test]
    fn the_rate_depends_on_the_zone_and_the_threshold() {
        let s = rules();
        for (country, goods, zone, gross, free) in [
            ("FR", "10.00", "France", "5.88", false),
            ("DE", "10.00", "EU", "11.88", false),
            ("BE", "59.99", "EU", "11.88", false),
            ("BE", "60.00", "EU", "0.00", true),
            ("FR", "250.00", "France", "0.00", true),
        ] {
            let q = s.quote(country, eur(goods)).unwrap();
            assert_eq!(
                (q.zone.as_str(), q.line.gross.to_decimal().as_str(), q.free),
                (zone, gross, free),
                "{country} {goods}"
            );
            assert_eq!(
                q.line.gross.minor(),
                q.line.net.minor() + q.line.vat.minor()
            );
        }
        assert_eq!(
            s.quote("US", eur("10.00")),
            Err(ShippingError::UnshippableCountry)
        );
        assert_eq!(
            ShippingError::UnshippableCountry.code(),
            "unshippable_country"
        );
        assert_eq!(s.countries(), ["FR", "BE", "DE"]);
    }

    #[test]
    fn an_invalid_file_lists_every_problem() {
        let file = ShippingFile {
            currency: Some("USD".into()),
            free_above: Some("lots".into()),
            zones: vec![
                ShippingZoneEntry {
                    name: Some("".into()),
                    countries: vec!["fr".into(), "FR".into()],
                    price: Some("-1".into()),
                    vat_rate: Some("20".into()),
                },
                ShippingZoneEntry {
                    name: Some("B".into()),
                    countries: vec!["FR".into()],
                    price: Some("1.00".into()),
                    vat_rate: Some("200".into()),
                },
                ShippingZoneEntry {
                    name: Some("C".into()),
                    countries: vec![],
                    price: None,
                    vat_rate: None,
                },
            ],
        };
        let problems = file.validate(Currency::EUR).unwrap_err();
        let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
        for want in [
            "currency",
            "free_above",
            "zones[0].price",
            "zones[1].vat_rate",
            "zones[2].price",
            "zones[2].vat_rate",
        ] {
            assert!(pointers.contains(&want), "missing {want} in {pointers:?}");
        }
    }

    #[test]
    fn duplicate_and_malformed_countries_are_reported() {
        let file = ShippingFile {
            zones: vec![
                ShippingZoneEntry {
                    name: Some("A".into()),
                    countries: vec!["FR".into(), "fr".into()],
                    price: Some("1.00".into()),
                    vat_rate: Some("20".into()),
                },
                ShippingZoneEntry {
                    name: Some("B".into()),
                    countries: vec!["FR".into()],
                    price: Some("2.00".into()),
                    vat_rate: Some("20".into()),
                },
            ],
            ..ShippingFile::default()
        };
        let problems = file.validate(Currency::EUR).unwrap_err();
        let codes: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.pointer.as_str(), p.code))
            .collect();
        assert!(
            codes.contains(&("zones[0].countries[1]", "invalid_country")),
            "{codes:?}"
        );
        assert!(
            codes.contains(&("zones[1].countries[0]", "duplicate_country")),
            "{codes:?}"
        );
    }

    #[test]
    fn rules_taken_as_validated_quote_the_same() {
        let s = rules();
        let copy = Shipping::from_validated(Currency::EUR, s.zones().to_vec(), s.free_above());
        assert_eq!(copy, s);
        assert_eq!(copy.quote("DE", eur("10.00")), s.quote("DE", eur("10.00")));
    }

    #[test]
    fn no_zones_means_no_shipping() {
        let s = ShippingFile::default().validate(Currency::EUR).unwrap();
        assert!(!s.ships());
        assert!(!Shipping::none(Currency::EUR).ships());
    }

    #[test]
    fn pointers_name_the_file_s_zone_after_one_that_did_not_parse() {
        let file = ShippingFile {
            currency: None,
            free_above: None,
            zones: vec![
                ShippingZoneEntry {
                    name: Some("France".into()),
                    countries: vec!["FR".into()],
                    price: Some("x".into()),
                    vat_rate: Some("20".into()),
                },
                ShippingZoneEntry {
                    name: Some(String::new()),
                    countries: vec!["de".into()],
                    price: Some("4.90".into()),
                    vat_rate: Some("20".into()),
                },
            ],
        };
        let problems = file.validate(Currency::EUR).unwrap_err();
        let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["zones[0].price", "zones[1].name", "zones[1].countries[0]"]
        );
    }
}
