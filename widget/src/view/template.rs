//! The widget's structure: HTML written once into the mount point, brought
//! up to date by one effect.

use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::app::App;
use crate::i18n::Msg;

use super::render::render;

/// The whole widget: a static structure (HTML, written once), brought
/// up to date with the state by one effect ([`render`]) that writes only
/// what changed. Its controls carry a `data-action` (and a `data-sku`
/// on basket lines, a `name` on the details' fields) and are handled by a
/// few listeners on the element it is mounted in ([`listen`]): one closure
/// per event type instead of one per button, line and field. (This is our
/// own delegation, inside the shadow root; Leptos's `delegation` feature
/// listens on `window`, outside the shadow root and on every page event, and
/// must stay off.) The
/// dialog's form never submits: its submit button (the details step's Pay,
/// also pressed by Enter in a field) is handled as a click whose default is
/// prevented.
///
/// Why one effect over a fixed structure rather than views rebuilt from the
/// state: every view shape costs its own build, rebuild and drop code in the
/// wasm; the structure below is built once, and the parts that come and go
/// (basket lines, totals, details) are built by hand.
pub(crate) fn root(app: App, container: &HtmlElement) {
    // Runs once the view is mounted, then after every change of the state.
    Effect::new_sync(move |_| {
        app.state.with(|s| render(app, s));
    });
    container.set_inner_html(&structure(app.theme(), |msg| app.t(msg)));
}

/// The structure as HTML, with the theme and the texts (escaped) filled in.
/// Parsed by the browser in one `innerHTML` write: a `view!` of the same
/// structure costs the wasm its build code for every element (~1 KB gzip).
/// (`innerHTML` is no Content-Security-Policy matter: no script or inline
/// style or handler is in it.)
fn structure(theme: &str, t: impl Fn(Msg) -> &'static str) -> String {
    let mut html = String::with_capacity(2048);
    let parts: [&str; 12] = [
        r#"<div class="qc" data-theme=""#,
        // theme
        r#""><button class="qc-toggle" part="toggle" type="button" data-action="open" hidden aria-haspopup="dialog" aria-expanded="false">"#,
        // Basket
        concat!(
            // The name is the visible "Basket" and the hidden count in
            // words ("Basket, 3 items"): an `aria-label` that does not start
            // with what is seen fails voice control (WCAG 2.5.3).
            r#"<span class="qc-count" aria-hidden="true"></span><span class="qc-sr qc-items"></span></button>"#,
            r#"<p class="qc-toast" hidden></p>"#,
            // Announcements: while the modal dialog is open everything
            // outside it is inert (and silent), so the dialog has its own
            // live region.
            r#"<div id="qc-live" class="qc-sr" aria-live="polite" aria-atomic="true"></div>"#,
            r#"<dialog class="qc-dialog" part="dialog" role="dialog" aria-modal="true" aria-labelledby="qc-title">"#,
            // A form, so that Enter in a field presses Pay and browsers
            // offer autofill; `novalidate`: the widget's own inline errors,
            // not the browser's bubbles. Pay's click never submits (see
            // `clicked`); `method=dialog` makes sure a submission from
            // elsewhere could only close the dialog, never navigate with
            // the details in the URL.
            r#"<form class="qc-panel" method="dialog" novalidate><div class="qc-head"><h2 id="qc-title"></h2>"#,
            r#"<button class="qc-close" type="button" data-action="close" aria-label=""#,
        ),
        // Close
        concat!(
            r#"">×</button></div>"#,
            r#"<div id="qc-dlive" class="qc-sr" aria-live="polite" aria-atomic="true"></div>"#,
            r#"<div class="qc-body"><p class="qc-status" hidden></p><p class="qc-ref" hidden></p>"#,
            r#"<p class="qc-empty" hidden></p><ul class="qc-lines" hidden></ul>"#,
            r#"<div class="qc-details" hidden></div><dl class="qc-totals" hidden></dl>"#,
        ),
        // The discount-code box (`code_box`)
        concat!(
            r#"</div>"#,
            // The item the edge said is sold out, and the offer to remove it.
            r#"<div class="qc-foot"><p class="qc-sold" hidden><span></span> "#,
            r#"<button class="qc-link" type="button" data-action="drop-sold">"#,
        ),
        // Remove it
        concat!(
            r#"</button></p><p class="qc-error" hidden></p><p class="qc-methods" hidden></p>"#,
            // Inside the form every button but Pay must not submit.
            r#"<div class="qc-actions"><button class="qc-pay" part="pay" type="button" data-action="continue">"#,
        ),
        // Continue
        r#"</button><button class="qc-secondary" type="button" data-action="back" hidden>"#,
        // Back
        concat!(
            r#"</button>"#,
            // The form's submit button: Enter in a field presses it too.
            // Kept disabled off the details step, so Enter elsewhere
            // submits nothing.
            r#"<button class="qc-pay" part="pay" type="submit" data-action="submit" hidden disabled></button>"#,
            r#"<button class="qc-pay qc-retry" part="pay" type="button" data-action="retry" hidden>"#,
        ),
        // Try again
        r#"</button><button class="qc-secondary" type="button" data-action="close">"#,
        // Close
        concat!(
            r#"</button></div></div></form></dialog>"#,
            // The variant picker of a group's add button: a card in a small
            // modal dialog (`view::page`).
            r#"<dialog class="qc-dialog qc-picker" aria-labelledby="qc-ptitle"><div class="qc-panel">"#,
            r#"<div class="qc-head"><h2 id="qc-ptitle">"#,
        ),
        // Choose options
        r#"</h2><button class="qc-close" type="button" data-action="pclose" aria-label=""#,
        // Close
        r#"">×</button></div><div class="qc-body qc-pcard"></div></div></dialog></div>"#,
    ];
    let fills = [
        theme,
        t(Msg::Basket),
        t(Msg::Close),
        "",
        t(Msg::RemoveIt),
        t(Msg::Continue),
        t(Msg::Back),
        t(Msg::TryAgain),
        t(Msg::Close),
        t(Msg::ChooseOptions),
        t(Msg::Close),
    ];
    for (i, part) in parts.iter().enumerate() {
        html.push_str(part);
        if i == 3 {
            code_box(&mut html, &t);
        } else if let Some(fill) = fills.get(i) {
            escape_into(&mut html, fill);
        }
    }
    html
}

