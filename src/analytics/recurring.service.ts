/**
 * Recurring issues, the running part: a daily job scans each store's recent weeks with the detector
 * (recurring.ts), stores each new spike once per (dimension, value, week), merges the spikes of one week that
 * share their failures into one issue with an incident suggestion, and raises `analytics.recurring_issue`
 * (Slack, webhooks) once per issue, in the transaction that stores it.
 *
 * - Jobs: `analytics.recurring-scan` (periodic, only fans out: one `analytics.recurring-store` per store, then
 *   sets itself for the next day at 02:00 UTC, keyed by that date so a restart cannot double the chain) and
 *   `analytics.recurring-store` {storeId} (singleton per store). `serve` sends the first scan when it listens.
 * - Idempotent: spikes are unique per (store, dimension, value, week) and issues per (store, week, their primary
 *   spike); a scan that finds nothing new changes nothing. A new spike whose failures overlap an issue of the same
 *   week already stored joins it (no second alert). Counts of the current week grow: they are updated, silently.
 * - Only news is alerted: spikes in the current or the previous week. Older ones (the first scan of a store with
 *   history) are stored as history, `alerted_at` null.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { notify } from '../channels/notify.ts';
import type { DB } from '../platform/db/schema.ts';
import type { AppContext } from '../platform/http/context.ts';
import { newId } from '../platform/ids.ts';
import { defineJob, type JobDefinition } from '../platform/jobs/jobs.ts';
import {
  defaultRecurringRule,
  detectSpikes,
  groupSpikes,
  overlap,
  type RecurringRule,
  recurringDimensions,
  type SpikeGroup,
  suggestIncident,
  weeklySeries,
  weekOf,
  weekStartInstant,
  weeksBetween,
} from './recurring.ts';
import { loadFailures } from './root-cause.service.ts';
import { valuesOf } from './root-cause.ts';

const DAY = 86_400_000;
/** Weeks judged by each scan (the current one included); older weeks only serve as baseline. */
export const SCAN_WEEKS = 12;
/** Spikes in the last this-many weeks (the current one included) are news and alerted. */
export const ALERT_WEEKS = 2;

export interface ScanResult {
  spikes: number;
  newSpikes: number;
  newIssues: number;
  alerted: number;
}

const scanData = z.object({}).loose();
const storeData = z.object({ storeId: z.string().min(1) });

const instances = new WeakMap<AppContext, RecurringIssues>();

/** The instance registered for an app (tests drive its jobs). */
export function recurringIssuesFor(ctx: AppContext): RecurringIssues | undefined {
  return instances.get(ctx);
}

/** The next 02:00 UTC strictly after `now`. */
export function nextScanAt(now: Date): Date {
  const day = Math.floor(now.getTime() / DAY) * DAY + 2 * 3_600_000;
  return new Date(day > now.getTime() ? day : day + DAY);
}

export class RecurringIssues {
  readonly scanJob: JobDefinition<Record<string, unknown>>;
  readonly storeJob: JobDefinition<{ storeId: string }>;

  constructor(
    private readonly ctx: AppContext,
    private readonly rule: RecurringRule = defaultRecurringRule,
  ) {
    this.scanJob = defineJob({
      name: 'analytics.recurring-scan',
      schema: scanData,
      handler: async (_d, run) => {
        const stores = await this.ctx.database.db.selectFrom('stores').select('id').execute();
        for (const s of stores) {
          await this.ctx.jobs.send(this.storeJob, { storeId: s.id }, { singletonKey: `analytics.recurring:${s.id}` });
        }
        await this.scheduleNext(run.now);
      },
    });
    this.storeJob = defineJob({
      name: 'analytics.recurring-store',
      schema: storeData,
      handler: async (d) => {
        await this.scanStore(d.storeId);
      },
    });
  }

  register(): void {
    this.ctx.jobs.register(this.scanJob);
    this.ctx.jobs.register(this.storeJob);
    instances.set(this.ctx, this);
  }

