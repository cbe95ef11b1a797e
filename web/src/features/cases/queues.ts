/**
 * The inbox's queues. The server decides membership and order (GET /api/v1/cases?view=…&sort=priority);
 * this names them and says what each holds.
 */
import type { CaseSummary } from '../../api/types.ts';

export const queueIds = ['all', 'mine', 'unassigned', 'vip', 'breaching', 'approval', 'proactive'] as const;
export type QueueId = (typeof queueIds)[number];

export const queueLabel: Record<QueueId, string> = {
  all: 'All',
  mine: 'Mine',
  unassigned: 'Unassigned',
  vip: 'VIP',
  breaching: 'Breaching SLA',
  approval: 'Awaiting approval',
  proactive: 'Proactive',
};

export const queueHelp: Record<QueueId, string> = {
  all: 'Every case with the chosen status',
  mine: 'Cases assigned to you',
  unassigned: 'Cases nobody has picked up yet',
  vip: 'VIP customers, or cases routed to the VIP queue',
  breaching: 'An SLA clock is overdue or runs out within 2 hours',
  approval: 'A compensation on the case waits for a manager',
  proactive: 'Failures we found before the customer told us',
};

export function isQueueId(v: string | null): v is QueueId {
  return v !== null && (queueIds as readonly string[]).includes(v);
}

/** Within this much of its due instant a case counts as breaching. */
export const BREACH_WINDOW_MS = 2 * 3_600_000;

/** The SLA instant that matters next: the first reply until someone answered, then the resolution. */
export function nextDue(c: CaseSummary): { metric: 'first reply' | 'resolution'; at: string } | null {
  if (c.status === 'resolved' || c.status === 'closed') return null;
  if (!c.firstRespondedAt && c.due.firstResponse) return { metric: 'first reply', at: c.due.firstResponse };
  if (c.due.resolution) return { metric: 'resolution', at: c.due.resolution };
  return null;
}
