import { describe, expect, it } from 'vitest';
import { causeOf, type FailureFacts, pareto, paretoCsv, skusOf, toCsv } from './root-cause.ts';
import { hourOf, type OrderFacts, weakSpots, weakSpotsCsv } from './weak-spots.ts';

const f = (id: string, o: Partial<FailureFacts>): FailureFacts => ({
  id,
  at: '2026-03-02T10:00:00Z',
  kind: 'delivery_late',
  cause: 'reported:delivery_late',
  carriers: [],
  regions: [],
  skus: [],
  ...o,
});

describe('pareto', () => {
  const failures = [
    f('1', { kind: 'delivery_late', carriers: ['UPS'], skus: ['MUG', 'TEA'] }),
    f('2', { kind: 'delivery_late', carriers: ['UPS'], skus: ['MUG'] }),
    f('3', { kind: 'damaged_item', carriers: ['DHL'], skus: ['MUG'] }),
    f('4', { kind: 'delivery_late', carriers: ['UPS', 'DHL'] }),
    f('5', { kind: 'payment_problem' }),
  ];

  it('sorts by count with shares and a cumulative share that ends at 1', () => {
    const p = pareto(failures, 'kind');
    expect(p).toMatchObject({ by: 'kind', failures: 5, unattributed: 0, attributed: 5 });
    expect(p.rows).toEqual([
      { value: 'delivery_late', count: 3, share: 0.6, cumulativeShare: 0.6 },
      { value: 'damaged_item', count: 1, share: 0.2, cumulativeShare: 0.8 },
      { value: 'payment_problem', count: 1, share: 0.2, cumulativeShare: 1 },
    ]);
  });

  it('counts a failure once per distinct value and leaves out the unattributed', () => {
    const carriers = pareto(failures, 'carrier');
    expect(carriers).toMatchObject({ failures: 5, unattributed: 1, attributed: 5 });
    expect(carriers.rows.map((r) => [r.value, r.count])).toEqual([
      ['UPS', 3],
      ['DHL', 2],
    ]);
    const skus = pareto(failures, 'sku');
    expect(skus).toMatchObject({ unattributed: 2, attributed: 4 });
    expect(skus.rows.map((r) => [r.value, r.count, r.cumulativeShare])).toEqual([
      ['MUG', 3, 0.75],
      ['TEA', 1, 1],
    ]);
  });

  it('is empty for no failures', () => {
    expect(pareto([], 'region')).toEqual({ by: 'region', failures: 0, unattributed: 0, attributed: 0, rows: [] });
  });

  it('writes CSV with a header, quoting and no spreadsheet formulas', () => {
    expect(paretoCsv(pareto(failures, 'kind'))).toBe(
      'kind,count,share,cumulative_share\r\ndelivery_late,3,0.6000,0.6000\r\ndamaged_item,1,0.2000,0.8000\r\npayment_problem,1,0.2000,1.0000\r\n',
    );
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x, "y"', '=SUM(A1)'],
          [null, 3],
        ],
      ),
    ).toBe('a,b\r\n"x, ""y""",\'=SUM(A1)\r\n,3\r\n');
  });
});

describe('causeOf', () => {
  it('prefers the monitor, then the order fact that decided triage, then the customer’s words', () => {
    const triage = JSON.stringify({
      kind: { value: 'delivery_late', evidence: [{ rule: 'kind.lexicon' }, { rule: 'context.shipment_late' }] },
    });
    expect(causeOf({ kind: 'delivery_late', monitor: 'shipment_late', triage })).toBe('monitor:shipment_late');
    expect(causeOf({ kind: 'delivery_late', monitor: null, triage })).toBe('order:shipment_late');
    expect(
      causeOf({ kind: 'damaged_item', monitor: null, triage: JSON.stringify({ kind: { evidence: [{ rule: 'kind.lexicon' }] } }) }),
    ).toBe('reported:damaged_item');
    expect(causeOf({ kind: null, monitor: null, triage: 'not json' })).toBe('reported:unknown');
  });

  it('reads distinct SKUs from an order’s items', () => {
    expect(skusOf(JSON.stringify([{ sku: 'B' }, { sku: 'A' }, { sku: 'B' }, { name: 'no sku' }]))).toEqual(['A', 'B']);
    expect(skusOf(null)).toEqual([]);
    expect(skusOf('{')).toEqual([]);
  });
});

