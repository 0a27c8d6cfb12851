//! The open vocabularies Qonto sends: every documented value a variant, anything else kept in `Other`.

#[allow(unused_imports)]
use super::*;

open_enum! {
    /// Status of a payment link.
    PaymentLinkStatus {
        /// Payable.
        Open => "open",
        /// Past its expiration date (or expired by the provider).
        Expired => "expired",
        /// Deactivated by the merchant.
        Canceled => "canceled",
        /// Paid (single-use links).
        Paid => "paid",
        /// A payment is under way at the provider.
        Processing => "processing",
    }
}

open_enum! {
    /// Status of one payment of a link.
    PaymentStatus {
        /// Started, nothing decided yet.
        Open => "open",
        /// Waiting for the provider.
        Pending => "pending",
        /// Authorized, not captured yet.
        Authorized => "authorized",
        /// Money received.
        Paid => "paid",
        /// Abandoned by the payer.
        Canceled => "canceled",
        /// Not completed in time.
        Expired => "expired",
        /// Refused.
        Failed => "failed",
    }
}

open_enum! {
    /// A payment method of the provider. Webhooks have been seen
    /// with undocumented values (`bank_transfer`, `sepa_credit_transfer`),
    /// which land in `Other`.
    PaymentMethod {
        /// Card.
        CreditCard => "credit_card",
        /// Apple Pay.
        ApplePay => "apple_pay",
        /// PayPal.
        Paypal => "paypal",
        /// iDEAL.
        Ideal => "ideal",
    }
}

open_enum! {
    /// Status of the merchant's connection to the payment provider.
    ConnectionStatus {
        /// Feature active; links can be created.
        Enabled => "enabled",
        /// The provider wants more onboarding steps.
        Pending => "pending",
        /// Feature not active.
        Disabled => "disabled",
        /// Onboarding not done yet.
        NotConnected => "not_connected",
    }
}

open_enum! {
    /// What a payment link charges for (newer docs only).
    ResourceType {
        /// A basket of items.
        Basket => "Basket",
        /// A Qonto client invoice.
        Invoice => "Invoice",
    }
}

open_enum! {
    /// Kind of a basket item.
    ItemType {
        /// A good.
        Good => "good",
        /// A service.
        Service => "service",
    }
}

open_enum! {
    /// Status of a Qonto client invoice.
    ClientInvoiceStatus {
        /// Not finalized.
        Draft => "draft",
        /// Finalized, awaiting payment.
        Unpaid => "unpaid",
        /// Paid.
        Paid => "paid",
        /// Canceled.
        Canceled => "canceled",
    }
}

open_enum! {
    /// `data.event` of a `v1/payment-links` webhook: only `created` is
    /// shown in the docs, `updated` is inferred from "payment_links.updated".
    PaymentLinkEventKind {
        /// The link was created.
        Created => "created",
        /// The link changed (a payment, a deactivation, an expiry).
        Updated => "updated",
    }
}
