/**
 * The demo store's status page: the newest open incident the monitors found goes public with words a manager
 * wrote and an update, and last week's short checkout outage shows as resolved with what was done. Called once
 * from src/demo/seed-demo.ts; safe to run again (the incident by its cause key, updates deduplicated).
 */
import { ManualClock } from '../../platform/clock.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { setIncidentPublic } from '../../proactive/incidents.service.ts';
import { incidentFor, resolveIncident } from '../../proactive/monitors.service.ts';
import { ensureUser } from '../../stores/stores.service.ts';
import { postIncidentUpdate } from './incident-updates.service.ts';

const MINUTE = 60_000;

export async function seedStatusDemo(ctx: AppContext, storeId: string, now: Date): Promise<void> {
  const db = ctx.database.db;
  const manager = await ensureUser(db, ctx.clock, storeId, { email: 'sam@demo.example', name: 'Sam Patel', role: 'manager' });
  const actor = { type: 'user' as const, id: manager.id };
  const at = (ms: number) => new ManualClock(new Date(Math.min(ms, now.getTime())));

  // Last week: checkout errors for 40 minutes, found by the metric monitor, fixed, explained.
  const start = now.getTime() - 6 * 24 * 60 * MINUTE - 5 * 60 * MINUTE;
  const since = new Date(start).toISOString();
  const outage = await incidentFor(db, at(start), {
    storeId,
    monitor: 'metric_threshold',
    kind: 'website_bug',
    severity: 3,
    failureAt: since,
    cause: {
      key: `metric:checkout_error_rate|since:${since}`,
      title: 'checkout error rate above 0.05 (0.18)',
      data: { metric: 'checkout_error_rate', value: 0.18, threshold: { above: 0.05 }, since },
      public: true,
      avertable: null,
    },
  });
  if (outage.created) {
    await setIncidentPublic(db, at(start + 8 * MINUTE), storeId, outage.id, {
      publicTitle: 'Checkout errors',
      publicSummary: 'Some customers saw an error when paying at checkout.',
      actor,
    });
    await postIncidentUpdate(db, at(start + 12 * MINUTE), storeId, outage.id, {
      state: 'identified',
      body: 'A change to our payment settings is rejecting some cards. We are rolling it back now.',
      public: true,
      actor,
    });
    await resolveIncident(db, storeId, outage.id, new Date(start + 40 * MINUTE).toISOString());
    await postIncidentUpdate(db, at(start + 55 * MINUTE), storeId, outage.id, {
      state: 'resolved',
      body: 'The change was rolled back and checkout has worked normally since. No card was charged for a failed order; if you could not complete your order, your basket is still saved.',
      public: true,
      actor,
    });
  }

  // Today: the newest open incident the monitors found goes on the status page, with a manager's update.
  const open = await db
    .selectFrom('incidents')
    .select('id')
    .where('store_id', '=', storeId)
    .where('status', '=', 'open')
    .where('monitor', '!=', 'metric_threshold')
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!open) return;
  // Written now (after the system's opening update, whenever the seed ran), so it is the latest word.
  await setIncidentPublic(db, ctx.clock, storeId, open.id, {
    public: true,
    publicTitle: 'Delivery delays with one carrier',
    publicSummary: 'Some parcels are held up at a carrier depot. Affected customers are hearing from us directly.',
    actor,
  });
  await postIncidentUpdate(db, ctx.clock, storeId, open.id, {
    state: 'identified',
    body: 'The carrier has confirmed a backlog at one sorting depot. Parcels are safe and moving again; expect up to two days of delay.',
    public: true,
    actor,
  });
}
