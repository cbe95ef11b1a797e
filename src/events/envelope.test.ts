import { describe, expect, it } from 'vitest';
import { type EventType, eventSubjects, eventTypes, type FieldError, formatPath, parseEvent } from './envelope.ts';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const envelope = (type: string, data: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  id: 'evt-1',
  type,
  occurredAt: '2026-03-01T12:00:00Z',
  data,
  ...over,
});

/** The smallest valid `data` of each type (DESIGN.md §3). */
const minimal: Record<EventType, Record<string, unknown>> = {
  'customer.upserted': { customerId: 'c-1' },
  'order.placed': { orderId: 'o-1', customerId: 'c-1', total: usd(100) },
  'order.cancelled': { orderId: 'o-1' },
  'shipment.created': { shipmentId: 's-1', orderId: 'o-1' },
  'shipment.updated': { shipmentId: 's-1', orderId: 'o-1' },
  'shipment.delivered': { shipmentId: 's-1', orderId: 'o-1', deliveredAt: '2026-03-02T12:00:00Z' },
  'payment.succeeded': { paymentId: 'p-1', customerId: 'c-1', amount: usd(100) },
  'payment.failed': { paymentId: 'p-1', customerId: 'c-1', amount: usd(100) },
  'refund.recorded': { refundId: 'r-1', orderId: 'o-1', amount: usd(100) },
  'review.posted': { reviewId: 'rv-1', rating: 4 },
  'complaint.received': { complaintId: 'cmp-1', customerId: 'c-1', channel: 'email', body: 'It broke' },
  'survey.answered': { caseId: 'case-1', kind: 'csat', score: 5 },
  'metric.observed': { metric: 'uptime', value: 99.95 },
  'inventory.updated': { sku: 'SKU-1', available: 0 },
};

