/**
 * Status updates of an incident, as the console reads and writes them: the system's own (opened, resolved; see
 * system-updates.ts) and those people post. Posting `resolved` on an open incident resolves it through the same
 * path as the console's "Resolve" (monitors' conditional update, webhooks told, audit), with the person's words
 * instead of the system's.
 */
import type { Kysely } from 'kysely';
import { type AuditActor, appendAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { resolveAsPerson } from '../../proactive/incidents.service.ts';
import type { UpdateState } from './public-text.ts';

export interface IncidentUpdateView {
  id: string;
  incidentId: string;
  state: string;
  body: string;
  public: boolean;
  /** null: the system's own update. */
  author: { type: 'user' | 'token'; id: string; name: string | null } | null;
  createdAt: string;
}

/** `author_id` is a user id, `token:<id>` for an API token without a user, or null (the system). */
function authorKey(actor: AuditActor): string | null {
  if (actor.type === 'system' || !actor.id) return null;
  return actor.type === 'token' ? `token:${actor.id}` : actor.id;
}

async function incidentOf(db: Kysely<DB>, storeId: string, id: string) {
  const row = await db
    .selectFrom('incidents')
    .select(['id', 'status', 'monitor', 'public', 'public_title', 'public_summary'])
    .where('store_id', '=', storeId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('incident', id);
  return row;
}

async function views(
  db: Kysely<DB>,
  storeId: string,
  rows: { id: string; incident_id: string; state: string; body: string; public: number; author_id: string | null; created_at: string }[],
): Promise<IncidentUpdateView[]> {
  const userIds = [...new Set(rows.map((r) => r.author_id).filter((a): a is string => !!a && !a.startsWith('token:')))];
  const users = userIds.length
    ? await db.selectFrom('users').select(['id', 'name', 'email']).where('store_id', '=', storeId).where('id', 'in', userIds).execute()
    : [];
  const nameOf = new Map(users.map((u) => [u.id, u.name ?? u.email]));
  return rows.map((r) => ({
    id: r.id,
    incidentId: r.incident_id,
    state: r.state,
    body: r.body,
    public: Number(r.public) === 1,
    author: !r.author_id
      ? null
      : r.author_id.startsWith('token:')
        ? { type: 'token' as const, id: r.author_id.slice('token:'.length), name: null }
        : { type: 'user' as const, id: r.author_id, name: nameOf.get(r.author_id) ?? null },
    createdAt: r.created_at,
  }));
}

/** The incident's updates, newest first, with what the status page shows of it. */
export async function listIncidentUpdates(db: Kysely<DB>, storeId: string, incidentId: string) {
  const i = await incidentOf(db, storeId, incidentId);
  const rows = await db
    .selectFrom('incident_updates')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('incident_id', '=', incidentId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return {
    incidentId,
    status: i.status,
    public: Number(i.public) === 1,
    publicTitle: i.public_title,
    publicSummary: i.public_summary,
    statusPageUrl: `/status/${encodeURIComponent(storeId)}`,
    updates: await views(db, storeId, rows),
  };
}

/**
 * A person's update. `resolved` on an open incident resolves it (not an outage: its monitor does); any other
 * state on a resolved incident is refused (it would say "investigating" under a resolved incident). Posting the
 * very update that is already the latest (same person, state, text and visibility: a double submit) changes
 * nothing and answers that one.
 */
export async function postIncidentUpdate(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  incidentId: string,
  input: { state: UpdateState; body: string; public: boolean; actor: AuditActor },
): Promise<{ update: IncidentUpdateView; created: boolean; resolved: boolean }> {
  const authorId = authorKey(input.actor);
  return db.transaction().execute(async (tx) => {
    const i = await incidentOf(tx, storeId, incidentId);
    const last = await tx
      .selectFrom('incident_updates')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('incident_id', '=', incidentId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (
      last &&
      last.author_id === authorId &&
      last.state === input.state &&
      last.body === input.body &&
      Number(last.public) === (input.public ? 1 : 0)
    ) {
      return { update: (await views(tx, storeId, [last]))[0]!, created: false, resolved: false };
    }
    if (i.status !== 'open' && input.state !== 'resolved')
      throw new AppError(409, 'conflict', `incident ${incidentId} is ${i.status}: only a "resolved" update can be added`, 'state');
    const at = clock.now().toISOString();
    let resolved = false;
    if (input.state === 'resolved' && i.status === 'open') {
      await resolveAsPerson(tx, storeId, incidentId, at, { actor: input.actor, statusUpdate: false, field: 'state' });
      resolved = true;
    }
    const row = {
      store_id: storeId,
      id: newId('upd', clock),
      incident_id: incidentId,
      state: input.state,
      body: input.body,
      public: input.public ? 1 : 0,
      author_id: authorId,
      created_at: at,
    };
    await tx.insertInto('incident_updates').values(row).execute();
    await appendAudit(tx, {
      storeId,
      at,
      actor: input.actor,
      action: 'incident.update_posted',
      subjectType: 'incident',
      subjectId: incidentId,
      after: { updateId: row.id, state: input.state, public: input.public },
    });
    return { update: (await views(tx, storeId, [row]))[0]!, created: true, resolved };
  });
}

/** Shows or hides one update on the status page (e.g. a system update a person would rather word themselves). */
export async function setUpdatePublic(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  incidentId: string,
  updateId: string,
  input: { public: boolean; actor: AuditActor },
): Promise<IncidentUpdateView> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('incident_updates')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('incident_id', '=', incidentId)
      .where('id', '=', updateId)
      .executeTakeFirst();
    if (!row) throw notFound('update', updateId);
    const want = input.public ? 1 : 0;
    if (Number(row.public) === want) return (await views(tx, storeId, [row]))[0]!;
    const at = clock.now().toISOString();
    await tx.updateTable('incident_updates').set({ public: want }).where('store_id', '=', storeId).where('id', '=', updateId).execute();
    await appendAudit(tx, {
      storeId,
      at,
      actor: input.actor,
      action: input.public ? 'incident.update_shown' : 'incident.update_hidden',
      subjectType: 'incident',
      subjectId: incidentId,
      before: { updateId, public: !input.public },
      after: { updateId, public: input.public },
    });
    return (await views(tx, storeId, [{ ...row, public: want }]))[0]!;
  });
}
