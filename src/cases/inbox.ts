/**
 * The inbox's queues ("views") and its working order, in SQL so the server pages through them and counts
 * them in one round trip, the same on SQLite and PostgreSQL.
 *
 * Views (the console's queues): `mine` (assigned to the caller), `unassigned`, `vip` (a VIP customer or the
 * VIP queue), `breaching` (the SLA clock that matters next is overdue or runs out within 2 hours),
 * `approval` (a compensation on the case waits for a manager), `proactive` (we found it first).
 *
 * Orders: `newest` (created_at desc, id desc) and `priority`: level urgent > high > normal > low (untriaged
 * last), then score desc, then the next SLA due (none last), then the oldest, then id. Both page by keyset:
 * the cursor is the last row's sort key and the next page starts strictly after it, so rows inserted or
 * deleted meanwhile never make another row skip or repeat. A row whose own sort key changes between two
 * pages (a new priority, an answered first reply) moves in the order and may be seen twice or not at all
 * during that walk; clients de-duplicate by id.
 */
import { type ExpressionBuilder, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/schemas.ts';
import { type CaseStatus, caseStatuses } from './lifecycle.ts';

export const inboxViews = ['mine', 'unassigned', 'vip', 'breaching', 'approval', 'proactive'] as const;
export type InboxView = (typeof inboxViews)[number];

export const caseSorts = ['newest', 'priority'] as const;
export type CaseSort = (typeof caseSorts)[number];

export const openCaseStatuses: readonly CaseStatus[] = caseStatuses.filter((s) => s !== 'resolved' && s !== 'closed');

/** Within this much of its due instant a case counts as breaching. */
export const BREACH_WINDOW_MS = 2 * 3_600_000;

/** Who is looking and when: `mine` is the caller's, `breaching` is relative to now. */
export interface Viewer {
  /** null for an API token without a user: its `mine` is empty. */
  userId: string | null;
  now: Date;
}

type CasesEb = ExpressionBuilder<DB, 'cases'>;

/** The SLA instant that matters next: the first reply until someone answered, then the resolution; none once resolved. */
export const nextDueSql: RawBuilder<string | null> = sql<string | null>`(case
  when ${sql.ref('cases.status')} in ('resolved', 'closed') then null
  when ${sql.ref('cases.first_responded_at')} is null and ${sql.ref('cases.first_response_due_at')} is not null
    then ${sql.ref('cases.first_response_due_at')}
  else ${sql.ref('cases.resolution_due_at')} end)`;

/** Sort keys of the priority order, every one ascending and never null, so one row-value comparison pages it. */
const rankSql = sql<number>`(case ${sql.ref('cases.priority')}
  when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 when 'low' then 3 else 4 end)`;
const negScoreSql = sql<number>`(0 - coalesce(${sql.ref('cases.priority_score')}, -1))`;
/** Later than any real instant: a case with no SLA due sorts after every case with one. */
const NO_DUE = '9999-12-31T23:59:59.999Z';
const dueKeySql = sql<string>`coalesce(${nextDueSql}, ${NO_DUE})`;

/** Membership of one view, as a condition on `cases`. */
export function viewCondition(eb: CasesEb, view: InboxView, viewer: Viewer) {
  switch (view) {
    case 'mine':
      return viewer.userId === null ? sql<SqlBool>`1 = 0` : eb('cases.assignee_id', '=', viewer.userId);
    case 'unassigned':
      return eb('cases.assignee_id', 'is', null);
    case 'vip':
      return eb.or([eb('cases.customer_tier', '=', 'vip'), eb('cases.queue', '=', 'vip')]);
    case 'breaching': {
      const horizon = new Date(viewer.now.getTime() + BREACH_WINDOW_MS).toISOString();
      return sql<SqlBool>`(${nextDueSql} is not null and ${nextDueSql} < ${horizon})`;
    }
    case 'approval':
      return eb.exists(
        eb
          .selectFrom('compensations')
          .select(sql<number>`1`.as('one'))
          .whereRef('compensations.store_id', '=', 'cases.store_id')
          .whereRef('compensations.case_id', '=', 'cases.id')
          .where('compensations.status', '=', 'pending_approval'),
      );
    case 'proactive':
      return eb('cases.source', '=', 'proactive');
  }
}

type PriorityKey = [number, number, string, string, string];

/** The `priority` order's sort key of a row as the API returns it (mirrors the SQL above). */
export function priorityKey(c: {
  status: string;
  priority: { level: string; score: number } | null;
  due: { firstResponse: string | null; resolution: string | null };
  firstRespondedAt: string | null;
  createdAt: string;
  id: string;
}): PriorityKey {
  const rank = c.priority ? (({ urgent: 0, high: 1, normal: 2, low: 3 } as Record<string, number>)[c.priority.level] ?? 4) : 4;
  const closed = c.status === 'resolved' || c.status === 'closed';
  const due = closed ? null : c.firstRespondedAt === null && c.due.firstResponse !== null ? c.due.firstResponse : c.due.resolution;
  return [rank, -(c.priority?.score ?? -1), due ?? NO_DUE, c.createdAt, c.id];
}

const PRIORITY_TAG = 'p';
/** Due and created keys are ISO instants (or the far-future stand-in for "no due"), compared as text. */
const ISO_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function encodePriorityCursor(key: PriorityKey): string {
  return encodeCursor([PRIORITY_TAG, ...key]);
}

function decodePriorityCursor(cursor: string): PriorityKey {
  const k = decodeCursor(cursor, 6);
  const [tag, rank, negScore, due, createdAt, id] = k;
  if (
    tag !== PRIORITY_TAG ||
    !Number.isSafeInteger(rank) ||
    !Number.isSafeInteger(negScore) ||
    typeof due !== 'string' ||
    !ISO_KEY.test(due) ||
    typeof createdAt !== 'string' ||
    !ISO_KEY.test(createdAt) ||
    typeof id !== 'string'
  ) {
    throw new AppError(400, 'invalid_request', 'cursor is not one this API gave out for sort=priority', 'cursor');
  }
  return [rank as number, negScore as number, due, createdAt, id];
}

/** Orders a `cases` query by priority and, with a cursor, starts after it. */
export function priorityOrder<O>(q: SelectQueryBuilder<DB, 'cases', O>, cursor: string | undefined): SelectQueryBuilder<DB, 'cases', O> {
  let out = q;
  if (cursor) {
    const [rank, negScore, due, createdAt, id] = decodePriorityCursor(cursor);
    out = out.where(
      sql<SqlBool>`(${rankSql}, ${negScoreSql}, ${dueKeySql}, ${sql.ref('cases.created_at')}, ${sql.ref('cases.id')}) > (${rank}, ${negScore}, ${due}, ${createdAt}, ${id})`,
    );
  }
  return out.orderBy(rankSql).orderBy(negScoreSql).orderBy(dueKeySql).orderBy('cases.created_at').orderBy('cases.id');
}

export type QueueCounts = Record<'all' | InboxView, number>;

/**
 * How many of the store's cases with these statuses (open ones by default) are in each view, for this viewer:
 * one query, one row of conditional sums.
 */
export async function queueCounts(
  db: Kysely<DB>,
  storeId: string,
  viewer: Viewer,
  statuses: readonly CaseStatus[] = openCaseStatuses,
): Promise<QueueCounts> {
  const row = await db
    .selectFrom('cases')
    .where('cases.store_id', '=', storeId)
    .where('cases.status', 'in', [...statuses])
    .select((eb) => [
      eb.fn.countAll<number | string>().as('all'),
      ...inboxViews.map((v) =>
        eb.fn
          .sum<number | string | null>(
            eb
              .case()
              .when(viewCondition(eb, v, viewer))
              .then(1)
              .else(0)
              .end(),
          )
          .as(v),
      ),
    ])
    .executeTakeFirstOrThrow();
  const r = row as Record<string, number | string | null>;
  return Object.fromEntries(['all', ...inboxViews].map((k) => [k, Number(r[k] ?? 0)])) as QueueCounts;
}
