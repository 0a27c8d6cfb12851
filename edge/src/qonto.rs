//! The Qonto Business API client (INTERFACE STUB: being implemented).

use crate::error::{EdgeError, EdgeResult};
use crate::http::Cx;
use shared::qonto::{
    ClientInvoice, Connection, CreateConnection, CreatePaymentLinkRequest,
    CreateWebhookSubscription, PaymentLink, PaymentLinkList, PaymentList,
    PaymentMethodAvailability, WebhookSubscription, WebhookSubscriptionList,
};

/// Query of `GET /v2/payment_links`.
#[derive(Debug, Clone, Default)]
pub(crate) struct LinkQuery {
    pub(crate) page: u32,
    pub(crate) per_page: u32,
    pub(crate) statuses: Vec<String>,
    pub(crate) sort_by: Option<String>,
}

/// A client bound to one request.
pub(crate) struct Qonto<'a> {
    cx: &'a Cx,
}

fn todo_stub<T>(cx: &Cx) -> EdgeResult<T> {
    let _ = &cx.config;
    Err(EdgeError::Internal("qonto client not implemented".into()))
}

impl<'a> Qonto<'a> {
    pub(crate) fn new(cx: &'a Cx) -> Self {
        Self { cx }
    }
    pub(crate) async fn create_payment_link(
        &self,
        _b: &CreatePaymentLinkRequest,
        _k: &str,
    ) -> EdgeResult<PaymentLink> {
        todo_stub(self.cx)
    }
    pub(crate) async fn get_payment_link(&self, _id: &str) -> EdgeResult<PaymentLink> {
        todo_stub(self.cx)
    }
    pub(crate) async fn list_payment_links(&self, _q: &LinkQuery) -> EdgeResult<PaymentLinkList> {
        todo_stub(self.cx)
    }
    pub(crate) async fn deactivate_payment_link(&self, _id: &str) -> EdgeResult<PaymentLink> {
        todo_stub(self.cx)
    }
    pub(crate) async fn list_payments(
        &self,
        _id: &str,
        _page: u32,
        _per_page: u32,
    ) -> EdgeResult<PaymentList> {
        todo_stub(self.cx)
    }
    pub(crate) async fn payment_methods(&self) -> EdgeResult<Vec<PaymentMethodAvailability>> {
        todo_stub(self.cx)
    }
    pub(crate) async fn get_connection(&self) -> EdgeResult<Option<Connection>> {
        todo_stub(self.cx)
    }
    pub(crate) async fn create_connection(&self, _b: &CreateConnection) -> EdgeResult<Connection> {
        todo_stub(self.cx)
    }
    pub(crate) async fn get_client_invoice(&self, _id: &str) -> EdgeResult<ClientInvoice> {
        todo_stub(self.cx)
    }
    pub(crate) async fn create_webhook_subscription(
        &self,
        _b: &CreateWebhookSubscription,
    ) -> EdgeResult<WebhookSubscription> {
        todo_stub(self.cx)
    }
    pub(crate) async fn list_webhook_subscriptions(&self) -> EdgeResult<WebhookSubscriptionList> {
        todo_stub(self.cx)
    }
}
