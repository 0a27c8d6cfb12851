//! HTML pages: the stand-in for Mollie's hosted payment page at each link's
//! `url`, the provider onboarding page behind `connection_location`, and an
//! index. Plain forms, no script, so a person, a browser test or `reqwest`
//! can drive them alike.

use crate::app::{App, LinkRecord};
use crate::errors::{self, esc};
use crate::flows::{self, Outcome, OutcomeError};
use crate::webhooks;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::qonto::{ConnectionStatus, PaymentLinkStatus, ResourceType};
use std::sync::Arc;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}\
td.num,th.num{text-align:right}.amount{font-size:2rem;font-weight:700}\
button{font-size:1rem;padding:.6rem 1rem;margin:.3rem .3rem 0 0}fieldset{margin:1rem 0}\
.note{color:#555;font-size:.9rem}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        t = esc(title)
    )
}

/// `13.30` EUR as `€13.30` (thousands grouped: `€77,052.50`).
pub(crate) fn display_amount(value: &str, currency: &str) -> String {
    let (int, frac) = value.split_once('.').unwrap_or((value, "00"));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |i| ("-", i));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match currency {
        "EUR" => format!("{sign}€{grouped}.{frac}"),
        other => format!("{sign}{grouped}.{frac} {other}"),
    }
}

/// `GET /`: what this server is.
pub(crate) async fn index(State(app): State<Arc<App>>) -> Response {
    let body = format!(
        "<h1>Fake Qonto</h1><p>A local stand-in for Qonto's Business API (payment links), its OAuth \
         server and the hosted payment page.</p><ul>\
         <li>API: <code>{u}/v2/…</code></li><li>OAuth: <code>{u}/oauth2/auth</code>, <code>{u}/oauth2/token</code></li>\
         <li>Test controls: <a href=\"/_control\">/_control</a></li></ul>",
        u = esc(&app.public_url)
    );
    errors::html(StatusCode::OK, page("Fake Qonto", &body))
}

fn not_found_page() -> Response {
    errors::html(
        StatusCode::NOT_FOUND,
        page(
            "Payment link not found",
            "<h1>Payment link not found</h1><p>This payment link does not exist.</p>",
        ),
    )
}

fn status_sentence(status: &PaymentLinkStatus) -> &'static str {
    match status {
        PaymentLinkStatus::Paid => "This payment link has been paid.",
        PaymentLinkStatus::Canceled => "This payment link has been deactivated by the merchant.",
        PaymentLinkStatus::Expired => "This payment link has expired.",
        _ => "This payment link can no longer be paid.",
    }
}

