//! The widget's configuration, read from the script tag's data attributes by
//! the loader (`data-endpoint`, `data-locale`, `data-theme`,
//! `data-open-on-add`) and the page's
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
        }
    }
}