/// The basket's discount code, at the end of the dialog's body: typed and
/// applied, or shown with the offer to remove it; the message says why a
/// code was refused or what it needs.
fn code_box(html: &mut String, t: &impl Fn(Msg) -> &'static str) {
    let parts = [
        r#"<div class="qc-field qc-code" hidden><label for="qc-code">"#,
        concat!(
            r#"</label><div class="qc-code-row"><input id="qc-code" maxlength="32" autocomplete="off" spellcheck="false" aria-describedby="qc-code-msg">"#,
            r#"<button class="qc-secondary" type="button" data-action="code">"#,
        ),
        concat!(
            r#"</button></div><p class="qc-code-on" hidden><span></span> "#,
            r#"<button class="qc-link" type="button" data-action="uncode">"#,
        ),
        r#"</button></p><p id="qc-code-msg" class="qc-ferr"></p></div>"#,
    ];
    let fills = [Msg::CodeLabel, Msg::Apply, Msg::RemoveCode];
    for (i, part) in parts.iter().enumerate() {
        html.push_str(part);
        if let Some(msg) = fills.get(i) {
            escape_into(html, t(*msg));
        }
    }
}

/// Appends `text` with the characters HTML gives a meaning to in text and
/// in a double-quoted attribute escaped.
pub(super) fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::escape_into;

    #[test]
    fn texts_are_escaped_for_text_and_attributes() {
        let mut html = String::new();
        escape_into(&mut html, r#"Fermer <x> & "y" l'été"#);
        assert_eq!(html, "Fermer &lt;x&gt; &amp; &quot;y&quot; l'été");
    }
}
