//! The e-mails the edge sent through its `EMAIL` binding in a local run.
//!
//! `wrangler dev` simulates Cloudflare's send_email binding: each structured
//! `send({from, to, subject, html, text})` writes the text and HTML parts to
//! files under wrangler's temporary directory (`<TMPDIR>/miniflare-*/files/
//! email-text/*.txt` and `email-html/*.html`) and logs a block naming the
//! sender, the recipients, the subject and those files:
//!
//! ```text
//! send_email binding called with MessageBuilder:
//! From: "Atelier Démo" <orders@atelier-demo.example>
//! To: ana.lopes@example.com
//! Subject: Order confirmation ck_…
//!
//! Text: /tmp/…/files/email-text/….txt
//! HTML: /tmp/…/files/email-html/….html
//! ```
//!
//! [`sent`] reads those blocks from the edge's log and the files they name,
//! so a test sees exactly what the binding was given.

use std::path::PathBuf;

/// One message the binding accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentEmail {
    /// The `From:` line (`"Name" <address>` or the address).
    pub from: String,
    /// The `To:` line.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The plain-text part (empty if none was given).
    pub text: String,
    /// The HTML part (empty if none was given).
    pub html: String,
    /// Where the HTML part was written.
    pub html_path: Option<PathBuf>,
}

/// Removes terminal colour codes (wrangler colours some lines).
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ ... letter
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Every message in `log` (the edge's log), oldest first.
pub fn sent(log: &str) -> Vec<SentEmail> {
    let lines: Vec<String> = log.lines().map(plain).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].contains("send_email binding called with MessageBuilder:") {
            i += 1;
            continue;
        }
        let mut mail = SentEmail {
            from: String::new(),
            to: String::new(),
            subject: String::new(),
            text: String::new(),
            html: String::new(),
            html_path: None,
        };
        let mut j = i + 1;
        // The block ends at the HTML line, or at the next log line that is
        // not part of it.
        while j < lines.len() && j < i + 12 {
            let l = lines[j].trim();
            if let Some(v) = l.strip_prefix("From: ") {
                mail.from = v.to_owned();
            } else if let Some(v) = l.strip_prefix("To: ") {
                mail.to = v.to_owned();
            } else if let Some(v) = l.strip_prefix("Subject: ") {
                mail.subject = v.to_owned();
            } else if let Some(v) = l.strip_prefix("Text: ") {
                mail.text = std::fs::read_to_string(v.trim()).unwrap_or_default();
            } else if let Some(v) = l.strip_prefix("HTML: ") {
                let path = PathBuf::from(v.trim());
                mail.html = std::fs::read_to_string(&path).unwrap_or_default();
                mail.html_path = Some(path);
                break;
            } else if !l.is_empty() && l.starts_with('{') {
                break;
            }
            j += 1;
        }
        out.push(mail);
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_read_with_their_files() {
        let dir = std::env::temp_dir().join(format!("qc-mail-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let (txt, html) = (dir.join("a.txt"), dir.join("a.html"));
        std::fs::write(&txt, "hello").expect("txt");
        std::fs::write(&html, "<p>hello</p>").expect("html");
        let log = format!(
            "{{\"level\":\"info\"}}\n\u{1b}[34msend_email binding called with MessageBuilder:\u{1b}[39m\n\
             From: \"Shop\" <a@b.example>\nTo: c@d.example\nSubject: Order confirmation ck_1\n\n\
             Text: {}\nHTML: {}\n[wrangler:info] GET /health 200 OK\n",
            txt.display(),
            html.display()
        );
        let got = sent(&log);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].from, "\"Shop\" <a@b.example>");
        assert_eq!(got[0].to, "c@d.example");
        assert_eq!(got[0].subject, "Order confirmation ck_1");
        assert_eq!(got[0].text, "hello");
        assert_eq!(got[0].html, "<p>hello</p>");
        assert!(sent("nothing here").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
