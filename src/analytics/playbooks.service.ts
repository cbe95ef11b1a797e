/**
 * Playbooks: made from a resolved case (draftFromCase in playbooks.ts, personal data replaced by placeholders),
 * edited and archived by managers, suggested for a case by scenario with their track record, recorded as
 * "applied" when an agent uses one, and found by full-text search (FTS5 on SQLite, tsvector on PostgreSQL).
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import { type Actor, recordActivity } from '../cases/case-timeline.ts';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import type { DB, PlaybooksTable } from '../platform/db/schema.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import {
  type AppliedCase,
  anonymize,
  type CaseFacts,
  draftFromCase,
  fillPlaceholders,
  type Person,
  type PlaybookOutcome,
  type PlaybookRemedy,
  type PlaybookStep,
  placeholderValues,
  type Scenario,
  type ScenarioMatch,
  scenarioMatch,
  searchTerms,
  searchTextOf,
  type TrackRecord,
  trackRecord,
} from './playbooks.ts';

export const playbookStatuses = ['active', 'archived'] as const;
export type PlaybookStatus = (typeof playbookStatuses)[number];

/** Compensations that count as the remedy given (and its cost). */
const GIVEN = ['approved', 'issuing', 'issued'] as const;

export interface PlaybookView {
  id: string;
  title: string;
  summary: string;
  scenario: Scenario;
  steps: PlaybookStep[];
  messages: string[];
  remedy: PlaybookRemedy | null;
  outcome: PlaybookOutcome;
  sourceCaseId: string | null;
  status: PlaybookStatus;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  trackRecord: TrackRecord;
}

export interface PlaybookEdit {
  title?: string | undefined;
  summary?: string | undefined;
  steps?: PlaybookStep[] | undefined;
  messages?: string[] | undefined;
}

function toView(r: Selectable<PlaybooksTable>, record: TrackRecord): PlaybookView {
  return {
    id: r.id,
    title: r.title,
    summary: r.summary,
    scenario: { kind: r.kind, severity: Number(r.severity), tier: r.customer_tier, emotion: r.emotion },
    steps: JSON.parse(r.steps) as PlaybookStep[],
    messages: JSON.parse(r.messages) as string[],
    remedy: r.remedy ? (JSON.parse(r.remedy) as PlaybookRemedy) : null,
    outcome: JSON.parse(r.outcome) as PlaybookOutcome,
    sourceCaseId: r.source_case_id,
    status: r.status as PlaybookStatus,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    trackRecord: record,
  };
}

async function storeCurrency(db: Kysely<DB>, storeId: string): Promise<string> {
  const s = await db.selectFrom('stores').select('currency').where('id', '=', storeId).executeTakeFirst();
  return s?.currency ?? 'USD';
}

async function loadCaseRow(db: Kysely<DB>, storeId: string, caseId: string) {
  const row = await db.selectFrom('cases').selectAll().where('store_id', '=', storeId).where('id', '=', caseId).executeTakeFirst();
  if (!row) throw notFound('case', caseId);
  return row;
}

async function loadRow(db: Kysely<DB>, storeId: string, id: string): Promise<Selectable<PlaybooksTable>> {
  const row = await db.selectFrom('playbooks').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('playbook', id);
  return row;
}

/** Whose personal data a case's texts hold: the customer's, and the order's id. */
async function personOf(db: Kysely<DB>, storeId: string, c: { customer_id: string | null; order_id: string | null }): Promise<Person> {
  const cu = c.customer_id
    ? await db
        .selectFrom('customers')
        .select(['name', 'email', 'phone'])
        .where('store_id', '=', storeId)
        .where('id', '=', c.customer_id)
        .executeTakeFirst()
    : undefined;
  return { name: cu?.name ?? null, email: cu?.email ?? null, phone: cu?.phone ?? null, orderId: c.order_id };
}

