/** Shapes of the inbox endpoints (GET /api/v1/cases with view/sort, GET /api/v1/cases/queues). */
import type { CaseStatus } from '../../api/types.ts';

export const inboxViews = ['mine', 'unassigned', 'vip', 'breaching', 'approval', 'proactive'] as const;
export type InboxView = (typeof inboxViews)[number];

export type CaseSort = 'priority' | 'newest';

export interface QueueCountsResponse {
  counts: Record<'all' | InboxView, number>;
  statuses: CaseStatus[];
  at: string;
}

/** A file a customer sent on a case (GET /api/v1/cases/:id/attachments): an e-mail attachment or a portal photo. */
export interface CaseAttachment {
  id: string;
  caseId: string;
  messageId: string | null;
  filename: string;
  contentType: string;
  size: number;
  createdAt: string;
}
