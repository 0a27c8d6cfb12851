//! The shopper-facing texts in six languages, and how the language is chosen.
//!
//! The texts of a language are one plain-text file, `i18n/<lang>.txt`, one
//! text per line in the order of [`Msg`]; a `{}` in a text is replaced by
//! [`fill`]. English is built into the wasm (and is the fallback); the loader
//! fetches the page's other language, if any, next to the wasm and hands it
//! to `start`, so a page downloads one language, not five it will never
//! show (~2.8 KB gzip). Numbers and money are never formatted here: money goes
//! through `Intl.NumberFormat` (see `js.rs`).
//!
//! The language comes from `data-locale` on the script tag, then `<html lang>`,
//! then English. The loader applies the same rule (`js/language.js`) to
//! choose the file it fetches (before the wasm runs, so both download at
//! once); a browser test runs [`pick`] and it on one table of tags.

/// A supported language (the one list, in `shared`). The loader's list is
/// generated from the text files at build time (`scripts/build-widget.sh`);
/// a test keeps [`Lang::ALL`] and the files the same.
pub(crate) use shared::lang::Lang;

/// Picks the language and the locale tag for `Intl` from the candidates in
/// order of preference (`data-locale`, then `<html lang>`): the first one
/// whose language is supported wins, else English.
///
/// The tag is kept whole (`de-CH` formats money the Swiss way) but only if it
/// looks like a tag: `Intl` throws on garbage, and a page's `lang` attribute
/// can hold anything.
pub(crate) fn pick(candidates: &[Option<String>]) -> (Lang, String) {
    for tag in candidates.iter().flatten() {
        let tag = tag.trim();
        if let Some(lang) = Lang::from_tag(tag) {
            let well_formed = tag.len() <= 35
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            let tag = if well_formed {
                tag.replace('_', "-")
            } else {
                lang.code().into()
            };
            return (lang, tag);
        }
    }
    (Lang::En, "en".into())
}

/// A text the widget shows or announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Msg {
    Basket,
    Title,
    Close,
    Empty,
    ItemsOne,
    ItemsOther,
    Remove,
    Decrease,
    Increase,
    Quantity,
    Unavailable,
    Subtotal,
    Vat,
    Total,
    Methods,
    Card,
    Transfer,
    Pay,
    Preparing,
    Redirecting,
    Payment,
    PaidTitle,
    PaidText,
    ProcessingTitle,
    ProcessingText,
    NotDoneTitle,
    NotDoneText,
    TryAgain,
    Added,
    Updated,
    Removed,
    Loading,
    ErrGone,
    ErrQuantity,
    ErrTooMany,
    ErrAmount,
    ErrEmpty,
    ErrBusy,
    ErrDown,
    ErrNetwork,
    ErrInvoice,
    ErrGeneric,
    ErrRemoveGone,
    // The details step.
    Continue,
    Details,
    Back,
    Shipping,
    ShipLater,
    Free,
    Remember,
    Forget,
    Forgotten,
    // The details step's field labels, in field order (see `details::FIELDS`).
    Email,
    FullName,
    Address,
    Address2,
    Postal,
    City,
    Country,
    Phone,
    // Inline errors of the details step.
    ErrEmailEmpty,
    ErrEmail,
    ErrName,
    ErrLine1,
    ErrPostal,
    ErrCity,
    ErrCountry,
    ErrUnshippable,
    ErrPhone,
    ErrTooLong,
    /// A control or bidirectional-override character in a customer text.
    ErrCharacters,
    ErrInvoicePaid,
    /// The shop's payments are paused (its Qonto connection was revoked).
    ErrPaused,
    // Back from the payment page with a checkout the edge expired.
    ExpiredTitle,
    ExpiredText,
    StartAgain,
    /// "Order reference: {}" on the paid and processing screens.
    Reference,
    // Product cards, prices and add buttons on the page, and stock.
    /// "Added": a pressed add button, for a moment.
    AddedShort,
    /// "from {}": the lowest price of a product with variants.
    From,
    SoldOut,
    /// "Only {} left".
    OnlyLeft,
    AddToBasket,
    /// The variant picker's heading.
    ChooseOptions,
    /// "{} is sold out.": the edge's 409 `sold_out` for one item.
    SoldOutItem,
    RemoveIt,
    ErrSoldOut,
    /// A choice of options no variant has.
    Combination,
    // The shop's legal pages (links) and the acceptance of its terms.
    Terms,
    Withdrawal,
    Privacy,
    AcceptTerms,
    ErrTerms,
    // A business buyer's fields.
    Company,
    VatNumber,
    ErrVat,
    // The basket's discount code.
    CodeLabel,
    Apply,
    /// "Discount ({code})": the totals' row.
    Discount,
    /// "Code {} applied".
    CodeApplied,
    RemoveCode,
    ErrCodeUnknown,
    ErrCodeNotYet,
    ErrCodeExpired,
    ErrCodeUsedUp,
    /// "This code needs a basket of at least {}.".
    ErrCodeMinimum,
}

