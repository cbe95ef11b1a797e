import type { Kysely, Selectable } from 'kysely';
import type { DB, EventsTable } from '../platform/db/schema.ts';

export interface StoredEvent {
  seq: number;
  id: string;
  type: string;
  occurredAt: string;
  receivedAt: string;
  source: string;
  customerId: string | null;
  orderId: string | null;
  data: Record<string, unknown>;
}

export function toStoredEvent(r: Selectable<EventsTable>): StoredEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    type: r.type,
    occurredAt: r.occurred_at,
    receivedAt: r.received_at,
    source: r.source,
    customerId: r.customer_id,
    orderId: r.order_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}

export async function getEvent(db: Kysely<DB>, storeId: string, id: string): Promise<StoredEvent | undefined> {
  const row = await db.selectFrom('events').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  return row && toStoredEvent(row);
}

export async function listEvents(
  db: Kysely<DB>,
  storeId: string,
  q: {
    type?: string | undefined;
    customerId?: string | undefined;
    orderId?: string | undefined;
    after?: number | undefined;
    limit: number;
  },
): Promise<{ events: StoredEvent[]; nextCursor: number | null }> {
  let query = db.selectFrom('events').selectAll().where('store_id', '=', storeId);
  if (q.type) query = query.where('type', '=', q.type);
  if (q.customerId) query = query.where('customer_id', '=', q.customerId);
  if (q.orderId) query = query.where('order_id', '=', q.orderId);
  if (q.after !== undefined) query = query.where('seq', '>', q.after);
  const rows = await query
    .orderBy('seq')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit).map(toStoredEvent);
  return { events: page, nextCursor: rows.length > q.limit ? (page.at(-1)?.seq ?? null) : null };
}