fn render_pay(app: &App, r: &LinkRecord) -> String {
    let link = &r.link;
    let amount = display_amount(&link.amount.value, &link.amount.currency);
    let mut body = format!(
        "<p class=\"note\">Secure payment · fake Mollie checkout</p>\
         <h1>Pay <span id=\"merchant\">{merchant}</span></h1>",
        merchant = esc(&app.config.merchant_name)
    );
    if link.resource_type == Some(ResourceType::Invoice) {
        body.push_str(&format!(
            "<p>Invoice <strong id=\"invoice-number\">{n}</strong> for <strong id=\"debitor\">{d}</strong></p>",
            n = esc(link.invoice_number.as_deref().unwrap_or("")),
            d = esc(link.debitor_name.as_deref().unwrap_or(""))
        ));
    }
    if !r.lines.is_empty() {
        body.push_str(
            "<table id=\"items\"><caption>Your order</caption><thead><tr><th scope=\"col\">Item</th>\
             <th scope=\"col\" class=\"num\">Qty</th><th scope=\"col\" class=\"num\">Unit price (excl. VAT)</th>\
             <th scope=\"col\" class=\"num\">VAT</th><th scope=\"col\" class=\"num\">Total</th></tr></thead><tbody>",
        );
        for line in &r.lines {
            let desc = line
                .description
                .as_deref()
                .map(|d| format!("<br><small>{}</small>", esc(d)))
                .unwrap_or_default();
            body.push_str(&format!(
                "<tr class=\"item\"><td>{t}{desc}</td><td class=\"num\">{q}</td><td class=\"num\">{u}</td>\
                 <td class=\"num\">{v}</td><td class=\"num\">{g}</td></tr>",
                t = esc(&line.title),
                q = line.quantity,
                u = esc(&display_amount(&line.unit_net, &link.amount.currency)),
                v = esc(&line.vat),
                g = esc(&display_amount(&line.gross, &link.amount.currency)),
            ));
        }
        body.push_str("</tbody></table>");
    }
    body.push_str(&format!(
        "<p>Amount to pay (VAT included)</p><p class=\"amount\" id=\"amount\" data-value=\"{v}\" \
         data-currency=\"{c}\">{a}</p>",
        v = esc(&link.amount.value),
        c = esc(&link.amount.currency),
        a = esc(&amount)
    ));
    body.push_str(&format!(
        "<p>Status: <span id=\"status\" data-status=\"{s}\">{s}</span></p>",
        s = esc(link.status.as_str())
    ));
    let payable = matches!(
        link.status,
        PaymentLinkStatus::Open | PaymentLinkStatus::Processing
    );
    if payable {
        let methods: String = link
            .potential_payment_methods
            .iter()
            .enumerate()
            .map(|(i, m)| {
                format!(
                    "<label><input type=\"radio\" name=\"payment_method\" value=\"{v}\"{c}> {v}</label><br>",
                    v = esc(m.as_str()),
                    c = if i == 0 { " checked" } else { "" }
                )
            })
            .collect();
        body.push_str(&format!(
            "<form method=\"post\" action=\"/pay/{id}\">\
             <fieldset><legend>Payment method</legend>{methods}</fieldset>\
             <label for=\"debitor_email\">Email (optional)</label><br>\
             <input type=\"email\" id=\"debitor_email\" name=\"debitor_email\" autocomplete=\"email\"><br>\
             <fieldset><legend>Simulate the outcome</legend>\
             <button type=\"submit\" name=\"outcome\" value=\"paid\" id=\"pay\">Pay {a}</button>\
             <button type=\"submit\" name=\"outcome\" value=\"failed\" id=\"fail\">Payment fails</button>\
             <button type=\"submit\" name=\"outcome\" value=\"canceled\" id=\"cancel\">Cancel payment</button>\
             <button type=\"submit\" name=\"outcome\" value=\"expired\" id=\"expire\">Let it expire</button>\
             </fieldset></form>",
            id = esc(&link.id),
            a = esc(&amount)
        ));
    } else {
        body.push_str(&format!(
            "<p id=\"closed\">{}</p>",
            status_sentence(&link.status)
        ));
    }
    page(&format!("Pay {amount}"), &body)
}

/// `GET /pay/{id}?resource_id=…`: the hosted payment page.
pub(crate) async fn pay_page(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let st = app.lock();
    let Some(r) = st.link(&id) else {
        return not_found_page();
    };
    // A wrong resource_id is a different (unknown) checkout; a missing one
    // is tolerated.
    let resource = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "resource_id")
        .map(|(_, v)| v.into_owned());
    if resource.is_some_and(|res| res != r.resource_id) {
        return not_found_page();
    }
    errors::html(StatusCode::OK, render_pay(&app, r))
}

