//! The widget's stand-in for the `wasm-streams` crate.
//!
//! Leptos's CSR build brings its server functions' browser client, which
//! streams request and response bodies through `wasm_streams::ReadableStream`.
//! The widget calls no server function, but the real crate exports its
//! stream classes to JavaScript (`IntoUnderlyingSource`, `...Sink`,
//! `...ByteSource`), and an export is never dead code: their futures stay in
//! the wasm's function table (~6.5 KB raw). This crate has the one type and
//! the four functions the server functions name, and streams nothing: a
//! stream made from Rust is an empty JavaScript stream, and a JavaScript
//! stream read from Rust ends at once. It is patched in for the whole
//! workspace (`[patch.crates-io]` in the top `Cargo.toml`); only the widget
//! depends on it.

use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::Stream;
use wasm_bindgen::{JsCast, JsValue};

/// The raw JavaScript types, as in `wasm-streams`.
pub mod readable {
    /// The raw JavaScript types.
    pub mod sys {
        pub use web_sys::ReadableStream;
    }
    pub use super::{IntoStream, ReadableStream};
}

/// A JavaScript `ReadableStream`.
#[derive(Debug)]
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

impl ReadableStream {
    /// Wraps a JavaScript stream.
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self { raw }
    }

    /// An empty JavaScript stream in place of `stream` (the widget streams
    /// no request body).
    pub fn from_stream<St>(stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        drop(stream);
        let raw =
            web_sys::ReadableStream::new().unwrap_or_else(|_| JsValue::UNDEFINED.unchecked_into());
        Self { raw }
    }

    /// The JavaScript stream.
    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// A Rust stream of this stream's chunks: none (the widget reads no
    /// streamed response).
    pub fn into_stream(self) -> IntoStream {
        IntoStream
    }
}

/// The Rust side of a [`ReadableStream`]: ends at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct IntoStream;

impl Stream for IntoStream {
    type Item = Result<JsValue, JsValue>;

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(None)
    }
}
