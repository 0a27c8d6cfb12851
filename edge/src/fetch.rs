//! Sending a request with a timeout: the one way the edge calls another
//! service (Qonto's API, its token endpoint, the merchant's webhook). A
//! hanging peer becomes [`SendError::Timeout`] (an `AbortController` raced
//! against a timer) instead of a hung request.

use futures_util::future::{select, Either};
use std::time::Duration;
use worker::{AbortController, Delay, Fetch, Request};

/// What came back, read in full.
#[derive(Debug)]
pub(crate) struct RawResponse {
    /// HTTP status.
    pub(crate) status: u16,
    /// The `Retry-After` header, if any.
    pub(crate) retry_after: Option<String>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

/// Why a request got no response.
#[derive(Debug)]
pub(crate) enum SendError {
    /// No complete answer within the timeout; the request was aborted.
    Timeout,
    /// The connection failed (the message, which holds no secret).
    Network(String),
}

/// Sends `req` and reads the whole body, aborting both after `timeout`.
pub(crate) async fn send_with_timeout(
    req: Request,
    timeout: Duration,
) -> Result<RawResponse, SendError> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let exchange = async {
        let mut resp = Fetch::Request(req).send_with_signal(&signal).await?;
        let status = resp.status_code();
        let retry_after = resp.headers().get("retry-after").ok().flatten();
        let body = resp.bytes().await?;
        Ok::<_, worker::Error>(RawResponse {
            status,
            retry_after,
            body,
        })
    };
    let timer = Delay::from(timeout);
    futures_util::pin_mut!(exchange);
    match select(exchange, timer).await {
        Either::Left((Ok(raw), _)) => Ok(raw),
        Either::Left((Err(e), _)) => Err(SendError::Network(e.to_string())),
        Either::Right(_) => {
            controller.abort();
            Err(SendError::Timeout)
        }
    }
}
