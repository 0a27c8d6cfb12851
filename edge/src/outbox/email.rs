//! The order confirmation e-mail, as pure Rust (host-tested): what the
//! shopper receives once a checkout is paid (and the merchant's copy), in
//! the shopper's language, as HTML for mail clients plus a plain-text part.
//!
//! The HTML is a table layout with inline styles only (what Gmail, Outlook
//! and Apple Mail all render), no script, no remote font or image. Every
//! text that came from the shopper (name, address) or from the checkout is
//! escaped with `shared::html::escape`; the URLs come from the merchant's
//! configuration and were checked to be http(s).

use super::texts::{texts, Lang, Texts};
use shared::api::stored::StoredOrder;
use shared::api::CheckoutLine;
use shared::html::escape;
use shared::money::{Currency, Money, WireAmount};

/// What the confirmation says about the seller (configuration).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Merchant {
    /// The business name.
    pub(crate) name: String,
    /// Its postal address, as one line.
    pub(crate) address: Option<String>,
    /// Its VAT identification number.
    pub(crate) vat_id: Option<String>,
    /// How to reach it (an address or a phone number).
    pub(crate) contact: Option<String>,
    /// The shop, for the "back to the shop" link.
    pub(crate) shop_url: Option<String>,
    /// The terms and conditions.
    pub(crate) terms_url: Option<String>,
    /// The withdrawal (cancellation) policy and form.
    pub(crate) withdrawal_url: Option<String>,
}

/// One bought line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// The product's title.
    pub(crate) title: String,
    /// Units.
    pub(crate) quantity: u32,
    /// The line's amount with VAT, in minor units.
    pub(crate) gross: i64,
}

/// Where the order is shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    /// The recipient.
    pub(crate) name: String,
    /// Street and number.
    pub(crate) line1: String,
    /// Second line.
    pub(crate) line2: Option<String>,
    /// Postal code.
    pub(crate) postal_code: String,
    /// City.
    pub(crate) city: String,
    /// ISO country code.
    pub(crate) country: String,
}

/// Everything one confirmation shows, read from the ledger's checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Confirmation {
    /// The order reference (the checkout id).
    pub(crate) reference: String,
    /// When it was paid (or created), RFC 3339.
    pub(crate) date: String,
    /// The shopper's language.
    pub(crate) lang: Lang,
    /// The currency of every amount.
    pub(crate) currency: Currency,
    /// The products.
    pub(crate) lines: Vec<Line>,
    /// Shipping with VAT; `Some(0)` when free, `None` when nothing ships.
    pub(crate) shipping: Option<i64>,
    /// The discount code and what it took off (the lines are already
    /// lowered by it).
    pub(crate) discount: Option<(String, i64)>,
    /// The total without VAT.
    pub(crate) net: i64,
    /// VAT per rate (`"20.0"`, minor units).
    pub(crate) vat_by_rate: Vec<(String, i64)>,
    /// The amount charged.
    pub(crate) total: i64,
    /// The shopper's name.
    pub(crate) customer_name: Option<String>,
    /// The shopper's e-mail address.
    pub(crate) customer_email: Option<String>,
    /// Where it ships.
    pub(crate) address: Option<Address>,
}

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    /// The shopper's confirmation.
    Shopper,
    /// The merchant's copy of a new order.
    Merchant,
}

/// A rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// The subject line.
    pub(crate) subject: String,
    /// The HTML part.
    pub(crate) html: String,
    /// The plain-text part.
    pub(crate) text: String,
}

/// The SKU of the shipping line among the stored lines.
const SHIPPING_SKU: &str = "shipping";

fn minor(w: &WireAmount, currency: Currency) -> Option<i64> {
    let m = w.to_money_signed().ok()?;
    (m.currency() == currency).then(|| m.minor())
}

fn text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

