/**
 * The system's own status updates: when an incident opens (investigating), opens again (investigating) and
 * resolves (resolved). Written in the caller's transaction by the proactive monitors' incident functions
 * (src/proactive/monitors.service.ts), so an incident and its first and last word commit together.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { openedUpdateText, reopenedUpdateText, resolvedUpdateText, type UpdateState } from './public-text.ts';

export type SystemOccasion = 'opened' | 'reopened' | 'resolved';

const stateOf: Record<SystemOccasion, UpdateState> = { opened: 'investigating', reopened: 'investigating', resolved: 'resolved' };

/** Appends the system's update for this occasion (author null, public: shown once the incident is public). */
export async function addSystemUpdate(
  db: Kysely<DB>,
  storeId: string,
  incidentId: string,
  occasion: SystemOccasion,
  at: string,
): Promise<void> {
  const i = await db
    .selectFrom('incidents')
    .select('monitor')
    .where('store_id', '=', storeId)
    .where('id', '=', incidentId)
    .executeTakeFirst();
  if (!i) return;
  const body =
    occasion === 'opened' ? openedUpdateText(i.monitor) : occasion === 'reopened' ? reopenedUpdateText() : resolvedUpdateText(i.monitor);
  await db
    .insertInto('incident_updates')
    .values({
      store_id: storeId,
      // Time-ordered on the instant it speaks of (event time in replay), like every other id.
      id: newId('upd', { now: () => new Date(at) }),
      incident_id: incidentId,
      state: stateOf[occasion],
      body,
      public: 1,
      author_id: null,
      created_at: at,
    })
    .execute();
}
