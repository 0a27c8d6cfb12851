//! Escaping text for HTML, for the few pages the edge and the fake Qonto
//! write themselves (the OAuth result page, the fake's payment and consent
//! pages): one rule, so neither can forget a character.

/// `s` made safe for HTML text and attribute values (`& < > " '`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_the_five_characters_only() {
        let cases = [
            ("plain text é", "plain text é"),
            (
                "<script>alert('x')</script>",
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
            ),
            ("a & b \"q\"", "a &amp; b &quot;q&quot;"),
            ("&amp;", "&amp;amp;"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(escape(raw), want, "{raw}");
        }
    }
}