impl Confirmation {
    /// Reads a checkout as the ledger stores it: its priced `lines` (the
    /// shipping line included) and its stored `order` (customer, shipping,
    /// totals, language; `None` or an invoice's order has none of them).
    pub(crate) fn from_record(
        reference: &str,
        date: &str,
        currency: Currency,
        lines: &[CheckoutLine],
        order: Option<&StoredOrder>,
        total: i64,
    ) -> Confirmation {
        let products = lines
            .iter()
            .filter(|l| l.sku != SHIPPING_SKU)
            .map(|l| Line {
                title: text(&l.title).unwrap_or_else(|| l.sku.clone()),
                quantity: l.quantity,
                gross: minor(&l.gross, currency).unwrap_or(0),
            })
            .collect();
        let basket = match order {
            Some(StoredOrder::Basket(b)) => Some(b.as_ref()),
            Some(StoredOrder::Invoice(_)) | None => None,
        };
        let shipping = basket.and_then(|b| b.shipping.as_ref()).and_then(|s| {
            if s.free {
                Some(0)
            } else {
                minor(&s.gross, currency)
            }
        });
        let totals = basket.map(|b| &b.totals);
        let vat_by_rate = totals
            .map(|t| {
                t.vat_by_rate
                    .iter()
                    .filter_map(|r| Some((text(&r.rate)?, minor(&r.vat, currency)?)))
                    .collect()
            })
            .unwrap_or_default();
        let customer = basket.and_then(|b| b.customer.as_ref());
        let address = customer.and_then(|c| {
            c.address.as_ref().map(|a| Address {
                name: text(&c.name).unwrap_or_default(),
                line1: text(&a.line1).unwrap_or_default(),
                line2: a.line2.as_deref().and_then(text),
                postal_code: text(&a.postal_code).unwrap_or_default(),
                city: text(&a.city).unwrap_or_default(),
                country: text(&a.country).unwrap_or_default(),
            })
        });
        Confirmation {
            reference: reference.to_owned(),
            date: date.to_owned(),
            lang: basket
                .and_then(|b| b.language.as_deref())
                .and_then(Lang::from_tag)
                .unwrap_or(Lang::En),
            currency,
            lines: products,
            shipping,
            discount: basket
                .and_then(|b| b.discount.as_ref())
                .and_then(|d| Some((d.code.clone(), minor(&d.amount, currency)?))),
            net: totals.and_then(|t| minor(&t.net, currency)).unwrap_or(0),
            vat_by_rate,
            total,
            customer_name: customer.and_then(|c| text(&c.name)),
            customer_email: customer.and_then(|c| text(&c.email)),
            address,
        }
    }
}

/// `1234567` cents → `12,345.67` with the language's separators, then the
/// currency where the language puts it (`€12.50`, `12,50 €`, `€ 12,50`).
pub(crate) fn money(minor: i64, currency: Currency, lang: Lang) -> String {
    let m = Money::new(minor.abs(), currency);
    let decimal = m.to_decimal();
    let (units, cents) = decimal.split_once('.').unwrap_or((decimal.as_str(), ""));
    let (group, point) = match lang {
        Lang::En => (',', '.'),
        Lang::Fr => ('\u{202f}', ','),
        Lang::De | Lang::It | Lang::Es | Lang::Nl => ('.', ','),
    };
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let number = if cents.is_empty() {
        grouped
    } else {
        format!("{grouped}{point}{cents}")
    };
    let symbol = match currency.as_str() {
        "EUR" => "€",
        other => other,
    };
    let sign = if minor < 0 { "-" } else { "" };
    match lang {
        Lang::En => format!("{sign}{symbol}{number}"),
        Lang::Nl => format!("{sign}{symbol}\u{a0}{number}"),
        _ => format!("{sign}{number}\u{a0}{symbol}"),
    }
}

