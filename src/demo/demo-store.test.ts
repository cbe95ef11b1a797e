import { beforeAll, describe, expect, it } from 'vitest';
import { validateBatch } from '../events/ingest.ts';
import { demoEvents, type RawEvent } from './demo-store.ts';

const now = new Date('2026-04-15T10:30:00Z');

describe('demoEvents', () => {
  describe('determinism (small store)', () => {
    const small = { now, customers: 60, orders: 300 };

    it('comes out the same for the same now and seed', () => {
      const a = demoEvents({ ...small, seed: 7 });
      const b = demoEvents({ ...small, seed: 7 });
      expect(a.length).toBeGreaterThan(300);
      expect(b).toEqual(a);
    });

    it('uses seed 42 when none is given', () => {
      expect(demoEvents(small)).toEqual(demoEvents({ ...small, seed: 42 }));
    });

    it('comes out different for another seed', () => {
      const a = demoEvents({ ...small, seed: 7 });
      const b = demoEvents({ ...small, seed: 8 });
      expect(b).not.toEqual(a);
      // Not just a reordering: the customers' names differ.
      const names = (es: RawEvent[]) => es.filter((e) => e.type === 'customer.upserted').map((e) => e.data.name);
      expect(names(b)).not.toEqual(names(a));
    });

    it('is anchored to now: a later now moves the events', () => {
      const a = demoEvents({ ...small, seed: 7 });
      const b = demoEvents({ ...small, seed: 7, now: new Date(now.getTime() + 10 * 86_400_000) });
      expect(b).not.toEqual(a);
    });
  });

  describe('the default store', () => {
    let events: RawEvent[];
    const ofType = (type: string) => events.filter((e) => e.type === type);

    beforeAll(() => {
      events = demoEvents({ now });
    });

    it('passes validation for store demo, every event', () => {
      const result = validateBatch(events, 'demo');
      if (!result.ok) expect.fail(`first errors: ${JSON.stringify(result.errors.slice(0, 5))}`);
      expect(result.events).toHaveLength(events.length);
    });

    it('has unique event ids', () => {
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    });

    it('has no event after now, and is sorted by occurredAt', () => {
      const limit = now.getTime();
      const late = events.filter((e) => Date.parse(e.occurredAt) > limit);
      expect(late).toEqual([]);
      for (let i = 1; i < events.length; i++) {
        if (events[i - 1]!.occurredAt > events[i]!.occurredAt) {
          expect.fail(`event ${i} (${events[i]!.occurredAt}) is before event ${i - 1} (${events[i - 1]!.occurredAt})`);
        }
      }
      // Spans about a year.
      const span = Date.parse(events.at(-1)!.occurredAt) - Date.parse(events[0]!.occurredAt);
      expect(span).toBeGreaterThan(300 * 86_400_000);
    });

    it('has 2,000 customers and 10,000 orders', () => {
      expect(ofType('customer.upserted')).toHaveLength(2000);
      expect(ofType('order.placed')).toHaveLength(10_000);
    });

    it('has between 200 and 500 complaints', () => {
      const n = ofType('complaint.received').length;
      expect(n).toBeGreaterThanOrEqual(200);
      expect(n).toBeLessThanOrEqual(500);
    });

    it('delivers 5–12 % of shipments after their promise', () => {
      const promised = new Map<string, string>();
      for (const e of ofType('shipment.created')) promised.set(e.data.shipmentId as string, e.data.promisedBy as string);
      expect(promised.size).toBeGreaterThan(8000);
      let late = 0;
      for (const e of ofType('shipment.delivered')) {
        const p = promised.get(e.data.shipmentId as string);
        expect(p, `delivery of unknown shipment ${String(e.data.shipmentId)}`).toBeDefined();
        if (Date.parse(e.data.deliveredAt as string) > Date.parse(p!)) late++;
      }
      const share = late / promised.size;
      expect(share).toBeGreaterThanOrEqual(0.05);
      expect(share).toBeLessThanOrEqual(0.12);
    });

    it('loses 0.2–1.5 % of shipments', () => {
      const shipments = new Set(ofType('shipment.created').map((e) => e.data.shipmentId as string));
      const lost = new Set(
        ofType('shipment.updated')
          .filter((e) => e.data.status === 'lost')
          .map((e) => e.data.shipmentId as string),
      );
      for (const id of lost) expect(shipments.has(id), id).toBe(true);
      const share = lost.size / shipments.size;
      expect(share).toBeGreaterThanOrEqual(0.002);
      expect(share).toBeLessThanOrEqual(0.015);
    });

    it('has some failed payments', () => {
      const failed = ofType('payment.failed').length;
      expect(failed).toBeGreaterThan(0);
      expect(failed).toBeLessThan(ofType('order.placed').length * 0.1);
    });
  });
});
