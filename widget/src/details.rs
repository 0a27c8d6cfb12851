//! The details step between the basket and Pay: the shopper's email and full
//! name always (the merchant learns from Qonto that money arrived, not who
//! paid), for a purchase that is shipped the address and an optional
//! phone number, in a shop that takes business buyers an optional company
//! and EU VAT number (its format checked with `shared::vat_number`, the
//! edge's own rule), and in a shop that publishes terms and conditions the
//! checkbox accepting them (`terms_accepted`, refused by the edge when
//! missing).
//!
//! The fields are one table ([`FIELDS`]) that the view renders with one
//! function and the validation walks, instead of eight hand-written inputs:
//! each distinct view shape costs its own code in the wasm. Validation
//! mirrors the edge's (`shared::api`, `POST /v1/checkouts`): the email and
//! phone rules are the edge's own functions (`is_plausible_email`,
//! `is_plausible_phone`), required fields must not be blank once trimmed, and
//! the edge's length limits are the inputs' `maxlength` (which counts UTF-16
//! units, never fewer than the edge's characters), pointers and limits both
//! from `shared::api::fields`. The edge's 422 problems
//! and the widget's own checks end in the same inline texts ([`message`]).

use shared::api::errors;
use shared::api::{fields, is_plausible_email, is_plausible_phone, Address, Customer};
use shared::vat_number::is_vat_number;

use crate::i18n::Msg;

/// One field of the details step.
pub(crate) struct Field {
    /// The `name` attribute (autofill heuristics use it too).
    pub(crate) name: &'static str,
    /// The edge's pointer in its 422 problems.
    pub(crate) pointer: &'static str,
    /// The `autocomplete` attribute: browsers fill the form from it.
    pub(crate) autocomplete: &'static str,
    /// The input's `type` (`email` and `tel` bring the right mobile keyboard).
    pub(crate) kind: &'static str,
    /// `maxlength`: the edge's limit, so an over-long value cannot be typed.
    pub(crate) max: &'static str,
    /// The label.
    pub(crate) label: Msg,
    /// The text for a blank required value (or any other problem the edge
    /// reports on this field without a more precise code).
    pub(crate) missing: Msg,
}

/// Index of the email field in [`FIELDS`] and [`Values`].
pub(crate) const EMAIL: usize = 0;
/// Index of the country field (a `<select>`, rendered apart).
pub(crate) const COUNTRY: usize = 6;
/// Index of the phone field.
pub(crate) const PHONE: usize = 7;
/// Index of a business buyer's company name.
pub(crate) const COMPANY: usize = 8;
/// Index of a business buyer's VAT number.
pub(crate) const VAT_NUMBER: usize = 9;
/// Index of the terms checkbox (the last one): its value is `"1"` when
/// ticked, empty otherwise, and it is never remembered.
pub(crate) const TERMS: usize = 10;

const fn field(
    name: &'static str,
    pointer: &'static str,
    autocomplete: &'static str,
    kind: &'static str,
    max: &'static str,
    label: Msg,
    missing: Msg,
) -> Field {
    Field {
        name,
        pointer,
        autocomplete,
        kind,
        max,
        label,
        missing,
    }
}

