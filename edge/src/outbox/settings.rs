//! The e-mail part of the configuration: who sends (`EMAIL_FROM`), whether
//! the shopper gets a confirmation (`SHOPPER_EMAIL`), where the merchant's
//! copy goes (`ORDER_EMAIL_TO`) and the merchant's identity printed in every
//! confirmation (`MERCHANT_NAME`, `MERCHANT_ADDRESS`, `MERCHANT_VAT_ID`,
//! `MERCHANT_CONTACT`, `SHOP_URL`, `TERMS_URL`, `WITHDRAWAL_URL`), and the
//! language of the merchant's copy (`MERCHANT_LANGUAGE`).
//!
//! Read from the same lookup as the rest of the configuration and checked
//! the same way: problems are sentences for `/health`, never a panic.

use super::email::Merchant;
use super::texts::Lang;

/// An e-mail address with an optional display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mailbox {
    /// `orders@shop.example`.
    pub(crate) email: String,
    /// `Shop Name`.
    pub(crate) name: Option<String>,
}

/// The e-mail settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EmailSettings {
    /// The sender; required once any e-mail is on.
    pub(crate) from: Option<Mailbox>,
    /// `SHOPPER_EMAIL=on`: every paid checkout with a shopper's address
    /// gets an order confirmation.
    pub(crate) shopper: bool,
    /// A copy of each new order to this address.
    pub(crate) order_copy_to: Option<String>,
    /// What the confirmation says about the seller.
    pub(crate) merchant: Merchant,
    /// The language of the merchant's copy (`MERCHANT_LANGUAGE`, English
    /// by default).
    pub(crate) merchant_lang: Lang,
    /// Tests only (`EMAIL_TEST_FAIL_FIRST_TO`): the first attempt of each
    /// e-mail to this address fails before it reaches the binding, as when
    /// the Email Service refuses a recipient, so the cron's retry can be
    /// shown; reported at `/health` whenever set.
    pub(crate) test_fail_first_to: Option<String>,
    /// Problems, as sentences.
    pub(crate) problems: Vec<String>,
}

impl EmailSettings {
    /// Whether any e-mail is sent at all.
    pub(crate) fn any_on(&self) -> bool {
        self.shopper || self.order_copy_to.is_some()
    }

    /// Reads and checks the settings.
    pub(crate) fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> EmailSettings {
        let mut problems = Vec::new();
        let shopper = match get("SHOPPER_EMAIL").as_deref() {
            None | Some("off") => false,
            Some("on") => true,
            Some(other) => {
                problems.push(format!(
                    "SHOPPER_EMAIL is \"{other}\"; it must be \"on\" or \"off\""
                ));
                false
            }
        };
        let from = get("EMAIL_FROM").and_then(|raw| match parse_mailbox(&raw) {
            Some(m) => Some(m),
            None => {
                problems.push(format!(
                    "EMAIL_FROM is \"{raw}\"; it must be an address such as \
                     \"Shop name <orders@shop.example>\" or \"orders@shop.example\""
                ));
                None
            }
        });
        let order_copy_to = get("ORDER_EMAIL_TO").and_then(|raw| {
            if is_address(&raw) {
                Some(raw)
            } else {
                problems.push(format!(
                    "ORDER_EMAIL_TO is \"{raw}\"; it must be one e-mail address"
                ));
                None
            }
        });
        let any_on = shopper || order_copy_to.is_some();
        if any_on && from.is_none() && get("EMAIL_FROM").is_none() {
            problems.push(
                "EMAIL_FROM is not set, so no order confirmation can be sent; set it to the \
                 address of your onboarded sending domain (e.g. \"Shop name <orders@shop.example>\")"
                    .to_owned(),
            );
        }
        let mut url = |name: &str| -> Option<String> {
            let u = get(name)?;
            if u.starts_with("https://") || u.starts_with("http://") {
                Some(u)
            } else {
                problems.push(format!("{name} is \"{u}\"; it must be an http(s) URL"));
                None
            }
        };
        let shop_url = url("SHOP_URL");
        let terms_url = url("TERMS_URL");
        let withdrawal_url = url("WITHDRAWAL_URL");
        let name = get("MERCHANT_NAME")
            .or_else(|| from.as_ref().and_then(|f| f.name.clone()))
            .unwrap_or_default();
        let contact = get("MERCHANT_CONTACT").or_else(|| from.as_ref().map(|f| f.email.clone()));
        let merchant = Merchant {
            name,
            address: get("MERCHANT_ADDRESS"),
            vat_id: get("MERCHANT_VAT_ID"),
            contact,
            shop_url,
            terms_url,
            withdrawal_url,
        };
        let merchant_lang = match get("MERCHANT_LANGUAGE") {
            None => Lang::En,
            Some(tag) => Lang::from_tag(&tag).unwrap_or_else(|| {
                problems.push(format!(
                    "MERCHANT_LANGUAGE is \"{tag}\"; it must be one of en, fr, de, it, es, nl"
                ));
                Lang::En
            }),
        };
        let test_fail_first_to = get("EMAIL_TEST_FAIL_FIRST_TO");
        if let Some(to) = &test_fail_first_to {
            problems.push(format!(
                "EMAIL_TEST_FAIL_FIRST_TO is \"{to}\": the first attempt of each e-mail to it \
                 fails on purpose; this is for tests only, remove it"
            ));
        }
        EmailSettings {
            from,
            shopper,
            order_copy_to,
            merchant,
            merchant_lang,
            test_fail_first_to,
            problems,
        }
    }
}

