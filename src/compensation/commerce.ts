/**
 * Commerce drivers issue a decided remedy in the shop: a discount code, store
 * credit, a refund, a replacement order… One interface, named drivers chosen
 * per store (`local` by default, `shopify` when the store is connected).
 *
 * Exactly once: the caller passes the compensation's idempotency key, and a
 * driver must treat a second call with the same key as a request for the
 * result of the first (crash between "sent" and "recorded" is retried).
 */
import type { OfferKind } from '../policy/offer-kinds.ts';

export interface Money {
  /** Integer minor units. */
  amount: number;
  currency: string;
}

export interface IssueRequest {
  storeId: string;
  compensationId: string;
  /** Stable across retries of the same compensation. */
  idempotencyKey: string;
  kind: OfferKind;
  /** Money value of the remedy (refund amount, credit, fixed discount); null for apology/replacement-only kinds without a price. */
  amount: Money | null;
  /** Discount codes given as a percentage of the next order (1..100). */
  percent: number | null;
  /** Loyalty points, when kind is `loyalty_points`. */
  points: number | null;
  customerId: string | null;
  customerEmail: string | null;
  orderId: string | null;
  /** Days a discount code or credit stays valid; null = no expiry. */
  validDays: number | null;
  /** A human line for the shop's records, e.g. "Amends case #12: late parcel". */
  note: string;
  /** The clock's now (ISO-8601) — drivers never read the wall clock. */
  now: string;
}

export interface IssueResult {
  /** The shop's identifier for what was created (refund id, gift card id, discount id, local row id). */
  reference: string;
  /** The code the customer uses, for discount codes and gift cards. */
  code: string | null;
  /** What the customer received, in money, when that differs from the request (e.g. a refund capped by the shop). */
  amount: Money | null;
  /** Driver-specific facts worth keeping (never secrets). */
  details: Record<string, unknown>;
}

/** A failure the driver knows will not succeed on retry (e.g. the order was already fully refunded). */
export class PermanentIssueError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'PermanentIssueError';
  }
}

export interface CommerceDriver {
  readonly name: 'local' | 'shopify';
  /** Issues the remedy, or returns the earlier result for the same idempotency key. Throws PermanentIssueError or any Error (retryable). */
  issue(req: IssueRequest): Promise<IssueResult>;
}
