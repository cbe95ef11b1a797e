/**
 * What the public status page, its Atom feed and its JSON summary read: a store's public incidents (open, and
 * resolved in the last 30 days) with their public updates, newest first. Only what is meant for everyone: the
 * public title (or a generic one, see public-text.ts), the public summary, the public updates' words, and counts
 * (customers contacted). Never the internal title or cause, never a customer, order or case.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { IANAZone } from 'luxon';
import type { DB } from '../../platform/db/schema.ts';

/** How far back the page lists resolved incidents. */
export const RESOLVED_WINDOW_DAYS = 30;
/** How many updates the Atom feed carries. */
export const FEED_ENTRIES = 50;

export interface PublicUpdate {
  id: string;
  incidentId: string;
  state: string;
  body: string;
  at: string;
}

export interface PublicIncident {
  id: string;
  monitor: string;
  kind: string;
  publicTitle: string | null;
  summary: string | null;
  status: 'open' | 'resolved';
  /** The latest public update's state (investigating when none yet; resolved once resolved). */
  state: string;
  startedAt: string;
  resolvedAt: string | null;
  /** Customers the store told directly (messages sent): a count, never who. */
  customersContacted: number;
  /** Public updates, newest first. */
  updates: PublicUpdate[];
}

export interface StatusStore {
  id: string;
  name: string;
  timezone: string;
  createdAt: string;
}

export interface StatusPageData {
  store: StatusStore;
  state: 'normal' | 'degraded';
  open: PublicIncident[];
  resolved: PublicIncident[];
}

export async function statusStore(db: Kysely<DB>, storeId: string): Promise<StatusStore | null> {
  // A NUL (which PostgreSQL cannot compare) names no store, on both engines alike.
  if (!storeId || storeId.length > 200 || storeId.includes('\u0000')) return null;
  const s = await db.selectFrom('stores').select(['id', 'name', 'timezone', 'created_at']).where('id', '=', storeId).executeTakeFirst();
  if (!s) return null;
  return { id: s.id, name: s.name, timezone: IANAZone.isValidZone(s.timezone) ? s.timezone : 'UTC', createdAt: s.created_at };
}

async function publicUpdates(db: Kysely<DB>, storeId: string, incidentIds: string[]): Promise<PublicUpdate[]> {
  if (!incidentIds.length) return [];
  const rows = await db
    .selectFrom('incident_updates')
    .select(['id', 'incident_id', 'state', 'body', 'created_at'])
    .where('store_id', '=', storeId)
    .where('incident_id', 'in', incidentIds)
    .where('public', '=', 1)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, incidentId: r.incident_id, state: r.state, body: r.body, at: r.created_at }));
}

/** The status page's content at `now`. */
export async function statusPageData(db: Kysely<DB>, store: StatusStore, now: Date): Promise<StatusPageData> {
  const since = new Date(now.getTime() - RESOLVED_WINDOW_DAYS * 86_400_000).toISOString();
  const rows = await db
    .selectFrom('incidents')
    .select(['id', 'monitor', 'kind', 'status', 'public_title', 'public_summary', 'started_at', 'resolved_at'])
    .where('store_id', '=', store.id)
    .where('public', '=', 1)
    .where((eb) => eb.or([eb('status', '=', 'open'), eb.and([eb('status', '=', 'resolved'), eb('resolved_at', '>=', since)])]))
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  const ids = rows.map((r) => r.id);
  const [updates, contacted] = await Promise.all([
    publicUpdates(db, store.id, ids),
    ids.length
      ? db
          .selectFrom('incident_contacts')
          .select(['incident_id', sql<string | number>`count(*)`.as('n')])
          .where('store_id', '=', store.id)
          .where('incident_id', 'in', ids)
          .where('status', '=', 'sent')
          .groupBy('incident_id')
          .execute()
      : Promise.resolve([]),
  ]);
  const contactedOf = new Map(contacted.map((c) => [c.incident_id, Number(c.n)]));
  const incidents: PublicIncident[] = rows.map((r) => {
    const mine = updates.filter((u) => u.incidentId === r.id);
    const status = r.status === 'open' ? 'open' : 'resolved';
    return {
      id: r.id,
      monitor: r.monitor,
      kind: r.kind,
      publicTitle: r.public_title,
      summary: r.public_summary,
      status,
      state: status === 'resolved' ? 'resolved' : (mine[0]?.state ?? 'investigating'),
      startedAt: r.started_at,
      resolvedAt: r.resolved_at,
      customersContacted: contactedOf.get(r.id) ?? 0,
      updates: mine,
    };
  });
  const open = incidents.filter((i) => i.status === 'open');
  const resolved = incidents
    .filter((i) => i.status === 'resolved')
    .sort((a, b) => (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? '') || b.id.localeCompare(a.id));
  return { store, state: open.length ? 'degraded' : 'normal', open, resolved };
}

/** The feed's entries: the newest public updates of the store's public incidents (any age). */
export async function feedEntries(
  db: Kysely<DB>,
  store: StatusStore,
): Promise<{ update: PublicUpdate; incident: Pick<PublicIncident, 'id' | 'monitor' | 'kind' | 'publicTitle'> }[]> {
  const rows = await db
    .selectFrom('incident_updates as u')
    .innerJoin('incidents as i', (j) => j.onRef('i.store_id', '=', 'u.store_id').onRef('i.id', '=', 'u.incident_id'))
    .select(['u.id', 'u.incident_id', 'u.state', 'u.body', 'u.created_at', 'i.monitor', 'i.kind', 'i.public_title'])
    .where('u.store_id', '=', store.id)
    .where('u.public', '=', 1)
    .where('i.public', '=', 1)
    .orderBy('u.created_at', 'desc')
    .orderBy('u.id', 'desc')
    .limit(FEED_ENTRIES)
    .execute();
  return rows.map((r) => ({
    update: { id: r.id, incidentId: r.incident_id, state: r.state, body: r.body, at: r.created_at },
    incident: { id: r.incident_id, monitor: r.monitor, kind: r.kind, publicTitle: r.public_title },
  }));
}
