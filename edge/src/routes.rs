//! The edge's route table: which method and path go to which handler. Kept as
//! data (`ROUTES`) so a test can check it against the OpenAPI document.

use crate::error::EdgeError;

/// A resolved route, with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Health,
    Catalog,
    PaymentMethods,
    CreateCheckout,
    GetCheckout(String),
    CreateInvoiceCheckout,
    /// A CORS preflight of the public API.
    Preflight,
    QontoWebhook,
    OauthStart,
    OauthCallback,
    AdminSignIn,
    AdminSignOut,
    AdminStatus,
    AdminConnection,
    AdminCreateConnection,
    /// `GET /admin/organization`: the connected organisation's name and
    /// bank accounts.
    AdminOrganization,
    AdminCheckouts,
    AdminCheckout(String),
    AdminCheckoutPayments(String),
    AdminDeactivateCheckout(String),
    /// `POST /admin/checkouts/{id}/notify`: sends the merchant notification
    /// of a paid checkout again.
    AdminNotifyCheckout(String),
    /// `GET /admin/checkouts/{id}/messages/{kind}`: the outbox message's
    /// preview.
    AdminMessagePreview(String, String),
    /// `POST /admin/checkouts/{id}/messages/{kind}/send`: sends one outbox
    /// message again.
    AdminMessageSend(String, String),
    AdminWebhookSubscription,
    AdminOrdersCsv,
    AdminForgetCustomer,
    /// `GET /admin/dashboard`: the figures of a period.
    AdminDashboard,
    /// `GET /admin/vat-report`: the VAT report of a period.
    AdminVatReport,
    /// `GET /admin/vat-report.csv`: the same as CSV.
    AdminVatReportCsv,
    /// `GET /admin/lost-checkouts`: abandoned, failed, expired or mismatched checkouts.
    AdminLostCheckouts,
    /// `POST /admin/share-links`: a payment link to share.
    AdminCreateShareLink,
    /// `GET /admin/share-links`: the links to share.
    AdminShareLinks,
    /// `GET /admin/share-links/{id}`: one, with its recorded payments.
    AdminShareLink(String),
    /// `GET /admin/share-links/{id}/qr.svg`: its QR code.
    AdminShareLinkQr(String),
    /// `GET /v1/availability`: what is left of each tracked SKU.
    Availability,
    /// `GET /admin/stock`: every tracked SKU.
    AdminStock,
    /// `PUT /admin/stock/{sku}`: sets a SKU's stock.
    AdminSetStock(String),
    /// `POST /admin/stock/{sku}/adjust`: adds to or takes off a SKU's stock.
    AdminAdjustStock(String),
    /// `DELETE /admin/stock/{sku}`: stops tracking a SKU.
    AdminUntrackStock(String),
    /// `GET /v1/discount-codes/{code}`: whether a code applies, and how.
    DiscountCode(String),
    /// `GET /admin/discount-codes`: every code, with its uses.
    AdminDiscountCodes,
    /// `POST /admin/discount-codes`: creates a code.
    AdminCreateDiscountCode,
    /// `PUT /admin/discount-codes/{code}`: changes a code.
    AdminUpdateDiscountCode(String),
    /// `DELETE /admin/discount-codes/{code}`: removes a code.
    AdminDeleteDiscountCode(String),
}

/// Every route as (method, OpenAPI path template). `docs/openapi.json`
/// documents exactly these.
pub(crate) const ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/v1/catalog"),
    ("GET", "/v1/payment-methods"),
    ("POST", "/v1/checkouts"),
    ("GET", "/v1/checkouts/{id}"),
    ("POST", "/v1/invoice-checkouts"),
    ("POST", "/webhooks/qonto"),
    ("GET", "/admin/oauth/start"),
    ("GET", "/oauth/callback"),
    ("POST", "/admin/session"),
    ("DELETE", "/admin/session"),
    ("GET", "/admin/status"),
    ("GET", "/admin/connection"),
    ("POST", "/admin/connection"),
    ("GET", "/admin/organization"),
    ("GET", "/admin/checkouts"),
    ("GET", "/admin/checkouts/{id}"),
    ("GET", "/admin/checkouts/{id}/payments"),
    ("POST", "/admin/checkouts/{id}/deactivate"),
    ("POST", "/admin/checkouts/{id}/notify"),
    ("GET", "/admin/checkouts/{id}/messages/{kind}"),
    ("POST", "/admin/checkouts/{id}/messages/{kind}/send"),
    ("POST", "/admin/webhook-subscription"),
    ("GET", "/admin/orders.csv"),
    ("POST", "/admin/customers/forget"),
    ("GET", "/admin/dashboard"),
    ("GET", "/admin/vat-report"),
    ("GET", "/admin/vat-report.csv"),
    ("GET", "/admin/lost-checkouts"),
    ("POST", "/admin/share-links"),
    ("GET", "/admin/share-links"),
    ("GET", "/admin/share-links/{id}"),
    ("GET", "/admin/share-links/{id}/qr.svg"),
    ("GET", "/v1/availability"),
    ("GET", "/admin/stock"),
    ("PUT", "/admin/stock/{sku}"),
    ("DELETE", "/admin/stock/{sku}"),
    ("POST", "/admin/stock/{sku}/adjust"),
    ("GET", "/v1/discount-codes/{code}"),
    ("GET", "/admin/discount-codes"),
    ("POST", "/admin/discount-codes"),
    ("PUT", "/admin/discount-codes/{code}"),
    ("DELETE", "/admin/discount-codes/{code}"),
];

