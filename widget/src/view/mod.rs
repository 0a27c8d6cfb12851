//! The widget's DOM inside the shadow root: the floating toggle, the error
//! toast, the live region and the modal basket dialog.
//!
//! The structure is HTML written once into the mount point (one `innerHTML`
//! write: smaller in the wasm than a `view!`); one Leptos effect writes the state
//! into it whenever the state changes, touching only the texts and
//! attributes that differ (so nodes, focus and the open `<dialog>` survive).
//! Parts that come and go are hidden with the `hidden` attribute; the lists
//! (basket lines, totals rows, details fields) are built by hand. This is a
//! deliberate size choice: each view shape, reactive node or type-erased
//! branch costs its own monomorphized build, rebuild and drop code in the
//! wasm; the browser's own DOM calls cost their glue once.
//!
//! Accessibility: a native `<dialog>` opened
//! with `showModal()` (the page behind it is inert), labelled by its heading;
//! Escape closes; Tab and Shift+Tab cycle inside; focus goes back to the
//! opener; changes are announced in a polite live region; every control has a
//! text or an `aria-label`, and is at least 44 px square (CSS).//!
//! Layout: [`template`] is the structure, [`delegation`] the
//! few listeners every control goes through, [`model`] what the state says
//! to show (pure: host-tested), [`render`] the one effect's pass over the
//! structure, [`dom`] the DOM writes it is made of, and [`page`] what is
//! written into the merchant's page (prices, product cards, add buttons).

mod delegation;
mod dom;
pub(crate) mod model;
mod page;
mod render;
mod template;

pub(crate) use delegation::listen;
pub(crate) use page::{build_card, observe, update_card, PageObserver};
pub(crate) use render::refresh;
pub(crate) use template::root;
