/** What the inbox's address asks for: the queue, the statuses and the order (the page and its prefetch agree on it). */
import { type CaseStatus, caseStatuses, openStatuses } from '../../api/types.ts';
import type { InboxQuery } from './hooks/use-cases.ts';
import { isQueueId, type QueueId } from './queues.ts';
import type { CaseSort } from './types.ts';

export function parseStatuses(v: string | null): CaseStatus[] {
  if (!v || v === 'open') return [...openStatuses];
  const list = v.split(',').filter((s): s is CaseStatus => (caseStatuses as readonly string[]).includes(s));
  return list.length > 0 ? list : [...openStatuses];
}

export interface InboxParams {
  queue: QueueId;
  /** The status filter as written in the address (`open` by default). */
  statusParam: string;
  sort: CaseSort;
  query: InboxQuery;
}

export function inboxParams(params: URLSearchParams): InboxParams {
  const queue: QueueId = isQueueId(params.get('queue')) ? (params.get('queue') as QueueId) : 'all';
  const statusParam = params.get('status') ?? 'open';
  const sort: CaseSort = params.get('sort') === 'newest' ? 'newest' : 'priority';
  return { queue, statusParam, sort, query: { view: queue === 'all' ? undefined : queue, statuses: parseStatuses(statusParam), sort } };
}
