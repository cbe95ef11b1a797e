/** Offer kinds (DESIGN.md §4): what a remedy can be. */
export const offerKinds = [
  'apology_only',
  'discount_code',
  'store_credit',
  'refund_partial',
  'refund_full',
  'free_replacement',
  'expedited_shipping',
  'free_gift',
  'upgrade',
  'loyalty_points',
] as const;
export type OfferKind = (typeof offerKinds)[number];
