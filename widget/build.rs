//! Build step: minifies `src/widget.css` into `OUT_DIR/widget.css`, which
//! the wasm carries as a string (so the readable, commented source costs no
//! bytes in the browser).

use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src/widget.css");
    let css = fs::read_to_string("src/widget.css").expect("read src/widget.css");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR is set by cargo"));
    fs::write(out.join("widget.css"), minify(&css)).expect("write the minified CSS");
}

/// Drops comments and the whitespace CSS does not need. Conservative: only
/// spaces next to `{ } ; : ,` go (never around `-` or `+`, which `calc()`
/// needs), and whitespace inside quoted strings is left alone.
fn minify(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            None => "",
        };
    }
    text.push_str(rest);

    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut pending_space = false;
    for c in text.chars() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            let after_punct =
                matches!(out.chars().last(), None | Some('{' | '}' | ';' | ':' | ','));
            let before_punct = matches!(c, '{' | '}' | ';' | ',');
            if !after_punct && !before_punct {
                out.push(' ');
            }
            pending_space = false;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        out.push(c);
    }
    out
}