/// The fields in screen order. Indexes 2 to 6 are the address, shown and
/// sent only for a purchase that is shipped; 8 and 9 the business fields,
/// shown only when the shop takes business buyers (after the others, so the
/// details remembered by an earlier version keep their lines); 10 the terms,
/// shown only when the shop has terms.
pub(crate) const FIELDS: [Field; 11] = [
    field(
        "email",
        fields::EMAIL.pointer,
        "email",
        "email",
        fields::EMAIL.maxlength,
        Msg::Email,
        Msg::ErrEmailEmpty,
    ),
    field(
        "name",
        fields::NAME.pointer,
        "name",
        "text",
        fields::NAME.maxlength,
        Msg::FullName,
        Msg::ErrName,
    ),
    field(
        "address-line1",
        fields::LINE1.pointer,
        "shipping address-line1",
        "text",
        fields::LINE1.maxlength,
        Msg::Address,
        Msg::ErrLine1,
    ),
    field(
        "address-line2",
        fields::LINE2.pointer,
        "shipping address-line2",
        "text",
        fields::LINE2.maxlength,
        Msg::Address2,
        Msg::ErrTooLong,
    ),
    field(
        "postal-code",
        fields::POSTAL_CODE.pointer,
        "shipping postal-code",
        "text",
        fields::POSTAL_CODE.maxlength,
        Msg::Postal,
        Msg::ErrPostal,
    ),
    field(
        "city",
        fields::CITY.pointer,
        "shipping address-level2",
        "text",
        fields::CITY.maxlength,
        Msg::City,
        Msg::ErrCity,
    ),
    field(
        "country",
        fields::COUNTRY.pointer,
        "shipping country",
        "",
        fields::COUNTRY.maxlength,
        Msg::Country,
        Msg::ErrCountry,
    ),
    field(
        "tel",
        fields::PHONE.pointer,
        "tel",
        "tel",
        fields::PHONE.maxlength,
        Msg::Phone,
        Msg::ErrPhone,
    ),
    field(
        "organization",
        fields::COMPANY.pointer,
        "organization",
        "text",
        fields::COMPANY.maxlength,
        Msg::Company,
        Msg::ErrGeneric,
    ),
    field(
        "vat-number",
        fields::VAT_NUMBER.pointer,
        "",
        "text",
        fields::VAT_NUMBER.maxlength,
        Msg::VatNumber,
        Msg::ErrVat,
    ),
    field(
        "terms",
        "terms_accepted",
        "",
        "checkbox",
        "",
        Msg::AcceptTerms,
        Msg::ErrTerms,
    ),
];

/// The values typed, in [`FIELDS`] order.
pub(crate) type Values = [String; 11];

/// The inline error of each field, in [`FIELDS`] order.
pub(crate) type Errors = [Option<Msg>; 11];

/// Whether field `i` must be filled in (when shown): all but the second
/// address line, the phone and the business fields.
pub(crate) fn is_required(i: usize) -> bool {
    !matches!(i, 3 | PHONE | COMPANY | VAT_NUMBER)
}

/// Which of the fields that come and go the details step shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Shown {
    /// The address: the purchase is shipped.
    pub(crate) shipped: bool,
    /// The company and VAT number: the shop takes business buyers.
    pub(crate) business: bool,
    /// The terms checkbox: the shop has terms.
    pub(crate) terms: bool,
}

impl Shown {
    /// Whether field `i` is shown (and checked, and sent).
    pub(crate) fn field(self, i: usize) -> bool {
        match i {
            2..=COUNTRY => self.shipped,
            COMPANY | VAT_NUMBER => self.business,
            TERMS => self.terms,
            _ => true,
        }
    }
}

/// The field with this `name` attribute.
pub(crate) fn by_name(name: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.name == name)
}

/// The field an edge problem points at (`customer.address.country`).
pub(crate) fn by_pointer(pointer: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.pointer == pointer)
}

/// The inline text for a problem `code` on field `i`, whether the widget or
/// the edge found it.
pub(crate) fn message(i: usize, code: &str) -> Msg {
    match code {
        errors::INVALID_EMAIL => Msg::ErrEmail,
        errors::INVALID_PHONE => Msg::ErrPhone,
        errors::UNSHIPPABLE_COUNTRY => Msg::ErrUnshippable,
        errors::FIELD_TOO_LONG => Msg::ErrTooLong,
        errors::INVALID_CHARACTERS => Msg::ErrCharacters,
        errors::INVALID_VAT_NUMBER => Msg::ErrVat,
        _ => FIELDS.get(i).map_or(Msg::ErrGeneric, |f| f.missing),
    }
}

