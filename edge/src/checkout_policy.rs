//! The details step's configuration: the shop's legal pages (`TERMS_URL`,
//! `WITHDRAWAL_URL`, `PRIVACY_URL`) and whether it takes business buyers
//! (`BUSINESS_BUYERS`), read once with the rest of the configuration into a
//! [`CheckoutPolicy`] that every basket checkout is checked against.

use crate::config::Environment;
use shared::api::CheckoutPolicy;

/// Longest legal page URL accepted, in bytes (it is stored with each order).
const MAX_URL_BYTES: usize = 2048;

/// Reads the policy; a wrong value is a configuration problem and reads as
/// unset (a shop whose `TERMS_URL` is broken then shows no terms rather
/// than a broken link: the problem is on `/admin/status` and in the log).
pub(crate) fn from_lookup(
    get: &dyn Fn(&str) -> Option<String>,
    environment: Environment,
    problems: &mut Vec<String>,
) -> CheckoutPolicy {
    let mut page = |name: &str| -> Option<String> {
        // Empty is unset (wrangler.toml lists them empty).
        let url = get(name)?.trim().to_owned();
        if url.is_empty() {
            return None;
        }
        let https = url.starts_with("https://");
        let http = url.starts_with("http://");
        let rest = url.split_once("://").map_or("", |(_, r)| r);
        if url.len() > MAX_URL_BYTES
            || !(https || http)
            || rest.is_empty()
            || rest.starts_with('/')
            || url.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            problems.push(format!(
                "{name} is \"{url}\"; it must be an absolute https:// URL of at most {MAX_URL_BYTES} bytes"
            ));
            return None;
        }
        if http && environment == Environment::Production {
            problems.push(format!(
                "{name} is \"{url}\"; shoppers' legal pages must be https:// in production"
            ));
            return None;
        }
        Some(url)
    };
    let terms_url = page("TERMS_URL");
    let withdrawal_url = page("WITHDRAWAL_URL");
    let privacy_url = page("PRIVACY_URL");
    let unset = |name: &str| get(name).is_none_or(|v| v.trim().is_empty());
    if terms_url.is_none()
        && (withdrawal_url.is_some() || privacy_url.is_some())
        && unset("TERMS_URL")
    {
        problems.push(
            "WITHDRAWAL_URL or PRIVACY_URL is set without TERMS_URL: the details step shows them \
             with the terms to accept; set TERMS_URL too"
                .to_owned(),
        );
    }
    let business_buyers = match get("BUSINESS_BUYERS").as_deref().map(str::trim) {
        None | Some("off" | "") => false,
        Some("on") => true,
        Some(other) => {
            problems.push(format!(
                "BUSINESS_BUYERS is \"{other}\"; it must be \"on\" or \"off\""
            ));
            false
        }
    };
    CheckoutPolicy {
        terms_url,
        withdrawal_url,
        privacy_url,
        business_buyers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)], environment: Environment) -> (CheckoutPolicy, Vec<String>) {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        let mut problems = Vec::new();
        let policy = from_lookup(&get, environment, &mut problems);
        (policy, problems)
    }

    #[test]
    fn a_plain_shop_has_no_terms_and_no_business_fields() {
        let (policy, problems) = read(&[], Environment::Production);
        assert_eq!(policy, CheckoutPolicy::default());
        assert!(problems.is_empty());
        // As wrangler.toml lists them: empty.
        let empty = [
            ("TERMS_URL", ""),
            ("WITHDRAWAL_URL", " "),
            ("PRIVACY_URL", ""),
            ("BUSINESS_BUYERS", ""),
        ];
        let (policy, problems) = read(&empty, Environment::Production);
        assert_eq!(policy, CheckoutPolicy::default());
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn legal_pages_and_business_buyers_are_read() {
        let (policy, problems) = read(
            &[
                ("TERMS_URL", " https://shop.example/cgv "),
                ("WITHDRAWAL_URL", "https://shop.example/retractation"),
                ("PRIVACY_URL", "https://shop.example/privacy"),
                ("BUSINESS_BUYERS", "on"),
            ],
            Environment::Production,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            policy,
            CheckoutPolicy {
                terms_url: Some("https://shop.example/cgv".into()),
                withdrawal_url: Some("https://shop.example/retractation".into()),
                privacy_url: Some("https://shop.example/privacy".into()),
                business_buyers: true,
            }
        );
        // Local development may use http.
        let (policy, problems) = read(
            &[("TERMS_URL", "http://localhost:8788/terms.html")],
            Environment::Sandbox,
        );
        assert!(problems.is_empty());
        assert_eq!(
            policy.terms_url.as_deref(),
            Some("http://localhost:8788/terms.html")
        );
    }

    #[test]
    fn wrong_values_are_problems_and_read_as_unset() {
        let table: [(&[(&str, &str)], &str); 6] = [
            (
                &[("TERMS_URL", "shop.example/terms")],
                "TERMS_URL is \"shop.example/terms\"; it must be an absolute https:// URL",
            ),
            (
                &[("TERMS_URL", "https://")],
                "TERMS_URL is \"https://\"; it must be an absolute",
            ),
            (
                &[("TERMS_URL", "https:///terms")],
                "TERMS_URL is \"https:///terms\"; it must be an absolute",
            ),
            (
                &[("TERMS_URL", "http://shop.example/terms")],
                "must be https:// in production",
            ),
            (
                &[("PRIVACY_URL", "https://shop.example/privacy")],
                "PRIVACY_URL is set without TERMS_URL",
            ),
            (
                &[("BUSINESS_BUYERS", "yes")],
                "BUSINESS_BUYERS is \"yes\"; it must be \"on\" or \"off\"",
            ),
        ];
        for (pairs, want) in table {
            let (policy, problems) = read(pairs, Environment::Production);
            assert_eq!(problems.len(), 1, "{pairs:?}: {problems:?}");
            assert!(problems[0].contains(want), "{pairs:?}: {problems:?}");
            assert!(
                policy.terms_url.is_none() && !policy.business_buyers,
                "{pairs:?}"
            );
        }
    }
}
