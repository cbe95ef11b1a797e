import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  type CaseFacts,
  csvCell,
  csvOf,
  csvSections,
  groupRows,
  percentileFromHistogram,
  rollUp,
  summarize,
  sumRows,
  trend,
} from './kpis.ts';

const base: CaseFacts = {
  createdAt: '2026-03-02T10:00:00.000Z',
  channel: 'email',
  kind: 'delivery_late',
  tier: 'regular',
  source: 'reactive',
  assignee: 'u1',
  status: 'resolved',
  reopened: false,
  inbound: 1,
  firstResponse: null,
  resolution: null,
  sla: {},
  surveys: [],
  compensations: [],
};
const c = (o: Partial<CaseFacts>): CaseFacts => ({ ...base, ...o });

/** Four cases with known answers. */
const history: CaseFacts[] = [
  // FCR: resolved, one message, never reopened. First reply after 10 min (business 10), resolved after 100 min.
  c({
    firstResponse: { wall: 10, business: 10 },
    resolution: { wall: 100, business: 60 },
    sla: { first_response: 'met', resolution: 'met' },
    surveys: [
      { metric: 'csat', score: 5 },
      { metric: 'ces', score: 2 },
    ],
    compensations: [500],
  }),
  // Resolved but two messages: not FCR.
  c({
    inbound: 2,
    tier: 'vip',
    firstResponse: { wall: 20, business: 0 },
    resolution: { wall: 3000, business: 900 },
    sla: { first_response: 'met', resolution: 'breached' },
    surveys: [
      { metric: 'csat', score: 2 },
      { metric: 'nps', score: 10 },
    ],
    compensations: [1000, 250],
  }),
  // Reopened then resolved again: not FCR.
  c({
    reopened: true,
    createdAt: '2026-03-03T09:00:00.000Z',
    firstResponse: { wall: 40, business: 40 },
    resolution: { wall: 200, business: 200 },
    sla: { first_response: 'breached', resolution: 'open' },
    surveys: [{ metric: 'nps', score: 3 }],
  }),
  // Open proactive case, no messages.
  c({ status: 'in_progress', source: 'proactive', inbound: 0, sla: { first_response: 'open' }, surveys: [{ metric: 'nps', score: 8 }] }),
];

describe('KPIs on a hand-made history', () => {
  const rows = rollUp(history, 'dims');
  const total = sumRows(rows);
  const s = summarize(total, { orders: 10, amount: 100_000 }, 'USD');

  it('counts cases, FCR, contacts, reopenings', () => {
    expect(s.cases).toBe(4);
    expect(s.resolved).toBe(3);
    expect(s.firstContactResolution).toEqual({ cases: 1, rate: 0.333 });
    expect(s.contactsPerCase).toBe(1); // (1 + 2 + 1 + 0) / 4
    expect(s.reopenRate).toBe(0.25);
  });

  it('computes CSAT, CES and NPS', () => {
    expect(s.csat).toEqual({ count: 2, average: 3.5, satisfiedShare: 0.5 });
    expect(s.ces).toEqual({ count: 1, average: 2 });
    // one promoter (10), one detractor (3), one passive (8): (1 − 1) / 3 = 0
    expect(s.nps).toEqual({ count: 3, score: 0, promoters: 1, detractors: 1 });
  });

  it('computes durations: exact means, percentiles to the bucket', () => {
    expect(s.firstResponse.wall.count).toBe(3);
    expect(s.firstResponse.wall.meanMinutes).toBe(23.3); // (10 + 20 + 40) / 3
    // 10 → [5,15), 20 → [15,30), 40 → [30,60): rank 1.5 falls in [15,30), halfway → 22.5 (exact median 20)
    expect(s.firstResponse.wall.p50Minutes).toBe(22.5);
    expect(s.firstResponse.business.meanMinutes).toBe(16.7);
    expect(s.resolution.wall.count).toBe(3);
    expect(s.resolution.wall.meanMinutes).toBe(1100);
    // 100 → [60,120), 200 → [120,240), 3000 → [2880,4320): p50 rank 1.5 in [120,240) → 180
    expect(s.resolution.wall.p50Minutes).toBe(180);
    // p90 rank 2.7 in [2880, 4320), 0.7 of it → 2880 + 1008 = 3888
    expect(s.resolution.wall.p90Minutes).toBe(3888);
  });

  it('computes SLA attainment over decided clocks', () => {
    expect(s.sla.firstResponse).toEqual({ met: 2, breached: 1, attainment: 0.667 });
    expect(s.sla.resolution).toEqual({ met: 1, breached: 1, attainment: 0.5 });
  });

  it('computes the recovery cost, per case and as a share of revenue', () => {
    expect(s.cost.total).toEqual({ amount: 1750, currency: 'USD' });
    expect(s.cost.perCase).toEqual({ amount: 438, currency: 'USD' }); // 1750 / 4 = 437.5
    expect(s.cost.compensations).toBe(3);
    expect(s.cost.compensatedCases).toBe(2);
    expect(s.cost.shareOfRevenue).toBe(1.75);
    const byTier = groupRows(rows, (r) => r.tier);
    expect(byTier.get('vip')?.cost).toBe(1250);
    expect(byTier.get('regular')?.cost).toBe(500);
  });

  it('makes a daily trend with every day of the period', () => {
    const t = trend(
      groupRows(rows, (r) => r.day),
      '2026-03-01',
      '2026-03-03',
    );
    expect(t).toEqual([
      { day: '2026-03-01', cases: 0, resolved: 0, csatAverage: null, cost: 0 },
      { day: '2026-03-02', cases: 3, resolved: 2, csatAverage: 3.5, cost: 1750 },
      { day: '2026-03-03', cases: 1, resolved: 1, csatAverage: null, cost: 0 },
    ]);
  });

  it('splits by source', () => {
    const bySource = groupRows(rows, (r) => r.source);
    expect(bySource.get('proactive')?.cases).toBe(1);
    expect(bySource.get('reactive')?.cases).toBe(3);
  });

  it('an empty period has no averages rather than zeros', () => {
    const e = summarize(sumRows([]), { orders: 0, amount: 0 }, 'USD');
    expect(e.csat.average).toBeNull();
    expect(e.firstResponse.wall.p50Minutes).toBeNull();
    expect(e.cost.perCase).toBeNull();
    expect(e.cost.shareOfRevenue).toBeNull();
  });
});

describe('histogram percentiles', () => {
  it('buckets by lower edge', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(4.99)).toBe(0);
    expect(bucketOf(5)).toBe(1);
    expect(bucketOf(1e9)).toBe(14);
  });
  it('gives the lower edge of the open last bucket, and null when empty', () => {
    const h = new Array(15).fill(0);
    expect(percentileFromHistogram(h, 0.5)).toBeNull();
    h[14] = 3;
    expect(percentileFromHistogram(h, 0.5)).toBe(20160);
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });
  it('writes tables and sections', () => {
    const t = { name: 'x', header: ['a', 'b'], rows: [[1, 'two']] };
    expect(csvOf(t)).toBe('a,b\r\n1,two\r\n');
    expect(csvSections([t, { ...t, name: 'y' }])).toBe('# x\r\na,b\r\n1,two\r\n\r\n# y\r\na,b\r\n1,two\r\n');
  });
});