  /** Sends a scan due now (at start), keyed by today's date: a restart the same day adds no second chain. */
  async start(): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.jobs.send(this.scanJob, {}, { runAt: now, singletonKey: `analytics.recurring-scan:${now.toISOString().slice(0, 10)}` });
  }

  private async scheduleNext(now: Date): Promise<void> {
    const at = nextScanAt(now);
    await this.ctx.jobs.send(this.scanJob, {}, { runAt: at, singletonKey: `analytics.recurring-scan:${at.toISOString().slice(0, 10)}` });
  }

  /** Detects spikes in the store's last SCAN_WEEKS weeks and stores (and alerts) what is new. */
  async scanStore(storeId: string): Promise<ScanResult> {
    const db = this.ctx.database.db;
    const store = await db.selectFrom('stores').select(['timezone']).where('id', '=', storeId).executeTakeFirst();
    if (!store) return { spikes: 0, newSpikes: 0, newIssues: 0, alerted: 0 };
    const tz = store.timezone;
    const now = this.ctx.clock.now();
    const weeks = weeksBetween(
      new Date(now.getTime() - (SCAN_WEEKS - 1 + this.rule.baselineWeeks) * 7 * DAY).toISOString(),
      now.toISOString(),
      tz,
    );
    const historyStart = await this.historyStart(db, storeId, weeks, tz);
    const from = weekStartInstant(weeks[0]!, tz);
    const failures = await loadFailures(db, storeId, { from, to: new Date(now.getTime() + 1).toISOString() });
    const { series, members } = weeklySeries(
      failures.map((f) => ({ id: f.id, at: f.at, values: Object.fromEntries(recurringDimensions.map((d) => [d, valuesOf(f, d)])) })),
      weeks,
      tz,
    );
    const spikes = detectSpikes(weeks, series, { fromIndex: weeks.length - SCAN_WEEKS, historyStart }, this.rule);
    const groups = groupSpikes(spikes, members);
    const alertFrom = weeks.length - ALERT_WEEKS;
    const result: ScanResult = { spikes: spikes.length, newSpikes: 0, newIssues: 0, alerted: 0 };
    if (groups.length === 0) return result;
    const at = now.toISOString();
    await db.transaction().execute(async (trx) => {
      for (const g of groups) await this.store(trx, storeId, g, g.primary.weekIndex >= alertFrom, at, result);
    });
    await this.ctx.database.flush();
    return result;
  }

  /** Index of the first week with the store's data in it, plus one (that week is partial); 0 if older than `weeks`. */
  private async historyStart(db: Kysely<DB>, storeId: string, weeks: readonly string[], tz: string): Promise<number> {
    const o = await db
      .selectFrom('orders')
      .select((eb) => eb.fn.min('placed_at').as('first'))
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    const c = await db
      .selectFrom('cases')
      .select((eb) => eb.fn.min('created_at').as('first'))
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    const firsts = [o?.first, c?.first].filter((x): x is string => typeof x === 'string');
    if (firsts.length === 0) return weeks.length;
    const first = weekOf(firsts.sort()[0]!, tz);
    const i = weeks.indexOf(first);
    if (i >= 0) return i + 1;
    return first < weeks[0]! ? 0 : weeks.length;
  }

  private async store(trx: Kysely<DB>, storeId: string, g: SpikeGroup, news: boolean, at: string, result: ScanResult): Promise<void> {
    const known = await trx
      .selectFrom('recurring_spikes')
      .select(['dimension', 'value', 'issue_id', 'count'])
      .where('store_id', '=', storeId)
      .where('week', '=', g.week)
      .execute();
    const knownBy = new Map(known.map((k) => [`${k.dimension}\u0000${k.value}`, k]));
    const fresh = g.spikes.filter((s) => !knownBy.has(`${s.dimension}\u0000${s.value}`));
    // Counts of a week still running grow: keep the stored ones current, without a new alert.
    for (const s of g.spikes) {
      const k = knownBy.get(`${s.dimension}\u0000${s.value}`);
      if (k && Number(k.count) < s.count) {
        await trx
          .updateTable('recurring_spikes')
          .set({ count: s.count, z: s.z, baseline_mean: s.baseline.mean })
          .where('store_id', '=', storeId)
          .where('dimension', '=', s.dimension)
          .where('value', '=', s.value)
          .where('week', '=', g.week)
          .execute();
      }
    }
    let issueId = known.find((k) => g.spikes.some((s) => s.dimension === k.dimension && s.value === k.value))?.issue_id;
    if (!issueId && fresh.length > 0) {
      // A spike that shares its failures with an issue stored earlier in the week joins it.
      const issues = await trx
        .selectFrom('recurring_issues')
        .select(['id', 'case_ids'])
        .where('store_id', '=', storeId)
        .where('week', '=', g.week)
        .execute();
      issueId = issues.find((i) => overlap(JSON.parse(i.case_ids) as string[], g.failureIds) >= 0.5)?.id;
    }
    if (!issueId) {
      if (fresh.length === 0) return;
      const suggestion = suggestIncident(g);
      const id = newId('rci', this.ctx.clock);
      const inserted = await trx
        .insertInto('recurring_issues')
        .values({
          store_id: storeId,
          id,
          week: g.week,
          dimension: g.primary.dimension,
          value: g.primary.value,
          title: suggestion.title,
          suggestion: JSON.stringify(suggestion),
          case_ids: JSON.stringify(g.failureIds),
          cases: g.failureIds.length,
          status: 'open',
          alerted_at: news ? at : null,
          detected_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['store_id', 'week', 'dimension', 'value']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return;
      issueId = id;
      result.newIssues++;
      if (news) {
        const p = g.primary;
        await notify(
          trx,
          storeId,
          'analytics.recurring_issue',
          {
            issueId: id,
            title: suggestion.title,
            summary: suggestion.summary,
            kind: suggestion.kind,
            cause: suggestion.cause,
            week: g.week,
            dimension: p.dimension,
            value: p.value,
            count: p.count,
            baselineMean: Math.round(p.baseline.mean * 100) / 100,
            z: Math.round(p.z * 100) / 100,
            cases: g.failureIds.length,
            spikes: g.spikes.map((s) => ({ dimension: s.dimension, value: s.value, count: s.count })),
          },
          at,
        );
        result.alerted++;
      }
    } else {
      // Known issue: its failures may have grown this week.
      const row = await trx
        .selectFrom('recurring_issues')
        .select(['case_ids'])
        .where('store_id', '=', storeId)
        .where('id', '=', issueId)
        .executeTakeFirst();
      const before = row ? (JSON.parse(row.case_ids) as string[]) : [];
      const union = [...new Set([...before, ...g.failureIds])].sort();
      if (row && union.length !== before.length) {
        await trx
          .updateTable('recurring_issues')
          .set({ case_ids: JSON.stringify(union), cases: union.length, updated_at: at })
          .where('store_id', '=', storeId)
          .where('id', '=', issueId)
          .execute();
      }
    }
    for (const s of fresh) {
      const r = await trx
        .insertInto('recurring_spikes')
        .values({
          store_id: storeId,
          dimension: s.dimension,
          value: s.value,
          week: g.week,
          issue_id: issueId,
          count: s.count,
          baseline_mean: s.baseline.mean,
          baseline_weeks: s.baseline.weeks,
          z: s.z,
          detected_at: at,
        })
        .onConflict((oc) => oc.columns(['store_id', 'dimension', 'value', 'week']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) result.newSpikes++;
    }
  }
}

export interface RecurringIssueView {
  id: string;
  week: string;
  dimension: string;
  value: string;
  title: string;
  status: string;
  cases: number;
  caseIds: string[];
  suggestion: unknown;
  spikes: { dimension: string; value: string; count: number; baselineMean: number; baselineWeeks: number; z: number }[];
  alertedAt: string | null;
  detectedAt: string;
  updatedAt: string;
}

/** Stored issues whose week starts in [fromWeek, toWeek], newest first, with their spikes. */
export async function listRecurringIssues(
  db: Kysely<DB>,
  storeId: string,
  q: { fromWeek: string; toWeek: string; limit: number },
): Promise<RecurringIssueView[]> {
  const issues = await db
    .selectFrom('recurring_issues')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('week', '>=', q.fromWeek)
    .where('week', '<=', q.toWeek)
    .orderBy('week', 'desc')
    .orderBy('id')
    .limit(q.limit)
    .execute();
  if (issues.length === 0) return [];
  const spikes = await db
    .selectFrom('recurring_spikes')
    .selectAll()
    .where('store_id', '=', storeId)
    .where(
      'issue_id',
      'in',
      issues.map((i) => i.id),
    )
    .execute();
  return issues.map((i) => ({
    id: i.id,
    week: i.week,
    dimension: i.dimension,
    value: i.value,
    title: i.title,
    status: i.status,
    cases: Number(i.cases),
    caseIds: JSON.parse(i.case_ids) as string[],
    suggestion: JSON.parse(i.suggestion) as unknown,
    spikes: spikes
      .filter((s) => s.issue_id === i.id)
      .sort((a, b) => Number(b.z) - Number(a.z))
      .map((s) => ({
        dimension: s.dimension,
        value: s.value,
        count: Number(s.count),
        baselineMean: Number(s.baseline_mean),
        baselineWeeks: Number(s.baseline_weeks),
        z: Number(s.z),
      })),
    alertedAt: i.alerted_at,
    detectedAt: i.detected_at,
    updatedAt: i.updated_at,
  }));
}
