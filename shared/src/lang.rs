//! The shopper's languages: the six the widget and the order confirmation
//! e-mail are written in, and which of them a BCP 47 tag names. One list for
//! the widget (its texts), the edge (the e-mail of a checkout) and the
//! widget's loader, whose copy is generated from the widget's text files at
//! build time and checked against [`Lang::ALL`] by a widget test.

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (also the fallback).
    En,
    /// French.
    Fr,
    /// German.
    De,
    /// Italian.
    It,
    /// Spanish.
    Es,
    /// Dutch.
    Nl,
}

impl Lang {
    /// Every supported language.
    pub const ALL: [Lang; 6] = [Lang::En, Lang::Fr, Lang::De, Lang::It, Lang::Es, Lang::Nl];

    /// The language of a BCP 47 tag such as `fr-BE` or `de_CH` (its primary
    /// subtag, any case), if supported.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        Lang::ALL
            .into_iter()
            .find(|l| primary.eq_ignore_ascii_case(l.code()))
    }

    /// The two-letter code, e.g. `"fr"`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::It => "it",
            Lang::Es => "es",
            Lang::Nl => "nl",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn tags_name_their_primary_language() {
        let cases: &[(&str, Option<Lang>)] = &[
            ("fr-BE", Some(Lang::Fr)),
            ("de_CH", Some(Lang::De)),
            ("NL", Some(Lang::Nl)),
            (" it ", Some(Lang::It)),
            ("es-419", Some(Lang::Es)),
            ("en", Some(Lang::En)),
            ("pt-BR", None),
            ("", None),
            ("frx", None),
        ];
        for (tag, want) in cases {
            assert_eq!(Lang::from_tag(tag), *want, "{tag:?}");
        }
        let codes: Vec<&str> = Lang::ALL.iter().map(|l| l.code()).collect();
        assert_eq!(codes, ["en", "fr", "de", "it", "es", "nl"]);
    }
}
