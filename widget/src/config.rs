//! The widget's configuration, read from the script tag's data attributes by
//! the loader (`data-endpoint`, `data-locale`, `data-theme`,
//! `data-open-on-add`, `data-pay-label`, `data-analytics`) and the page's
//! `<html lang>`.

use crate::i18n::{self, Lang};

/// How one widget instance is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Config {
    /// The edge's origin, without a trailing slash (`https://pay.example.com`).
    pub(crate) endpoint: String,
    /// The language of every text.
    pub(crate) lang: Lang,
    /// The texts, one per line (see `i18n`).
    pub(crate) texts: &'static str,
    /// The locale tag given to `Intl` (`fr-BE`); its language is `lang`.
    pub(crate) locale: String,
    /// `light`, `dark` or `auto` (follows `prefers-color-scheme`).
    pub(crate) theme: &'static str,
    /// `data-open-on-add`: a page button's add opens the basket.
    pub(crate) open_on_add: bool,
    /// `data-pay-label`: the page's own text for Pay, in its language (a
    /// `{}` in it is the amount), instead of the language's default.
    pub(crate) pay_label: Option<&'static str>,
    /// `data-analytics="datalayer"`: e-commerce events pushed to
    /// `window.dataLayer` (see `analytics`).
    pub(crate) analytics: bool,
}

impl Config {
    /// Builds the configuration from the raw attribute values: the locale
    /// from `data-locale`, then `html_lang`, then English; an unknown theme
    /// is `light`; `texts` is the loader's copy of the language's text file.
    pub(crate) fn new(
        endpoint: &str,
        locale: Option<String>,
        html_lang: Option<String>,
        theme: Option<&str>,
        texts: Option<String>,
    ) -> Config {
        let (lang, locale) = i18n::pick(&[locale, html_lang]);
        let (lang, texts) = i18n::texts(lang, texts);
        let theme = match theme.map(str::trim) {
            Some("dark") => "dark",
            Some("auto") => "auto",
            _ => "light",
        };
        Config {
            endpoint: endpoint.trim().trim_end_matches('/').to_owned(),
            lang,
            texts,
            locale,
            theme,
            open_on_add: false,
            pay_label: None,
            analytics: false,
        }
    }

    /// Takes the script tag's `data-pay-label` (ignored when blank or
    /// longer than a button can say: 160 bytes).
    pub(crate) fn page_options(&mut self, pay_label: Option<String>) {
        let label = pay_label.map(|l| l.trim().to_owned());
        // Leaked once, like the language's texts: it lives as long as the page.
        self.pay_label = label
            .filter(|l| !l.is_empty() && l.len() <= 160)
            .map(|l| &*Box::leak(l.into_boxed_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pay_label_comes_from_the_page() {
        let mut config = Config::new("https://pay.example.com/", None, None, None, None);
        assert_eq!(config.pay_label, None);
        config.page_options(Some(" Zahlungspflichtig bestellen ".into()));
        assert_eq!(config.pay_label, Some("Zahlungspflichtig bestellen"));
        config.page_options(Some("   ".into()));
        assert_eq!(config.pay_label, None);
        config.page_options(Some("x".repeat(161)));
        assert_eq!(config.pay_label, None);
    }
}
