//! JSON type checks in the style of Qonto's backend (Go's `encoding/json`):
//! a wrong JSON type fails the whole request with "cannot unmarshal number
//! into Go struct field … of type string" (seen for `vat_rate`), `null`
//! counts as absent, unknown fields are ignored.

use crate::errors;
use serde_json::Value;
use shared::qonto::ApiError;

/// The expected JSON type of a value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ty {
    Str,
    Num,
    Bool,
    Arr(&'static Ty),
    /// A struct: its Go type name and its known fields.
    Obj(&'static str, &'static [(&'static str, Ty)]),
}

impl Ty {
    fn go_name(&self) -> String {
        match self {
            Ty::Str => "string".into(),
            Ty::Num => "float64".into(),
            Ty::Bool => "bool".into(),
            Ty::Arr(inner) => format!("[]{}", inner.go_name()),
            Ty::Obj(name, _) => format!("api.{name}"),
        }
    }
}

/// `{value, currency}`.
pub(crate) const AMOUNT: Ty = Ty::Obj("Amount", &[("value", Ty::Str), ("currency", Ty::Str)]);

/// One basket item.
pub(crate) const ITEM: Ty = Ty::Obj(
    "PaymentLinkItem",
    &[
        ("title", Ty::Str),
        ("quantity", Ty::Num),
        ("unit_price", AMOUNT),
        ("vat_rate", Ty::Str),
        ("type", Ty::Str),
        ("description", Ty::Str),
        ("measure_unit", Ty::Str),
    ],
);

/// `POST /v2/payment_links` body (both variants).
pub(crate) const CREATE_PAYMENT_LINK: Ty = Ty::Obj(
    "CreatePaymentLinkRequest",
    &[(
        "payment_link",
        Ty::Obj(
            "CreatePaymentLinkParams",
            &[
                ("potential_payment_methods", Ty::Arr(&Ty::Str)),
                ("reusable", Ty::Bool),
                ("items", Ty::Arr(&ITEM)),
                ("invoice_id", Ty::Str),
                ("invoice_number", Ty::Str),
                ("debitor_name", Ty::Str),
                ("amount", AMOUNT),
            ],
        ),
    )],
);

/// `POST /v2/payment_links/connections` body.
pub(crate) const CREATE_CONNECTION: Ty = Ty::Obj(
    "CreateConnectionRequest",
    &[
        ("partner_callback_url", Ty::Str),
        ("user_bank_account_id", Ty::Str),
        ("user_phone_number", Ty::Str),
        ("business_description", Ty::Str),
        ("user_website_url", Ty::Str),
    ],
);

/// `POST /v2/webhook_subscriptions` body.
pub(crate) const CREATE_SUBSCRIPTION: Ty = Ty::Obj(
    "CreateWebhookSubscriptionRequest",
    &[
        ("callback_url", Ty::Str),
        ("types", Ty::Arr(&Ty::Str)),
        ("secret", Ty::Str),
        ("description", Ty::Str),
    ],
);

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks `value` against `ty`; the first mismatch is the error, as Go's
/// decoder stops at the first one.
pub(crate) fn check(value: &Value, ty: &Ty) -> Result<(), ApiError> {
    if let Ty::Obj(name, _) = ty {
        if !value.is_object() {
            return Err(errors::at_pointer(
                "bad_request",
                format!(
                    "json: cannot unmarshal {} into Go value of type api.{name}",
                    json_kind(value)
                ),
                "",
            ));
        }
    }
    walk(value, ty, "", "", "")
}

fn walk(
    value: &Value,
    ty: &Ty,
    pointer: &str,
    go_path: &str,
    go_struct: &str,
) -> Result<(), ApiError> {
    let ok = match (ty, value) {
        (_, Value::Null) => true,
        (Ty::Str, Value::String(_)) | (Ty::Num, Value::Number(_)) | (Ty::Bool, Value::Bool(_)) => {
            true
        }
        (Ty::Arr(inner), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, inner, &format!("{pointer}/{i}"), go_path, go_struct)?;
            }
            true
        }
        (Ty::Obj(name, fields), Value::Object(map)) => {
            for (key, field_ty) in *fields {
                if let Some(v) = map.get(*key) {
                    let path = if go_path.is_empty() {
                        (*key).to_owned()
                    } else {
                        format!("{go_path}.{key}")
                    };
                    walk(v, field_ty, &format!("{pointer}/{key}"), &path, name)?;
                }
            }
            true
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(errors::at_pointer(
            "bad_request",
            format!(
                "json: cannot unmarshal {} into Go struct field {go_struct}.{go_path} of type {}",
                json_kind(value),
                ty.go_name()
            ),
            pointer,
        ))
    }
}

/// A string field, `None` when absent, null or blank.
pub(crate) fn str_field<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// "can't be blank" at a pointer.
pub(crate) fn blank(pointer: &str, field: &str) -> ApiError {
    errors::at_pointer("blank", format!("{field} can't be blank"), pointer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn vat_rate_number_is_a_type_error_with_pointer() {
        let body = json!({"payment_link": {"items": [{"title": "x", "vat_rate": 0.2}]}});
        let err = check(&body, &CREATE_PAYMENT_LINK).unwrap_err();
        let detail = err.detail.unwrap();
        assert!(detail.contains("cannot unmarshal number into Go struct field PaymentLinkItem.payment_link.items.vat_rate of type string"), "{detail}");
        assert_eq!(
            err.source.unwrap().pointer.as_deref(),
            Some("/payment_link/items/0/vat_rate")
        );
    }

    #[test]
    fn nulls_and_unknown_fields_pass() {
        let body =
            json!({"payment_link": {"items": null, "extra": 1, "reusable": null}, "other": [1]});
        assert!(check(&body, &CREATE_PAYMENT_LINK).is_ok());
        assert!(check(&json!([1]), &CREATE_PAYMENT_LINK).is_err());
        let err = check(
            &json!({"payment_link": {"reusable": "yes"}}),
            &CREATE_PAYMENT_LINK,
        )
        .unwrap_err();
        assert!(err.detail.unwrap().contains("of type bool"));
    }
}
