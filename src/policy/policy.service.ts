/**
 * A store's policy versions. The version is the hash of the file's text; the
 * latest activation is the active policy; a store that never activated one
 * uses policies/default.yaml.
 */
import type { Kysely } from 'kysely';
import { type AuditActor, appendAudit } from '../platform/audit.ts';
import type { Clock } from '../platform/clock.ts';
import type { DB } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { getStore } from '../stores/stores.service.ts';
import { defaultPolicy } from './default-policy.ts';
import { parsePolicy } from './parse-policy.ts';
import type { Policy } from './policy.schema.ts';

export interface ActivePolicy {
  hash: string;
  name: string;
  policy: Policy;
  source: string;
  /** True while the store runs policies/default.yaml without having activated anything. */
  isDefault: boolean;
  author: string | null;
  activatedAt: string | null;
}

// Parsed policies by hash: the text of a version never changes, so neither does its parse.
const parsed = new Map<string, Policy>();

function parseKnown(hash: string, source: string): Policy {
  let p = parsed.get(hash);
  if (!p) {
    const r = parsePolicy(source);
    if (!r.ok) throw new Error(`stored policy ${hash} no longer parses: ${r.errors[0]?.message}`);
    p = r.policy;
    if (parsed.size > 1000) parsed.clear();
    parsed.set(hash, p);
  }
  return p;
}

export async function activePolicy(db: Kysely<DB>, storeId: string): Promise<ActivePolicy> {
  const row = await db
    .selectFrom('policy_activations as a')
    .innerJoin('policy_versions as v', (j) => j.onRef('v.store_id', '=', 'a.store_id').onRef('v.hash', '=', 'a.hash'))
    .select(['v.hash', 'v.name', 'v.source', 'a.author', 'a.activated_at'])
    .where('a.store_id', '=', storeId)
    .orderBy('a.seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) {
    const d = defaultPolicy();
    return { hash: d.hash, name: d.policy.name, policy: d.policy, source: d.source, isDefault: true, author: null, activatedAt: null };
  }
  return {
    hash: row.hash,
    name: row.name,
    policy: parseKnown(row.hash, row.source),
    source: row.source,
    isDefault: false,
    author: row.author,
    activatedAt: row.activated_at,
  };
}

/** Validates without saving: the errors name line and column. */
export function checkPolicy(source: string): ReturnType<typeof parsePolicy> {
  return parsePolicy(source);
}

let generation = 0;
/** Goes up whenever this process activates a policy: caches of policy-derived settings compare it. */
export function policyGeneration(): number {
  return generation;
}

export async function activatePolicy(
  db: Kysely<DB>,
  clock: Clock,
  input: { storeId: string; source: string; author: string; actor: AuditActor },
): Promise<ActivePolicy> {
  const store = await getStore(db, input.storeId);
  if (!store) throw notFound('store', input.storeId);
  const r = parsePolicy(input.source);
  if (!r.ok) {
    const first = r.errors[0]!;
    throw new AppError(400, 'invalid_policy', `line ${first.line}, column ${first.column}: ${first.message}`, first.path || 'source', {
      errors: r.errors,
    });
  }
  if (r.policy.currency !== store.currency) {
    throw new AppError(
      400,
      'invalid_policy',
      `the policy is in ${r.policy.currency}; store ${store.id} sells in ${store.currency}`,
      'currency',
    );
  }
  const at = clock.now().toISOString();
  const activated = await db.transaction().execute(async (tx) => {
    const before = await activePolicy(tx, input.storeId);
    await tx
      .insertInto('policy_versions')
      .values({ store_id: input.storeId, hash: r.hash, name: r.policy.name, source: input.source, author: input.author, created_at: at })
      .onConflict((oc) => oc.columns(['store_id', 'hash']).doNothing())
      .execute();
    await tx
      .insertInto('policy_activations')
      .values({ store_id: input.storeId, hash: r.hash, author: input.author, activated_at: at })
      .execute();
    await appendAudit(tx, {
      storeId: input.storeId,
      at,
      actor: input.actor,
      action: 'policy.activated',
      subjectType: 'policy',
      subjectId: r.hash,
      before: { hash: before.hash, name: before.name, isDefault: before.isDefault },
      after: { hash: r.hash, name: r.policy.name },
      reason: `activated by ${input.author}`,
    });
    parsed.set(r.hash, r.policy);
    return {
      hash: r.hash,
      name: r.policy.name,
      policy: r.policy,
      source: input.source,
      isDefault: false,
      author: input.author,
      activatedAt: at,
    };
  });
  generation++;
  return activated;
}

export interface PolicyVersion {
  hash: string;
  name: string;
  author: string;
  createdAt: string;
  activations: { at: string; author: string }[];
}

export async function listPolicyVersions(db: Kysely<DB>, storeId: string): Promise<PolicyVersion[]> {
  const [versions, activations] = await Promise.all([
    db
      .selectFrom('policy_versions')
      .select(['hash', 'name', 'author', 'created_at'])
      .where('store_id', '=', storeId)
      .orderBy('created_at', 'desc')
      .execute(),
    db
      .selectFrom('policy_activations')
      .select(['hash', 'author', 'activated_at'])
      .where('store_id', '=', storeId)
      .orderBy('seq', 'desc')
      .execute(),
  ]);
  return versions.map((v) => ({
    hash: v.hash,
    name: v.name,
    author: v.author,
    createdAt: v.created_at,
    activations: activations.filter((a) => a.hash === v.hash).map((a) => ({ at: a.activated_at, author: a.author })),
  }));
}

/** The parsed policy of a version the store has had (cases remember theirs). */
export async function policyVersion(db: Kysely<DB>, storeId: string, hash: string): Promise<Policy | null> {
  const d = defaultPolicy();
  if (hash === d.hash) return d.policy;
  const row = await db
    .selectFrom('policy_versions')
    .select(['source'])
    .where('store_id', '=', storeId)
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row ? parseKnown(hash, row.source) : null;
}
