import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';

/**
 * Who did something: a person (by user id, or by token when it has no user; a staff member acting on the
 * community's pages by member id), or Amends itself.
 */
export interface AuditActor {
  type: 'user' | 'token' | 'member' | 'system';
  id: string | null;
}

export interface AuditEntry {
  storeId: string;
  at: string;
  actor: AuditActor;
  action: string;
  subjectType:
    | 'compensation'
    | 'policy'
    | 'allowance'
    | 'store'
    | 'settings'
    | 'user'
    | 'token'
    | 'incident'
    | 'community_post'
    | 'community_member';
  subjectId: string;
  rule?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/**
 * The audit log: every decision that moves money or changes the rules (and who
 * may act: users, tokens, store settings), with before and after. Append-only — triggers refuse updates and deletes.
 */
export async function appendAudit(db: Kysely<DB>, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      store_id: e.storeId,
      at: e.at,
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      action: e.action,
      subject_type: e.subjectType,
      subject_id: e.subjectId,
      rule: e.rule ?? null,
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
      reason: e.reason ?? null,
    })
    .execute();
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: AuditActor;
  action: string;
  subjectType: string;
  subjectId: string;
  rule: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

export async function listAudit(
  db: Kysely<DB>,
  storeId: string,
  q: { subjectType?: string | undefined; subjectId?: string | undefined; limit: number },
): Promise<AuditRecord[]> {
  let query = db.selectFrom('audit_log').selectAll().where('store_id', '=', storeId);
  if (q.subjectType) query = query.where('subject_type', '=', q.subjectType);
  if (q.subjectId) query = query.where('subject_id', '=', q.subjectId);
  const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    actor: { type: r.actor_type as AuditActor['type'], id: r.actor_id },
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    rule: r.rule,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    reason: r.reason,
  }));
}
