import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.ts';

export type ActorType = 'system' | 'user' | 'token' | 'customer';
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** Appends one entry to a case's timeline: who did what, when. */
export async function recordActivity(
  db: Kysely<DB>,
  storeId: string,
  caseId: string,
  at: string,
  actor: Actor,
  type: string,
  data: Record<string, unknown>,
): Promise<void> {
  await db
    .insertInto('case_activities')
    .values({
      store_id: storeId,
      case_id: caseId,
      at,
      actor_type: actor.type,
      actor_id: actor.id,
      type,
      data: JSON.stringify(data),
    })
    .execute();
}
