// TypeScript declarations for the Qonto Checkout widget: the
// `window.QontoCheckout` API and the `qc:*` events dispatched on `document`.
//
// Use: copy this file into your project (it is also served next to the loader,
// at https://<edge>/widget/qonto-checkout.d.ts) and reference it, e.g.
//   /// <reference path="./qonto-checkout.d.ts" />
// The file is a module (it has `export`s), so it can also be imported:
//   import type { QcBasket } from "./qonto-checkout";

/** One basket line. Amounts are decimal strings ("12.50"), never floats. */
export interface QcBasketItem {
  /** The product's SKU (as in `data-qc-add`). */
  sku: string;
  /** The catalog title (the SKU until the catalog has loaded). */
  title: string;
  /** Units, 1 to 999. */
  quantity: number;
  /** Gross price of one unit, or null while unknown. */
  unitPrice: string | null;
  /** Gross price of the line, or null while unknown. */
  lineTotal: string | null;
  /** False when the catalog no longer sells this SKU (the line is kept, flagged). */
  available: boolean;
}

/** The basket, priced from the edge's catalog. */
export interface QcBasket {
  items: QcBasketItem[];
  /** Units over all lines. */
  itemCount: number;
  /** ISO 4217 code ("EUR"), or null while the prices are unknown. */
  currency: string | null;
  /** Sum of the lines' net prices. */
  net: string | null;
  /** Sum of the lines' VAT. */
  vat: string | null;
  /** What the shopper pays: net + VAT. */
  gross: string | null;
}

/**
 * `window.QontoCheckout`. Usable as soon as the loader script has run: calls
 * made before the widget is ready are queued and replayed in order. No method
 * throws or rejects: a failure (unknown SKU, quantity out of range...) is
 * shown to the shopper and dispatched as `qc:error`, and the promise resolves
 * with the unchanged basket.
 */
export interface QontoCheckoutApi {
  /** Adds `quantity` (default 1) units of `sku`, merging with its line. */
  add(sku: string, quantity?: number): Promise<QcBasket>;
  /** Sets the quantity of `sku` (adding the line if needed); 0 removes it. */
  setQuantity(sku: string, quantity: number): Promise<QcBasket>;
  /** Removes the line of `sku`. */
  remove(sku: string): Promise<QcBasket>;
  /** Empties the basket. */
  clear(): Promise<QcBasket>;
  /** Opens the basket dialog. */
  open(): Promise<void>;
  /** Closes the basket dialog. */
  close(): Promise<void>;
  /**
   * Opens the dialog on the details step for the basket (same as the
   * basket's Continue button): the shopper's email, name and, for goods that
   * are shipped, address, then Pay.
   */
  checkout(): Promise<void>;
  /** The current basket. */
  basket(): Promise<QcBasket>;
}

/**
 * Before the loader has run, a page may queue calls in an array:
 * `window.QontoCheckout = window.QontoCheckout || []; QontoCheckout.push(["add", "mug", 2]);`
 * The loader replays them, then replaces the array with the API.
 */
export type QcQueuedCall = [keyof QontoCheckoutApi, ...unknown[]];

/** What a checkout pays for. */
export type QcPurchaseKind = "basket" | "buy" | "invoice";

/** Detail of `qc:checkout-started`. */
export interface QcCheckoutStarted {
  kind: QcPurchaseKind;
  /** The SKUs and quantities sent (basket and buy now). */
  items?: { sku: string; quantity: number }[];
  /** The Qonto client invoice id (invoice payments). */
  invoiceId?: string;
}

/**
 * Detail of `qc:redirect`: the payment link was created and the browser is
 * about to go to `url`. The event is cancelable: `preventDefault()` keeps the
 * shopper on the page (the host then opens `url` itself).
 */
export interface QcRedirect {
  /** The checkout id (for `GET /v1/checkouts/{id}`). */
  id: string;
  /** The payment page. */
  url: string;
  /** The checkout's short reference (`QC-1A2B3C4D`), when the edge gives one. */
  reference?: string;
}

/** A checkout's status, as the edge reports it. */
export type QcPaymentStatus =
  | "open"
  | "processing"
  | "paid"
  | "expired"
  | "canceled"
  | "failed";

/** Detail of `qc:payment-status` (the shopper came back from the payment page). */
export interface QcPaymentStatusDetail {
  id: string;
  status: QcPaymentStatus;
  /** The checkout's short reference (`QC-1A2B3C4D`), when the edge gives one. */
  reference?: string;
}

/** Detail of `qc:error`. */
export interface QcError {
  /**
   * Stable code: the edge's API error codes (`unknown_sku`,
   * `quantity_out_of_range`, `too_many_lines`, `amount_too_large`,
   * `rate_limited`, `sold_out`, ...), `network` (edge unreachable), `http_<status>` (an
   * answer without a code), `invalid_catalog`, `load_failed` (the widget could
   * not start), ...
   */
  code: string;
  /** Details for developers (English). The shopper sees a short translated text. */
  message: string;
  /** HTTP status of the edge's answer, when there was one. */
  status?: number;
}

/** The `qc:*` events, all dispatched on `document`. */
export interface QcEventMap {
  /** The widget is mounted; detail: the basket. */
  "qc:ready": CustomEvent<QcBasket>;
  /** The basket changed (here, in another tab, or its prices loaded); detail: the basket. */
  "qc:basket-changed": CustomEvent<QcBasket>;
  /** Pay was pressed (basket, buy now or invoice). */
  "qc:checkout-started": CustomEvent<QcCheckoutStarted>;
  /** About to leave for the payment page (cancelable). */
  "qc:redirect": CustomEvent<QcRedirect>;
  /** The status of the checkout the shopper came back from. */
  "qc:payment-status": CustomEvent<QcPaymentStatusDetail>;
  /** Something failed. */
  "qc:error": CustomEvent<QcError>;
}

declare global {
  interface Window {
    QontoCheckout: QontoCheckoutApi;
  }
  // `document.addEventListener("qc:basket-changed", (e) => e.detail.gross)` is typed.
  interface DocumentEventMap extends QcEventMap {}
}
