import { sql } from 'kysely';
import { seedDemoPlaybooks } from '../analytics/playbooks-demo.ts';
import { addMessage, assignCase, changeStatus } from '../cases/cases.service.ts';
import type { CaseStatus } from '../cases/lifecycle.ts';
import { seedCommunityDemo } from '../community/demo.ts';
import { seedStatusDemo } from '../community/status/demo.ts';
import { offersForCase, requestCompensation } from '../compensation/compensations.service.ts';
import { getEvent } from '../events/events.service.ts';
import { validateBatch } from '../events/ingest.ts';
import { seedDemoFollowups } from '../followups/demo.ts';
import { ManualClock } from '../platform/clock.ts';
import type { AppContext } from '../platform/http/context.ts';
import { randomPassword } from '../stores/passwords.ts';
import { setUserPassword } from '../stores/sessions.service.ts';
import { createStore, createToken, ensureUser, getStore } from '../stores/stores.service.ts';
import { demoEvents, type RawEvent } from './demo-store.ts';
import { Random, seededRng } from './rng.ts';

export const DEMO_STORE = 'demo';
const DEMO_COMPLETE = 'demo-seed-complete';

const agents = [
  { email: 'maya@demo.example', name: 'Maya Chen', role: 'agent' },
  { email: 'tom@demo.example', name: 'Tom Okafor', role: 'agent' },
  { email: 'lucia@demo.example', name: 'Lucía Romero', role: 'agent' },
  { email: 'sam@demo.example', name: 'Sam Patel', role: 'manager' },
  { email: 'owner@demo.example', name: 'Robin Hart', role: 'admin' },
] as const;

/** Who signs in to the demo console: one user per role, sharing the password printed at start. */
export const DEMO_CONSOLE_USERS = [
  { email: 'admin@demo.test', name: 'Avery Admin', role: 'admin' },
  { email: 'manager@demo.test', name: 'Morgan Manager', role: 'manager' },
  { email: 'agent@demo.test', name: 'Alex Agent', role: 'agent' },
] as const;

export interface DemoSeed {
  seeded: boolean;
  events: number;
  /** A fresh admin token for the API. */
  token: string;
  /** A fresh password for DEMO_CONSOLE_USERS (only its hashes are stored), shown once. */
  password: string;
}

/**
 * Creates the demo store if the database has none, through the same ingest
 * path as real events, then works its older cases the way a team would have.
 * Safe to call on every start: an existing demo store is left as it is.
 */
export async function seedDemo(ctx: AppContext, onProgress?: (done: number, total: number) => void): Promise<DemoSeed> {
  const db = ctx.database.db;
  if (!(await getStore(db, DEMO_STORE))) {
    await createStore(db, ctx.clock, { id: DEMO_STORE, name: 'Demo Tea & Coffee Co.', timezone: 'America/New_York', currency: 'USD' });
  }
  let count = 0;
  // The last demo event marks a finished seed. A seed cut short (Ctrl+C) resumes: every demo event has a fixed
  // id, so those already in are answered as duplicates and the rest go in.
  const seeded = (await getEvent(db, DEMO_STORE, DEMO_COMPLETE)) === undefined;
  if (seeded) {
    const now = ctx.clock.now();
    const events: RawEvent[] = [
      ...demoEvents({ now }),
      { id: DEMO_COMPLETE, type: 'metric.observed', occurredAt: now.toISOString(), data: { metric: 'demo_seeded', value: 1 } },
    ];
    for (let i = 0; i < events.length; i += 1000) {
      const v = validateBatch(events.slice(i, i + 1000), DEMO_STORE);
      if (!v.ok) throw new Error(`demo event ${i + v.errors[0]!.index} is invalid: ${v.errors[0]!.path} ${v.errors[0]!.message}`);
      // The marker goes in only after the cases are worked, so an interrupted run is redone as a whole.
      const batch = v.events.filter((e) => e.id !== DEMO_COMPLETE);
      await ctx.ingestor.ingest(DEMO_STORE, batch, 'demo');
      count += batch.length;
      onProgress?.(count, events.length - 1);
    }
    await workCases(ctx, now);
    await openWork(ctx);
    await seedDemoFollowups(ctx);
    await seedDemoPlaybooks(ctx);
    await seedStatusDemo(ctx, DEMO_STORE, now);
    const marker = validateBatch(events.slice(-1), DEMO_STORE);
    if (marker.ok) await ctx.ingestor.ingest(DEMO_STORE, marker.events, 'demo');
  }
  const admin = await ensureUser(db, ctx.clock, DEMO_STORE, { email: 'owner@demo.example', name: 'Robin Hart', role: 'admin' });
  const { token } = await createToken(db, ctx.clock, { storeId: DEMO_STORE, role: 'admin', name: 'demo console', userId: admin.id });
  // A new password on every start: the old one cannot be shown again, and resetting it signs out old sessions.
  const password = randomPassword();
  for (const u of DEMO_CONSOLE_USERS) await setUserPassword(db, ctx.clock, { storeId: DEMO_STORE, ...u, password });
  await seedCommunityDemo(ctx, DEMO_STORE);
  return { seeded, events: count, token, password };
}

