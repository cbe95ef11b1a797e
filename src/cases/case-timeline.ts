import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import type { Principal } from '../stores/stores.service.ts';

export type ActorType = 'system' | 'user' | 'token' | 'customer';
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** The person behind a request: their user, or the token when it has none (timeline, audit, allowances). */
export function actorOf(p: Principal): { type: 'user' | 'token'; id: string } {
  return p.userId ? { type: 'user', id: p.userId } : { type: 'token', id: p.tokenId };
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
