//! What a shop asks of its buyers before Pay, beyond the basket: the legal
//! texts an EU shop selling to consumers publishes (terms and conditions,
//! withdrawal information, privacy notice) with the acceptance of the terms,
//! and whether it takes business buyers (company name and VAT number).
//!
//! The edge is configured with a [`CheckoutPolicy`], tells the widget about
//! it in `GET /v1/catalog`'s `checkout` ([`CheckoutSettings`]) and checks
//! each checkout request against it ([`CheckoutRequest::check_policy`]);
//! the fields themselves are validated with the rest of the customer
//! ([`super::validate`]).

use super::checkout::CheckoutRequest;
use super::errors::{self, ApiProblem};
use super::fields;

/// The edge's configuration of the details step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckoutPolicy {
    /// The terms and conditions page (`TERMS_URL`): when set, every basket
    /// checkout must say `terms_accepted: true`.
    pub terms_url: Option<String>,
    /// The withdrawal (right of cancellation) information page
    /// (`WITHDRAWAL_URL`), shown beside the terms.
    pub withdrawal_url: Option<String>,
    /// The privacy notice (`PRIVACY_URL`), shown beside the terms.
    pub privacy_url: Option<String>,
    /// Whether business buyers may give a company name and a VAT number
    /// (`BUSINESS_BUYERS=on`).
    pub business_buyers: bool,
}

impl CheckoutPolicy {
    /// What the widget needs to know (`GET /v1/catalog`'s `checkout`);
    /// `None` for a shop with no terms and no business buyers.
    pub fn settings(&self) -> Option<CheckoutSettings> {
        let settings = CheckoutSettings {
            terms_url: self.terms_url.clone(),
            withdrawal_url: self.withdrawal_url.clone(),
            privacy_url: self.privacy_url.clone(),
            business_buyers: self.business_buyers,
            discount_codes: false,
        };
        (settings != CheckoutSettings::default()).then_some(settings)
    }
}

/// `GET /v1/catalog`'s `checkout`: the details step's legal texts and
/// business fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckoutSettings {
    /// Terms and conditions; when present the shopper must accept them.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub terms_url: Option<String>,
    /// Withdrawal information.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub withdrawal_url: Option<String>,
    /// Privacy notice.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub privacy_url: Option<String>,
    /// Whether the details step offers company and VAT number fields.
    #[cfg_attr(feature = "serde", serde(default))]
    pub business_buyers: bool,
    /// Whether the basket offers its discount-code box: the shop has a code
    /// switched on (the edge asks its ledger; left out when false). A box
    /// that no code fits only sends shoppers looking for one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "core::ops::Not::not")
    )]
    pub discount_codes: bool,
}

impl CheckoutRequest {
    /// The problems of this request under `policy`: terms not accepted
    /// where they must be (`terms_not_accepted`), business fields where the
    /// shop takes none (`business_buyers_off`). Empty when it complies.
    pub fn check_policy(&self, policy: &CheckoutPolicy) -> Vec<ApiProblem> {
        let mut problems = Vec::new();
        if policy.terms_url.is_some() && self.terms_accepted != Some(true) {
            problems.push(ApiProblem::at(
                "terms_accepted",
                errors::TERMS_NOT_ACCEPTED,
                "the shop's terms and conditions must be accepted (terms_accepted: true)",
            ));
        }
        if !policy.business_buyers {
            let given = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
            if let Some(c) = &self.customer {
                for (value, field) in [
                    (&c.company, fields::COMPANY),
                    (&c.vat_number, fields::VAT_NUMBER),
                ] {
                    if given(value) {
                        problems.push(ApiProblem::at(
                            field.pointer,
                            errors::BUSINESS_BUYERS_OFF,
                            format!(
                                "{} is not taken: the shop sells to consumers only",
                                field.pointer
                            ),
                        ));
                    }
                }
            }
        }
        problems
    }
}
