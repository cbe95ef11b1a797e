/**
 * Proactive recovery wired to events and time. After each accepted event is
 * projected (inside the ingest transaction) `onEvent` looks at it: a failure
 * the event itself shows (a lost parcel, an outage, a stock-out) fires at
 * once; a deadline it sets (a promise, the next carrier scan, a payment's
 * grace) becomes a job due at that instant on the injected clock, cancelled
 * when the parcel arrives first. Job handlers decide again from the database,
 * so a timer that fires for a promise that has since moved does nothing.
 */
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { AmendsEvent } from '../events/envelope.ts';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import type { DB } from '../platform/db/schema.ts';
import { defineJob, type JobDefinition, type JobQueue } from '../platform/jobs/jobs.ts';
import type { ProactiveSettings } from '../policy/policy.schema.ts';
import { activePolicy, policyGeneration } from '../policy/policy.service.ts';
import { deliveryLateness, metricBreached, movingStatuses, rateSpike, type ShipmentFacts, trackingStall } from './detect.ts';
import {
  type ContactJobData,
  fire,
  type IncidentCause,
  incidentFor,
  type MonitorDeps,
  paidSince,
  resolveIncident,
  runContact,
} from './monitors.service.ts';
import { addMinutes, localDay, resolvePromise } from './promise.ts';

/** A deadline further in the past than this when we learn of it is history (an import), not something to act on now. */
const HISTORY_MS = 86_400_000;
const SETTINGS_TTL_MS = 1000;
/** A parcel with no scan for this long is no longer watched for stalls (it is lost, or long forgotten). */
const STALL_WATCH_MAX_MS = 30 * 86_400_000;

const storeAndOrder = z.object({ storeId: z.string(), orderId: z.string() });
const storeAndShipment = z.object({ storeId: z.string(), shipmentId: z.string() });
const storeAndPayment = z.object({ storeId: z.string(), paymentId: z.string() });
const contactData = z.object({ storeId: z.string(), incidentId: z.string(), customerId: z.string() });

export interface ProactiveJobs {
  orderDue: JobDefinition<z.infer<typeof storeAndOrder>>;
  shipmentStall: JobDefinition<z.infer<typeof storeAndShipment>>;
  paymentCheck: JobDefinition<z.infer<typeof storeAndPayment>>;
  contact: JobDefinition<ContactJobData>;
}