/// Resolves a request; 404 for unknown paths, 405 for known paths with
/// another method.
pub(crate) fn resolve(method: &str, path: &str) -> Result<Route, EdgeError> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let public = segments.first() == Some(&"v1");
    if method == "OPTIONS" && public {
        return Ok(Route::Preflight);
    }
    let route = match (method, segments.as_slice()) {
        ("GET", ["health"]) => Route::Health,
        ("GET", ["v1", "catalog"]) => Route::Catalog,
        ("GET", ["v1", "payment-methods"]) => Route::PaymentMethods,
        ("POST", ["v1", "checkouts"]) => Route::CreateCheckout,
        ("GET", ["v1", "checkouts", id]) if !id.is_empty() => Route::GetCheckout((*id).to_owned()),
        ("POST", ["v1", "invoice-checkouts"]) => Route::CreateInvoiceCheckout,
        ("POST", ["webhooks", "qonto"]) => Route::QontoWebhook,
        ("GET", ["admin", "oauth", "start"]) => Route::OauthStart,
        ("GET", ["oauth", "callback"]) => Route::OauthCallback,
        ("POST", ["admin", "session"]) => Route::AdminSignIn,
        ("DELETE", ["admin", "session"]) => Route::AdminSignOut,
        ("GET", ["admin", "status"]) => Route::AdminStatus,
        ("GET", ["admin", "connection"]) => Route::AdminConnection,
        ("POST", ["admin", "connection"]) => Route::AdminCreateConnection,
        ("GET", ["admin", "organization"]) => Route::AdminOrganization,
        ("GET", ["admin", "checkouts"]) => Route::AdminCheckouts,
        ("GET", ["admin", "checkouts", id]) if !id.is_empty() => {
            Route::AdminCheckout((*id).to_owned())
        }
        ("GET", ["admin", "checkouts", id, "payments"]) => {
            Route::AdminCheckoutPayments((*id).to_owned())
        }
        ("POST", ["admin", "checkouts", id, "deactivate"]) => {
            Route::AdminDeactivateCheckout((*id).to_owned())
        }
        ("POST", ["admin", "checkouts", id, "notify"]) => {
            Route::AdminNotifyCheckout((*id).to_owned())
        }
        ("GET", ["admin", "checkouts", id, "messages", kind]) => {
            Route::AdminMessagePreview((*id).to_owned(), (*kind).to_owned())
        }
        ("POST", ["admin", "checkouts", id, "messages", kind, "send"]) => {
            Route::AdminMessageSend((*id).to_owned(), (*kind).to_owned())
        }
        ("POST", ["admin", "webhook-subscription"]) => Route::AdminWebhookSubscription,
        ("GET", ["admin", "orders.csv"]) => Route::AdminOrdersCsv,
        ("POST", ["admin", "customers", "forget"]) => Route::AdminForgetCustomer,
        ("GET", ["admin", "dashboard"]) => Route::AdminDashboard,
        ("GET", ["admin", "vat-report"]) => Route::AdminVatReport,
        ("GET", ["admin", "vat-report.csv"]) => Route::AdminVatReportCsv,
        ("GET", ["admin", "lost-checkouts"]) => Route::AdminLostCheckouts,
        ("POST", ["admin", "share-links"]) => Route::AdminCreateShareLink,
        ("GET", ["admin", "share-links"]) => Route::AdminShareLinks,
        ("GET", ["admin", "share-links", id]) if !id.is_empty() => {
            Route::AdminShareLink((*id).to_owned())
        }
        ("GET", ["admin", "share-links", id, "qr.svg"]) => {
            Route::AdminShareLinkQr((*id).to_owned())
        }
        ("GET", ["v1", "availability"]) => Route::Availability,
        ("GET", ["admin", "stock"]) => Route::AdminStock,
        ("PUT", ["admin", "stock", sku]) if !sku.is_empty() => {
            Route::AdminSetStock((*sku).to_owned())
        }
        ("DELETE", ["admin", "stock", sku]) if !sku.is_empty() => {
            Route::AdminUntrackStock((*sku).to_owned())
        }
        ("POST", ["admin", "stock", sku, "adjust"]) if !sku.is_empty() => {
            Route::AdminAdjustStock((*sku).to_owned())
        }
        ("GET", ["v1", "discount-codes", code]) if !code.is_empty() => {
            Route::DiscountCode((*code).to_owned())
        }
        ("GET", ["admin", "discount-codes"]) => Route::AdminDiscountCodes,
        ("POST", ["admin", "discount-codes"]) => Route::AdminCreateDiscountCode,
        ("PUT", ["admin", "discount-codes", code]) if !code.is_empty() => {
            Route::AdminUpdateDiscountCode((*code).to_owned())
        }
        ("DELETE", ["admin", "discount-codes", code]) if !code.is_empty() => {
            Route::AdminDeleteDiscountCode((*code).to_owned())
        }
        _ => {
            let allow = allowed_methods(path);
            return Err(if allow.is_empty() {
                EdgeError::NotFound("route")
            } else {
                EdgeError::MethodNotAllowed { allow }
            });
        }
    };
    Ok(route)
}