/// Number of texts per language (keep in step with [`Msg`]).
const N: usize = Msg::ErrCodeMinimum as usize + 1;

/// The English texts, built in. French texts (fetched) put a no-break space
/// (U+00A0) before ':' and '!'.
const EN: &str = include_str!("i18n/en.txt");

/// Number of lines of `text` (its `\n`s).
const fn lines(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            n += 1;
        }
        i += 1;
    }
    n
}

// A language file with a line too many or too few fails the build (the
// fetched ones in test builds, which include them).
const _: () = assert!(lines(EN) == N);
#[cfg(test)]
const _: () = assert!(
    lines(include_str!("i18n/fr.txt")) == N
        && lines(include_str!("i18n/de.txt")) == N
        && lines(include_str!("i18n/it.txt")) == N
        && lines(include_str!("i18n/es.txt")) == N
        && lines(include_str!("i18n/nl.txt")) == N
);

/// The texts for `lang`: English built in, another language from `fetched`
/// (the loader's copy of `i18n/<lang>.txt`) if it has one line per [`Msg`].
/// Returns the language the texts are really in (English when the file is
/// missing or broken) and the texts.
///
/// The fetched text lives as long as the page (one instance per page), so it
/// is leaked once to be `'static` like the built-in one.
pub(crate) fn texts(lang: Lang, fetched: Option<String>) -> (Lang, &'static str) {
    match fetched {
        Some(text) if lang != Lang::En && lines(&text) == N => {
            (lang, Box::leak(text.into_boxed_str()))
        }
        _ => (Lang::En, EN),
    }
}

/// The text of `msg` in `texts`.
pub(crate) fn tr(texts: &'static str, msg: Msg) -> &'static str {
    texts.split('\n').nth(msg as usize).unwrap_or("")
}

/// `text` with its first `{}` replaced by `value`.
pub(crate) fn fill(text: &str, value: &str) -> String {
    // Not `replacen`: its checked slicing brings the standard library's
    // slicing-panic formatting into the wasm.
    match text
        .split_once('{')
        .map(|(before, after)| (before, after.strip_prefix('}')))
    {
        Some((before, Some(after))) => [before, value, after].concat(),
        _ => text.to_owned(),
    }
}

/// Which of "{} item" and "{} items" counts `n`: the two plural forms all
/// six languages need (French uses the singular for 0 as well).
pub(crate) fn items(lang: Lang, n: u32) -> Msg {
    if n == 1 || (n == 0 && lang == Lang::Fr) {
        Msg::ItemsOne
    } else {
        Msg::ItemsOther
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filling_and_choosing_texts() {
        assert_eq!(fill("Pay {}", "12,00 €"), "Pay 12,00 €");
        assert_eq!(fill("{} items", "3"), "3 items");
        assert_eq!(fill("no slot", "3"), "no slot");
        assert_eq!(fill("a { b", "3"), "a { b");
        assert_eq!(fill("{}{}", "x"), "x{}");
        assert_eq!(tr(EN, Msg::Basket), EN.split('\n').next().unwrap());
        let fr = include_str!("i18n/fr.txt");
        assert_eq!(texts(Lang::Fr, Some(fr.to_owned())).0, Lang::Fr);
        // A broken file (a line short) falls back to English.
        let short = fr.split_once('\n').unwrap().1.to_owned();
        assert_eq!(texts(Lang::Fr, Some(short)), (Lang::En, EN));
        assert_eq!(texts(Lang::De, None), (Lang::En, EN));
    }

    #[test]
    fn plurals() {
        assert_eq!(items(Lang::En, 1), Msg::ItemsOne);
        assert_eq!(items(Lang::En, 0), Msg::ItemsOther);
        assert_eq!(items(Lang::Fr, 0), Msg::ItemsOne);
        assert_eq!(items(Lang::De, 2), Msg::ItemsOther);
    }

    #[test]
    fn language_choice() {
        let some = |s: &str| Some(s.to_owned());
        // (data-locale, <html lang>) → language, Intl tag
        let table = [
            (some("fr-BE"), some("de"), Lang::Fr, "fr-BE"),
            (some("pt"), some("de_CH"), Lang::De, "de-CH"),
            (None, some("NL"), Lang::Nl, "NL"),
            (some("xx"), None, Lang::En, "en"),
            (None, None, Lang::En, "en"),
            (some("it-<script>"), None, Lang::It, "it"),
        ];
        for (locale, html, lang, tag) in table {
            assert_eq!(
                pick(&[locale.clone(), html.clone()]),
                (lang, tag.to_owned()),
                "{locale:?} {html:?}"
            );
        }
    }

    #[test]
    fn every_language_has_its_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/i18n");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".txt").map(str::to_owned))
            .collect();
        files.sort();
        let mut codes: Vec<String> = Lang::ALL.iter().map(|l| l.code().to_owned()).collect();
        codes.sort();
        assert_eq!(files, codes);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.code()), Some(lang));
        }
    }
}