/** Track records of many playbooks at once: their applications, the cases' status, CSAT answers and remedy cost. */
async function trackRecords(db: Kysely<DB>, storeId: string, ids: string[], currency: string): Promise<Map<string, TrackRecord>> {
  const out = new Map<string, TrackRecord>();
  if (ids.length === 0) return out;
  const apps = await db
    .selectFrom('playbook_applications as a')
    .innerJoin('cases as c', (j) => j.onRef('c.store_id', '=', 'a.store_id').onRef('c.id', '=', 'a.case_id'))
    .select(['a.playbook_id', 'a.case_id', 'c.status'])
    .where('a.store_id', '=', storeId)
    .where('a.playbook_id', 'in', ids)
    .execute();
  const caseIds = [...new Set(apps.map((a) => a.case_id))];
  const csat = new Map<string, number[]>();
  const cost = new Map<string, number>();
  if (caseIds.length > 0) {
    const answers = await db
      .selectFrom('survey_responses')
      .select(['case_id', 'score'])
      .where('store_id', '=', storeId)
      .where('metric', '=', 'csat')
      .where('case_id', 'in', caseIds)
      .execute();
    for (const a of answers) if (a.case_id) csat.set(a.case_id, [...(csat.get(a.case_id) ?? []), Number(a.score)]);
    const comps = await db
      .selectFrom('compensations')
      .select(['case_id', 'cost'])
      .where('store_id', '=', storeId)
      .where('case_id', 'in', caseIds)
      .where('status', 'in', GIVEN)
      .execute();
    for (const c of comps) cost.set(c.case_id, (cost.get(c.case_id) ?? 0) + Number(c.cost));
  }
  const byPlaybook = new Map<string, AppliedCase[]>();
  for (const a of apps) {
    const list = byPlaybook.get(a.playbook_id) ?? [];
    list.push({ status: a.status, csatScores: csat.get(a.case_id) ?? [], cost: cost.get(a.case_id) ?? 0 });
    byPlaybook.set(a.playbook_id, list);
  }
  for (const id of ids) out.set(id, trackRecord(byPlaybook.get(id) ?? [], currency));
  return out;
}

async function views(db: Kysely<DB>, storeId: string, rows: Selectable<PlaybooksTable>[]): Promise<PlaybookView[]> {
  const records = await trackRecords(
    db,
    storeId,
    rows.map((r) => r.id),
    await storeCurrency(db, storeId),
  );
  return rows.map((r) => toView(r, records.get(r.id)!));
}

export async function getPlaybook(db: Kysely<DB>, storeId: string, id: string): Promise<PlaybookView> {
  const [v] = await views(db, storeId, [await loadRow(db, storeId, id)]);
  return v!;
}