/// `"20.0"` → `20 %` (`20%` in English); `"5.5"` → `5,5 %`.
pub(crate) fn rate(raw: &str, lang: Lang) -> String {
    let trimmed = if raw.contains('.') {
        raw.trim_end_matches('0').trim_end_matches('.')
    } else {
        raw
    };
    match lang {
        Lang::En => format!("{trimmed}%"),
        _ => format!("{}\u{a0}%", trimmed.replace('.', ",")),
    }
}

/// `2026-03-07T10:00:00Z` → `7 March 2026` in the language.
pub(crate) fn date(rfc3339: &str, t: &Texts) -> String {
    let day = |s: &str| s.parse::<u32>().ok();
    let parts: Vec<&str> = rfc3339.get(..10).unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [y, m, d] => match (day(m), day(d)) {
            (Some(m @ 1..=12), Some(d)) => {
                let month = t.months[(m - 1) as usize];
                t.date
                    .replace("{d}", &d.to_string())
                    .replace("{m}", month)
                    .replace("{y}", y)
            }
            _ => rfc3339.to_owned(),
        },
        _ => rfc3339.to_owned(),
    }
}

/// The subject line: "Order confirmation <reference>" in the language
/// (the merchant's copy: "New order <reference>").
pub(crate) fn subject(c: &Confirmation, audience: Audience) -> String {
    let t = texts(c.lang);
    match audience {
        Audience::Shopper => format!("{} {}", t.subject, c.reference),
        Audience::Merchant => format!("{} {}", t.merchant_subject, c.reference),
    }
}

/// The rows of the totals table: (label, amount), in order.
fn totals(c: &Confirmation, t: &Texts) -> Vec<(String, String)> {
    let m = |minor| money(minor, c.currency, c.lang);
    let mut rows = Vec::new();
    if let Some((code, off)) = &c.discount {
        rows.push((
            format!("{} {code}", t.discount),
            format!("\u{2212}{}", m(*off)),
        ));
    }
    if let Some(s) = c.shipping {
        rows.push((
            t.shipping.to_owned(),
            if s == 0 { t.free.to_owned() } else { m(s) },
        ));
    }
    rows.push((t.net.to_owned(), m(c.net)));
    for (r, vat) in &c.vat_by_rate {
        rows.push((format!("{} {}", t.vat, rate(r, c.lang)), m(*vat)));
    }
    rows
}

/// The seller's block: name, address, VAT id, contact.
fn seller(m: &Merchant, t: &Texts) -> Vec<String> {
    let mut rows = vec![m.name.clone()];
    rows.extend(m.address.clone());
    if let Some(v) = &m.vat_id {
        rows.push(format!("{}: {v}", t.vat_id));
    }
    if let Some(c) = &m.contact {
        rows.push(format!("{}: {c}", t.contact));
    }
    rows
}

fn address_lines(a: &Address) -> Vec<String> {
    let mut rows = vec![a.name.clone(), a.line1.clone()];
    rows.extend(a.line2.clone());
    rows.push(format!("{} {}", a.postal_code, a.city).trim().to_owned());
    rows.push(a.country.clone());
    rows.into_iter().filter(|r| !r.is_empty()).collect()
}

fn links<'a>(m: &'a Merchant, t: &Texts) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    if let Some(u) = &m.terms_url {
        out.push((t.terms.to_owned(), u.as_str()));
    }
    if let Some(u) = &m.withdrawal_url {
        out.push((t.withdrawal.to_owned(), u.as_str()));
    }
    if let Some(u) = &m.shop_url {
        out.push((t.back.to_owned(), u.as_str()));
    }
    out
}

/// Renders the e-mail.
pub(crate) fn render(c: &Confirmation, m: &Merchant, audience: Audience) -> Rendered {
    let t = texts(c.lang);
    let subject = subject(c, audience);
    Rendered {
        html: html(c, m, audience, t, &subject),
        text: plain(c, m, audience, t, &subject),
        subject,
    }
}

