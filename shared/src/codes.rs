//! Every error code of the edge's API, with the HTTP status it comes with
//! ([`ERROR_CODES`]), as data: the edge answers with these codes (its status
//! is looked up here), the widget translates them (matching on the
//! constants), and the widget's own failures that never reached the edge
//! have codes here too, with status 0. `shared`'s error enums return them
//! from their `code()`. (`api::errors` re-exports them beside the error
//! body.)

/// One error code of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// The stable snake_case code.
    pub code: &'static str,
    /// The HTTP status the edge answers with; 0 for the widget's own codes.
    pub status: u16,
    /// When it happens, and whether retrying helps.
    pub when: &'static str,
}

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $status:literal, $when:literal;)*) => {
        $($(#[$doc])* pub const $name: &str = $code;)*
        /// Every code, with its status and when it happens.
        pub const ERROR_CODES: &[ErrorCode] = &[
            $(ErrorCode { code: $code, status: $status, when: $when },)*
        ];
    };
}

codes! {
    // 400: the request is not the documented shape; retrying fails again.
    /// The body could not be read.
    INVALID_BODY = "invalid_body", 400, "the request body could not be read";
    /// The body is not JSON.
    INVALID_JSON = "invalid_json", 400, "the body is not valid JSON";
    /// The body is JSON but not the documented shape.
    INVALID_REQUEST = "invalid_request", 400, "the body is not the documented shape (an unknown field, a wrong type)";
    /// The `Idempotency-Key` header is malformed.
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key", 400, "the Idempotency-Key header is not 1 to 255 visible ASCII characters";
    /// A query parameter is malformed.
    INVALID_QUERY = "invalid_query", 400, "a query parameter of an admin endpoint is malformed";
    // 401, 403, 404, 405
    /// No valid admin session or token.
    UNAUTHORIZED = "unauthorized", 401, "an admin endpoint without a valid session or token";
    /// A webhook with a bad signature.
    INVALID_SIGNATURE = "invalid_signature", 401, "a webhook whose signature is missing, stale or wrong";
    /// A browser request from an origin not allowed.
    ORIGIN_NOT_ALLOWED = "origin_not_allowed", 403, "a browser request from an origin not in ALLOWED_ORIGINS";
    /// A state-changing admin request from another site or origin.
    CROSS_SITE_REQUEST = "cross_site_request", 403, "a state-changing admin request (POST, PUT, PATCH, DELETE) sent by a page of another origin (another port or subdomain); retrying from there fails again";
    /// No such route or resource.
    NOT_FOUND = "not_found", 404, "no such route, or a resource this edge does not know";
    /// The route exists with other methods.
    METHOD_NOT_ALLOWED = "method_not_allowed", 405, "the route exists with other methods";
    // 409: a conflict with an earlier request.
    /// The idempotency key came with another body.
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", 409, "the Idempotency-Key was used with another body";
    /// An admin discount code whose name is taken.
    DISCOUNT_CODE_EXISTS = "discount_code_exists", 409, "an admin creating a discount code that exists already (change it with PUT instead)";
    /// The same checkout is still being created.
    CHECKOUT_IN_PROGRESS = "checkout_in_progress", 409, "a request with the same key is still being processed; retry shortly";
    /// Merchant notifications are not configured.
    NOTIFICATIONS_OFF = "notifications_off", 409, "an admin resend while no merchant webhook is configured";
    /// The checkout is not paid.
    NOT_PAID = "not_paid", 409, "an admin resend of a checkout that is not paid";
    /// The checkout's link can no longer be deactivated.
    NOT_DEACTIVATABLE = "not_deactivatable", 409, "an admin deactivation of a link that is no longer open";
    /// That kind of message is switched off.
    MESSAGE_KIND_OFF = "message_kind_off", 409, "an admin resend of an outbox message whose kind is not configured";
    /// Not enough stock left for a line of the basket.
    SOLD_OUT = "sold_out", 409, "a checkout asks more of a SKU than is left in stock (field: the first short line); nothing was reserved, retrying with less (or later) may succeed";
    // 413, 415
    /// The body is too large.
    PAYLOAD_TOO_LARGE = "payload_too_large", 413, "the request body is larger than the endpoint accepts";
    /// The body is not JSON by its content type.
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415, "the body is not sent as application/json";
    // 422: valid JSON, but the order (or invoice) cannot be accepted.
    /// An admin discount code whose settings are malformed.
    INVALID_DISCOUNT_CODE = "invalid_discount_code", 422, "an admin discount code whose name, value (percent_basis_points or amount, exactly one), minimum, validity window or max_uses is malformed (the field says which)";
    /// No such discount code (or one the merchant switched off).
    UNKNOWN_DISCOUNT_CODE = "unknown_discount_code", 422, "a checkout with a discount_code the shop does not have (or has switched off); the field is discount_code";
    /// A discount code before its first valid instant.
    DISCOUNT_CODE_NOT_YET_VALID = "discount_code_not_yet_valid", 422, "a discount code used before its valid_from; retrying later may succeed";
    /// A discount code past its last valid instant.
    DISCOUNT_CODE_EXPIRED = "discount_code_expired", 422, "a discount code used at or after its valid_until";
    /// Every allowed use of a discount code is taken (paid or held).
    DISCOUNT_CODE_USED_UP = "discount_code_used_up", 422, "a discount code whose max_uses are all paid or held by unpaid checkouts; a held use comes back if its checkout expires";
    /// The goods are below a discount code's minimum.
    DISCOUNT_BELOW_MINIMUM = "discount_below_minimum", 422, "a discount code whose minimum goods total (VAT included, shipping left out) the basket does not reach; the message names the minimum";
    /// No items.
    EMPTY_BASKET = "empty_basket", 422, "the basket is empty";
    /// Too many items.
    TOO_MANY_LINES = "too_many_lines", 422, "more items than a basket may hold";
    /// A SKU that is not sold.
    UNKNOWN_SKU = "unknown_sku", 422, "a SKU that is not in the catalog";
    /// An admin stock figure that is not a whole number in range.
    INVALID_STOCK = "invalid_stock", 422, "an admin stock figure (stock, delta) that is not a whole number in range, or an adjustment that would take the stock below 0";
    /// A quantity out of range.
    QUANTITY_OUT_OF_RANGE = "quantity_out_of_range", 422, "a quantity (merged over the items of one SKU) outside 1 to 999";
    /// The total is above the maximum.
    AMOUNT_TOO_LARGE = "amount_too_large", 422, "the gross total, shipping included, is above the maximum";
    /// A required field is blank or absent.
    MISSING_FIELD = "missing_field", 422, "a required field is blank or absent";
    /// A text field is too long.
    FIELD_TOO_LONG = "field_too_long", 422, "a text field is longer than its limit";
    /// Control or bidirectional-override characters in a customer's text.
    INVALID_CHARACTERS = "invalid_characters", 422, "a customer's name, address, e-mail or phone holds a control character or a bidirectional override (U+202A to U+202E, U+2066 to U+2069)";
    /// Not an e-mail address.
    INVALID_EMAIL = "invalid_email", 422, "an e-mail address that is not plausible";
    /// Not a phone number.
    INVALID_PHONE = "invalid_phone", 422, "a phone number that is not plausible";
    /// Not an EU VAT number.
    INVALID_VAT_NUMBER = "invalid_vat_number", 422, "a business buyer's VAT number that does not have its EU country's format (the message says which)";
    /// Business fields in a shop for consumers only.
    BUSINESS_BUYERS_OFF = "business_buyers_off", 422, "a company or VAT number sent to a shop that does not take business buyers (BUSINESS_BUYERS is off)";
    /// The terms were not accepted.
    TERMS_NOT_ACCEPTED = "terms_not_accepted", 422, "a checkout without terms_accepted: true in a shop that publishes terms (TERMS_URL)";
    /// Not a country code.
    INVALID_COUNTRY = "invalid_country", 422, "a country that is not a 2-letter ISO 3166 code";
    /// A country the shop does not ship to.
    UNSHIPPABLE_COUNTRY = "unshippable_country", 422, "goods sent to a country the shop does not ship to";
    /// A payment method name that is not one.
    INVALID_PAYMENT_METHOD = "invalid_payment_method", 422, "payment_methods is empty, too long, or lists a name that is not a method";
    /// A URL that is not an http(s) URL (the provider connection's callback).
    INVALID_URL = "invalid_url", 422, "an admin's provider connection with a callback or website URL that is not http(s)";
    /// A bank account id that is not one.
    INVALID_BANK_ACCOUNT_ID = "invalid_bank_account_id", 422, "an admin's provider connection with a bank account id that is not a UUID";
    /// A text shorter than Qonto accepts.
    TOO_SHORT = "too_short", 422, "an admin's provider connection whose business description is shorter than Qonto's minimum";
    /// An invoice id that is not one.
    INVALID_INVOICE_ID = "invalid_invoice_id", 422, "an invoice id that is not a Qonto client invoice id";
    /// The invoice is paid already.
    INVOICE_ALREADY_PAID = "invoice_already_paid", 422, "the invoice is paid already";
    /// The invoice cannot be paid (draft, canceled...).
    INVOICE_NOT_PAYABLE = "invoice_not_payable", 422, "the invoice cannot be paid (draft, canceled, unknown)";
    /// The page to come back to is not on an allowed origin.
    INVALID_RETURN_URL = "invalid_return_url", 422, "return_url is not an http(s) page of one of ALLOWED_ORIGINS";
    /// A URL to a local or private host where Qonto needs a public one.
    PRIVATE_URL = "private_url", 422, "a website or callback on localhost or a private network, in production";
    /// A merchant webhook over plain http outside local development.
    INSECURE_WEBHOOK_URL = "insecure_webhook_url", 422, "MERCHANT_WEBHOOK_URL is http:// to a host other than this machine (only local development may use http); notifications carry the customer's details, so set an https:// URL";
    /// An admin text that is too long.
    TOO_LONG = "too_long", 422, "an admin text longer than accepted";
    /// A share link without a usable title.
    INVALID_TITLE = "invalid_title", 422, "a share link's title is blank or too long";
    /// Neither (or both) of items and amount.
    ITEMS_OR_AMOUNT = "items_or_amount", 422, "a share link with both, or neither, catalog items and a free amount";
    /// A free amount that is not one.
    INVALID_AMOUNT = "invalid_amount", 422, "a share link's amount is not a positive decimal amount";
    /// A VAT rate that is not one.
    INVALID_VAT_RATE = "invalid_vat_rate", 422, "a share link's VAT rate is not a percent such as 20 or 5.5";
    // 429
    /// Too many requests.
    RATE_LIMITED = "rate_limited", 429, "too many requests from this client; retry after the delay";
    // 5xx
    /// A bug.
    INTERNAL_ERROR = "internal_error", 500, "a bug; the detail is in the edge's log";
    /// Qonto refused the request.
    PAYMENT_PROVIDER_REJECTED = "payment_provider_rejected", 502, "Qonto refused the request; retrying it will not help";
    /// Qonto would charge another amount than the one shown.
    AMOUNT_MISMATCH = "amount_mismatch", 502, "Qonto computed another amount than the shopper saw; the link was deactivated, nothing charged; the merchant checks VAT_RATE_FORMAT and rounding";
    /// Qonto is unavailable.
    PAYMENT_PROVIDER_UNAVAILABLE = "payment_provider_unavailable", 503, "Qonto is busy or down; retrying later is safe";
    /// The edge is not connected to Qonto.
    NOT_CONNECTED = "not_connected", 503, "the shop is not (or no longer) connected to Qonto; the merchant connects it at /admin";
    /// The edge's configuration is wrong.
    MISCONFIGURED = "misconfigured", 503, "the edge's configuration is incomplete or wrong; /admin/status and the log say why";
    /// Qonto revoked the shop's connection.
    PAYMENTS_PAUSED = "payments_paused", 503, "Qonto revoked the shop's connection; payments are paused until the merchant reconnects at /admin";
    /// The admin token is too short to be used.
    ADMIN_TOKEN_TOO_SHORT = "admin_token_too_short", 503, "the right ADMIN_TOKEN was given but it is shorter than 32 characters, so the admin stays closed; set a long random one (openssl rand -hex 32)";
    /// A platform call failed.
    SERVICE_UNAVAILABLE = "service_unavailable", 503, "a platform call (D1, Durable Object) failed; retrying is safe";
    /// Qonto did not answer in time.
    PAYMENT_PROVIDER_TIMEOUT = "payment_provider_timeout", 504, "Qonto did not answer in time; retrying with the same Idempotency-Key is safe";
    // The widget's own (no answer from the edge behind them).
    /// No answer at all.
    NETWORK = "network", 0, "the widget got no answer from the edge";
    /// A SKU that is not one (a `data-qc-add` or a stored basket).
    INVALID_SKU = "invalid_sku", 0, "the widget was given a SKU that is not a valid SKU";
    /// The stored basket could not be read.
    INVALID_BASKET_DATA = "invalid_basket_data", 0, "the basket in localStorage could not be read";
    /// The catalog is not loaded yet.
    CATALOG_LOADING = "catalog_loading", 0, "Pay before the catalog arrived";
    /// The catalog could not be loaded.
    CATALOG_UNAVAILABLE = "catalog_unavailable", 0, "Pay while the catalog could not be loaded";
    /// The catalog the edge sent could not be read.
    INVALID_CATALOG = "invalid_catalog", 0, "the catalog the edge sent has unreadable products or shipping";
    /// An answer of the edge could not be read.
    INVALID_RESPONSE = "invalid_response", 0, "an answer of the edge lacks what it must hold";
}

/// The HTTP status of `code`, if it is one of [`ERROR_CODES`].
pub fn status_of(code: &str) -> Option<u16> {
    ERROR_CODES
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_with_a_status() {
        for (i, c) in ERROR_CODES.iter().enumerate() {
            assert!(
                c.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                c.code
            );
            assert!(
                c.status == 0 || (400..600).contains(&c.status),
                "{}",
                c.code
            );
            assert!(!c.when.is_empty());
            assert!(
                ERROR_CODES[..i].iter().all(|o| o.code != c.code),
                "{} twice",
                c.code
            );
        }
        assert_eq!(status_of(UNKNOWN_SKU), Some(422));
        assert_eq!(status_of(CHECKOUT_IN_PROGRESS), Some(409));
        assert_eq!(status_of("no_such_code"), None);
    }

    #[test]
    fn every_shared_error_code_is_listed() {
        use crate::basket::BasketError;
        use crate::order::OrderProblem;
        let shared_codes = [
            BasketError::QuantityOutOfRange { quantity: 0 }.code(),
            BasketError::TooManyLines.code(),
            BasketError::InvalidSku { sku: String::new() }.code(),
            BasketError::InvalidEncoding.code(),
            OrderProblem::EmptyBasket.code(),
            OrderProblem::TooManyLines { count: 0 }.code(),
            OrderProblem::UnknownSku { item: 0 }.code(),
            OrderProblem::AmountTooLarge.code(),
        ];
        for code in shared_codes {
            assert!(status_of(code).is_some(), "{code} is not listed");
        }
    }
}