/** The facts of a case a draft is made from. */
async function caseFacts(db: Kysely<DB>, storeId: string, c: Awaited<ReturnType<typeof loadCaseRow>>): Promise<CaseFacts> {
  const [person, messages, comps, answers, next] = await Promise.all([
    personOf(db, storeId, c),
    db
      .selectFrom('case_messages')
      .select(['kind', 'author_type', 'body', 'created_at', 'template'])
      .where('store_id', '=', storeId)
      .where('case_id', '=', c.id)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('compensations')
      .select(['kind', 'label', 'amount', 'percent_off', 'points', 'currency', 'status'])
      .where('store_id', '=', storeId)
      .where('case_id', '=', c.id)
      .where('status', 'in', GIVEN)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('survey_responses')
      .select('score')
      .where('store_id', '=', storeId)
      .where('case_id', '=', c.id)
      .where('metric', '=', 'csat')
      .execute(),
    c.customer_id && c.resolved_at
      ? db
          .selectFrom('orders')
          .select('placed_at')
          .where('store_id', '=', storeId)
          .where('customer_id', '=', c.customer_id)
          .where('placed_at', '>', c.resolved_at)
          .orderBy('placed_at')
          .limit(1)
          .executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  return {
    number: c.number,
    subject: c.subject,
    scenario: { kind: c.kind ?? 'other', severity: Number(c.severity ?? 2), tier: c.customer_tier, emotion: c.emotion },
    createdAt: c.created_at,
    resolvedAt: c.resolved_at ?? c.closed_at ?? c.updated_at,
    person,
    messages: messages.map((m) => ({
      kind: m.kind,
      authorType: m.author_type,
      body: m.body,
      createdAt: m.created_at,
      template: m.template,
    })),
    remedies: comps.map((r) => ({
      kind: r.kind,
      label: r.label,
      amount: r.amount === null ? null : Number(r.amount),
      percentOff: r.percent_off === null ? null : Number(r.percent_off),
      points: r.points === null ? null : Number(r.points),
      currency: r.currency,
      status: r.status,
    })),
    csatScores: answers.map((a) => Number(a.score)),
    nextOrderAt: next?.placed_at ?? null,
  };
}

/** Edited words lose the source customer's personal data the same way the draft's did. */
function cleanEdit(e: PlaybookEdit, person: Person | null): PlaybookEdit {
  const a = (s: string) => (person ? anonymize(s, person) : s);
  return {
    ...(e.title !== undefined ? { title: a(e.title) } : {}),
    ...(e.summary !== undefined ? { summary: a(e.summary) } : {}),
    ...(e.steps !== undefined ? { steps: e.steps.map((s) => ({ title: a(s.title), detail: a(s.detail) })) } : {}),
    ...(e.messages !== undefined ? { messages: e.messages.map(a) } : {}),
  };
}

/**
 * A playbook from a resolved (or closed) case: 409 while the case is open, or when an active playbook was already
 * made from it. `edit` replaces parts of the draft (its words are cleaned of the customer's data too).
 */
export async function createFromCase(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  caseId: string,
  edit: PlaybookEdit,
  actor: Actor,
): Promise<PlaybookView> {
  const c = await loadCaseRow(db, storeId, caseId);
  if (c.status !== 'resolved' && c.status !== 'closed') {
    throw new AppError(409, 'case_not_resolved', `case #${c.number} is ${c.status}: only a resolved case becomes a playbook`);
  }
  const existing = await db
    .selectFrom('playbooks')
    .select('id')
    .where('store_id', '=', storeId)
    .where('source_case_id', '=', caseId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (existing) {
    throw new AppError(409, 'playbook_exists', `case #${c.number} already has a playbook (${existing.id}); edit that one`, undefined, {
      playbookId: existing.id,
    });
  }
  const facts = await caseFacts(db, storeId, c);
  const draft = { ...draftFromCase(facts), ...cleanEdit(edit, facts.person) };
  const at = clock.now().toISOString();
  const id = newId('pb', clock);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('playbooks')
      .values({
        store_id: storeId,
        id,
        title: draft.title,
        summary: draft.summary,
        kind: draft.scenario.kind,
        severity: draft.scenario.severity,
        customer_tier: draft.scenario.tier,
        emotion: draft.scenario.emotion,
        steps: JSON.stringify(draft.steps),
        messages: JSON.stringify(draft.messages),
        remedy: draft.remedy ? JSON.stringify(draft.remedy) : null,
        outcome: JSON.stringify(draft.outcome),
        source_case_id: caseId,
        status: 'active',
        created_by: actor.id,
        created_at: at,
        updated_at: at,
        search_text: searchTextOf(draft),
      })
      .execute();
    await recordActivity(trx, storeId, caseId, at, actor, 'playbook.created', { playbookId: id, title: draft.title });
  });
  return getPlaybook(db, storeId, id);
}

/** Edits the words or the status (archive, restore). */
export async function updatePlaybook(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  id: string,
  patch: PlaybookEdit & { status?: PlaybookStatus | undefined },
): Promise<PlaybookView> {
  const row = await loadRow(db, storeId, id);
  const source = row.source_case_id
    ? await db
        .selectFrom('cases')
        .select(['customer_id', 'order_id'])
        .where('store_id', '=', storeId)
        .where('id', '=', row.source_case_id)
        .executeTakeFirst()
    : undefined;
  const e = cleanEdit(patch, source ? await personOf(db, storeId, source) : null);
  const next = {
    title: e.title ?? row.title,
    summary: e.summary ?? row.summary,
    steps: e.steps ?? (JSON.parse(row.steps) as PlaybookStep[]),
    messages: e.messages ?? (JSON.parse(row.messages) as string[]),
    remedy: row.remedy ? (JSON.parse(row.remedy) as PlaybookRemedy) : null,
  };
  await db
    .updateTable('playbooks')
    .set({
      title: next.title,
      summary: next.summary,
      steps: JSON.stringify(next.steps),
      messages: JSON.stringify(next.messages),
      ...(patch.status ? { status: patch.status } : {}),
      search_text: searchTextOf(next),
      updated_at: clock.now().toISOString(),
    })
    .where('store_id', '=', storeId)
    .where('id', '=', id)
    .execute();
  return getPlaybook(db, storeId, id);
}

export interface PlaybookQuery {
  q?: string | undefined;
  kind?: string | undefined;
  status?: PlaybookStatus | 'all' | undefined;
  limit: number;
}

/**
 * Playbooks of the store: with `q`, those whose words contain every word of the query (as a prefix), best first
 * (FTS5's bm25 on SQLite, ts_rank on PostgreSQL: the same matches, not necessarily the same order); without it,
 * the most recently changed first.
 */
export async function searchPlaybooks(database: Database, storeId: string, query: PlaybookQuery): Promise<PlaybookView[]> {
  const db = database.db;
  const status = query.status ?? 'active';
  if (query.q === undefined || query.q.trim() === '') {
    let q = db.selectFrom('playbooks').selectAll().where('store_id', '=', storeId);
    if (status !== 'all') q = q.where('status', '=', status);
    if (query.kind) q = q.where('kind', '=', query.kind);
    const rows = await q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return views(db, storeId, rows);
  }
  const terms = searchTerms(query.q);
  if (terms.length === 0) throw new AppError(400, 'invalid_request', 'q has no words to search for', 'q');
  const kindCond = query.kind ? sql`and p.kind = ${query.kind}` : sql``;
  const statusCond = status === 'all' ? sql`` : sql`and p.status = ${status}`;
  // Terms are runs of letters and digits only (searchTerms), so they cannot break out of either query syntax.
  const hits =
    database.dialect === 'sqlite'
      ? await sql<{ id: string }>`
          select p.id from playbooks_fts
          join playbooks p on p.store_id = playbooks_fts.store_id and p.id = playbooks_fts.playbook_id
          where playbooks_fts match ${terms.map((t) => `"${t}"*`).join(' ')}
            and playbooks_fts.store_id = ${storeId} ${kindCond} ${statusCond}
          order by bm25(playbooks_fts), p.updated_at desc
          limit ${query.limit}`.execute(db)
      : await sql<{ id: string }>`
          select p.id from playbooks p, to_tsquery('simple', ${terms.map((t) => `${t}:*`).join(' & ')}) tq
          where p.store_id = ${storeId} and p.search @@ tq ${kindCond} ${statusCond}
          order by ts_rank(p.search, tq) desc, p.updated_at desc
          limit ${query.limit}`.execute(db);
  const ids = hits.rows.map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('playbooks').selectAll().where('store_id', '=', storeId).where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return views(db, storeId, ids.map((id) => byId.get(id)!).filter(Boolean));
}

export interface SuggestedPlaybook extends PlaybookView {
  match: ScenarioMatch;
  /** The messages with this case's customer filled in. */
  renderedMessages: string[];
  /** Already used on this case. */
  appliedHere: boolean;
}

/** Active playbooks of the case's kind, closest scenario first, then the better track record, then the newest. */
export async function suggestForCase(
  db: Kysely<DB>,
  storeId: string,
  caseId: string,
  limit = 5,
): Promise<{ scenario: Scenario | null; playbooks: SuggestedPlaybook[] }> {
  const c = await loadCaseRow(db, storeId, caseId);
  if (!c.kind) return { scenario: null, playbooks: [] };
  const scenario: Scenario = { kind: c.kind, severity: Number(c.severity ?? 2), tier: c.customer_tier, emotion: c.emotion };
  const rows = await db
    .selectFrom('playbooks')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('status', '=', 'active')
    .where('kind', '=', c.kind)
    .where((eb) => eb.or([eb('source_case_id', 'is', null), eb('source_case_id', '!=', caseId)]))
    .execute();
  const matched = rows
    .map((r) => ({
      r,
      m: scenarioMatch(scenario, { kind: r.kind, severity: Number(r.severity), tier: r.customer_tier, emotion: r.emotion }),
    }))
    .filter((x): x is { r: (typeof rows)[number]; m: ScenarioMatch } => x.m !== null);
  const all = await views(
    db,
    storeId,
    matched.map((x) => x.r),
  );
  const applied = new Set(
    (
      await db
        .selectFrom('playbook_applications')
        .select('playbook_id')
        .where('store_id', '=', storeId)
        .where('case_id', '=', caseId)
        .execute()
    ).map((a) => a.playbook_id),
  );
  const values = placeholderValues(await personOf(db, storeId, c));
  const resolvedCount = (v: PlaybookView) => v.trackRecord.resolved;
  const out = all
    .map((v, i) => ({
      ...v,
      match: matched[i]!.m,
      renderedMessages: v.messages.map((m) => fillPlaceholders(m, values)),
      appliedHere: applied.has(v.id),
    }))
    .sort(
      (a, b) =>
        b.match.score - a.match.score ||
        resolvedCount(b) - resolvedCount(a) ||
        (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0),
    );
  return { scenario, playbooks: out.slice(0, limit) };
}

/** Records that a playbook was used on a case (once per case) and notes it on the case's timeline. */
export async function applyPlaybook(
  db: Kysely<DB>,
  clock: Clock,
  storeId: string,
  caseId: string,
  playbookId: string,
  actor: Actor,
): Promise<{ playbookId: string; caseId: string; first: boolean; trackRecord: TrackRecord }> {
  await loadCaseRow(db, storeId, caseId);
  const pb = await loadRow(db, storeId, playbookId);
  if (pb.status !== 'active') throw new AppError(409, 'playbook_archived', `playbook ${playbookId} is archived`);
  const at = clock.now().toISOString();
  const first = await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('playbook_applications')
      .values({
        store_id: storeId,
        playbook_id: playbookId,
        case_id: caseId,
        applied_by_type: actor.type,
        applied_by_id: actor.id,
        applied_at: at,
      })
      .onConflict((oc) => oc.columns(['store_id', 'playbook_id', 'case_id']).doNothing())
      .returning('case_id')
      .executeTakeFirst();
    if (inserted) await recordActivity(trx, storeId, caseId, at, actor, 'playbook.applied', { playbookId, title: pb.title });
    return inserted !== undefined;
  });
  const records = await trackRecords(db, storeId, [playbookId], await storeCurrency(db, storeId));
  return { playbookId, caseId, first, trackRecord: records.get(playbookId)! };
}
