/** The inbox's queues: pure filters over case summaries, and the order cases are worked in. */
import type { CaseSummary } from '../../api/types.ts';
import { priorityRank } from './labels.ts';

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

export interface QueueContext {
  userId: string;
  now: number;
  /** Cases with a compensation pending approval. */
  awaitingApproval: ReadonlySet<string>;
}

export function inQueue(q: QueueId, c: CaseSummary, ctx: QueueContext): boolean {
  switch (q) {
    case 'all':
      return true;
    case 'mine':
      return c.assigneeId === ctx.userId;
    case 'unassigned':
      return c.assigneeId === null;
    case 'vip':
      return c.customerTier === 'vip' || c.queue === 'vip';
    case 'breaching': {
      const due = nextDue(c);
      return due !== null && Date.parse(due.at) - ctx.now < BREACH_WINDOW_MS;
    }
    case 'approval':
      return ctx.awaitingApproval.has(c.id);
    case 'proactive':
      return c.source === 'proactive';
  }
}

/** Most urgent first: priority level, then score, then the SLA that runs out first, then the oldest. */
export function byPriority(a: CaseSummary, b: CaseSummary): number {
  const ra = a.priority ? priorityRank[a.priority.level] : 9;
  const rb = b.priority ? priorityRank[b.priority.level] : 9;
  if (ra !== rb) return ra - rb;
  const sa = a.priority?.score ?? -1;
  const sb = b.priority?.score ?? -1;
  if (sa !== sb) return sb - sa;
  const da = nextDue(a)?.at ?? '9999';
  const db = nextDue(b)?.at ?? '9999';
  if (da !== db) return da < db ? -1 : 1;
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
}