/// `a@b.example` with nothing else: one `@`, something either side, a dot
/// in the domain, no spaces or angle brackets.
pub(crate) fn is_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | '"'))
        && !domain.contains('@')
}

/// `Shop <orders@shop.example>` or `orders@shop.example`.
fn parse_mailbox(raw: &str) -> Option<Mailbox> {
    let raw = raw.trim();
    if let Some((name, rest)) = raw.split_once('<') {
        let email = rest.strip_suffix('>')?.trim();
        let name = name.trim().trim_matches('"').trim();
        return is_address(email).then(|| Mailbox {
            email: email.to_owned(),
            name: (!name.is_empty()).then(|| name.to_owned()),
        });
    }
    is_address(raw).then(|| Mailbox {
        email: raw.to_owned(),
        name: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> EmailSettings {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EmailSettings::from_lookup(&move |k: &str| map.get(k).cloned())
    }

    #[test]
    fn mailboxes() {
        type Case<'a> = (&'a str, Option<(&'a str, Option<&'a str>)>);
        let cases: &[Case] = &[
            ("orders@shop.example", Some(("orders@shop.example", None))),
            (
                "Café Lune <orders@shop.example>",
                Some(("orders@shop.example", Some("Café Lune"))),
            ),
            (
                "\"Lune, SARL\" <a@b.fr>",
                Some(("a@b.fr", Some("Lune, SARL"))),
            ),
            ("<a@b.fr>", Some(("a@b.fr", None))),
            ("Lune <a@b.fr", None),
            ("orders", None),
            ("a@b", None),
            ("a b@c.fr", None),
            ("@c.fr", None),
            ("a@@c.fr", None),
        ];
        for (raw, want) in cases {
            let got = parse_mailbox(raw);
            let got = got.as_ref().map(|m| (m.email.as_str(), m.name.as_deref()));
            assert_eq!(got, *want, "{raw}");
        }
    }

    #[test]
    fn nothing_is_on_by_default_and_nothing_is_a_problem() {
        let s = settings(&[]);
        assert!(!s.any_on());
        assert!(s.problems.is_empty(), "{:?}", s.problems);
    }

    #[test]
    fn e_mails_on_without_a_sender_is_a_named_problem() {
        for pairs in [
            &[("SHOPPER_EMAIL", "on")][..],
            &[("ORDER_EMAIL_TO", "owner@shop.example")][..],
        ] {
            let s = settings(pairs);
            assert!(s.any_on());
            assert!(
                s.problems
                    .iter()
                    .any(|p| p.starts_with("EMAIL_FROM is not set")),
                "{pairs:?}: {:?}",
                s.problems
            );
        }
        let s = settings(&[("SHOPPER_EMAIL", "yes")]);
        assert!(!s.shopper);
        assert!(s.problems[0].contains("SHOPPER_EMAIL is \"yes\""));
        let s = settings(&[("SHOPPER_EMAIL", "on"), ("EMAIL_FROM", "nope")]);
        assert!(
            s.problems
                .iter()
                .any(|p| p.starts_with("EMAIL_FROM is \"nope\"")),
            "{:?}",
            s.problems
        );
        assert!(!s.problems.iter().any(|p| p.contains("not set")));
    }

    #[test]
    fn the_merchant_identity_falls_back_to_the_sender() {
        let s = settings(&[
            ("SHOPPER_EMAIL", "on"),
            ("EMAIL_FROM", "Café Lune <orders@lune.example>"),
            ("TERMS_URL", "ftp://x"),
        ]);
        assert_eq!(s.merchant.name, "Café Lune");
        assert_eq!(s.merchant.contact.as_deref(), Some("orders@lune.example"));
        assert_eq!(s.merchant.terms_url, None);
        assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
        assert!(s.problems[0].starts_with("TERMS_URL"));
        let s = settings(&[
            ("SHOPPER_EMAIL", "on"),
            ("EMAIL_FROM", "orders@lune.example"),
            ("MERCHANT_NAME", "Lune SARL"),
            ("MERCHANT_CONTACT", "+33 1 23 45 67 89"),
            ("EMAIL_TEST_FAIL_FIRST_TO", "refused@example.com"),
            ("MERCHANT_LANGUAGE", "fr-FR"),
        ]);
        assert_eq!(s.merchant.name, "Lune SARL");
        assert_eq!(s.merchant.contact.as_deref(), Some("+33 1 23 45 67 89"));
        assert_eq!(s.test_fail_first_to.as_deref(), Some("refused@example.com"));
        assert_eq!(s.merchant_lang, Lang::Fr);
        assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
        assert!(s.problems[0].contains("tests only"), "{:?}", s.problems);
        let s = settings(&[("MERCHANT_LANGUAGE", "pt")]);
        assert!(
            s.problems[0].starts_with("MERCHANT_LANGUAGE"),
            "{:?}",
            s.problems
        );
    }
}
