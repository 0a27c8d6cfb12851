//! The connected Qonto organisation as the admin page shows it: its name
//! (so a merchant sees at once when the shop is connected to the wrong
//! account) and its bank accounts (to pick the one payment links credit,
//! instead of typing a UUID). Read with `GET /v2/organization`, scope
//! `organization.read`.

use serde::Deserialize;
use serde_json::{json, Value};

/// `GET /v2/organization`'s organisation (read tolerantly: wrapped in
/// `organization` or bare; `name` or `legal_name`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Organization {
    /// Qonto's id of the organisation.
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// The display name.
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// The registered name, when `name` is absent.
    #[serde(default)]
    pub(crate) legal_name: Option<String>,
    /// Every account; the main one is flagged.
    #[serde(default)]
    pub(crate) bank_accounts: Vec<BankAccount>,
}

/// One bank account of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct BankAccount {
    /// The id `user_bank_account_id` wants.
    pub(crate) id: String,
    /// The merchant's name for it.
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// Shown masked.
    #[serde(default)]
    pub(crate) iban: Option<String>,
    /// The organisation's main account.
    #[serde(default)]
    pub(crate) main: bool,
    /// e.g. `active`, `closed`.
    #[serde(default)]
    pub(crate) status: Option<String>,
}

/// Reads the answer, wrapped or bare.
pub(crate) fn parse(bytes: &[u8]) -> Result<Organization, serde_json::Error> {
    let v: Value = serde_json::from_slice(bytes)?;
    match v.get("organization") {
        Some(inner) if inner.is_object() => Organization::deserialize(inner),
        _ => Organization::deserialize(&v),
    }
}

impl Organization {
    /// The name to show.
    pub(crate) fn display_name(&self) -> Option<&str> {
        self.name
            .as_deref()
            .or(self.legal_name.as_deref())
            .filter(|n| !n.trim().is_empty())
    }

    /// The accounts for the admin page: main first, then by name; closed
    /// ones left out (a connection cannot credit them); IBANs masked.
    pub(crate) fn accounts_json(&self) -> Vec<Value> {
        let mut accounts: Vec<&BankAccount> = self
            .bank_accounts
            .iter()
            .filter(|a| a.status.as_deref() != Some("closed"))
            .collect();
        accounts.sort_by(|a, b| b.main.cmp(&a.main).then_with(|| a.name.cmp(&b.name)));
        accounts
            .into_iter()
            .map(|a| {
                json!({
                    "id": a.id,
                    "name": a.name,
                    "iban": a.iban.as_deref().map(mask_iban),
                    "main": a.main,
                })
            })
            .collect()
    }
}

/// `FR7616958000011234567890123` → `FR76 •••• 0123`: enough to recognise
/// the account, not enough to copy it.
pub(crate) fn mask_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 8 {
        return "••••".to_owned();
    }
    let head: String = compact[..4].iter().collect();
    let tail: String = compact[compact.len() - 4..].iter().collect();
    format!("{head} •••• {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = r#"{"organization":{"id":"org-1","slug":"atelier","legal_name":"Atelier Terre SAS",
      "bank_accounts":[
        {"id":"a2","name":"Savings","iban":"FR76 1695 8000 0198 7654 3210 987","main":false,"status":"active"},
        {"id":"a3","name":"Old","iban":"FR7616958000015555555555555","main":false,"status":"closed"},
        {"id":"a1","name":"Main account","iban":"FR7616958000011234567890123","main":true,"status":"active"}]}}"#;

    #[test]
    fn accounts_come_main_first_masked_without_closed_ones() {
        let org = parse(ORG.as_bytes()).unwrap();
        assert_eq!(org.display_name(), Some("Atelier Terre SAS"));
        let accounts = org.accounts_json();
        let ids: Vec<&str> = accounts.iter().filter_map(|a| a["id"].as_str()).collect();
        assert_eq!(ids, ["a1", "a2"]);
        assert_eq!(accounts[0]["iban"], "FR76 •••• 0123");
        assert_eq!(accounts[1]["iban"], "FR76 •••• 0987");
        assert_eq!(accounts[0]["main"], true);
    }

    #[test]
    fn bare_answers_and_short_ibans_are_read() {
        let org = parse(br#"{"name":"Shop","bank_accounts":[{"id":"x","iban":"FR76"}]}"#).unwrap();
        assert_eq!(org.display_name(), Some("Shop"));
        assert_eq!(org.accounts_json()[0]["iban"], "••••");
        assert_eq!(mask_iban(""), "••••");
        let nameless = parse(br#"{"organization":{"name":" "}}"#).unwrap();
        assert_eq!(nameless.display_name(), None);
    }
}