fn greeting(c: &Confirmation, audience: Audience, t: &Texts) -> (String, String) {
    match audience {
        Audience::Shopper => (
            match &c.customer_name {
                Some(n) => t.hello.replace("{name}", n),
                None => t.hello_anonymous.to_owned(),
            },
            t.intro.to_owned(),
        ),
        Audience::Merchant => (t.merchant_intro.to_owned(), String::new()),
    }
}

fn plain(c: &Confirmation, m: &Merchant, audience: Audience, t: &Texts, subject: &str) -> String {
    let money = |minor| money(minor, c.currency, c.lang);
    let mut out = vec![
        m.name.clone(),
        String::new(),
        subject.to_owned(),
        String::new(),
    ];
    let (hello, intro) = greeting(c, audience, t);
    out.push(hello);
    if !intro.is_empty() {
        out.push(intro);
    }
    out.push(String::new());
    out.push(format!("{}: {}", t.reference, c.reference));
    out.push(format!("{}: {}", t.date_label, date(&c.date, t)));
    if audience == Audience::Merchant {
        if let Some(e) = &c.customer_email {
            out.push(format!("{}: {e}", t.customer));
        }
    }
    out.push(String::new());
    for l in &c.lines {
        out.push(format!("{} × {} — {}", l.quantity, l.title, money(l.gross)));
    }
    out.push(String::new());
    for (label, amount) in totals(c, t) {
        out.push(format!("{label}: {amount}"));
    }
    out.push(format!("{}: {}", t.total, money(c.total)));
    if let Some(a) = &c.address {
        out.push(String::new());
        out.push(format!("{}:", t.ship_to));
        out.extend(address_lines(a).into_iter().map(|l| format!("  {l}")));
    }
    out.push(String::new());
    out.push(format!("{}:", t.seller));
    out.extend(seller(m, t).into_iter().map(|l| format!("  {l}")));
    let links = links(m, t);
    if !links.is_empty() {
        out.push(String::new());
        for (label, url) in links {
            out.push(format!("{label}: {url}"));
        }
    }
    if audience == Audience::Shopper {
        out.push(String::new());
        out.push(t.keep.to_owned());
    }
    out.push(String::new());
    out.join("\n")
}

const FONT: &str = "font-family:Arial,Helvetica,sans-serif;";
const CELL: &str = "padding:8px 0;border-bottom:1px solid #e5e7eb;";

