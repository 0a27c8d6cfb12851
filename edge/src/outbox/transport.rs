//! Hands an e-mail to Cloudflare's Email Service: the `[[send_email]]`
//! binding `EMAIL` of wrangler.toml, called with the structured message
//! (`env.EMAIL.send({from, to, subject, html, text})`) through workers-rs's
//! `SendEmailBuilder`. `wrangler dev` simulates the binding and writes each
//! message's parts to local files (the integration tests read them).

use super::email::Rendered;
use super::settings::Mailbox;
use worker::{EmailAddress, Env, SendEmailBuilder};

/// The binding's name in wrangler.toml.
pub(crate) const BINDING: &str = "EMAIL";

/// Whether the binding exists (for `/health`).
pub(crate) fn bound(env: &Env) -> bool {
    env.send_email(BINDING).is_ok()
}

/// Sends `message` to `to`; `Err` says why the binding refused it (or that
/// there is no binding). Accepted means delivered as far as the edge can
/// know: bounces are the Email Service's business.
pub(crate) async fn send(
    env: &Env,
    from: &Mailbox,
    to: &str,
    message: &Rendered,
) -> Result<(), String> {
    let binding = env
        .send_email(BINDING)
        .map_err(|_| format!("the send_email binding {BINDING} is missing"))?;
    let builder = match &from.name {
        Some(name) => SendEmailBuilder::builder_with_email_address_and_str(
            &EmailAddress::new(name, &from.email),
            to,
            &message.subject,
        ),
        None => SendEmailBuilder::builder(&from.email, to, &message.subject),
    }
    .text(&message.text)
    .html(&message.html)
    .build();
    binding
        .send_with_builder(&builder)
        .await
        .map(|_| ())
        .map_err(|e| format!("refused: {}", String::from(e.message())))
}
