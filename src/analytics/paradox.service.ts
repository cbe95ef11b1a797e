/** Loads the paradox index of a period from `analytics_outcomes` (after folding in what changed). */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import { type Cohort, type CohortCount, type ParadoxReport, paradoxReport } from './paradox.ts';
import { refreshAnalytics } from './rollups.ts';

const DAY_MS = 86_400_000;
const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

export interface ParadoxQuery {
  windowDays: number;
  /** UTC days, inclusive: failures (and never-failed customers' first orders) in this period. */
  from: string;
  to: string;
}

export async function paradoxIndex(
  db: Kysely<DB>,
  storeId: string,
  q: ParadoxQuery,
  now: string,
): Promise<ParadoxReport & { from: string; to: string }> {
  await refreshAnalytics(db, storeId);
  const cutoff = new Date(Date.parse(now) - q.windowDays * DAY_MS).toISOString();
  const end = nextDay(q.to);
  const [rows, open] = await Promise.all([
    db
      .selectFrom('analytics_outcomes')
      .select([
        'cohort',
        'severity',
        'repeat',
        (eb) => eb.fn.countAll<number>().as('n'),
        sql<number>`sum(case when next_order_min is not null and next_order_min <= ${q.windowDays * 1440} then 1 else 0 end)`.as(
          'repurchased',
        ),
      ])
      .where('store_id', '=', storeId)
      .where('ref_at', '>=', q.from)
      .where('ref_at', '<', end)
      .where('ref_at', '<=', cutoff)
      .groupBy(['cohort', 'severity', 'repeat'])
      .execute(),
    db
      .selectFrom('analytics_outcomes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('store_id', '=', storeId)
      .where('ref_at', '>', cutoff)
      .where('ref_at', '>=', q.from)
      .where('ref_at', '<', end)
      .executeTakeFirst(),
  ]);
  const counts: CohortCount[] = rows.map((r) => ({
    cohort: r.cohort as Cohort,
    severity: r.severity === null ? null : Number(r.severity),
    repeat: Number(r.repeat) === 1,
    n: Number(r.n),
    repurchased: Number(r.repurchased),
  }));
  return { from: q.from, to: q.to, ...paradoxReport(counts, q.windowDays, Number(open?.n ?? 0)) };
}