/** What a demo agent writes first: owning the problem, with a next step. */
const firstReplies = [
  "I'm sorry about this. I've looked into your order and I'll write to you by tomorrow with what I can do.",
  "I'm really sorry. I've asked our warehouse to check and I'll update you today.",
  "I'm sorry this happened. I'm on it now and I'll come back to you within a day with a fix.",
];

/** Older cases have been handled; recent ones are still open, some assigned. */
async function workCases(ctx: AppContext, now: Date): Promise<void> {
  const db = ctx.database.db;
  const rnd = new Random(seededRng(7));
  const users = [];
  for (const a of agents) users.push(await ensureUser(db, ctx.clock, DEMO_STORE, a));
  const workers = users.filter((u) => u.role !== 'admin');
  const cases = await db
    .selectFrom('cases')
    .select(['id', 'created_at', 'status'])
    .where('store_id', '=', DEMO_STORE)
    .orderBy('created_at')
    .execute();
  for (const c of cases) {
    const opened = Date.parse(c.created_at);
    const ageDays = (now.getTime() - opened) / 86_400_000;
    const clock = new ManualClock(new Date(opened + rnd.int(1, 40) * 60_000));
    const agent = rnd.pick(workers);
    const actor = { type: 'user' as const, id: agent.id };
    const step = async (to: CaseStatus, afterHours: number) => {
      clock.advance(afterHours * 3_600_000);
      if (clock.now() < now) await changeStatus(db, clock, DEMO_STORE, c.id, to, actor);
    };
    if (ageDays < 0.5) continue;
    // Complaints with a way to reach the customer were acknowledged when they arrived.
    if (c.status === 'new') await changeStatus(db, clock, DEMO_STORE, c.id, 'acknowledged', { type: 'system', id: null });
    if (ageDays < 1 && rnd.chance(0.5)) continue;
    await assignCase(db, clock, DEMO_STORE, c.id, agent.id, actor);
    clock.advance(rnd.int(1, 8) * 3_600_000);
    if (clock.now() >= now) continue;
    await addMessage(db, clock, DEMO_STORE, c.id, { kind: 'reply', body: rnd.pick(firstReplies) }, actor);
    await step('in_progress', 0);
    if (ageDays < 7) {
      if (rnd.chance(0.4)) await step('waiting_on_customer', rnd.int(1, 24));
      continue;
    }
    await step('resolved', rnd.int(4, 72));
    if (ageDays > 14) await step('closed', 24 * 7);
    if (ageDays > 30 && rnd.chance(0.04)) {
      await step('reopened', rnd.int(24, 240));
      await step('in_progress', rnd.int(1, 6));
      await step('resolved', rnd.int(6, 48));
    }
  }
}

/** Why a demo agent asked a manager for more than they may give. */
const justifications = [
  'Third late parcel this year for a long-standing customer; a code alone would not be enough.',
  'The item arrived broken just before the gift date; the customer asked for a replacement and a gesture.',
];

/**
 * Today's work for the people who sign in to the demo: a few open cases on the console agent's desk, and
 * requests above an agent's authority waiting in the managers' approvals — each made the way an agent
 * would, through the policy, so what waits is what the policy really asks a manager to approve.
 */
async function openWork(ctx: AppContext): Promise<void> {
  const db = ctx.database.db;
  const users = [];
  for (const u of DEMO_CONSOLE_USERS) users.push(await ensureUser(db, ctx.clock, DEMO_STORE, u));
  const agent = users.find((u) => u.role === 'agent')!;
  const soon = new Date(ctx.clock.now().getTime() + 4 * 3_600_000).toISOString();
  const open = await db
    .selectFrom('cases')
    .select(['id', 'assignee_id'])
    .where('store_id', '=', DEMO_STORE)
    .where('status', 'in', ['new', 'acknowledged', 'in_progress'])
    .where('customer_id', 'is not', null)
    // Not about to breach: a breach escalates the case to a manager and takes it off the agent's desk.
    .where((eb) => eb.or([eb('resolution_due_at', 'is', null), eb('resolution_due_at', '>', soon)]))
    .where((eb) =>
      eb.or([eb('first_response_due_at', 'is', null), eb('first_responded_at', 'is not', null), eb('first_response_due_at', '>', soon)]),
    )
    // The same cases on either engine: no NULL ordering to differ on, and ties broken by id.
    .orderBy(sql`coalesce(priority_score, -1)`, 'desc')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const actor = { type: 'user' as const, id: agent.id };
  const principal = { tokenId: 'demo-seed', storeId: DEMO_STORE, role: 'agent' as const, userId: agent.id };
  let requested = 0;
  let mine = 0;
  for (const c of open) {
    if (requested >= justifications.length && mine >= 4) break;
    const { decision } = await offersForCase(ctx, principal, c.id);
    const above = decision.offers.find((o) => o.approval.needed);
    if (above && requested < justifications.length) {
      await assignCase(db, ctx.clock, DEMO_STORE, c.id, agent.id, actor);
      await requestCompensation(ctx, principal, c.id, {
        offerId: above.offerId,
        idempotencyKey: `demo-approval-${c.id}`,
        justification: justifications[requested],
      });
      requested++;
      mine++;
    } else if (c.assignee_id === null && mine < 4) {
      await assignCase(db, ctx.clock, DEMO_STORE, c.id, agent.id, actor);
      mine++;
    }
  }
}