function errorsOf(raw: unknown, index = 0): FieldError[] {
  const r = parseEvent(raw, index);
  if (r.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
  return r.errors;
}
const pathsOf = (raw: unknown) => errorsOf(raw).map((e) => e.path);

function parsed(raw: unknown) {
  const r = parseEvent(raw, 0);
  if (!r.ok) throw new Error(`expected a valid event, got ${JSON.stringify(r.errors)}`);
  return r.event;
}

describe('parseEvent', () => {
  it('has a minimal payload here for every event type', () => {
    expect(Object.keys(minimal).sort()).toEqual([...eventTypes].sort());
  });

  it.each(eventTypes)('accepts %s with a minimal payload', (type) => {
    const e = parsed(envelope(type, minimal[type]));
    expect(e).toMatchObject({ id: 'evt-1', type, occurredAt: '2026-03-01T12:00:00.000Z' });
    expect(e.data).toMatchObject(Object.fromEntries(Object.entries(minimal[type]).filter(([k]) => k !== 'deliveredAt')));
  });

  it.each(eventTypes.filter((type) => Object.keys(minimal[type]).length > 0))('refuses %s with an empty data object', (type) => {
    const errors = errorsOf(envelope(type, {}));
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.path).toMatch(/^data\./);
  });

  it('names the missing envelope fields', () => {
    expect(pathsOf({ type: 'order.cancelled', occurredAt: '2026-03-01T12:00:00Z', data: {} })).toContain('id');
    expect(pathsOf({ id: 'x', occurredAt: '2026-03-01T12:00:00Z', data: {} })).toContain('type');
    expect(pathsOf({ id: 'x', type: 'order.cancelled', data: { orderId: 'o' } })).toContain('occurredAt');
    expect(pathsOf({ id: 'x', type: 'order.cancelled', occurredAt: '2026-03-01T12:00:00Z' })).toContain('data');
  });

  it('refuses an unknown type, listing the known ones', () => {
    const [err] = errorsOf(envelope('order.exploded', {}));
    expect(err).toMatchObject({ path: 'type' });
    for (const type of eventTypes) expect(err!.message).toContain(type);
  });

  it('refuses envelopes that are not objects, or carry unknown fields', () => {
    for (const raw of [null, 'order.placed', 42, [envelope('order.cancelled', { orderId: 'o' })]]) {
      expect(parseEvent(raw, 0).ok, JSON.stringify(raw)).toBe(false);
    }
    const extra = errorsOf({ ...envelope('order.cancelled', { orderId: 'o' }), payload: {} });
    expect(extra.map((e) => e.message).join(' ')).toContain('payload');
  });

  it('bounds the id to 1..200 characters', () => {
    expect(parsed(envelope('order.cancelled', { orderId: 'o' }, { id: 'x'.repeat(200) })).id).toHaveLength(200);
    expect(pathsOf(envelope('order.cancelled', { orderId: 'o' }, { id: 'x'.repeat(201) }))).toEqual(['id']);
    expect(pathsOf(envelope('order.cancelled', { orderId: 'o' }, { id: '' }))).toEqual(['id']);
    expect(pathsOf(envelope('order.cancelled', { orderId: 'o' }, { id: 7 }))).toEqual(['id']);
  });

  it('keeps the batch index on every error', () => {
    const errors = errorsOf(envelope('order.placed', { orderId: 'o', customerId: 'c', total: { amount: 1.5, currency: 'usd' } }), 7);
    expect(errors.length).toBe(2);
    for (const e of errors) expect(e.index).toBe(7);
    expect(errors.map((e) => e.path).sort()).toEqual(['data.total.amount', 'data.total.currency']);
  });

  it('names nested paths inside data, with array indices', () => {
    const items = [
      { sku: 'A', name: 'a', quantity: 1, price: usd(100) },
      { sku: 'B', name: 'b', quantity: 0, price: usd(100) },
      { sku: 'C', name: 'c', quantity: 1, price: usd(1.25) },
    ];
    expect(pathsOf(envelope('order.placed', { ...minimal['order.placed'], items }))).toEqual([
      'data.items[1].quantity',
      'data.items[2].price.amount',
    ]);
    expect(pathsOf(envelope('customer.upserted', { customerId: 'c', tags: ['ok', 3] }))).toEqual(['data.tags[1]']);
    expect(pathsOf(envelope('shipment.updated', { ...minimal['shipment.updated'], status: 'teleported' }))).toEqual(['data.status']);
    expect(pathsOf(envelope('review.posted', { reviewId: 'r', rating: 6 }))).toEqual(['data.rating']);
    expect(pathsOf(envelope('customer.upserted', { customerId: 'c', email: 'not-an-email' }))).toEqual(['data.email']);
  });

  it('asks a complaint for customerId or email, and a non-empty body on a known channel', () => {
    const { customerId: _, ...anonymous } = minimal['complaint.received'];
    expect(pathsOf(envelope('complaint.received', anonymous))).toEqual(['data.customerId']);
    expect(parsed(envelope('complaint.received', { ...anonymous, email: 'ann@example.com' })).data).toMatchObject({
      email: 'ann@example.com',
    });
    expect(pathsOf(envelope('complaint.received', { ...minimal['complaint.received'], body: '' }))).toEqual(['data.body']);
    expect(pathsOf(envelope('complaint.received', { ...minimal['complaint.received'], channel: 'pigeon' }))).toEqual(['data.channel']);
  });

  it('takes a delivery promise as an instant (normalised to UTC) or a calendar day (kept as the day)', () => {
    const placed = (promisedBy: string) => envelope('order.placed', { ...minimal['order.placed'], promisedBy });
    expect((parsed(placed('2026-03-09T13:00:00-05:00')).data as { promisedBy: string }).promisedBy).toBe('2026-03-09T18:00:00.000Z');
    expect((parsed(placed('2026-03-09')).data as { promisedBy: string }).promisedBy).toBe('2026-03-09');
    expect(pathsOf(placed('2026-03-09T13:00:00'))).toEqual(['data.promisedBy']);
    expect(pathsOf(placed('09/03/2026'))).toEqual(['data.promisedBy']);
    expect(pathsOf(placed('2026-02-30'))).toEqual(['data.promisedBy']);
  });

  it('checks survey scores against the range of their kind', () => {
    const survey = (kind: string, score: number) => parseEvent(envelope('survey.answered', { caseId: 'k', kind, score }), 0).ok;
    expect([survey('csat', 1), survey('csat', 5), survey('csat', 0), survey('csat', 6)]).toEqual([true, true, false, false]);
    expect([survey('ces', 1), survey('ces', 7), survey('ces', 8)]).toEqual([true, true, false]);
    expect([survey('nps', 0), survey('nps', 10), survey('nps', 11), survey('nps', -1)]).toEqual([true, true, false, false]);
    expect(pathsOf(envelope('survey.answered', { caseId: 'k', kind: 'nps', score: 11 }))).toEqual(['data.score']);
    expect(pathsOf(envelope('survey.answered', { caseId: 'k', kind: 'csat', score: 4.5 }))).toEqual(['data.score']);
  });

  describe('times', () => {
    it('normalises occurredAt to UTC with milliseconds', () => {
      expect(parsed(envelope('order.cancelled', { orderId: 'o' }, { occurredAt: '2026-03-01T15:03:00+01:00' })).occurredAt).toBe(
        '2026-03-01T14:03:00.000Z',
      );
      expect(parsed(envelope('order.cancelled', { orderId: 'o' }, { occurredAt: '2026-03-01T23:30:00.5-05:00' })).occurredAt).toBe(
        '2026-03-02T04:30:00.500Z',
      );
      expect(parsed(envelope('order.cancelled', { orderId: 'o' }, { occurredAt: '2026-03-01T14:03:00Z' })).occurredAt).toBe(
        new Date('2026-03-01T14:03:00Z').toISOString(),
      );
    });

    it('normalises the times inside data too', () => {
      const order = parsed(envelope('order.placed', { ...minimal['order.placed'], promisedBy: '2026-03-05T09:00:00+09:00' }));
      expect(order.data).toMatchObject({ promisedBy: '2026-03-05T00:00:00.000Z' });
      const delivered = parsed(envelope('shipment.delivered', { shipmentId: 's', orderId: 'o', deliveredAt: '2026-03-02T00:30:00+02:00' }));
      expect(delivered.data).toMatchObject({ deliveredAt: '2026-03-01T22:30:00.000Z' });
      const shipment = parsed(
        envelope('shipment.updated', {
          shipmentId: 's',
          orderId: 'o',
          shippedAt: '2026-03-01T08:00:00-03:00',
          promisedBy: '2026-03-04T00:00:00+00:00',
          lastCarrierEventAt: '2026-03-02T10:00:00+05:30',
        }),
      );
      expect(shipment.data).toMatchObject({
        shippedAt: '2026-03-01T11:00:00.000Z',
        promisedBy: '2026-03-04T00:00:00.000Z',
        lastCarrierEventAt: '2026-03-02T04:30:00.000Z',
      });
      const profile = parsed(envelope('customer.upserted', { customerId: 'c', createdAt: '2025-12-31T23:00:00-01:00' }));
      expect(profile.data).toMatchObject({ createdAt: '2026-01-01T00:00:00.000Z' });
    });

    it('refuses times without a zone, or that are not times', () => {
      for (const occurredAt of [
        '2026-03-01T12:00:00',
        '2026-03-01',
        'yesterday',
        '2026-02-30T12:00:00Z',
        '2026-03-01T25:00:00Z',
        1_772_366_400_000,
      ]) {
        expect(pathsOf(envelope('order.cancelled', { orderId: 'o' }, { occurredAt })), String(occurredAt)).toEqual(['occurredAt']);
      }
      expect(pathsOf(envelope('shipment.delivered', { shipmentId: 's', orderId: 'o', deliveredAt: '2026-03-02 10:00' }))).toEqual([
        'data.deliveredAt',
      ]);
      expect(pathsOf(envelope('order.placed', { ...minimal['order.placed'], promisedBy: '2026-03-05T09:00:00' }))).toEqual([
        'data.promisedBy',
      ]);
    });
  });

  describe('money', () => {
    const withTotal = (total: unknown) => envelope('order.placed', { ...minimal['order.placed'], total });

    it('accepts integer minor units with an ISO currency', () => {
      for (const total of [usd(0), usd(2599), { amount: 1_000_000_000, currency: 'JPY' }, { amount: 5, currency: 'EUR' }]) {
        expect(parsed(withTotal(total)).data).toMatchObject({ total });
      }
    });

    it('refuses fractional, negative, textual or missing amounts', () => {
      for (const amount of [10.5, 0.01, -1, '2599', null, Number.MAX_SAFE_INTEGER + 2]) {
        expect(new Set(pathsOf(withTotal({ amount, currency: 'USD' }))), String(amount)).toEqual(new Set(['data.total.amount']));
      }
      expect(pathsOf(withTotal({ currency: 'USD' }))).toEqual(['data.total.amount']);
      const [err] = errorsOf(withTotal({ amount: 10.5, currency: 'USD' }));
      expect(err!.message).toMatch(/minor units/);
    });

    it('refuses a currency that is not a three-letter ISO code in capitals', () => {
      for (const currency of ['usd', 'US', 'USDX', '$', 'U5D', '', 42]) {
        expect(pathsOf(withTotal({ amount: 100, currency })), String(currency)).toEqual(['data.total.currency']);
      }
      expect(pathsOf(withTotal({ amount: 100 }))).toEqual(['data.total.currency']);
      expect(pathsOf(withTotal(2599))).toEqual(['data.total']);
    });

    it('applies the same rule to every money field', () => {
      const bad = { amount: 1.5, currency: 'USD' };
      expect(pathsOf(envelope('payment.failed', { ...minimal['payment.failed'], amount: bad }))).toEqual(['data.amount.amount']);
      expect(pathsOf(envelope('payment.succeeded', { ...minimal['payment.succeeded'], amount: bad }))).toEqual(['data.amount.amount']);
      expect(pathsOf(envelope('refund.recorded', { ...minimal['refund.recorded'], amount: { amount: 1, currency: 'eur' } }))).toEqual([
        'data.amount.currency',
      ]);
    });
  });
});

describe('formatPath', () => {
  it('joins keys with dots and indices with brackets', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['data', 'total', 'amount'])).toBe('data.total.amount');
    expect(formatPath(['events', 3, 'data', 'items', 0, 'sku'])).toBe('events[3].data.items[0].sku');
    expect(formatPath([2, 'id'])).toBe('[2].id');
  });
});

describe('eventSubjects', () => {
  it('reads the customer and the order an event concerns', () => {
    expect(eventSubjects(parsed(envelope('order.placed', minimal['order.placed'])))).toEqual({ customerId: 'c-1', orderId: 'o-1' });
    expect(eventSubjects(parsed(envelope('refund.recorded', minimal['refund.recorded'])))).toEqual({ customerId: null, orderId: 'o-1' });
    expect(eventSubjects(parsed(envelope('metric.observed', minimal['metric.observed'])))).toEqual({ customerId: null, orderId: null });
  });
});
