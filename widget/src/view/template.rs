//! The widget's structure: one Leptos `view!`, built once, brought up to
//! date by one effect.

use leptos::prelude::*;

use crate::app::App;
use crate::i18n::Msg;

use super::render::render;

/// The whole widget: a static structure (one `view!`, built once), brought
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
pub(crate) fn root(app: App) -> impl IntoView {
    // Runs once the view is mounted, then after every change of the state.
    Effect::new(move |_| {
        app.state.with(|s| render(app, s));
    });
    let t = move |msg| app.t(msg);
    view! {
        <div class="qc" data-theme=app.theme()>
            <button
                class="qc-toggle"
                part="toggle"
                type="button"
                data-action="open"
                hidden
                aria-haspopup="dialog"
                aria-expanded="false"
            >
                {t(Msg::Basket)}
                <span class="qc-count" aria-hidden="true"></span>
            </button>
            <p class="qc-toast" hidden></p>
            // Announcements: while the modal dialog is open everything outside
            // it is inert (and silent), so the dialog has its own live region.
            <div id="qc-live" class="qc-sr" aria-live="polite" aria-atomic="true"></div>
            <dialog
                class="qc-dialog"
                part="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="qc-title"
            >
                // A form, so that Enter in a field presses Pay and browsers
                // offer autofill; `novalidate`: the widget's own inline
                // errors, not the browser's bubbles. Pay's click never submits
                // (see `clicked`); `method=dialog` makes sure a submission from
                // elsewhere could only close the dialog, never navigate with
                // the details in the URL.
                <form class="qc-panel" method="dialog" novalidate>
                    <div class="qc-head">
                        <h2 id="qc-title"></h2>
                        <button
                            class="qc-close"
                            type="button"
                            data-action="close"
                            aria-label=t(Msg::Close)
                        >
                            "×"
                        </button>
                    </div>
                    <div id="qc-dlive" class="qc-sr" aria-live="polite" aria-atomic="true"></div>
                    <div class="qc-body">
                        <p class="qc-status" hidden></p>
                        <p class="qc-ref" hidden></p>
                        <p class="qc-empty" hidden></p>
                        <ul class="qc-lines" hidden></ul>
                        <div class="qc-details" hidden></div>
                        <dl class="qc-totals" hidden></dl>
                    </div>
                    <div class="qc-foot">
                        <p class="qc-error" hidden></p>
                        <p class="qc-methods" hidden></p>
                        // Inside the form every button but Pay must not submit.
                        <div class="qc-actions">
                            <button class="qc-pay" part="pay" type="button" data-action="continue">
                                {t(Msg::Continue)}
                            </button>
                            <button class="qc-secondary" type="button" data-action="back" hidden>
                                {t(Msg::Back)}
                            </button>
                            // The form's submit button: Enter in a field
                            // presses it too. Kept disabled off the details
                            // step, so Enter elsewhere submits nothing.
                            <button
                                class="qc-pay"
                                part="pay"
                                type="submit"
                                data-action="submit"
                                hidden
                                disabled
                            ></button>
                            <button
                                class="qc-pay qc-retry"
                                part="pay"
                                type="button"
                                data-action="retry"
                                hidden
                            >
                                {t(Msg::TryAgain)}
                            </button>
                            <button class="qc-secondary" type="button" data-action="close">
                                {t(Msg::Close)}
                            </button>
                        </div>
                    </div>
                </form>
            </dialog>
        </div>
    }
}
