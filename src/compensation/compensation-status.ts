/**
 * A compensation's life:
 * proposed → pending_approval → approved → issuing → issued | failed | cancelled.
 * `issuing → approved` is a retry after a transient failure; the same
 * idempotency key goes to the driver again. Each move is a conditional update
 * on the expected current status in compensations.service.ts.
 */
export const compensationStatuses = ['proposed', 'pending_approval', 'approved', 'issuing', 'issued', 'failed', 'cancelled'] as const;
export type CompensationStatus = (typeof compensationStatuses)[number];

/** Decided but not yet settled: these will (or may) still become money out. */
export const unsettledStatuses: readonly CompensationStatus[] = ['proposed', 'pending_approval', 'approved', 'issuing'];

/** States in which nothing has left the building yet, so a cancellation gives the allowance back. */
export const cancellable: readonly CompensationStatus[] = ['proposed', 'pending_approval', 'approved'];

/** Retries after transient driver errors, then `failed`. */
export const MAX_ATTEMPTS = 5;

/** 30 s, 2 min, 8 min, 32 min… between attempts. */
export function retryDelayMs(attempts: number): number {
  return 30_000 * 4 ** Math.max(0, attempts - 1);
}