/// The methods a path answers, for `Allow` (empty: no such path). The public
/// API also answers CORS preflights.
fn allowed_methods(path: &str) -> String {
    let mut methods: Vec<&str> = ROUTES
        .iter()
        .filter(|(_, template)| template_matches(template, path))
        .map(|(method, _)| *method)
        .collect();
    if !methods.is_empty() && path.starts_with("/v1/") {
        methods.push("OPTIONS");
    }
    methods.dedup();
    methods.join(", ")
}

/// Whether `path` fits `template` (`{x}` matches one non-empty segment).
fn template_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

#[cfg(test)]
mod tests {
    use super::*;

    impl PartialEq for EdgeError {
        fn eq(&self, other: &Self) -> bool {
            self.status() == other.status()
        }
    }

    #[test]
    fn every_documented_route_resolves() {
        for (method, template) in ROUTES {
            let path = template
                .replace("{id}", "ck_0123")
                .replace("{kind}", "shopper_email");
            assert!(resolve(method, &path).is_ok(), "{method} {path}");
        }
    }

    #[test]
    fn parameters_are_extracted() {
        assert_eq!(
            resolve("GET", "/v1/checkouts/ck_1"),
            Ok(Route::GetCheckout("ck_1".into()))
        );
        assert_eq!(
            resolve("POST", "/admin/checkouts/ck_2/deactivate"),
            Ok(Route::AdminDeactivateCheckout("ck_2".into()))
        );
        assert_eq!(resolve("OPTIONS", "/v1/checkouts"), Ok(Route::Preflight));
    }

    #[test]
    fn unknown_paths_are_404_and_wrong_methods_405() {
        assert!(matches!(
            resolve("GET", "/nope"),
            Err(EdgeError::NotFound(_))
        ));
        assert!(matches!(
            resolve("GET", "/v1/checkouts/"),
            Err(EdgeError::MethodNotAllowed { .. })
        ));
        assert!(matches!(
            resolve("DELETE", "/v1/checkouts/ck_1"),
            Err(EdgeError::MethodNotAllowed { allow }) if allow == "GET, OPTIONS"
        ));
        assert!(matches!(
            resolve("TRACE", "/admin/connection"),
            Err(EdgeError::MethodNotAllowed { allow }) if allow == "GET, POST"
        ));
        assert!(matches!(
            resolve("PUT", "/health"),
            Err(EdgeError::MethodNotAllowed { allow }) if allow == "GET"
        ));
        assert!(matches!(
            resolve("GET", "/v1/checkouts/a/b"),
            Err(EdgeError::NotFound(_))
        ));
    }
}

#[cfg(test)]
mod openapi {
    use super::ROUTES;
    use std::collections::BTreeSet;

    /// The OpenAPI document in the repository describes exactly the routes
    /// the edge serves: no undocumented route, no documented ghost.
    #[test]
    fn openapi_document_matches_the_route_table() {
        let doc: serde_json::Value = serde_json::from_str(include_str!("../../docs/openapi.json"))
            .expect("docs/openapi.json is JSON");
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("path item").keys() {
                documented.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
        let served: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(documented, served);
    }
}