fn html(c: &Confirmation, m: &Merchant, audience: Audience, t: &Texts, subject: &str) -> String {
    let e = |s: &str| escape(s);
    let money = |minor| e(&money(minor, c.currency, c.lang));
    let mut h = String::with_capacity(8 * 1024);
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\n\
         <body style=\"margin:0;padding:0;background:#f3f4f6;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"background:#f3f4f6;\"><tr><td align=\"center\" style=\"padding:24px 12px;\">\n\
         <table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"width:100%;max-width:600px;background:#ffffff;border:1px solid #e5e7eb;{FONT}\
         color:#111827;font-size:15px;line-height:1.5;\">\n",
        lang = c.lang.code(),
        title = e(subject),
    ));
    // Header: the seller.
    h.push_str(&format!(
        "<tr><td style=\"padding:20px 28px;background:#111827;color:#ffffff;font-size:18px;\
         font-weight:bold;{FONT}\">{}</td></tr>\n",
        e(&m.name)
    ));
    let (hello, intro) = greeting(c, audience, t);
    h.push_str(&format!(
        "<tr><td style=\"padding:24px 28px 8px;{FONT}\">\
         <h1 style=\"margin:0 0 12px;font-size:20px;{FONT}\">{}</h1>\
         <p style=\"margin:0 0 8px;\">{}</p>{}</td></tr>\n",
        e(subject),
        e(&hello),
        if intro.is_empty() {
            String::new()
        } else {
            format!("<p style=\"margin:0 0 8px;\">{}</p>", e(&intro))
        }
    ));
    // Reference and date.
    let mut facts = vec![
        (t.reference, c.reference.clone()),
        (t.date_label, date(&c.date, t)),
    ];
    if audience == Audience::Merchant {
        if let Some(mail) = &c.customer_email {
            facts.push((t.customer, mail.clone()));
        }
    }
    h.push_str(&format!(
        "<tr><td style=\"padding:8px 28px;\"><table role=\"presentation\" width=\"100%\" \
         cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"{FONT}font-size:14px;\">"
    ));
    for (label, value) in facts {
        h.push_str(&format!(
            "<tr><td style=\"padding:2px 0;color:#6b7280;width:45%;\">{}</td>\
             <td style=\"padding:2px 0;font-weight:bold;\">{}</td></tr>",
            e(label),
            e(&value)
        ));
    }
    h.push_str("</table></td></tr>\n");
    // Lines.
    h.push_str(&format!(
        "<tr><td style=\"padding:16px 28px 0;\"><table role=\"presentation\" width=\"100%\" \
         cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"{FONT}font-size:14px;\">\
         <tr><th align=\"left\" style=\"{CELL}color:#6b7280;font-weight:normal;\">{}</th>\
         <th align=\"center\" style=\"{CELL}color:#6b7280;font-weight:normal;\">{}</th>\
         <th align=\"right\" style=\"{CELL}color:#6b7280;font-weight:normal;\">{}</th></tr>",
        e(t.item),
        e(t.quantity),
        e(t.amount)
    ));
    for l in &c.lines {
        h.push_str(&format!(
            "<tr><td style=\"{CELL}\">{}</td><td align=\"center\" style=\"{CELL}\">{}</td>\
             <td align=\"right\" style=\"{CELL}white-space:nowrap;\">{}</td></tr>",
            e(&l.title),
            l.quantity,
            money(l.gross)
        ));
    }
    h.push_str("</table></td></tr>\n");
    // Totals.
    h.push_str(&format!(
        "<tr><td style=\"padding:8px 28px 0;\"><table role=\"presentation\" width=\"100%\" \
         cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"{FONT}font-size:14px;\">"
    ));
    for (label, amount) in totals(c, t) {
        h.push_str(&format!(
            "<tr><td align=\"right\" style=\"padding:3px 12px 3px 0;color:#374151;\">{}</td>\
             <td align=\"right\" style=\"padding:3px 0;white-space:nowrap;width:120px;\">{}</td></tr>",
            e(&label),
            e(&amount)
        ));
    }
    h.push_str(&format!(
        "<tr><td align=\"right\" style=\"padding:8px 12px 3px 0;font-weight:bold;font-size:16px;\
         border-top:2px solid #111827;\">{}</td><td align=\"right\" style=\"padding:8px 0 3px;\
         font-weight:bold;font-size:16px;white-space:nowrap;border-top:2px solid #111827;\">{}</td></tr>\
         </table></td></tr>\n",
        e(t.total),
        money(c.total)
    ));
    // Shipping address and seller, side by side (stacked on narrow screens
    // by clients that honour max-width; readable either way).
    let block = |title: &str, rows: Vec<String>| -> String {
        format!(
            "<td valign=\"top\" width=\"50%\" style=\"padding:0 12px 0 0;{FONT}font-size:14px;\">\
             <p style=\"margin:0 0 4px;color:#6b7280;\">{}</p><p style=\"margin:0;\">{}</p></td>",
            e(title),
            rows.iter().map(|r| e(r)).collect::<Vec<_>>().join("<br>")
        )
    };
    h.push_str(
        "<tr><td style=\"padding:24px 28px 0;\"><table role=\"presentation\" width=\"100%\" \
         cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>",
    );
    if let Some(a) = &c.address {
        h.push_str(&block(t.ship_to, address_lines(a)));
    }
    h.push_str(&block(t.seller, seller(m, t)));
    h.push_str("</tr></table></td></tr>\n");
    // Links.
    let links = links(m, t);
    if !links.is_empty() {
        h.push_str(&format!(
            "<tr><td style=\"padding:24px 28px 0;{FONT}font-size:14px;\">{}</td></tr>\n",
            links
                .iter()
                .map(|(label, url)| format!(
                    "<a href=\"{}\" style=\"color:#1d4ed8;text-decoration:underline;\">{}</a>",
                    e(url),
                    e(label)
                ))
                .collect::<Vec<_>>()
                .join(" &nbsp;·&nbsp; ")
        ));
    }
    if audience == Audience::Shopper {
        h.push_str(&format!(
            "<tr><td style=\"padding:24px 28px 0;color:#6b7280;font-size:13px;{FONT}\">{}</td></tr>\n",
            e(t.keep)
        ));
    }
    h.push_str(
        "<tr><td style=\"padding:0 0 24px;\">&nbsp;</td></tr>\n</table>\n</td></tr></table>\n</body></html>\n",
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn merchant() -> Merchant {
        Merchant {
            name: "Café Lune SARL".into(),
            address: Some("12 rue des Lilas, 69001 Lyon, France".into()),
            vat_id: Some("FR12345678901".into()),
            contact: Some("hello@lune.example".into()),
            shop_url: Some("https://lune.example/".into()),
            terms_url: Some("https://lune.example/terms".into()),
            withdrawal_url: None,
        }
    }

    /// The ledger's shape of a checkout: 2 mugs (12.50 + 20 %) and one
    /// bag of coffee (10.99 + 5.5 %) shipped to France (4.90 + 20 %).
    fn record(name: &str, language: &str) -> (Vec<CheckoutLine>, StoredOrder) {
        let (lines, order) = record_json(name, language);
        (
            serde_json::from_value(lines).unwrap(),
            serde_json::from_value(order).unwrap(),
        )
    }

    fn record_json(name: &str, language: &str) -> (Value, Value) {
        let w = |v: &str| json!({"value": v, "currency": "EUR"});
        let lines = json!([
            {"sku": "mug", "title": "Enamel camping mug", "quantity": 2, "unit_price": w("12.50"),
             "vat_rate": "20.0", "net": w("25.00"), "vat": w("5.00"), "gross": w("30.00")},
            {"sku": "coffee-250", "title": "Coffee beans, 250 g", "quantity": 1,
             "unit_price": w("10.99"), "vat_rate": "5.5", "net": w("10.99"), "vat": w("0.60"), "gross": w("11.59")},
            {"sku": "shipping", "title": "Shipping (France)", "quantity": 1, "unit_price": w("4.90"),
             "vat_rate": "20.0", "net": w("4.90"), "vat": w("0.98"), "gross": w("5.88")},
        ]);
        let order = json!({
            "language": language,
            "customer": {"email": "ana@example.com", "name": name,
                "address": {"line1": "1 rue de la Paix", "postal_code": "75002", "city": "Paris", "country": "FR"}},
            "shipping": {"zone": "France", "country": "FR", "free": false, "net": w("4.90"), "vat": w("0.98"), "gross": w("5.88")},
            "totals": {"net": w("40.89"), "vat": w("6.58"), "gross": w("47.47"),
                "vat_by_rate": [{"rate": "5.5", "vat": w("0.60")}, {"rate": "20.0", "vat": w("5.98")}]},
        });
        (lines, order)
    }

    fn confirmation(name: &str, language: &str) -> Confirmation {
        let (lines, order) = record(name, language);
        Confirmation::from_record(
            "ck_0123456789abcdef01234567",
            "2026-03-07T10:00:00.000Z",
            Currency::EUR,
            &lines,
            Some(&order),
            4747,
        )
    }

    #[test]
    fn the_record_is_read_whole() {
        let c = confirmation("Ana Lopes", "fr-BE");
        assert_eq!(c.lang, Lang::Fr);
        assert_eq!(
            c.lines,
            [
                Line {
                    title: "Enamel camping mug".into(),
                    quantity: 2,
                    gross: 3000
                },
                Line {
                    title: "Coffee beans, 250 g".into(),
                    quantity: 1,
                    gross: 1159
                },
            ]
        );
        assert_eq!(c.shipping, Some(588));
        assert_eq!(c.net, 4089);
        assert_eq!(
            c.vat_by_rate,
            [("5.5".to_owned(), 60), ("20.0".to_owned(), 598)]
        );
        assert_eq!(c.address.as_ref().map(|a| a.city.as_str()), Some("Paris"));
        // No language stored (older checkouts) or an unknown one: English.
        let (lines, mut order) = record("A", "pt");
        assert_eq!(
            Confirmation::from_record("r", "d", Currency::EUR, &lines, Some(&order), 1).lang,
            Lang::En
        );
        if let StoredOrder::Basket(b) = &mut order {
            b.language = None;
        }
        assert_eq!(
            Confirmation::from_record("r", "d", Currency::EUR, &lines, Some(&order), 1).lang,
            Lang::En
        );
        // No order at all (none stored): the lines and the total, in English.
        let bare = Confirmation::from_record("r", "d", Currency::EUR, &lines, None, 4747);
        assert_eq!(
            (bare.lang, bare.lines.len(), bare.shipping),
            (Lang::En, 2, None)
        );
        assert_eq!(bare.customer_email, None);
    }

    #[test]
    fn a_discount_code_is_a_row_of_the_totals() {
        let (lines, order) = record("Ana", "de");
        let mut order = serde_json::to_value(&order).unwrap();
        order["discount"] =
            serde_json::json!({"code": "SUMMER10", "amount": {"value": "4.79", "currency": "EUR"}});
        let order = StoredOrder::from_json(&order.to_string()).unwrap();
        let c = Confirmation::from_record("r", "d", Currency::EUR, &lines, Some(&order), 4747);
        assert_eq!(c.discount, Some(("SUMMER10".to_owned(), 479)));
        let r = render(&c, &merchant(), Audience::Shopper);
        assert!(
            r.text.contains("Rabattcode SUMMER10: \u{2212}4,79\u{a0}€"),
            "{}",
            r.text
        );
        assert!(r.html.contains("Rabattcode SUMMER10"), "{}", r.html);
        // None without one.
        assert_eq!(confirmation("Ana", "en").discount, None);
    }

    #[test]
    fn money_in_each_language() {
        let cases = [
            (Lang::En, 4747, "€47.47"),
            (Lang::En, 123456789, "€1,234,567.89"),
            (Lang::Fr, 123456, "1\u{202f}234,56\u{a0}€"),
            (Lang::De, 123456, "1.234,56\u{a0}€"),
            (Lang::It, 5, "0,05\u{a0}€"),
            (Lang::Es, 100000, "1.000,00\u{a0}€"),
            (Lang::Nl, 4747, "€\u{a0}47,47"),
            (Lang::En, -500, "-€5.00"),
        ];
        for (lang, minor, want) in cases {
            assert_eq!(money(minor, Currency::EUR, lang), want, "{lang:?} {minor}");
        }
        assert_eq!(rate("20.0", Lang::En), "20%");
        assert_eq!(rate("5.5", Lang::De), "5,5\u{a0}%");
        assert_eq!(rate("10", Lang::Fr), "10\u{a0}%");
    }

    #[test]
    fn subjects_and_dates_in_six_languages() {
        let cases = [
            (
                "en",
                "Order confirmation ck_0123456789abcdef01234567",
                "7 March 2026",
            ),
            (
                "fr",
                "Confirmation de commande ck_0123456789abcdef01234567",
                "7 mars 2026",
            ),
            (
                "de",
                "Bestellbestätigung ck_0123456789abcdef01234567",
                "7. März 2026",
            ),
            (
                "it",
                "Conferma d'ordine ck_0123456789abcdef01234567",
                "7 marzo 2026",
            ),
            (
                "es",
                "Confirmación de pedido ck_0123456789abcdef01234567",
                "7 de marzo de 2026",
            ),
            (
                "nl",
                "Orderbevestiging ck_0123456789abcdef01234567",
                "7 maart 2026",
            ),
        ];
        for (lang, want_subject, want_date) in cases {
            let c = confirmation("Ana", lang);
            let r = render(&c, &merchant(), Audience::Shopper);
            assert_eq!(r.subject, want_subject);
            assert!(r.text.contains(want_date), "{lang}: {}", r.text);
            assert!(
                r.html.contains(&format!("<html lang=\"{lang}\">")),
                "{lang}"
            );
        }
    }

    #[test]
    fn the_text_part_has_every_amount_line_and_address() {
        let r = render(
            &confirmation("Ana Lopes", "en"),
            &merchant(),
            Audience::Shopper,
        );
        for needle in [
            "Hello Ana Lopes,",
            "Order reference: ck_0123456789abcdef01234567",
            "Order date: 7 March 2026",
            "2 × Enamel camping mug — €30.00",
            "1 × Coffee beans, 250 g — €11.59",
            "Shipping: €5.88",
            "Total excl. VAT: €40.89",
            "VAT 5.5%: €0.60",
            "VAT 20%: €5.98",
            "Total charged: €47.47",
            "  1 rue de la Paix\n  75002 Paris\n  FR",
            "  Café Lune SARL\n  12 rue des Lilas, 69001 Lyon, France\n  VAT number: FR12345678901\n  Contact: hello@lune.example",
            "Terms and conditions: https://lune.example/terms",
            "Back to the shop: https://lune.example/",
        ] {
            assert!(r.text.contains(needle), "missing {needle:?} in\n{}", r.text);
        }
        assert!(!r.text.contains("withdrawal"));
    }

    #[test]
    fn free_shipping_is_shown() {
        let (lines, mut order) = record_json("Ana", "de");
        order["shipping"]["free"] = json!(true);
        let (lines, order): (Vec<CheckoutLine>, StoredOrder) = (
            serde_json::from_value(lines).unwrap(),
            serde_json::from_value(order).unwrap(),
        );
        let c =
            Confirmation::from_record("r", "2026-01-02", Currency::EUR, &lines, Some(&order), 4159);
        let r = render(&c, &merchant(), Audience::Shopper);
        assert!(r.text.contains("Versand: kostenlos"), "{}", r.text);
        assert!(r.text.contains("Gesamtbetrag: 41,59\u{a0}€"), "{}", r.text);
    }

    #[test]
    fn shopper_text_is_escaped_in_the_html() {
        let c = confirmation("<script>alert('x')</script> & Co", "en");
        let r = render(&c, &merchant(), Audience::Shopper);
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(r
            .html
            .contains("Hello &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co,"));
        // The plain-text part is text: shown as typed.
        assert!(r.text.contains("Hello <script>alert('x')</script> & Co,"));
    }

    #[test]
    fn the_html_is_for_mail_clients() {
        let r = render(&confirmation("Ana", "it"), &merchant(), Audience::Shopper);
        let lower = r.html.to_lowercase();
        for banned in [
            "<script", "<link", "<style", "@import", "<img", "url(", "class=",
        ] {
            assert!(!lower.contains(banned), "{banned}");
        }
        assert!(lower.contains("<table role=\"presentation\""));
        assert!(lower.contains("<a href=\"https://lune.example/terms\""));
        assert!(r.html.contains("47,47\u{a0}€"));
    }

    #[test]
    fn the_merchant_copy_names_the_customer() {
        let r = render(&confirmation("Ana", "nl"), &merchant(), Audience::Merchant);
        assert_eq!(r.subject, "Nieuwe bestelling ck_0123456789abcdef01234567");
        assert!(r.text.contains("Klant: ana@example.com"), "{}", r.text);
        assert!(!r.text.contains("Hallo Ana"));
    }
}