/// `POST /pay/{id}`: the payer's choice (form: `outcome`, `payment_method`,
/// `debitor_email`).
pub(crate) async fn pay_choose(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some(outcome) = field("outcome").and_then(Outcome::parse) else {
        return errors::html(
            StatusCode::BAD_REQUEST,
            page(
                "Invalid choice",
                "<h1>Invalid choice</h1><p>Choose an outcome.</p>",
            ),
        );
    };
    let result = {
        let mut st = app.lock();
        flows::apply_outcome(
            &mut st,
            &id,
            outcome,
            field("payment_method"),
            field("debitor_email"),
        )
    };
    match result {
        Ok((link, payment, deliveries)) => {
            webhooks::spawn(&app, deliveries);
            // Qonto sends the payer back to the link's `redirect_url` once
            // they made their choice (when the link has one).
            let redirect = app.lock().link(&id).and_then(|r| r.redirect_url.clone());
            if let Some(to) = redirect.and_then(|u| HeaderValue::from_str(&u).ok()) {
                return (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
            }
            let (title, sentence) = match outcome {
                Outcome::Paid => (
                    "Payment successful",
                    "Thank you! Your payment was received.",
                ),
                Outcome::Failed => (
                    "Payment failed",
                    "Your payment was refused. Nothing was charged.",
                ),
                Outcome::Canceled => (
                    "Payment canceled",
                    "You canceled the payment. Nothing was charged.",
                ),
                Outcome::Expired => ("Payment link expired", "This payment link has expired."),
            };
            let body = format!(
                "<h1>{t}</h1><p id=\"result\" data-outcome=\"{o}\" data-payment-status=\"{ps}\" \
                 data-link-status=\"{ls}\">{s}</p>\
                 <p>Amount: <span id=\"amount\" data-value=\"{v}\">{a}</span></p>\
                 <p class=\"note\">You can close this page and return to the shop.</p>{again}",
                t = esc(title),
                o = outcome.as_str(),
                ps = esc(payment.status.as_str()),
                ls = esc(link.status.as_str()),
                s = esc(sentence),
                v = esc(&link.amount.value),
                a = esc(&display_amount(&link.amount.value, &link.amount.currency)),
                again = if link.status == PaymentLinkStatus::Open {
                    format!(
                        "<p><a href=\"{}\">Try again</a></p>",
                        esc(link.url.as_deref().unwrap_or(""))
                    )
                } else {
                    String::new()
                }
            );
            errors::html(StatusCode::OK, page(title, &body))
        }
        Err(OutcomeError::NotFound) => not_found_page(),
        Err(e @ OutcomeError::NotPayable(_)) => errors::html(
            StatusCode::CONFLICT,
            page(
                "Not payable",
                &format!(
                    "<h1>Not payable</h1><p id=\"closed\">{}</p>",
                    esc(&e.to_string())
                ),
            ),
        ),
        Err(e @ OutcomeError::BadMethod(_)) => errors::html(
            StatusCode::BAD_REQUEST,
            page(
                "Invalid payment method",
                &format!(
                    "<h1>Invalid payment method</h1><p>{}</p>",
                    esc(&e.to_string())
                ),
            ),
        ),
    }
}

/// `GET /provider/onboarding/{id}`: the provider's onboarding (KYC) page.
pub(crate) async fn onboarding_page(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Response {
    let st = app.lock();
    let Some(conn) = st.connection.as_ref().filter(|c| c.id == id) else {
        return errors::html(
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>Onboarding not found</h1>"),
        );
    };
    let body = format!(
        "<p class=\"note\">Fake Mollie onboarding</p><h1>Activate payment links</h1>\
         <p>Status: <span id=\"status\" data-status=\"{s}\">{s}</span></p>\
         <form method=\"post\" action=\"/provider/onboarding/{id}\">\
         <button type=\"submit\" id=\"complete\">Complete onboarding</button></form>",
        s = esc(conn.status.as_str()),
        id = esc(&conn.id)
    );
    errors::html(StatusCode::OK, page("Activate payment links", &body))
}

/// `POST /provider/onboarding/{id}`: onboarding done; the connection becomes
/// `enabled`, a `connection_enabled` webhook goes out, and the browser goes
/// back to `partner_callback_url`.
pub(crate) async fn onboarding_complete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Response {
    let (callback, deliveries) = {
        let mut st = app.lock();
        let Some(conn) = st.connection.as_mut().filter(|c| c.id == id) else {
            return errors::html(
                StatusCode::NOT_FOUND,
                page("Not found", "<h1>Onboarding not found</h1>"),
            );
        };
        let was_enabled = conn.status == ConnectionStatus::Enabled;
        conn.status = ConnectionStatus::Enabled;
        let callback = conn.partner_callback_url.clone();
        let deliveries = if was_enabled {
            Vec::new()
        } else {
            webhooks::connection_event(&st, "connection_enabled")
        };
        (callback, deliveries)
    };
    webhooks::spawn(&app, deliveries);
    match callback.and_then(|c| HeaderValue::from_str(&c).ok()) {
        Some(location) => {
            let mut resp = StatusCode::SEE_OTHER.into_response();
            resp.headers_mut().insert(header::LOCATION, location);
            resp
        }
        None => errors::html(
            StatusCode::OK,
            page(
                "Payment links activated",
                "<h1>Payment links activated</h1><p id=\"result\" data-status=\"enabled\">You can close this page.</p>",
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::display_amount;

    #[test]
    fn amounts_display_like_a_checkout() {
        assert_eq!(display_amount("13.30", "EUR"), "€13.30");
        assert_eq!(display_amount("77052.50", "EUR"), "€77,052.50");
        assert_eq!(display_amount("1234567.00", "EUR"), "€1,234,567.00");
        assert_eq!(display_amount("5.00", "USD"), "5.00 USD");
    }
}