export class Proactive {
  readonly jobs: ProactiveJobs;
  private readonly deps: MonitorDeps;
  private readonly cache = new Map<string, { settings: ProactiveSettings; until: number; generation: number }>();
  private readonly timezones = new Map<string, { timezone: string; until: number }>();

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly queue: JobQueue,
  ) {
    // Each handler runs in one transaction of its own: the firing, its case and its message commit together.
    // No fsync of its own: a job whose effects were lost in a crash runs again (at least once; handlers are idempotent).
    const inTx = <T>(fn: (tx: Kysely<DB>, data: T) => Promise<void>) => {
      return async (data: T) => {
        await this.database.db.transaction().execute((tx) => fn(tx, data));
      };
    };
    this.jobs = {
      orderDue: defineJob({ name: 'proactive.order-due', schema: storeAndOrder, handler: inTx((tx, d) => this.checkOrder(tx, d)) }),
      shipmentStall: defineJob({
        name: 'proactive.shipment-stall',
        schema: storeAndShipment,
        handler: inTx((tx, d) => this.checkStall(tx, d)),
      }),
      paymentCheck: defineJob({
        name: 'proactive.payment-check',
        schema: storeAndPayment,
        handler: inTx((tx, d) => this.checkPayment(tx, d)),
      }),
      contact: defineJob({ name: 'proactive.contact', schema: contactData, handler: inTx((tx, d) => runContact(tx, this.deps, d)) }),
    };
    this.deps = { clock, queue, contactJob: this.jobs.contact, settings: (db, storeId) => this.settings(db, storeId) };
  }

  /** Lets this process run the proactive jobs (serve with the embedded queue, `amends worker`, replay). */
  register(): void {
    for (const def of Object.values(this.jobs)) this.queue.register(def);
  }

  /** The store's proactive settings from its active policy, cached briefly (and dropped when this process activates one). */
  async settings(db: Kysely<DB>, storeId: string): Promise<ProactiveSettings> {
    const t = performance.now();
    const hit = this.cache.get(storeId);
    if (hit && hit.until > t && hit.generation === policyGeneration()) return hit.settings;
    const settings = (await activePolicy(db, storeId)).policy.proactive;
    this.cache.set(storeId, { settings, until: t + SETTINGS_TTL_MS, generation: policyGeneration() });
    return settings;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** Too old to act on: learnt long after it happened. */
  private isHistory(at: string): boolean {
    return this.clock.now().getTime() - Date.parse(at) > HISTORY_MS;
  }

  /** Called by the ingestor for each newly accepted event, after its projection, in the same transaction. */
  async onEvent(tx: Kysely<DB>, storeId: string, e: AmendsEvent): Promise<void> {
    switch (e.type) {
      case 'order.placed':
        if (e.data.promisedBy) await this.scheduleNewOrder(tx, storeId, e.data.orderId, e.data.promisedBy);
        if (e.data.items && e.data.items.length > 0) await this.checkBackorderOnOrder(tx, storeId, e, e.data.items);
        return;
      case 'order.cancelled':
        await this.queue.cancel(this.jobs.orderDue, `late:${storeId}:${e.data.orderId}`, { tx });
        return;
      case 'shipment.created':
      case 'shipment.updated': {
        const d = e.data;
        if (d.promisedBy) await this.scheduleOrder(tx, storeId, d.orderId);
        if (d.status === 'delivered') return this.delivered(tx, storeId, d.orderId, d.shipmentId);
        if (d.status === 'lost' || d.status === 'exception') return this.shipmentFailed(tx, storeId, e, d.status);
        if (d.status !== undefined && movingStatuses.has(d.status))
          await this.watchShipment(tx, storeId, d.shipmentId, d.lastCarrierEventAt ?? e.occurredAt);
        return;
      }
      case 'shipment.delivered':
        return this.delivered(tx, storeId, e.data.orderId, e.data.shipmentId);
      case 'payment.succeeded':
      case 'payment.failed':
        return this.onPayment(tx, storeId, e);
      case 'metric.observed':
        return this.onMetric(tx, storeId, e);
      case 'inventory.updated':
        if (e.data.available <= 0) await this.checkBackorderOnStock(tx, storeId, e);
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- deliveries

  private async orderFacts(db: Kysely<DB>, storeId: string, orderId: string) {
    const [order, rows] = await Promise.all([
      db
        .selectFrom('orders')
        .select(['customer_id', 'status', 'promised_by'])
        .where('store_id', '=', storeId)
        .where('id', '=', orderId)
        .executeTakeFirst(),
      db
        .selectFrom('shipments')
        .select(['id', 'status', 'promised_by', 'delivered_at', 'last_carrier_event_at', 'shipped_at', 'carrier', 'region'])
        .where('store_id', '=', storeId)
        .where('order_id', '=', orderId)
        .execute(),
    ]);
    const shipments: ShipmentFacts[] = rows.map((s) => ({
      id: s.id,
      status: s.status,
      promisedBy: s.promised_by,
      deliveredAt: s.delivered_at,
      lastCarrierEventAt: s.last_carrier_event_at,
      shippedAt: s.shipped_at,
      carrier: s.carrier,
      region: s.region,
    }));
    return { order, shipments };
  }

  /** Each scan of a parcel on the move sets its stall timer afresh: stalled means no scan for `trackingStallHours`. */
  private async watchShipment(tx: Kysely<DB>, storeId: string, shipmentId: string, scanAt: string): Promise<void> {
    const settings = await this.settings(tx, storeId);
    const at = addMinutes(scanAt, settings.trackingStallHours * 60);
    if (this.isHistory(at)) return;
    const key = `stall:${storeId}:${shipmentId}`;
    await this.queue.cancel(this.jobs.shipmentStall, key, { tx });
    await this.queue.send(this.jobs.shipmentStall, { storeId, shipmentId }, { runAt: new Date(at), singletonKey: key, tx });
  }

  /** A new order's lateness timer, from the promise it came with (no shipment can have moved it yet). */
  private async scheduleNewOrder(tx: Kysely<DB>, storeId: string, orderId: string, promise: string): Promise<void> {
    const [settings, timezone] = await Promise.all([this.settings(tx, storeId), this.storeTimezone(tx, storeId)]);
    const deadline = addMinutes(resolvePromise(promise, timezone), settings.lateGraceMinutes);
    if (this.isHistory(deadline)) return;
    await this.queue.send(
      this.jobs.orderDue,
      { storeId, orderId },
      { runAt: new Date(deadline), singletonKey: `late:${storeId}:${orderId}`, tx },
    );
  }

  /** (Re)sets the order's lateness timer at its current promise + grace. */
  private async scheduleOrder(tx: Kysely<DB>, storeId: string, orderId: string): Promise<void> {
    const [{ order, shipments }, settings] = await Promise.all([this.orderFacts(tx, storeId, orderId), this.settings(tx, storeId)]);
    if (!order) return;
    const l = deliveryLateness({ status: order.status, promisedBy: order.promised_by }, shipments, this.now(), settings.lateGraceMinutes);
    if (l.state !== 'pending' && l.state !== 'late') return;
    if (this.isHistory(l.deadline)) return;
    const key = `late:${storeId}:${orderId}`;
    await this.queue.cancel(this.jobs.orderDue, key, { tx });
    await this.queue.send(this.jobs.orderDue, { storeId, orderId }, { runAt: new Date(l.deadline), singletonKey: key, tx });
  }

  private async delivered(tx: Kysely<DB>, storeId: string, orderId: string, shipmentId: string): Promise<void> {
    await this.queue.cancel(this.jobs.shipmentStall, `stall:${storeId}:${shipmentId}`, { tx });
    // The order is delivered only when every parcel is: another one still on its way keeps the lateness timer.
    const waiting = await tx
      .selectFrom('shipments')
      .select('id')
      .where('store_id', '=', storeId)
      .where('order_id', '=', orderId)
      .where('status', '!=', 'delivered')
      .limit(1)
      .executeTakeFirst();
    if (waiting) return;
    await this.queue.cancel(this.jobs.orderDue, `late:${storeId}:${orderId}`, { tx });
  }

  /** The lateness timer: is the order late now? */
  async checkOrder(tx: Kysely<DB>, d: { storeId: string; orderId: string }): Promise<void> {
    const [{ order, shipments }, settings] = await Promise.all([this.orderFacts(tx, d.storeId, d.orderId), this.settings(tx, d.storeId)]);
    if (!order) return;
    const now = this.now();
    const l = deliveryLateness({ status: order.status, promisedBy: order.promised_by }, shipments, now, settings.lateGraceMinutes);
    if (l.state === 'pending') {
      // The promise moved later after this timer was set, and no newer timer replaced it: look again then.
      await this.queue.send(this.jobs.orderDue, d, {
        runAt: new Date(l.deadline),
        singletonKey: `late:${d.storeId}:${d.orderId}@${l.deadline}`,
        tx,
      });
      return;
    }
    if (l.state !== 'late') return;
    const s = l.shipment;
    const timezone = await this.storeTimezone(tx, d.storeId);
    const carrier = s?.carrier ?? null;
    const region = s?.region ?? null;
    await fire(tx, this.deps, {
      storeId: d.storeId,
      monitor: 'shipment_late',
      subjectKey: `order:${d.orderId}`,
      customerId: order.customer_id,
      orderId: d.orderId,
      failureAt: l.deadline,
      kind: 'delivery_late',
      severity: 2,
      cause: deliveryCause('shipment_late', carrier, region, localDay(l.deadline, timezone), s === null),
      details: {
        carrier,
        region,
        promisedBy: l.promise,
        lastCarrierEventAt: s?.lastCarrierEventAt ?? null,
        shipmentId: s?.id ?? null,
        lateByMinutes: l.lateByMinutes,
      },
      contactFrom: addMinutes(l.promise, settings.minLatenessMinutes),
    });
  }

  /** The stall timer: has the parcel had no scan for too long? */
  async checkStall(tx: Kysely<DB>, d: { storeId: string; shipmentId: string }): Promise<void> {
    const s = await tx
      .selectFrom('shipments as s')
      .innerJoin('orders as o', (j) => j.onRef('o.store_id', '=', 's.store_id').onRef('o.id', '=', 's.order_id'))
      .select([
        's.order_id',
        's.status',
        's.last_carrier_event_at',
        's.shipped_at',
        's.carrier',
        's.region',
        's.updated_at',
        'o.customer_id',
        'o.status as order_status',
      ])
      .where('s.store_id', '=', d.storeId)
      .where('s.id', '=', d.shipmentId)
      .executeTakeFirst();
    if (!s || s.order_status === 'cancelled') return;
    const settings = await this.settings(tx, d.storeId);
    const now = this.now();
    const stall = trackingStall(
      // With no scan time or ship date, the last news of the parcel is its newest event (what watchShipment timed from).
      { status: s.status, lastCarrierEventAt: s.last_carrier_event_at, shippedAt: s.shipped_at ?? s.updated_at },
      now,
      settings.trackingStallHours,
    );
    if (!stall.stalled) {
      if (stall.checkAt) {
        await this.queue.send(this.jobs.shipmentStall, d, {
          runAt: new Date(stall.checkAt),
          singletonKey: `stall:${d.storeId}:${d.shipmentId}@${stall.checkAt}`,
          tx,
        });
      }
      return;
    }
    // Still watched while it sits there: if it moves and stops again, that is another stall.
    const again = addMinutes(now, settings.trackingStallHours * 60);
    if (Date.parse(again) - Date.parse(stall.since) < STALL_WATCH_MAX_MS) {
      await this.queue.send(this.jobs.shipmentStall, d, {
        runAt: new Date(again),
        singletonKey: `stall:${d.storeId}:${d.shipmentId}@${again}`,
        tx,
      });
    }
    const timezone = await this.storeTimezone(tx, d.storeId);
    await fire(tx, this.deps, {
      storeId: d.storeId,
      monitor: 'tracking_stalled',
      subjectKey: `shipment:${d.shipmentId}:${stall.since}`,
      customerId: s.customer_id,
      orderId: s.order_id,
      failureAt: stall.deadline,
      kind: 'delivery_late',
      severity: 2,
      cause: deliveryCause('tracking_stalled', s.carrier, s.region, localDay(stall.deadline, timezone), false),
      details: { carrier: s.carrier, region: s.region, lastCarrierEventAt: stall.since, shipmentId: d.shipmentId },
      contactFrom: now,
    });
  }

  private async shipmentFailed(
    tx: Kysely<DB>,
    storeId: string,
    e: AmendsEvent & { type: 'shipment.created' | 'shipment.updated' },
    status: 'lost' | 'exception',
  ): Promise<void> {
    const d = e.data;
    const failureAt = d.lastCarrierEventAt ?? e.occurredAt;
    if (this.isHistory(failureAt)) return;
    const [order, shipment, timezone] = await Promise.all([
      tx
        .selectFrom('orders')
        .select(['customer_id', 'status'])
        .where('store_id', '=', storeId)
        .where('id', '=', d.orderId)
        .executeTakeFirst(),
      tx
        .selectFrom('shipments')
        .select(['carrier', 'region', 'promised_by', 'last_carrier_event_at', 'status'])
        .where('store_id', '=', storeId)
        .where('id', '=', d.shipmentId)
        .executeTakeFirst(),
      this.storeTimezone(tx, storeId),
    ]);
    if (!order || order.status === 'cancelled') return;
    // A report older than what the parcel has done since (delivered, scanned again) arrived late: the projection kept
    // the newer status, and the parcel is not lost or stuck.
    if (shipment?.status !== status) return;
    const monitor = status === 'lost' ? 'lost' : 'delivery_exception';
    const carrier = shipment?.carrier ?? null;
    const region = shipment?.region ?? null;
    await fire(tx, this.deps, {
      storeId,
      monitor,
      subjectKey: `shipment:${d.shipmentId}`,
      customerId: order.customer_id,
      orderId: d.orderId,
      failureAt,
      kind: status === 'lost' ? 'delivery_lost' : 'delivery_late',
      severity: status === 'lost' ? 3 : 2,
      cause: deliveryCause(monitor, carrier, region, localDay(failureAt, timezone), false),
      details: {
        carrier,
        region,
        promisedBy: shipment?.promised_by ?? null,
        lastCarrierEventAt: shipment?.last_carrier_event_at ?? null,
        shipmentId: d.shipmentId,
      },
      contactFrom: this.now(),
    });
  }

  // ---------------------------------------------------------------- payments

  private async onPayment(
    tx: Kysely<DB>,
    storeId: string,
    e: AmendsEvent & { type: 'payment.succeeded' | 'payment.failed' },
  ): Promise<void> {
    const failed = e.type === 'payment.failed' ? 1 : 0;
    const bucket = `${e.occurredAt.slice(0, 13)}:00:00.000Z`;
    await sql`
      insert into monitor_buckets (store_id, metric, bucket, total, failed) values (${storeId}, 'payments', ${bucket}, 1, ${failed})
      on conflict (store_id, metric, bucket) do update set total = monitor_buckets.total + 1, failed = monitor_buckets.failed + ${failed}
    `.execute(tx);
    if (!failed || this.isHistory(e.occurredAt)) return;
    const settings = await this.settings(tx, storeId);
    await this.checkPaymentRate(tx, storeId, e.occurredAt, settings);
    const d = e.data;
    await this.queue.send(
      this.jobs.paymentCheck,
      { storeId, paymentId: d.paymentId },
      { runAt: new Date(addMinutes(e.occurredAt, settings.paymentGraceMinutes)), singletonKey: `pay:${storeId}:${d.paymentId}`, tx },
    );
  }

  /** The store's failure rate in the last window against its baseline: a spike opens a store-wide incident. */
  private async checkPaymentRate(tx: Kysely<DB>, storeId: string, at: string, settings: ProactiveSettings): Promise<void> {
    const cfg = settings.paymentFailureRate;
    const hour = 3_600_000;
    const t = Date.parse(at);
    const windowStart = new Date(Math.floor((t - cfg.windowMinutes * 60_000) / hour) * hour).toISOString();
    const baselineStart = new Date(Math.floor((t - cfg.baselineDays * 86_400_000) / hour) * hour).toISOString();
    const rows = await tx
      .selectFrom('monitor_buckets')
      .select(['bucket', 'total', 'failed'])
      .where('store_id', '=', storeId)
      .where('metric', '=', 'payments')
      .where('bucket', '>=', baselineStart)
      .where('bucket', '<=', at)
      .execute();
    const win = { total: 0, failed: 0 };
    const base = { total: 0, failed: 0 };
    for (const r of rows) {
      const into = r.bucket >= windowStart ? win : base;
      into.total += Number(r.total);
      into.failed += Number(r.failed);
    }
    const spike = rateSpike(win, base, cfg);
    if (!spike.spike) return;
    const day = localDay(at, await this.storeTimezone(tx, storeId));
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    await fire(tx, this.deps, {
      storeId,
      monitor: 'payment_failure_rate',
      subjectKey: `store:${day}`,
      customerId: null,
      orderId: null,
      failureAt: at,
      kind: 'payment_problem',
      severity: 3,
      cause: {
        key: `payment_failure_rate|day:${day}`,
        title: `Payment failures at ${pct(spike.windowRate)} (usually ${pct(spike.baselineRate)})`,
        data: { day, windowRate: spike.windowRate, baselineRate: spike.baselineRate, window: win, baseline: base },
        public: true,
        avertable: null,
      },
      details: { value: spike.windowRate },
      contactFrom: at,
    });
  }

  /** The payment grace: did the customer pay after all? If not, tell them (joining a spike or outage under way). */
  async checkPayment(tx: Kysely<DB>, d: { storeId: string; paymentId: string }): Promise<void> {
    const p = await tx
      .selectFrom('payments')
      .select(['customer_id', 'order_id', 'amount', 'currency', 'reason', 'occurred_at', 'status'])
      .where('store_id', '=', d.storeId)
      .where('id', '=', d.paymentId)
      .executeTakeFirst();
    if (p?.status !== 'failed' || (await paidSince(tx, d.storeId, d.paymentId))) return;
    if (p.order_id) {
      const order = await tx
        .selectFrom('orders')
        .select('status')
        .where('store_id', '=', d.storeId)
        .where('id', '=', p.order_id)
        .executeTakeFirst();
      if (order?.status === 'cancelled') return;
    }
    // A failure during a store-wide problem belongs to that incident; otherwise it is the customer's own. "During":
    // an outage's window (it may have ended by the time the grace has passed); a payment spike's day (it has no end).
    const spikeKey = `payment_failure_rate|day:${localDay(p.occurred_at, await this.storeTimezone(tx, d.storeId))}`;
    const shared = await tx
      .selectFrom('incidents')
      .select(['cause_key', 'title', 'cause', 'public', 'monitor'])
      .where('store_id', '=', d.storeId)
      .where((eb) => eb.or([eb('monitor', '=', 'metric_threshold'), eb('cause_key', '=', spikeKey)]))
      .where('started_at', '<=', p.occurred_at)
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', p.occurred_at)]))
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const cause: IncidentCause = shared
      ? {
          key: shared.cause_key,
          title: shared.title,
          data: JSON.parse(shared.cause) as Record<string, unknown>,
          public: shared.public === 1,
          avertable: null,
        }
      : {
          key: `payment_failed|payment:${d.paymentId}`,
          title: `Payment did not go through${p.order_id ? ` for order ${p.order_id}` : ''}`,
          data: { paymentId: d.paymentId, reason: p.reason },
          public: false,
          avertable: null,
        };
    await fire(tx, this.deps, {
      storeId: d.storeId,
      monitor: 'payment_failed',
      subjectKey: `payment:${d.paymentId}`,
      customerId: p.customer_id,
      orderId: p.order_id,
      failureAt: p.occurred_at,
      kind: 'payment_problem',
      severity: 2,
      cause,
      details: { paymentId: d.paymentId, payment: { amount: Number(p.amount), currency: p.currency }, reason: p.reason },
      contactFrom: this.now(),
    });
  }

  // ---------------------------------------------------------------- metrics (outages)

  private async onMetric(tx: Kysely<DB>, storeId: string, e: AmendsEvent & { type: 'metric.observed' }): Promise<void> {
    const settings = await this.settings(tx, storeId);
    const threshold = settings.metrics[e.data.metric];
    if (!threshold) return;
    const open = await tx
      .selectFrom('incidents')
      .select(['id', 'cause', 'started_at'])
      .where('store_id', '=', storeId)
      .where('monitor', '=', 'metric_threshold')
      .where('status', '=', 'open')
      .where('cause_key', 'like', `metric:${e.data.metric}|%`)
      .executeTakeFirst();
    const breached = metricBreached(e.data.value, threshold);
    if (!breached) {
      // Back within bounds: the outage window closes (not on a reading from before it began that arrived late).
      if (open && e.occurredAt > open.started_at) await resolveIncident(tx, storeId, open.id, e.occurredAt);
      return;
    }
    if (open || this.isHistory(e.occurredAt)) return;
    const bound = threshold.above !== undefined ? `above ${threshold.above}` : `below ${threshold.below}`;
    await incidentFor(tx, this.clock, {
      storeId,
      monitor: 'metric_threshold',
      kind: e.data.metric === 'uptime' || e.data.metric.includes('checkout') ? 'website_bug' : 'other',
      severity: threshold.severity as 1 | 2 | 3 | 4,
      failureAt: e.occurredAt,
      cause: {
        key: `metric:${e.data.metric}|since:${e.occurredAt}`,
        title: `${e.data.metric.replaceAll('_', ' ')} ${bound} (${e.data.value})`,
        data: { metric: e.data.metric, value: e.data.value, threshold, since: e.occurredAt },
        public: threshold.public,
        avertable: null,
      },
    });
  }

  // ---------------------------------------------------------------- stock

  private async checkBackorderOnOrder(
    tx: Kysely<DB>,
    storeId: string,
    e: AmendsEvent & { type: 'order.placed' },
    items: readonly { sku: string; name: string }[],
  ): Promise<void> {
    const out = await tx
      .selectFrom('inventory')
      .select(['sku', 'restock_at'])
      .where('store_id', '=', storeId)
      .where(
        'sku',
        'in',
        items.map((i) => i.sku),
      )
      .where('available', '<=', 0)
      .executeTakeFirst();
    if (!out || this.isHistory(e.occurredAt)) return;
    const name = items.find((i) => i.sku === out.sku)?.name ?? null;
    await this.fireBackorder(tx, storeId, {
      orderId: e.data.orderId,
      customerId: e.data.customerId,
      sku: out.sku,
      itemName: name,
      restockAt: out.restock_at,
      at: e.occurredAt,
    });
  }

  private async checkBackorderOnStock(tx: Kysely<DB>, storeId: string, e: AmendsEvent & { type: 'inventory.updated' }): Promise<void> {
    if (this.isHistory(e.occurredAt)) return;
    // A report older than the stock level already known arrived late: the projection kept the newer level.
    const stock = await tx
      .selectFrom('inventory')
      .select('available')
      .where('store_id', '=', storeId)
      .where('sku', '=', e.data.sku)
      .executeTakeFirst();
    if (!stock || stock.available > 0) return;
    // Orders still waiting to ship that contain the SKU (the item list is JSON; the LIKE narrows, the parse decides).
    const since = new Date(Date.parse(e.occurredAt) - 60 * 86_400_000).toISOString();
    const candidates = await tx
      .selectFrom('orders as o')
      .select(['o.id', 'o.customer_id', 'o.items'])
      .where('o.store_id', '=', storeId)
      .where('o.status', '=', 'placed')
      .where('o.placed_at', '>=', since)
      .where('o.items', 'like', `%${JSON.stringify(e.data.sku).slice(1, -1)}%`)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('shipments as s').select('s.id').whereRef('s.store_id', '=', 'o.store_id').whereRef('s.order_id', '=', 'o.id'),
          ),
        ),
      )
      .execute();
    for (const o of candidates) {
      const items = JSON.parse(o.items) as { sku: string; name: string }[];
      const item = items.find((i) => i.sku === e.data.sku);
      if (!item) continue;
      await this.fireBackorder(tx, storeId, {
        orderId: o.id,
        customerId: o.customer_id,
        sku: e.data.sku,
        itemName: item.name,
        restockAt: e.data.restockAt ?? null,
        at: e.occurredAt,
      });
    }
  }

  private async fireBackorder(
    tx: Kysely<DB>,
    storeId: string,
    b: { orderId: string; customerId: string | null; sku: string; itemName: string | null; restockAt: string | null; at: string },
  ): Promise<void> {
    const day = localDay(b.at, await this.storeTimezone(tx, storeId));
    await fire(tx, this.deps, {
      storeId,
      monitor: 'backorder',
      subjectKey: `order:${b.orderId}:sku:${b.sku}`,
      customerId: b.customerId,
      orderId: b.orderId,
      failureAt: b.at,
      kind: 'delivery_late',
      severity: 2,
      cause: {
        key: `backorder|sku:${b.sku}|day:${day}`,
        title: `Out of stock: ${b.itemName ?? b.sku}`,
        data: { sku: b.sku, day },
        public: false,
        // Selling what is not in stock is ours to prevent.
        avertable: 'the item was sold while out of stock',
      },
      details: { sku: b.sku, itemName: b.itemName, restockAt: b.restockAt },
      contactFrom: this.now(),
    });
  }

  /** The store's timezone, cached as briefly as the settings. */
  private async storeTimezone(db: Kysely<DB>, storeId: string): Promise<string> {
    const t = performance.now();
    const hit = this.timezones.get(storeId);
    if (hit && hit.until > t) return hit.timezone;
    const s = await db.selectFrom('stores').select('timezone').where('id', '=', storeId).executeTakeFirstOrThrow();
    this.timezones.set(storeId, { timezone: s.timezone, until: t + SETTINGS_TTL_MS });
    return s.timezone;
  }
}

/** Delivery failures of one carrier, to one region, on one day (in the store's timezone) share a cause. */
function deliveryCause(monitor: string, carrier: string | null, region: string | null, day: string, neverShipped: boolean): IncidentCause {
  const what =
    monitor === 'lost'
      ? 'Lost parcels'
      : monitor === 'delivery_exception'
        ? 'Delivery exceptions'
        : monitor === 'tracking_stalled'
          ? 'Stalled parcels'
          : 'Late deliveries';
  const title = neverShipped
    ? `Orders not shipped in time (${day})`
    : `${what}: ${carrier ?? 'unknown carrier'}${region ? ` to ${region}` : ''} (${day})`;
  return {
    key: `${monitor}|carrier:${neverShipped ? '(not shipped)' : (carrier ?? '')}|region:${region ?? ''}|day:${day}`,
    title,
    data: { carrier, region, day, neverShipped },
    public: false,
    // An order that never left the warehouse is late through our own doing.
    avertable: neverShipped ? 'the order was not shipped in time to keep its promise' : null,
  };
}
