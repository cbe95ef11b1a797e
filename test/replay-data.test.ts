import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RAW_LEDGER_TMP_PREFIX, rawInsertRowsPerSec } from '../bench/raw-ledger.ts';
import {
  type AmendsEventJson,
  expectedLateOrders,
  generateReplayEvents,
  LATE_FATES,
  lateOrderIds,
  type OrderOutcome,
  type ReplayOptions,
  writeReplayFile,
} from '../bench/replay-data.ts';
import { validateBatch } from '../src/events/ingest.ts';

function run(opts: ReplayOptions): { events: AmendsEventJson[]; orders: OrderOutcome[] } {
  const orders: OrderOutcome[] = [];
  const events = [...generateReplayEvents({ ...opts, onOrder: (o) => orders.push(o) })];
  return { events, orders };
}

const countBy = (events: AmendsEventJson[]) => {
  const out: Record<string, number> = {};
  for (const e of events) out[e.type] = (out[e.type] ?? 0) + 1;
  return out;
};

describe('generateReplayEvents (300 orders)', () => {
  const small: ReplayOptions = { orders: 300, seed: 11, dateOnlyPromiseShare: 0 };
  const { events, orders } = run(small);

  it('is deterministic: same seed, same lines; another seed, other lines', () => {
    const again = [...generateReplayEvents(small)].map((e) => JSON.stringify(e));
    expect(again).toEqual(events.map((e) => JSON.stringify(e)));
    const other = [...generateReplayEvents({ ...small, seed: 12 })].map((e) => JSON.stringify(e));
    expect(other).not.toEqual(again);
  });

  it('every event passes validateBatch', () => {
    expect(events.length).toBeGreaterThan(300 * 8);
    for (let i = 0; i < events.length; i += 1000) {
      const res = validateBatch(events.slice(i, i + 1000), 'bench');
      if (!res.ok) expect.fail(JSON.stringify(res.errors.slice(0, 3)));
    }
  });

  it('writes date-only promises the envelope accepts', () => {
    const withDates = [...generateReplayEvents({ ...small, dateOnlyPromiseShare: 0.5 })];
    const dated = withDates.filter((e) => e.type === 'order.placed' && /^\d{4}-\d{2}-\d{2}$/.test(e.data.promisedBy ?? ''));
    expect(dated.length).toBeGreaterThan(100);
    const res = validateBatch(withDates, 'bench');
    expect(res.ok ? [] : res.errors.slice(0, 3)).toEqual([]);
  });

  it('is in non-decreasing occurredAt order, starts at `start`, and ids are unique', () => {
    const times = events.map((e) => Date.parse(e.occurredAt));
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times[0]!).toBeGreaterThanOrEqual(Date.parse('2026-01-05T00:00:00Z'));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('upserts every customer before their first order', () => {
    const seen = new Set<string>();
    for (const e of events) {
      if (e.type === 'customer.upserted') seen.add(e.data.customerId);
      if (e.type === 'order.placed') expect(seen.has(e.data.customerId)).toBe(true);
    }
    expect(seen.size).toBe(60);
  });

  it('keeps each order timeline in causal order', () => {
    const placed = new Set<string>();
    for (const e of events) {
      if (e.type === 'order.placed') placed.add(e.data.orderId);
      else if ('orderId' in e.data && typeof e.data.orderId === 'string') expect(placed.has(e.data.orderId)).toBe(true);
    }
  });

  it('the late orders from the raw events are exactly the ones designed late', () => {
    const designed = orders
      .filter((o) => LATE_FATES.includes(o.fate))
      .map((o) => o.orderId)
      .sort();
    expect(designed.length).toBeGreaterThan(0);
    expect(lateOrderIds(events)).toEqual(designed);
    expect(expectedLateOrders(events)).toBe(designed.length);
  });

  it('resolves date-only promises in the store time zone', () => {
    for (const storeTimezone of ['America/New_York', 'Europe/Madrid']) {
      const r = run({ orders: 300, seed: 5, dateOnlyPromiseShare: 0.5, storeTimezone });
      expect(r.orders.filter((o) => o.dateOnlyPromise).length).toBeGreaterThan(100);
      const designed = r.orders
        .filter((o) => LATE_FATES.includes(o.fate))
        .map((o) => o.orderId)
        .sort();
      expect(lateOrderIds(r.events, { storeTimezone })).toEqual(designed);
    }
  });
});

describe('generateReplayEvents ratios (5,000 orders)', () => {
  const { events, orders } = run({ orders: 5000, seed: 3 });
  const byType = countBy(events);
  const share = (n: number, of: number) => n / of;
  const fateShare = (f: OrderOutcome['fate']) => share(orders.filter((o) => o.fate === f).length, orders.length);

  it('has about ten events an order and one customer per five orders', () => {
    const orderEvents = events.length - (byType['customer.upserted'] ?? 0) - (byType['metric.observed'] ?? 0);
    expect(orderEvents / 5000).toBeGreaterThan(9.3);
    expect(orderEvents / 5000).toBeLessThan(10.3);
    expect(byType['customer.upserted']).toBe(1000);
    expect(byType['order.placed']).toBe(5000);
    expect(byType['metric.observed']).toBe(90 * 24);
  });

  it('mixes fates roughly as designed', () => {
    expect(fateShare('on_time')).toBeGreaterThan(0.9);
    expect(fateShare('late')).toBeGreaterThan(0.04);
    expect(fateShare('late')).toBeLessThan(0.065);
    expect(fateShare('stalled') + fateShare('exception') + fateShare('lost')).toBeGreaterThan(0.01);
    expect(fateShare('stalled') + fateShare('exception') + fateShare('lost')).toBeLessThan(0.03);
    expect(fateShare('cancelled') + fateShare('payment_cancelled')).toBeGreaterThan(0.007);
    expect(fateShare('cancelled') + fateShare('payment_cancelled')).toBeLessThan(0.025);
    expect(share(byType['payment.failed']!, 5000)).toBeGreaterThan(0.02);
    expect(share(byType['payment.failed']!, 5000)).toBeLessThan(0.05);
    expect(byType['order.cancelled']).toBe(orders.filter((o) => o.fate === 'cancelled' || o.fate === 'payment_cancelled').length);
  });

  it('reviews ~20 % of delivered orders, low ratings mostly on late ones; complaints ~30 % of late ones', () => {
    const delivered = orders.filter((o) => o.deliveredAt !== null);
    expect(share(byType['review.posted']!, delivered.length)).toBeGreaterThan(0.16);
    expect(share(byType['review.posted']!, delivered.length)).toBeLessThan(0.24);
    const late = orders.filter((o) => LATE_FATES.includes(o.fate));
    expect(share(byType['complaint.received']!, late.length)).toBeGreaterThan(0.2);
    expect(share(byType['complaint.received']!, late.length)).toBeLessThan(0.4);
    const lateIds = new Set(late.map((o) => o.orderId));
    const reviews = events.flatMap((e) => (e.type === 'review.posted' ? [e.data] : []));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const onTimeMean = mean(reviews.filter((r) => !lateIds.has(r.orderId!)).map((r) => r.rating));
    const lateMean = mean(reviews.filter((r) => lateIds.has(r.orderId!)).map((r) => r.rating));
    expect(onTimeMean).toBeGreaterThan(3.7);
    expect(lateMean).toBeLessThan(3);
  });

  it('spikes checkout_error_rate twice, for 2–3 hours each', () => {
    const values = events.flatMap((e) => (e.type === 'metric.observed' ? [e.data.value] : []));
    expect(values.filter((v) => v > 0.1).length).toBeGreaterThanOrEqual(4);
    expect(values.filter((v) => v > 0.1).length).toBeLessThanOrEqual(6);
    expect(values.filter((v) => v < 0.05).every((v) => v >= 0 && v < 0.02)).toBe(true);
  });

  it('late orders in the default mix are 5–9 % of orders', () => {
    const n = expectedLateOrders(events);
    expect(n / 5000).toBeGreaterThan(0.05);
    expect(n / 5000).toBeLessThan(0.09);
  });
});

describe('writeReplayFile and rawInsertRowsPerSec', () => {
  it('writes one JSON per line, and the raw baseline inserts every one as a row', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-data-test-'));
    try {
      const file = path.join(dir, 'events.jsonl');
      const opts: ReplayOptions = { orders: 300, seed: 2 };
      const written = await writeReplayFile(file, opts);
      const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(lines.length).toBe(written.events);
      expect(lines.map((l) => JSON.parse(l))).toEqual([...generateReplayEvents(opts)]);
      expect(Object.values(written.byType).reduce((s, n) => s + n, 0)).toBe(written.events);

      const before = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(RAW_LEDGER_TMP_PREFIX)).length;
      const r = rawInsertRowsPerSec(file);
      expect(r.rows).toBe(written.events);
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.rowsPerSec).toBeCloseTo(r.rows / r.seconds);
      const after = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(RAW_LEDGER_TMP_PREFIX)).length;
      expect(after).toBeLessThanOrEqual(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