/// The customer the values describe (with the fields `shown`), trimmed,
/// and the inline error of each field. Whether the country is one the
/// merchant ships to is the caller's check (it needs the rules).
pub(crate) fn check(values: &Values, shown: Shown) -> (Customer, Errors) {
    let v: Vec<String> = values.iter().map(|v| v.trim().to_owned()).collect();
    let mut errors = Errors::default();
    for (i, value) in v.iter().enumerate() {
        errors[i] = match i {
            _ if !shown.field(i) => None,
            _ if value.is_empty() => is_required(i).then_some(FIELDS[i].missing),
            _ if fields::forbidden_character(value).is_some() => Some(Msg::ErrCharacters),
            EMAIL if !is_plausible_email(value) => Some(Msg::ErrEmail),
            PHONE if !is_plausible_phone(value) => Some(Msg::ErrPhone),
            VAT_NUMBER if !is_vat_number(value) => Some(Msg::ErrVat),
            _ => None,
        };
    }
    let optional = |i: usize| Some(v[i].clone()).filter(|v| shown.field(i) && !v.is_empty());
    let customer = Customer {
        email: v[EMAIL].clone(),
        name: v[1].clone(),
        phone: optional(PHONE),
        address: shown.shipped.then(|| Address {
            line1: v[2].clone(),
            line2: optional(3),
            postal_code: v[4].clone(),
            city: v[5].clone(),
            country: v[COUNTRY].clone(),
        }),
        company: optional(COMPANY),
        vat_number: optional(VAT_NUMBER),
    };
    (customer, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(name: &str, city: &str) -> Values {
        [
            "ada@example.com",
            name,
            "1 rue de la Paix",
            "",
            "75002",
            city,
            "FR",
            "",
            "",
            "",
            "",
        ]
        .map(str::to_owned)
    }

    const SHIPPED: Shown = Shown {
        shipped: true,
        business: false,
        terms: false,
    };

    #[test]
    fn control_and_bidi_override_characters_are_refused_before_sending() {
        for (name, city, name_error, city_error) in [
            ("Ada Lovelace", "Paris", None, None),
            (
                "Ada\u{202E}ecalevoL",
                "Paris",
                Some(Msg::ErrCharacters),
                None,
            ),
            ("Ada", "Pa\u{0007}ris", None, Some(Msg::ErrCharacters)),
            ("Ada\u{2066}", "Paris", Some(Msg::ErrCharacters), None),
        ] {
            let (_, errors) = check(&values(name, city), SHIPPED);
            assert_eq!(
                (errors[1], errors[5]),
                (name_error, city_error),
                "{name:?} {city:?}"
            );
        }
        // The edge's refusal of the same reads the same.
        assert_eq!(message(1, errors::INVALID_CHARACTERS), Msg::ErrCharacters);
    }

    #[test]
    fn the_terms_must_be_ticked_when_the_shop_has_terms() {
        let terms = Shown {
            terms: true,
            ..SHIPPED
        };
        let mut v = values("Ada", "Paris");
        assert_eq!(check(&v, terms).1[TERMS], Some(Msg::ErrTerms));
        assert_eq!(check(&v, SHIPPED).1[TERMS], None, "no terms, no checkbox");
        v[TERMS] = "1".into();
        assert_eq!(check(&v, terms).1, Errors::default());
        // The edge's 422 points at `terms_accepted`: the checkbox.
        assert_eq!(by_pointer("terms_accepted"), Some(TERMS));
        assert_eq!(message(TERMS, errors::TERMS_NOT_ACCEPTED), Msg::ErrTerms);
    }

    #[test]
    fn business_fields_are_optional_checked_and_sent_only_when_shown() {
        let business = Shown {
            business: true,
            ..SHIPPED
        };
        let mut v = values("Ada", "Paris");
        v[COMPANY] = " Atelier Lovelace SARL ".into();
        v[VAT_NUMBER] = "fr 40 303 265 045".into();
        let (customer, errors) = check(&v, business);
        assert_eq!(errors, Errors::default());
        assert_eq!(customer.company.as_deref(), Some("Atelier Lovelace SARL"));
        // Sent as typed (trimmed): the edge reads it with the same rule.
        assert_eq!(customer.vat_number.as_deref(), Some("fr 40 303 265 045"));
        // A shop without business buyers gets neither.
        let (customer, _) = check(&v, SHIPPED);
        assert_eq!((customer.company, customer.vat_number), (None, None));
        // Wrong formats, as shared::vat_number reads them; blank is fine.
        for (typed, error) in [
            ("DE12345678", Some(Msg::ErrVat)),
            ("GR123456789", Some(Msg::ErrVat)),
            ("DE 123 456 789", None),
            ("  ", None),
        ] {
            v[VAT_NUMBER] = typed.into();
            assert_eq!(check(&v, business).1[VAT_NUMBER], error, "{typed:?}");
        }
        assert_eq!(by_pointer("customer.vat_number"), Some(VAT_NUMBER));
        assert_eq!(message(VAT_NUMBER, errors::INVALID_VAT_NUMBER), Msg::ErrVat);
        assert_eq!(FIELDS[COMPANY].max, "200");
        assert_eq!(FIELDS[VAT_NUMBER].max, "32");
        assert_eq!(FIELDS[COMPANY].autocomplete, "organization");
    }
}
