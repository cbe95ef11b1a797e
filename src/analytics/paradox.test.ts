import { describe, expect, it } from 'vitest';
import { type CohortCount, cohortOf, cohortStat, type HistoryCase, MIN_COHORT, outcomesOf, paradoxReport, verdictOf } from './paradox.ts';

const kase = (o: Partial<HistoryCase>): HistoryCase => ({
  id: 'c1',
  createdAt: '2026-01-10T12:00:00.000Z',
  failureAt: null,
  status: 'resolved',
  source: 'reactive',
  severity: 2,
  channel: 'email',
  kind: 'delivery_late',
  tier: 'regular',
  assignee: null,
  inbound: 1,
  csat: [],
  ...o,
});

describe('cohorts of a failure', () => {
  it('classifies by the latest CSAT, proactive silence, or lack of evidence', () => {
    expect(cohortOf(kase({ csat: [2, 5] }))).toBe('recovered');
    expect(cohortOf(kase({ csat: [5, 3] }))).toBe('not_recovered');
    expect(cohortOf(kase({ source: 'proactive', inbound: 0 }))).toBe('recovered');
    expect(cohortOf(kase({ source: 'proactive', inbound: 1 }))).toBe('not_recovered');
    expect(cohortOf(kase({}))).toBe('unrated');
    expect(cohortOf(kase({ status: 'in_progress', csat: [5] }))).toBe('open');
    expect(cohortOf(kase({ status: 'closed', csat: [4] }))).toBe('recovered');
  });

  it('measures minutes to the next order after the failure, and marks repeats within 365 days', () => {
    const rows = outcomesOf({
      customerId: 'cu1',
      orders: ['2026-01-01T00:00:00Z', '2026-01-20T12:00:00Z', '2027-06-01T00:00:00Z'],
      cases: [
        kase({ id: 'a', failureAt: '2026-01-09T12:00:00Z', csat: [5] }),
        kase({ id: 'b', createdAt: '2026-03-01T00:00:00Z', severity: 4 }),
        kase({ id: 'c', createdAt: '2027-05-01T00:00:00Z' }),
      ],
    });
    expect(rows.map((r) => [r.subjectId, r.cohort, r.refAt, r.repeat, r.nextOrderMinutes])).toEqual([
      ['a', 'recovered', '2026-01-09T12:00:00.000Z', false, 11 * 1440],
      ['b', 'unrated', '2026-03-01T00:00:00.000Z', true, Math.round((Date.parse('2027-06-01') - Date.parse('2026-03-01')) / 60000)],
      ['c', 'unrated', '2027-05-01T00:00:00.000Z', false, 31 * 1440],
    ]);
  });

  it('a never-failed customer is measured from the first order; none without orders', () => {
    expect(outcomesOf({ customerId: 'n', orders: ['2026-02-10T00:00:00Z', '2026-02-01T00:00:00Z'], cases: [] })).toEqual([
      expect.objectContaining({ subjectId: 'n', cohort: 'never_failed', refAt: '2026-02-01T00:00:00.000Z', nextOrderMinutes: 9 * 1440 }),
    ]);
    expect(outcomesOf({ customerId: 'n', orders: [], cases: [] })).toEqual([]);
    expect(outcomesOf({ customerId: 'n', orders: ['2026-02-01T00:00:00Z'], cases: [] })[0]?.nextOrderMinutes).toBeNull();
  });
});

const counts = (never: [number, number], rec: [number, number], notRec: [number, number], extra: CohortCount[] = []): CohortCount[] => [
  { cohort: 'never_failed', severity: null, repeat: false, n: never[0], repurchased: never[1] },
  { cohort: 'recovered', severity: 2, repeat: false, n: rec[0], repurchased: rec[1] },
  { cohort: 'not_recovered', severity: 2, repeat: false, n: notRec[0], repurchased: notRec[1] },
  ...extra,
];

describe('paradox index', () => {
  it('says the paradox holds when recovered customers come back more, intervals apart', () => {
    // 60/100 → [0.503, 0.691]; 40/100 → [0.309, 0.498]
    const r = paradoxReport(counts([100, 40], [100, 60], [100, 20]), 90, 7);
    expect(r.cohorts.recovered.rate).toBe(0.6);
    expect(r.cohorts.recovered.interval?.low).toBeCloseTo(0.502, 3);
    expect(r.cohorts.neverFailed.interval?.high).toBeCloseTo(0.498, 3);
    expect(r.verdict.outcome).toBe('holds');
    expect(r.verdict.text).toMatch(/^The paradox holds: .*60 %.*40 %/);
    expect(r.recoveryEffect.outcome).toBe('holds');
    expect(r.recoveryEffect.text).toMatch(/^Recovery pays/);
    expect(r.windowNotEnded).toBe(7);
  });

  it('says it does not hold when they come back less', () => {
    expect(paradoxReport(counts([200, 120], [100, 30], [100, 20]), 90, 0).verdict.outcome).toBe('fails');
  });

  it('says "too small to tell" under the minimum, with wide or overlapping intervals', () => {
    const small = paradoxReport(counts([500, 200], [MIN_COHORT - 1, 25], [10, 1]), 90, 0);
    expect(small.verdict.outcome).toBe('too_small');
    expect(small.verdict.text).toMatch(/^Too small to tell: 29 customers whose failure was recovered .* at least 30/);
    const overlap = paradoxReport(counts([100, 40], [100, 45], [100, 20]), 90, 0);
    expect(overlap.verdict.outcome).toBe('too_small');
    expect(overlap.verdict.text).toMatch(/overlap/);
    // 30 subjects at 50 %: interval ≈ [0.33, 0.67], 0.34 wide
    expect(verdictOf(cohortStat(30, 15), cohortStat(1000, 100)).text).toMatch(/too wide/);
  });

  it('splits by severity and by first vs repeat failure', () => {
    const r = paradoxReport(
      counts(
        [100, 40],
        [100, 60],
        [50, 10],
        [
          { cohort: 'recovered', severity: 4, repeat: true, n: 40, repurchased: 4 },
          { cohort: 'unrated', severity: 4, repeat: true, n: 12, repurchased: 3 },
          { cohort: 'open', severity: 1, repeat: false, n: 5, repurchased: 0 },
        ],
      ),
      180,
      0,
    );
    expect(r.bySeverity.map((s) => s.key)).toEqual(['1', '2', '4']);
    const sev4 = r.bySeverity.find((s) => s.key === '4')!;
    expect(sev4.recovered).toMatchObject({ n: 40, repurchased: 4, rate: 0.1 });
    expect(sev4.verdict.outcome).toBe('fails');
    const repeat = r.byRepeat.find((s) => s.key === 'repeat')!;
    expect(repeat.recovered.n).toBe(40);
    expect(r.byRepeat.find((s) => s.key === 'first')!.recovered.n).toBe(100);
    expect(r.notCompared).toEqual({ unrated: 12, open: 5 });
    expect(r.cohorts.recovered.n).toBe(140);
  });
});
