/**
 * Root cause, the loading part: failures (cases) with what they are attributed to, and orders with whether they
 * failed, for a period; the pure functions (root-cause.ts, weak-spots.ts, recurring.ts) do the counting.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors.ts';
import { causeOf, type FailureFacts, type Pareto, type ParetoDimension, pareto, skusOf } from './root-cause.ts';
import { type OrderFacts, type WeakSpots, weakSpots } from './weak-spots.ts';

const DAY = 86_400_000;

export interface Period {
  from: string;
  to: string;
}

/** `from`/`to` as given (ISO date or date-time) → ISO UTC instants; the last 90 days up to `now` by default. */
export function resolvePeriod(q: { from?: string | undefined; to?: string | undefined }, now: Date): Period {
  const parse = (v: string, name: string) => {
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new AppError(400, 'invalid_request', `${name} must be an ISO-8601 date or date-time`, name);
    return t;
  };
  const to = q.to ? parse(q.to, 'to') : now.getTime();
  const from = q.from ? parse(q.from, 'from') : to - 90 * DAY;
  if (from >= to) throw new AppError(400, 'invalid_request', 'from must be before to', 'from');
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** Every failure (case opened in [from, to)) with its kind, cause, carriers, regions and SKUs. */
export async function loadFailures(db: Kysely<DB>, storeId: string, p: Period): Promise<FailureFacts[]> {
  const cases = await db
    .selectFrom('cases as c')
    .leftJoin('incidents as i', (j) => j.onRef('i.store_id', '=', 'c.store_id').onRef('i.id', '=', 'c.incident_id'))
    .leftJoin('orders as o', (j) => j.onRef('o.store_id', '=', 'c.store_id').onRef('o.id', '=', 'c.order_id'))
    .select(['c.id', 'c.created_at', 'c.kind', 'c.triage', 'c.order_id', 'i.monitor', 'o.items'])
    .where('c.store_id', '=', storeId)
    .where('c.created_at', '>=', p.from)
    .where('c.created_at', '<', p.to)
    .orderBy('c.created_at')
    .execute();
  const shipments = await db
    .selectFrom('shipments')
    .select(['order_id', 'carrier', 'region'])
    .where('store_id', '=', storeId)
    .where((eb) =>
      eb(
        'order_id',
        'in',
        eb
          .selectFrom('cases')
          .select('cases.order_id')
          .where('cases.store_id', '=', storeId)
          .where('cases.created_at', '>=', p.from)
          .where('cases.created_at', '<', p.to)
          .where('cases.order_id', 'is not', null)
          .$narrowType<{ order_id: string }>(),
      ),
    )
    .execute();
  const byOrder = new Map<string, { carriers: Set<string>; regions: Set<string> }>();
  for (const s of shipments) {
    const e = byOrder.get(s.order_id) ?? { carriers: new Set<string>(), regions: new Set<string>() };
    if (s.carrier) e.carriers.add(s.carrier);
    if (s.region) e.regions.add(s.region);
    byOrder.set(s.order_id, e);
  }
  return cases.map((c) => {
    const s = c.order_id ? byOrder.get(c.order_id) : undefined;
    return {
      id: c.id,
      at: c.created_at,
      kind: c.kind ?? 'unknown',
      cause: causeOf({ kind: c.kind, monitor: c.monitor, triage: c.triage }),
      carriers: s ? [...s.carriers].sort() : [],
      regions: s ? [...s.regions].sort() : [],
      skus: skusOf(c.items),
    };
  });
}

export async function paretoOf(db: Kysely<DB>, storeId: string, by: ParetoDimension, p: Period): Promise<Pareto & Period> {
  return { ...pareto(await loadFailures(db, storeId, p), by), ...p };
}

/** Orders placed in [from, to), with their SKUs, carriers and whether a case was opened on them (at any time). */
export async function loadOrders(db: Kysely<DB>, storeId: string, p: Period): Promise<OrderFacts[]> {
  const inPeriod = () =>
    db
      .selectFrom('orders as po')
      .select('po.id')
      .where('po.store_id', '=', storeId)
      .where('po.placed_at', '>=', p.from)
      .where('po.placed_at', '<', p.to);
  const orders = await db
    .selectFrom('orders')
    .select(['id', 'placed_at', 'items'])
    .where('store_id', '=', storeId)
    .where('placed_at', '>=', p.from)
    .where('placed_at', '<', p.to)
    .execute();
  const shipments = await db
    .selectFrom('shipments')
    .select(['order_id', 'carrier'])
    .where('store_id', '=', storeId)
    .where('carrier', 'is not', null)
    .where('order_id', 'in', inPeriod())
    .execute();
  const failed = await db
    .selectFrom('cases')
    .select('order_id')
    .distinct()
    .where('store_id', '=', storeId)
    .where('order_id', 'in', inPeriod())
    .execute();
  const failedIds = new Set(failed.map((f) => f.order_id));
  const carriers = new Map<string, string[]>();
  for (const s of shipments) {
    if (!s.carrier) continue;
    const list = carriers.get(s.order_id) ?? [];
    list.push(s.carrier);
    carriers.set(s.order_id, list);
  }
  return orders.map((o) => ({
    id: o.id,
    placedAt: o.placed_at,
    skus: skusOf(o.items),
    carriers: carriers.get(o.id) ?? [],
    failed: failedIds.has(o.id),
  }));
}

export async function weakSpotsOf(
  db: Kysely<DB>,
  storeId: string,
  p: Period,
  opts: { minOrders: number; limit?: number },
): Promise<WeakSpots & Period & { timezone: string }> {
  const store = await db.selectFrom('stores').select('timezone').where('id', '=', storeId).executeTakeFirst();
  const timezone = store?.timezone ?? 'UTC';
  return { ...weakSpots(await loadOrders(db, storeId, p), timezone, opts), ...p, timezone };
}