describe('weakSpots', () => {
  const o = (id: string, failed: boolean, skus: string[], carriers: string[], placedAt = '2026-03-02T15:30:00Z'): OrderFacts => ({
    id,
    placedAt,
    skus,
    carriers,
    failed,
  });
  // MUG: 10 orders, 4 failed (40 %). TEA: 20 orders, 4 failed (20 %). RARE: 2 orders, 2 failed (100 %, too few).
  const orders: OrderFacts[] = [
    ...Array.from({ length: 10 }, (_, i) => o(`m${i}`, i < 4, ['MUG'], ['UPS'])),
    ...Array.from({ length: 20 }, (_, i) => o(`t${i}`, i < 4, ['TEA'], ['DHL'], '2026-03-02T03:10:00Z')),
    o('r1', true, ['RARE'], ['DHL']),
    o('r2', true, ['RARE'], ['DHL']),
  ];

  it('ranks values by their failure rate per order, leaving out small samples', () => {
    const w = weakSpots(orders, 'UTC', { minOrders: 5 });
    expect(w).toMatchObject({ orders: 32, failed: 10, minOrders: 5 });
    expect(w.rate).toBeCloseTo(10 / 32, 10);
    expect(w.products.map((p) => [p.value, p.orders, p.failed, p.rate])).toEqual([
      ['MUG', 10, 4, 0.4],
      ['TEA', 20, 4, 0.2],
    ]);
    // Wilson 95 % for 4/10: [0.1682, 0.6873].
    expect(w.products[0]!.low).toBeCloseTo(0.1682, 3);
    expect(w.products[0]!.high).toBeCloseTo(0.6873, 3);
    expect(w.products[0]!.lift).toBeCloseTo(0.4 / (10 / 32), 10);
    // DHL: 22 orders, 6 failed; UPS: 10 orders, 4 failed.
    expect(w.carriers.map((c) => [c.value, c.orders, c.failed])).toEqual([
      ['UPS', 10, 4],
      ['DHL', 22, 6],
    ]);
    expect(w.hours.map((h) => [h.value, h.orders, h.failed])).toEqual([
      ['15', 12, 6],
      ['03', 20, 4],
    ]);
  });

  it('ranks by the interval’s low end: a sure rate beats the same rate on fewer orders', () => {
    const few = Array.from({ length: 10 }, (_, i) => o(`a${i}`, i < 3, ['A'], []));
    const many = Array.from({ length: 100 }, (_, i) => o(`b${i}`, i < 30, ['B'], []));
    const w = weakSpots([...few, ...many], 'UTC', { minOrders: 10 });
    expect(w.products.map((p) => [p.value, p.rate])).toEqual([
      ['B', 0.3],
      ['A', 0.3],
    ]);
  });

  it('uses the store’s time zone for hours', () => {
    expect(hourOf('2026-03-02T15:30:00Z', 'America/New_York')).toBe(10);
    const w = weakSpots(orders, 'America/New_York', { minOrders: 5 });
    expect(w.hours.map((h) => h.value).sort()).toEqual(['10', '22']);
  });

  it('writes CSV rows for every dimension', () => {
    const csv = weakSpotsCsv(weakSpots(orders, 'UTC', { minOrders: 5 }));
    expect(csv.split('\r\n')[0]).toBe('dimension,value,orders,failed,rate,low,high,lift');
    expect(csv).toContain('\r\nproducts,MUG,10,4,0.4000,0.1682,0.6873,1.28\r\n');
    expect(csv).toContain('\r\nhours,03,20,4,0.2000,');
  });
});
