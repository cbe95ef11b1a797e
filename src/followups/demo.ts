/**
 * Follow-ups in the demo store (called once by src/demo/seed-demo.ts after the demo's cases were worked).
 * Resolving those cases scheduled their check-ins and NPS questions through the real path; here the history is
 * settled the way it would have gone: the two most recent check-ins that fell due were sent and answered (one
 * happy customer, one unhappy one whose case reopened), older ones are marked as before the demo's
 * follow-ups began, and the check-ins of cases resolved in the last days stay scheduled. A VIP's personal note
 * is there whenever a VIP case was resolved.
 */
import { ManualClock } from '../platform/clock.ts';
import type { AppContext } from '../platform/http/context.ts';
import { answerSurvey } from './followups.service.ts';
import { followUpsFor, loadFollowup } from './followups.ts';

const DEMO_STORE = 'demo';

export async function seedDemoFollowups(ctx: AppContext): Promise<void> {
  const db = ctx.database.db;
  const f = followUpsFor(db);
  if (!f) return;
  const now = ctx.clock.now().toISOString();
  const due = await db
    .selectFrom('followups')
    .select(['id', 'kind', 'due_at', 'case_id'])
    .where('store_id', '=', DEMO_STORE)
    .where('status', '=', 'scheduled')
    .where('kind', '!=', 'personal_note')
    .where('due_at', '<=', now)
    .orderBy('due_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const checkins = due.filter((r) => r.kind === 'checkin');
  const answers: { csat: number; ces: number; comment: string | null }[] = [
    { csat: 5, ces: 6, comment: 'Quick and kind, thank you. The replacement mug is lovely.' },
    { csat: 1, ces: 2, comment: 'The second parcel arrived damaged too. I am still without my order.' },
  ];
  const sent = new Set<string>();
  for (const [i, a] of answers.entries()) {
    const r = checkins[i];
    if (!r) break;
    const row = await loadFollowup(db, DEMO_STORE, r.id);
    if (!row) continue;
    const clock = new ManualClock(row.due_at);
    const out = await db.transaction().execute((trx) => f.deliver(trx, row, clock.now(), { type: 'system', id: null }));
    if (out.status !== 'sent') continue;
    sent.add(r.id);
    const msg = await db
      .selectFrom('case_messages')
      .select('body')
      .where('store_id', '=', DEMO_STORE)
      .where('id', '=', out.messageId)
      .executeTakeFirst();
    const tokens = [...(msg?.body ?? '').matchAll(/\/s\/demo\/([A-Za-z0-9_-]{43})\?score=/gu)].map((m) => m[1]!);
    const [csatToken, cesToken] = [tokens[0], tokens.at(-1)];
    if (csatToken) await answerSurvey(ctx, DEMO_STORE, csatToken, { score: a.csat, comment: a.comment });
    if (cesToken && cesToken !== csatToken) await answerSurvey(ctx, DEMO_STORE, cesToken, { score: a.ces, comment: null });
  }
  // One more check-in still to come, as if its case had been resolved a day ago.
  const next = checkins.find((r) => !sent.has(r.id));
  if (next) {
    const at = new Date(ctx.clock.now().getTime() + 2 * 86_400_000);
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('followups')
        .set({ due_at: at.toISOString(), updated_at: now })
        .where('store_id', '=', DEMO_STORE)
        .where('id', '=', next.id)
        .execute();
      await f.cancelTimer(trx, DEMO_STORE, next.id);
      await f.reschedule(trx, DEMO_STORE, next.id, at);
    });
    sent.add(next.id);
  }
  // Personal notes long past: written back then; the latest stays on its manager's list.
  const notes = await db
    .selectFrom('followups')
    .select(['id', 'due_at', 'kind', 'case_id'])
    .where('store_id', '=', DEMO_STORE)
    .where('status', '=', 'scheduled')
    .where('kind', '=', 'personal_note')
    .where('due_at', '<=', now)
    .orderBy('due_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const r of [...due, ...notes.slice(1)]) {
    if (sent.has(r.id)) continue;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('followups')
        .set({ status: 'skipped', detail: 'due before follow-ups began in this demo store', updated_at: now })
        .where('store_id', '=', DEMO_STORE)
        .where('id', '=', r.id)
        .where('status', '=', 'scheduled')
        .execute();
      await f.cancelTimer(trx, DEMO_STORE, r.id);
    });
  }
}
