//! The one CSV cell rule of every export (orders, VAT report): a cell that
//! a spreadsheet would read as a formula is defused, and a cell holding a
//! separator, a quote or a line break is quoted. Exported data holds
//! untrusted input (a customer's name, a product title), and French
//! spreadsheets split on `;` as readily as on `,`.

/// One CSV cell: prefixed with `'` when it starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return, then quoted (inner quotes doubled) when it
/// contains `,`, `;`, `"`, a line feed or a carriage return.
pub(crate) fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One CSV record: its cells joined by `,`, ended by CRLF.
pub(crate) fn record<S: AsRef<str>>(values: &[S]) -> String {
    let mut line = values
        .iter()
        .map(|v| cell(v.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_defused() {
        for (input, want) in [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("a;b", "\"a;b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+33612345678", "'+33612345678"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("line1\nline2", "\"line1\nline2\""),
            ("12.50", "12.50"),
        ] {
            assert_eq!(cell(input), want, "{input:?}");
        }
    }

    #[test]
    fn records_end_with_crlf() {
        assert_eq!(record(&["a", "b;c", ""]), "a,\"b;c\",\r\n");
    }
}
