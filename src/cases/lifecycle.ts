/** DESIGN.md §4: the case lifecycle as a pure transition function. */
export const caseStatuses = ['new', 'acknowledged', 'in_progress', 'waiting_on_customer', 'resolved', 'closed', 'reopened'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

export const caseSources = ['reactive', 'proactive'] as const;
export type CaseSource = (typeof caseSources)[number];

const transitions: Record<CaseStatus, readonly CaseStatus[]> = {
  new: ['acknowledged', 'in_progress'],
  acknowledged: ['in_progress', 'waiting_on_customer', 'resolved'],
  in_progress: ['waiting_on_customer', 'resolved'],
  waiting_on_customer: ['in_progress', 'resolved'],
  resolved: ['closed', 'reopened'],
  closed: ['reopened'],
  reopened: ['in_progress', 'waiting_on_customer', 'resolved'],
};

export function allowedTransitions(from: CaseStatus): readonly CaseStatus[] {
  return transitions[from];
}

export type TransitionResult =
  | { ok: true; from: CaseStatus; to: CaseStatus; stamps: { resolvedAt?: string | null; closedAt?: string | null } }
  | { ok: false; from: CaseStatus; to: CaseStatus; allowed: readonly CaseStatus[] };

/**
 * Decides whether a case may move from `from` to `to`, and which timestamps
 * the move sets or clears. Staying in the same status is not a transition.
 */
export function transition(from: CaseStatus, to: CaseStatus, at: string): TransitionResult {
  const allowed = transitions[from];
  if (!allowed.includes(to)) return { ok: false, from, to, allowed };
  const stamps: { resolvedAt?: string | null; closedAt?: string | null } = {};
  if (to === 'resolved') stamps.resolvedAt = at;
  if (to === 'closed') stamps.closedAt = at;
  if (to === 'reopened') {
    stamps.resolvedAt = null;
    stamps.closedAt = null;
  }
  return { ok: true, from, to, stamps };
}

export function isOpen(status: CaseStatus): boolean {
  return status !== 'resolved' && status !== 'closed';
}
