//! The names the merchant notifications had before they became one kind of
//! the outbox ([`crate::outbox`]), kept for the callers that still use them.

pub(crate) use crate::outbox::{resend_webhook as resend, send_soon, webhook_state as state};
